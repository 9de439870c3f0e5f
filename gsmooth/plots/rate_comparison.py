"""The rate-comparison figure: T(eps) against eps for every applicable bound, beside the observed T(eps).

Drawn from saved results only (plain dicts and lists):

* ``comparison``: :meth:`gsmooth.theory.ComparisonTable.as_dict` (or the table):
  one line per row that has a number at every eps and whose assumptions hold --
  gsmooth's derived bound solid black, bounds with explicit constants solid,
  order-only statements dotted and marked "(order, C = 1)", lower bounds
  dash-dotted; a shaded band where the constants were given as intervals;
* ``sweep``: a dict with ``eps`` and ``T`` as written by
  :meth:`gsmooth.rates.EpsSweep.as_dict` (one run per eps) or with ``T`` of
  shape ``(len(eps), runs)``: the median over runs with its quantile band;
  ``T < 0`` (not reached) is left out.

Rows that are not drawn (statement not read, assumptions fail, constants
missing) are counted under the axes, so the figure never hides them silently.

Examples
--------
>>> from gsmooth.theory import compare
>>> table = compare({"L0": 4, "L1": 0, "rho": 2, "mu": 1, "alpha": 0, "beta": 0, "Delta0": 1},
...                 [1e-2, 1e-4, 1e-6], methods=["GD"], target="gap")
>>> data = rate_comparison_data(table, {"eps": [1e-2, 1e-4, 1e-6], "T": [[10, 11], [19, 21], [28, 30]]})
>>> [line.style for line in data.lines]
['derived', 'explicit', 'explicit', 'order']
>>> data.observed.median.tolist(), data.observed.n_runs
([10.5, 20.0, 29.0], 2)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gsmooth.plots.axes import blank_handle, fit_title, legend_below, tidy_log_ticks
from gsmooth.plots.labels import PALETTE, math_text
from gsmooth.plots.style import new_figure, save_figure, styled

BOUND_COLORS = tuple(c for c in PALETTE if c not in ("#D55E00", "#000000"))
"""Okabe-Ito colours of the published bounds: vermilion marks the observed runs, black the derived bound."""
OBSERVED_COLOR = "#D55E00"

LINE_STYLES = {"derived": "-", "explicit": "-", "order": (0, (1, 1.2)), "lower": (0, (5, 1.5, 1, 1.5))}


@dataclasses.dataclass(frozen=True)
class BoundLine:
    """One bound to draw: ``values`` at the comparison's eps, with an optional interval band."""

    label: str
    style: str
    values: np.ndarray
    low: np.ndarray | None
    high: np.ndarray | None


@dataclasses.dataclass(frozen=True)
class ObservedT:
    """Observed first-hitting times: median and quantile band over runs at the reached eps."""

    eps: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n_runs: int
    quantiles: tuple
    unreached: int = 0
    steps: int | None = None


@dataclasses.dataclass(frozen=True)
class RateComparisonData:
    """Everything the figure shows, built without matplotlib."""

    eps: np.ndarray
    lines: tuple
    observed: ObservedT | None
    left_out: dict
    target: str | None


def rate_comparison_data(comparison, sweep: dict | None = None, quantiles=(0.1, 0.9)) -> RateComparisonData:
    """Build the figure's data from a comparison table (or its dict) and an optional sweep dict.

    Raises
    ------
    ValueError
        When the sweep's ``T`` does not have one row per eps.
    """
    table = comparison.as_dict() if hasattr(comparison, "as_dict") else comparison
    eps = np.asarray(table["eps"], dtype=float)
    lines, left_out = [], {}
    for row in table["rows"]:
        reason = _left_out_reason(row)
        if reason is not None:
            left_out[reason] = left_out.get(reason, 0) + 1
            continue
        lines.append(BoundLine(_label(row), _style(row), np.asarray(row["values"], dtype=float),
                               _optional(row.get("low")), _optional(row.get("high"))))
    order = {"derived": 0, "explicit": 1, "lower": 2, "order": 3}
    lines.sort(key=lambda line: order[line.style])
    observed = None if sweep is None else observed_t(sweep, quantiles)
    return RateComparisonData(eps, tuple(lines), observed, left_out, table.get("target"))


def observed_t(sweep: dict, quantiles=(0.1, 0.9)) -> ObservedT:
    """Median and quantile band of ``sweep["T"]`` over runs, at the eps every run reached.

    Examples
    --------
    >>> observed_t({"eps": [0.1, 0.01], "T": [3, -1]}).eps.tolist()
    [0.1]
    """
    eps = np.asarray(sweep["eps"], dtype=float).reshape(-1)
    hits = np.asarray(sweep["T"], dtype=float)
    if hits.ndim == 1:
        hits = hits[:, None]
    if hits.ndim != 2 or hits.shape[0] != eps.size:
        raise ValueError(f"sweep T must have one row per eps ({eps.size}), got shape {np.shape(sweep['T'])}")
    reached = np.all(hits >= 0, axis=1)
    kept = hits[reached]
    return ObservedT(eps[reached], np.median(kept, axis=1), np.quantile(kept, quantiles[0], axis=1),
                     np.quantile(kept, quantiles[1], axis=1), hits.shape[1], tuple(quantiles),
                     int(np.sum(~reached)), sweep.get("steps"))


@styled
def rate_comparison(comparison, sweep: dict | None = None, *, title: str | None = None, ax=None, path=None,
                    quantiles=(0.1, 0.9), format: str | None = None):
    """Draw T(eps) against eps: the bounds of ``comparison`` and the observed ``sweep``; return the Axes.

    Parameters
    ----------
    comparison : ComparisonTable or dict
        :func:`gsmooth.theory.compare` evaluated on the eps grid (``target="gap"``
        to compare with first-hitting times of ``f - f* <= eps``).
    sweep : dict, optional
        ``{"eps": ..., "T": ...}`` (module docstring).
    title : str, optional
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new one-column figure otherwise (legend and
        footnotes under it).
    path : str or path-like, optional
        Where to save the figure.
    quantiles : (float, float)
        Band of the observed runs.
    format : {"png", "pdf", "svg"}, optional
        File format; default: the suffix of ``path``.
    """
    data = rate_comparison_data(comparison, sweep, quantiles)
    own = ax is None
    if own:
        fig, (ax,) = new_figure(height=2.8)
    colors = iter(BOUND_COLORS * 3)
    for line in data.lines:
        color = "black" if line.style == "derived" else next(colors)
        width = 2.0 if line.style == "derived" else 1.3
        ax.plot(data.eps, line.values, linestyle=LINE_STYLES[line.style], color=color, linewidth=width,
                label=math_text(line.label))
        if line.low is not None:
            ax.fill_between(data.eps, line.low, line.high, color=color, alpha=0.15, linewidth=0)
    if data.observed is not None:
        _draw_observed(ax, data.observed)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.invert_xaxis()
    target = r"$F(w_t) - F^\star \leq \epsilon$" if data.target == "gap" else "each bound's own target"
    ax.set(xlabel=r"target accuracy $\epsilon$", ylabel=r"iterations $T(\epsilon)$")
    if title:
        fit_title(ax, math_text(title))
    tidy_log_ticks(ax)
    handles, labels = ax.get_legend_handles_labels()
    notes = [f"target: {target}"] + _footnotes(data)
    handles += [blank_handle(ax) for _ in notes]
    if own:
        legend_below(fig, handles, labels + notes, ncols=1)
    else:
        ax.legend(handles, labels + notes, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=1)
    if path is not None:
        save_figure(ax.figure, path, format)
    return ax


def _footnotes(data: RateComparisonData) -> list:
    notes = []
    if any(line.style == "order" for line in data.lines):
        notes.append("dotted, order only: the published O() with its constant set to 1, not a bound")
    if data.left_out:
        counts = sorted(data.left_out.items())
        notes.append("not drawn: " + "; ".join(f"{count} {'entry' if count == 1 else 'entries'} {reason}"
                                               for reason, count in counts))
    observed = data.observed
    if observed is not None and observed.unreached:
        within = f" within {observed.steps} steps" if observed.steps else ""
        notes.append(f"observed: {observed.unreached} smaller eps not reached{within}")
    return notes


def _draw_observed(ax, observed: ObservedT) -> None:
    low, high = observed.quantiles
    label = (f"observed: median, {low:.0%}-{high:.0%} of {observed.n_runs} runs" if observed.n_runs > 1
             else "observed (1 run)")
    errors = np.vstack([observed.median - observed.low, observed.high - observed.median])
    ax.errorbar(observed.eps, observed.median, yerr=errors, fmt="o", color=OBSERVED_COLOR, markersize=4,
                capsize=2, linewidth=1, label=label, zorder=5)


def _left_out_reason(row: dict) -> str | None:
    if row["basis"].startswith("not evaluable"):
        return "whose statement could not be read"
    if row["applies"] is False:
        return "outside its assumptions"
    if any(value is None or not np.isfinite(value) for value in row["values"]):
        return "missing a constant"
    if row["applies"] is None:
        return "with assumptions not checkable here"
    return None


def _style(row: dict) -> str:
    if row["basis"] == "derived":
        return "derived"
    if row["kind"] == "lower":
        return "lower"
    return "explicit" if row["basis"] == "explicit" else "order"


def _label(row: dict) -> str:
    if row["basis"] == "derived":
        return row["label"]
    suffix = " (order only)" if row["basis"].startswith("order only") else ""
    return f"{row['label']}, {row['source']}{suffix}"


def _optional(values) -> np.ndarray | None:
    return None if values is None else np.asarray(values, dtype=float)
