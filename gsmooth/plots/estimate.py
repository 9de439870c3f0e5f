r"""Figures of the estimators: the data, coloured by iteration, with the fitted law.

* :func:`smoothness_figure`: log-log scatter of the pairs
  ``(g, r) = (\|\nabla F(w)\|, \|\nabla^2 F(w)\|)`` (or the pairs fitted),
  the fitted envelope ``L0 + L1 g^alpha``, the 5-95% band of the envelopes
  refitted on resampled runs (outlined, so a narrow band stays visible), and,
  when captured, the directional smoothness and its envelope in grey;
* :func:`pl_figure`: ``\|\nabla F\|`` against ``F - F*`` with the fitted law
  ``\|\nabla F\| = (2 mu (F - F*))^(1/rho)``, the records the slope is read on ringed;
* :func:`noise_figure`: per point, the largest (or ``q``-quantile) and the
  median norm of the minibatch noise against ``\|\nabla F\|``, with
  ``tau1 g + tau2``.

Every symbol is named in the axis labels or the legend; legends sit under
the panel; log axes label decades only (1-2-5 steps under one decade).
"""

from __future__ import annotations

import numpy as np

from gsmooth.plots.axes import fit_title, legend_below, tidy_log_ticks
from gsmooth.plots.labels import PALETTE, problem_title
from gsmooth.plots.style import new_figure, save_figure, styled

BAND = (0.05, 0.95)
FIT_COLOR, DATA_CMAP = PALETTE[1], "viridis"
G = r"$g = \|\nabla F(w)\|$"
YLABELS = {"hessian": r"Hessian norm $\|\nabla^2 F(w)\|$", "midpoint": "midpoint ratio",
           "successive": "successive ratio", "region": "two-point ratio"}


def _grid(g):
    positive = g[g > 0]
    return np.geomspace(positive.min(), positive.max(), 200)


def _scatter(ax, x, y, iteration, label):
    keep = (x > 0) & (y > 0)
    points = ax.scatter(x[keep], y[keep], c=iteration[keep], s=7, cmap=DATA_CMAP, alpha=0.85,
                        label=label, linewidths=0, zorder=2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    return points


def _finish(fig, ax, points, title: str) -> None:
    fig.colorbar(points, ax=ax, label="iteration", pad=0.02, aspect=30)
    fit_title(ax, title)
    tidy_log_ticks(ax)
    legend_below(fig, *ax.get_legend_handles_labels())


def _title(kind: str, est) -> str:
    return f"{kind}: {problem_title(est.problem)}" if est.problem else kind


def _law(est) -> str:
    return rf"${est.L0:.3g} + {est.L1:.3g}\,g^{{{est.alpha:.3g}}}$"


@styled
def smoothness_figure(est, path, *, format: str | None = None) -> str:
    """Scatter, envelope and resampling band of a :class:`SmoothnessEstimate`; return the path written.

    ``format`` (png, pdf, svg) defaults to the suffix of ``path``.
    """
    data = est.data
    fig, (ax,) = new_figure(height=2.5)
    directional = est.directional
    if directional is not None:
        d = directional.data
        keep = (d.g > 0) & (d.r > 0)
        ax.scatter(d.g[keep], d.r[keep], s=6, marker="x", color="0.6", linewidths=0.6,
                   label=f"directional smoothness ({d.source} ratio)", zorder=1)
        grid = _grid(d.g)
        ax.plot(grid, directional.envelope(grid), color="0.35", linestyle=(0, (5, 2)),
                label=f"its envelope {_law(directional)}")
    points = _scatter(ax, data.g, data.r, data.iteration, YLABELS.get(data.source, data.source))
    grid = _grid(data.g)
    if est.replicates is not None:
        reps = est.replicates[:, np.all(np.isfinite(est.replicates), axis=0)]
        curves = reps[0][:, None] + reps[1][:, None] * grid[None, :] ** reps[2][:, None]
        low, high = np.quantile(curves, BAND, axis=0)
        width = float(np.nanmax((high - low) / est.envelope(grid)))
        ax.fill_between(grid, low, high, facecolor=FIT_COLOR, alpha=0.25, edgecolor=FIT_COLOR,
                        linewidth=0.5, zorder=3,
                        label=(f"{BAND[0]:.0%}-{BAND[1]:.0%} of envelopes refitted on resampled runs "
                               f"(at most {width:.0%} of the envelope wide)"))
    ax.plot(grid, est.envelope(grid), color=FIT_COLOR, zorder=4,
            label=rf"{est.fit} $L_0 + L_1 g^\alpha$ = {_law(est)}")
    ax.set_xlabel(f"gradient norm {G}")
    ylabel = YLABELS.get(data.source, "local smoothness")
    ax.set_ylabel("local smoothness" if directional is not None else ylabel)
    _finish(fig, ax, points, _title("Smoothness", est))
    return save_figure(fig, path, format)


@styled
def pl_figure(est, path, *, format: str | None = None) -> str:
    """Scatter and fitted law of a :class:`PLEstimate`; return the path written."""
    fig, (ax,) = new_figure(height=2.5)
    points = _scatter(ax, est.gap, est.grad_norm, est.iteration, "records of the runs")
    ax.scatter(est.gap[est.in_tail], est.grad_norm[est.in_tail], s=18, facecolors="none",
               edgecolors="k", linewidths=0.5, label=r"end of descent, where $\rho$ is read", zorder=3)
    grid = _grid(est.gap)
    if np.isfinite(est.rho) and est.mu > 0:
        ax.plot(grid, (2 * est.mu * grid) ** (1 / est.rho), color=FIT_COLOR, zorder=4,
                label=rf"$(2\mu\Delta)^{{1/\rho}}$, $\mu = {est.mu:.3g}$, $\rho = {est.rho:.3g}$")
    star = "estimated" if est.f_star_estimated else "known"
    ax.set_xlabel(rf"$\Delta = F(w) - F^\star$ ($F^\star$ {star})")
    ax.set_ylabel(r"$\|\nabla F(w)\|$")
    _finish(fig, ax, points, _title("Generalized PL", est))
    return save_figure(fig, path, format)


@styled
def noise_figure(est, path, *, format: str | None = None) -> str:
    """Per-point noise levels and the fitted line of a :class:`NoiseEstimate`; return the path written."""
    data = est.data
    fig, (ax,) = new_figure(height=2.5)
    level = "largest" if est.quantile >= 1 else f"{est.quantile:g}-quantile"
    points = _scatter(ax, data.g, data.r, data.iteration, f"{level} over {est.draws} draws, per point")
    keep = (data.g > 0) & (est.median > 0)
    ax.scatter(data.g[keep], est.median[keep], s=8, marker="x", color="0.5", linewidths=0.6,
               label="median over the draws, per point", zorder=1)
    grid = _grid(data.g)
    ax.plot(grid, est.tau1 * grid + est.tau2, color=FIT_COLOR, zorder=4,
            label=rf"$\tau_1 g + \tau_2$, $\tau_1 = {est.tau1:.3g}$, $\tau_2 = {est.tau2:.3g}$")
    ax.set_xlabel(f"gradient norm {G}")
    ax.set_ylabel(rf"$\|\nabla f_\xi(w) - \nabla F(w)\|$, batch {est.batch}")
    _finish(fig, ax, points, _title("Noise", est))
    return save_figure(fig, path, format)
