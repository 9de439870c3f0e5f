"""The (rho, beta) plane of AN-GD: three regimes, the line rho + beta = 2, exponent contours.

The data (:func:`regime_map_data`) come from the symbolic derivation: the
exponent is the ``Piecewise`` that :func:`gsmooth.theory.an_gd_bound` derives
with ``rho`` and ``beta`` left free, and the regime is the sign of ``q - 1``.
Drawing (:func:`regime_map`) is separate and imports matplotlib (Agg) only
when called.

Examples
--------
>>> from gsmooth.theory.regime_map import regime_map_data
>>> data = regime_map_data(n=5)
>>> data.exponent.shape, float(data.exponent[-1, -1])
((5, 5), 0.5)
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Sequence

import numpy as np
import sympy as sp

from gsmooth._io import write_atomic
from gsmooth.theory.an_gd import an_gd_bound
from gsmooth.theory.exact import BETA, RHO, exact

RHO_MIN = 0.05
"""Smallest rho drawn: the exponent (2 - rho)/rho grows without bound as rho -> 0."""

CONTOUR_LEVELS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)


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
    """
    bound = an_gd_bound(RHO, BETA)
    exponent = sp.lambdify((RHO, BETA), bound.exponent, modules="numpy")
    excess = sp.lambdify((RHO, BETA), -sp.sign(bound.q - 1), modules="numpy")
    rho = np.linspace(RHO_MIN, 2.0, n)
    beta = np.linspace(0.0, 1.0, n)
    grid_rho, grid_beta = np.meshgrid(rho, beta)
    marked = tuple((float(exact(r)), float(exact(b)), an_gd_bound(r, b).regime) for r, b in points)
    return RegimeMapData(
        rho=rho,
        beta=beta,
        exponent=np.asarray(exponent(grid_rho, grid_beta), dtype=float),
        regime=np.asarray(excess(grid_rho, grid_beta), dtype=float),
        points=marked,
    )


def regime_map(points: Sequence[tuple] = (), ax=None, path=None, n: int = 201):
    """Draw the (rho, beta) plane of AN-GD and return the matplotlib Axes.

    Parameters
    ----------
    points : sequence of (rho, beta)
        Tested points to mark.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure otherwise.
    path : str or path-like, optional
        Where to save the figure (PNG, PDF, ... by suffix).
    n : int
        Grid points per axis.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = regime_map_data(n=n, points=points)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.0), layout="constrained")
    ax.contourf(data.rho, data.beta, data.regime, levels=[-1.5, -0.5, 0.5, 1.5],
                colors=["#dbe9f6", "#f2f2f2", "#fde0c5"])
    lines = ax.contour(data.rho, data.beta, data.exponent, levels=CONTOUR_LEVELS,
                       colors="0.35", linewidths=0.7)
    ax.clabel(lines, fmt="%g", fontsize=7)
    ax.plot([1.0, 2.0], [1.0, 0.0], color="black", linewidth=2, label=r"$\rho+\beta=2$ (linear)")
    _mark(ax, data.points)
    ax.text(0.45, 0.15, "sublinear", fontsize=9)
    ax.text(1.65, 0.85, "two-phase", fontsize=9)
    ax.set(xlim=(0, 2), ylim=(0, 1), xlabel=r"$\rho$ (PL exponent)", ylabel=r"$\beta$ (normalization)",
           title=r"AN-GD: exponent of $1/\epsilon$ = max$(2-\rho,\beta)/\rho$")
    ax.legend(loc="lower left", fontsize=7)
    if path is not None:
        suffix = pathlib.Path(path).suffix[1:] or "png"
        write_atomic(path, lambda tmp: ax.figure.savefig(tmp, dpi=150, format=suffix))
    return ax


def _mark(ax, points) -> None:
    for rho, beta, regime in points:
        ax.plot(rho, beta, marker="o", color="black", markersize=4)
        ax.annotate(regime, (rho, beta), textcoords="offset points", xytext=(4, -10), fontsize=7)
