r"""Estimate ``(L0, L1, alpha)`` of ``||hess F(w)|| <= L0 + L1 ||grad F(w)||^alpha``.

Pairs ``(g, r)`` come from one of the sources of :mod:`gsmooth.estimate.data`
and the constants are the tightest upper envelope of
:mod:`gsmooth.estimate.envelope`; intervals come from refitting on runs drawn
with replacement (:mod:`gsmooth.estimate.resampling`).

**Which source makes which estimate exact.**  ``"hessian"`` measures the
quantity in the local form itself: where the bound holds with equality
(``||w||^p/p``, along every ray) it returns the constants exactly, up to the
``O(h^2)`` finite-difference error; on a quadratic it returns
``L0 = lambda_max`` and ``L1 = 0``.  ``"midpoint"`` and ``"successive"``
measure the Hessian in the direction of the step, averaged over (half) the
step: they are exact only for small steps along the top eigenvector (gradient
descent on ``||w||^p/p`` moves radially, which is that eigenvector, so small
steps there are nearly exact; on a quadratic a gradient step mixes eigenvectors
and ``r < lambda_max``).  ``"region"`` measures the two-point form (5), whose
constants can exceed the local ones (for ``||w||^p/p`` form (5) needs ``L0 > 0``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gsmooth.estimate.data import PairData, collect_pairs
from gsmooth.estimate.envelope import envelope_frontier, fit_envelope
from gsmooth.estimate.resampling import (
    bootstrap_over_runs,
    format_value,
    interval_notes,
    jsonable,
    named_intervals,
)

NAMES = ("L0", "L1", "alpha")


@dataclass
class SmoothnessEstimate:
    """Fitted ``(L0, L1, alpha)`` with intervals, data and frontier.

    Attributes
    ----------
    L0, L1, alpha : float
        The envelope ``r <= L0 + L1 g^alpha``.
    intervals : dict of str to (float, float), or None
        Percentile intervals from resampling runs; ``None`` with one run.
    data : PairData
        The pairs fitted.
    frontier : (ndarray, ndarray)
        ``L0`` values and the smallest valid ``L1`` at each, at the fitted alpha.
    gap, covered : float
        Mean log-gap of the envelope and fraction of pairs under it.
    alpha_identified : bool
        False when ``L1 = 0`` (then ``alpha`` is reported as 0).
    quantile, confidence : float
    replicates : ndarray, shape (3, n_resamples), or None
        Refitted ``(L0, L1, alpha)`` on each resample (for envelope bands).
    notes : list of str
        Flags a reader must see (no interval, failed resamples, ...).
    problem : str
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

    def envelope(self, g):
        """Height ``L0 + L1 g^alpha`` of the fitted envelope."""
        return self.L0 + self.L1 * np.asarray(g, dtype=float) ** self.alpha

    def summary(self) -> str:
        """A few readable lines."""
        iv = self.intervals or {}
        head = (f"smoothness of {self.problem or 'the problem'} from {len(self.data)} "
                f"{self.data.source} pairs over {self.data.runs.size} run(s)")
        lines = [head] + [f"  {n:<6}{format_value(getattr(self, n), iv.get(n))}" for n in NAMES]
        lines.append(f"  mean log-gap {self.gap:.3g}, covered {self.covered:.3g} "
                     f"(quantile {self.quantile:g}, intervals {self.confidence:.0%})")
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])

    __str__ = summary

    def as_dict(self) -> dict:
        """JSON-ready dict (data and resamples included)."""
        return jsonable({
            "L0": self.L0, "L1": self.L1, "alpha": self.alpha, "intervals": self.intervals,
            "gap": self.gap, "covered": self.covered, "alpha_identified": self.alpha_identified,
            "quantile": self.quantile, "confidence": self.confidence, "notes": self.notes,
            "problem": self.problem, "frontier": {"L0": self.frontier[0], "L1": self.frontier[1]},
            "replicates": self.replicates, "data": self.data.as_dict(),
        })

    @classmethod
    def from_dict(cls, d: dict) -> SmoothnessEstimate:
        """Inverse of :meth:`as_dict`."""
        reps = None if d["replicates"] is None else np.asarray(d["replicates"], dtype=float)
        frontier = (np.asarray(d["frontier"]["L0"]), np.asarray(d["frontier"]["L1"], dtype=float))
        return cls(d["L0"], d["L1"], d["alpha"], d["intervals"], PairData.from_dict(d["data"]),
                   frontier, d["gap"], d["covered"], d["alpha_identified"], d["quantile"],
                   d["confidence"], reps, list(d["notes"]), d["problem"])


def smoothness(problem=None, res=None, *, source: str = "midpoint", points=None,
               alpha: float | None = None, quantile: float = 1.0, n_resamples: int = 199,
               confidence: float = 0.9, seed: int = 0, **options) -> SmoothnessEstimate:
    """Estimate ``(L0, L1, alpha)``; see the module docstring for the sources.

    Parameters
    ----------
    problem : Problem
        Needed for ``"hessian"`` and ``"region"`` (gradients at new points).
    res : RunResult, optional
        A run with ``capture=True`` (midpoint, successive) or
        ``keep_iterates=True`` (Hessian and region data at its iterates).
    source : {"midpoint", "successive", "hessian", "region"}
    points : array_like, shape (n, d), optional
        Points for ``"hessian"``/``"region"`` instead of the run's iterates;
        each point then counts as an independent run for the intervals.
    alpha : float, optional
        Fix the exponent instead of choosing it.
    quantile : float in (0, 1]
        Robust level of the envelope (1 covers every pair).
    n_resamples, confidence, seed
        Resampling over runs.
    **options
        Passed to the data source (``iterations``, ``radius``, ``n_pairs``).

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.power(d=3, p=4)
    >>> points = np.geomspace(0.01, 10, 12)[:, None] * np.ones((1, 3))
    >>> est = gs.estimate.smoothness(p, source="hessian", points=points, n_resamples=20)
    >>> round(est.alpha, 3), round(est.L1, 2), round(est.L0, 3)
    (0.667, 3.0, 0.0)
    """
    data = collect_pairs(problem, res, source, points, **options)
    env = fit_envelope(data.g, data.r, alpha, quantile)

    def refit(runs):
        e = fit_envelope(*_pooled(data, runs), alpha, quantile)
        return [e.L0, e.L1, e.alpha]

    boot = bootstrap_over_runs(data.runs, refit, n_resamples, confidence, seed)
    notes = interval_notes(boot) + _notes(env, quantile)
    replicates = None if boot is None else boot[1]
    name = getattr(problem, "name", None) or (res.problem.get("name", "") if res else "")
    return SmoothnessEstimate(
        env.L0, env.L1, env.alpha, named_intervals(boot, NAMES), data,
        envelope_frontier(data.g, data.r, env.alpha), env.gap, env.covered,
        bool(env.alpha_identified), quantile, confidence, replicates, notes, name,
    )


def _pooled(data: PairData, runs) -> tuple[np.ndarray, np.ndarray]:
    drawn = data.subset(runs)
    return drawn.g, drawn.r


def _notes(env, quantile) -> list[str]:
    notes = []
    if not env.alpha_identified:
        notes.append("L1 = 0: the envelope is flat and alpha is not identified (reported as 0)")
    if quantile < 1:
        notes.append(f"robust fit: {1 - env.covered:.1%} of the pairs lie above the envelope")
    return notes
