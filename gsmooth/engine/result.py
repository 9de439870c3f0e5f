"""The result of a batched run: traces per record and run, a status per run.

Status codes follow ``scipy.optimize``: a small table of integers with
messages.  Results save to one ``.npz`` file (arrays plus JSON metadata) that
loads with ``allow_pickle=False``, written atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from gsmooth._io import read_npz, write_npz_atomic
from gsmooth._tables import long_table

MAX_STEPS, CONVERGED, DIVERGED, NONFINITE = 0, 1, 2, 3
STATUS_MESSAGES = {
    MAX_STEPS: "maximum number of steps reached",
    CONVERGED: "converged: the gap reached gap_tol",
    DIVERGED: "diverged: the loss exceeded diverge_factor times its start",
    NONFINITE: "stopped: a non-finite iterate, loss or gradient appeared",
}
STATUS_NAMES = {MAX_STEPS: "max_steps", CONVERGED: "converged", DIVERGED: "diverged",
                NONFINITE: "nonfinite"}
"""Short names of the status codes, for tables and files."""
FAILED = (DIVERGED, NONFINITE)
"""The status codes of runs that failed (their traces are not results to fit or plot)."""


def failed(status) -> np.ndarray:
    """Mask of the runs whose status is one of :data:`FAILED`.

    Examples
    --------
    >>> failed([MAX_STEPS, DIVERGED, CONVERGED, NONFINITE]).tolist()
    [False, True, False, True]
    """
    return np.isin(np.asarray(status), FAILED)
_ARRAYS = ("iters", "samples", "loss", "grad_norm", "status", "converged_at", "w")


@dataclass
class RunResult:
    """Traces of ``k`` runs advanced in lockstep.

    Attributes
    ----------
    iters, samples : ndarray of int, shape (n_records, k)
        Iteration and cumulative samples drawn at each record.
    loss, grad_norm : ndarray, shape (n_records, k)
        Full objective ``F(w_t)`` and ``||grad F(w_t)||`` at each record.
    status : ndarray of int, shape (k,)
        One of :data:`STATUS_MESSAGES` per run.
    converged_at : ndarray of int, shape (k,)
        First recorded iteration with gap <= ``gap_tol``, -1 if none.
    w : ndarray, shape (k, d)
        Final iterates (the last finite iterate of a stopped run).
    seeds : list of int
        Seed of each run.
    problem, optimizer : dict
        Descriptions (name, constants, hyperparameters).
    f_star : float or None
        Known minimum value of the problem.
    capture : dict of str to ndarray
        With ``capture=True``: per record, ``step_norm`` ``||w_{t+1} - w_t||``,
        ``grad_diff_norm`` ``||grad F(w_{t+1}) - grad F(w_t)||`` and
        ``midpoint_diff_norm`` ``||grad F(w_t + d/2) - grad F(w_t)||`` (NaN
        where no step followed, 0 for a run already frozen); with ``keep_iterates=True`` also
        ``iterates`` of shape (n_records, k, d).
    seconds : float
        Wall-clock time of the run (device-synchronized).
    metric : ndarray or None, shape (n_records, k)
        The ``metric`` callable of :func:`gsmooth.run` at each record, if given.
    """

    iters: np.ndarray
    samples: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    status: np.ndarray
    converged_at: np.ndarray
    w: np.ndarray
    seeds: list
    problem: dict
    optimizer: dict
    f_star: float | None = None
    capture: dict = field(default_factory=dict)
    seconds: float = 0.0
    metric: np.ndarray | None = None

    @property
    def gap(self) -> np.ndarray:
        """``F(w_t) - F*`` at each record; needs a known ``f_star``."""
        if self.f_star is None:
            raise ValueError(f"problem {self.problem.get('name')!r} has no known f_star")
        return self.loss - self.f_star

    @property
    def n_runs(self) -> int:
        """Number of runs ``k``."""
        return int(self.status.shape[0])

    def message(self, run: int) -> str:
        """Status message of run ``run``."""
        return STATUS_MESSAGES[int(self.status[run])]

    def summary(self) -> str:
        """A few readable lines: problem, method, final losses and statuses."""
        counts = {STATUS_MESSAGES[s]: int(np.sum(self.status == s)) for s in np.unique(self.status)}
        final = self.loss[-1]
        lines = [
            f"{self.optimizer.get('name')} on {self.problem.get('name')}: {self.n_runs} runs, "
            f"{int(self.iters[-1, 0])} steps, {self.seconds:.3g} s",
            f"final loss: median {np.median(final):.6g}, min {np.min(final):.6g}, "
            f"max {np.max(final):.6g}",
        ]
        lines += [f"{n} run(s): {msg}" for msg, n in counts.items()]
        return "\n".join(lines)

    __str__ = summary

    def to_pandas(self):
        """Long form: one row per record and run (see :func:`gsmooth._tables.long_table`).

        Columns ``run, record, iteration, samples, loss, grad_norm`` (``gap``
        with a known ``f_star``, ``metric`` when recorded), then per run
        ``seed``, ``status`` (its name) and every hyperparameter (its value in
        that run), then ``problem`` and ``method``.

        Examples
        --------
        >>> import gsmooth as gs
        >>> res = gs.run(gs.problems.power(d=2), gs.optim.an_gd(0.1, beta=[0, 1]), 5, record=5)
        >>> table = res.to_pandas()
        >>> table.shape, table["beta"].tolist()
        ((4, 13), [0.0, 1.0, 0.0, 1.0])
        """
        traces = {"iteration": self.iters, "samples": self.samples, "loss": self.loss,
                  "grad_norm": self.grad_norm,
                  "gap": None if self.f_star is None else self.gap, "metric": self.metric}
        hyper = {name: _per_run(value, self.n_runs) for name, value in self.optimizer.items()
                 if name != "name"}
        per_run = {"seed": self.seeds, "status": [STATUS_NAMES[int(s)] for s in self.status],
                   **hyper}
        shared = {"problem": self.problem.get("name"), "method": self.optimizer.get("name")}
        return long_table(traces, per_run, shared)

    def save(self, path) -> None:
        """Write the result to ``path`` (.npz) atomically; see :meth:`load`."""
        meta = {
            "seeds": list(map(int, self.seeds)),
            "problem": self.problem,
            "optimizer": self.optimizer,
            "f_star": self.f_star,
            "seconds": self.seconds,
            "capture": sorted(self.capture),
        }
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        if self.metric is not None:
            arrays["metric"] = self.metric
        arrays.update({f"capture_{k}": v for k, v in self.capture.items()})
        arrays["meta"] = np.array(json.dumps(meta))
        write_npz_atomic(path, arrays)

    @classmethod
    def load(cls, path) -> RunResult:
        """Read a result written by :meth:`save` (no pickle involved)."""
        data = read_npz(path)
        if "meta" not in data:
            raise ValueError(f"{path} is not a run saved by RunResult.save (it has no 'meta')")
        meta = json.loads(str(data["meta"]))
        arrays = {name: data[name] for name in _ARRAYS}
        arrays["metric"] = data.get("metric")
        capture = {k: data[f"capture_{k}"] for k in meta.pop("capture")}
        return cls(**arrays, capture=capture, **meta)


def _per_run(value, k: int) -> list:
    """A hyperparameter's value in each of ``k`` runs (a scalar is every run's)."""
    return list(value) if isinstance(value, (list, tuple)) else [value] * k
