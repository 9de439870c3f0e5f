"""Smoothness of a network per block, side by side: the Hessian norm against the gradient norm.

:func:`block_smoothness_figure` draws one panel per block of probe tables
(:func:`gsmooth.torch.probe_table`; long tables of NumPy columns, so this
module needs no torch): the pairs (``grad_norm``, ``hessian_norm``) of every
labelled group of runs (e.g. one optimizer's seeds) in its colour and marker
(:func:`gsmooth.plots.labels.series_styles`, by the order of the groups), the
directional (midpoint) ratios of the same records as small grey crosses
(a proxy, drawn beside the quantity the condition uses), and the fitted
envelope ``L0 + L1 g^alpha`` of the block with its constants.
"""

from __future__ import annotations

import numpy as np

from gsmooth.plots.axes import legend_below, legend_entries, place_notes, tidy_log_ticks
from gsmooth.plots.labels import series_styles
from gsmooth.plots.style import MAX_WIDTH, new_figure, save_figure, styled


def _rows(table, block, column):
    rows = table["block"] == block
    g, r = table["grad_norm"][rows], table[column][rows]
    keep = np.isfinite(g) & np.isfinite(r) & (g > 0) & (r > 0)
    return g[keep], r[keep]


def _constants(estimate, interval) -> str:
    text = rf"$L_0 = {estimate.L0:.2g}$, $L_1 = {estimate.L1:.2g}$, $\alpha = {estimate.alpha:.2f}$"
    if interval:
        low, high = interval["alpha"]
        text += f" [{low:.2f}, {high:.2f}]"
    return text


@styled
def block_smoothness_figure(tables: dict, estimates: dict, path, names: dict | None = None,
                            directional: bool = True, title: str | None = None, *,
                            format: str | None = None) -> str:
    """One log-log panel per block: pairs per group, directional ratios, the fitted envelope.

    Parameters
    ----------
    tables : dict of str to dict of ndarray
        Label of a group of runs (e.g. an optimizer) to its probe table.
    estimates : dict of str to estimate
        Per block, an object with ``L0, L1, alpha``, ``envelope(g)`` and
        ``intervals`` (``{"alpha": (low, high), ...}`` or ``None``), as
        :func:`gsmooth.torch.block_smoothness` returns.
    path : str or Path
        Where the figure is written.
    names : dict of str to str, optional
        Panel titles of the blocks (default: the block names).
    directional : bool
        Also draw the directional (midpoint) ratios.
    title : str, optional
        Figure title.
    format : {"png", "pdf", "svg"}, optional
        File format; default: the suffix of ``path``.

    Returns
    -------
    str
        The path written.
    """
    blocks = list(estimates)
    names = names or {}
    styles = series_styles(tables)
    ncols = min(len(blocks), 2 if len(blocks) <= 4 else 3)
    nrows = -(-len(blocks) // ncols)
    fig, axes = new_figure(ncols=ncols, nrows=nrows, width=MAX_WIDTH / max(ncols, 2), height=2.3)
    notes = []
    for k, (ax, block) in enumerate(zip(axes, blocks)):
        low, high = np.inf, 0.0
        for label, table in tables.items():
            g, r = _rows(table, block, "hessian_norm")
            style = styles[label]
            ax.scatter(g, r, s=6, alpha=0.6, color=style.color, marker=style.marker, linewidths=0,
                       label=label, zorder=2)
            if directional:
                gd, rd = _rows(table, block, "directional")
                ax.scatter(gd, rd, s=5, marker="x", color="0.6", alpha=0.35, linewidths=0.5, zorder=1,
                           label="directional (midpoint) ratio, all runs")
            if g.size:
                low, high = min(low, g.min()), max(high, g.max())
        estimate = estimates[block]
        if high > 0:
            grid = np.geomspace(low, high, 100)
            ax.plot(grid, estimate.envelope(grid), color="black", linewidth=1.4, zorder=3,
                    label=r"envelope $L_0 + L_1 g^\alpha$ of the Hessian norms")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(names.get(block, block))
        ax.set_xlabel(r"$g = \|\nabla_b f_P(w_t)\|$" if block != "all" else r"$g = \|\nabla f_P(w_t)\|$")
        if k % ncols == 0:
            ax.set_ylabel(r"$\|\nabla^2_{bb} f_P(w_t)\|$")
        tidy_log_ticks(ax)
        notes.append((ax, _constants(estimate, estimate.intervals)))
    for ax in axes[len(blocks):]:
        ax.set_visible(False)
    handles, labels = legend_entries(axes[:len(blocks)])
    order = sorted(range(len(labels)), key=lambda i: labels[i] not in tables)
    if title:
        fig.suptitle(title)
    legend = legend_below(fig, [handles[i] for i in order], [labels[i] for i in order],
                          title="Hessian norm per run group (points)", markerscale=2.0)
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)
    place_notes(fig, notes)
    return save_figure(fig, path, format)
