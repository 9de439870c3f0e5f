r"""Estimate the noise constants ``(tau1, tau2)`` of ``||grad f_xi - grad F|| <= tau1 ||grad F|| + tau2``.

At each point ``w_j`` (the iterates of a run, or given points) we draw
stochastic gradients ``grad f_xi(w_j)`` of the chosen batch size with
``problem.grad(w, idx)`` and measure ``e = ||grad f_xi(w_j) - grad F(w_j)||``.
The assumption of IAN-SGD bounds ``e`` almost surely, so at each point the
binding draw is the largest: the fitted level per point is the maximum of the
draws, or, with ``quantile = q < 1`` (heavy tails), their empirical
``q``-quantile, so that the bound then holds with probability about ``q`` at
every point.  The constants are the tightest line over those levels,
``e_j <= tau1 g_j + tau2`` with ``tau1, tau2 >= 0``: the envelope LP of
:mod:`gsmooth.estimate.envelope` at ``alpha = 1``.

The bound is tight only where some sample's noise is aligned with
``grad F``, so the estimate is a lower bound of the true constants unless the
draws include such samples: use many points along a run (the direction of
``grad F`` changes) and many draws per point; for a finite sum with
``batch = 1``, ``draws="all"`` evaluates every sample and finds the maximum
exactly.  The constants are those of the chosen batch size.

IAN-SGD then takes ``A = 1/(1 - tau1)`` and ``delta = tau2/(1 - tau1)``
(Yang et al., TMLR 2025), defined only for ``tau1 < 1``; a fit with
``tau1 >= 1`` is reported with ``A = delta = None``, a note and a warning.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from gsmooth._checks import check_interval, instance_of, positive_int, real_number
from gsmooth.engine.result import STATUS_NAMES, failed
from gsmooth.errors import GSmoothError, GSmoothWarning
from gsmooth.estimate.data import PairData, check_same_problem, iterate_points
from gsmooth.estimate.envelope import fit_envelope
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
from gsmooth.problems.base import Problem

NAMES = ("tau1", "tau2")
BOUNDS = ((0.0, np.inf), (0.0, np.inf))


@dataclass
class NoiseEstimate:
    """Fitted ``(tau1, tau2)`` and the IAN-SGD constants ``A, delta`` they give.

    Attributes
    ----------
    tau1, tau2 : float
    A, delta : float or None
        ``1/(1 - tau1)`` and ``tau2/(1 - tau1)``; ``None`` when ``tau1 >= 1``.
    intervals : dict or None
        Bootstrap intervals of ``tau1, tau2`` over resampled runs.
    data : PairData
        Per point: ``g = ||grad F||`` and ``r`` the fitted level of the noise norms.
    median : ndarray
        Per point, the median noise norm (for plots).
    batch, draws, quantile, confidence
    notes : list of str
    """

    tau1: float
    tau2: float
    A: float | None
    delta: float | None
    intervals: dict | None
    data: PairData
    median: np.ndarray
    batch: int
    draws: int
    quantile: float
    confidence: float
    notes: list = field(default_factory=list)
    problem: str = ""

    def summary(self) -> str:
        """A few readable lines."""
        iv = self.intervals or {}
        lines = [f"noise of {self.problem or 'the problem'} at {len(self.data)} points, "
                 f"batch {self.batch}, {self.draws} draws per point (quantile {self.quantile:g})",
                 f"  tau1  {format_value(self.tau1, iv.get('tau1'))}",
                 f"  tau2  {format_value(self.tau2, iv.get('tau2'))}",
                 f"  A = {format_value(self.A)}, delta = {format_value(self.delta)}"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])

    __str__ = summary

    def to_pandas(self):
        """One row per point: ``run, iteration, grad_norm``, the fitted noise level
        ``noise`` (the ``quantile`` of the draws), ``median``, ``source``, ``problem``."""
        table = self.data.to_pandas("noise")
        table["median"] = self.median
        table["problem"] = self.problem
        return table

    def as_dict(self) -> dict:
        """JSON-ready dict (points included); non-finite values are ``null``."""
        return jsonable({
            "tau1": self.tau1, "tau2": self.tau2, "A": self.A, "delta": self.delta,
            "intervals": self.intervals, "batch": self.batch, "draws": self.draws,
            "quantile": self.quantile, "confidence": self.confidence, "notes": self.notes,
            "problem": self.problem, "median": self.median, "data": self.data.as_dict(),
        })

    @classmethod
    def from_dict(cls, d: dict) -> NoiseEstimate:
        """Inverse of :meth:`as_dict`, also of its JSON form (``null`` reads as NaN, except
        ``A`` and ``delta``, which are ``None`` when undefined)."""
        A, delta = (None if d[k] is None else float(d[k]) for k in ("A", "delta"))
        return cls(number(d["tau1"]), number(d["tau2"]), A, delta,
                   read_intervals(d["intervals"]), PairData.from_dict(d["data"]),
                   np.asarray(d["median"], dtype=float), int(d["batch"]), int(d["draws"]),
                   number(d["quantile"]), number(d["confidence"]), list(d["notes"]), d["problem"])


def noise(problem, res=None, *, points=None, batch: int = 1, draws: int | str = 64,
          quantile: float = 1.0, n_resamples: int = 199, confidence: float = 0.9,
          seed: int = 0) -> NoiseEstimate:
    """Estimate ``(tau1, tau2)`` and IAN-SGD's ``A, delta``; see the module docstring.

    Parameters
    ----------
    problem : Problem
        A finite sum (``problem.n_samples`` set).
    res : RunResult, optional
        Run with ``keep_iterates=True``: its iterates are the points, grouped by run.
    points : array_like, shape (n, d), optional
        Points instead of the run's iterates (each its own group).
    batch : int
        Minibatch size of the stochastic gradients.
    draws : int or "all"
        Stochastic gradients per point; ``"all"`` (``batch = 1``) takes every sample.
    quantile : float in (0, 1]
        Level of the noise norm fitted at each point (1: the maximum).

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.finite_sum(gs.problems.quadratic([1.0, 2.0]), n=400, tau1=0.3, tau2=0.5)
    >>> points = np.geomspace(0.01, 10, 15)[:, None] * np.array([[1.0, 0.5]])
    >>> est = gs.estimate.noise(p, points=points, draws="all", n_resamples=20)
    >>> round(est.tau1, 2), round(est.tau2, 2), round(est.A, 2)
    (0.3, 0.5, 1.43)
    """
    check_finite_sum(problem)
    batch, draws, quantile = check_draws(batch, draws, quantile)
    n_resamples, confidence, seed, _ = check_resampling(n_resamples, confidence, seed)
    check_same_problem(problem, res)
    points, run, iteration, notes = _points(problem, res, points)
    draws_idx = _draw_indices(problem, batch, draws, points.shape[0], seed)
    g, levels, median = _noise_levels(problem, points, draws_idx, quantile)
    data = PairData(g, levels, run, iteration, f"noise(batch={batch})")
    env = fit_envelope(g, levels, alpha=1.0)

    def refit(counts):
        e = fit_envelope(data.g, data.r, alpha=1.0, multiplicity=data.weights(counts))
        return [e.L1, e.L0]

    boot = bootstrap_over_runs(data.runs.size, refit, [env.L1, env.L0], n_resamples, confidence,
                               seed, BOUNDS)
    tau1, tau2 = env.L1, env.L0
    A, delta, ian_notes = _ian_constants(tau1, tau2)
    notes += interval_notes(boot) + ian_notes
    return NoiseEstimate(tau1, tau2, A, delta, named_intervals(boot, NAMES), data, median, int(batch),
                         draws_idx.shape[1], quantile, confidence, notes, problem.name)


def check_finite_sum(problem) -> None:
    """Refuse anything but a finite-sum :class:`~gsmooth.problems.Problem`."""
    instance_of("problem", problem, Problem, "a finite-sum gsmooth Problem "
                "(e.g. gs.problems.finite_sum(gs.problems.power()))")
    if not problem.stochastic:
        raise ValueError(f"noise needs a finite-sum problem, got the deterministic {problem.name!r}")


def check_draws(batch, draws, quantile) -> tuple:
    """``(batch, draws, quantile)`` of a noise estimate, checked (``draws="all"`` needs ``batch=1``).

    Examples
    --------
    >>> check_draws(4, "all", 1.0)
    Traceback (most recent call last):
    ...
    ValueError: draws='all' enumerates single samples and needs batch=1, got 4
    """
    batch = positive_int("batch", batch)
    if draws == "all":
        if batch != 1:
            raise ValueError(f"draws='all' enumerates single samples and needs batch=1, got {batch}")
    elif isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 2:
        raise ValueError(f"draws must be an integer >= 2 or 'all', got {draws!r}")
    quantile = check_interval("quantile", real_number("quantile", quantile), 0.0, 1.0,
                              low_open=True)
    return batch, draws, quantile


def _points(problem, res, points):
    """Points, their run and iteration, and notes on runs left out (failed runs, copies)."""
    if points is not None:
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != problem.dim:
            raise ValueError(f"points must have shape (n, {problem.dim}), got {points.shape}")
        return points, np.arange(points.shape[0]), np.zeros(points.shape[0], dtype=int), []
    if res is None:
        raise ValueError("noise needs points or a RunResult run with keep_iterates=True")
    points, run, iteration = iterate_points(res)
    notes = []
    bad = np.flatnonzero(failed(res.status))
    if bad.size:
        notes.append(f"run(s) {', '.join(map(str, bad))} left out: they failed "
                     f"({', '.join(STATUS_NAMES[int(res.status[k])] for k in bad)})")
    kept, groups = distinct_runs(run, *points.T)
    notes += copies_note(groups)
    use = np.isin(run, kept) & ~np.isin(run, bad)
    return points[use], run[use], iteration[use], notes


def _draw_indices(problem, batch, draws, n_points, seed):
    """Sample indices (n_points, draws, batch) of checked ``batch`` and ``draws`` (:func:`check_draws`)."""
    n = problem.n_samples
    if draws == "all":
        return np.broadcast_to(np.arange(n)[None, :, None], (n_points, n, 1))
    return np.random.default_rng(seed).integers(0, n, size=(n_points, int(draws), batch))


def _noise_levels(problem, points, draws_idx, quantile):
    full = np.asarray(problem.grad(points))
    levels, median = np.empty(points.shape[0]), np.empty(points.shape[0])
    for j, (w, idx) in enumerate(zip(points, draws_idx)):
        stochastic = np.asarray(problem.grad(np.repeat(w[None, :], idx.shape[0], axis=0), idx))
        e = np.linalg.norm(stochastic - full[j], axis=1)
        if not np.all(np.isfinite(e)):
            raise GSmoothError(f"non-finite stochastic gradients at point {j}")
        levels[j], median[j] = np.quantile(e, quantile), np.median(e)
    return np.linalg.norm(full, axis=1), levels, median


def _ian_constants(tau1, tau2):
    notes = []
    if tau1 >= 1:
        message = (f"tau1 = {tau1:.4g} >= 1: the IAN-SGD noise assumption fails and "
                   "A = 1/(1 - tau1), delta = tau2/(1 - tau1) are undefined")
        warnings.warn(message, GSmoothWarning, stacklevel=3)
        return None, None, notes + [message]
    return 1 / (1 - tau1), tau2 / (1 - tau1), notes
