"""The shape every optimizer shares: a direction, a scaling and their hyperparameters.

An :class:`Optimizer` is data: a name, a direction
(:mod:`gsmooth.optim.directions`: gradient, momentum or SPIDER, with its state),
a scaled step (:mod:`gsmooth.optim.rules`), the per-run hyperparameters (scalars,
or one value per run) and the method's sizes (minibatch sizes, a period), which
fix array shapes.  One step is

    v, state = direction.step(w, state, oracle, hp)
    w_next   = w - lr * scale(v, w, oracle, hp)

The run engine owns the loop; the oracle hands the rule the gradients it asks
for, on the sizes it names.  A new method is a new factory in
:mod:`gsmooth.optim.methods` (and, for a new idea, a new direction or scaling).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from gsmooth._backend import to_device
from gsmooth.optim.directions import GRADIENT, Direction

STOCHASTIC_SIZES = ("batch",)
"""Sizes whose presence makes a method draw minibatches."""


@dataclass(frozen=True)
class Optimizer:
    """A direction and a scaled step with their hyperparameters.

    Attributes
    ----------
    name : str
        Method name used in reports ("an_gd", "ian_sgd", ...).
    scale : callable
        ``scale(v, w, oracle, hp) -> s(v)``, one of :mod:`gsmooth.optim.rules`.
    hyper : mapping of str to float or sequence of float
        Hyperparameters; a sequence gives one value per run.
    direction : Direction
        ``init(w, hp) -> state`` and ``step(w, state, oracle, hp) -> (v, state)``.
    sizes : mapping of str to int
        The method's own integers (``batch``, ``batch2``, ``period``, ...); ``hp``
        carries them as ints.  No ``batch`` means full gradients.

    Examples
    --------
    >>> import gsmooth as gs
    >>> opt = gs.optim.ian_sgd(0.01, 2 / 3, batch=64, batch2=4)
    >>> opt.sizes, opt.stochastic
    ({'batch': 64, 'batch2': 4}, True)
    """

    name: str
    scale: Callable
    hyper: Mapping[str, float | Sequence[float]]
    direction: Direction = GRADIENT
    sizes: Mapping[str, int] = field(default_factory=dict)

    @property
    def stochastic(self) -> bool:
        """Whether the method draws minibatches."""
        return any(self.sizes.get(name) is not None for name in STOCHASTIC_SIZES)

    @property
    def n_runs(self) -> int:
        """Number of runs the hyperparameters ask for (1 when all are scalars)."""
        lengths = {len(v) for v in self.hyper.values() if not np.isscalar(v)}
        if len(lengths) > 1:
            raise ValueError(
                f"hyperparameter sequences must have one length, got lengths {sorted(lengths)}"
            )
        return lengths.pop() if lengths else 1

    def init(self, w, hp):
        """The direction's initial state at the iterates ``w`` (k, d)."""
        return self.direction.init(w, hp)

    def rule(self, w, state, oracle, hp):
        """One step ``w - lr s(v)``: returns the next iterates and state."""
        v, state = self.direction.step(w, state, oracle, hp)
        return w - hp.lr * self.scale(v, w, oracle, hp), state

    def columns(self, k: int, xp, dtype, device=None) -> SimpleNamespace:
        """Every hyperparameter as a (k, 1) column of ``dtype`` in ``xp``, and the sizes as ints.

        A size the method does not have reads as ``None`` (``hp.batch`` of GD).
        """
        out = {name: None for name in STOCHASTIC_SIZES}
        out.update(self.sizes)
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
        return {"name": self.name, **hyper, **self.sizes}
