r"""Scaled steps: how a method turns its direction ``v`` into ``w_{t+1} = w_t - lr s(v)``.

Each function maps the direction ``v`` (k, d) to ``s(v)`` with one factor per
run from :mod:`gsmooth.optim.scalings`, a function of the norm of ``u``, the
vector the direction names for it (``u = v`` except for IAN-SGD, whose ``u``
is an independent minibatch gradient); norms are per run
(:func:`gsmooth._backend.row_norm`) and hyperparameters are (k, 1) columns or
0-d arrays (see :meth:`gsmooth.optim.Optimizer.columns`).
Ten methods are four directions (:mod:`gsmooth.optim.directions`) times
these four scalings.
"""

from __future__ import annotations

from gsmooth._backend import row_norm
from gsmooth.optim import scalings


def unscaled(v, u, hp):
    """``s(v) = v`` (GD, SGD)."""
    return v


def normalized(v, u, hp):
    """``s(v) = v / ||u||^beta`` with ``u = v`` (AN-GD, AN-SGD, NSGD, NSGD-momentum, SPIDER)."""
    return v * scalings.power(row_norm(u), hp.beta)


def clipped(v, u, hp):
    """``s(v) = min(1, clip / (||u|| + offset))^beta v`` with ``u = v`` (clipped GD and SGD)."""
    return v * scalings.clip(row_norm(u), hp.clip, hp.offset, hp.beta)


def independently_normalized(v, u, hp):
    """``s(v) = v / h^beta``, ``h = max(1, Gamma (A ||u|| + delta))``, ``u`` a minibatch
    gradient of size ``batch2`` drawn independently of ``v`` (IAN-SGD)."""
    return v * scalings.independent(row_norm(u), hp.A, hp.delta, hp.Gamma, hp.beta)
