r"""Search directions: what a method steps along, before any scaling.

A direction is a pair ``init(w, hp) -> state`` and
``step(w, state, oracle, hp) -> (v, state)``; its state is a ``NamedTuple``
whose array fields have the run axis first (the engine freezes them with the
run) and whose ``int`` fields are shared by every run of the batch (a step
count, as optax keeps ``count``).  ``hp`` holds the float hyperparameters as
(k, 1) columns and the method's sizes (``hp.batch``, ``hp.period``) as ints.

* :data:`GRADIENT` -- ``v = grad F(w)`` (``batch = None``) or a fresh minibatch gradient;
* :data:`MOMENTUM` -- ``m_{t+1} = mu m_t + (1 - mu) g_t``, ``m_0 = 0``;
* :data:`SPIDER` -- ``v_t = grad F(w_t)`` every ``period`` steps, otherwise
  ``v_t = v_{t-1} + g_B(w_t) - g_B(w_{t-1})`` on one fresh minibatch ``B``.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from gsmooth._backend import namespace


class Direction(NamedTuple):
    """A direction: its ``init(w, hp) -> state`` and ``step(w, state, oracle, hp) -> (v, state)``."""

    init: Callable
    step: Callable


class NoState(NamedTuple):
    """State of a memoryless direction."""


def _no_state(w, hp) -> NoState:
    return NoState()


def _gradient(w, state, oracle, hp):
    return oracle.gradient(w, hp.batch), state


class Momentum(NamedTuple):
    """State of the momentum direction: the running average ``m`` (k, d)."""

    m: object


def _zero_momentum(w, hp) -> Momentum:
    return Momentum(namespace(w).zeros_like(w))


def _momentum(w, state, oracle, hp):
    m = hp.momentum * state.m + (1.0 - hp.momentum) * oracle.gradient(w, hp.batch)
    return m, Momentum(m)


class Spider(NamedTuple):
    """State of SPIDER: the estimator ``v``, the previous iterate and the step count."""

    v: object
    w_prev: object
    count: int


def _spider_init(w, hp) -> Spider:
    return Spider(namespace(w).zeros_like(w), w, 0)


def _spider(w, state, oracle, hp):
    if state.count % hp.period == 0:
        v = oracle.full_gradient(w)
    else:
        g_now, g_prev = oracle.same_batch_gradients((w, state.w_prev), hp.batch)
        v = state.v + g_now - g_prev
    return v, Spider(v, w, state.count + 1)


GRADIENT = Direction(_no_state, _gradient)
MOMENTUM = Direction(_zero_momentum, _momentum)
SPIDER = Direction(_spider_init, _spider)
