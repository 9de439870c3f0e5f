"""The (rho, beta) plane of AN-GD: three regimes, the line rho + beta = 2, exponent contours.

The data (:func:`regime_map_data`) come from the symbolic derivation: the
exponent is the ``Piecewise`` that :func:`gsmooth.theory.an_gd_bound` derives
with ``rho`` and ``beta`` left free, and the regime is the sign of ``q - 1``.
Drawing is :func:`gsmooth.plots.regime_map`.

Examples
--------
>>> from gsmooth.theory.regime_map import regime_map_data
>>> data = regime_map_data(n=5)
>>> data.exponent.shape, float(data.exponent[-1, -1])
((5, 5), 0.5)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import sympy as sp

from gsmooth._checks import positive_int
from gsmooth.theory.an_gd import an_gd_bound
from gsmooth.theory.exact import BETA, RHO, exact

RHO_MIN = 0.05
"""Smallest rho drawn: the exponent (2 - rho)/rho grows without bound as rho -> 0."""

MIN_GRID = 2
"""Fewest grid points per axis (a contour needs a 2 x 2 grid)."""


@dataclasses.dataclass(frozen=True)
class RegimeMapData:
    """Grid data of the regime map.

    Attributes
    ----------
    rho, beta : numpy.ndarray
        1-D grids, rho in [RHO_MIN, 2] and beta in [0, 1].
    exponent : numpy.ndarray
        Exponent of ``1/eps`` in ``T(eps)``, shape ``(len(beta), len(rho))``.
    regime : numpy.ndarray
        Sign of ``q - 1`` reversed: -1 sublinear, 0 linear, 1 two-phase (same shape).
    points : tuple of (float, float, str)
        Marked points ``(rho, beta, regime)``.
    """

    rho: np.ndarray
    beta: np.ndarray
    exponent: np.ndarray
    regime: np.ndarray
    points: tuple[tuple[float, float, str], ...]


def regime_map_data(n: int = 201, points: Sequence[tuple] = ()) -> RegimeMapData:
    """Evaluate the derived exponent and regime on an ``n`` x ``n`` grid.

    Parameters
    ----------
    n : int
        Grid points per axis.
    points : sequence of (rho, beta)
        Points to mark; each is classified by the same derivation.

    Raises
    ------
    ValueError
        When ``n`` is not an integer >= 2 or a point is outside the ranges of rho and beta.

    Examples
    --------
    >>> regime_map_data(n=1)
    Traceback (most recent call last):
    ...
    ValueError: n must be an integer >= 2 (grid points per axis), got 1
    """
    if positive_int("n", n) < MIN_GRID:
        raise ValueError(f"n must be an integer >= {MIN_GRID} (grid points per axis), got {n!r}")
    marked = tuple((float(exact(r)), float(exact(b)), an_gd_bound(r, b).regime) for r, b in points)
    bound = an_gd_bound(RHO, BETA)
    exponent = sp.lambdify((RHO, BETA), bound.exponent, modules="numpy")
    excess = sp.lambdify((RHO, BETA), -sp.sign(bound.q - 1), modules="numpy")
    rho = np.linspace(RHO_MIN, 2.0, n)
    beta = np.linspace(0.0, 1.0, n)
    grid_rho, grid_beta = np.meshgrid(rho, beta)
    return RegimeMapData(
        rho=rho,
        beta=beta,
        exponent=np.asarray(exponent(grid_rho, grid_beta), dtype=float),
        regime=np.asarray(excess(grid_rho, grid_beta), dtype=float),
        points=marked,
    )

