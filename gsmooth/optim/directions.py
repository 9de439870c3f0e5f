r"""Search directions: what a method steps along, and the vector whose norm scales the step.

A direction is three plain functions: ``init(w, hp) -> state``;
``requests(w, state, hp)``, the tuple of gradient requests the step needs;
and ``combine(answers, w, state, hp) -> (v, u, state)``, which turns the
answers (one tuple of (k, d) gradients per request, in order) into the
direction ``v``, the vector ``u`` whose norm sets the step size (``u = v``
except for IAN-SGD) and the new state.  A request is a pair ``(points,
batch)``: gradients at each of the (k, d) ``points``, answered by a tuple of
one (k, d) gradient per point; ``batch = None`` asks for full gradients (each
counts ``n`` samples), an int for minibatch gradients on one fresh batch of
that size per run, drawn from the run's own stream and shared by every point
(counted once).  Requests are plain tuples because every step makes them
(making a ``NamedTuple`` costs as much as a small NumPy call).  No direction's
requests depend on the answers to others, so the run engine answers those of
every method of a batch at once (one gather and one product per minibatch
size); a run's minibatches are drawn in the order of its requests.  The
state is a ``NamedTuple`` whose array fields have the run axis first (the
engine freezes them with the run) and whose ``int`` fields are shared by
every run of the batch (a step count, as optax keeps ``count``); ``hp`` holds
the float hyperparameters as (k, 1) columns (0-d arrays when shared by every
run) and the method's sizes (``hp.batch``, ``hp.period``) as ints.

* :data:`GRADIENT` -- ``v = grad F(w)`` (``batch = None``) or a fresh minibatch gradient
  (for a method alone in its batch the run engine answers this one request
  itself, skipping the two calls: :func:`gsmooth.engine.lockstep.propose`);
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
>>> w, hp = np.ones((2, 3)), SimpleNamespace(batch=4)
>>> ((points, batch),) = GRADIENT.requests(w, NoState(), hp)
>>> len(points), batch
(1, 4)
>>> v, u, state = GRADIENT.combine(((np.zeros((2, 3)),),), w, NoState(), hp)
>>> v is u, v.shape
(True, (2, 3))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from gsmooth._backend import namespace


class Direction(NamedTuple):
    """A direction: ``init(w, hp) -> state``, ``requests(w, state, hp) -> ((points, batch), ...)``
    and ``combine(answers, w, state, hp) -> (v, u, state)``."""

    init: Callable
    requests: Callable
    combine: Callable


class NoState(NamedTuple):
    """State of a memoryless direction."""


def _no_state(w, hp) -> NoState:
    return NoState()


def _one_gradient(w, state, hp) -> tuple:
    return (((w,), hp.batch),)


def _gradient(answers, w, state, hp):
    ((g,),) = answers
    return g, g, state


class Momentum(NamedTuple):
    """State of the momentum direction: the running average ``m`` (k, d)."""

    m: object


def _zero_momentum(w, hp) -> Momentum:
    return Momentum(namespace(w).zeros_like(w))


def _momentum(answers, w, state, hp):
    ((g,),) = answers
    m = hp.momentum * state.m + (1.0 - hp.momentum) * g
    return m, m, Momentum(m)


class Spider(NamedTuple):
    """State of SPIDER: the estimator ``v``, the previous iterate and the step count."""

    v: object
    w_prev: object
    count: int


def _spider_init(w, hp) -> Spider:
    return Spider(namespace(w).zeros_like(w), w, 0)


def _spider_requests(w, state, hp) -> tuple:
    """A full gradient on a refresh step, else the minibatch gradients at ``w`` and
    ``w_prev`` on one batch."""
    if state.count % hp.period == 0:
        return (((w,), None),)
    return (((w, state.w_prev), hp.batch),)


def _spider(answers, w, state, hp):
    (gradients,) = answers
    if len(gradients) == 1:  # a refresh: the full gradient
        (v,) = gradients
    else:
        g_now, g_prev = gradients
        v = state.v + g_now - g_prev
    return v, v, Spider(v, w, state.count + 1)


def _two_batches(w, state, hp) -> tuple:
    return (((w,), hp.batch), ((w,), hp.batch2))


def _independent(answers, w, state, hp):
    (g,), (g_other,) = answers
    return g, g_other, state


GRADIENT = Direction(_no_state, _one_gradient, _gradient)
MOMENTUM = Direction(_zero_momentum, _one_gradient, _momentum)
SPIDER = Direction(_spider_init, _spider_requests, _spider)
INDEPENDENT = Direction(_no_state, _two_batches, _independent)
