"""Median curves with a quantile band over seeds, the way optimization papers
should show many runs (not mean +- std).

:func:`band` builds the numbers; :func:`draw_bands` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gsmooth.engine.result import failed
from gsmooth.plots.axes import data_range, set_range
from gsmooth.plots.labels import series_styles


@dataclass(frozen=True)
class Band:
    """Median and quantile band of several runs on a common x grid.

    Attributes
    ----------
    x, median, low, high : ndarray, shape (n,)
        Grid, median curve and the two quantile curves.
    quantiles : tuple of float
        Levels of ``low`` and ``high``.
    n_runs : int
        Runs in the band.
    n_excluded : int
        Runs left out because they diverged or went non-finite.
    """

    x: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    quantiles: tuple
    n_runs: int
    n_excluded: int


def band(x, y, status=None, quantiles=(0.1, 0.9)) -> Band:
    """Median and quantile band of curves ``y`` over runs.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, k)
        Shared abscissa, or one per run (e.g. samples drawn); per-run curves
        are interpolated onto the range all kept runs cover.
    y : array_like, shape (n, k)
        One curve per run.
    status : array_like of int, shape (k,), optional
        Run statuses; diverged and non-finite runs are excluded and counted.
    quantiles : (float, float)
        Lower and upper quantile levels in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[4.0, 2.0, 6.0], [2.0, 1.0, 3.0]])
    >>> b = band([0, 1], y, quantiles=(0.0, 1.0))
    >>> b.median.tolist(), b.low.tolist(), b.high.tolist()
    ([4.0, 2.0], [2.0, 1.0], [6.0, 3.0])
    """
    y = np.asarray(y, dtype=float)
    if y.ndim != 2:
        raise ValueError(f"y must have shape (n_points, k), got {y.shape}")
    low_q, high_q = quantiles
    if not 0 <= low_q <= high_q <= 1:
        raise ValueError(f"quantiles must satisfy 0 <= low <= high <= 1, got {quantiles}")
    x = np.broadcast_to(np.asarray(x, dtype=float).reshape(y.shape[0], -1), y.shape)
    keep = np.all(np.isfinite(y), axis=0)
    if status is not None:
        keep &= ~failed(status)
    if not keep.any():
        raise ValueError("no run is finite and converging; nothing to draw a band of")
    grid, curves = _common_grid(x[:, keep], y[:, keep])
    return Band(
        x=grid, median=np.median(curves, axis=1), low=np.quantile(curves, low_q, axis=1),
        high=np.quantile(curves, high_q, axis=1), quantiles=(low_q, high_q),
        n_runs=int(keep.sum()), n_excluded=int((~keep).sum()),
    )


def _common_grid(x, y):
    if np.all(x == x[:, :1]):
        return x[:, 0], y
    start, stop = np.max(x[0]), np.min(x[-1])
    grid = np.unique(x[(x[:, 0] >= start) & (x[:, 0] <= stop), 0])
    curves = np.column_stack([np.interp(grid, x[:, r], y[:, r]) for r in range(y.shape[1])])
    return grid, curves


def draw_bands(ax, bands: dict, *, styles: dict | None = None, logx: bool = False, logy: bool = True,
               xlabel: str = "", ylabel: str = "", title: str | None = None, cap: float | None = None,
               extra=()) -> list:
    """Draw each labelled :class:`Band` on ``ax``: median line, shaded quantile band.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    bands : dict of str to Band
    styles : dict of str to SeriesStyle, optional
        Look of each label (:func:`gsmooth.plots.labels.series_styles`, by
        default over ``bands``); pass one dict to every panel of a report so a
        method looks the same in all of them.
    logx, logy : bool
    xlabel, ylabel, title : str
    cap : float, optional
        Upper end of the y-range (e.g. a decade above the starting values);
        default: a decade above the largest first median.
    extra : iterable of float
        Further values the y-range must show (reference lines).

    Returns
    -------
    list of Line2D
        One handle per band, labelled; runs left out (diverged, non-finite)
        are counted in the label, so a reader sees them.  The y-range is set
        by the kept runs only.
    """
    styles = styles or series_styles(bands)
    handles = []
    for label, b in bands.items():
        name = label if b.n_excluded == 0 else f"{label} ({b.n_excluded} of {b.n_runs + b.n_excluded} diverged)"
        style = styles[label]
        (line,) = ax.plot(b.x, b.median, label=name, **style.line())
        ax.fill_between(b.x, b.low, b.high, color=style.color, alpha=0.18, linewidth=0)
        handles.append(line)
    ax.set_xscale("log" if logx else "linear")
    ax.set_yscale("log" if logy else "linear")
    if bands:
        starts = [float(b.median[0]) for b in bands.values() if b.median[0] > 0]
        if cap is None and logy and starts:
            cap = 10.0 * max(starts)
        values = [b.low for b in bands.values()] + [b.high for b in bands.values()] + [np.asarray(extra)]
        set_range(ax, "y", data_range(values, log=logy, cap=cap))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return handles
