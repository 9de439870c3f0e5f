"""The (rho, beta) regime map of AN-GD, drawn from :func:`gsmooth.theory.regime_map_data`.

The shading is the regime (the sign of ``rho + beta - 2``), which holds for any
constants; the contours are the exponent ``max(2 - rho, beta)/rho`` of ``1/eps``
derived for ``L0 > 0`` (with ``L0 = 0`` the step-size rule changes the exponent,
e.g. ``(beta - alpha)/rho`` in the two-phase regime), and their labels sit in
the middle of the regions, clear of the axes.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

from gsmooth._io import write_atomic
from gsmooth.theory.regime_map import regime_map_data

CONTOUR_LEVELS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)
LABEL_BETA = {"sublinear": 0.12, "two-phase": 0.92}
"""Heights at which the contour labels are placed in each region."""


def regime_map(points: Sequence[tuple] = (), ax=None, path=None, n: int = 201):
    """Draw the (rho, beta) plane of AN-GD and return the matplotlib Axes.

    Parameters
    ----------
    points : sequence of (rho, beta) or (rho, beta, label)
        Tested points to mark; a label replaces the regime name beside the point.
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

    labels = [point[2] if len(point) > 2 else None for point in points]
    data = regime_map_data(n=n, points=[point[:2] for point in points])
    if ax is None:
        _, ax = plt.subplots(figsize=(5.8, 4.2), layout="constrained")
    ax.contourf(data.rho, data.beta, data.regime, levels=[-1.5, -0.5, 0.5, 1.5],
                colors=["#dbe9f6", "#f2f2f2", "#fde0c5"])
    lines = ax.contour(data.rho, data.beta, data.exponent, levels=CONTOUR_LEVELS, colors="0.35",
                       linewidths=0.7)
    ax.clabel(lines, fmt="%g", fontsize=7, manual=_label_positions(lines.levels))
    ax.plot([1.0, 2.0], [1.0, 0.0], color="black", linewidth=2, label=r"$\rho+\beta=2$ (linear)")
    _mark(ax, data.points, labels)
    ax.text(0.3, 0.45, "sublinear", fontsize=9)
    ax.text(1.66, 0.71, "two-phase", fontsize=9)
    ax.set(xlim=(0, 2), ylim=(0, 1), xlabel=r"$\rho$ (PL exponent)", ylabel=r"$\beta$ (normalization)",
           title=r"AN-GD: exponent of $1/\epsilon$ = max$(2-\rho,\beta)/\rho$ ($L_0 > 0$)")
    ax.legend(loc="lower left", fontsize=7)
    if path is not None:
        suffix = pathlib.Path(path).suffix[1:] or "png"
        write_atomic(path, lambda tmp: ax.figure.savefig(tmp, dpi=150, format=suffix))
    return ax


def _label_positions(levels) -> list:
    """One point per contour level inside its region: (2/(1+e), low beta) or (beta/e, high beta)."""
    positions = []
    for level in levels:
        rho = 2.0 / (1.0 + level)
        if 2.0 - rho > LABEL_BETA["sublinear"]:
            positions.append((rho, LABEL_BETA["sublinear"]))
            continue
        rho = LABEL_BETA["two-phase"] / level
        if rho + LABEL_BETA["two-phase"] > 2.0 and rho <= 1.98:
            positions.append((rho, LABEL_BETA["two-phase"]))
    return positions


def _mark(ax, points, labels) -> None:
    """Mark each point; labels of points close to earlier ones are stacked below them."""
    placed = []
    for (rho, beta, regime), label in zip(points, labels):
        ax.plot(rho, beta, marker="o", color="black", markersize=4, clip_on=False, zorder=5)
        crowd = sum(abs(rho - r) < 0.3 and abs(beta - b) < 0.08 for r, b in placed)
        placed.append((rho, beta))
        dx = -6 if rho > 1.7 else 5
        dy = 6 + 9 * crowd if beta < 0.1 else -10 - 9 * crowd
        ax.annotate(label or regime, (rho, beta), textcoords="offset points", xytext=(dx, dy), fontsize=7,
                    ha="right" if dx < 0 else "left", annotation_clip=False)
