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

from gsmooth.plots.curves import Band, band


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
    drawn against linear ``t``, where it is straight.
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
             "two-phase": lambda: f"fit: first phase ends at $t$ = {fit['switch']:.4g}",
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
    log = r" $\log(\Delta_0/\epsilon)$" if sweep["log_factor"] else ""
    label = rf"theory: $\epsilon^{{-{predicted:.3g}}}${log}"
    with np.errstate(over="ignore"):
        bound = np.exp(np.asarray(sweep["log_T_bound"], dtype=float))
    return TepsPlotData(eps[reached], hit[reached], bound, scale * shape, label)


def draw_decay(ax, data: DecayPlotData, title: str) -> None:
    """Draw one decay panel: median band, derived bound (dashed), fitted law (dotted).

    The fitted law and its number go in the panel's title; the legend is the
    figure's (:func:`decay_figure`), shared by every panel.
    """
    from gsmooth.plots.curves import draw_bands

    draw_bands(ax, {"observed (median, 10-90% of runs)": data.band}, logx=data.logx,
               xlabel="iteration $t$", ylabel=r"$F(w_t) - F^*$", title=f"{title}\n{data.label}")
    if data.bound is not None:
        ax.plot(data.bound_t, data.bound, "k--", linewidth=1, label="derived bound")
    else:
        ax.text(0.03, 0.05, "no derived bound here (see the check table)", transform=ax.transAxes,
                fontsize=7, color="0.35")
    ax.plot(data.law_t, data.law, ":", color="tab:red", linewidth=2, label="fitted law (BIC)")
    ax.get_legend().remove()


def draw_teps(ax, data: TepsPlotData, eps_all, title: str) -> None:
    """Draw one T(eps) panel on log-log axes; the theory's order goes in the title, the legend is the figure's."""
    ax.loglog(data.eps, data.T, "o", label=r"observed $T(\epsilon)$")
    ax.loglog(eps_all, data.T_bound, "k--", linewidth=1, label="derived bound")
    ax.loglog(eps_all, data.slope_T, ":", color="tab:red", linewidth=2, label="theory order through the data")
    ax.invert_xaxis()
    ax.set_xlabel(r"$\epsilon$")
    ax.set_ylabel(r"iterations $T(\epsilon)$")
    ax.set_title(f"{title}\n{data.label}")


MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""One marker per tested problem on the regime map."""


def draw_tested_points(ax, points) -> None:
    """Mark tested ``(rho_low, rho_high, beta, name)`` points on a regime map, one marker per problem.

    A point with ``rho_low < rho_high`` (estimated constants) is drawn with a
    bar over the interval of ``rho``.  The background gives the regime; a
    legend outside the axes names the problems (the map's own legend is kept).
    """
    names = list(dict.fromkeys(p[3] for p in sorted(points, key=lambda p: p[3])))
    kept = ax.get_legend()
    handles = []
    for marker, name in zip(MARKERS * (len(names) // len(MARKERS) + 1), names):
        mine = [p for p in points if p[3] == name]
        middle = np.array([(low + high) / 2 for low, high, _, _ in mine])
        spread = np.array([[m - low for (low, _, _, _), m in zip(mine, middle)],
                           [high - m for (_, high, _, _), m in zip(mine, middle)]])
        handles.append(ax.errorbar(middle, [p[2] for p in mine], xerr=spread, fmt=marker, color="black",
                                   markerfacecolor="white", markersize=5, capsize=2, linewidth=1,
                                   clip_on=False, label=name))
    if kept is not None:
        ax.add_artist(kept)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, title="tested")


def _grid(n):
    from gsmooth.plots.style import new_figure

    ncols = min(n, 3)
    return new_figure(ncols=ncols, nrows=int(np.ceil(n / ncols)))


def decay_figure(panels: list, path) -> str:
    """Save decay panels ``[(title, DecayPlotData), ...]`` to ``path``."""
    from gsmooth.plots.style import save_figure

    fig, axes = _grid(len(panels))
    for ax, (title, data) in zip(axes, panels):
        draw_decay(ax, data, title)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    handles, labels = _legend_entries(axes[:len(panels)])
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False)
    return save_figure(fig, path)


def _legend_entries(axes):
    """Every distinct labelled line of ``axes``, in order (a panel may lack the derived bound)."""
    entries = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)


def teps_figure(panels: list, path) -> str:
    """Save T(eps) panels ``[(title, sweep dict), ...]`` to ``path``."""
    from gsmooth.plots.style import save_figure

    fig, axes = _grid(len(panels))
    for ax, (title, sweep) in zip(axes, panels):
        draw_teps(ax, teps_plot_data(sweep), np.asarray(sweep["eps"]), title)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    handles, labels = _legend_entries(axes[:len(panels)])
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False)
    return save_figure(fig, path)
