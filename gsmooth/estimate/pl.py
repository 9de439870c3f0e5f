r"""Estimate ``(rho, mu)`` of the generalized PL condition ``||grad F||^rho >= 2 mu (F - F*)``.

Taking logs, with ``x = log Delta`` (``Delta = F(w) - F*``) and ``y = log g``
(``g = ||grad F(w)||``), the condition says every record lies on or above the
line ``y = (1/rho) log(2 mu) + (1/rho) x``: a *lower envelope* in log-log
coordinates, the PL counterpart of the smoothness envelope.

**Which records.**

* *Above the floating-point floor.*  A computed loss carries a rounding error
  of a few ulps of the terms it sums, so a gap within
  :data:`FLOOR_ULPS` ulps of the run's loss scale (``max(|f*|, max_t |F(w_t)|)``)
  is noise, and, being biased up, drags ``mu`` down (on ``cosh``, ``F`` sums
  ``cosh(s w_i) - 1``, whose error is that of numbers near 1).  Such records
  are left out, with a note.
* *Where the law governs the run.*  The exponent is read off the records of
  each run's *descent*: its valid records up to and including its lowest
  valid gap (the last one, if tied).  A run that stops converging (AN-GD
  with a fixed step settles into a cycle on the top eigenvector of a
  quadratic, SGD into its noise floor) goes on after that record; what
  follows satisfies the inequality but says nothing about its exponent.
  Earlier records that rise above an earlier gap (an oscillating descent,
  the first turns of the cycle) are kept: each satisfies the inequality, so
  none can pull the lower hull below the law, and the lowest gaps, where
  the law is tightest (on a quadratic, the passes along the smallest
  eigenvector), end the descent.  Keeping only records below every earlier
  and above every later gap would end it at the level the cycle settles
  at, above those passes, and misread ``rho`` by a few percent on the
  AN-GD cycles of ``tests/test_estimate_pl.py``.

**rho** is the slope of the lower convex hull of the descent records in
``(x, y)``, taken at ``xbar``, the mean ``x`` of the last ``tail`` fraction of
each run's descent records: the tightest law at the smallest gaps the runs
reached.  Where the records lie on one line (``||w||^p/p``: ``g^(p/(p-1)) = p F``)
it is exact; where the law is tight only along one direction (a quadratic,
``g^2 >= 2 lambda_min Delta`` with equality along the smallest eigenvector),
the records of the tail approach that line and the hull's slope there is
``1/2``.  A slope within :data:`RHO_SLACK` (1%) of ``1/2`` is read as
``rho = 2``: every function smooth at its minimizer has ``g^2 <= 2 L Delta``
on its final approach, which rules out ``rho > 2``, and the few records near
the end of a finite descent resolve the exponent no better than that (the
slope itself is kept as ``rho_fitted``).
**mu**, given ``rho``, is the largest valid constant at every record,

.. math::

    \mu = \min_i \frac{g_i^\rho}{2 \Delta_i}

(the condition must hold everywhere, not only in the tail).  Intervals are the
bootstrap over runs (:mod:`gsmooth.estimate.resampling`).

``F*`` is the problem's, or given, or estimated as the lowest loss of a
longer reference run (flagged ``f_star_estimated``; the smallest gaps are then
biased low, so prefer a reference much longer than the run).  ``rho`` outside
``(0, 2]`` is reported as fitted, with a note and a :class:`GSmoothWarning`.
Failed (diverged, non-finite) runs and copies of a run are left out, with notes.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from gsmooth._checks import check_interval, instance_of, real_number
from gsmooth._tables import pandas
from gsmooth.engine.result import STATUS_NAMES, RunResult, failed
from gsmooth.errors import GSmoothError, GSmoothWarning
from gsmooth.estimate.data import check_same_problem
from gsmooth.estimate.envelope import upper_hull
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

#: Fewest descent records (over all runs) for a slope.
MIN_DESCENT_POINTS = 5
#: Relative slack before a loss counts as below the claimed F*.
BELOW_TOLERANCE = 1e-12
#: Gaps within this many ulps of the run's loss scale are at the floating-point floor.
FLOOR_ULPS = 1024
#: A slope within this (relative) of 1/2 is read as rho = 2.
RHO_SLACK = 1e-2
NAMES = ("rho", "mu")
BOUNDS = ((0.0, np.inf), (0.0, np.inf))


@dataclass
class PLEstimate:
    """Fitted ``(rho, mu)`` with intervals, the points used and flags.

    Attributes
    ----------
    rho, mu : float
    intervals : dict or None
        Bootstrap intervals over resampled runs, the union of the basic and the
        percentile interval (:mod:`gsmooth.estimate.resampling`); ``None`` with one run.
    f_star : float
    f_star_estimated : bool
    gap, grad_norm, run, iteration : ndarray
        Every valid record (above the floor, ``g > 0``); ``in_tail`` marks the
        descent-tail records whose mean log-gap is where the slope is read.
    in_tail : ndarray of bool
    notes : list of str
    rho_fitted : float
        The hull's ``1/slope`` before it is read as 2 (module docstring).
    """

    rho: float
    mu: float
    intervals: dict | None
    f_star: float
    f_star_estimated: bool
    gap: np.ndarray
    grad_norm: np.ndarray
    run: np.ndarray
    iteration: np.ndarray
    in_tail: np.ndarray
    confidence: float = 0.9
    notes: list = field(default_factory=list)
    problem: str = ""
    rho_fitted: float | None = None

    def summary(self) -> str:
        """A few readable lines."""
        iv = self.intervals or {}
        star = "estimated" if self.f_star_estimated else "known"
        lines = [f"generalized PL of {self.problem or 'the problem'} from "
                 f"{int(self.in_tail.sum())} tail records of {np.unique(self.run).size} run(s), "
                 f"f* = {self.f_star:.6g} ({star})",
                 f"  rho   {format_value(self.rho, iv.get('rho'))}",
                 f"  mu    {format_value(self.mu, iv.get('mu'))}"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])

    __str__ = summary

    def to_pandas(self):
        """One row per record: ``run, iteration, gap, grad_norm, in_tail`` and ``problem``."""
        return pandas().DataFrame({"run": self.run, "iteration": self.iteration, "gap": self.gap,
                                   "grad_norm": self.grad_norm, "in_tail": self.in_tail,
                                   "problem": self.problem})

    def as_dict(self) -> dict:
        """JSON-ready dict (points included); non-finite values (``rho = inf``) are ``null``."""
        return jsonable({
            "rho": self.rho, "mu": self.mu, "intervals": self.intervals, "f_star": self.f_star,
            "f_star_estimated": self.f_star_estimated, "confidence": self.confidence,
            "notes": self.notes, "problem": self.problem, "rho_fitted": self.rho_fitted,
            "data": {"gap": self.gap, "grad_norm": self.grad_norm, "run": self.run,
                     "iteration": self.iteration, "in_tail": self.in_tail},
        })

    @classmethod
    def from_dict(cls, d: dict) -> PLEstimate:
        """Inverse of :meth:`as_dict`, also of its JSON form (``null`` reads as NaN)."""
        data = d["data"]
        fitted = number(d["rho_fitted"]) if "rho_fitted" in d else None
        return cls(number(d["rho"]), number(d["mu"]), read_intervals(d["intervals"]),
                   number(d["f_star"]), bool(d["f_star_estimated"]),
                   np.asarray(data["gap"], dtype=float), np.asarray(data["grad_norm"], dtype=float),
                   np.asarray(data["run"], dtype=int), np.asarray(data["iteration"], dtype=int),
                   np.asarray(data["in_tail"], dtype=bool), number(d["confidence"]),
                   list(d["notes"]), d["problem"], fitted)


def pl(problem, res, *, f_star: float | None = None, reference=None, tail: float = 0.05,
       n_resamples: int = 199, confidence: float = 0.9, seed: int = 0) -> PLEstimate:
    """Estimate ``(rho, mu)`` from a run; see the module docstring.

    Parameters
    ----------
    problem : Problem or None
        Supplies ``f_star`` when known.
    res : RunResult
    f_star : float, optional
        Overrides the problem's ``F*``.
    reference : RunResult, optional
        A longer run whose lowest loss estimates ``F*`` when it is unknown.
    tail : float in (0, 1]
        Fraction of each run's last descent records whose mean log-gap is
        where the slope is read (smaller: nearer the asymptotic law).

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.power(d=3, p=4)
    >>> res = gs.run(p, gs.optim.gd(0.05), 300, w0=gs.estimate.spread_starts(p, 3))
    >>> est = gs.estimate.pl(p, res, n_resamples=20)
    >>> round(est.rho, 4), round(est.mu, 4)
    (1.3333, 2.0)
    """
    tail = check_interval("tail", real_number("tail", tail), 0.0, 1.0, low_open=True)
    f_star = None if f_star is None else real_number("f_star", f_star)
    if reference is not None:
        instance_of("reference", reference, RunResult, "None or a RunResult of gs.run(...)")
    n_resamples, confidence, seed, _ = check_resampling(n_resamples, confidence, seed)
    check_same_problem(problem, res, run_needed=True)
    star, estimated = _resolve_f_star(problem, res, f_star, reference)
    records, notes = _valid_records(res, star, tail)
    gap, g, run, _, in_tail, descent = records
    rho, mu, fitted = _fit(gap, g, np.ones(gap.size), in_tail, descent)
    runs = np.unique(run)

    def refit(counts):
        weight = np.asarray(counts, dtype=float)[np.searchsorted(runs, run)]
        drawn = weight > 0
        return list(_fit(gap[drawn], g[drawn], weight[drawn], in_tail[drawn], descent[drawn])[:2])

    boot = bootstrap_over_runs(runs.size, refit, [rho, mu], n_resamples, confidence, seed, BOUNDS)
    notes += _notes(rho, estimated) + interval_notes(boot)
    if estimated:
        notes.append(_f_star_sensitivity(res, reference, star, tail))
    name = getattr(problem, "name", None) or res.problem.get("name", "")
    return PLEstimate(rho, mu, named_intervals(boot, NAMES), star, estimated, *records[:5],
                      confidence, notes, name, fitted)


def _resolve_f_star(problem, res, f_star, reference):
    known = f_star if f_star is not None else getattr(problem, "f_star", None)
    if known is None:
        known = res.f_star
    finite = res.loss[np.isfinite(res.loss)]
    if finite.size == 0:
        raise GSmoothError("the run has no finite loss to estimate from")
    if known is not None:
        slack = BELOW_TOLERANCE * max(1.0, abs(known))
        if finite.min() < known - slack:
            raise GSmoothError(f"a loss {finite.min():.10g} lies below the claimed f* = {known:.10g}: "
                               "the claimed minimum is wrong")
        return float(known), False
    if reference is None:
        raise GSmoothError("f* is unknown: pass f_star=... or a longer reference run (reference=...)")
    ref = reference.loss[np.isfinite(reference.loss)]
    if ref.size == 0 or ref.min() >= finite.min():
        raise GSmoothError(f"the reference run must reach below the run's lowest loss "
                           f"{finite.min():.10g}; run it longer")
    return float(ref.min()), True


def _f_star_sensitivity(res, reference, star, tail) -> str:
    """How ``(rho, mu)`` move if ``f*`` lies below the reference's lowest loss by what the
    reference gained over its last half, ``D = F(w_{T/2}) - F(w_T)``.

    The intervals are over runs at the estimated ``f*``; they leave out that
    ``f*``'s own error, the remaining gap of the reference.  For a reference
    still decaying like ``t^-p`` with ``p >= 1`` (or geometrically), that gap
    is at most ``D`` (it is ``D / (2^p - 1)``), so the true ``f*`` lies in
    ``[f* - D, f*]``, and the values at its lower end show how far the
    estimates can move with it (``mu``, a minimum over every record, need not
    move monotonically: on ``||w||^4 / 4`` from a reference of GD, rho is
    1.409 and 1.317 at the two ends, around the true 4/3, and mu 1.52 and
    1.88, both below the true 2).
    """
    finite = np.where(np.isfinite(reference.loss), reference.loss, np.inf)
    best = int(np.argmin(finite.min(axis=0)))
    loss, iters = finite[:, best], reference.iters[:, best]
    half = int(np.argmin(np.abs(iters - iters[-1] / 2)))
    if abs(iters[half] - iters[-1] / 2) > iters[-1] / 10:
        return ("the reference recorded no loss near half its steps: f*'s error is not estimated "
                "(record more often, e.g. the default geometric grid)")
    drop = float(loss[half] - star)
    if not (math.isfinite(drop) and drop > 0):
        return "the reference run did not decrease over its last half: f* may be far lower"
    try:
        gap, g, _, _, in_tail, descent = _valid_records(res, star - drop, tail)[0]
    except GSmoothError:
        return f"f* lower by the reference's last-half decrease {drop:.3g}: too few records to refit"
    rho, mu, _ = _fit(gap, g, np.ones(gap.size), in_tail, descent)
    return (f"f* is the reference's lowest loss {star:.10g}; with f* lower by the reference's "
            f"last-half decrease {drop:.3g}, rho = {rho:.5g} and mu = {mu:.5g} (the intervals leave "
            "out f*'s error: give f* when it is known)")


def _valid_records(res, f_star, tail):
    """``(gap, g, run, iteration, in_tail, descent)`` of the valid records, and notes."""
    gap, g = res.loss - f_star, res.grad_norm
    k = gap.shape[1]
    runs = np.broadcast_to(np.arange(k), gap.shape)
    repeated = np.zeros_like(gap, dtype=bool)
    repeated[1:] = (gap[1:] == gap[:-1]) & (g[1:] == g[:-1])
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(gap) & np.isfinite(g) & (g > 0) & ~repeated
        scale = np.nanmax(np.where(np.isfinite(res.loss), np.abs(res.loss), np.nan), axis=0)
        floor = FLOOR_ULPS * np.spacing(np.maximum(np.nan_to_num(scale), abs(f_star)))
        valid = finite & (gap > floor)
    notes = []
    at_floor = int(np.sum(finite & (gap > 0) & ~valid))
    if at_floor:
        notes.append(f"{at_floor} record(s) at the floating-point floor of F - f* (gap within "
                     f"{FLOOR_ULPS} ulps of the loss scale) left out")
    valid &= _usable_runs(res, gap, g, valid, notes)[None, :]
    descent = valid & (np.arange(gap.shape[0])[:, None] <= _lowest(gap, valid)[None, :])
    order = np.cumsum(descent, axis=0)
    in_tail = descent & (order >= np.maximum(np.ceil((1 - tail) * order[-1]), 1))
    records = (gap[valid], g[valid], runs[valid], res.iters[valid], in_tail[valid], descent[valid])
    if records[5].sum() < MIN_DESCENT_POINTS:
        raise GSmoothError(f"need at least {MIN_DESCENT_POINTS} descent records with F > f* above "
                           f"the floating-point floor and a finite gradient, got "
                           f"{int(records[5].sum())}")
    return records, notes


def _lowest(gap, valid) -> np.ndarray:
    """Record index of each run's lowest valid gap, the last if tied (the end of its descent)."""
    masked = np.where(valid, gap, np.inf)[::-1]
    return gap.shape[0] - 1 - np.argmin(masked, axis=0)


def _usable_runs(res, gap, g, valid, notes) -> np.ndarray:
    """Mask of runs kept: not failed, not a copy of an earlier run."""
    keep = ~failed(res.status)
    if not keep.all():
        named = ", ".join(f"{j} ({STATUS_NAMES[int(res.status[j])]})" for j in np.flatnonzero(~keep))
        notes.append(f"run(s) {named} left out: a failed run's records describe its blow-up")
    runs = np.broadcast_to(np.arange(gap.shape[1]), gap.shape)
    use = valid & keep[None, :]
    if use.any():
        kept, groups = distinct_runs(runs[use], gap[use], g[use])
        notes += copies_note(groups)
        keep &= np.isin(np.arange(gap.shape[1]), kept)
    return keep


def _fit(gap, g, weight, in_tail, descent):
    """``(rho, mu, rho_fitted)``: the lower hull's slope at the tail's mean log-gap (read as
    ``rho = 2`` within :data:`RHO_SLACK`), then the largest valid mu."""
    x, y = np.log(gap), np.log(g)
    xs, ys = x[descent], y[descent]
    if np.ptp(xs) <= 0:
        raise GSmoothError("the gap is constant over the descent: no slope to fit")
    xbar = float(np.sum(weight[in_tail] * x[in_tail]) / np.sum(weight[in_tail]))
    slope = _lower_hull_slope(xs, ys, xbar)
    fitted = 1.0 / slope if slope > 0 else float("inf")
    rho = 2.0 if abs(slope - 0.5) <= RHO_SLACK * 0.5 else fitted
    mu = float(np.min(g**rho / (2 * gap))) if np.isfinite(rho) else float("nan")
    return float(rho), mu, float(fitted)


def _lower_hull_slope(x, y, xbar) -> float:
    """Slope of the lower convex hull of ``(x, y)`` at ``xbar`` (the edge spanning it)."""
    order = np.lexsort((y, x))
    x, y = x[order], y[order]
    first = np.ones(x.size, dtype=bool)
    first[1:] = x[1:] > x[:-1]
    x, y = x[first], y[first]
    hull = upper_hull(x.tolist(), (-y).tolist())
    hx, hy = x[hull], y[hull]
    edge = int(np.clip(np.searchsorted(hx, xbar) - 1, 0, hx.size - 2))
    return float((hy[edge + 1] - hy[edge]) / (hx[edge + 1] - hx[edge]))


def _notes(rho, estimated):
    notes = []
    if not 0 < rho <= 2:
        message = f"rho = {rho:.4g} lies outside (0, 2]: the run does not follow a PL law there"
        warnings.warn(message, GSmoothWarning, stacklevel=3)
        notes.append(message)
    if estimated:
        notes.append("f* estimated from a reference run: the smallest gaps are biased low")
    return notes
