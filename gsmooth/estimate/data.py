r"""Pairs ``(g, r)`` of gradient norm and local smoothness, collected three ways.

Every estimator of ``||hess F(w)|| <= L0 + L1 ||grad F(w)||^alpha`` fits an
upper envelope to pairs ``g = ||grad F(w)||``, ``r`` = a local smoothness
measured near ``w``.  The three sources differ in what ``r`` is:

* **along a run** (:func:`pairs_from_run`, from ``gs.run(..., capture=True)``):
  after a step ``d = w_{t+1} - w_t``,

  - ``"successive"``: ``r = ||grad F(w_{t+1}) - grad F(w_t)|| / ||d||``,
  - ``"midpoint"`` (Zhang et al., ICLR 2020): ``r = ||grad F(w_t + d/2) - grad F(w_t)|| / (||d||/2)``,

  both against ``g = ||grad F(w_t)||``.  By the mean-value theorem
  ``r = ||(int_0^s hess F(w_t + u d/||d||) du / s) d/||d|||| <= max ||hess F||``
  on the segment, so ``r`` is the Hessian in the step's direction, averaged
  over the segment (length ``s = ||d||`` or ``||d||/2``).  It equals
  ``||hess F(w_t)||`` in the limit of small steps along the top eigenvector;
  the midpoint halves the segment and so the averaging bias.
* **Hessian norm at points** (:func:`hessian_pairs`): ``r = ||hess F(w)||``
  by power iteration on central-difference Hessian-vector products
  ``H v ~ (grad F(w + h v) - grad F(w - h v)) / (2h)``, error ``O(h^2)``.
  This is the quantity in the local form itself, so it is the source that
  makes an estimate exact where the problem's bound holds with equality
  (``||w||^p / p``: ``||hess F|| = (p-1) ||grad F||^((p-2)/(p-1))`` everywhere).
* **random pairs in a region** (:func:`region_pairs`): ``w1, w2`` drawn around
  each point, ``r = ||grad F(w1) - grad F(w2)|| / ||w1 - w2||`` against
  ``g = min(||grad F(w1)||, ||grad F(w2)||)``, the binding one of the two
  orderings of the two-point condition (5).

Each pair carries the run it came from (resampling is over runs: points of
one trajectory are not independent) and its iteration (for colouring plots).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gsmooth.errors import GSmoothError

SOURCES = ("midpoint", "successive", "hessian", "region")
#: Power-iteration steps of :func:`hessian_pairs`.
POWER_ITERATIONS = 40
#: Relative central-difference step, about the cube root of float64's epsilon.
FD_STEP = 1e-5


@dataclass(frozen=True)
class PairData:
    """Pairs ``(g, r)`` with the run and iteration each came from.

    Attributes
    ----------
    g, r : ndarray, shape (n,)
        Gradient norm and local smoothness (or noise norm).
    run : ndarray of int, shape (n,)
        Index of the independent run (or point group) of each pair.
    iteration : ndarray of int, shape (n,)
        Iteration of each pair (record index when unknown).
    source : str
        How the pairs were collected.
    """

    g: np.ndarray
    r: np.ndarray
    run: np.ndarray
    iteration: np.ndarray
    source: str

    def __len__(self) -> int:
        return int(self.g.size)

    @property
    def runs(self) -> np.ndarray:
        """Distinct run indices."""
        return np.unique(self.run)

    def subset(self, runs) -> PairData:
        """Pairs of the given runs, a run drawn twice contributing twice."""
        parts = [np.flatnonzero(self.run == k) for k in np.asarray(runs).reshape(-1)]
        take = np.concatenate(parts) if parts else np.zeros(0, dtype=int)
        return PairData(self.g[take], self.r[take], self.run[take], self.iteration[take],
                        self.source)

    def as_dict(self) -> dict:
        """JSON-ready lists."""
        return {"g": self.g.tolist(), "r": self.r.tolist(), "run": self.run.tolist(),
                "iteration": self.iteration.tolist(), "source": self.source}

    @classmethod
    def from_dict(cls, data: dict) -> PairData:
        """Inverse of :meth:`as_dict`."""
        return cls(np.asarray(data["g"], dtype=float), np.asarray(data["r"], dtype=float),
                   np.asarray(data["run"], dtype=int), np.asarray(data["iteration"], dtype=int),
                   str(data["source"]))


def pairs_from_run(res, source: str = "midpoint") -> PairData:
    """Smoothness pairs captured along a run (see the module docstring).

    Parameters
    ----------
    res : RunResult
        From ``gs.run(..., capture=True)``.
    source : {"midpoint", "successive"}

    Examples
    --------
    >>> import gsmooth as gs
    >>> res = gs.run(gs.problems.power(d=3), gs.optim.gd(0.01), 20, record=1, capture=True)
    >>> data = pairs_from_run(res)
    >>> len(data), data.source
    (20, 'midpoint')
    """
    if source not in ("midpoint", "successive"):
        raise ValueError(f"source must be 'midpoint' or 'successive' for run data, got {source!r}")
    if "step_norm" not in res.capture:
        raise GSmoothError("the run has no smoothness captures: run it with gs.run(..., capture=True)")
    step = res.capture["step_norm"]
    if source == "midpoint":
        r = res.capture["midpoint_diff_norm"] / (step / 2)
    else:
        r = res.capture["grad_diff_norm"] / step
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(r) & np.isfinite(res.grad_norm) & (step > 0)
    runs = np.broadcast_to(np.arange(res.n_runs), r.shape)
    return PairData(res.grad_norm[keep], r[keep], runs[keep], res.iters[keep], source)


def iterate_points(res) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points kept by ``gs.run(..., keep_iterates=True)``: ``(points, run, iteration)``.

    Non-finite iterates and records repeated after a run stopped are left out.
    """
    if "iterates" not in res.capture:
        raise GSmoothError("the run kept no iterates: run it with gs.run(..., keep_iterates=True)")
    iterates = res.capture["iterates"]
    n_records, k, _ = iterates.shape
    runs = np.broadcast_to(np.arange(k), (n_records, k))
    repeated = np.zeros((n_records, k), dtype=bool)
    repeated[1:] = np.all(iterates[1:] == iterates[:-1], axis=-1)
    keep = np.all(np.isfinite(iterates), axis=-1) & ~repeated
    return iterates[keep], runs[keep], res.iters[keep]


def _gradients(problem, points: np.ndarray) -> np.ndarray:
    return np.asarray(problem.grad(np.ascontiguousarray(points, dtype=np.float64)))


def _unit_rows(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), np.finfo(float).tiny)


def hessian_norms(problem, points, iterations: int = POWER_ITERATIONS, seed: int = 0):
    """``||hess F(w)||`` at each row of ``points`` (n, d), and ``||grad F(w)||``.

    Power iteration ``v <- H v / ||H v||`` converges to the eigenvalue of
    largest modulus, which is the spectral norm of the symmetric ``H``, at the
    rate ``|lambda_2 / lambda_1|`` per step.  ``H v`` is the central difference
    of gradients with step ``h = FD_STEP * max(1, ||w||)``.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.quadratic([1.0, 3.0])
    >>> norms, grads = hessian_norms(p, np.array([[1.0, 1.0], [2.0, 0.0]]))
    >>> np.round(norms, 8).tolist(), grads.tolist()
    ([3.0, 3.0], [3.1622776601683795, 2.0])
    """
    points = np.asarray(points, dtype=np.float64)
    g = np.linalg.norm(_gradients(problem, points), axis=1)
    h = FD_STEP * np.maximum(1.0, np.linalg.norm(points, axis=1, keepdims=True))
    v = _unit_rows(np.random.default_rng(seed).standard_normal(points.shape))
    norms = np.zeros(points.shape[0])
    for _ in range(iterations):
        hv = (_gradients(problem, points + h * v) - _gradients(problem, points - h * v)) / (2 * h)
        norms = np.linalg.norm(hv, axis=1)
        v = _unit_rows(hv)
    return norms, g


def hessian_pairs(problem, points, run=None, iteration=None, iterations: int = POWER_ITERATIONS,
                  seed: int = 0) -> PairData:
    """Pairs ``(||grad F(w)||, ||hess F(w)||)`` at given points; see :func:`hessian_norms`.

    Parameters
    ----------
    problem : Problem
    points : array_like, shape (n, d)
    run, iteration : array_like of int, shape (n,), optional
        Group (independent run) and iteration of each point; default: each
        point its own group, iteration 0.
    """
    points = np.asarray(points, dtype=np.float64)
    norms, g = hessian_norms(problem, points, iterations, seed)
    run, iteration = _labels(points.shape[0], run, iteration)
    return PairData(g, norms, run, iteration, "hessian")


def region_pairs(problem, points, radius: float = 0.05, n_pairs: int = 8, run=None,
                 iteration=None, seed: int = 0) -> PairData:
    """Random pairs ``w1, w2 = w + s xi1, w + s xi2`` around each point.

    ``xi ~ N(0, I/d)`` (norm about 1) and ``s = radius * max(1, ||w||)``; each
    pair gives ``r = ||grad F(w1) - grad F(w2)|| / ||w1 - w2||`` against
    ``g = min(||grad F(w1)||, ||grad F(w2)||)``.
    """
    if not radius > 0:
        raise ValueError(f"radius must be positive, got {radius!r}")
    points = np.asarray(points, dtype=np.float64)
    n, d = points.shape
    run, iteration = _labels(n, run, iteration)
    rng = np.random.default_rng(seed)
    scale = radius * np.maximum(1.0, np.linalg.norm(points, axis=1, keepdims=True))
    centres = np.repeat(points, n_pairs, axis=0)
    scale = np.repeat(scale, n_pairs, axis=0)
    w1 = centres + scale * rng.standard_normal(centres.shape) / np.sqrt(d)
    w2 = centres + scale * rng.standard_normal(centres.shape) / np.sqrt(d)
    g1, g2 = _gradients(problem, w1), _gradients(problem, w2)
    r = np.linalg.norm(g1 - g2, axis=1) / np.linalg.norm(w1 - w2, axis=1)
    g = np.minimum(np.linalg.norm(g1, axis=1), np.linalg.norm(g2, axis=1))
    return PairData(g, r, np.repeat(run, n_pairs), np.repeat(iteration, n_pairs), "region")


def _labels(n, run, iteration):
    run = np.arange(n) if run is None else np.asarray(run, dtype=int).reshape(n)
    iteration = np.zeros(n, dtype=int) if iteration is None else np.asarray(
        iteration, dtype=int).reshape(n)
    return run, iteration


def collect_pairs(problem, res=None, source: str = "midpoint", points=None, **options) -> PairData:
    """Pairs from ``source``: run captures, or Hessian/region data at points.

    For ``"hessian"`` and ``"region"``, ``points`` (n, d) are used when given,
    else the iterates ``res`` kept (``keep_iterates=True``), grouped by run.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if source in ("midpoint", "successive"):
        if res is None:
            raise ValueError(f"source {source!r} needs a RunResult res (capture=True)")
        return pairs_from_run(res, source)
    if points is None:
        if res is None:
            raise ValueError(f"source {source!r} needs points or a RunResult with iterates")
        points, run, iteration = iterate_points(res)
    else:
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != problem.dim:
            raise ValueError(f"points must have shape (n, {problem.dim}), got {points.shape}")
        run, iteration = None, None
    collect = hessian_pairs if source == "hessian" else region_pairs
    return collect(problem, points, run=run, iteration=iteration, **options)
