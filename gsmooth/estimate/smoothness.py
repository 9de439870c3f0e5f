r"""Estimate ``(L0, L1, alpha)`` of ``||hess F(w)|| <= L0 + L1 ||grad F(w)||^alpha``.

**What is measured.**  The condition bounds the Hessian norm, so the default
data are ``(||grad F(w)||, ||hess F(w)||)`` at the points of the runs (the
iterates on the record grid), which ``gs.run(..., capture=True)`` measures on
the run's device (:mod:`gsmooth.estimate.data`).  The constants are the
tightest upper envelope of those pairs (:mod:`gsmooth.estimate.envelope`, or
another fit of :mod:`gsmooth.estimate.fits`); the intervals resample runs
(:mod:`gsmooth.estimate.resampling`).  Where the bound holds with equality
(``||w||^p/p``; the exponential problem, where ``L0`` and ``L1`` are both
positive) the estimate is exact; on a quadratic it is ``L0 = lambda_max``,
``L1 = 0``, whatever the method.

**Directional smoothness, beside it.**  When the run captured its steps, the
midpoint ratio ``||grad F(w + d/2) - grad F(w)|| / (||d||/2)`` along each step
(Zhang et al. 2020; *directional smoothness*, Mishkin et al. 2024) is fitted
the same way, without intervals, and kept as
:attr:`SmoothnessEstimate.directional`; when it cannot be fitted (fewer
valid steps than an envelope needs) the Hessian estimate stands and a note
says why the directional one is missing.  It is the Hessian in the step's
direction, a different quantity: when its envelope and the Hessian envelope
differ by more than :data:`DISAGREEMENT` somewhere on the data's range the
summary says so, and why.

**What is left out, and said.**  Runs that diverged or turned non-finite
(their data describe the blow-up, not the function), runs that are copies of
another (one start, a deterministic method), and Hessian norms whose
central-difference error estimate exceeds :data:`ERROR_LIMIT` of their value
(a kink, or rounding at a tiny curvature); the notes name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gsmooth._checks import flag
from gsmooth._tables import pandas
from gsmooth.engine.result import STATUS_NAMES, failed
from gsmooth.errors import GSmoothError
from gsmooth.estimate.data import (
    DIRECTIONAL,
    PairData,
    check_same_problem,
    collect_pairs,
    pairs_from_run,
)
from gsmooth.estimate.envelope import envelope_frontier
from gsmooth.estimate.fits import check_fit, fit_pairs, format_fits, side_by_side
from gsmooth.estimate.resampling import (
    bootstrap_over_runs,
    check_resampling,
    copies_note,
    distinct_runs,
    format_value,
    interval_notes,
    jsonable,
    named_intervals,
    number,
    read_intervals,
)

NAMES = ("L0", "L1", "alpha")
BOUNDS = ((0.0, np.inf), (0.0, np.inf), (0.0, 1.0))
#: Hessian pairs whose difference error exceeds this fraction of the norm are left out.
ERROR_LIMIT = 0.1
#: Ratio of the Hessian and directional envelopes beyond which the summary notes it.
DISAGREEMENT = 2.0


@dataclass
class SmoothnessEstimate:
    """Fitted ``(L0, L1, alpha)`` with intervals, the data, the other fits and notes.

    Attributes
    ----------
    L0, L1, alpha : float
        The chosen fit's ``L0 + L1 g^alpha``.
    intervals : dict of str to (float, float), or None
        Bootstrap intervals over resampled runs (:mod:`gsmooth.estimate.resampling`);
        ``None`` with one run.
    data : PairData
        The pairs fitted (``data.source`` says which quantity ``r`` is).
    frontier : (ndarray, ndarray)
        ``L0`` values and the smallest valid ``L1`` at each, at the fitted alpha.
    gap, covered : float
        Mean log-gap of the fit and fraction of pairs on or under it.
    alpha_identified : bool
        False when ``L1 = 0`` (then ``alpha`` is reported as 0).
    quantile, confidence : float
    replicates : ndarray, shape (3, n_resamples), or None
        Refitted ``(L0, L1, alpha)`` on each resample (for envelope bands).
    notes : list of str
        What a reader must see (left-out runs and pairs, copies, no interval, ...).
    problem : str
    fit : str
        ``"envelope"``, ``"quantile"`` or ``"asymmetric"``.
    weight : float
        The asymmetric fit's factor ``w``.
    fits : list of dict
        Every fit side by side: ``fit, level, L0, L1, alpha, above, n``.
    directional : SmoothnessEstimate or None
        The directional (midpoint) estimate of the same runs, when captured
        (no intervals: pass its pairs to :func:`estimate_from_pairs` for them).
    distinct_resamples : int
        Distinct resamples behind the intervals.
    """

    L0: float
    L1: float
    alpha: float
    intervals: dict | None
    data: PairData
    frontier: tuple
    gap: float
    covered: float
    alpha_identified: bool
    quantile: float
    confidence: float
    replicates: np.ndarray | None = None
    notes: list = field(default_factory=list)
    problem: str = ""
    fit: str = "envelope"
    weight: float = 0.0
    fits: list = field(default_factory=list)
    directional: SmoothnessEstimate | None = None
    distinct_resamples: int = 0

    def envelope(self, g):
        """Height ``L0 + L1 g^alpha`` of the fitted law."""
        return self.L0 + self.L1 * np.asarray(g, dtype=float) ** self.alpha

    def summary(self) -> str:
        """A few readable lines."""
        iv = self.intervals or {}
        lines = [f"smoothness of {self.problem or 'the problem'} from {len(self.data)} "
                 f"{_describe(self.data.source)} pairs over {self.data.runs.size} run(s), "
                 f"{self.fit} fit"]
        lines += [f"  {n:<6}{format_value(getattr(self, n), iv.get(n))}" for n in NAMES]
        over = ("no interval" if self.intervals is None else
                f"intervals {self.confidence:.0%} bootstrap over {self.data.runs.size} runs, "
                f"{self.distinct_resamples} distinct resamples")
        lines.append(f"  mean log-gap {self.gap:.3g}, covered {self.covered:.3g} ({over})")
        if self.fits:
            lines += ["  fits side by side:"] + ["  " + line for line in format_fits(self.fits)]
        if self.directional is not None:
            d = self.directional
            lines.append(f"  directional smoothness ({d.data.source} ratio along the steps, a "
                         f"different quantity): L0 {d.L0:.4g}, L1 {d.L1:.4g}, alpha {d.alpha:.4g}")
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])

    __str__ = summary

    def to_pandas(self):
        """One row per pair fitted, and per directional pair when captured.

        Columns ``run, iteration, grad_norm, smoothness`` (``error``,
        ``converged`` for Hessian norms), ``source`` (which quantity
        ``smoothness`` is) and ``problem``.

        Examples
        --------
        >>> import numpy as np, gsmooth as gs
        >>> g = np.geomspace(0.1, 10, 12)
        >>> est = gs.estimate.smoothness_from_pairs(g, 1 + 2 * g, run=np.arange(12) % 3)
        >>> est.to_pandas().shape
        (12, 6)
        """
        pd = pandas()
        parts = [self.data.to_pandas("smoothness")]
        if self.directional is not None:
            parts.append(self.directional.data.to_pandas("smoothness"))
        table = pd.concat(parts, ignore_index=True)
        table["problem"] = self.problem
        return table

    def as_dict(self) -> dict:
        """JSON-ready dict (data, resamples and the directional estimate included).

        Non-finite values are ``null`` (:func:`gsmooth.estimate.resampling.jsonable`);
        :meth:`from_dict` reads them back as NaN.
        """
        return jsonable({
            "L0": self.L0, "L1": self.L1, "alpha": self.alpha, "intervals": self.intervals,
            "gap": self.gap, "covered": self.covered, "alpha_identified": self.alpha_identified,
            "quantile": self.quantile, "confidence": self.confidence, "notes": self.notes,
            "problem": self.problem, "fit": self.fit, "weight": self.weight, "fits": self.fits,
            "distinct_resamples": self.distinct_resamples,
            "frontier": {"L0": self.frontier[0], "L1": self.frontier[1]},
            "replicates": self.replicates, "data": self.data.as_dict(),
            "directional": None if self.directional is None else self.directional.as_dict(),
        })

    @classmethod
    def from_dict(cls, d: dict) -> SmoothnessEstimate:
        """Inverse of :meth:`as_dict`, also of its JSON form (``null`` reads as NaN)."""
        reps = None if d["replicates"] is None else np.asarray(d["replicates"], dtype=float)
        frontier = (np.asarray(d["frontier"]["L0"], dtype=float),
                    np.asarray(d["frontier"]["L1"], dtype=float))
        directional = d.get("directional")
        return cls(
            L0=number(d["L0"]), L1=number(d["L1"]), alpha=number(d["alpha"]),
            intervals=read_intervals(d["intervals"]), data=PairData.from_dict(d["data"]),
            frontier=frontier, gap=number(d["gap"]), covered=number(d["covered"]),
            alpha_identified=bool(d["alpha_identified"]), quantile=number(d["quantile"]),
            confidence=number(d["confidence"]), replicates=reps, notes=list(d["notes"]),
            problem=d["problem"], fit=d.get("fit", "envelope"),
            weight=number(d.get("weight", 0.0)), fits=[_read_fit(row) for row in d.get("fits", [])],
            distinct_resamples=int(d.get("distinct_resamples", 0)),
            directional=None if directional is None else cls.from_dict(directional),
        )


def smoothness(problem=None, res=None, *, source: str = "hessian", points=None,
               alpha: float | None = None, quantile: float = 1.0, fit: str = "envelope",
               weight: float = 0.0, n_resamples: int = 199, confidence: float = 0.9,
               seed: int = 0, progress: bool | None = None, directional: bool = True,
               **options) -> SmoothnessEstimate:
    """Estimate ``(L0, L1, alpha)``; see the module docstring.

    Parameters
    ----------
    problem : Problem, optional
        Needed for Hessian norms at points or kept iterates, and for ``"region"``.
    res : RunResult, optional
        A run with ``capture=True``: Hessian norms at its record points and
        its steps' directional pairs.
    source : {"hessian", "midpoint", "successive", "region"}
        What ``r`` is (:mod:`gsmooth.estimate.data`); ``"hessian"``, the
        quantity the condition bounds, by default.
    points : array, shape (n, d), optional
        Points for ``"hessian"``/``"region"`` instead of the run's (any
        array-API namespace); each point then counts as an independent run,
        and the failed runs of ``res`` leave none of them out.
    alpha : float, optional
        Fix the exponent instead of choosing it.
    quantile : float in (0, 1]
        Level of the robust envelope (1 covers every pair; ``fit="quantile"``
        with 1 uses 0.95).
    fit : {"envelope", "quantile", "asymmetric"}
        The fit reported as the estimate (all three are in ``fits``).
    weight : float
        ``w`` of the asymmetric least-squares fit.
    n_resamples, confidence, seed
        Resampling over runs.
    progress : bool or None
        Progress bar over the resamples (``None``: on a terminal, once slow).
    directional : bool
        Also fit the directional (midpoint) pairs of a run that captured them;
        when that fit fails (e.g. too few steps) the Hessian estimate stands
        and a note says why the directional one is missing.
    **options
        Passed to the data source where it computes the pairs: ``max_iterations``,
        ``rtol`` for ``"hessian"`` at points or kept iterates, ``radius``, ``n_pairs``
        for ``"region"``; any other keyword is refused (``TypeError``) before any work.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.quadratic([0.5, 1.0, 3.0, 7.0])
    >>> res = gs.run(p, gs.optim.gd(0.1), 400, w0=gs.estimate.spread_starts(p, 4), capture=True)
    >>> est = gs.estimate.smoothness(p, res, n_resamples=20)
    >>> round(est.L0, 6), est.L1, round(est.directional.L0, 3)
    (7.0, 0.0, 0.5)
    >>> any("directional smoothness lies below" in note for note in est.notes)
    True
    """
    check_fit(fit, quantile, weight)
    n_resamples, confidence, seed, progress = check_resampling(n_resamples, confidence, seed,
                                                               progress)
    directional = flag("directional", directional)
    check_same_problem(problem, res)
    data = collect_pairs(problem, res, source, points, **options)
    from_run = None if points is not None else res  # the run's failed runs label its own data only
    data, notes = clean_pairs(data, from_run)
    name = getattr(problem, "name", None) or (res.problem.get("name", "") if res else "")
    est = estimate_from_pairs(data, name, fit=fit, alpha=alpha, quantile=quantile, weight=weight,
                              n_resamples=n_resamples, confidence=confidence, seed=seed,
                              progress=progress)
    est.notes[:0] = notes
    if (directional and source == "hessian" and from_run is not None
            and "step_norm" in res.capture):
        try:
            est.directional = _directional(res, name, fit, alpha, quantile, weight)
        except GSmoothError as error:
            est.notes.append(f"no directional (midpoint) estimate beside the Hessian one: {error}")
        else:
            est.notes += disagreement_notes(est, est.directional)
    elif source in DIRECTIONAL:
        est.notes.append(f"{source} pairs measure the directional smoothness along the steps, "
                         "not the Hessian norm the condition bounds (source='hessian')")
    return est


def estimate_from_pairs(data: PairData, name: str = "", *, fit: str = "envelope", alpha=None,
                        quantile: float = 1.0, weight: float = 0.0, n_resamples: int = 199,
                        confidence: float = 0.9, seed: int = 0, progress: bool | None = None,
                        intervals: bool = True) -> SmoothnessEstimate:
    """The estimate of cleaned pairs: the fit, its intervals over runs and the other fits.

    With ``intervals=False`` no resampling is done (``intervals`` is ``None``).
    """
    check_fit(fit, quantile, weight)
    if intervals:
        n_resamples, confidence, seed, progress = check_resampling(n_resamples, confidence, seed,
                                                                   progress)
    env = fit_pairs(data.g, data.r, fit, alpha, quantile, weight)

    def refit(counts, r=data.r):
        e = fit_pairs(data.g, r, fit, alpha, quantile, weight, data.weights(counts))
        return [e.L0, e.L1, e.alpha]

    boot = None
    if intervals:
        boot = bootstrap_over_runs(data.runs.size, refit, [env.L0, env.L1, env.alpha],
                                   n_resamples, confidence, seed, BOUNDS, progress)
    if boot is not None and data.error is not None and np.any(data.error > 0):
        ones = np.ones(data.runs.size)
        boot.widen(refit(ones, np.maximum(data.r - data.error, 0.0)),
                   refit(ones, data.r + data.error))
    notes = (interval_notes(boot) if intervals else []) + _fit_notes(env, fit, quantile)
    return SmoothnessEstimate(
        L0=env.L0, L1=env.L1, alpha=env.alpha, intervals=named_intervals(boot, NAMES), data=data,
        frontier=envelope_frontier(data.g, data.r, env.alpha), gap=env.gap, covered=env.covered,
        alpha_identified=bool(env.alpha_identified), quantile=quantile, confidence=confidence,
        replicates=None if boot is None else boot.replicates, notes=notes, problem=name,
        fit=fit, weight=float(weight),
        fits=side_by_side(data.g, data.r, alpha, quantile, weight, known={fit: env}),
        distinct_resamples=0 if boot is None else boot.distinct,
    )


def clean_pairs(data: PairData, res=None) -> tuple[PairData, list[str]]:
    """Leave out failed runs, copies and unreliable Hessian norms; return the notes that say so."""
    notes = []
    if res is not None and res.status.size:
        bad = np.flatnonzero(failed(res.status))
        if bad.size:
            named = ", ".join(f"{k} ({STATUS_NAMES[int(res.status[k])]})" for k in bad)
            notes.append(f"run(s) {named} left out: a failed run's data describe its blow-up, "
                         "not the function")
            data = data.take(~np.isin(data.run, bad))
    if data.error is not None:
        rough = data.error > ERROR_LIMIT * data.r
        if rough.any():
            notes.append(f"{int(rough.sum())} Hessian norm(s) left out: their central-difference "
                         f"error exceeds {ERROR_LIMIT:g} of the value")
            data = data.take(~rough)
        if not data.converged.all():
            notes.append(f"{int((~data.converged).sum())} Hessian norm(s) did not converge in the "
                         "Lanczos step limit (kept: each is a lower bound)")
    if len(data):
        kept, groups = distinct_runs(data.run, data.g, data.r)
        notes += copies_note(groups)
        data = data.take(np.isin(data.run, kept))
    return data, notes


def _directional(res, name, fit, alpha, quantile, weight):
    data, notes = clean_pairs(pairs_from_run(res, "midpoint"), res)
    est = estimate_from_pairs(data, name, fit=fit, alpha=alpha, quantile=quantile, weight=weight,
                              intervals=False)
    est.notes[:0] = notes
    return est


def disagreement_notes(hessian: SmoothnessEstimate, directional: SmoothnessEstimate) -> list[str]:
    """The note when the two envelopes differ by more than :data:`DISAGREEMENT` on the data."""
    low = max(_positive_min(hessian.data.g), _positive_min(directional.data.g))
    high = min(hessian.data.g.max(), directional.data.g.max())
    if not high > low:
        return []
    grid = np.geomspace(low, high, 64)
    ratio = hessian.envelope(grid) / directional.envelope(grid)
    at = int(np.argmax(np.abs(np.log(ratio))))
    factor = float(ratio[at])
    if max(factor, 1 / factor) <= DISAGREEMENT:
        return []
    if factor > 1:
        reason = ("the steps follow some eigendirections, and the curvature along a direction "
                  "is at most the Hessian norm")
        where = "below"
    else:
        reason = ("long steps average the Hessian over segments that reach regions of larger "
                  "curvature than at their start")
        where = "above"
        factor = 1 / factor
    return [f"the directional smoothness lies {where} the Hessian envelope by a factor up to "
            f"{factor:.3g} (at ||grad F|| = {grid[at]:.3g}): {reason}; (L0, L1, alpha) above are "
            "those of the Hessian norm, which the condition bounds"]


def _read_fit(row: dict) -> dict:
    """A row of :attr:`SmoothnessEstimate.fits` from the JSON form (``null`` constants are NaN)."""
    level = row.get("level")
    return {**row, "level": None if level is None else float(level),
            **{name: number(row[name]) for name in NAMES}}


def _positive_min(g) -> float:
    positive = g[g > 0]
    return float(positive.min()) if positive.size else float("inf")


def _describe(source: str) -> str:
    return {"hessian": "Hessian-norm", "midpoint": "midpoint (directional)",
            "successive": "successive (directional)", "pairs": "given"}.get(source, source)


def _fit_notes(env, fit, quantile) -> list[str]:
    notes = []
    if not env.alpha_identified and fit != "asymmetric":
        notes.append("L1 = 0: the envelope is flat and alpha is not identified (reported as 0)")
    if fit != "envelope" or quantile < 1:
        notes.append(f"{fit} fit: {1 - env.covered:.1%} of the pairs lie above it")
    return notes
