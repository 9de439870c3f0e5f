"""Optimizers: small update rules over the shared run loop of :func:`gsmooth.run`."""

from gsmooth.optim.base import Optimizer
from gsmooth.optim.methods import (
    an_gd,
    an_sgd,
    clipped_gd,
    clipped_sgd,
    gd,
    ian_sgd,
    nsgd,
    nsgd_momentum,
    sgd,
    spider,
)

__all__ = [
    "Optimizer",
    "an_gd",
    "an_sgd",
    "clipped_gd",
    "clipped_sgd",
    "gd",
    "ian_sgd",
    "nsgd",
    "nsgd_momentum",
    "sgd",
    "spider",
]
