r"""Scaled steps: how a method turns its direction ``v`` into ``w_{t+1} = w_t - lr s(v)``.

Each function maps the direction ``v`` (k, d) to ``s(v)`` with one factor per
run from :mod:`gsmooth.optim.scalings`; norms are per run
(:func:`gsmooth._backend.row_norm`) and hyperparameters are (k, 1) columns.
Ten methods are three directions (:mod:`gsmooth.optim.directions`) times
these four scalings.
"""

from __future__ import annotations

from gsmooth._backend import row_norm
from gsmooth.optim import scalings


def unscaled(v, w, oracle, hp):
    """``s(v) = v`` (GD, SGD)."""
    return v


def normalized(v, w, oracle, hp):
    """``s(v) = v / ||v||^beta`` (AN-GD, AN-SGD, NSGD, NSGD-momentum, SPIDER)."""
    return v * scalings.power(row_norm(v), hp.beta)


def clipped(v, w, oracle, hp):
    """``s(v) = min(1, clip / (||v|| + offset))^beta v`` (clipped GD and SGD)."""
    return v * scalings.clip(row_norm(v), hp.clip, hp.offset, hp.beta)


def independently_normalized(v, w, oracle, hp):
    """``s(v) = v / h^beta``, ``h = max(1, Gamma (A ||g'|| + delta))``, ``g'`` a minibatch
    gradient of size ``batch2`` drawn independently of ``v`` (IAN-SGD)."""
    g_independent = oracle.gradient(w, hp.batch2)
    return v * scalings.independent(row_norm(g_independent), hp.A, hp.delta, hp.Gamma, hp.beta)
