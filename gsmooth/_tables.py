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

import numpy as np


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
