"""Figures of rate verification: decay curves with the derived bound, T(eps) with the theory slope.

Plot data is built by :func:`decay_plot_data` and :func:`teps_plot_data` from
plain arrays and dicts (what ``results.json`` and ``curves.npz`` of a report
hold), so it is tested without pixels; :func:`decay_figure` and
:func:`teps_figure` draw it.

Examples
--------
>>> import numpy as np
>>> sweep = {"eps": [1e-2, 1e-4], "T": [10, 100], "log_T_bound": np.log([30.0, 300.0]).tolist(),
...          "predicted": [0.5, 0.5], "log_factor": False, "delta0": 1.0}
>>> data = teps_plot_data(sweep)
>>> data.slope_T.round(6).tolist()
[10.0, 100.0]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gsmooth.plots.axes import (
    data_range,
    legend_below,
    legend_entries,
    place_notes,
    set_range,
    tidy_log_ticks,
)
from gsmooth.plots.curves import Band, band, draw_bands
from gsmooth.plots.labels import EPS, GAP, PALETTE, REFERENCE, T_EPS, SeriesStyle, math_text, problem_title
from gsmooth.plots.style import MAX_WIDTH, new_figure, save_figure, styled

OBSERVED = SeriesStyle(PALETTE[0], "-", "", 0)
"""The observed runs: the first colour, a solid line without markers."""


@dataclass(frozen=True)
class DecayPlotData:
    """Median band of the gaps, the derived bound and the fitted law, on the record grid."""

    band: Band
    bound_t: np.ndarray | None
    bound: np.ndarray | None
    law_t: np.ndarray
    law: np.ndarray
    label: str
    logx: bool


@dataclass(frozen=True)
class TepsPlotData:
    """Observed T(eps), the derived bound, and the theory slope through the observations."""

    eps: np.ndarray
    T: np.ndarray
    T_bound: np.ndarray
    slope_T: np.ndarray
    label: str


def decay_plot_data(iters, gaps, fit: dict, bound=None) -> DecayPlotData:
    """Build the decay panel: gaps (n, k) against iterations >= 1, law fitted by :func:`fit_decay`.

    A gap of exactly 0 (the run reached ``F*`` in floating point) has no place
    on a log axis: where the median (or a quantile) of the gaps is 0 the band
    is not drawn, rather than drawn at an invented level.  A geometric law is
    drawn against linear ``t``, where it is straight.  The fitted law is drawn
    only over the records it was fitted on and never below the lowest gap of
    the band (the data's floor), so an extrapolation cannot set the panel's range.
    """
    t = np.asarray(iters, dtype=float).reshape(-1)
    gaps = np.asarray(gaps, dtype=float).reshape(t.size, -1)
    keep = t >= 1
    positive = gaps[gaps > 0]
    curves = band(t[keep], np.maximum(gaps[keep], positive.min() if positive.size else 1.0))
    levels = {name: np.quantile(gaps[keep], q, axis=1)
              for name, q in (("median", 0.5), ("low", curves.quantiles[0]), ("high", curves.quantiles[1]))}
    curves = replace(curves, **{name: np.where(levels[name] > 0, getattr(curves, name), np.nan)
                                for name in levels})
    law_t, law, label = _law(t[keep], fit)
    floor = np.nanmin(curves.low) if np.any(np.isfinite(curves.low)) else 0.0
    law = np.where(law >= floor, law, np.nan)
    bound_t = None if bound is None else t[keep]
    bound = None if bound is None else np.asarray(bound, dtype=float)[keep]
    return DecayPlotData(curves, bound_t, bound, law_t, law, label, fit["kind"] != "geometric")


def _law(t, fit):
    """The fitted law over the records it was chosen on (the median-curve fit), and its label."""
    from gsmooth.rates.decay import decay_curve

    first, last = fit.get("span") or (t[0], t[-1])
    lt = t[(t >= first) & (t <= last)]
    if not fit.get("params"):
        return lt, np.full(lt.shape, np.nan), f"fit: {fit['kind']}"
    floor = " + floor" if fit["law"].endswith("+floor") else ""
    label = {"polynomial": lambda: rf"fit $t^{{-{fit['exponent']:.3g}}}${floor}",
             "geometric": lambda: rf"fit ${fit['rate']:.4g}^t${floor}",
             "two-phase": lambda: rf"fit: switch at $t \approx {fit['switch']:.0f}$",
             "plateau": lambda: "fit plateau"}[fit["kind"]]()
    return lt, decay_curve(fit, lt), label


def teps_plot_data(sweep: dict) -> TepsPlotData:
    """Build the T(eps) panel from an :class:`gsmooth.rates.EpsSweep` dict.

    The theory line has the predicted exponent (the largest over the constant
    sets; times ``log(delta0/eps)`` on the boundary regime) and passes through
    the observed point at the middle reached eps.
    """
    eps = np.asarray(sweep["eps"], dtype=float)
    hit = np.asarray(sweep["T"], dtype=float)
    reached = hit >= 1
    predicted = max(sweep["predicted"])
    shape = eps ** -predicted
    if sweep["log_factor"]:
        shape = shape * np.log(sweep["delta0"] / eps)
    anchor = np.flatnonzero(reached)
    middle = anchor[anchor.size // 2] if anchor.size else 0
    scale = hit[middle] / shape[middle] if anchor.size else 1.0
    label = "theory: " + order_text(predicted, sweep["log_factor"])
    with np.errstate(over="ignore"):
        bound = np.exp(np.asarray(sweep["log_T_bound"], dtype=float))
    return TepsPlotData(eps[reached], hit[reached], bound, (scale * shape)[reached], label)


def order_text(exponent: float, log_factor: bool) -> str:
    r"""The order of ``T(eps)`` in mathtext: ``eps^-p``, ``eps^-p log(Delta0/eps)``, or the log alone at p = 0.

    Examples
    --------
    >>> order_text(0.25, False), order_text(0.0, True)
    ('$\\epsilon^{-0.25}$', '$\\log(\\Delta_0/\\epsilon)$')
    """
    log = r"\log(\Delta_0/\epsilon)" if log_factor else ""
    if exponent == 0:
        return f"${log or '1'}$"
    return rf"$\epsilon^{{-{exponent:.3g}}}{log and chr(92) + ',' + log}$"


def case_title(problem: str, method: str) -> str:
    r"""A panel title in words: the problem (:func:`problem_title`) over the method and its settings.

    Examples
    --------
    >>> print(case_title("power(p=4)", "AN-GD beta=1/3, lr=0.05"))
    Power function, $p = 4$
    AN-GD $\beta = 1/3$, $\gamma = 0.05$
    """
    return f"{problem_title(problem)}\n{math_text(method)}"


def draw_decay(ax, data: DecayPlotData, title: str) -> str:
    """Draw one decay panel: median and band, derived bound (dashed), fitted law (dotted).

    Returns the panel's note (the fitted law, a missing bound, a linear ``t``
    axis), which :func:`decay_figure` puts in the corner the data leave free;
    the legend is the figure's, shared by every panel.
    """
    extra = [] if data.bound is None else [data.bound]
    draw_bands(ax, {"observed": data.band}, styles={"observed": OBSERVED}, logx=data.logx,
               xlabel="iteration $t$", ylabel=GAP, title=title, extra=np.concatenate(extra or [[]]))
    lines = [data.label]
    if data.bound is not None:
        ax.plot(data.bound_t, data.bound, label="derived bound", **REFERENCE["bound"])
    else:
        lines.append("no derived bound")
    ax.plot(data.law_t, data.law, label="fitted law (BIC)", **REFERENCE["fit"])
    if not data.logx:
        lines.append("linear $t$ (geometric law)")
    tidy_log_ticks(ax)
    return "\n".join(lines)


def draw_teps(ax, data: TepsPlotData, eps_all, title: str) -> str:
    """Draw one T(eps) panel on log-log axes (eps decreasing to the right); return its note
    (the theory's order, and how many targets the runs did not reach); the legend is the figure's."""
    ax.loglog(eps_all, data.T_bound, label="derived bound", **REFERENCE["bound"])
    ax.loglog(data.eps, data.slope_T, label="theory order through the data", **REFERENCE["fit"])
    ax.loglog(data.eps, data.T, linestyle="none", marker="o", markersize=4, color=OBSERVED.color,
              label=r"observed $T(\epsilon)$", zorder=5)
    ax.invert_xaxis()
    ax.set_xlabel(EPS)
    ax.set_ylabel(T_EPS)
    ax.set_title(title)
    set_range(ax, "y", data_range([data.T, data.T_bound, data.slope_T]))
    tidy_log_ticks(ax)
    missed = len(eps_all) - data.eps.size
    return data.label + (f"\n{missed} of {len(eps_all)} targets not reached" if missed else "")


MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""One marker per tested problem on the regime map."""
DODGE, EDGE = 6.0, 1.95
"""Points apart (horizontally) of tested points that fall on one spot of the map; from ``rho = EDGE``
on they are set to the left of the spot, inside the axes."""


def draw_tested_points(ax, points) -> list:
    """Mark tested ``(rho_low, rho_high, beta, problem)`` points on a regime map; return the handles.

    One marker per problem (named in words); a point with ``rho_low <
    rho_high`` (estimated constants) has a bar over the interval of ``rho``;
    problems tested at the same ``(rho, beta)`` are set side by side (to the
    left at the right edge), so none hides another.
    """
    from matplotlib.transforms import offset_copy

    names = list(dict.fromkeys(p[3] for p in sorted(points, key=lambda p: p[3])))
    spots: dict = {}
    for low, high, beta, name in points:
        spots.setdefault((round((low + high) / 2, 3), round(beta, 3)), []).append(name)
    handles = []
    for marker, name in zip(MARKERS * (len(names) // len(MARKERS) + 1), names):
        for low, high, beta, _ in (p for p in points if p[3] == name):
            middle = (low + high) / 2
            shared = spots[(round(middle, 3), round(beta, 3))]
            place = shared.index(name) - (len(shared) - 1) / 2
            shift = DODGE * (place - (len(shared) - 1) / 2 if middle >= EDGE else place)
            moved = offset_copy(ax.transData, fig=ax.figure, x=shift, y=0.0, units="points")
            handle = ax.errorbar([middle], [beta], xerr=[[middle - low], [high - middle]], fmt=marker,
                                 color="black", markerfacecolor="white", markersize=4.5, capsize=2,
                                 linewidth=0.8, clip_on=False, transform=moved, zorder=8,
                                 label=problem_title(name))
        handles.append(handle)
    return handles


@styled
def tested_regime_figure(points, path, *, format: str | None = None) -> str:
    """The regime map with the tested ``(rho_low, rho_high, beta, problem)`` points
    (:func:`draw_tested_points`), one legend under it; return the path written."""
    from gsmooth.plots.regimes import legend_handles, regime_map

    fig, (ax,) = new_figure(height=2.5)
    regime_map(ax=ax, legend=False)
    handles = legend_handles() + draw_tested_points(ax, points)
    legend_below(fig, handles, [handle.get_label() for handle in handles])
    return save_figure(fig, path, format)


def _grid(n):
    ncols = min(n, 3)
    return new_figure(ncols=ncols, nrows=int(np.ceil(n / ncols)), width=MAX_WIDTH / ncols, height=1.9)


@styled
def decay_figure(panels: list, path, *, format: str | None = None) -> str:
    """Save decay panels ``[(title, DecayPlotData), ...]`` to ``path``; return the path written."""
    fig, axes = _grid(len(panels))
    notes = [(ax, draw_decay(ax, data, title)) for ax, (title, data) in zip(axes, panels)]
    _finish(fig, axes, len(panels))
    handles, labels = legend_entries(axes[:len(panels)])
    runs = max(data.band.n_runs + data.band.n_excluded for _, data in panels)
    labels = [f"observed: median of {runs} runs, 10-90% band" if label == "observed" else label
              for label in labels]
    legend_below(fig, handles, labels)
    place_notes(fig, notes)
    return save_figure(fig, path, format)


def _finish(fig, axes, used: int) -> None:
    """Hide the unused panels; keep the y-label on the first column only (one quantity)."""
    ncols = fig.axes[0].get_gridspec().ncols
    for k, ax in enumerate(axes):
        if k >= used:
            ax.set_visible(False)
        elif k % ncols:
            ax.set_ylabel("")


@styled
def teps_figure(panels: list, path, *, format: str | None = None) -> str:
    """Save T(eps) panels ``[(title, sweep dict), ...]`` to ``path``; return the path written."""
    fig, axes = _grid(len(panels))
    notes = [(ax, draw_teps(ax, teps_plot_data(sweep), np.asarray(sweep["eps"]), title))
             for ax, (title, sweep) in zip(axes, panels)]
    _finish(fig, axes, len(panels))
    legend_below(fig, *legend_entries(axes[:len(panels)]))
    place_notes(fig, notes)
    return save_figure(fig, path, format)
