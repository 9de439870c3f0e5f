"""The shape every optimizer shares: a small update rule plus its hyperparameters.

An :class:`Optimizer` is data: a name, a pure update rule
``rule(w, state, oracle, hp) -> (w, state)``, an ``init(w, hp) -> state``, the
per-run hyperparameters (scalars, or one value per run) and the batch sizes
that fix array shapes.  The run engine owns the loop; a rule only says how one
step turns the gradients the oracle hands it into the next iterate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np

from gsmooth._backend import to_device


class NoState(NamedTuple):
    """State of a memoryless rule."""


def no_state(w, hp) -> NoState:
    """``init`` of a memoryless rule."""
    return NoState()


@dataclass(frozen=True)
class Optimizer:
    """An update rule with its hyperparameters.

    Attributes
    ----------
    name : str
        Method name used in reports ("an_gd", "ian_sgd", ...).
    rule : callable
        ``rule(w, state, oracle, hp) -> (w, state)`` on (k, d) iterates; ``hp``
        holds every hyperparameter as a (k, 1) column.
    hyper : mapping of str to float or sequence of float
        Hyperparameters; a sequence gives one value per run.
    init : callable
        ``init(w, hp) -> state``, a ``NamedTuple`` of (k, ...) arrays.
    batch : int or None
        Minibatch size of the method's gradient; ``None`` means full gradients.
    batch2 : int or None
        Size of an independent second minibatch (IAN-SGD).
    period : int or None
        Steps between full-gradient refreshes (SPIDER).
    """

    name: str
    rule: Callable
    hyper: Mapping[str, float | Sequence[float]]
    init: Callable = no_state
    batch: int | None = None
    batch2: int | None = None
    period: int | None = None

    @property
    def stochastic(self) -> bool:
        """Whether the method draws minibatches."""
        return self.batch is not None

    @property
    def n_runs(self) -> int:
        """Number of runs the hyperparameters ask for (1 when all are scalars)."""
        lengths = {len(v) for v in self.hyper.values() if not np.isscalar(v)}
        if len(lengths) > 1:
            raise ValueError(
                f"hyperparameter sequences must have one length, got lengths {sorted(lengths)}"
            )
        return lengths.pop() if lengths else 1

    def columns(self, k: int, xp, dtype, device=None) -> SimpleNamespace:
        """Every hyperparameter as a (k, 1) column of ``dtype`` in ``xp``."""
        out = {}
        for name, value in self.hyper.items():
            values = np.asarray(value, dtype=np.float64)
            if values.ndim == 0:
                values = np.full(k, values)
            if values.shape != (k,):
                raise ValueError(f"{name} has {values.size} values but the batch has {k} runs")
            out[name] = to_device(values.reshape(k, 1), xp, device, dtype)
        return SimpleNamespace(**out)

    def describe(self) -> dict:
        """JSON-ready description: name, hyperparameters and batch sizes."""
        hyper = {k: (v if np.isscalar(v) else list(v)) for k, v in self.hyper.items()}
        sizes = {"batch": self.batch, "batch2": self.batch2, "period": self.period}
        return {"name": self.name, **hyper, **{k: v for k, v in sizes.items() if v is not None}}

