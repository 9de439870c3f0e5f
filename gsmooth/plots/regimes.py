r"""The (rho, beta) regime map of AN-GD, :func:`gsmooth.plots.regime_map`.

Drawn from :func:`gsmooth.theory.regime_map_data`.  The shading is the regime (the sign of
``rho + beta - 2``), which holds for
any constants; the grey lines are contours of the exponent
``max(2 - rho, beta)/rho`` of ``1/eps`` derived for ``L0 > 0`` (with
``L0 = 0`` the step-size rule changes the exponent, e.g. ``(beta - alpha)/rho``
in the two-phase regime).  In the sublinear regime the contours are the
vertical lines ``rho = 2/(1 + e)``, labelled in a row at one height; in the
two-phase regime they are the rays ``beta = e rho``, labelled along the ray
in the middle of their stretch there.  The legend under the panel names the
regions, the boundary and the contours; tested points are labelled beside
them where the label overlaps nothing (:func:`gsmooth.plots.axes.place_labels`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gsmooth.plots.axes import blank_handle, least_cost, legend_below, overlap, place_labels, point_box
from gsmooth.plots.labels import math_text
from gsmooth.plots.style import new_figure, save_figure, styled
from gsmooth.theory.regime_map import regime_map_data

CONTOUR_LEVELS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)
SUBLINEAR_LABEL_BETAS = (0.2, 0.1, 0.3, 0.4, 0.5)
"""Heights tried for the sublinear contour labels, first choice first (one row at 0.2)."""
COLOURS = {"sublinear": "#cfe3f3", "two-phase": "#fbd9bd"}
CONTOUR = {"colors": "0.4", "linewidths": 0.6}
LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.9}


@styled
def regime_map(points: Sequence[tuple] = (), ax=None, path=None, n: int = 201, *,
               format: str | None = None, legend: bool = True):
    """Draw the (rho, beta) plane of AN-GD and return the matplotlib Axes.

    Parameters
    ----------
    points : sequence of (rho, beta) or (rho, beta, label)
        Tested points to mark; a point with a label is labelled beside it.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new one-column figure otherwise.
    path : str or path-like, optional
        Where to save the figure.
    n : int
        Grid points per axis.
    format : {"png", "pdf", "svg"}, optional
        File format; default: the suffix of ``path`` (see
        :func:`gsmooth.plots.style.figure_path`).
    legend : bool
        Draw the legend (under the panel); without it a caller composes its
        own from :func:`legend_handles`.
    """
    from matplotlib.lines import Line2D

    labels = [point[2] if len(point) > 2 else None for point in points]
    data = regime_map_data(n=n, points=[point[:2] for point in points])
    own = ax is None
    if own:
        fig, (ax,) = new_figure(height=2.5)
    ax.contourf(data.rho, data.beta, data.regime, levels=[-1.5, -0.5, 0.5, 1.5],
                colors=[COLOURS["sublinear"], "white", COLOURS["two-phase"]])
    ax.contour(data.rho, data.beta, data.exponent, levels=CONTOUR_LEVELS, **CONTOUR)
    ax.plot([1.0, 2.0], [1.0, 0.0], color="black", linewidth=1.8)
    ax.set(xlim=(0, 2), ylim=(0, 1), xlabel=r"PL exponent $\rho$", ylabel=r"normalization $\beta$",
           title=r"AN-GD regimes: $T(\epsilon) = O(\epsilon^{-e})$")
    ax.grid(False)
    handles = legend_handles()
    if data.points:
        xy = [(rho, beta) for rho, beta, _ in data.points]
        ax.plot(*zip(*xy), linestyle="none", marker="o", color="black", markersize=3.5, clip_on=False,
                zorder=6)
        handles.append(Line2D([], [], linestyle="none", marker="o", color="black", markersize=3.5,
                              label=r"tested $(\rho, \beta)$"))
    key = _label_points(ax, data, labels)
    handles += [blank_handle(ax) for _ in key]
    names = [h.get_label() for h in handles[:len(handles) - len(key)]] + key
    if legend and own:
        legend_below(fig, handles, names)
    elif legend:
        ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)
    if path is not None:
        save_figure(ax.figure, path, format)
    return ax


def legend_handles() -> list:
    """Legend handles of the map: the two regions, the boundary and the contours."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [Patch(facecolor=COLOURS["sublinear"], label=r"sublinear, $\rho + \beta < 2$"),
            Line2D([], [], color="black", linewidth=1.8, label=r"linear, $\rho + \beta = 2$ (log factor)"),
            Patch(facecolor=COLOURS["two-phase"], label=r"two-phase, $\rho + \beta > 2$"),
            Line2D([], [], color=CONTOUR["colors"], linewidth=CONTOUR["linewidths"],
                   label=r"$e = \max(2-\rho, \beta)/\rho$ ($L_0 > 0$)")]


def _contour_labels(ax, taken, levels=CONTOUR_LEVELS) -> list:
    """Label each contour of ``levels`` once inside each region, clear of the display boxes
    ``taken``: in a row (sublinear; lower or higher where that spot is taken), along the ray
    (two-phase; in the middle of its stretch, else nearer one end).  Returns ``(level, text)``."""
    texts = []
    for level in levels:
        rho = 2.0 / (1.0 + level)
        sublinear = [((rho, b), 90.0) for b in SUBLINEAR_LABEL_BETAS if b < 2.0 - rho - 0.05]
        two_phase = [(xy, float(np.degrees(np.arctan(level)))) for xy in _two_phase_spots(level)]

        def make(spot, level=level):
            (x, y), angle = spot
            return ax.text(x, y, f"{level:g}", fontsize=7, rotation=angle, transform_rotates_text=True,
                           rotation_mode="anchor", ha="center", va="center", bbox=LABEL_BOX,
                           color="0.25", zorder=4)

        def cost(box):
            return sum(overlap(box, other) for other in taken)

        texts += [(level, least_cost(spots, make, cost)[0]) for spots in (sublinear, two_phase) if spots]
    return texts


def _label_points(ax, data, labels) -> list:
    """Label the contours clear of the markers, then the points clear of both: beside each
    point if every label finds a free place, else by a letter keyed in the legend (returned
    as legend lines); contours whose label a point label still covers are labelled again."""
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.draw_without_rendering()
    marks = [point_box(ax, rho, beta, 4.0) for rho, beta, _ in data.points]
    texts = _contour_labels(ax, marks)
    named = [((rho, beta), math_text(label)) for (rho, beta, _), label in zip(data.points, labels) if label]
    if not named:
        return []
    points = [xy for xy, _ in named]
    placed, clear = place_labels(ax, points, [text for _, text in named], avoid=[t for _, t in texts],
                                 background=LABEL_BOX)
    key = []
    if not clear:
        for label in placed:
            label.remove()
        tags = [chr(ord("a") + k) for k in range(len(named))]
        placed, _ = place_labels(ax, points, tags, avoid=[t for _, t in texts], background=LABEL_BOX,
                                 join=",")
        key = [f"({tag}) {text}" for tag, (_, text) in zip(tags, named)]
    boxes = marks + [label.get_window_extent(renderer) for label in placed]
    covered = {level for level, text in texts
               if any(overlap(text.get_window_extent(renderer), box) for box in boxes)}
    for level, text in texts:
        if level in covered:
            text.remove()
    _contour_labels(ax, boxes, sorted(covered))
    return key


def _two_phase_spots(level: float) -> list:
    """Points of the ray ``beta = level rho`` inside the two-phase triangle, middle first.

    The ray enters at the boundary ``rho = 2/(1 + level)`` and leaves at
    ``rho = 2`` or ``beta = 1``, whichever comes first; none when that
    stretch is too short to hold a label.
    """
    enter = 2.0 / (1.0 + level)
    leave = min(2.0, 1.0 / level)
    if leave - enter < 0.1:
        return []
    return [(rho, level * rho) for rho in (enter + f * (leave - enter) for f in (0.5, 0.3, 0.7, 0.2, 0.8))]
