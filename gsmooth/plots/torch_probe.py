"""Smoothness of a network per block, side by side: the Hessian norm against the gradient norm.

:func:`block_smoothness_figure` draws one panel per block of probe tables
(:func:`gsmooth.torch.probe_table`; long tables of NumPy columns, so this
module needs no torch): the pairs (``grad_norm``, ``hessian_norm``) of every
labelled group of runs (e.g. one optimizer's seeds) in its colour, the
directional (midpoint) ratios of the same records as small grey crosses
(a proxy, drawn beside the quantity the condition uses), and the fitted
envelope ``L0 + L1 g^alpha`` of the block with its constants.
"""

from __future__ import annotations

import numpy as np

from gsmooth.plots.style import new_figure, save_figure

#: Okabe-Ito colours, one per group of runs.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _rows(table, block, column):
    rows = table["block"] == block
    g, r = table["grad_norm"][rows], table[column][rows]
    keep = np.isfinite(g) & np.isfinite(r) & (g > 0) & (r > 0)
    return g[keep], r[keep]


def _constants(estimate, interval) -> str:
    text = rf"$L_0$={estimate.L0:.2g}, $L_1$={estimate.L1:.2g}, $\alpha$={estimate.alpha:.2f}"
    if interval:
        low, high = interval["alpha"]
        text += rf" [{low:.2f}, {high:.2f}]"
    return text


def block_smoothness_figure(tables: dict, estimates: dict, path, names: dict | None = None,
                            directional: bool = True, title: str | None = None) -> str:
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

    Returns
    -------
    str
        The path written.
    """
    blocks = list(estimates)
    names = names or {}
    fig, axes = new_figure(ncols=len(blocks), width=2.8, height=3.0)
    for ax, block in zip(axes, blocks):
        low, high = np.inf, 0.0
        for k, (label, table) in enumerate(tables.items()):
            g, r = _rows(table, block, "hessian_norm")
            ax.scatter(g, r, s=6, alpha=0.55, color=COLOURS[k % len(COLOURS)],
                       marker=MARKERS[k % len(MARKERS)], linewidths=0, label=label)
            if directional:
                gd, rd = _rows(table, block, "directional")
                ax.scatter(gd, rd, s=5, marker="x", color="0.6", alpha=0.35, linewidths=0.6,
                           label="directional (midpoint) ratio, all runs" if k == 0 else None)
            if g.size:
                low, high = min(low, g.min()), max(high, g.max())
        estimate = estimates[block]
        if high > 0:
            grid = np.geomspace(low, high, 100)
            ax.plot(grid, estimate.envelope(grid), color="black", linewidth=1.4,
                    label=r"envelope $L_0 + L_1 g^\alpha$")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{names.get(block, block)}\n{_constants(estimate, estimate.intervals)}",
                     fontsize=8)
        ax.set_xlabel(r"$\|\nabla_b f_P(w_t)\|$" if block != "all" else r"$\|\nabla f_P(w_t)\|$")
    axes[0].set_ylabel(r"$\|\nabla^2_{bb} f_P(w_t)\|$ (points), midpoint ratio (x)")
    handles, labels = axes[0].get_legend_handles_labels()
    order = [i for i, label in enumerate(labels) if label in tables] + [
        i for i, label in enumerate(labels) if label not in tables]
    fig.legend([handles[i] for i in order], [labels[i] for i in order],
               loc="outside lower center", ncols=min(len(labels), 4), frameon=False,
               markerscale=2.5)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)
