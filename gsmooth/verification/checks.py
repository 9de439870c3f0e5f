r"""Run one verification case and judge it: the bound holds, the shape matches.

**Bound checks** compare observations with the derived bounds evaluated at the
case's constants (known, or estimated and flagged): every recorded
:math:`\Delta_t` of the fixed-step run stays below
:meth:`gsmooth.theory.AnGdBound.decay_value` at the run's own :math:`\Delta_0`;
a fitted geometric rate stays below the derived :math:`1 - c`; every observed
:math:`T(\epsilon)` of the eps-sweep stays below the derived :math:`T(\epsilon)`.
With :math:`\beta < \alpha` the theorem gives no bound, and the check says so.

**Shape checks** (analytic zoo) compare fitted numbers with predictions made
with PL as an equality and the full first-order decrease
:math:`\gamma g^{2-\beta}` (the derivation keeps half of it, which makes the
bounds safe but a factor 2 loose in :math:`c`); these are exact where PL is
an equality and :math:`\gamma` is small:

* polynomial: exponent :math:`p = \rho/(2 - \beta - \rho)`, relative tolerance :data:`REL_TOL`;
* geometric: rate :math:`1 - 2c`, compared through :math:`\log r` (relative :data:`REL_TOL`);
* two-phase: the first phase ends at :math:`t_1/2`, half the derived
  first-phase bound (relative :data:`REL_TOL`; an upper bound where PL is not
  an equality along the run);
* eps-sweep: exponent of :math:`1/\epsilon` within :data:`EXPONENT_TOL`
  (an upper bound where PL is not an equality).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from gsmooth.engine import run
from gsmooth.optim import an_gd
from gsmooth.rates import eps_sweep, fit_decay
from gsmooth.rates.teps import exact_exponent, problem_constants

REL_TOL = 0.05
"""Relative tolerance of shape checks on exponents, log-rates and switch times."""

EXPONENT_TOL = 0.025
"""Absolute floor of the tolerance on the exponent of ``1/eps`` (5% of 0.5)."""

BOUND_SLACK = 1e-9
"""Relative slack of bound checks for floating-point rounding."""

PREDICTED_KIND = {"polynomial": "polynomial", "geometric": "geometric", "finite-time": "two-phase"}


@dataclass(frozen=True)
class Check:
    """One judged comparison.  ``verdict`` is "pass", "fail", "n/a" or "info" (not judged)."""

    kind: str
    quantity: str
    predicted: str
    observed: str
    verdict: str
    note: str = ""


@dataclass
class CaseResult:
    """Everything one case produced: constants, prediction, fits, checks and curves."""

    label: str
    problem: str
    method: str
    constants: dict
    estimated: bool
    regime: str
    T_exponent: float
    log_factor: bool
    rho_beta: tuple
    decay: dict
    sweep: dict | None
    checks: list
    notes: list
    curves: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """No check failed."""
        return all(check.verdict != "fail" for check in self.checks)

    def as_dict(self) -> dict:
        """JSON-ready dict without the curves (saved to .npz)."""
        out = {key: value for key, value in self.__dict__.items() if key != "curves"}
        out["checks"] = [asdict(check) for check in self.checks]
        out["rho_beta"] = list(self.rho_beta)
        return out


def run_case(case, *, runs: int = 8, device: str = "numpy", seed: int = 0,
             progress=None) -> CaseResult:
    """Run ``case`` (a :class:`gsmooth.verification.cases.Case`) and judge it."""
    from gsmooth.theory import an_gd_bound

    problem = case.build()
    w0 = case.starts(problem, runs, seed)
    optimizer = an_gd(lr=case.lr, beta=float(exact_exponent("beta", case.beta, 0.0, 1.0)))
    res = run(problem, optimizer, case.steps, w0=w0, record=case.record, capture=case.estimated,
              device=device, progress=progress)
    constants, f_star, notes = _constants(case, problem, res, device)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bound = an_gd_bound(str(constants["rho"]), case.beta, str(constants["alpha"]),
                            L0=constants["L0"], L1=constants["L1"], mu=constants["mu"])
    notes += [str(w.message).split(":")[0] + ": outside the theorem" for w in caught]
    gaps = np.maximum(res.loss - f_star, 0.0)
    fit = fit_decay(res.iters, gaps, seed=seed)
    judged = not case.estimated
    checks = _decay_checks(case, bound, fit, res.iters, gaps, constants, judged)
    sweep = None
    if case.eps_grid and bound.beta >= bound.alpha and not case.estimated:
        sweep = eps_sweep(problem, case.beta, case.eps_grid, constants=constants, device=device,
                          progress=progress)
        checks += _sweep_checks(case, sweep)
    return CaseResult(
        label=case.label, problem=case.name, method=f"AN-GD beta={case.beta}, lr={case.lr:g}",
        constants={name: float(value) for name, value in constants.items()}, estimated=case.estimated,
        regime=bound.regime, T_exponent=float(bound.exponent), log_factor=bool(bound.log_factor),
        rho_beta=(str(constants["rho"]), case.beta), decay=fit.as_dict(),
        sweep=None if sweep is None else sweep.as_dict(), checks=checks, notes=notes,
        curves=_curves(res.iters[:, 0], gaps, bound, case, constants),
    )


def _constants(case, problem, res, device):
    """Known constants, or estimated ones (with notes) for an estimated case."""
    if not case.estimated:
        return problem_constants(problem), problem.f_star, []
    from gsmooth import estimate

    reference = None
    if problem.f_star is None:
        best = res.w[int(np.argmin(res.loss[-1]))][None, :]
        reference = run(problem, an_gd(lr=case.lr / 10, beta=1.0), 4 * case.steps, w0=best,
                        device=device, progress=False)
    smooth = estimate.smoothness(problem, res, n_resamples=49)
    pl = estimate.pl(problem, res, reference=reference, n_resamples=49)
    rho = min(max(round(pl.rho, 2), 0.01), 2.0)
    alpha = min(max(round(smooth.alpha, 2), 0.0), 1.0)
    scales = {"mu": pl.mu, "L0": max(smooth.L0, 0.0), "L1": max(smooth.L1, 0.0)}
    constants = problem_constants(problem, {
        "rho": rho, "alpha": alpha, **{name: float(f"{value:.3g}") for name, value in scales.items()}})
    notes = ["constants estimated from the run (gs.estimate), rounded to 2 decimals / 3 digits"]
    if pl.f_star_estimated:
        notes.append(f"f* estimated as {pl.f_star:.6g} from a longer run")
    if not 0 < pl.rho <= 2:
        notes.append(f"estimated rho = {pl.rho:.3g} clipped to (0, 2]")
    return constants, pl.f_star, notes


def _decay_checks(case, bound, fit, iters, gaps, constants, judged):
    decay = bound.decay
    expected = PREDICTED_KIND[decay.kind]
    shape = "shape" if judged else "info"
    checks = [Check(shape, "decay law", expected, fit.kind, _verdict(fit.kind == expected, judged))]
    if judged:
        checks.append(_decay_value_check(case, bound, fit, iters, gaps, expected))
    checks += _decay_bound_checks(case, bound, fit, iters, gaps, constants)
    return checks


def _decay_value_check(case, bound, fit, iters, gaps, expected):
    if fit.kind != expected:
        fit = fit_decay(iters, gaps, kind=expected)
    if expected == "polynomial":
        p = float(bound.decay.exponent)
        return _relative("exponent p of t^-p", p, fit.exponent, fit.interval, "equal")
    if expected == "geometric":
        first_order = 1.0 - 2.0 * _c_value(bound, case.lr)
        return _relative("log-rate of r^t", np.log(first_order), np.log(fit.rate),
                         tuple(np.log(fit.interval)), "equal", shown=(first_order, fit.rate))
    t1 = _first_phase(bound, case.lr, float(np.median(gaps[0]))) / 2.0
    return _relative("first phase ends at t", t1, fit.switch, fit.interval,
                     "equal" if case.tight else "at most")


def _relative(quantity, predicted, observed, interval, mode, shown=None, tol=REL_TOL, floor=0.0):
    allowed = max(tol * abs(predicted), floor)
    ok = observed <= predicted + allowed if mode == "at most" else abs(observed - predicted) <= allowed
    shown_pred, shown_obs = shown if shown is not None else (predicted, observed)
    sign = "<=" if mode == "at most" else "~"
    interval_text = "" if interval is None else f" [{_fmt(interval[0])}, {_fmt(interval[1])}]"
    if shown is not None and interval is not None:
        interval_text = f" [{_fmt(np.exp(interval[0]))}, {_fmt(np.exp(interval[1]))}]"
    return Check("shape", quantity, f"{sign} {_fmt(shown_pred)}", f"{_fmt(shown_obs)}{interval_text}",
                 _verdict(ok, True), f"tolerance {_fmt(allowed)}")


def _decay_bound_checks(case, bound, fit, iters, gaps, constants):
    flag = " (estimated constants)" if case.estimated else ""
    if bound.beta < bound.alpha:
        return [Check("bound", "Delta_t <= derived bound", "none: beta < alpha", "-", "n/a",
                      "the theorem needs beta >= alpha")]
    curve = _bound_curves(bound, case.lr, iters[:, 0], gaps, constants)
    after_start = iters[:, 0] >= 1
    ratio = float(np.max(gaps[after_start] / curve[after_start]))
    checks = [Check("bound", "Delta_t <= derived bound" + flag, "ratio <= 1", f"max ratio {_fmt(ratio)}",
                    _verdict(ratio <= 1.0 + BOUND_SLACK, True))]
    if bound.decay.kind == "geometric" and fit.kind == "geometric":
        derived = 1.0 - _c_value(bound, case.lr)
        checks.append(Check("bound", "rate <= derived 1 - c" + flag, f"<= {_fmt(derived)}",
                            _fmt(fit.rate), _verdict(fit.rate <= derived * (1 + BOUND_SLACK), True)))
    return checks


def _sweep_checks(case, sweep):
    ratio = np.where(sweep.reached, sweep.T / sweep.T_bound, np.inf)
    bound = Check("bound", "T(eps) <= derived T(eps)", "ratio <= 1", f"max ratio {_fmt(np.max(ratio))}",
                  _verdict(sweep.bound_holds, True), f"{int(sweep.reached.sum())}/{sweep.eps.size} eps reached")
    log = " (log divided out)" if sweep.log_factor else ""
    shape = _relative("exponent of 1/eps" + log, sweep.predicted, sweep.exponent, sweep.interval,
                      "equal" if case.tight else "at most", floor=EXPONENT_TOL)
    return [bound, shape]


def _bound_curves(bound, lr, t, gaps, constants):
    values = {name: constants[name] for name in ("mu", "L0", "L1", "alpha")}
    values["alpha"] = str(values["alpha"])
    return np.column_stack([
        bound.decay_value(t, gamma=lr, Delta0=float(max(gaps[0, r], 1e-300)), **values)
        for r in range(gaps.shape[1])
    ])


def _curves(t, gaps, bound, case, constants):
    curves = {"iters": t, "gap": gaps}
    if bound.beta >= bound.alpha:
        curves["bound"] = _bound_curves(bound, case.lr, t, gaps[:, :1], constants)[:, 0]
    return curves


def _c_value(bound, lr) -> float:
    from gsmooth.theory.exact import GAMMA

    return float(bound.c.subs(GAMMA, lr))


def _first_phase(bound, lr, delta0) -> float:
    from gsmooth.theory.exact import DELTA0, GAMMA

    return float(bound.decay.first_phase.subs({GAMMA: lr, DELTA0: delta0}))


def _verdict(ok: bool, judged: bool) -> str:
    if not judged:
        return "info"
    return "pass" if ok else "fail"


def _fmt(value) -> str:
    return f"{float(value):.4g}"
