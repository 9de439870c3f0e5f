"""Figures of a sweep, drawn from its store (``gsmooth plot DIR``).

One figure per problem instance (a problem label with one set of parameter
values): the median and 10-90% band over seeds of the gap ``F - F*`` (or
the loss where ``F*`` is unknown) against samples drawn, one band per
method, batch size, step count and hyperparameter setting, faceted by the
grid's dimensions (:func:`gsmooth.plots.sweep.facets`).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from gsmooth.sweep.run import stored_runs


def _settings(unit, run) -> tuple:
    """Per-run hyperparameters, then the method's options (batch sizes, ...), then the steps."""
    method = tuple((k, v) for k, v in unit.config["method"].items() if k != "name")
    return (*run.hyper, *method, ("steps", unit.config["steps"]))


def _figure_title(unit) -> str:
    from gsmooth.plots.labels import problem_title

    params = {k: v for k, v in unit.config["problem"].items()
              if k != "name" and not isinstance(v, (dict, list))}
    name = unit.config["problem"]["name"]
    text = {k: f"{v:g}" if isinstance(v, float) else str(v) for k, v in params.items()}
    call = f"{name}({', '.join(f'{k}={v}' for k, v in text.items())})" if params else name
    return problem_title(call)


def curves(folder) -> dict:
    """Plot data: ``{figure title: [SweepCurve, ...]}``, one figure per problem instance.

    Each :class:`gsmooth.plots.sweep.SweepCurve` holds one method table's
    setting over its seeds: ``samples`` and ``values`` of shape
    (n_records, seeds), values the gaps when ``F*`` is known, losses
    otherwise.  Only stored runs appear.
    """
    from gsmooth.plots.sweep import SweepCurve

    runs = defaultdict(lambda: defaultdict(list))
    for unit, run, _, stored in stored_runs(folder):
        if stored is None:
            continue
        _, data, column, f_star = stored
        values = data["loss"][:, column] - (f_star or 0.0)
        runs[_figure_title(unit)][(unit.method_label, unit.config["method"]["name"],
                                   _settings(unit, run))].append(
            (data["samples"][:, column], values, data["status"][column], f_star is not None))
    out = {}
    for title, figure in runs.items():
        out[title] = []
        for (method, name, settings), members in figure.items():
            samples, values, status, gap = zip(*members)
            out[title].append(SweepCurve(method, settings, np.stack(samples, axis=1),
                                         np.stack(values, axis=1), np.array(status), all(gap), name))
    return out


def redraw(folder, format: str = "png") -> list[Path]:
    """Draw every figure (``format``: png, pdf or svg) of the sweep in ``folder``; return the paths."""
    from gsmooth.plots.style import check_format
    from gsmooth.plots.sweep import sweep_figures

    check_format(format)
    return sweep_figures(curves(folder), folder, format)
