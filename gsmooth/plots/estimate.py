"""Figures of the estimators: the data, coloured by iteration, with the fitted law.

* :func:`smoothness_figure`: log-log scatter of ``(||grad F||, ||hess F||)``
  (or the pairs fitted), the fitted envelope ``L0 + L1 g^alpha``, the band of
  the envelopes refitted on resampled runs (5%-95% at each ``g``), and, when
  captured, the directional smoothness and its envelope in grey;
* :func:`pl_figure`: ``||grad F||`` against ``F - F*`` with the fitted law
  ``g = (2 mu Delta)^(1/rho)``, tail records marked;
* :func:`noise_figure`: the fitted noise level and the median noise norm per
  point against ``||grad F||``, with ``tau1 g + tau2``.

matplotlib is imported only inside :mod:`gsmooth.plots.style`, on first use.
"""

from __future__ import annotations

import numpy as np

from gsmooth.plots.style import new_figure, save_figure

BAND = (0.05, 0.95)


def _grid(g):
    positive = g[g > 0]
    return np.geomspace(positive.min(), positive.max(), 200)


def _scatter(ax, x, y, iteration, label):
    keep = (x > 0) & (y > 0)
    points = ax.scatter(x[keep], y[keep], c=iteration[keep], s=8, cmap="viridis", alpha=0.8,
                        label=label, linewidths=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    return points


def _colorbar(fig, ax, points):
    fig.colorbar(points, ax=ax, label="iteration")


YLABELS = {"hessian": r"Hessian norm $\|\nabla^2 F(w)\|$", "midpoint": "midpoint ratio",
           "successive": "successive ratio", "region": "two-point ratio"}


def _law(est) -> str:
    return rf"${est.L0:.3g} + {est.L1:.3g}\,g^{{{est.alpha:.3g}}}$"


def smoothness_figure(est, path) -> str:
    """Scatter, envelope and resampling band of a :class:`SmoothnessEstimate`."""
    data = est.data
    fig, (ax,) = new_figure(width=4.8, height=3.4)
    directional = est.directional
    if directional is not None:
        d = directional.data
        keep = (d.g > 0) & (d.r > 0)
        ax.scatter(d.g[keep], d.r[keep], s=7, marker="x", color="0.6", linewidths=0.6,
                   label=f"directional ({d.source} ratio)", zorder=1)
        grid = _grid(d.g)
        ax.plot(grid, directional.envelope(grid), color="0.45", linestyle="--",
                label=f"its envelope {_law(directional)}")
    points = _scatter(ax, data.g, data.r, data.iteration, YLABELS.get(data.source, data.source))
    grid = _grid(data.g)
    if est.replicates is not None:
        reps = est.replicates[:, np.all(np.isfinite(est.replicates), axis=0)]
        curves = reps[0][:, None] + reps[1][:, None] * grid[None, :] ** reps[2][:, None]
        low, high = np.quantile(curves, BAND, axis=0)
        ax.fill_between(grid, low, high, color="C3", alpha=0.2, label="resampled runs")
    ax.plot(grid, est.envelope(grid), color="C3", label=f"{est.fit} {_law(est)}")
    ax.set_xlabel(r"gradient norm $\|\nabla F(w)\|$")
    ylabel = YLABELS.get(data.source, "local smoothness")
    ax.set_ylabel("local smoothness" if directional is not None else ylabel)
    ax.set_title(f"smoothness: {est.problem}" if est.problem else "smoothness")
    _colorbar(fig, ax, points)
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=7)
    return save_figure(fig, path)


def pl_figure(est, path) -> str:
    """Scatter and fitted law of a :class:`PLEstimate`."""
    fig, (ax,) = new_figure(width=4.4, height=3.2)
    points = _scatter(ax, est.gap, est.grad_norm, est.iteration, "records")
    ax.scatter(est.gap[est.in_tail], est.grad_norm[est.in_tail], s=20, facecolors="none",
               edgecolors="k", linewidths=0.5, label="end of descent (slope read here)")
    grid = _grid(est.gap)
    if np.isfinite(est.rho) and est.mu > 0:
        ax.plot(grid, (2 * est.mu * grid) ** (1 / est.rho), color="C3",
                label=f"(2 {est.mu:.3g} Delta)^(1/{est.rho:.3g})")
    star = "estimated" if est.f_star_estimated else "known"
    ax.set_xlabel(f"F(w) - f* (f* {star})")
    ax.set_ylabel("||grad F(w)||")
    ax.set_title(f"generalized PL: {est.problem}")
    ax.legend(loc="upper left")
    _colorbar(fig, ax, points)
    return save_figure(fig, path)


def noise_figure(est, path) -> str:
    """Per-point noise levels and the fitted line of a :class:`NoiseEstimate`."""
    data = est.data
    fig, (ax,) = new_figure(width=4.4, height=3.2)
    points = _scatter(ax, data.g, data.r, data.iteration, f"quantile {est.quantile:g} per point")
    keep = (data.g > 0) & (est.median > 0)
    ax.scatter(data.g[keep], est.median[keep], s=8, marker="x", color="0.5", label="median")
    grid = _grid(data.g)
    ax.plot(grid, est.tau1 * grid + est.tau2, color="C3",
            label=f"{est.tau1:.3g} g + {est.tau2:.3g}")
    ax.set_xlabel("||grad F(w)||")
    ax.set_ylabel(f"||grad f_xi - grad F|| (batch {est.batch})")
    ax.set_title(f"noise: {est.problem}")
    ax.legend(loc="upper left")
    _colorbar(fig, ax, points)
    return save_figure(fig, path)
