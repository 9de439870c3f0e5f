"""The (rho, beta) regime map of AN-GD, drawn from :func:`gsmooth.theory.regime_map_data`."""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

from gsmooth._io import write_atomic
from gsmooth.theory.regime_map import regime_map_data

CONTOUR_LEVELS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)


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
