r"""Run one verification case and judge it.

The steps, in order:

1. the **judged runs**: AN-GD with the case's ``beta`` and fixed ``lr`` from
   ``runs`` starting points spread around the problem's start;
2. the **hypothesis**: the constants claimed (by the user or the problem),
   the rest estimated on independent runs (:mod:`gsmooth.verification.estimation`);
3. **assumption checks** of the claimed constants on the judged runs
   (:mod:`gsmooth.verification.assumptions`);
4. the **prediction** for every candidate constant set
   (:mod:`gsmooth.verification.predictions`), the decay law fitted to the
   judged runs (:func:`gsmooth.rates.fit_decay`), and the **rate checks**
   (:mod:`gsmooth.verification.rate_checks`), with the eps-sweep when the case
   has an eps grid;
5. the case's **outcome** (:mod:`gsmooth.verification.outcome`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from gsmooth._tables import long_table
from gsmooth.engine import run
from gsmooth.engine.result import failed
from gsmooth.optim import an_gd
from gsmooth.rates import NotCovered, fit_decay
from gsmooth.rates.teps import exact_exponent
from gsmooth.verification.assumptions import assumption_checks
from gsmooth.verification.constants import problem_claims
from gsmooth.verification.estimation import Unverifiable, complete
from gsmooth.verification.outcome import Check, Outcome, case_outcome
from gsmooth.verification.predictions import Prediction
from gsmooth.verification.rate_checks import decay_checks, sweep_checks


@dataclass
class CaseResult:
    """Everything one case produced: hypothesis, prediction, fits, checks, outcome and curves."""

    label: str
    problem: str
    method: str
    hypothesis: dict
    regime: str
    T_exponent: list
    log_factor: bool
    rho_beta: tuple
    decay: dict | None
    sweep: dict | None
    checks: list
    notes: list
    outcome: Outcome
    curves: dict = field(default_factory=dict)
    comparison: dict | None = None

    @property
    def passed(self) -> bool:
        return self.outcome.outcome == "PASS"

    def as_dict(self) -> dict:
        """JSON-ready dict without the curves (saved to .npz)."""
        out = {key: value for key, value in self.__dict__.items() if key not in ("curves", "outcome")}
        out["checks"] = [asdict(check) for check in self.checks]
        out["rho_beta"] = list(self.rho_beta)
        out["outcome"] = asdict(self.outcome)
        return out

    @classmethod
    def from_dict(cls, data: dict, curves: dict | None = None) -> CaseResult:
        """Inverse of :meth:`as_dict` (with the case's arrays from ``curves.npz``)."""
        fields = dict(data)
        fields["checks"] = [Check(**check) for check in data["checks"]]
        fields["outcome"] = Outcome(**data["outcome"])
        fields["rho_beta"] = tuple(data["rho_beta"])
        return cls(**fields, curves=dict(curves or {}))

    def to_pandas(self):
        """The case's gap traces in long form: one row per record and run."""
        traces = {name: self.curves[name] for name in ("gap", "loss") if name in self.curves}
        traces["iteration"] = np.repeat(np.asarray(self.curves["iters"])[:, None],
                                        next(iter(traces.values())).shape[1], axis=1)
        shared = {"case": self.label, "problem": self.problem, "method": self.method,
                  "regime": self.regime, "outcome": self.outcome.outcome}
        return long_table(traces, shared=shared)


def run_case(case, *, runs: int = 8, device: str = "numpy", seed: int = 0, progress=None, claims=None,
             reference_steps: int | None = None) -> CaseResult:
    """Run ``case`` (a :class:`gsmooth.verification.cases.Case`) and judge it (module docstring).

    ``claims`` (name -> :class:`~gsmooth.verification.constants.Constant`)
    override the problem's own constants; ``reference_steps`` limits the
    reference minimization that estimates an unknown ``F*``.
    """
    problem = case.build()
    beta = exact_exponent("beta", case.beta, 0.0, 1.0)
    method = f"AN-GD beta={case.beta}, lr={case.lr:g}"
    res = run(problem, an_gd(lr=case.lr, beta=float(beta)), case.steps, w0=case.starts(problem, runs, seed),
              record=case.record, keep_iterates=True, device=device, progress=progress)
    given = {**problem_claims(problem), **(claims or {})}
    try:
        hypothesis = complete(problem, case, given, runs=runs, seed=seed, device=device,
                              lowest_loss=float(np.nanmin(res.loss)), reference_steps=reference_steps)
    except Unverifiable as why:
        return _unverifiable(case, method, res, why)
    prediction = Prediction.of(beta, hypothesis.candidates(beta))
    checks = assumption_checks(problem, hypothesis, res, float(beta), case.lr)
    notes = list(hypothesis.notes)
    if prediction.below_alpha:
        notes.append(f"beta = {beta} < alpha for some constant set: outside the theorem")
    low, high = hypothesis.f_star_interval
    gaps = np.maximum(res.loss - high, 0.0)
    stopped = int(failed(res.status).sum())
    if stopped:
        notes.append(f"{stopped} of {res.n_runs} runs diverged or turned non-finite: left out of "
                     "the decay law, kept in the bound checks")
    try:
        fit = fit_decay(res.iters, gaps, status=res.status)
    except ValueError as why:
        fit, notes = None, notes + [f"no decay law fitted: {why}"]
    checks += decay_checks(case, prediction, fit, res.iters, res.loss, res.status,
                           hypothesis.f_star_interval)
    sweep, comparison = None, None
    if case.eps_grid:
        sweep, more, sweep_notes = sweep_checks(case, prediction, problem, hypothesis.f_star_interval,
                                                device, progress)
        checks += more
        notes += sweep_notes
        if sweep is not None:
            comparison = published_comparison(hypothesis, beta, sweep)
    return CaseResult(
        label=case.label, problem=case.name, method=method, hypothesis=hypothesis.as_dict(),
        regime=prediction.regime, T_exponent=list(prediction.exponents), log_factor=prediction.log_factor,
        rho_beta=prediction.rho_beta(), decay=None if fit is None else fit.as_dict(),
        sweep=None if sweep is None else sweep.as_dict(),
        checks=checks, notes=notes, outcome=case_outcome(checks),
        curves=_curves(res.iters[:, 0], gaps, prediction, case.lr, res.loss[0, 0] - low),
        comparison=comparison,
    )


def published_comparison(hypothesis, beta, sweep) -> dict:
    """The published bounds and gsmooth's derived one on the case's constants, at the sweep's eps.

    Each constant enters as claimed (exact where it was given exactly) or, when
    estimated, as its interval with the estimate as the point; the bounds are
    converted to the sweep's target ``f - f* <= eps`` through PL
    (:func:`gsmooth.theory.compare` with ``target="gap"``), so they are
    comparable with the observed first-hitting times.  AN-GD's own entries are
    kept, with GD's at ``beta = 0`` and normalized GD's at ``beta = 1``.
    """
    from gsmooth.theory import compare

    constants, point = {"beta": str(beta), "Delta0": sweep.delta0}, {}
    for name in ("rho", "mu", "alpha", "L0", "L1"):
        c = hypothesis.constants[name]
        if c.interval is not None and c.interval[0] < c.interval[1]:
            constants[name], point[name] = tuple(c.interval), c.value
        else:
            constants[name] = c.exact if c.exact is not None else c.value
    methods = ["AN-GD"] + (["normalized GD"] if beta == 1 else [])
    return compare(constants, sweep.eps.tolist(), methods, target="gap", point=point).as_dict()


def _unverifiable(case, method, res, why) -> CaseResult:
    check = Check("bound", "derived bounds", "none", "-", "n/a", why.reason, why.remedy)
    return CaseResult(
        label=case.label, problem=case.name, method=method, hypothesis={}, regime="unknown",
        T_exponent=[], log_factor=False, rho_beta=(), decay=None, sweep=None, checks=[check],
        notes=[why.reason], outcome=case_outcome([check]),
        curves={"iters": res.iters[:, 0], "loss": res.loss},
    )


def _curves(t, gaps, prediction, lr, delta0) -> dict:
    """Gap traces, and the log of the most lenient bound for the first run (when there is one)."""
    curves = {"iters": t, "gap": gaps}
    try:
        curves["log_bound"] = prediction.log_bound(t, lr, float(delta0))
    except NotCovered:
        pass
    return curves
