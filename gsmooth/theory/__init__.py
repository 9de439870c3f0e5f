"""Theory of AN-GD and IAN-SGD, derived with SymPy; a catalog of published rates.

The layer turns assumptions into explicit, checkable statements.  It derives
them rather than copying them from a table: change an exponent or a constant
and the consequence changes with it.

* :func:`an_gd_bound` -- step size, recurrence, ``T(eps)`` with all constants,
  exponent of ``1/eps``, fixed-step decay law and regime, from the descent
  inequality (6) and the generalized PL condition (9);
* :func:`ian_sgd_parameters` -- the IAN-SGD choices ``A, delta, gamma, Gamma``,
  ``Lambda`` and the ``O(Lambda^2 eps^-4)`` iteration bound;
* :func:`catalog`, :func:`compare` -- published bounds as data (each with where it
  was read), evaluated beside the derived AN-GD bound on given constants;
* :func:`pl_worst_case` -- PEPit's numerical worst case of GD under PL beside
  the derived and published contractions (optional extra ``gsmooth[pep]``);
* :func:`regime_map_data` -- the (rho, beta) plane with the three regimes
  (drawn by :func:`gsmooth.plots.regime_map`).

Examples
--------
>>> import gsmooth as gs
>>> bound = gs.theory.an_gd_bound(rho="4/3", beta="2/3")
>>> bound.regime, bound.exponent
('linear', 1/2)
"""

from gsmooth.theory.an_gd import an_gd_bound
from gsmooth.theory.bound import AnGdBound, Branch
from gsmooth.theory.catalog import catalog
from gsmooth.theory.compare import ComparisonRow, ComparisonTable, compare
from gsmooth.theory.decay import FixedStepDecay
from gsmooth.theory.entry import CatalogEntry, Source
from gsmooth.theory.ian_sgd import IanSgdParameters, ian_sgd_parameters
from gsmooth.theory.pep import PlWorstCase, pl_worst_case
from gsmooth.theory.regime_map import RegimeMapData, regime_map_data

__all__ = [
    "AnGdBound",
    "Branch",
    "CatalogEntry",
    "ComparisonRow",
    "ComparisonTable",
    "FixedStepDecay",
    "IanSgdParameters",
    "PlWorstCase",
    "RegimeMapData",
    "Source",
    "an_gd_bound",
    "catalog",
    "compare",
    "ian_sgd_parameters",
    "pl_worst_case",
    "regime_map_data",
]
