"""Figures of a reproduction: the metric against samples and against iterations, one figure per ablation.

Built from saved curves only, so ``gsmooth plot DIR`` redraws them.  Every
method keeps one colour, line style and marker in all figures of a
reproduction (the order of ``rep.curves``); the target and the noise floor
are a black dashed and a grey dotted line, each named in the legend, which
sits under the panels.  Samples are on a linear axis, as in the paper's
figures (said on the panel); iterations on a log axis.
"""

from __future__ import annotations

from pathlib import Path

from gsmooth.plots.axes import blank_handle, fit_title, legend_below, tidy_log_ticks
from gsmooth.plots.curves import band, draw_bands
from gsmooth.plots.labels import REFERENCE, math_text, problem_title, series_styles
from gsmooth.plots.style import (
    MAX_WIDTH,
    PANEL_HEIGHT,
    PANEL_WIDTH,
    check_format,
    new_figure,
    save_figure,
    styled,
)

MAIN_FIGURES = ("loss_vs_samples", "loss_vs_iterations")
SAMPLES = "samples drawn (linear, as in the paper)"
ABLATIONS = {"beta": r"$\beta$", "batch2": "the second batch $B'$", "delta": r"$\delta$",
             "tau": r"the noise constants $(\tau_1, \tau_2)$"}


def figure_names(ablation: str | None, format: str = "png") -> tuple[str, ...]:
    """File names the reproduction writes: the two main figures, or one per ablation."""
    check_format(format)
    stems = MAIN_FIGURES if ablation is None else (f"ablation_{ablation}",)
    return tuple(f"{stem}.{format}" for stem in stems)


def draw(rep, folder, format: str = "png") -> list[Path]:
    """Draw every figure of ``rep`` (a :class:`gsmooth.reproduction.Reproduction`) into ``folder``."""
    names = figure_names(rep.ablation, format)
    folder = Path(folder)
    figures = [samples_figure(rep)] if rep.ablation is not None else [samples_figure(rep),
                                                                      iterations_figure(rep)]
    return [Path(save_figure(fig, folder / name)) for fig, name in zip(figures, names)]


@styled
def samples_figure(rep):
    from matplotlib.ticker import EngFormatter

    """The metric against samples drawn, one panel per ablation panel, cut at the common budget."""
    panels = _panels(rep)
    styles = series_styles(c.label for c in rep.curves)
    width = PANEL_WIDTH if len(panels) == 1 else MAX_WIDTH / len(panels)
    fig, axes = new_figure(ncols=len(panels), width=width, height=PANEL_HEIGHT, sharey=True)
    lost = []
    for ax, (panel, group) in zip(axes, panels.items()):
        masks = [c.within(rep.sample_cut) for c in group]
        bands = _bands(group, [c.samples[m] for c, m in zip(group, masks)],
                       [c.metric[m] for c, m in zip(group, masks)])
        draw_bands(ax, bands, styles=_math(styles), xlabel=SAMPLES if len(panels) == 1 else "",
                   ylabel=math_text(rep.metric_label) if ax is axes[0] else "",
                   title=_title(rep) if panel is None else math_text(panel), extra=_reference_values(rep))
        _reference_lines(ax, rep)
        lost += _lost(group, bands)
        ax.set_xlim(0, rep.sample_cut)
        ax.xaxis.set_major_formatter(EngFormatter(places=0, sep=""))
        tidy_log_ticks(ax)
    if len(panels) > 1:
        fig.suptitle(_title(rep))
        axes[len(axes) // 2].set_xlabel(SAMPLES)
    else:
        fit_title(axes[0], _title(rep))
    _legend(fig, axes, rep, lost)
    return fig


@styled
def iterations_figure(rep):
    """The metric against iterations (log axis, from t = 1) of every method."""
    styles = series_styles(c.label for c in rep.curves)
    fig, (ax,) = new_figure()
    keep = [c.iters[:, 0] >= 1 for c in rep.curves]
    bands = _bands(rep.curves, [c.iters[k, 0] for c, k in zip(rep.curves, keep)],
                   [c.metric[k] for c, k in zip(rep.curves, keep)])
    draw_bands(ax, bands, styles=_math(styles), logx=True, xlabel="iteration $t$",
               ylabel=math_text(rep.metric_label), title=_title(rep), extra=_reference_values(rep))
    _reference_lines(ax, rep)
    tidy_log_ticks(ax)
    fit_title(ax, _title(rep))
    _legend(fig, [ax], rep, _lost(rep.curves, bands))
    return fig


def _panels(rep) -> dict:
    panels: dict = {}
    for curves in rep.curves:
        panels.setdefault(curves.panel, []).append(curves)
    return panels


def _math(styles: dict) -> dict:
    return {math_text(label): style for label, style in styles.items()}


def _bands(curves, xs, ys) -> dict:
    """Bands of the curves that have at least one finite, non-diverged run, by mathtext label."""
    out = {}
    for c, x, y in zip(curves, xs, ys):
        try:
            out[math_text(c.label)] = band(x, y, c.status)
        except ValueError:
            continue
    return out


def _lost(curves, bands) -> list:
    """Legend notes for curves whose every run diverged (no band to draw)."""
    return [f"{math_text(c.label)}: all {len(c.seeds)} runs diverged"
            for c in curves if math_text(c.label) not in bands]


def _title(rep) -> str:
    name = problem_title(rep.info.get("problem", {}).get("name", rep.title))
    if rep.ablation is None:
        return name
    return f"{name}\nIAN-SGD, ablation of {ABLATIONS.get(rep.ablation, rep.ablation)}"


def _reference_values(rep) -> list:
    return [line["value"] for line in rep.reference_lines]


def _reference_lines(ax, rep) -> None:
    for line in rep.reference_lines:
        role = "target" if line["label"].startswith("target") else "floor"
        label = f"{'target' if role == 'target' else line['label']} {line['value']:.3g}"
        ax.axhline(line["value"], label=label, zorder=1, **REFERENCE[role])


def _legend(fig, axes, rep, lost) -> None:
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    handles += [blank_handle(axes[0]) for _ in lost]
    labels += lost
    seeds = len(rep.seeds)
    title = f"median and 10-90% band over {seeds} seeds" if seeds > 1 else "one seed"
    rule = rep.target_rule.replace(" x ", r" $\times$ ")
    legend_below(fig, handles, labels, title=f"{title}\ntarget: {rule}")
