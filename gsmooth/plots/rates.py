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

from dataclasses import dataclass

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

    Zero gaps are drawn at the smallest positive gap (log scale); a geometric
    law is drawn against linear ``t``, where it is straight.
    """
    t = np.asarray(iters, dtype=float).reshape(-1)
    gaps = np.asarray(gaps, dtype=float).reshape(t.size, -1)
    positive = gaps[gaps > 0]
    shown = np.maximum(gaps, positive.min() if positive.size else 1e-300)
    keep = t >= 1
    curves = band(t[keep], shown[keep])
    law_t, law, label = _law(t[keep], fit)
    bound_t = None if bound is None else t[keep]
    bound = None if bound is None else np.asarray(bound, dtype=float)[keep]
    return DecayPlotData(curves, bound_t, bound, law_t, law, label, fit["kind"] != "geometric")


def _law(t, fit):
    """The fitted law over the records (the median-curve fit of the law BIC chose), and its label."""
    from gsmooth.rates.decay import decay_curve

    lt = t
    if not fit.get("params"):
        return lt, np.full(lt.shape, np.nan), f"fit: {fit['kind']}"
    floor = " + floor" if fit["law"].endswith("+floor") else ""
    label = {"polynomial": lambda: f"fit t^-{fit['exponent']:.3g}{floor}",
             "geometric": lambda: f"fit {fit['rate']:.4g}^t{floor}",
             "two-phase": lambda: f"fit two-phase, ends t = {fit['switch']:.4g}",
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
    log = " log" if sweep["log_factor"] else ""
    label = f"theory eps^-{predicted:.3g}{log}"
    with np.errstate(over="ignore"):
        bound = np.exp(np.asarray(sweep["log_T_bound"], dtype=float))
    return TepsPlotData(eps[reached], hit[reached], bound, scale * shape, label)


def draw_decay(ax, data: DecayPlotData, title: str) -> None:
    """Draw one decay panel: median band, derived bound (dashed), fitted law (dotted)."""
    from gsmooth.plots.curves import draw_bands

    draw_bands(ax, {"observed (median, 10-90%)": data.band}, logx=data.logx, xlabel="iteration t",
               ylabel="F(w_t) - F*", title=title)
    if data.bound is not None:
        ax.plot(data.bound_t, data.bound, "k--", linewidth=1, label="derived bound")
    ax.plot(data.law_t, data.law, ":", color="tab:red", linewidth=2, label=data.label)
    ax.legend(frameon=False)


def draw_teps(ax, data: TepsPlotData, eps_all, title: str) -> None:
    """Draw one T(eps) panel on log-log axes."""
    ax.loglog(data.eps, data.T, "o", label="observed T(eps)")
    ax.loglog(eps_all, data.T_bound, "k--", linewidth=1, label="derived bound")
    ax.loglog(eps_all, data.slope_T, ":", color="tab:red", linewidth=2, label=data.label)
    ax.invert_xaxis()
    ax.set_xlabel("eps")
    ax.set_ylabel("iterations T(eps)")
    ax.set_title(title)
    ax.legend(frameon=False)


def draw_tested_points(ax, points) -> None:
    """Mark tested ``(rho_low, rho_high, beta, regime)`` points on a regime map.

    A point with ``rho_low < rho_high`` (estimated constants) is drawn as a bar
    over the interval of ``rho``; the label is the regime (or regimes) predicted.
    """
    for rho_low, rho_high, beta, regime in points:
        middle = (rho_low + rho_high) / 2
        ax.errorbar([middle], [beta], xerr=[[middle - rho_low], [rho_high - middle]], fmt="o",
                    color="black", markersize=4, capsize=2, linewidth=1)
        ax.annotate(regime, (middle, beta), textcoords="offset points", xytext=(4, -10), fontsize=7)


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
    return save_figure(fig, path)


def teps_figure(panels: list, path) -> str:
    """Save T(eps) panels ``[(title, sweep dict), ...]`` to ``path``."""
    from gsmooth.plots.style import save_figure

    fig, axes = _grid(len(panels))
    for ax, (title, sweep) in zip(axes, panels):
        draw_teps(ax, teps_plot_data(sweep), np.asarray(sweep["eps"]), title)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    return save_figure(fig, path)
