r"""Update rules: one small function per idea, shared by the deterministic and
stochastic methods.

A rule receives the oracle, whose ``gradient(w)`` is the method's gradient
estimate (the full gradient for GD-type methods, a fresh minibatch gradient for
SGD-type methods), so GD and SGD, AN-GD and AN-SGD, clipped GD and clipped SGD
are each one rule.  Norms are per run, hyperparameters are (k, 1) columns.
"""

from __future__ import annotations

from typing import NamedTuple

from gsmooth._backend import namespace, row_norm


def power_normalize(g, beta):
    """``g / ||g||^beta`` per run, leaving a zero vector at zero."""
    xp = namespace(g)
    norm = row_norm(g)
    safe = xp.where(norm > 0, norm, 1.0)
    return g / safe**beta


def plain(w, state, oracle, hp):
    """``w+ = w - lr g``."""
    return w - hp.lr * oracle.gradient(w), state


def normalized(w, state, oracle, hp):
    """``w+ = w - lr g / ||g||^beta``."""
    return w - hp.lr * power_normalize(oracle.gradient(w), hp.beta), state


def clipped(w, state, oracle, hp):
    """``w+ = w - lr min(1, clip / (||g|| + offset))^beta g``."""
    xp = namespace(w)
    g = oracle.gradient(w)
    factor = xp.minimum(hp.clip / (row_norm(g) + hp.offset), 1.0)
    return w - hp.lr * factor**hp.beta * g, state


def independently_normalized(w, state, oracle, hp):
    """``w+ = w - lr g / h^beta``, ``h = max(1, Gamma (A ||g'|| + delta))``, ``g'`` independent."""
    xp = namespace(w)
    g = oracle.gradient(w)
    g_independent = oracle.independent_gradient(w)
    h = xp.maximum(hp.Gamma * (hp.A * row_norm(g_independent) + hp.delta), 1.0)
    return w - hp.lr * g / h**hp.beta, state


class Momentum(NamedTuple):
    """State of momentum methods: the running average ``m`` (k, d)."""

    m: object


def zero_momentum(w, hp) -> Momentum:
    """``m_0 = 0``."""
    return Momentum(namespace(w).zeros_like(w))


def momentum_normalized(w, state, oracle, hp):
    """``m+ = momentum m + (1 - momentum) g``; ``w+ = w - lr m+ / ||m+||^beta``."""
    m = hp.momentum * state.m + (1.0 - hp.momentum) * oracle.gradient(w)
    return w - hp.lr * power_normalize(m, hp.beta), Momentum(m)


class Spider(NamedTuple):
    """State of SPIDER: the estimator ``v`` and the previous iterate."""

    v: object
    w_prev: object


def spider_init(w, hp) -> Spider:
    """``v_0 = 0``, ``w_{-1} = w_0`` (the first step refreshes)."""
    return Spider(namespace(w).zeros_like(w), w)


def spider(w, state, oracle, hp):
    """Refresh ``v = grad F(w)`` every ``period`` steps, else
    ``v = v + g_B(w) - g_B(w_prev)`` on one minibatch; ``w+ = w - lr v / ||v||^beta``."""
    if oracle.step_index % oracle.period == 0:
        v = oracle.full_gradient(w)
    else:
        g_now, g_prev = oracle.gradients_same_batch((w, state.w_prev))
        v = state.v + g_now - g_prev
    return w - hp.lr * power_normalize(v, hp.beta), Spider(v, w)
