"""Empirical rates: the decay law of a gap sequence and the growth of T(eps).

* :func:`fit_decay` -- polynomial, geometric, two-phase or plateau, with intervals;
* :func:`eps_sweep` -- AN-GD with the theory's step size for each eps, and the
  fitted exponent of ``1/eps`` in ``T(eps)``.
"""

from gsmooth.rates.decay import KINDS, DecayFit, fit_decay
from gsmooth.rates.teps import EpsSweep, eps_sweep, fit_exponent

__all__ = ["KINDS", "DecayFit", "EpsSweep", "eps_sweep", "fit_decay", "fit_exponent"]
