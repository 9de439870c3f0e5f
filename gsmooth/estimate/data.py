r"""Pairs ``(g, r)`` of gradient norm and local smoothness, collected four ways.

Every estimator of ``||hess F(w)|| <= L0 + L1 ||grad F(w)||^alpha`` fits an
upper envelope to pairs ``g = ||grad F(w)||``, ``r`` = a local smoothness
measured at or near ``w``.  The sources differ in what ``r`` is:

* **Hessian norm at points of the runs** (``"hessian"``, the default): the
  quantity the condition bounds, ``r = ||hess F(w)||``, at the iterates on
  the record grid.  ``gs.run(..., capture=True)`` measures it on the run's own
  device by Lanczos on ``problem.hvp`` (:mod:`gsmooth.problems.curvature`),
  with an error estimate for central-difference products;
  :func:`hessian_pairs` does the same at given points.  Where the bound holds
  with equality (``||w||^p / p``, the exponential problem) the estimate is
  exact; on a quadratic it is ``L0 = lambda_max``, ``L1 = 0``.
* **directional smoothness along a run** (:func:`pairs_from_run`, also from
  ``capture=True``): after a step ``d = w_{t+1} - w_t``,

  - ``"midpoint"`` (Zhang et al., ICLR 2020): ``r = ||grad F(w_t + d/2) - grad F(w_t)|| / (||d||/2)``,
  - ``"successive"``: ``r = ||grad F(w_{t+1}) - grad F(w_t)|| / ||d||``,

  both against ``g = ||grad F(w_t)||``.  By the mean-value theorem
  ``r = ||(int_0^s hess F(w_t + u d/||d||) du / s) d/||d||||``: the Hessian in
  the step's direction, averaged over the segment, which Mishkin et al.
  (2024) call *directional smoothness*.  It can be far below ``||hess F||``
  (on a quadratic, GD's steps follow the large eigenvalues first and then the
  small ones, so ``r`` falls with ``g`` down to ``lambda_min``), and above it
  for long steps into regions of larger curvature.  It is a different,
  useful quantity, reported beside the Hessian envelope under its own name.
* **random pairs in a region** (``"region"``, :func:`region_pairs`):
  ``w1, w2`` drawn around each point, ``r = ||grad F(w1) - grad F(w2)|| / ||w1 - w2||``
  against ``g = min(||grad F(w1)||, ||grad F(w2)||)``, the binding one of the
  two orderings of the two-point condition (5).

Each pair carries the run it came from (resampling is over runs: points of
one trajectory are not independent) and its iteration (for colouring plots).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gsmooth._backend import row_norm, to_host
from gsmooth._checks import check_positive, instance_of, positive_int, real_number
from gsmooth._tables import pandas
from gsmooth.engine.result import RunResult
from gsmooth.errors import GSmoothError
from gsmooth.problems.base import Problem
from gsmooth.problems.curvature import LANCZOS_RTOL, hessian_norm

SOURCES = ("hessian", "midpoint", "successive", "region")
#: Sources measured along the steps of a run (directional smoothness).
DIRECTIONAL = ("midpoint", "successive")
#: The keyword options each source takes, and the check of each.
SOURCE_OPTIONS = {
    "hessian": {"max_iterations": positive_int,
                "rtol": lambda name, value: check_positive(name, real_number(name, value))},
    "region": {"radius": lambda name, value: check_positive(name, real_number(name, value)),
               "n_pairs": positive_int},
    "midpoint": {},
    "successive": {},
}


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
    error : ndarray, shape (n,), or None
        Bound on the error of each ``r`` (Hessian norms: the Lanczos tolerance
        plus the central-difference error estimate).
    converged : ndarray of bool, shape (n,), or None
        Whether the Lanczos iteration of each Hessian norm converged.
    """

    g: np.ndarray
    r: np.ndarray
    run: np.ndarray
    iteration: np.ndarray
    source: str
    error: np.ndarray | None = None
    converged: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.g.size)

    @property
    def runs(self) -> np.ndarray:
        """Distinct run indices."""
        return np.unique(self.run)

    def take(self, keep) -> PairData:
        """The pairs selected by the mask or indices ``keep``."""
        pick = (lambda a: None if a is None else a[keep])
        return PairData(self.g[keep], self.r[keep], self.run[keep], self.iteration[keep],
                        self.source, pick(self.error), pick(self.converged))

    def weights(self, counts) -> np.ndarray:
        """Weight of each pair when run ``runs[j]`` is drawn ``counts[j]`` times."""
        return np.asarray(counts, dtype=float)[np.searchsorted(self.runs, self.run)]

    def to_pandas(self, value: str = "r"):
        """One row per pair: ``run, iteration, grad_norm``, the value (named ``value``),
        ``error`` and ``converged`` where known, and ``source``.

        Examples
        --------
        >>> import numpy as np
        >>> data = PairData(np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([0, 1]),
        ...                 np.array([5, 5]), "hessian")
        >>> data.to_pandas("hessian_norm").columns.tolist()
        ['run', 'iteration', 'grad_norm', 'hessian_norm', 'source']
        """
        pd = pandas()
        columns = {"run": self.run, "iteration": self.iteration, "grad_norm": self.g, value: self.r}
        columns.update({name: array for name, array in (("error", self.error),
                                                        ("converged", self.converged))
                        if array is not None})
        return pd.DataFrame({**columns, "source": self.source})

    def as_dict(self) -> dict:
        """JSON-ready lists."""
        out = {"g": self.g.tolist(), "r": self.r.tolist(), "run": self.run.tolist(),
               "iteration": self.iteration.tolist(), "source": self.source}
        if self.error is not None:
            out["error"] = self.error.tolist()
        if self.converged is not None:
            out["converged"] = self.converged.tolist()
        return out

    @classmethod
    def from_dict(cls, data: dict) -> PairData:
        """Inverse of :meth:`as_dict`."""
        error, converged = data.get("error"), data.get("converged")
        return cls(np.asarray(data["g"], dtype=float), np.asarray(data["r"], dtype=float),
                   np.asarray(data["run"], dtype=int), np.asarray(data["iteration"], dtype=int),
                   str(data["source"]),
                   None if error is None else np.asarray(error, dtype=float),
                   None if converged is None else np.asarray(converged, dtype=bool))


def check_same_problem(problem, res, *, run_needed: bool = False, name: str = "res") -> None:
    """Refuse a ``problem`` that is no Problem, a ``res`` that is no RunResult (or ``None``
    where ``run_needed``), and a run made on another problem than the one given (by name and
    dimension); ``name`` is what the caller calls ``res``.

    Examples
    --------
    >>> import gsmooth as gs
    >>> res = gs.run(gs.problems.power(d=3), gs.optim.gd(0.1), 5)
    >>> check_same_problem(gs.problems.cosh(d=3), res)
    Traceback (most recent call last):
    ...
    ValueError: res is a run on 'power(p=4)' (d = 3), not on 'cosh(s=1)' (d = 3): pass its problem
    >>> check_same_problem(gs.problems.cosh(d=3), "abc")
    Traceback (most recent call last):
    ...
    TypeError: res must be None or a RunResult of gs.run(...), got str 'abc'
    """
    if problem is not None:
        instance_of("problem", problem, Problem, "None or a gsmooth Problem (e.g. gs.problems.power())")
    if run_needed:
        instance_of(name, res, RunResult, "a RunResult of gs.run(...)")
    elif res is not None:
        instance_of(name, res, RunResult, "None or a RunResult of gs.run(...)")
    if problem is None or res is None:
        return
    run_name, dim = res.problem.get("name"), res.problem.get("dim")
    if (run_name is not None and run_name != problem.name) or (dim is not None and dim != problem.dim):
        raise ValueError(f"{name} is a run on {run_name!r} (d = {dim}), not on {problem.name!r} "
                         f"(d = {problem.dim}): pass its problem")


def pairs_from_run(res, source: str = "hessian") -> PairData:
    """Pairs captured along a run by ``gs.run(..., capture=True)`` (module docstring).

    Records repeated after a run stopped, and non-finite values, are left out.

    Parameters
    ----------
    res : RunResult
    source : {"hessian", "midpoint", "successive"}

    Examples
    --------
    >>> import gsmooth as gs
    >>> res = gs.run(gs.problems.power(d=3), gs.optim.gd(0.01), 20, record=1, capture=True)
    >>> data = pairs_from_run(res)
    >>> len(data), data.source
    (20, 'hessian')
    """
    if source not in ("hessian", *DIRECTIONAL):
        raise ValueError(f"source must be one of {('hessian', *DIRECTIONAL)} for run data, "
                         f"got {source!r}")
    capture = res.capture
    if "step_norm" not in capture:
        raise GSmoothError("the run has no smoothness captures: run it with gs.run(..., capture=True)")
    if source == "hessian" and "hessian_norm" not in capture:
        raise GSmoothError("the run has no Hessian-norm captures (a run made by an older gsmooth, "
                           "or a torch probe): run it again with capture=True, or pass "
                           "source='midpoint' for the directional smoothness")
    step = capture["step_norm"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if source == "midpoint":
            r = capture["midpoint_diff_norm"] / (step / 2)
        elif source == "successive":
            r = capture["grad_diff_norm"] / step
        else:
            r = capture["hessian_norm"]
        keep = np.isfinite(r) & np.isfinite(res.grad_norm)
        keep &= (step > 0) if source in DIRECTIONAL else ~_repeated(res)
    runs = np.broadcast_to(np.arange(res.n_runs), r.shape)
    extra = {}
    if source == "hessian":
        extra = {"error": LANCZOS_RTOL * r[keep] + np.nan_to_num(capture["hessian_error"][keep]),
                 "converged": capture["hessian_converged"][keep] > 0}
    return PairData(res.grad_norm[keep], r[keep], runs[keep], res.iters[keep], source, **extra)


def _repeated(res) -> np.ndarray:
    """Records that repeat the previous record of their run (the run had stopped)."""
    repeated = np.zeros(res.loss.shape, dtype=bool)
    repeated[1:] = (res.loss[1:] == res.loss[:-1]) & (res.grad_norm[1:] == res.grad_norm[:-1])
    return repeated


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


def hessian_pairs(problem, points, run=None, iteration=None, **options) -> PairData:
    """Pairs ``(||grad F(w)||, ||hess F(w)||)`` at given points (module docstring).

    Parameters
    ----------
    problem : Problem
    points : array, shape (n, d)
        In any array-API namespace: the Lanczos products stay there and only
        the norms come to the host.
    run, iteration : array_like of int, shape (n,), optional
        Group (independent run) and iteration of each point; default: each
        point its own group, iteration 0.
    **options
        ``max_iterations``, ``rtol`` of :func:`gsmooth.problems.curvature.hessian_norm`.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> data = hessian_pairs(gs.problems.quadratic([1.0, 3.0]), np.array([[1.0, 1.0], [2.0, 0.0]]))
    >>> np.round(data.r, 8).tolist(), data.g.tolist()
    ([3.0, 3.0], [3.1622776601683795, 2.0])
    """
    top = hessian_norm(problem, points, **options)
    g = to_host(row_norm(problem.grad(points))[:, 0])
    norms = to_host(top.norm).astype(float)
    run, iteration = _labels(points.shape[0], run, iteration)
    error = LANCZOS_RTOL * norms + to_host(top.error).astype(float)
    return PairData(np.asarray(g, dtype=float), norms, run, iteration, "hessian", error,
                    to_host(top.converged).astype(bool))


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


def check_source_options(source: str, options: dict) -> dict:
    """The keyword ``options`` of ``source`` (:data:`SOURCE_OPTIONS`), checked; refuse
    any other keyword, naming those the source takes.

    Examples
    --------
    >>> check_source_options("region", {"radius": 0.1})
    {'radius': 0.1}
    >>> check_source_options("hessian", {"foo": 1})
    Traceback (most recent call last):
    ...
    TypeError: unknown option foo=1 for source='hessian'; it takes max_iterations, rtol
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    checks = SOURCE_OPTIONS[source]
    for key, value in options.items():
        if key not in checks:
            takes = ", ".join(checks) or "no options"
            owners = [other for other, names in SOURCE_OPTIONS.items() if key in names]
            where = f" ({key} is an option of source={owners[0]!r})" if owners else ""
            raise TypeError(f"unknown option {key}={value!r} for source={source!r}; "
                            f"it takes {takes}{where}")
    return {key: checks[key](key, value) for key, value in options.items()}


def collect_pairs(problem, res=None, source: str = "hessian", points=None,
                  **options) -> PairData:
    """Pairs from ``source``: run captures, or Hessian/region data at points.

    ``"hessian"`` takes the run's captures when it has them, else the
    Hessian norms at ``points`` (n, d) or at the iterates ``res`` kept
    (``keep_iterates=True``), grouped by run; ``"region"`` needs points or
    iterates.  ``options`` (:data:`SOURCE_OPTIONS`) apply where the pairs are
    computed here, so they are refused for captured pairs, measured during the run.
    """
    options = check_source_options(source, options)
    if points is not None and not hasattr(points, "shape"):
        points = np.asarray(points, dtype=np.float64)
    if points is None and res is not None and (
            source in DIRECTIONAL or (source == "hessian" and "hessian_norm" in res.capture)):
        if options:
            raise ValueError(f"{', '.join(options)} cannot apply to the Hessian norms the run "
                             "captured (measured during the run); leave them out, or pass points")
        return pairs_from_run(res, source)
    if source in DIRECTIONAL:
        raise ValueError(f"source {source!r} needs a RunResult res (capture=True)")
    if points is None:
        if res is None:
            raise ValueError(f"source {source!r} needs a RunResult (capture=True) or points")
        if source == "hessian" and "iterates" not in res.capture:
            return pairs_from_run(res, source)  # raises the error that names capture=True
        points, run, iteration = iterate_points(res)  # raises the one that names keep_iterates=True
    else:
        if problem is None:
            raise ValueError(f"source {source!r} at points needs the problem, got None")
        if len(points.shape) != 2 or points.shape[1] != problem.dim:
            raise ValueError(f"points must have shape (n, {problem.dim}), got {tuple(points.shape)}")
        run, iteration = None, None
    if problem is None:
        raise ValueError(f"source {source!r} at the run's iterates needs the problem, got None")
    if source == "region":
        return region_pairs(problem, np.asarray(to_host(points), dtype=np.float64), run=run,
                            iteration=iteration, **options)
    return hessian_pairs(problem, points, run=run, iteration=iteration, **options)
