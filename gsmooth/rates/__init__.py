"""Empirical rates: the decay law of a gap sequence and the growth of T(eps).

* :func:`fit_decay` -- polynomial, geometric, two-phase or plateau, chosen by
  BIC on the log-gap, with the evidence and intervals (:mod:`gsmooth.rates.laws`);
* :func:`eps_sweep` -- AN-GD with the theory's step size for each eps, and the
  exponent of ``1/eps`` in ``T(eps)`` on its asymptotic range (:func:`fit_exponent`);
* :mod:`gsmooth.rates.logspace` -- the derived bounds evaluated in log space.
"""

from gsmooth.rates.decay import KINDS, DecayFit, fit_decay
from gsmooth.rates.exponent import ExponentFit, fit_exponent
from gsmooth.rates.logspace import NotCovered, TheoryConstants
from gsmooth.rates.teps import EpsSweep, eps_sweep

__all__ = ["KINDS", "DecayFit", "EpsSweep", "ExponentFit", "NotCovered", "TheoryConstants", "eps_sweep",
           "fit_decay", "fit_exponent"]
