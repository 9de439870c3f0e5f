"""The shape every optimizer shares: a small update rule plus its hyperparameters.

An :class:`Optimizer` is data: a name, a pure update rule
``rule(w, state, oracle, hp) -> (w, state)``, an ``init(w, hp) -> state``, the
per-run hyperparameters (scalars, or one value per run) and the batch sizes
that fix array shapes.  The run engine owns the loop; a rule only says how one
step turns the gradients the oracle hands it into the next iterate.
"""

from __future__ import annotations

import math
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


def _values(name, value):
    values = [value] if np.isscalar(value) else list(value)
    if not values:
        raise ValueError(f"{name} must be a number or a non-empty sequence, got []")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise ValueError(f"{name} must be a real number, got {v!r}")
    return [float(v) for v in values]


def _normalize(value):
    return value if np.isscalar(value) else tuple(float(v) for v in value)


def check_interval(name, value, low, high, *, low_open=False, high_open=False):
    """Check every value of ``value`` lies in the interval; return it as float or tuple."""
    for v in _values(name, value):
        below = v <= low if low_open else v < low
        above = v >= high if high_open else v > high
        if below or above or math.isnan(v):
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            high_text = "inf" if high == math.inf else f"{high:g}"
            raise ValueError(f"{name} must be in {left}{low:g}, {high_text}{right}, got {v:g}")
    return _normalize(value)


def check_positive(name, value):
    """Check every value is finite and > 0."""
    for v in _values(name, value):
        if not (v > 0 and math.isfinite(v)):
            raise ValueError(f"{name} must be positive and finite, got {v:g}")
    return _normalize(value)


def check_nonnegative(name, value):
    """Check every value is finite and >= 0."""
    for v in _values(name, value):
        if not (v >= 0 and math.isfinite(v)):
            raise ValueError(f"{name} must be non-negative and finite, got {v:g}")
    return _normalize(value)


def check_size(name, value):
    """Check a batch size or period: one positive integer (it fixes array shapes)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
