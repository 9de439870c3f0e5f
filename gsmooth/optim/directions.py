r"""Search directions: what a method steps along, and the vector whose norm scales the step.

A direction is a pair ``init(w, hp) -> state`` and a generator
``step(w, state, hp)`` that yields :class:`Gradients` requests, receives the
gradients of each, and returns ``(v, u, state)``: the direction ``v``, the
vector ``u`` whose norm sets the step size (``u = v`` except for IAN-SGD),
and the new state.  Requests are data, so the run engine can answer those
of every method of a batch at once (one gather and one product per
minibatch size).  The state is a ``NamedTuple`` whose array fields have the
run axis first (the engine freezes them with the run) and whose ``int``
fields are shared by every run of the batch (a step count, as optax keeps
``count``); ``hp`` holds the float hyperparameters as (k, 1) columns (0-d
arrays when shared by every run) and the method's sizes (``hp.batch``,
``hp.period``) as ints.

* :data:`GRADIENT` -- ``v = grad F(w)`` (``batch = None``) or a fresh minibatch gradient;
* :data:`MOMENTUM` -- ``m_{t+1} = mu m_t + (1 - mu) g_t``, ``m_0 = 0``;
* :data:`SPIDER` -- ``v_t = grad F(w_t)`` every ``period`` steps, otherwise
  ``v_t = v_{t-1} + g_B(w_t) - g_B(w_{t-1})`` on one fresh minibatch ``B``;
* :data:`INDEPENDENT` -- ``v = g_B(w)`` and ``u = g_{B'}(w)`` on two independent
  minibatches of sizes ``batch`` and ``batch2`` (IAN-SGD).

Examples
--------
Driving a direction by hand, answering its one request with zeros:

>>> import numpy as np
>>> from types import SimpleNamespace
>>> step = GRADIENT.step(np.ones((2, 3)), NoState(), SimpleNamespace(batch=4))
>>> request = next(step)
>>> request.batch, len(request.points)
(4, 1)
>>> try:
...     step.send((np.zeros((2, 3)),))
... except StopIteration as done:
...     v, u, state = done.value
>>> v is u, v.shape
(True, (2, 3))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from gsmooth._backend import namespace


class Gradients(NamedTuple):
    """A direction's request: gradients at ``points``, answered by a tuple of one (k, d)
    gradient per point.

    ``batch = None`` asks for full gradients (each counts ``n`` samples); an int
    asks for minibatch gradients on one fresh batch of that size per run, drawn
    from the run's own stream and shared by every point (counted once).
    """

    points: tuple
    batch: int | None = None


def gradients_at(*points, batch=None) -> Gradients:
    """The request for gradients at ``points`` on one fresh batch of size ``batch`` (None: full)."""
    return Gradients(points, batch)


class Direction(NamedTuple):
    """A direction: ``init(w, hp) -> state`` and the generator ``step(w, state, hp)``."""

    init: Callable
    step: Callable


class NoState(NamedTuple):
    """State of a memoryless direction."""


def _no_state(w, hp) -> NoState:
    return NoState()


def _gradient(w, state, hp):
    (g,) = yield gradients_at(w, batch=hp.batch)
    return g, g, state


class Momentum(NamedTuple):
    """State of the momentum direction: the running average ``m`` (k, d)."""

    m: object


def _zero_momentum(w, hp) -> Momentum:
    return Momentum(namespace(w).zeros_like(w))


def _momentum(w, state, hp):
    (g,) = yield gradients_at(w, batch=hp.batch)
    m = hp.momentum * state.m + (1.0 - hp.momentum) * g
    return m, m, Momentum(m)


class Spider(NamedTuple):
    """State of SPIDER: the estimator ``v``, the previous iterate and the step count."""

    v: object
    w_prev: object
    count: int


def _spider_init(w, hp) -> Spider:
    return Spider(namespace(w).zeros_like(w), w, 0)


def _spider(w, state, hp):
    if state.count % hp.period == 0:
        (v,) = yield gradients_at(w)
    else:
        g_now, g_prev = yield gradients_at(w, state.w_prev, batch=hp.batch)
        v = state.v + g_now - g_prev
    return v, v, Spider(v, w, state.count + 1)


def _independent(w, state, hp):
    (g,) = yield gradients_at(w, batch=hp.batch)
    (g_other,) = yield gradients_at(w, batch=hp.batch2)
    return g, g_other, state


GRADIENT = Direction(_no_state, _gradient)
MOMENTUM = Direction(_zero_momentum, _momentum)
SPIDER = Direction(_spider_init, _spider)
INDEPENDENT = Direction(_no_state, _independent)
