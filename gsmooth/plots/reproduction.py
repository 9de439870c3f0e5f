"""Figures of a reproduction: metric against samples and against iterations, and one
figure per ablation.  Built from saved curves only, so ``gsmooth plot DIR`` redraws them."""

from __future__ import annotations

from pathlib import Path

from gsmooth.plots import band, draw_bands, new_figure, save_figure

MAIN_FIGURES = ("loss_vs_samples.png", "loss_vs_iterations.png")
PANEL_WIDTH, PANEL_HEIGHT = 6.2, 3.2


def figure_names(ablation: str | None) -> tuple[str, ...]:
    """File names the reproduction writes: the two main figures, or one per ablation."""
    return MAIN_FIGURES if ablation is None else (f"ablation_{ablation}.png",)


def draw(rep, folder) -> list[Path]:
    """Draw every figure of ``rep`` (a :class:`gsmooth.reproduction.Reproduction`) into ``folder``."""
    folder = Path(folder)
    if rep.ablation is None:
        return [_versus_samples(rep, folder / MAIN_FIGURES[0]),
                _versus_iterations(rep, folder / MAIN_FIGURES[1])]
    return [_versus_samples(rep, folder / figure_names(rep.ablation)[0])]


def _panels(rep):
    panels: dict = {}
    for curves in rep.curves:
        panels.setdefault(curves.panel, []).append(curves)
    return panels


def _versus_samples(rep, path):
    panels = _panels(rep)
    fig, axes = new_figure(ncols=len(panels), width=PANEL_WIDTH, height=PANEL_HEIGHT)
    for ax, (panel, group) in zip(axes, panels.items()):
        masks = [c.within(rep.sample_cut) for c in group]
        bands = _bands(group, [c.samples[m] for c, m in zip(group, masks)],
                       [c.metric[m] for c, m in zip(group, masks)])
        draw_bands(ax, bands, xlabel="samples drawn", ylabel=rep.metric_label,
                   title=_title(rep, panel))
        _reference_lines(ax, rep, _lost(group, bands))
        ax.set_xlim(0, rep.sample_cut)
    return Path(save_figure(fig, path))


def _versus_iterations(rep, path):
    fig, axes = new_figure(width=PANEL_WIDTH, height=PANEL_HEIGHT)
    bands = _bands(rep.curves, [c.iters[:, 0] for c in rep.curves],
                   [c.metric for c in rep.curves])
    draw_bands(axes[0], bands, xlabel="iteration t", ylabel=rep.metric_label,
               title=_title(rep, None))
    _reference_lines(axes[0], rep, _lost(rep.curves, bands))
    return Path(save_figure(fig, path))


def _bands(curves, xs, ys):
    """Bands of the curves that have at least one finite, non-diverged run."""
    out = {}
    for c, x, y in zip(curves, xs, ys):
        try:
            out[c.label] = band(x, y, c.status)
        except ValueError:
            continue
    return out


def _lost(curves, bands):
    """Legend notes for curves whose every run diverged (no band to draw)."""
    return [f"{c.label}: all {len(c.seeds)} runs diverged" for c in curves if c.label not in bands]


def _title(rep, panel):
    seeds = f"{len(rep.seeds)} seeds, median and 10-90% band"
    name = rep.info.get("problem", {}).get("name", rep.title)
    head = name if rep.ablation is None else f"{name}: {rep.ablation} ablation"
    return f"{head}\n{seeds}" if panel is None else f"{head}, {panel}\n{seeds}"


def _reference_lines(ax, rep, notes):
    for line in rep.reference_lines:
        ax.axhline(line["value"], color="0.4", linestyle=line.get("style", "--"), linewidth=0.8,
                   label=line["label"])
    for note in notes:
        ax.plot([], [], linestyle="none", label=note)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
