"""What the run loop keeps at its record points: traces, statuses and captures.

Full objectives and gradient norms are evaluated only here, at the record
grid, so recording costs what the user asks for: the objective and the
gradient come from one shared evaluation (``value_and_grad``), and so do the
objective and a metric of the problem (``value_and_metric``, DRO's ``psi``).
Decisions that need the host (divergence, convergence) are taken here too,
once per record.

A ``metric`` of the user's is the user's code (:class:`~gsmooth.problems.user.UserFunction`):
what it raises is reported as the user's, and its output must have shape
``(k,)``, checked once, at the first record.  A metric that is the problem's
own method (DRO's ``psi``) is the problem's and shares its work.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from gsmooth import _backend
from gsmooth._backend import namespace, row_norm
from gsmooth._checks import flag
from gsmooth.engine.result import CONVERGED, DIVERGED, MAX_STEPS, NONFINITE
from gsmooth.errors import UserCodeError
from gsmooth.problems.curvature import hessian_norm
from gsmooth.problems.user import UserFunction


def record_grid(steps: int, record="geometric", ratio: float = 1.2) -> np.ndarray:
    """Iterations at which a run of ``steps`` steps records.

    Parameters
    ----------
    steps : int
        Number of steps; ``0`` and ``steps`` are always recorded.
    record : "geometric", int or sequence of int
        ``"geometric"``: every iteration up to 10, then a grid growing by
        ``ratio`` (what log-log fits need); an int ``n``: every ``n`` steps;
        a sequence: exactly those iterations (within ``[0, steps]``).

    Examples
    --------
    >>> record_grid(10, 4).tolist()
    [0, 4, 8, 10]
    >>> record_grid(30).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 19, 22, 26, 30]
    """
    if isinstance(record, str):
        if record != "geometric":
            raise ValueError(f"record must be 'geometric', an int or iterations, got {record!r}")
        count = int(np.ceil(np.log(max(steps, 10) / 10) / np.log(ratio))) + 1
        grid = np.round(np.geomspace(10, max(steps, 10), count)).astype(int)
        grid = np.concatenate([np.arange(min(steps, 10) + 1), grid])
    elif isinstance(record, (int, np.integer)) and not isinstance(record, bool):
        if record < 1:
            raise ValueError(f"record must be a positive interval, got {record}")
        grid = np.arange(0, steps + 1, int(record))
    else:
        grid = np.asarray(record, dtype=int).reshape(-1)
        if grid.size and (grid.min() < 0 or grid.max() > steps):
            raise ValueError(f"record iterations must lie in [0, {steps}], got {grid.tolist()}")
    return np.unique(np.concatenate([grid[grid <= steps], [0, steps]]))


@dataclass(frozen=True)
class Recording:
    """What a run records, and when it stops a run: the recording options of :func:`gsmooth.run`.

    Attributes
    ----------
    record : "geometric", int or sequence of int
        Record grid, see :func:`record_grid`.
    gap_tol : float or None
        Stop a run (status ``CONVERGED``) once ``F - F* <= gap_tol`` at a record.
    capture : bool
        Keep the smoothness data the estimators need.
    keep_iterates : bool
        Keep the iterates at records.
    track_grad_norm : bool
        Evaluate ``||grad F||`` at records (one full gradient each); when false
        ``grad_norm`` is NaN and records cost one objective evaluation.
    metric : callable or None
        ``metric(w) -> (k,)``, another quantity recorded on the device (for
        example the DRO objective ``Psi``).
    diverge_factor : float
        A run whose loss exceeds ``diverge_factor * max(1, |F(w_0)|)`` is marked
        diverged and frozen.

    Examples
    --------
    >>> Recording(record=5, gap_tol=1e-8).track_grad_norm
    True
    >>> Recording(gap_tol=-1.0)
    Traceback (most recent call last):
    ...
    ValueError: gap_tol must be None or non-negative and finite, got -1.0
    """

    record: object = "geometric"
    gap_tol: float | None = None
    capture: bool = False
    keep_iterates: bool = False
    track_grad_norm: bool = True
    metric: Callable | None = None
    diverge_factor: float = 1e10

    def __post_init__(self):
        for name in ("capture", "keep_iterates", "track_grad_norm"):
            flag(name, getattr(self, name))
        if self.gap_tol is not None:
            if not (_real(self.gap_tol) and 0 <= self.gap_tol < math.inf):
                raise ValueError(f"gap_tol must be None or non-negative and finite, got {self.gap_tol!r}")
        if not (_real(self.diverge_factor) and 1 < self.diverge_factor <= math.inf):
            raise ValueError(f"diverge_factor must be a number > 1, got {self.diverge_factor!r}")
        if self.metric is not None and not callable(self.metric):
            raise ValueError(f"metric must be None or a callable w -> (k,), got {self.metric!r}")
        if self.capture and not self.track_grad_norm:
            raise ValueError("capture=True needs track_grad_norm=True, got track_grad_norm=False")

    @classmethod
    def from_options(cls, options: dict) -> Recording:
        """A :class:`Recording` from keyword options, naming any unknown option."""
        allowed = [f.name for f in fields(cls)]
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise TypeError(f"unknown option {unknown[0]!r} of gsmooth.run; allowed: "
                            f"{', '.join(allowed)}, device, dtype, root_seed, overlap, progress")
        return cls(**options)


def _real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class Recorder:
    """Collects traces on the device and turns them into host arrays once.

    Parameters
    ----------
    problem : Problem
    k : int
        Number of runs.
    recording : Recording
        What to record and when to stop a run.
    """

    def __init__(self, problem, k, recording: Recording):
        if recording.gap_tol is not None and problem.f_star is None:
            raise ValueError(f"gap_tol needs a known f_star, and problem {problem.name!r} has none")
        self.track_grad_norm = recording.track_grad_norm
        self.metric_fn, self.metric = _metric_function(recording.metric, problem), []
        self.problem, self.gap_tol = problem, recording.gap_tol
        self.diverge_factor = recording.diverge_factor
        self.capture_pairs, self.keep_iterates = recording.capture, recording.keep_iterates
        self.status = np.full(k, MAX_STEPS)
        self.converged_at = np.full(k, -1)
        self.iters, self.loss, self.grad_norm, self.samples = [], [], [], []
        self.pairs, self.iterates = [], []
        self.threshold = None
        self.last_grad = None

    def record(self, t, w, samples, active, finite):
        """Record iteration ``t``; return the (k,) host mask of runs that go on.

        ``samples``, ``active`` and ``finite`` are (k,) host arrays: samples drawn
        so far, runs still stepping, runs that never stepped to a non-finite iterate.
        """
        xp = _backend.namespace(w)
        metric = None
        if self.track_grad_norm:
            loss, grad = self.problem.value_and_grad(w)
            self.last_grad = grad
            self.grad_norm.append(row_norm(grad)[:, 0])
        else:
            if self.metric_fn is None:
                loss = self.problem.value(w)
            else:
                loss, metric = self.problem.value_and_metric(w, self.metric_fn)
            self.grad_norm.append(xp.full_like(loss, float("nan")))
        self.iters.append(t)
        self.loss.append(loss)
        self.samples.append(samples)
        if self.metric_fn is not None:
            metric = self.metric_fn(w) if metric is None else metric
            if not self.metric:
                self._check_metric(metric)
            self.metric.append(metric)
        if self.keep_iterates:
            self.iterates.append(w)
        return self._update_status(t, _backend.to_host(loss), finite) & active

    def _check_metric(self, metric) -> None:
        """A user's metric must give one value per run: shape ``(k,)``."""
        k = self.status.size
        shape = getattr(metric, "shape", None)
        if isinstance(self.metric_fn, UserFunction) and (shape is None or tuple(shape) != (k,)):
            got = f"a {type(metric).__name__}" if shape is None else f"shape {tuple(shape)}"
            raise UserCodeError.from_output(self.metric_fn.function, got,
                                            f"an array of shape ({k},) (one value per run)",
                                            call=self.metric_fn.calls)

    def _update_status(self, t, loss, finite):
        if self.threshold is None:
            self.threshold = self.diverge_factor * np.maximum(1.0, np.abs(loss))
        running = self.status == MAX_STEPS
        bad = running & ~(finite & np.isfinite(loss))
        self.status[bad] = NONFINITE
        diverged = running & ~bad & (loss > self.threshold)
        self.status[diverged] = DIVERGED
        if self.gap_tol is not None:
            done = (self.status == MAX_STEPS) & (loss - self.problem.f_star <= self.gap_tol)
            self.status[done] = CONVERGED
            self.converged_at[done] = t
        return self.status == MAX_STEPS

    def capture(self, w, w_next):
        """Keep the smoothness data at the record point ``w`` and of the step ``w -> w_next``.

        The Hessian norm ``||hess F(w)||`` (Lanczos on ``problem.hvp``, on the
        run's device, warm-started from this run's last record) with its
        error estimate, and the directional pairs of the step.
        """
        grad_next = self.problem.grad(w_next)
        grad_mid = self.problem.grad(0.5 * (w + w_next))
        top = hessian_norm(self.problem, w, getattr(self, "_top_vectors", None))
        self._top_vectors = top.vector  # the warm start of the next record
        self.pairs.append(
            [row_norm(w_next - w)[:, 0], row_norm(grad_next - self.last_grad)[:, 0],
             row_norm(grad_mid - self.last_grad)[:, 0], top.norm, top.error,
             namespace(w).astype(top.converged, w.dtype)]
        )

    def pad(self, grid):
        """Repeat the last record at the grid points left after every run stopped."""
        for t in grid[len(self.iters):]:
            self.iters.append(int(t))
            for trace in (self.loss, self.grad_norm, self.samples, self.metric):
                if trace:
                    trace.append(trace[-1])
            if self.keep_iterates:
                self.iterates.append(self.iterates[-1])

    def arrays(self, k):
        """Host arrays: iters, samples, loss, grad_norm (n_records, k) and captures."""
        iters = np.repeat(np.asarray(self.iters)[:, None], k, axis=1)
        out = {"iters": iters, "samples": _stack(self.samples), "loss": _stack(self.loss),
               "grad_norm": _stack(self.grad_norm),
               "metric": _stack(self.metric) if self.metric else None}
        captured = {}
        if self.capture_pairs:
            captured = self._pair_arrays(len(self.iters), k)
        if self.keep_iterates:
            captured["iterates"] = _stack(self.iterates)
        return out, captured

    def _pair_arrays(self, n_records, k):
        names = ("step_norm", "grad_diff_norm", "midpoint_diff_norm", "hessian_norm",
                 "hessian_error", "hessian_converged")
        out = {name: np.full((n_records, k), np.nan) for name in names}
        for i, row in enumerate(self.pairs):
            for name, value in zip(names, row):
                out[name][i] = _backend.to_host(value)
        return out


def _metric_function(metric, problem):
    """``metric`` as the user's function (see the module docstring); ``None`` and the
    problem's own methods as they are."""
    if metric is None or getattr(metric, "__self__", None) is problem:
        return metric
    return UserFunction(metric)


def _stack(trace):
    return np.stack([_backend.to_host(x) for x in trace])
