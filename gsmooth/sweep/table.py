"""A tidy long-form table of a sweep: one row per (unit, run, record).

Columns: ``unit`` (key), ``problem`` (label), ``problem_name`` and one
``problem.PARAM`` column per problem parameter, ``method`` (label),
``method_name``, ``steps``, the batch sizes and per-run hyperparameters under
their own names, ``seed``, ``iteration``, ``samples``, ``loss``, ``gap``
(``loss - f_star``, NaN where ``f_star`` is unknown), ``grad_norm``,
``status`` (``max_steps``, ``converged``, ``diverged``, ``nonfinite``, or
``failed`` for a run whose unit raised, with one row, ``iteration = -1`` and
the message in ``error``).  Runs not computed yet have no rows.

``pandas.DataFrame(to_table(folder))`` gives a data frame; :func:`export`
writes CSV (standard library) or Parquet (needs pyarrow).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gsmooth._tables import check_table_format, write_columns
from gsmooth.engine.result import STATUS_NAMES
from gsmooth.sweep.run import stored_runs, sweep_spec_file
from gsmooth.sweep.store import Store


def _unit_columns(unit) -> dict:
    problem = dict(unit.config["problem"])
    method = dict(unit.config["method"])
    params = {f"problem.{k}": (json.dumps(v) if isinstance(v, (dict, list)) else v)
              for k, v in problem.items() if k != "name"}
    return {"problem": unit.problem_label, "problem_name": problem["name"], **params,
            "method": unit.method_label, "method_name": method.pop("name"),
            "steps": unit.config["steps"], **method}


def _run_blocks(folder):
    """Yield ``(n_rows, constant columns, per-record columns)`` for every stored run."""
    sweep_spec_file(folder)
    failures = Store(folder).failures()
    for unit, run, key, stored in stored_runs(folder):
        constant = {"unit": None, **_unit_columns(unit), **run.as_dict()}
        if stored is not None:
            unit_key, arrays, column, f_star = stored
            status = STATUS_NAMES[int(arrays["status"][column])]
            yield len(arrays["iters"]), {**constant, "unit": unit_key, "status": status,
                                         "error": ""}, _records(arrays, column, f_star)
        elif key in failures:
            yield 1, {**constant, "status": "failed", "error": failures[key]}, _failed_record()


def _records(arrays: dict, column: int, f_star) -> dict:
    loss = arrays["loss"][:, column]
    return {"iteration": arrays["iters"][:, column], "samples": arrays["samples"][:, column],
            "loss": loss, "gap": loss - f_star if f_star is not None else np.full_like(loss, np.nan),
            "grad_norm": arrays["grad_norm"][:, column]}


def _failed_record() -> dict:
    return {"iteration": np.array([-1]), "samples": np.array([-1]), "loss": np.array([np.nan]),
            "gap": np.array([np.nan]), "grad_norm": np.array([np.nan])}


def _column_array(values: list) -> np.ndarray:
    def is_int(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    if all(is_int(v) for v in values):
        return np.array(values, dtype=np.int64)
    if all(v is None or is_int(v) or isinstance(v, (float, np.floating)) for v in values):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return np.array(["" if v is None else str(v) for v in values], dtype=object)


def to_table(folder) -> dict[str, np.ndarray]:
    """The sweep in ``folder`` as columns of equal length (see the module docstring).

    Examples
    --------
    >>> import tempfile
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from gsmooth.sweep import parse_spec, run_sweep
    >>> spec = parse_spec('''
    ... [sweep]
    ... steps = 4
    ... record = 2
    ... [problems.power]
    ... d = 3
    ... [optimizers.gd]
    ... lr = [0.1, 0.2]
    ... ''')
    >>> folder = tempfile.mkdtemp()
    >>> with ThreadPoolExecutor(1) as pool:
    ...     _ = run_sweep(spec, folder, executor=pool, progress=False)
    >>> table = to_table(folder)
    >>> table["lr"].tolist(), table["iteration"].tolist()
    ([0.1, 0.1, 0.1, 0.2, 0.2, 0.2], [0, 2, 4, 0, 2, 4])
    """
    blocks = list(_run_blocks(folder))
    names = list(dict.fromkeys(name for _, constant, records in blocks
                               for name in (*constant, *records)))
    columns = {}
    for name in names:
        values = []
        for n_rows, constant, records in blocks:
            values.extend(records[name].tolist() if name in records
                          else [constant.get(name)] * n_rows)
        columns[name] = _column_array(values)
    return columns


def export(folder, fmt: str = "csv", path=None) -> Path:
    """Write :func:`to_table` of ``folder`` as CSV or Parquet; return the path.

    Parameters
    ----------
    folder : path
        A sweep folder.
    fmt : {"csv", "parquet"}
        Parquet needs pyarrow.
    path : path, optional
        Output file; default ``folder/results.csv`` or ``folder/results.parquet``.
    """
    check_table_format(fmt)
    path = Path(path) if path is not None else Path(folder) / f"results.{fmt}"
    return write_columns(to_table(folder), path, fmt)
