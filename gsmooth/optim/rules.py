r"""Step sizes: how a method turns its direction ``v`` into ``w_{t+1} = w_t - c v``.

Each function maps ``u`` (k, d), the vector the direction names for the norm
(``u = v`` except for IAN-SGD, whose ``u`` is an independent minibatch
gradient), to the step size ``c`` of every run: a (k, 1) column from
:mod:`gsmooth.optim.scalings`, a function of the norm of ``u`` (per run,
:func:`gsmooth._backend.row_norm`), or the learning rate itself.
Hyperparameters are (k, 1) columns or 0-d arrays (see
:meth:`gsmooth.optim.Optimizer.columns`).  Ten methods are four directions
(:mod:`gsmooth.optim.directions`) times these four step sizes.
"""

from __future__ import annotations

from gsmooth._backend import row_norm
from gsmooth.optim import scalings


def unscaled(u, hp):
    """``c = lr`` (GD, SGD)."""
    return hp.lr


def normalized(u, hp):
    """``c = lr / ||u||^beta`` with ``u = v`` (AN-GD, AN-SGD, NSGD, NSGD-momentum, SPIDER)."""
    return scalings.power(row_norm(u), hp.lr, hp.beta, hp.norm_floor)


def clipped(u, hp):
    """``c = lr min(1, clip / (||u|| + offset))^beta`` with ``u = v`` (clipped GD and SGD)."""
    return scalings.clip(row_norm(u), hp.lr, hp.clip, hp.offset, hp.beta)


def independently_normalized(u, hp):
    """``c = lr / h^beta``, ``h = max(1, Gamma (A ||u|| + delta))``, ``u`` a minibatch
    gradient of size ``batch2`` drawn independently of ``v`` (IAN-SGD)."""
    return scalings.independent(row_norm(u), hp.lr, hp.A, hp.delta, hp.Gamma, hp.beta)
