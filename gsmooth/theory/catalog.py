"""Catalog of published rates and a side-by-side comparison for given constants.

:func:`catalog` returns the records of :mod:`gsmooth.theory.published`.
:func:`compare` evaluates each of them at one or more accuracies ``eps`` for
the constants a user supplies: the explicit bound where one is known (for
this paper's AN-GD regimes the bound derived by :func:`an_gd_bound`), else the
O()-argument with constant 1, marked as an order only.  Rows whose
assumptions exclude the given constants, or whose constants are missing, say
so instead of a number.

Examples
--------
>>> from gsmooth.theory import catalog, compare
>>> len(catalog())
9
>>> table = compare(eps=1e-3, rho=1, beta="2/3", alpha="1/3", L0=1, L1=1, mu=1, Delta0=1, tau2=1)
>>> table.best().key
'yang2025-an-gd-10'
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from gsmooth.theory.an_gd import an_gd_bound
from gsmooth.theory.exact import ALPHA, BETA, CONSTANTS, EPS, RHO, exact
from gsmooth.theory.published import PUBLISHED, SIGMA, TAU1, TAU2, PublishedRate

SYMBOLS = {**CONSTANTS, "rho": RHO, "beta": BETA, "alpha": ALPHA, "tau1": TAU1, "tau2": TAU2, "sigma": SIGMA}
"""Constant names accepted by :func:`compare`."""

AN_GD_KEYS = ("yang2025-an-gd-10", "yang2025-an-gd-11", "yang2025-an-gd-12")


def catalog() -> list[PublishedRate]:
    """Return all published rate statements (see :mod:`gsmooth.theory.published`)."""
    return list(PUBLISHED.values())


@dataclasses.dataclass(frozen=True)
class ComparisonRow:
    """One catalog entry evaluated at the given constants.

    ``values`` holds one float per ``eps`` (None where not applicable);
    ``basis`` says what the numbers are: "explicit", "derived", "order only", or why none.
    """

    key: str
    method: str
    measure: str
    order: str
    basis: str
    values: tuple[float | None, ...]


@dataclasses.dataclass(frozen=True)
class ComparisonTable:
    """Rows of :func:`compare`; ``str()`` gives a readable table."""

    eps: tuple[float, ...]
    rows: tuple[ComparisonRow, ...]

    def best(self, column: int = 0) -> ComparisonRow:
        """The row with the smallest number at ``eps[column]``."""
        candidates = [row for row in self.rows if row.values[column] is not None]
        return min(candidates, key=lambda row: row.values[column])

    def __str__(self) -> str:
        header = ["method", "measure", "O()", "basis"] + [f"eps={value:g}" for value in self.eps]
        body = [
            [row.method, row.measure, row.order, row.basis]
            + ["-" if value is None else f"{value:.3g}" for value in row.values]
            for row in self.rows
        ]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)) for line in [header, *body]]
        return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


def compare(eps, **constants) -> ComparisonTable:
    """Evaluate every catalog entry at accuracies ``eps`` for the given constants.

    Parameters
    ----------
    eps : float or sequence of float
        Target accuracies.
    **constants
        Any of ``rho, beta, alpha, L0, L1, mu, Delta0, tau1, tau2, sigma``.

    Returns
    -------
    ComparisonTable
    """
    unknown = set(constants) - set(SYMBOLS)
    if unknown:
        raise ValueError(f"unknown constant {sorted(unknown)[0]!r}; allowed: {', '.join(SYMBOLS)}")
    accuracies = tuple(float(value) for value in (eps if isinstance(eps, (list, tuple)) else [eps]))
    values = {SYMBOLS[name]: exact(value) for name, value in constants.items()}
    rows = tuple(_row(record, accuracies, values, constants) for record in catalog())
    return ComparisonTable(accuracies, rows)


def _row(record: PublishedRate, accuracies, values: dict, constants: dict) -> ComparisonRow:
    order = f"O({sp.sstr(record.rate)})"
    applies = record.condition.subs(values)
    if applies is sp.false:
        blank = (None,) * len(accuracies)
        return ComparisonRow(record.key, record.method, record.measure, order, "n/a: assumptions", blank)
    expression, basis = _expression(record, values, constants)
    numbers = tuple(_number(expression, accuracy) for accuracy in accuracies)
    if any(number is None for number in numbers):
        basis = "n/a: needs " + ", ".join(sorted(str(symbol) for symbol in expression.free_symbols - {EPS}))
    return ComparisonRow(record.key, record.method, record.measure, order, basis, numbers)


def _expression(record: PublishedRate, values: dict, constants: dict) -> tuple[sp.Expr, str]:
    if record.key in AN_GD_KEYS and RHO in values and BETA in values:
        known = {name: constants[name] for name in CONSTANTS if name in constants and name != "eps"}
        bound = an_gd_bound(constants["rho"], constants["beta"], constants.get("alpha"), **known)
        return bound.iterations, "derived"
    if record.explicit is not None:
        return record.explicit.subs(values), "explicit"
    return record.rate.subs(values), "order only"


def _number(expression: sp.Expr, accuracy: float) -> float | None:
    concrete = expression.subs(EPS, exact(accuracy))
    if concrete.free_symbols:
        return None
    return float(concrete.evalf())
