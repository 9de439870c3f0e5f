"""Long-form tables of results: one row per record and run, for pandas.

Every result of gsmooth has ``to_pandas()``; each builds its table with
:func:`long_table` from traces of shape (n_records, k), values per run (k,)
and values shared by every row, so that the tables of all results read alike
(``run``, ``record``, then the traces, then the run's settings).  pandas is
imported here only, on first use.

Examples
--------
>>> import numpy as np
>>> table = long_table({"loss": np.array([[4.0, 3.0], [2.0, 1.0]])},
...                    per_run={"seed": [0, 1]}, shared={"method": "gd"})
>>> table.columns.tolist()
['run', 'record', 'loss', 'seed', 'method']
>>> table["loss"].tolist(), table["seed"].tolist()
([4.0, 3.0, 2.0, 1.0], [0, 1, 0, 1])
"""

from __future__ import annotations

import csv
import math

import numpy as np

from gsmooth._io import write_atomic
from gsmooth.errors import GSmoothError

TABLE_FORMATS = ("csv", "parquet")
"""Formats results tables are written in."""


def pandas():
    """The pandas module, or an ``ImportError`` that says how to get it."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_pandas() needs pandas: pip install pandas") from None
    return pd


def long_table(traces: dict, per_run: dict | None = None, shared: dict | None = None):
    """A ``pandas.DataFrame`` with one row per (record, run).

    Parameters
    ----------
    traces : dict of str to array, shape (n_records, k)
        Recorded quantities; ``None`` entries are left out.
    per_run : dict of str to sequence of length k, optional
        Settings of each run (seed, status, hyperparameters).
    shared : dict, optional
        Values of every row (problem, method).

    Returns
    -------
    pandas.DataFrame
        Columns ``run`` and ``record`` (the index of the record), then the
        traces, the per-run and the shared columns; rows in record-major
        order (all runs of record 0, then all runs of record 1, ...).
    """
    pd = pandas()
    arrays = {name: np.asarray(value) for name, value in traces.items() if value is not None}
    n_records, k = next(iter(arrays.values())).shape
    columns = {"run": np.tile(np.arange(k), n_records),
               "record": np.repeat(np.arange(n_records), k)}
    columns.update({name: value.reshape(-1) for name, value in arrays.items()})
    for name, values in (per_run or {}).items():
        values = list(values)
        if len(values) != k:
            raise ValueError(f"per-run column {name!r} has {len(values)} values for {k} runs")
        columns[name] = [values[r] for r in columns["run"]]
    for name, value in (shared or {}).items():
        columns[name] = [value] * (n_records * k)
    return pd.DataFrame(columns)


def check_table_format(fmt: str) -> str:
    """``fmt`` if it is one of :data:`TABLE_FORMATS`; Parquet also needs pyarrow, checked here."""
    if fmt not in TABLE_FORMATS:
        raise ValueError(f"table format must be one of {', '.join(TABLE_FORMATS)}, got {fmt!r}")
    if fmt == "parquet" and not parquet_available():
        raise GSmoothError("Parquet tables need pyarrow (pip install pyarrow); "
                           "CSV works without it (--export csv)")
    return fmt


def parquet_available() -> bool:
    """Whether pyarrow can be imported."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def write_columns(columns, path, fmt: str):
    """Write a table (a dict of equal-length columns, or a ``pandas.DataFrame``) as CSV
    (standard library) or Parquet (pyarrow), atomically; return the path.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_columns({"a": np.array([1.0, np.nan]), "b": np.array(["x", "y"])}, path, "csv")
    >>> path.read_text().splitlines()
    ['a,b', '1.0,x', ',y']
    """
    check_table_format(fmt)
    if not isinstance(columns, dict):
        return write_atomic(path, lambda tmp: _write_frame(columns, tmp, fmt))
    writer = _write_parquet if fmt == "parquet" else _write_csv
    return write_atomic(path, lambda tmp: writer(columns, tmp))


def _write_frame(frame, path, fmt: str) -> None:
    """A ``DataFrame`` with nullable column types (a column of flags with gaps stays flags)."""
    frame = frame.convert_dtypes()
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)


def _write_csv(columns: dict, path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        rows = zip(*(np.asarray(column).tolist() for column in columns.values()))
        writer.writerows([_csv_cell(v) for v in row] for row in rows)


def _csv_cell(value):
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value


def _write_parquet(columns: dict, path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({name: pa.array(values) for name, values in columns.items()}), path)
