r"""Estimate ``(rho, mu)`` of the generalized PL condition ``||grad F||^rho >= 2 mu (F - F*)``.

Taking logs, ``log g >= (1/rho) log(2 mu) + (1/rho) log Delta`` with
``g = ||grad F(w)||`` and ``Delta = F(w) - F*``.  Along the tail of a
converging run the inequality is typically nearly tight, so the slope of
``log g`` against ``log Delta`` is ``1/rho``: we take the Theil-Sen slope
(:func:`scipy.stats.theilslopes`, robust to a minority of outlying records)
over the last ``tail`` fraction of each run's records, pooled over runs, and
``rho = 1/slope``.  Given ``rho``, the largest ``mu`` with the inequality at
every recorded point is the lower envelope

.. math::

    \mu = \min_i \frac{g_i^\rho}{2 \Delta_i}

over all records of all runs (the condition must hold everywhere, not only
in the tail).  On ``||w||^p/p`` both are exact: ``g^(p/(p-1)) = p F``.

``F*`` is the problem's, or given, or estimated as the lowest loss of a
longer reference run (flagged ``f_star_estimated``; the smallest gaps are then
biased low, so prefer a reference much longer than the run).  ``rho`` outside
``(0, 2]`` is reported as fitted, with a note and a :class:`GSmoothWarning`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import theilslopes

from gsmooth.errors import GSmoothError, GSmoothWarning
from gsmooth.estimate.resampling import (
    bootstrap_over_runs,
    format_value,
    interval_notes,
    jsonable,
    named_intervals,
)

#: Fewest tail points for a slope.
MIN_TAIL_POINTS = 5
#: Relative slack before a loss counts as below the claimed F*.
BELOW_TOLERANCE = 1e-12


@dataclass
class PLEstimate:
    """Fitted ``(rho, mu)`` with intervals, the points used and flags.

    Attributes
    ----------
    rho, mu : float
    intervals : dict or None
        Percentile intervals over resampled runs; ``None`` with one run.
    f_star : float
    f_star_estimated : bool
    gap, grad_norm, run, iteration : ndarray
        Every valid record (``Delta > 0``); ``in_tail`` marks those in the slope fit.
    in_tail : ndarray of bool
    notes : list of str
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

    def as_dict(self) -> dict:
        """JSON-ready dict (points included)."""
        return jsonable({
            "rho": self.rho, "mu": self.mu, "intervals": self.intervals, "f_star": self.f_star,
            "f_star_estimated": self.f_star_estimated, "confidence": self.confidence,
            "notes": self.notes, "problem": self.problem,
            "data": {"gap": self.gap, "grad_norm": self.grad_norm, "run": self.run,
                     "iteration": self.iteration, "in_tail": self.in_tail},
        })

    @classmethod
    def from_dict(cls, d: dict) -> PLEstimate:
        """Inverse of :meth:`as_dict`."""
        data = {k: np.asarray(v) for k, v in d["data"].items()}
        return cls(d["rho"], d["mu"], d["intervals"], d["f_star"], d["f_star_estimated"],
                   data["gap"].astype(float), data["grad_norm"].astype(float), data["run"],
                   data["iteration"], data["in_tail"].astype(bool), d["confidence"],
                   list(d["notes"]), d["problem"])


def pl(problem, res, *, f_star: float | None = None, reference=None, tail: float = 0.5,
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
        Fraction of each run's last records used for the slope.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.power(d=3, p=4)
    >>> res = gs.run(p, gs.optim.gd(0.05), 300, seeds=3)
    >>> est = gs.estimate.pl(p, res, n_resamples=20)
    >>> round(est.rho, 4), round(est.mu, 4)
    (1.3333, 2.0)
    """
    if not 0 < tail <= 1:
        raise ValueError(f"tail must be in (0, 1], got {tail}")
    star, estimated = _resolve_f_star(problem, res, f_star, reference)
    points = _valid_records(res, star, tail)
    rho, mu = _fit(*points[:2], points[4])

    def refit(runs):
        take = np.concatenate([np.flatnonzero(points[2] == k) for k in runs])
        return list(_fit(points[0][take], points[1][take], points[4][take]))

    boot = bootstrap_over_runs(points[2], refit, n_resamples, confidence, seed)
    intervals = named_intervals(boot, ("rho", "mu"))
    notes = _notes(rho, estimated) + interval_notes(boot)
    name = getattr(problem, "name", None) or res.problem.get("name", "")
    return PLEstimate(rho, mu, intervals, star, estimated, *points, confidence, notes, name)


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


def _valid_records(res, f_star, tail):
    gap, g = res.loss - f_star, res.grad_norm
    k = gap.shape[1]
    runs = np.broadcast_to(np.arange(k), gap.shape)
    repeated = np.zeros_like(gap, dtype=bool)
    repeated[1:] = (gap[1:] == gap[:-1]) & (g[1:] == g[:-1])
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(gap) & np.isfinite(g) & (gap > 0) & (g > 0) & ~repeated
    order = np.cumsum(valid, axis=0)
    in_tail = valid & (order > np.ceil((1 - tail) * order[-1]))
    points = (gap[valid], g[valid], runs[valid], res.iters[valid], in_tail[valid])
    if points[4].sum() < MIN_TAIL_POINTS:
        raise GSmoothError(f"need at least {MIN_TAIL_POINTS} tail records with F > f* and a "
                           f"finite gradient, got {int(points[4].sum())}")
    return points


def _fit(gap, g, in_tail):
    x, y = np.log(gap[in_tail]), np.log(g[in_tail])
    if np.ptp(x) <= 0:
        raise GSmoothError("the gap is constant over the tail: no slope to fit")
    slope = theilslopes(y, x).slope
    rho = 1.0 / slope if slope != 0 else float("inf")
    mu = float(np.min(g**rho / (2 * gap))) if np.isfinite(rho) else float("nan")
    return float(rho), mu


def _notes(rho, estimated):
    notes = []
    if not 0 < rho <= 2:
        message = f"rho = {rho:.4g} lies outside (0, 2]: the run does not follow a PL law there"
        warnings.warn(message, GSmoothWarning, stacklevel=3)
        notes.append(message)
    if estimated:
        notes.append("f* estimated from a reference run: the smallest gaps are biased low")
    return notes
