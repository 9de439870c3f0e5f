"""Figures of a sweep, drawn from its store (``gsmooth plot DIR``).

One figure per problem instance (a problem label with one set of parameter
values): the median and 10-90% band over seeds of the gap ``F - F*`` (or
the loss where ``F*`` is unknown) against samples drawn, one band per
method, batch size, step count and hyperparameter setting.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from gsmooth.sweep.run import stored_runs


def _curve_label(unit, run) -> str:
    method = {k: v for k, v in unit.config["method"].items() if k != "name"}
    parts = [f"{k}={v:g}" for k, v in run.hyper] + [f"{k}={v}" for k, v in method.items()]
    return " ".join([unit.method_label, *parts])


def _figure_title(unit) -> str:
    params = {k: v for k, v in unit.config["problem"].items() if k != "name"}
    title = " ".join([unit.problem_label, *(f"{k}={v}" for k, v in params.items()
                                            if not isinstance(v, (dict, list)))])
    return title + f" ({unit.config['steps']} steps)"


def curves(folder) -> dict:
    """Plot data: ``{figure title: {curve label: (samples, values, status)}}``.

    ``samples`` and ``values`` have shape (n_records, seeds); values are gaps
    when ``F*`` is known, losses otherwise.  Only stored runs appear.
    """
    runs = defaultdict(lambda: defaultdict(list))
    for unit, run, _, stored in stored_runs(folder):
        if stored is None:
            continue
        _, data, column, f_star = stored
        values = data["loss"][:, column] - (f_star or 0.0)
        runs[_figure_title(unit)][_curve_label(unit, run)].append(
            (data["samples"][:, column], values, data["status"][column]))
    out = {}
    for title, figure in runs.items():
        out[title] = {}
        for label, members in figure.items():
            samples, values, status = zip(*members)
            out[title][label] = (np.stack(samples, axis=1), np.stack(values, axis=1),
                                 np.array(status))
    return out


def redraw(folder) -> list[Path]:
    """Draw every figure of the sweep in ``folder``; return the PNG paths."""
    from gsmooth.plots.sweep import sweep_figures

    return sweep_figures(curves(folder), folder)
