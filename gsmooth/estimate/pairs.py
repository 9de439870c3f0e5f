"""Fit ``(L0, L1, alpha)`` to pairs gsmooth did not collect: logs of one's own training runs.

A log holds, per record, a gradient norm and a local smoothness measured by
the user's own probe (a Hessian norm, or a directional ratio), optionally the
run (seed) it came from, a block (layer) and an iteration.
:func:`smoothness_from_pairs` fits each block apart, with the fits of
:mod:`gsmooth.estimate.fits` side by side and intervals over the runs when
there are several; :func:`read_pairs` reads such a log from CSV (columns
``grad_norm``, ``smoothness``, optional ``run``, ``block``, ``iteration``),
the input of ``gsmooth estimate --pairs FILE.csv``.

Rows with a non-finite value are left out with a note (logs have gaps);
negative values are an error.  Runs that are copies of another are counted
once, as in :func:`gsmooth.estimate.smoothness`.
"""

from __future__ import annotations

import csv
import pathlib

import numpy as np

from gsmooth.errors import GSmoothError
from gsmooth.estimate.data import PairData
from gsmooth.estimate.fits import check_fit
from gsmooth.estimate.resampling import check_resampling
from gsmooth.estimate.smoothness import SmoothnessEstimate, clean_pairs, estimate_from_pairs

COLUMNS = ("grad_norm", "smoothness")
OPTIONAL = ("run", "block", "iteration")


def smoothness_from_pairs(grad_norm, smoothness, run=None, block=None, iteration=None, *,
                          fit: str = "envelope", alpha: float | None = None,
                          quantile: float = 1.0, weight: float = 0.0, n_resamples: int = 199,
                          confidence: float = 0.9, seed: int = 0, source: str = "pairs",
                          progress: bool | None = None):
    """Estimate ``(L0, L1, alpha)`` from given pairs, per block; see the module docstring.

    Parameters
    ----------
    grad_norm, smoothness : array_like, shape (n,)
        ``||grad F(w)||`` and the local smoothness at the same point.
    run : array_like, shape (n,), optional
        Independent run (seed) of each pair, any labels; intervals resample
        runs.  Without it every pair is one run of a single trajectory: no interval.
    block : array_like, shape (n,), optional
        Block (layer) of each pair, any labels; each block is fitted apart.
    iteration : array_like of int, shape (n,), optional
        For colouring figures.
    fit : {"envelope", "quantile", "asymmetric"}
        The fit reported as the estimate (all three are in ``.fits``).
    alpha : float, optional
        Fixed exponent (the asymmetric fit uses 1 unless given).
    quantile : float in (0, 1]
        Level of the quantile envelope (``fit="quantile"`` with 1 uses 0.95).
    weight : float
        ``w`` of the asymmetric least squares (0: plain least squares).
    n_resamples, confidence, seed
        Resampling over runs.
    source : str
        Name of the quantity in the log, for reports.

    Returns
    -------
    SmoothnessEstimate, or dict of block label to SmoothnessEstimate
        One estimate without ``block``; with ``block``, a dict with one
        estimate per block, in order of first appearance.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> g = np.tile(np.geomspace(0.1, 10, 20), 3)
    >>> run = np.repeat([0, 1, 2], 20)
    >>> est = gs.estimate.smoothness_from_pairs(g, (2 + 3 * g) * (1 - 0.1 * run), run=run,
    ...                                         n_resamples=20)
    >>> round(est.L0, 6), round(est.L1, 6), round(est.alpha, 4), est.intervals is not None
    (2.0, 3.0, 1.0, True)
    """
    check_fit(fit, quantile, weight)
    n_resamples, confidence, seed, progress = check_resampling(n_resamples, confidence, seed,
                                                               progress)
    g = _column("grad_norm", grad_norm)
    r = _column("smoothness", smoothness, g.size)
    runs = np.zeros(g.size, dtype=int) if run is None else _labels("run", run, g.size)[1]
    iters = np.zeros(g.size, dtype=int) if iteration is None else _iterations(iteration, g.size)
    finite = np.isfinite(g) & np.isfinite(r)
    for name, column in (("grad_norm", g), ("smoothness", r)):
        negative = np.flatnonzero(finite & (column < 0))
        if negative.size:
            raise ValueError(f"{name} must be >= 0, got {column[negative[0]]:g} in row {negative[0]} "
                             f"({negative.size} negative value(s) in all)")
    options = dict(fit=fit, alpha=alpha, quantile=quantile, weight=weight,
                   n_resamples=n_resamples, confidence=confidence, seed=seed, progress=progress)
    columns = (g, r, runs, iters, finite)
    if block is None:
        return _fit_block(columns, np.ones(g.size, dtype=bool), source, "", options)
    names, codes = _labels("block", block, g.size)
    return {name: _fit_block(columns, codes == j, source, str(name), options)
            for j, name in enumerate(names)}


def _fit_block(columns, member, source, name, options) -> SmoothnessEstimate:
    g, r, runs, iters, finite = columns
    keep = member & finite
    dropped = int(np.sum(member & ~finite))
    data = PairData(g[keep], r[keep], runs[keep], iters[keep], source)
    data, notes = clean_pairs(data)
    try:
        est = estimate_from_pairs(data, name, **options)
    except GSmoothError as error:
        raise GSmoothError(f"block {name!r}: {error}" if name else str(error)) from error
    if dropped:
        notes.append(f"{dropped} pair(s) with a non-finite value left out")
    est.notes[:0] = notes
    return est


def _column(name, values, n=None) -> np.ndarray:
    try:
        out = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers, got {error}") from error
    if n is not None and out.size != n:
        raise ValueError(f"{name} must have one value per pair ({n}), got {out.size}")
    return out


def _iterations(values, n) -> np.ndarray:
    """The ``iteration`` column as integers; an empty or fractional entry is refused, naming its row."""
    column = _column("iteration", values, n)
    bad = np.flatnonzero(~np.isfinite(column) | (column != np.round(column)))
    if bad.size:
        raise ValueError(f"iteration must be whole numbers, got {column[bad[0]]:g} in row {bad[0]} "
                         f"({bad.size} such row(s)); leave the column out if it is not logged")
    return column.astype(int)


def _labels(name, values, n) -> tuple[list, np.ndarray]:
    """Distinct labels in order of first appearance and each row's code."""
    values = list(np.asarray(values).reshape(-1).tolist())
    if len(values) != n:
        raise ValueError(f"{name} must have one value per pair ({n}), got {len(values)}")
    first = {}
    codes = np.array([first.setdefault(v, len(first)) for v in values], dtype=int)
    return list(first), codes


def read_pairs(path) -> dict:
    """Columns of a pairs CSV: ``grad_norm``, ``smoothness`` and any of ``run``, ``block``,
    ``iteration``, as keyword arguments of :func:`smoothness_from_pairs`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pairs.csv"
    >>> _ = path.write_text("grad_norm,smoothness,block\\n1.0,2.0,fc1\\n2.0,3.5,fc1\\n")
    >>> columns = read_pairs(path)
    >>> columns["grad_norm"].tolist(), columns["block"]
    ([1.0, 2.0], ['fc1', 'fc1'])
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no pairs file {path}")
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path} must have columns {COLUMNS} (optional {OPTIONAL}), "
                             f"missing {missing}, got {header}")
        rows = [_row(path, reader, row, header) for row in reader]
    out = {}
    for name in COLUMNS + ("iteration",):
        if name in header:
            out[name] = _numbers(path, name, [row[name] for row in rows])
    for name in ("run", "block"):
        if name in header:
            out[name] = [row[name] for row in rows]
    return out


def _row(path, reader, row, header) -> dict:
    """One CSV row with stripped names and values; a row with more fields than the header is an error."""
    if None in row:  # csv.DictReader keeps the extra fields under the key None
        raise ValueError(f"{path}, line {reader.line_num}: {len(header) + len(row[None])} fields, "
                         f"expected {len(header)} (columns {header})")
    return {k.strip(): (v or "").strip() for k, v in row.items()}


def _numbers(path, name, texts) -> np.ndarray:
    try:
        return np.array([float(t) if t else np.nan for t in texts])
    except ValueError as error:
        raise ValueError(f"{path}: column {name!r} must hold numbers, got {error}") from error
