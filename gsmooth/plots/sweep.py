"""Figures of a sweep: one per problem instance, faceted by the grid's dimensions.

A sweep's curves (one per method table and setting, each over seeds) are
laid out by :func:`facets`:

* a method whose settings do not vary shares one panel with the other such
  methods (a colour per method);
* otherwise the first setting that varies (in the spec's order, e.g. the
  step size) is the colour of the curves, and every combination of the other
  varying settings (e.g. beta, a batch size) is a panel; each method starts
  a row of at most :data:`MAX_COLUMNS` panels.

All panels share log axes (samples drawn, gap or loss), with the y-range set
by the runs that did not diverge and capped a decade above the starting
values; each panel says which settings had runs diverge.  One legend (the
colour values, so it stays short at any grid size) sits under the panels,
with the settings every curve of a method shares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gsmooth.plots.axes import data_range, legend_below, note, set_range, tidy_log_ticks
from gsmooth.plots.curves import band, draw_bands
from gsmooth.plots.labels import GAP, LOSS, parameter, series_styles
from gsmooth.plots.style import MAX_WIDTH, check_format, new_figure, save_figure, styled

MAX_COLUMNS = 4
METHODS = {"gd": "GD", "an_gd": "AN-GD", "clipped_gd": "clipped GD", "sgd": "SGD", "nsgd": "NSGD",
           "nsgd_momentum": "NSGD-momentum", "clipped_sgd": "clipped SGD", "an_sgd": "AN-SGD",
           "ian_sgd": "IAN-SGD", "spider": "SPIDER"}


@dataclass(frozen=True)
class SweepCurve:
    """The runs of one setting of one method table, over seeds.

    Attributes
    ----------
    method : str
        The optimizer table's label in the spec.
    settings : tuple of (str, value)
        Hyperparameters, method options and the step count, in the spec's order.
    samples, values : ndarray, shape (n_records, seeds)
    status : ndarray of int, shape (seeds,)
    gap : bool
        ``values`` are ``F - F*`` (else ``F``, where ``F*`` is unknown).
    name : str
        The method behind the table (``an_gd``); default: ``method``.
    """

    method: str
    settings: tuple
    samples: np.ndarray
    values: np.ndarray
    status: np.ndarray
    gap: bool = True
    name: str = ""

    def __post_init__(self):
        if not self.name:
            object.__setattr__(self, "name", self.method)


@dataclass(frozen=True)
class Panel:
    """One panel: its method (or ``None`` for methods without a grid), the shared settings
    that name it, the setting that colours its curves, and the curves."""

    method: str | None
    facet: tuple
    colour: str | None
    curves: tuple


def facets(curves) -> list[Panel]:
    """Lay the curves of one problem instance out in panels (module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> one = np.ones((2, 1))
    >>> curve = lambda lr, beta: SweepCurve("an_gd", (("lr", lr), ("beta", beta)), one, one, np.zeros(1))
    >>> panels = facets([curve(lr, beta) for beta in (0.5, 1.0) for lr in (0.1, 0.2)])
    >>> [(p.facet, p.colour, len(p.curves)) for p in panels]
    [((('beta', 0.5),), 'lr', 2), ((('beta', 1.0),), 'lr', 2)]
    """
    by_method: dict = {}
    for curve in curves:
        by_method.setdefault(curve.method, []).append(curve)
    panels, single = [], []
    for method, group in by_method.items():
        varying = _varying(group)
        if not varying:
            single.extend(group)
            continue
        colour, rest = varying[0], varying[1:]
        cells: dict = {}
        for curve in group:
            settings = dict(curve.settings)
            cells.setdefault(tuple((key, settings[key]) for key in rest), []).append(curve)
        panels += [Panel(method, facet, colour, tuple(members)) for facet, members in cells.items()]
    if single:
        panels.insert(0, Panel(None, (), None, tuple(single)))
    return panels


def _varying(group) -> list:
    keys = [key for key, _ in group[0].settings]
    return [key for key in keys if len({_setting(c, key) for c in group}) > 1]


def _setting(curve, key):
    return dict(curve.settings).get(key)


def _fixed(group) -> list:
    varying = set(_varying(group))
    return [(key, value) for key, value in group[0].settings if key not in varying]


def method_name(label: str) -> str:
    """A method table's label in words: ``ian_sgd`` -> ``IAN-SGD``; other labels unchanged."""
    return METHODS.get(label, label)


def curve_label(panel: Panel, curve: SweepCurve) -> str:
    """The legend label of a curve: its colour setting, or its method table in a shared panel."""
    if panel.colour is None:
        name = method_name(curve.name)
        return name if curve.method in (curve.name, name) else f"{name} ({curve.method})"
    return parameter(panel.colour, _setting(curve, panel.colour))


def sweep_figures(figures: dict, folder, format: str = "png") -> list[Path]:
    """Draw ``{title: [SweepCurve, ...]}`` (see :func:`gsmooth.sweep.draw.curves`) into ``folder``.

    One file per problem instance, ``sweep-NN-<title>.<format>``; returns the paths.
    """
    check_format(format)
    paths = []
    for number, (title, curves) in enumerate(figures.items()):
        plain = re.sub(r"\\mathrm|[$\\{}]", "", title).replace(" = ", "=")
        slug = re.sub(r"[^A-Za-z0-9.=-]+", "_", plain)[:80].strip("_")
        fig = sweep_figure(title, curves)
        paths.append(Path(save_figure(fig, Path(folder) / f"sweep-{number:02d}-{slug}.{format}")))
    return paths


@styled
def sweep_figure(title: str, curves):
    """One problem instance of a sweep, faceted by :func:`facets`; return the Figure."""
    panels = facets(curves)
    rows = _rows(panels)
    ncols = max(len(row) for row in rows)
    width = min(3.4, MAX_WIDTH / ncols)
    fig, axes = new_figure(ncols=ncols, nrows=len(rows), width=width, height=max(1.8, 0.8 * width),
                           sharex=True, sharey=True)
    titles = dict(zip(map(id, panels), panel_titles(panels)))
    labels = [curve_label(p, c) for p in panels for c in sorted(p.curves, key=lambda c: _order(p, c))]
    styles = series_styles(labels)
    kept = []
    grid = np.array(axes, dtype=object).reshape(len(rows), ncols)
    for r, row in enumerate(rows):
        for c in range(ncols):
            ax = grid[r, c]
            if c >= len(row):
                ax.set_visible(False)
                continue
            bands, lost = _panel_bands(row[c])
            draw_bands(ax, bands, styles=styles, logx=True, title=titles[id(row[c])])
            kept += bands.values()
            if lost:
                note(ax, "runs diverged:\n" + "\n".join(lost), corner="upper right")
    gap = all(c.gap for c in curves)
    starts = [float(np.median(c.values[0])) for c in curves if np.all(np.isfinite(c.values[0]))]
    _shared_range(axes[0], kept, starts)
    for ax in grid[-1]:
        ax.set_xlabel("samples drawn")
    for ax in grid[:, 0]:
        ax.set_ylabel(GAP if gap else LOSS)
    for ax in axes:
        ax.tick_params(labelbottom=True)
        tidy_log_ticks(ax)
    fig.suptitle(title)
    _legend(fig, axes[0], panels, styles)
    return fig


def _rows(panels) -> list:
    """Panels in rows: a row per method with several panels, else as many per row as fit."""
    if len({p.method for p in panels}) == len(panels):
        return [panels[i:i + MAX_COLUMNS] for i in range(0, len(panels), MAX_COLUMNS)]
    rows, current = [], None
    for panel in panels:
        if current is None or panel.method != current or len(rows[-1]) == MAX_COLUMNS:
            rows.append([])
            current = panel.method
        rows[-1].append(panel)
    return rows


def _order(panel, curve):
    value = _setting(curve, panel.colour) if panel.colour else 0
    return value if isinstance(value, (int, float)) else str(value)


def _panel_bands(panel) -> tuple[dict, list]:
    """Bands of the panel's curves (records after the start: log x) and a line per curve with
    diverged runs."""
    bands, lost = {}, []
    for curve in sorted(panel.curves, key=lambda c: _order(panel, c)):
        label = curve_label(panel, curve)
        positive = curve.samples[:, 0] > 0
        try:
            bands[label] = band(curve.samples[positive], np.maximum(curve.values[positive], 1e-300),
                                curve.status)
            excluded = bands[label].n_excluded
        except ValueError:
            excluded = curve.status.size
        if excluded:
            lost.append(f"{label}: {excluded} of {curve.status.size}")
    return bands, lost


def panel_titles(panels) -> list:
    """A title per panel: the method's name and the panel's settings, plus the fixed settings
    that tell apart two tables of one method (``an_gd`` at beta 1 and at beta 5/6)."""
    base = [_name(p) + "".join(f", {parameter(k, v)}" for k, v in p.facet) for p in panels]
    titles = []
    for panel, title in zip(panels, base):
        twins = [p for p, t in zip(panels, base) if t == title and p is not panel]
        if twins:
            own = dict(_fixed(list(panel.curves)))
            differ = [k for k in own if any(dict(_fixed(list(t.curves))).get(k) != own[k] for t in twins)]
            title += "".join(f", {parameter(k, own[k])}" for k in differ)
        titles.append(title)
    return titles


def _name(panel) -> str:
    return "every method" if panel.method is None else method_name(panel.curves[0].name)


def _shared_range(ax, bands, starts) -> None:
    """One y-range for all (shared) panels: the kept runs, capped a decade above the largest
    starting value (so a transient excursion of a run that did not diverge is clipped)."""
    starts = [value for value in starts if value > 0]
    values = [b.low for b in bands] + [b.high for b in bands]
    set_range(ax, "y", data_range(values, cap=10.0 * max(starts) if starts else None))


def _legend(fig, ax, panels, styles) -> None:
    """The colour values, under a title naming the band and the settings each method keeps fixed."""
    handles = [ax.plot([], [], label=label, **style.line())[0] for label, style in styles.items()]
    seeds = max(c.status.size for p in panels for c in p.curves)
    lines = [f"median and 10-90% band over {seeds} seeds" if seeds > 1 else "one seed per curve"]
    for method in dict.fromkeys(p.method for p in panels if p.method is not None):
        group = [c for p in panels if p.method == method for c in p.curves]
        fixed = _fixed(group)
        if fixed:
            name = method_name(group[0].name)
            table = name if method in (group[0].name, name) else f"{name} ({method})"
            lines.append(f"{table}: " + ", ".join(parameter(k, v) for k, v in fixed))
    legend_below(fig, handles, list(styles), title="\n".join(lines))
