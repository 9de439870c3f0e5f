"""The shape every optimizer shares: a direction, a scaling and their hyperparameters.

An :class:`Optimizer` is data: a name, a direction
(:mod:`gsmooth.optim.directions`: gradient, momentum, SPIDER or two independent
minibatches, with its state), a step size (:mod:`gsmooth.optim.rules`), the
per-run hyperparameters (scalars, or one value per run) and the method's sizes
(minibatch sizes, a period), which fix array shapes.  One step is

    requests    = direction.requests(w, state, hp)          # the gradients it needs
    v, u, state = direction.combine(answers, w, state, hp)  # answers: the engine's
    w_next      = w - step_size(u, hp) * v                   # Optimizer.update

The run engine owns the loop and answers the requests (``(points, batch)``
pairs, see :mod:`gsmooth.optim.directions`): those of every method of a
batch at once.  A new method is a new factory in :mod:`gsmooth.optim.methods`
(and, for a new idea, a new direction or scaling).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from gsmooth._backend import norm_floor, to_device
from gsmooth.optim.directions import GRADIENT, Direction

STOCHASTIC_SIZES = ("batch",)
"""Sizes whose presence makes a method draw minibatches."""

EXPONENTS = ("beta",)
"""Hyperparameters used as exponents: (k, 1) columns even when shared by every run, since
NumPy computes ``x ** e`` for a 0-d ``e = 0.5`` by ``sqrt``, which differs from the
column's ``pow`` in the last bit; a run's result then does not depend on its batch."""


@dataclass(frozen=True)
class Optimizer:
    """A direction and a step size with their hyperparameters.

    Attributes
    ----------
    name : str
        Method name used in reports ("an_gd", "ian_sgd", ...).
    step_size : callable
        ``step_size(u, hp) -> c``, the (k, 1) column (or 0-d array) of each
        run's step size, one of :mod:`gsmooth.optim.rules`.
    hyper : mapping of str to float or sequence of float
        Hyperparameters; a sequence gives one value per run.
    direction : Direction
        ``init(w, hp) -> state``, ``requests(w, state, hp)``, the gradients a
        step needs, and ``combine(answers, w, state, hp) -> (v, u, state)``.
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
    step_size: Callable
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

    def update(self, w, v, u, hp):
        """The next iterates ``w - c v`` from the direction's ``v`` and ``u`` at ``w``,
        ``c = step_size(u, hp)``.

        A step is the direction's gradient requests, answered by the run
        engine, the direction's ``(v, u, state)`` from the answers, and this
        update.

        Examples
        --------
        >>> import numpy as np, gsmooth as gs
        >>> opt = gs.optim.an_gd(0.5, beta=1.0)
        >>> hp = opt.columns(1, np, np.float64)
        >>> g = np.array([[3.0, 4.0]])
        >>> opt.update(np.zeros((1, 2)), g, g, hp).tolist()
        [[-0.30000000000000004, -0.4]]
        """
        return w - self.step_size(u, hp) * v

    def columns(self, k: int, xp, dtype, device=None) -> SimpleNamespace:
        """Every hyperparameter as an array of ``dtype`` in ``xp``, and the sizes as ints.

        One value per run is a (k, 1) column; a value shared by every run is a
        0-d array, which broadcasts to the same products: the same arithmetic,
        without a per-row broadcast (on (k, d) arrays with small ``d`` that
        costs NumPy about four times a pass with a scalar).  Exponents
        (:data:`EXPONENTS`) are always columns.  A size the method does not
        have reads as ``None`` (``hp.batch`` of GD).  ``hp.norm_floor`` is the
        dtype's floor on normalizing norms (:func:`gsmooth._backend.norm_floor`)
        as a 0-d array, made here once for the rules.

        Examples
        --------
        >>> import numpy as np, gsmooth as gs
        >>> hp = gs.optim.nsgd_momentum(0.1, momentum=0.9, beta=0.5, batch=4).columns(2, np, float)
        >>> hp.lr.shape, hp.momentum.shape, hp.beta.shape, hp.batch
        ((), (), (2, 1), 4)
        """
        out = {name: None for name in STOCHASTIC_SIZES}
        out.update(self.sizes)
        for name, value in self.hyper.items():
            values = np.asarray(value, dtype=np.float64)
            if values.ndim and values.shape != (k,):
                raise ValueError(f"{name} has {values.size} values but the batch has {k} runs")
            if values.ndim:
                values = values.reshape(k, 1)
            elif name in EXPONENTS:
                values = np.full((k, 1), values)  # a real column: a strided 0-d view acts as 0-d
            out[name] = to_device(values, xp, device, dtype)
        zero = to_device(np.zeros(()), xp, device, dtype)
        out["norm_floor"] = to_device(np.asarray(norm_floor(zero)), xp, device, dtype)
        return SimpleNamespace(**out)

    def describe(self) -> dict:
        """JSON-ready description: name, hyperparameters and batch sizes."""
        hyper = {k: (v if np.isscalar(v) else list(v)) for k, v in self.hyper.items()}
        return {"name": self.name, **hyper, **self.sizes}
