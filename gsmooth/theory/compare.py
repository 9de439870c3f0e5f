r"""Published bounds and gsmooth's derived AN-GD bound, evaluated side by side on given constants.

:func:`compare` returns one row per catalog entry that covers the requested
methods, plus gsmooth's own derived AN-GD bound (:func:`an_gd_bound`), each
with the count it promises at every ``eps``, the step size it prescribes and
whether its assumptions hold for the constants.

**Accuracy targets.**  Entries bound different things (``f - f* <= eps`` or
``min_t ||grad f(x_t)|| <= eps``).  With ``target="gap"`` a gradient entry is
evaluated at :math:`\epsilon' = (2\mu\epsilon)^{1/\rho}`: by PL (9), the first
iterate with :math:`\|\nabla f\| \le \epsilon'` has :math:`f - f^* \le \epsilon`, so
the first time the gap reaches :math:`\epsilon` is no later than the gradient
bound -- a valid comparison with an observed first-hitting time.

**Intervals.**  A constant given as ``(low, high)`` (an estimate with its
interval) is evaluated at every corner of the box of interval constants; a
row reports the value at the point (the interval midpoint unless ``point``
gives it) and the smallest and largest corner values.

**Defaults.**  Without ``alpha`` the constants are read as (L0, L1)-smoothness,
``alpha = 1``; without ``beta`` the AN-GD rows are given for the ends of the
theorem's range, ``beta = alpha`` and ``beta = 1``.  Both are said in ``notes``.

Examples
--------
>>> from gsmooth.theory import compare
>>> table = compare({"L0": 1, "L1": 0, "rho": 2, "mu": "1/2", "Delta0": 1, "beta": 0, "alpha": 0},
...                 eps=[1e-2, 1e-4], methods=["GD"])
>>> rows = {row.key: row for row in table.rows}
>>> round(rows["karimi2016-gd-pl"].values[0], 4), rows["karimi2016-gd-pl"].applies
(6.6439, True)
>>> table.best().key
'abbaszadehpeivasti2023-gd-pl'
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import warnings
from collections.abc import Mapping

from gsmooth._exact import exact_fraction, read_exact
from gsmooth.errors import GSmoothWarning
from gsmooth.theory.catalog import catalog, check_methods
from gsmooth.theory.entry import NAMES, CatalogEntry
from gsmooth.theory.exact import BETA, check_constants, check_value, exact

MAX_INTERVAL_CONSTANTS = 6
"""Most constants given as intervals (the corners of their box are evaluated)."""

DERIVED_KEY = "gsmooth-derived-an-gd"
TARGETS = (None, "gap")


@dataclasses.dataclass(frozen=True)
class ComparisonRow:
    """One entry evaluated at the constants (``values[i]`` at ``eps[i]``, None where not evaluable).

    ``basis`` is "derived", "explicit", "order only (C = 1)" or why there is no
    number; ``applies`` is True, False or None (a constant it needs is missing);
    ``low``/``high`` bound the values over the constants' intervals (None without intervals).
    """

    key: str
    label: str
    source: str
    kind: str
    quantity: str
    measure: str
    basis: str
    applies: bool | None
    reason: str
    values: tuple
    stepsize: tuple
    low: tuple | None = None
    high: tuple | None = None

    @property
    def evaluated(self) -> bool:
        """Whether the row has a number at every eps."""
        return all(value is not None for value in self.values)


@dataclasses.dataclass(frozen=True)
class ComparisonTable:
    """Rows of :func:`compare`; ``str()`` gives a readable table, :meth:`as_dict` the data for figures."""

    eps: tuple
    target: str | None
    constants: dict
    rows: tuple
    notes: tuple = ()
    point: dict = dataclasses.field(default_factory=dict)

    def best(self, column: int = 0) -> ComparisonRow:
        """The applicable upper bound with explicit constants (or derived) promising the fewest steps."""
        candidates = [row for row in self.rows if row.applies and row.kind == "upper"
                      and row.basis in ("explicit", "derived") and row.values[column] is not None
                      and math.isfinite(row.values[column])]
        if not candidates:
            raise ValueError("no applicable explicit bound in the table")
        return min(candidates, key=lambda row: row.values[column])

    def row(self, key: str) -> ComparisonRow:
        """The row of entry ``key`` (the first, when it appears once per beta)."""
        for row in self.rows:
            if row.key == key:
                return row
        raise ValueError(f"no row {key!r}; rows: {', '.join(row.key for row in self.rows)}")

    def as_dict(self) -> dict:
        """JSON-ready dict (what :func:`gsmooth.plots.rate_comparison` draws)."""
        return {"eps": list(self.eps), "target": self.target, "constants": self.constants,
                "point": self.point, "notes": list(self.notes),
                "rows": [dataclasses.asdict(row) for row in self.rows]}

    @classmethod
    def from_dict(cls, data: dict) -> ComparisonTable:
        """Inverse of :meth:`as_dict`."""
        rows = tuple(ComparisonRow(**{name: tuple(value) if isinstance(value, list) else value
                                      for name, value in row.items()}) for row in data["rows"])
        return cls(tuple(data["eps"]), data["target"], dict(data["constants"]), rows,
                   tuple(data["notes"]), dict(data["point"]))

    def to_pandas(self):
        """Long form: one row per entry and eps, with ``T``, its ``low``/``high`` over the
        constants' intervals, the prescribed ``stepsize``, ``basis`` and ``applies``.

        Examples
        --------
        >>> from gsmooth.theory import compare
        >>> table = compare({"L0": 1, "L1": 0, "mu": "1/4", "rho": 2, "Delta0": 1}, [1e-2, 1e-3],
        ...                 methods=["GD"])
        >>> frame = table.to_pandas()
        >>> sorted(set(frame["eps"])), {"key", "T", "basis"} <= set(frame.columns)
        ([0.001, 0.01], True)
        """
        from gsmooth._tables import pandas

        records = []
        for row in self.rows:
            for i, eps in enumerate(self.eps):
                records.append({
                    "key": row.key, "label": row.label, "source": row.source, "kind": row.kind,
                    "quantity": row.quantity, "measure": row.measure, "basis": row.basis,
                    "applies": row.applies, "eps": float(eps), "T": row.values[i],
                    "low": None if row.low is None else row.low[i],
                    "high": None if row.high is None else row.high[i],
                    "stepsize": row.stepsize[i] if row.stepsize else None,
                })
        return pandas().DataFrame(records)

    def __str__(self) -> str:
        head = ["method", "source", "kind", "applies", "basis"]
        for value in self.eps:
            head += [f"T(eps={value:g})", "step"]
        body = [[row.label, row.source, row.kind, _applies_text(row), row.basis]
                + [_num(cell) for pair in zip(row.values, row.stepsize) for cell in pair]
                for row in self.rows]
        widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
                 for line in [head, *body]]
        target = ("f - f* <= eps (gradient bounds via PL)" if self.target == "gap"
                  else "each bound's own quantity")
        return "\n".join([f"target: {target}", *[f"note: {note}" for note in self.notes],
                          lines[0], "-" * len(lines[0]), *lines[1:]])


def compare(constants: Mapping, eps, methods=None, *, target: str | None = None,
            point: Mapping | None = None, snap: bool = True) -> ComparisonTable:
    """Evaluate the catalog and gsmooth's derived AN-GD bound at ``constants`` and accuracies ``eps``.

    Parameters
    ----------
    constants : mapping
        Any of ``L0, L1, alpha, rho, mu, beta, Delta0, gamma, tau1, tau2, sigma, M``;
        a value is a number (``"2/3"`` stays exact) or an interval ``(low, high)``.
    eps : float or sequence of float
        Target accuracies (> 0).
    methods : sequence of str, optional
        Keep entries covering these methods (``gsmooth.theory.catalog.METHODS``);
        AN-GD with ``beta = 0`` is GD and also gets the GD entries.
    target : {None, "gap"}
        None: each bound at its own quantity; ``"gap"``: gradient bounds converted
        to ``f - f* <= eps`` through PL (module docstring).
    point : mapping, optional
        Point values of interval constants (default: interval midpoints).
    snap : bool
        Read long decimals and floats as the simple fractions they round
        (:mod:`gsmooth._exact`); each snap is listed in ``notes``.

    Returns
    -------
    ComparisonTable

    Raises
    ------
    TypeError
        When ``constants`` or ``point`` is not a mapping.
    ValueError
        Unknown constant or method, a constant outside its range (the rules of
        :func:`gsmooth.theory.exact.check_value`), invalid eps or target, too many intervals.
    """
    for what, value in (("constants", constants), ("point", point)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"{what} must be a mapping of names to values, such as {{'L0': 1, 'mu': '1/2'}}, "
                            f"got {type(value).__name__} {value!r}")
    accuracies = _check_eps(eps, snap)
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    given, intervals, notes = _read_constants(constants, point or {}, snap)
    betas = _betas(given, intervals, notes)
    wanted = None if methods is None else check_methods(methods)
    if wanted is not None and "AN-GD" in wanted and betas == [0]:
        wanted = wanted | {"GD"}
    entries = catalog(None if wanted is None else sorted(wanted))
    rows = []
    for beta in betas:
        rows += _derived_rows(given, intervals, beta, accuracies, wanted)
    for entry in entries:
        for beta in (betas if _uses_beta(entry) else [None]):
            rows.append(_entry_row(entry, given, intervals, beta, accuracies, target))
    shown = {name: str(value) for name, value in given.items() if name != "convex"}
    shown.update({name: f"[{low}, {high}]" for name, (low, high) in intervals.items()})
    point_values = {name: str(value) for name, value in given.items() if name != "convex"}
    return ComparisonTable(tuple(float(e) for e in accuracies), target, shown, tuple(rows), tuple(notes),
                           point_values)


def _check_eps(eps, snap: bool) -> list:
    scalar = isinstance(eps, str) or not (isinstance(eps, (list, tuple)) or hasattr(eps, "__len__"))
    values = [eps] if scalar else list(eps)
    if not values:
        raise ValueError("eps must be a positive number or a non-empty list of them, got []")
    parsed = [exact_fraction(value, "eps", snap=snap) for value in values]
    if any(value <= 0 for value in parsed):
        raise ValueError(f"eps must be > 0, got {[str(value) for value in values]}")
    return parsed


def _read_constants(constants: Mapping, point: Mapping, snap: bool):
    given, intervals, notes = {}, {}, []

    def read(value, name):
        reading = read_exact(value, name, snap=snap)
        if reading.note:
            notes.append(reading.note)
        check_value(name, reading.value)
        return reading.value

    for name, value in constants.items():
        if name == "convex" and isinstance(value, bool):
            given[name] = value
            continue
        if name not in NAMES or name == "eps":
            allowed = ", ".join(n for n in NAMES if n != "eps")
            raise ValueError(f"unknown constant {name!r}; allowed: {allowed}")
        if value is None:
            continue
        if isinstance(value, (tuple, list)):
            low, high = (read(v, name) for v in value)
            if not low <= high:
                raise ValueError(f"{name} interval must have low <= high, got ({low}, {high})")
            intervals[name] = (low, high)
            given[name] = read(point[name], name) if name in point else (low + high) / 2
        else:
            given[name] = read(value, name)
    if len(intervals) > MAX_INTERVAL_CONSTANTS:
        raise ValueError(f"at most {MAX_INTERVAL_CONSTANTS} constants may be intervals, got {len(intervals)}")
    smallest = {name: intervals[name][0] if name in intervals else given[name]
                for name in ("L0", "L1") if name in given}
    check_constants(smallest)  # L0 and L1 not both 0, at the corner where they are smallest
    if "alpha" not in given:
        given["alpha"] = 1
        notes.append("alpha not given: the constants are read as (L0, L1)-smoothness, alpha = 1")
    return given, intervals, notes


def _betas(given: dict, intervals: dict, notes: list) -> list:
    if "beta" in intervals:
        raise ValueError(f"beta is the method's normalization, give one number, got {intervals['beta']}")
    if "beta" in given:
        return [given.pop("beta")]
    ends = sorted({min(max(given["alpha"], 0), 1), 1})
    notes.append(f"beta not given: AN-GD rows for beta in {{{', '.join(str(b) for b in ends)}}} "
                 "(the ends of the theorem's range [alpha, 1])")
    return ends


def _uses_beta(entry: CatalogEntry) -> bool:
    expressions = (entry.bound, entry.stepsize, entry.requires)
    return any(expr is not None and BETA in getattr(expr, "free_symbols", set()) for expr in expressions)


def _corners(given: dict, intervals: dict):
    names = list(intervals)
    for ends in itertools.product(*(intervals[name] for name in names)):
        yield {**given, **dict(zip(names, ends))}


def _entry_row(entry, given, intervals, beta, accuracies, target) -> ComparisonRow:
    point = dict(given) if beta is None else {**given, "beta": beta}
    label = entry.label if beta is None else f"{entry.label}, beta = {beta}"
    applies = entry.applies(**point)
    reason = _reason(entry, applies, point)
    blank = (None,) * len(accuracies)
    if entry.bound is None or applies is False:
        basis = entry.basis if entry.bound is None else "n/a: assumptions"
        return ComparisonRow(entry.key, label, entry.source.short, entry.kind, entry.quantity, entry.measure,
                             basis, applies, reason, blank, blank)
    convert = target == "gap" and entry.quantity == "gradient"
    try:
        values = _values(entry, point, accuracies, convert)
        steps = tuple(entry.stepsize_value(**_at(point, eps, entry, convert)) for eps in accuracies)
    except ValueError as error:
        missing = str(error).rsplit(": ", 1)[-1]
        return ComparisonRow(entry.key, label, entry.source.short, entry.kind, entry.quantity, entry.measure,
                             f"n/a: needs {missing}", applies, reason, blank, blank)
    low, high = _spread(lambda corner: _values(entry, corner, accuracies, convert), point, intervals, beta)
    if convert:
        reason = "; ".join(part for part in (reason, "gradient bound at (2 mu eps)^(1/rho) via PL") if part)
    return ComparisonRow(entry.key, label, entry.source.short, entry.kind, entry.quantity, entry.measure,
                         entry.basis, applies, reason, values, steps, low, high)


def _at(point: dict, eps, entry: CatalogEntry, convert: bool) -> dict:
    if not convert:
        return {**point, "eps": eps}
    if "mu" not in point or "rho" not in point:
        raise ValueError("converting a gradient bound to f - f* <= eps: mu, rho")
    rho = float(point["rho"])
    return {**point, "eps": (2 * float(point["mu"]) * float(eps)) ** (1 / rho)}


def _values(entry, point, accuracies, convert) -> tuple:
    return tuple(entry.iterations(**_at(point, eps, entry, convert)) for eps in accuracies)


def _spread(evaluate, point, intervals, beta):
    if not intervals:
        return None, None
    corners = [evaluate(corner if beta is None else {**corner, "beta": beta})
               for corner in _corners(point, intervals)]
    columns = list(zip(*corners))
    return (tuple(min(column) for column in columns), tuple(max(column) for column in columns))


def _reason(entry: CatalogEntry, applies, point: dict) -> str:
    if applies is False:
        return f"needs {entry.requires}"
    if applies is None:
        symbols = entry.requires.free_symbols - {NAMES[name] for name in point}
        names = {value: key for key, value in NAMES.items()}
        return "needs " + ", ".join(sorted(names.get(s, str(s)) for s in symbols))
    if entry.note.startswith("stated for alpha = 1") and point.get("alpha", 1) != 1:
        return "alpha < 1: holds with (L0 + L1, L1, 1)"
    return ""


def _derived_rows(given, intervals, beta, accuracies, wanted) -> list:
    if wanted is not None and not wanted.intersection({"AN-GD", "GD"} if beta == 0 else {"AN-GD"}):
        return []
    label = "AN-GD derived (gsmooth)" + (f", beta = {beta}" if beta != 0 else ", beta = 0 (GD)")
    blank = (None,) * len(accuracies)
    point = {**given, "beta": beta}
    missing = [name for name in ("rho", "mu", "L0", "L1", "Delta0") if name not in point]
    if missing:
        return [ComparisonRow(DERIVED_KEY, label, "gsmooth", "upper", "gap", "iterations",
                              f"n/a: needs {', '.join(missing)}", None, "", blank, blank)]
    if beta < point["alpha"]:
        return [ComparisonRow(DERIVED_KEY, label, "gsmooth", "upper", "gap", "iterations", "n/a: assumptions",
                              False, f"beta = {beta} < alpha = {point['alpha']}: outside the theorem",
                              blank, blank)]
    values, steps = _derived(point, accuracies)
    low, high = _spread(lambda corner: _derived(corner, accuracies)[0], point, intervals, beta)
    return [ComparisonRow(DERIVED_KEY, label, "gsmooth", "upper", "gap", "iterations", "derived", True,
                          "from (6) and (9), gsmooth.theory.an_gd_bound", values, steps, low, high)]


def _derived(point: dict, accuracies) -> tuple:
    from gsmooth.theory.an_gd import an_gd_bound

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GSmoothWarning)
        bound = an_gd_bound(*(exact(point[name], name) for name in ("rho", "beta", "alpha")),
                            **{name: exact(point[name], name) for name in ("L0", "L1", "mu")})
    delta0 = float(point["Delta0"])
    values = tuple(_finite(bound.iterations_value(float(eps), Delta0=delta0)) for eps in accuracies)
    steps = tuple(_finite(bound.stepsize_value(float(eps))) for eps in accuracies)
    return values, steps


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _applies_text(row: ComparisonRow) -> str:
    text = {True: "yes", False: "no", None: "?"}[row.applies]
    return f"{text} ({row.reason})" if row.reason and row.applies is not True else text


def _num(value) -> str:
    return "-" if value is None else f"{value:.3g}"

