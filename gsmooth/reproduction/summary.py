"""Numbers of a reproduction: the common sample budget, final values, samples to a target.

Every curve is cut at the same number of samples, the smallest total any
compared method drew (the released figures cut their x-axis the same way),
so "final" means the last record within that budget, and a target counts as
reached only within it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gsmooth._tables import long_table
from gsmooth.engine.result import STATUS_MESSAGES, STATUS_NAMES, failed

QUANTILES = (0.1, 0.9)


@dataclass
class Curves:
    """Recorded traces of one method (or ablation variant) over its seeds.

    Attributes
    ----------
    key, label : str
    paper : dict
        Settings in the paper's notation.
    optimizer : dict
        The gsmooth optimizer that ran (hyperparameters of the first run).
    seeds : list of int
    iters, samples, metric, loss : ndarray, shape (n_records, k)
        Iteration, samples drawn, the reported metric and the objective.
    status : ndarray of int, shape (k,)
    panel : str or None
        Panel of an ablation figure.
    """

    key: str
    label: str
    paper: dict
    optimizer: dict
    seeds: list
    iters: np.ndarray
    samples: np.ndarray
    metric: np.ndarray
    loss: np.ndarray
    status: np.ndarray
    panel: str | None = None

    def to_pandas(self):
        """Long form of these curves: one row per record and seed (see :meth:`Reproduction.to_pandas`)."""
        traces = {"iteration": self.iters, "samples": self.samples, "metric": self.metric,
                  "loss": self.loss}
        per_run = {"seed": self.seeds, "status": [STATUS_NAMES[int(s)] for s in self.status]}
        return long_table(traces, per_run, {"method": self.key, "label": self.label,
                                            "panel": self.panel})

    def within(self, cut: float) -> np.ndarray:
        """Boolean mask of the records whose samples (every run) stay within ``cut``."""
        return np.max(self.samples, axis=1) <= cut


def sample_cut(curves: list[Curves]) -> float:
    """Smallest total of samples drawn over the curves (the common x-range).

    A curve's total is that of its longest run (a diverged run is frozen and
    stops drawing); curves whose every run diverged do not set the budget
    unless all did.

    Examples
    --------
    >>> c = [_toy([0, 10, 20]), _toy([0, 15, 30])]
    >>> sample_cut(c)
    20.0
    """
    totals = [float(np.max(c.samples[-1])) for c in curves]
    alive = [t for t, c in zip(totals, curves) if not np.all(failed(c.status))]
    return min(alive or totals)


def final_values(curves: Curves, cut: float) -> np.ndarray:
    """The metric at the last record within ``cut`` samples, per run (k,); ``inf`` for a
    run that diverged or went non-finite (its frozen last iterate is no result).

    Examples
    --------
    >>> final_values(_toy([0, 10, 20], [5.0, 3.0, 1.0]), 15).tolist()
    [3.0]
    """
    last = np.flatnonzero(curves.within(cut))[-1]
    return np.where(failed(curves.status), np.inf, curves.metric[last].astype(float))


def samples_to_target(curves: Curves, target: float, cut: float) -> np.ndarray:
    """Samples drawn when the metric first reaches ``target`` within ``cut``, per run;
    ``inf`` where it never does.

    Examples
    --------
    >>> c = _toy([0, 10, 20], [5.0, 3.0, 1.0])
    >>> samples_to_target(c, 3.0, 20).tolist(), samples_to_target(c, 0.5, 20).tolist()
    ([10.0], [inf])
    """
    keep = curves.within(cut)
    metric, samples = curves.metric[keep], curves.samples[keep].astype(float)
    reached = np.isfinite(metric) & (metric <= target)
    first = np.argmax(reached, axis=0)
    out = samples[first, np.arange(metric.shape[1])]
    return np.where(reached.any(axis=0), out, np.inf)


def spread(values: np.ndarray) -> dict:
    """Median and the 10% / 90% quantiles (nearest run, so ``inf`` stays ``inf``)."""
    values = np.where(np.isnan(values), np.inf, np.asarray(values, dtype=float))
    low, high = (float(np.quantile(values, q, method="nearest")) for q in QUANTILES)
    return {"median": float(np.median(values)), "q10": low, "q90": high}


def summarize(curves: Curves, target: float, cut: float) -> dict:
    """Per-seed final value and samples to target, and their spread; JSON-ready
    (``null`` where a target is not reached or a value is not finite)."""
    finals = final_values(curves, cut)
    hits = samples_to_target(curves, target, cut)
    per_seed = [
        {"seed": int(seed), "final": _json_number(f), "samples_to_target": _json_number(h),
         "status": STATUS_MESSAGES[int(s)]}
        for seed, f, h, s in zip(curves.seeds, finals, hits, curves.status)
    ]
    return {
        "per_seed": per_seed,
        "final": {k: _json_number(v) for k, v in spread(finals).items()},
        "samples_to_target": {k: _json_number(v) for k, v in spread(hits).items()},
        "reached": int(np.sum(np.isfinite(hits))),
        "diverged": int(np.sum(failed(curves.status))),
        "runs": len(curves.seeds),
    }


def table(rows: list[tuple[str, dict]], metric_label: str, target: float) -> str:
    """Plain-text table: final value and samples to target, median [q10, q90], per curve."""
    header = (f"{'method':<28} {'final ' + metric_label + ' median [q10, q90]':>36} "
              f"{'samples to ' + format(target, '.4g') + ' median [q10, q90]':>38} {'reached':>8} "
              f"{'diverged':>8}")
    lines = [header, "-" * len(header)]
    for label, summary in rows:
        final, hits = summary["final"], summary["samples_to_target"]
        lines.append(
            f"{label:<28} {_triple(final, '.4g'):>36} {_triple(hits, '.0f'):>38} "
            f"{summary['reached']:>4}/{summary['runs']:<3} {summary['diverged']:>8}"
        )
    return "\n".join(lines)


def _triple(stats, spec):
    parts = [("-" if stats[k] is None else format(stats[k], spec)) for k in ("median", "q10", "q90")]
    return f"{parts[0]} [{parts[1]}, {parts[2]}]"


def _json_number(value):
    value = float(value)
    return value if np.isfinite(value) else None


def _toy(samples, metric=None):
    """A one-run :class:`Curves` for the examples."""
    samples = np.asarray(samples, dtype=float)[:, None]
    metric = np.zeros_like(samples) if metric is None else np.asarray(metric, float)[:, None]
    return Curves("toy", "toy", {}, {}, [0], np.arange(samples.shape[0])[:, None], samples,
                  metric, metric, np.zeros(1, dtype=int))
