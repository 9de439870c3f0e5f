"""Theory of AN-GD and IAN-SGD, derived with SymPy; a catalog of published rates.

The layer turns assumptions into explicit, checkable statements.  It derives
them rather than copying them from a table: change an exponent or a constant
and the consequence changes with it.

* :func:`an_gd_bound` -- step size, recurrence, ``T(eps)`` with all constants,
  exponent of ``1/eps``, fixed-step decay law and regime, from the descent
  inequality (6) and the generalized PL condition (9);
* :func:`ian_sgd_parameters` -- the IAN-SGD choices ``A, delta, gamma, Gamma``,
  ``Lambda`` and the ``O(Lambda^2 eps^-4)`` iteration bound;
* :func:`catalog`, :func:`compare` -- published rates as data, tabulated;
* :func:`regime_map` -- the (rho, beta) plane with the three regimes.

Examples
--------
>>> import gsmooth as gs
>>> bound = gs.theory.an_gd_bound(rho="4/3", beta="2/3")
>>> bound.regime, bound.exponent
('linear', 1/2)
"""

from gsmooth.theory.an_gd import an_gd_bound
from gsmooth.theory.bound import AnGdBound, Branch
from gsmooth.theory.decay import FixedStepDecay
from gsmooth.theory.published import PublishedRate

__all__ = ["AnGdBound", "Branch", "FixedStepDecay", "PublishedRate", "an_gd_bound"]
