r"""Fit the decay law of a suboptimality sequence: polynomial, geometric, two-phase or plateau.

The laws, on the log scale where they are straight lines or constants:

* polynomial :math:`\Delta_t \approx C t^{-p}`: :math:`\log\Delta` is linear in
  :math:`\log t` with slope :math:`-p` (AN-GD's sublinear regime);
* geometric :math:`\Delta_t \approx C r^t`: :math:`\log\Delta` is linear in
  :math:`t` with slope :math:`\log r` (the linear regime);
* two-phase: a first phase that falls by at least ``min_drop`` to a floor, then
  the floor (the regime :math:`\rho + \beta > 2` with a fixed step reaches the
  :math:`\gamma`-level in finite time and stays there);
* plateau: no decay worth the name (a floor from the start);
* increasing: the tail grows (a diverging or unstable method).

Procedure.  Runs with a non-finite gap are left out; the decision is made on
the median over runs of :math:`\log\Delta_t`.  A segmented fit (a line in
:math:`\log t` up to a switch, a constant after it, least squares over every
switch) looks for a floor; the segment after the best switch is a floor when
its Theil-Sen slope in :math:`\log t` is below ``flat_slope`` in magnitude.  The
switch is reported as the first record at which the median curve enters the
floor (falls below the floor's 90% quantile).  Without a floor, Theil-Sen lines
(:func:`scipy.stats.theilslopes`) are fitted over the tail window on both
scales and the one with the smaller squared residual of :math:`\log\Delta` wins.
The goodness of every fit is the root-mean-square residual of
:math:`\log_{10}\Delta` around the fitted law in its window, in decades
(the floor's constant for two-phase and plateau).  Intervals are 95% percentile
bootstrap intervals over runs (:func:`scipy.stats.bootstrap`) when there are
several runs, and Theil-Sen's own 95% interval for one run.

Recorded points on a geometric grid (``gs.run(record="geometric")``) give
every decade of :math:`t` the same weight, which is what the log-log fit needs.

Examples
--------
>>> import numpy as np
>>> t = np.arange(0, 2001)
>>> fit_decay(t, 5.0 * (1.0 + t) ** -2.0).kind
'polynomial'
>>> fit = fit_decay(t[:300], 0.9 ** t[:300])
>>> fit.kind, round(fit.rate, 6)
('geometric', 0.9)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

KINDS = ("polynomial", "geometric", "two-phase", "plateau", "increasing")
"""Decay kinds :func:`fit_decay` distinguishes."""

MIN_POINTS = 6
"""Fewest records (at ``t >= 1``) a fit accepts."""

_MIN_SEGMENT = 4
_FLOOR_QUANTILE = 0.9


@dataclass(frozen=True)
class DecayFit:
    """The fitted decay law of one sequence or of a batch of runs.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    exponent : float or None
        ``p`` of ``t^-p`` (polynomial).
    rate : float or None
        ``r`` of ``r^t`` (geometric).
    switch : float or None
        First iteration at the floor (two-phase).
    floor : float or None
        Level of the floor, the median gap after the switch (two-phase, plateau).
    interval : tuple of float or None
        95% interval of the exponent, rate or switch, whichever the kind reports.
    interval_method : str
        "bootstrap over runs", "Theil-Sen" or "record spacing".
    window : tuple of int
        First and last iteration the law was fitted on.
    rms_residual : float
        Goodness of the fit: root-mean-square residual of ``log10`` gap around
        the fitted law in the window, in decades (smaller is better).
    n_runs : int
        Runs used (finite ones).
    """

    kind: str
    exponent: float | None
    rate: float | None
    switch: float | None
    floor: float | None
    interval: tuple | None
    interval_method: str
    window: tuple
    rms_residual: float
    n_runs: int

    @property
    def value(self) -> float | None:
        """The number the kind reports: exponent, rate, switch (or floor for a plateau)."""
        return {"polynomial": self.exponent, "geometric": self.rate, "two-phase": self.switch,
                "plateau": self.floor}.get(self.kind)

    def as_dict(self) -> dict:
        """JSON-ready dict of every field."""
        out = asdict(self)
        out["interval"] = None if self.interval is None else [float(v) for v in self.interval]
        out["window"] = [int(v) for v in self.window]
        return out

    def summary(self) -> str:
        """One line: kind, value with interval, window and goodness."""
        names = {"polynomial": "t^-p, p", "geometric": "r^t, r", "two-phase": "switch at t",
                 "plateau": "floor"}
        text = self.kind
        if self.value is not None:
            text += f": {names[self.kind]} = {self.value:.4g}"
        if self.interval is not None:
            text += f" [{self.interval[0]:.4g}, {self.interval[1]:.4g}]"
        return f"{text} (t in [{self.window[0]}, {self.window[1]}], rms {self.rms_residual:.2g} decades)"


def fit_decay(iters, gaps, *, kind=None, tail=0.5, min_drop=10.0, flat_slope=0.1,
              n_resamples=199, seed=0) -> DecayFit:
    """Decide the decay law of ``gaps`` and fit it (see the module docstring).

    Parameters
    ----------
    iters : array_like, shape (n,) or (n, k)
        Iterations of the records (shared by the runs; ``RunResult.iters`` works).
    gaps : array_like, shape (n,) or (n, k)
        Suboptimality ``F(w_t) - F*`` per record and run.
    kind : str, optional
        Fit this law instead of deciding it: "polynomial", "geometric" or "two-phase".
    tail : float in (0, 1]
        Fraction of the decades of ``t`` (the last ones) used for the line fits.
    min_drop : float > 1
        Factor the median gap must fall by before a floor counts as a second phase.
    flat_slope : float > 0
        Largest ``|d log gap / d log t|`` of a floor.
    n_resamples : int
        Bootstrap resamples (several runs only).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DecayFit

    Raises
    ------
    ValueError
        Shapes that disagree, fewer than :data:`MIN_POINTS` records at ``t >= 1``,
        no finite run, a negative gap, or out-of-range options.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0, 400)
    >>> two = np.maximum((1 - t / 200.0), 0.0) ** 4 + 1e-9
    >>> fit = fit_decay(t, two)
    >>> fit.kind, fit.switch
    ('two-phase', 200.0)
    >>> fit_decay(t, 1.0 + 0.01 * np.cos(t)).kind
    'plateau'
    """
    t, log_gaps = _prepare(iters, gaps)
    _check_options(kind, tail, min_drop, flat_slope)
    median = np.median(log_gaps, axis=1)
    chosen, window = _decide(t, median, kind, tail, np.log(min_drop), flat_slope)
    value, rms = _estimate(chosen, t, median, window)
    interval, method = _interval(chosen, t, log_gaps, window, value, n_resamples, seed)
    floor = float(np.exp(np.median(median[window[0]:]))) if chosen in ("two-phase", "plateau") else None
    return DecayFit(
        kind=chosen,
        exponent=value if chosen == "polynomial" else None,
        rate=value if chosen == "geometric" else None,
        switch=value if chosen == "two-phase" else None,
        floor=floor,
        interval=interval,
        interval_method=method,
        window=(int(t[window[0]]), int(t[window[1] - 1])),
        rms_residual=rms,
        n_runs=log_gaps.shape[1],
    )


def _prepare(iters, gaps):
    gaps = np.asarray(gaps, dtype=np.float64)
    gaps = gaps[:, None] if gaps.ndim == 1 else gaps
    iters = np.asarray(iters)
    t = iters if iters.ndim == 1 else iters[:, 0]
    if gaps.ndim != 2 or t.shape != (gaps.shape[0],):
        raise ValueError(
            f"iters (n,) or (n, k) and gaps (n,) or (n, k) must share n, got {iters.shape} and {gaps.shape}"
        )
    finite = np.all(np.isfinite(gaps), axis=0)
    if not finite.any():
        raise ValueError("no run has finite gaps; nothing to fit")
    gaps = gaps[:, finite]
    if np.any(gaps < 0):
        raise ValueError(f"gaps must be >= 0, got a minimum of {gaps.min():g}")
    usable = t >= 1
    if usable.sum() < MIN_POINTS:
        raise ValueError(f"need at least {MIN_POINTS} records at t >= 1, got {int(usable.sum())}")
    tiny = np.finfo(np.float64).tiny
    return t[usable].astype(np.float64), np.log(np.maximum(gaps[usable], tiny))


def _check_options(kind, tail, min_drop, flat_slope):
    if kind is not None and kind not in ("polynomial", "geometric", "two-phase"):
        raise ValueError(f"kind must be None, 'polynomial', 'geometric' or 'two-phase', got {kind!r}")
    if not 0 < tail <= 1:
        raise ValueError(f"tail must be in (0, 1], got {tail}")
    if not min_drop > 1:
        raise ValueError(f"min_drop must be > 1, got {min_drop}")
    if not flat_slope > 0:
        raise ValueError(f"flat_slope must be > 0, got {flat_slope}")


def _decide(t, median, kind, tail, log_drop, flat_slope):
    """Return the kind and the window ``(start, stop)`` of indices its value is fitted on."""
    n = t.size
    tail_start = _tail_start(t, tail)
    if kind in ("polynomial", "geometric"):
        return kind, (tail_start, n)
    switch = _floor_start(t, median, flat_slope)
    if kind == "two-phase":
        return kind, (switch if switch is not None else n - _MIN_SEGMENT, n)
    if switch is not None:
        fell = median[0] - np.median(median[switch:]) >= log_drop
        return ("two-phase" if fell else "plateau"), (switch, n)
    tail_slope = _theil(median[tail_start:], np.log(t[tail_start:]))[0]
    if tail_slope > flat_slope:
        return "increasing", (tail_start, n)
    residuals = {law: _line_residuals(law, t, median, (tail_start, n)) for law in ("polynomial", "geometric")}
    return min(residuals, key=lambda law: np.sum(residuals[law] ** 2)), (tail_start, n)


def _tail_start(t, tail):
    log_t = np.log(t)
    cut = log_t[-1] - tail * (log_t[-1] - log_t[0])
    start = int(np.searchsorted(log_t, cut))
    return min(start, t.size - MIN_POINTS)


def _floor_start(t, median, flat_slope):
    """Index where the floor of the best segmented fit starts, or None without a flat floor."""
    log_t = np.log(t)
    if _whole_is_flat(log_t, median, flat_slope):
        return 0
    candidates = range(_MIN_SEGMENT, t.size - _MIN_SEGMENT + 1)
    costs = [_segment_cost(log_t, median, j) for j in candidates]
    if not costs:
        return None
    best = _MIN_SEGMENT + int(np.argmin(costs))
    return best if abs(_theil(median[best:], log_t[best:])[0]) < flat_slope else None


def _whole_is_flat(log_t, median, flat_slope):
    return abs(_theil(median, log_t)[0]) < flat_slope / 2 and np.ptp(median) < np.log(2.0)


def _segment_cost(log_t, median, switch):
    head_t, head = log_t[:switch], median[:switch]
    slope, intercept = np.polyfit(head_t, head, 1)
    floor = median[switch:]
    return np.sum((head - slope * head_t - intercept) ** 2) + np.sum((floor - floor.mean()) ** 2)


def _estimate(kind, t, median, window):
    """The kind's value on the median curve and the rms residual (decades) of its law."""
    start, stop = window
    if kind in ("polynomial", "geometric"):
        slope = _theil(median[start:stop], _abscissa(kind, t[start:stop]))[0]
        value = -slope if kind == "polynomial" else float(np.exp(slope))
        return float(value), _rms_decades(_line_residuals(kind, t, median, window))
    level = median[start:stop]
    return _entry_time(t, median, start), _rms_decades(level - np.median(level))


def _entry_time(t, median, floor_start):
    """First iteration at which the curve falls below the floor's 90% quantile."""
    ceiling = np.quantile(median[floor_start:], _FLOOR_QUANTILE)
    return float(t[int(np.argmax(median <= ceiling))])


def _abscissa(kind, t):
    return np.log(t) if kind == "polynomial" else t


def _theil(y, x):
    result = stats.theilslopes(y, x)
    return result.slope, result.intercept, result.low_slope, result.high_slope


def _line_residuals(kind, t, median, window):
    start, stop = window
    x, y = _abscissa(kind, t[start:stop]), median[start:stop]
    slope, intercept = _theil(y, x)[:2]
    return y - (slope * x + intercept)


def _rms_decades(log_residuals):
    return float(np.sqrt(np.mean(log_residuals**2)) / np.log(10.0))


def _interval(kind, t, log_gaps, window, value, n_resamples, seed):
    if kind in ("plateau", "increasing"):
        return None, "none"
    k = log_gaps.shape[1]
    if k > 1:
        def statistic(runs):
            return _estimate(kind, t, np.median(log_gaps[:, runs.astype(int)], axis=1), window)[0]

        result = stats.bootstrap(
            (np.arange(k),), statistic, vectorized=False, n_resamples=n_resamples,
            method="percentile", rng=np.random.default_rng(seed),
        )
        low, high = result.confidence_interval
        return (float(min(low, value)), float(max(high, value))), "bootstrap over runs"
    if kind == "two-phase":
        index = int(np.searchsorted(t, value))
        return (float(t[max(index - 1, 0)]), float(value)), "record spacing"
    start, stop = window
    _, _, low, high = _theil(log_gaps[start:stop, 0], _abscissa(kind, t[start:stop]))
    if kind == "polynomial":
        return (float(-high), float(-low)), "Theil-Sen"
    return (float(np.exp(low)), float(np.exp(high))), "Theil-Sen"
