"""Intervals by resampling independent runs, and the formatting estimates share.

Points of one trajectory are strongly dependent (each iterate follows from
the last), so resampling points would understate the uncertainty.  The unit
of resampling is the run: :func:`bootstrap_over_runs` draws runs with
replacement (:func:`scipy.stats.bootstrap`, percentile method), refits on the
pooled points of the drawn runs and reports quantiles of the refits.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.stats import bootstrap

from gsmooth.errors import GSmoothError

#: Fewest independent runs for an interval.
MIN_RUNS = 2


def bootstrap_over_runs(runs, statistic, n_resamples: int = 199, confidence: float = 0.9,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Percentile intervals of ``statistic(runs_drawn) -> array (m,)`` over run resamples.

    Parameters
    ----------
    runs : array_like of int
        The distinct runs.
    statistic : callable
        Refit on the pooled points of the drawn runs (a run drawn twice counts
        twice); a refit that fails (``GSmoothError``) counts as missing.
    n_resamples : int
    confidence : float in (0, 1)
    seed : int

    Returns
    -------
    (interval, replicates, failed) or None
        ``interval`` (2, m) rows low and high; ``replicates`` (m, n_resamples);
        ``failed`` the number of resamples whose refit failed.  ``None`` when
        there are fewer than :data:`MIN_RUNS` runs.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([1.0, 2.0, 3.0, 4.0])
    >>> interval, reps, failed = bootstrap_over_runs(np.arange(4), lambda k: [values[k].mean()])
    >>> bool(interval[0, 0] < 2.5 < interval[1, 0]), reps.shape, failed
    (True, (1, 199), 0)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    runs = np.unique(np.asarray(runs, dtype=int))
    if runs.size < MIN_RUNS:
        return None

    def refit(drawn):
        try:
            return np.asarray(statistic(np.asarray(drawn, dtype=int)), dtype=float)
        except GSmoothError:
            return np.full(len(np.atleast_1d(statistic(runs))), np.nan)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = bootstrap((runs,), refit, vectorized=False, n_resamples=n_resamples,
                           method="percentile", confidence_level=confidence,
                           rng=np.random.default_rng(seed))
    replicates = np.atleast_2d(result.bootstrap_distribution)
    failed = int(np.sum(np.any(np.isnan(replicates), axis=0)))
    tail = (1 - confidence) / 2
    interval = np.nanquantile(replicates, [tail, 1 - tail], axis=1)
    return interval, replicates, failed


def named_intervals(boot, names) -> dict | None:
    """``{name: (low, high)}`` from :func:`bootstrap_over_runs`'s result (``None`` stays ``None``).

    Examples
    --------
    >>> named_intervals((np.array([[1.0, 2.0], [3.0, 4.0]]), None, 0), ("a", "b"))
    {'a': (1.0, 3.0), 'b': (2.0, 4.0)}
    """
    if boot is None:
        return None
    interval = boot[0]
    return {name: (float(interval[0, i]), float(interval[1, i])) for i, name in enumerate(names)}


def interval_notes(boot) -> list[str]:
    """Notes a reader must see about the intervals: none at all, or resamples left out."""
    if boot is None:
        return ["one independent run: no interval (points of one run are not independent)"]
    if boot[2]:
        return [f"{boot[2]} resample(s) could not be fitted and were left out"]
    return []


def format_value(value, interval=None) -> str:
    """``value [low, high]`` with 4 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{value:.4g}"
    if interval is not None:
        text += f" [{interval[0]:.4g}, {interval[1]:.4g}]"
    return text


def jsonable(value):
    """Plain Python (lists, floats, bools) from NumPy values, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else str(value)
    return value
