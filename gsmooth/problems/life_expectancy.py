r"""The WHO life-expectancy table, prepared as in the paper's DRO experiment.

The released preprocessing (``ynyang94/Gemsmooth-IAN-SGD``, ``DRO/DRO.py``), in
order, on the 2938 rows of the Kaggle/WHO table:

1. rows are grouped by year (years in order of first appearance) and every
   missing numeric value is replaced by its column's median within that year;
2. keep rows whose infant deaths, measles and under-five deaths are all
   ``< 1001`` (2413 rows remain);
3. drop BMI; add ``log`` of percentage expenditure, population and GDP, with
   ``log 0 = -inf`` replaced by 0;
4. add winsorized copies of 12 columns (``scipy.stats.mstats.winsorize`` with
   the released limits, :data:`WINSORIZED`);
5. target: life expectancy, standardized, plus ``N(0, 1)`` noise;
   features: every remaining numeric column (year included), standardized;
6. the first 2313 rows are the training set (the last 100 were a test split).

``winz_life_expectancy`` is a winsorized copy of the target, a label leak the
released script inherited; its feature matrix also carries the row number of
the original file (from ``reset_index``), which is not a measurement.  ``preprocessing="clean"``
(the default) leaves both out (32 features); ``"released"`` keeps them
(34 features) in the released column order: row number, year, the table's
numeric columns in file order, the three logs, the winsorized copies.  The
order matters only for matching the released start ``x0`` feature by
feature (see :mod:`gsmooth.reproduction.experiments.dro`).
"""

from __future__ import annotations

import csv
import os

import numpy as np

PREPROCESSINGS = ("clean", "released")
N_TRAIN = 2313
DEATHS_LIMIT = 1001
LEAK = "winz_life_expectancy"
ROW_NUMBER = "row_number"

#: CSV header (whitespace-stripped, lower case) -> column name used here.
COLUMNS = {
    "life expectancy": "life_expectancy",
    "adult mortality": "adult_mortality",
    "infant deaths": "infant_deaths",
    "alcohol": "alcohol",
    "percentage expenditure": "percentage_expenditure",
    "hepatitis b": "hepatitis_b",
    "measles": "measles",
    "bmi": "bmi",
    "under-five deaths": "under_five_deaths",
    "polio": "polio",
    "total expenditure": "total_expenditure",
    "diphtheria": "diphtheria",
    "hiv/aids": "hiv_aids",
    "gdp": "gdp",
    "population": "population",
    "thinness  1-19 years": "thinness_1_19",
    "thinness 5-9 years": "thinness_5_9",
    "income composition of resources": "income_composition",
    "schooling": "schooling",
}
LOGGED = ("percentage_expenditure", "population", "gdp")
#: Column -> (lower, upper) winsorizing fractions of the released script.
WINSORIZED = {
    "life_expectancy": (0.05, 0.0),
    "adult_mortality": (0.0, 0.04),
    "alcohol": (0.0, 0.01),
    "hepatitis_b": (0.20, 0.0),
    "polio": (0.20, 0.0),
    "total_expenditure": (0.0, 0.02),
    "diphtheria": (0.11, 0.0),
    "hiv_aids": (0.0, 0.21),
    "thinness_1_19": (0.0, 0.04),
    "thinness_5_9": (0.0, 0.04),
    "income_composition": (0.05, 0.0),
    "schooling": (0.03, 0.01),
}


def load_life_expectancy(path, preprocessing="clean", rng=None):
    """Read the WHO CSV at ``path`` and return ``(features, target, names)``.

    Parameters
    ----------
    path : str or os.PathLike
        The Kaggle "Life Expectancy (WHO)" CSV (2938 rows, 22 columns).
    preprocessing : {"clean", "released"}
        ``"released"`` keeps the target leak and the row-number feature of the
        released script; see the module docstring.
    rng : numpy.random.Generator or numpy.random.RandomState, optional
        Source of the ``N(0, 1)`` target noise (``default_rng(0)`` if omitted);
        ``RandomState(1)`` gives the released script's noise.

    Returns
    -------
    features : ndarray, shape (2313, 32) or (2313, 34)
    target : ndarray, shape (2313,)
    names : list of str
        Feature names, in column order.
    """
    if preprocessing not in PREPROCESSINGS:
        raise ValueError(f"preprocessing must be one of {PREPROCESSINGS}, got {preprocessing!r}")
    from scipy.stats.mstats import winsorize

    rng = np.random.default_rng(0) if rng is None else rng
    year, table = _read(path)
    order = np.concatenate([np.flatnonzero(year == y) for y in _unique_in_order(year)])
    year, table = year[order], {name: col[order] for name, col in table.items()}
    table[ROW_NUMBER] = order.astype(np.float64)
    for col in COLUMNS.values():
        table[col] = _impute_by_year(table[col], year)
    keep = np.ones(year.size, dtype=bool)
    for col in ("infant_deaths", "measles", "under_five_deaths"):
        keep &= table[col] < DEATHS_LIMIT
    year, table = year[keep], {name: col[keep] for name, col in table.items()}
    del table["bmi"]
    with np.errstate(divide="ignore"):
        for col in LOGGED:
            table[f"log_{col}"] = np.where(table[col] > 0, np.log(table[col]), 0.0)
    for col, limits in WINSORIZED.items():
        table[f"winz_{col}"] = np.asarray(winsorize(table[col], limits=limits))
    target = table.pop("life_expectancy")
    row_number = table.pop(ROW_NUMBER)
    if preprocessing == "clean":
        del table[LEAK]
        names, columns = ["year", *table], [year, *table.values()]
    else:
        names, columns = [ROW_NUMBER, "year", *table], [row_number, year, *table.values()]
    features = np.column_stack(columns)
    features = (features - features.mean(axis=0)) / features.std(axis=0)
    target = (target - target.mean()) / target.std() + rng.normal(size=target.size)
    return features[:N_TRAIN], target[:N_TRAIN], names


def _read(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"life-expectancy CSV not found: {os.fspath(path)!r}")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = [name.strip().lower() for name in rows[0]] if rows else []
    wanted = {"year": "year", **COLUMNS}
    missing = [key for key in wanted if key not in header]
    if missing:
        raise ValueError(f"{os.fspath(path)!r} lacks the WHO columns {missing}; got {header}")
    columns = {}
    for key, name in wanted.items():
        j = header.index(key)
        columns[name] = np.array([_number(row[j]) for row in rows[1:]], dtype=np.float64)
    return columns.pop("year"), columns


def _number(text):
    text = text.strip()
    return float(text) if text else np.nan


def _unique_in_order(values):
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)]


def _impute_by_year(column, year):
    filled = column.copy()
    for y in np.unique(year):
        rows = (year == y) & np.isnan(column)
        if rows.any():
            filled[rows] = np.nanmedian(column[year == y])
    return filled
