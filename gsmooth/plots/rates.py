"""Figures of rate verification: decay curves with the derived bound, T(eps) with the theory slope.

Plot data is built by :func:`decay_plot_data` and :func:`teps_plot_data` from
plain arrays and dicts (what ``results.json`` and ``curves.npz`` of a report
hold), so it is tested without pixels; :func:`decay_figure` and
:func:`teps_figure` draw it.

Examples
--------
>>> import numpy as np
>>> sweep = {"eps": [1e-2, 1e-4], "T": [10, 100], "T_bound": [30.0, 300.0],
...          "predicted": 0.5, "log_factor": False, "delta0": 1.0}
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
    law_t, law, label = _law(t[keep], curves.median, fit)
    bound_t = None if bound is None else t[keep]
    bound = None if bound is None else np.asarray(bound, dtype=float)[keep]
    return DecayPlotData(curves, bound_t, bound, law_t, law, label, fit["kind"] != "geometric")


def _law(t, median, fit):
    start, stop = fit["window"]
    inside = (t >= start) & (t <= stop)
    lt, lm = t[inside], median[inside]
    if fit["kind"] == "polynomial":
        p = fit["exponent"]
        return lt, lm[0] * (lt / lt[0]) ** -p, f"fit t^-{p:.3g}"
    if fit["kind"] == "geometric":
        r = fit["rate"]
        return lt, lm[0] * r ** (lt - lt[0]), f"fit {r:.4g}^t"
    floor = fit["floor"] if fit["floor"] is not None else float(np.median(lm))
    label = f"floor, switch t = {fit['switch']:.4g}" if fit["switch"] is not None else "plateau"
    return lt, np.full(lt.shape, floor), label


def teps_plot_data(sweep: dict) -> TepsPlotData:
    """Build the T(eps) panel from an :class:`gsmooth.rates.EpsSweep` dict.

    The theory line has the predicted exponent (times ``log(delta0/eps)`` on
    the boundary regime) and passes through the observed point at the middle
    reached eps.
    """
    eps = np.asarray(sweep["eps"], dtype=float)
    hit = np.asarray(sweep["T"], dtype=float)
    reached = hit >= 1
    shape = eps ** -sweep["predicted"]
    if sweep["log_factor"]:
        shape = shape * np.log(sweep["delta0"] / eps)
    anchor = np.flatnonzero(reached)
    middle = anchor[anchor.size // 2] if anchor.size else 0
    scale = hit[middle] / shape[middle] if anchor.size else 1.0
    log = " log" if sweep["log_factor"] else ""
    label = f"theory eps^-{sweep['predicted']:.3g}{log}"
    return TepsPlotData(eps[reached], hit[reached], np.asarray(sweep["T_bound"], dtype=float),
                        scale * shape, label)


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
