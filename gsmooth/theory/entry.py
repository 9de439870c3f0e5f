r"""One published complexity statement, as data that evaluates on a user's constants.

A :class:`CatalogEntry` keeps what its source states -- the paper, the method
and its step-size rule, the assumptions, the quantity bounded -- and the bound
as a SymPy expression in named constants (:data:`NAMES`).  How much of the
statement could be read is part of the entry:

* ``explicit=True``: every constant of the bound was read (or the statement
  has none that could be missing, as for a per-step contraction factor);
* ``explicit=False``: the order was read but not the constant in front; the
  bound is ``C`` times the order, :data:`UNREAD` is the unread ``C`` and
  evaluation takes ``C = 1`` and says so (``basis = "order only"``);
* ``bound is None``: not even the order could be read; the entry records the
  source and refuses evaluation, naming why.

``provenance`` says where the statement was read (address, theorem or
equation) and what could not be read.

Examples
--------
>>> import sympy as sp
>>> from gsmooth.theory.entry import CatalogEntry, Source, symbol
>>> L, mu, D, eps = (symbol(name) for name in ("L0", "mu", "Delta0", "eps"))
>>> entry = CatalogEntry(
...     key="demo", source=Source("A. Author", "A title", "Venue", 2024, "Thm 1", "https://example.org"),
...     method="GD", methods=("GD",), stepsize_rule="1/L", assumptions=("L-smooth",),
...     setting="deterministic", quantity="gap", measure="iterations", kind="upper",
...     bound=L / mu * sp.log(D / eps), order=sp.log(1 / eps), explicit=True, provenance="demo")
>>> round(entry.iterations(L0=4, mu=1, Delta0=1, eps="1/100"), 4)
18.4207
"""

from __future__ import annotations

import dataclasses
import math

import sympy as sp

from gsmooth.theory.exact import ALPHA, BETA, DELTA0, EPS, GAMMA, L0, L1, MU, RHO, exact, is_number
from gsmooth.theory.numeric import as_floats

TAU1 = sp.Symbol("tau_1", nonnegative=True)
TAU2 = sp.Symbol("tau_2", positive=True)
SIGMA = sp.Symbol("sigma", positive=True)
GRAD_BOUND = sp.Symbol("M", positive=True)
CONVEX = sp.Symbol("convex")
"""Whether the function is convex (a yes/no constant: ``convex=True``)."""
UNREAD = sp.Symbol("C", positive=True)
"""The constant in front of an order that could not be read (evaluated as 1, and said so)."""

NAMES = {
    "L0": L0, "L1": L1, "alpha": ALPHA, "rho": RHO, "mu": MU, "beta": BETA, "Delta0": DELTA0,
    "eps": EPS, "gamma": GAMMA, "tau1": TAU1, "tau2": TAU2, "sigma": SIGMA, "M": GRAD_BOUND, "convex": CONVEX,
}
"""Constant names an entry is evaluated with, and their symbols.  ``M`` is
``sup{||grad f(x)|| : f(x) <= f(x0)}``, ``sigma`` a variance bound, ``gamma`` a step size."""

QUANTITIES = {
    "gap": "f(x_T) - f* <= eps",
    "gradient": "min_{t <= T} ||grad f(x_t)|| <= eps",
    "contraction": "f(x_{t+1}) - f* <= q (f(x_t) - f*) (q per step)",
}


def symbol(name: str) -> sp.Symbol:
    """The symbol of constant ``name`` (see :data:`NAMES`)."""
    try:
        return NAMES[name]
    except KeyError:
        raise ValueError(f"unknown constant {name!r}; allowed: {', '.join(NAMES)}") from None


@dataclasses.dataclass(frozen=True)
class Source:
    """Where a statement comes from and where it was read."""

    authors: str
    title: str
    venue: str
    year: int
    where: str
    url: str

    def cite(self) -> str:
        """``Authors (year), venue, where``."""
        return f"{self.authors} ({self.year}), {self.venue}, {self.where}"

    @property
    def short(self) -> str:
        """``First author et al. year``."""
        first = self.authors.split(",")[0].split()[-1]
        more = " et al." if "," in self.authors else ""
        return f"{first}{more} {self.year}"


@dataclasses.dataclass(frozen=True)
class CatalogEntry:
    """A published complexity statement (see the module docstring).

    Attributes
    ----------
    key : str
    source : Source
    method : str
        The method as the paper names it.
    methods : tuple of str
        gsmooth method names it covers (``"GD"``, ``"AN-GD"``, ``"clipped GD"``, ...).
    stepsize_rule : str
        The step-size rule as stated.
    assumptions : tuple of str
        Function class, PL or convexity, noise model.
    setting : {"deterministic", "stochastic"}
    quantity : {"gap", "gradient", "contraction"}
        What is bounded (:data:`QUANTITIES`).
    measure : {"iterations", "samples", "per step"}
    kind : {"upper", "lower"}
        A guarantee (upper bound on the count) or a lower bound on it.
    bound : sympy.Expr or None
        In the symbols of :data:`NAMES` (and :data:`UNREAD` when not explicit).
    order : sympy.Expr or None
        The argument of the O() (or Omega()).
    explicit : bool
        Whether every constant of ``bound`` was read.
    provenance : str
        Where the statement was read and what could not be read.
    requires : sympy.Boolean
        Conditions on the constants for the statement to apply.
    stepsize : sympy.Expr or None
        The prescribed step size in the constants (None where none is stated or read).
    rate : sympy.Expr or None
        The per-step contraction factor of a linear-rate statement.
    defaults : tuple of (str, sympy.Expr)
        Values used for constants the caller leaves out (e.g. ``gamma = 1/L0``).
    note : str
    """

    key: str
    source: Source
    method: str
    methods: tuple[str, ...]
    stepsize_rule: str
    assumptions: tuple[str, ...]
    setting: str
    quantity: str
    measure: str
    kind: str
    bound: sp.Expr | None
    order: sp.Expr | None
    explicit: bool
    provenance: str
    requires: sp.Basic = sp.true
    stepsize: sp.Expr | None = None
    rate: sp.Expr | None = None
    defaults: tuple = ()
    note: str = ""

    @property
    def basis(self) -> str:
        """``"explicit"``, ``"order only (C = 1)"`` or ``"not evaluable: ..."``."""
        if self.bound is None:
            return "not evaluable: statement not read"
        return "explicit" if self.explicit else "order only (C = 1)"

    @property
    def label(self) -> str:
        """The method, marked when the statement is a lower bound."""
        return f"{self.method} (lower bound)" if self.kind == "lower" else self.method

    def iterations(self, **constants) -> float:
        """Evaluate the bound at the given constants (``C = 1`` for an order-only entry).

        Raises
        ------
        ValueError
            For an entry without a bound, a missing or unknown constant.
        """
        if self.bound is None:
            raise ValueError(f"{self.key}: {self.basis} ({self.provenance})")
        return _number(self.bound, self._with_defaults(constants), self.key)

    def stepsize_value(self, **constants) -> float | None:
        """The prescribed step size at the constants, or None where none is stated."""
        if self.stepsize is None:
            return None
        return _number(self.stepsize, self._with_defaults(constants), self.key)

    def rate_value(self, **constants) -> float | None:
        """The per-step contraction factor at the constants (linear-rate statements only)."""
        if self.rate is None:
            return None
        return _number(self.rate, self._with_defaults(constants), self.key)

    def _with_defaults(self, constants: dict) -> dict:
        given = {name: value for name, value in constants.items() if value is not None}
        for name, default in self.defaults:
            if name not in given:
                given[name] = default.subs(_substitution(given))
        return given

    def applies(self, **constants) -> bool | None:
        """Whether :attr:`requires` holds: True, False, or None when constants it needs are missing."""
        condition = sp.sympify(self.requires).subs(_substitution(self._with_defaults(constants)))
        if condition in (sp.true, True):
            return True
        if condition in (sp.false, False):
            return False
        return None

    def as_dict(self) -> dict:
        """JSON-ready dict; expressions as strings :func:`sympy.sympify` reads back."""
        text = _text
        return {
            "key": self.key, "source": dataclasses.asdict(self.source), "method": self.method,
            "methods": list(self.methods), "stepsize_rule": self.stepsize_rule,
            "assumptions": list(self.assumptions), "setting": self.setting, "quantity": self.quantity,
            "measure": self.measure, "kind": self.kind, "bound": text(self.bound), "order": text(self.order),
            "explicit": self.explicit, "basis": self.basis, "provenance": self.provenance,
            "requires": str(self.requires), "stepsize": text(self.stepsize), "rate": text(self.rate),
            "note": self.note,
        }


def _text(expr) -> str | None:
    return None if expr is None else str(expr)


def _substitution(constants: dict) -> dict:
    values = {symbol(name): sp.true if value is True else sp.false if value is False else exact(value, name)
              for name, value in constants.items() if value is not None}
    values.setdefault(UNREAD, sp.Integer(1))
    return values


def _number(expr: sp.Expr, constants: dict, key: str) -> float:
    """``expr`` at ``constants`` as a float; NaN where it is complex (outside the entry's range).

    The exact constants enter as 30-digit floats (:func:`gsmooth.theory.numeric.as_floats`).
    """
    concrete = expr.subs(as_floats(_substitution(constants)))
    if not is_number(concrete):
        names = {value: name for name, value in NAMES.items()}
        missing = ", ".join(sorted(names.get(s, str(s)) for s in concrete.free_symbols))
        raise ValueError(f"{key}: missing constants for numeric evaluation: {missing}")
    value = complex(concrete.evalf())
    if abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return math.nan
    return value.real
