r"""Intervals by resampling independent runs, copies of runs, and the formatting estimates share.

**The unit is the run.**  Points of one trajectory are strongly dependent (each
iterate follows from the last), so resampling points would understate the
uncertainty.  :func:`bootstrap_over_runs` draws ``k`` runs with replacement
from the ``k`` distinct runs, refits on the pooled points of the drawn runs (a
run drawn twice weighs twice) and reads an interval off the refits.  A
resample is a multiset, i.e. a vector of counts; ``k`` runs allow only
``C(2k - 1, k)`` distinct ones (35 for ``k = 4``), so each distinct resample
is fitted once and its refit reused for every draw that repeats it.

**Which interval.**  The constants of an envelope are extremes: the envelope
of fewer points is lower, so the refits on resamples sit at or below the
estimate, while the envelope of the region the runs come from sits at or
above it.  A percentile interval ``[q_lo, q_hi]`` (``q`` the quantiles of the
refits) would then lie below the estimate and miss the quantity it is about;
the *basic* interval ``[2 theta - q_hi, 2 theta - q_lo]`` (Davison & Hinkley,
*Bootstrap Methods and their Application*, 1997, section 5.2) reflects the
spread to the side the estimate is biased from.  Other constants (the
exponents, read off a few extreme records) can be biased either way, so the
interval reported is the union of the two, clipped to the constant's range:
it states how far the constants could move, in either direction, if other
runs from the same starts and method were drawn.  The test suite measures its
coverage (``tests/test_estimate_coverage.py``).

**Copies.**  Runs whose data are identical (a deterministic method started
from one point with several seeds) are one run: :func:`distinct_runs` finds
them, and the estimators keep one of each group and say so.
"""

from __future__ import annotations

import math

import numpy as np
from tqdm.auto import tqdm

from gsmooth._checks import check_interval, flag, nonnegative_int, positive_int, real_number
from gsmooth.errors import GSmoothError

#: Fewest independent runs for an interval.
MIN_RUNS = 2
#: Seconds a fit runs before its progress bar appears.
PROGRESS_DELAY = 1.0


def check_resampling(n_resamples, confidence, seed, progress=None) -> tuple:
    """The resampling options every estimator takes, checked before any work:
    ``(n_resamples, confidence, seed, progress)`` as stored.

    Examples
    --------
    >>> check_resampling(99, 0.9, 0)
    (99, 0.9, 0, None)
    >>> check_resampling(0, 0.9, 0)
    Traceback (most recent call last):
    ...
    ValueError: n_resamples must be a positive integer, got 0
    """
    confidence = check_interval("confidence", real_number("confidence", confidence), 0.0, 1.0,
                                low_open=True, high_open=True)
    return (positive_int("n_resamples", n_resamples), confidence, nonnegative_int("seed", seed),
            flag("progress", progress, none=True))


def bootstrap_over_runs(n_runs: int, statistic, estimate, n_resamples: int = 199,
                        confidence: float = 0.9, seed: int = 0, bounds=None,
                        progress: bool | None = None):
    """Bootstrap intervals of ``statistic(counts) -> array (m,)`` over run resamples.

    Parameters
    ----------
    n_runs : int
        Number ``k`` of distinct runs.
    statistic : callable
        ``statistic(counts)`` refits with run ``j`` weighted ``counts[j]``
        (an int array (k,) summing to ``k``); a refit that fails
        (``GSmoothError``) counts as missing.
    estimate : array_like, shape (m,)
        The statistic on all runs (counts all 1), about which the basic interval reflects.
    n_resamples : int
    confidence : float in (0, 1)
    seed : int
    bounds : sequence of (low, high), optional
        Range of each component; the interval is clipped to it.
    progress : bool or None
        Progress bar over the distinct resamples; ``None`` shows it on a
        terminal once the fit has run :data:`PROGRESS_DELAY` seconds.

    Returns
    -------
    Bootstrap or None
        ``None`` when there are fewer than :data:`MIN_RUNS` runs.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([1.0, 2.0, 3.0, 4.0])
    >>> mean = lambda counts: [np.sum(counts * values) / counts.sum()]
    >>> boot = bootstrap_over_runs(4, mean, mean(np.ones(4)))
    >>> bool(boot.interval[0, 0] < 2.5 < boot.interval[1, 0]), boot.distinct, boot.failed
    (True, 33, 0)
    """
    n_resamples, confidence, seed, progress = check_resampling(n_resamples, confidence, seed,
                                                               progress)
    if n_runs < MIN_RUNS:
        return None
    estimate = np.atleast_1d(np.asarray(estimate, dtype=float))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_runs, size=(n_resamples, n_runs))
    counts = np.stack([np.bincount(row, minlength=n_runs) for row in draws])
    distinct, inverse = np.unique(counts, axis=0, return_inverse=True)
    fits = np.full((distinct.shape[0], estimate.size), np.nan)
    bar = tqdm(distinct, desc="resamples", leave=False, delay=PROGRESS_DELAY,
               disable=None if progress is None else not progress)
    for i, row in enumerate(bar):
        try:
            fits[i] = np.asarray(statistic(row), dtype=float)
        except GSmoothError:
            continue
    replicates = fits[inverse.reshape(-1)].T
    return Bootstrap(estimate, replicates, confidence, distinct.shape[0], bounds)


class Bootstrap:
    """Replicates of a run bootstrap and the interval read off them (module docstring).

    Attributes
    ----------
    replicates : ndarray, shape (m, n_resamples)
        The refit on each resample (NaN where it failed or was not finite).
    interval : ndarray, shape (2, m)
        Rows low and high: the union of the basic and percentile intervals,
        clipped to ``bounds``.
    distinct : int
        Distinct resamples fitted.
    failed : int
        Resamples whose refit failed.
    """

    def __init__(self, estimate, replicates, confidence, distinct, bounds=None):
        replicates = np.where(np.isfinite(replicates), replicates, np.nan)  # no law: failed
        self.replicates, self.distinct = replicates, int(distinct)
        self.failed = int(np.sum(np.any(np.isnan(replicates), axis=0)))
        tail = (1 - confidence) / 2
        if self.failed == replicates.shape[1]:
            q = np.full((2, estimate.size), np.nan)
        else:
            q = np.nanquantile(replicates, [tail, 1 - tail], axis=1)
        interval = np.stack([np.fmin(q[0], 2 * estimate - q[1]), np.fmax(q[1], 2 * estimate - q[0])])
        if bounds is not None:
            low, high = np.asarray(bounds, dtype=float).T
            interval = np.clip(interval, low, high)
        self.interval = interval

    def widen(self, *values) -> None:
        """Extend the interval to contain each of ``values`` (arrays (m,)), component by component.

        The values need not be ordered: refits on perturbed data (``r - error``,
        ``r + error``) can move a component either way.

        Examples
        --------
        >>> boot = Bootstrap(np.array([1.0, 1.0]), np.ones((2, 3)), 0.9, 1)
        >>> boot.widen([0.5, 3.0], [2.0, 0.25])
        >>> boot.interval.tolist()
        [[0.5, 0.25], [2.0, 3.0]]
        """
        values = np.asarray(values, dtype=float).reshape(len(values), -1)
        self.interval = np.stack([np.fmin(self.interval[0], np.fmin.reduce(values, axis=0)),
                                  np.fmax(self.interval[1], np.fmax.reduce(values, axis=0))])


def distinct_runs(run, *columns) -> tuple[np.ndarray, list[list[int]]]:
    """Runs whose data are not copies of an earlier run's, and the groups of copies.

    Parameters
    ----------
    run : ndarray of int, shape (n,)
        Run of each record.
    *columns : ndarray, shape (n,)
        The records' values; two runs are copies when every column holds the
        same values in the same order.

    Returns
    -------
    (kept, groups)
        ``kept`` the sorted run labels that stay (the first of each group);
        ``groups`` every group of two or more copies, first label first.

    Examples
    --------
    >>> run = np.array([0, 0, 1, 1, 2, 2])
    >>> kept, groups = distinct_runs(run, np.array([1.0, 2.0, 1.0, 2.0, 1.0, 3.0]))
    >>> kept.tolist(), groups
    ([0, 2], [[0, 1]])
    """
    labels = np.unique(run)
    signatures = {}
    for label in labels:
        rows = run == label
        key = tuple(np.asarray(c)[rows].tobytes() for c in columns)
        signatures.setdefault(key, []).append(int(label))
    groups = [g for g in signatures.values() if len(g) > 1]
    kept = np.array(sorted(g[0] for g in signatures.values()), dtype=int)
    return kept, groups


def copies_note(groups) -> list[str]:
    """The note that names copied runs, if any."""
    if not groups:
        return []
    text = "; ".join(f"runs {', '.join(map(str, g[1:]))} copy run {g[0]}" for g in groups)
    return [f"identical runs ({text}): a deterministic method from one start gives one run; each "
            "group counts once (give distinct starts, e.g. gs.estimate.spread_starts, for an "
            "interval)"]


def named_intervals(boot, names) -> dict | None:
    """``{name: (low, high)}`` from a :class:`Bootstrap` (``None`` stays ``None``).

    Examples
    --------
    >>> boot = Bootstrap(np.array([2.0, 3.0]), np.array([[1.0, 2.0], [3.0, 4.0]]), 0.5, 2)
    >>> named_intervals(boot, ("a", "b"))
    {'a': (1.25, 2.75), 'b': (2.25, 3.75)}
    """
    if boot is None:
        return None
    interval = boot.interval
    return {name: (float(interval[0, i]), float(interval[1, i])) for i, name in enumerate(names)}


def interval_notes(boot) -> list[str]:
    """Notes a reader must see about the intervals: none at all, or resamples left out."""
    if boot is None:
        return ["one independent run: no interval (points of one run are not independent)"]
    if boot.failed:
        return [f"{boot.failed} resample(s) could not be fitted and were left out"]
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
    """Plain Python (lists, floats, bools, None) from NumPy values, recursively.

    JSON has no infinity or NaN, so a non-finite float (NaN, ``inf``, ``-inf``)
    is written as ``null``: the output holds numbers, strings, booleans and
    ``null`` only, which ``json.dumps(..., allow_nan=False)`` accepts.  The
    ``from_dict`` methods read such a ``null`` back as NaN (:func:`number`,
    :func:`read_intervals`; NumPy reads it as NaN in float arrays), so an
    infinite value comes back as NaN ("not a finite number"); notes that name
    it keep their text.

    Examples
    --------
    >>> jsonable({"rho": np.float64("inf"), "gap": np.array([1.0, np.nan]), "n": np.int64(3)})
    {'rho': None, 'gap': [1.0, None], 'n': 3}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def number(value) -> float:
    """A float of the JSON form written by :func:`jsonable`: ``null`` (a non-finite value) is NaN.

    Examples
    --------
    >>> number(None), number(2)
    (nan, 2.0)
    """
    return float("nan") if value is None else float(value)


def read_intervals(intervals) -> dict | None:
    """``{name: (low, high)}`` of floats from the JSON form (``null`` bounds are NaN).

    Examples
    --------
    >>> read_intervals({"rho": [1.5, None]})
    {'rho': (1.5, nan)}
    """
    if intervals is None:
        return None
    return {str(name): (number(low), number(high)) for name, (low, high) in intervals.items()}
