"""Numeric evaluation of derived expressions on NumPy or any array-API namespace.

A derived expression is turned into a function with :func:`sympy.lambdify`,
whose elementary functions are taken from the namespace of the input array, so
the same expression evaluates on NumPy, CuPy or array-api-strict arrays and
returns an array of the input's namespace and dtype.  Python scalars give
Python floats.

Examples
--------
>>> import numpy as np
>>> from gsmooth.theory.exact import EPS
>>> from gsmooth.theory.numeric import evaluate_expression
>>> evaluate_expression(EPS**2, EPS, np.array([1.0, 2.0]), {})
array([1., 4.])
>>> evaluate_expression(EPS**2, EPS, 3, {})
9.0
"""

from __future__ import annotations

import numbers

import sympy as sp
from array_api_compat import array_namespace
from sympy.printing.str import StrPrinter

from gsmooth.theory.exact import ALPHA, CONSTANTS, GAMMA, check_constants, check_positive, exact

EXTRA = {"alpha": ALPHA, "gamma": GAMMA}
"""Names, besides :data:`gsmooth.theory.exact.CONSTANTS`, accepted at evaluation time."""


def substitute_constants(expr: sp.Expr, constants: dict) -> sp.Expr:
    """Substitute constants given by name (validated, exact) into ``expr``.

    Examples
    --------
    >>> from gsmooth.theory.exact import L0, MU
    >>> substitute_constants(L0 / MU, {"L0": 3, "mu": "1/2"})
    6
    """
    return expr.subs(_substitution(constants))


def _substitution(constants: dict) -> dict:
    plain = {name: value for name, value in constants.items() if name not in EXTRA}
    substitution = check_constants(plain)
    for name, symbol in EXTRA.items():
        if name in constants:
            allow_zero = name == "alpha"
            substitution[symbol] = check_positive(name, constants[name], allow_zero=allow_zero)
    return substitution


EVALUATION_DIGITS = 30
"""Decimal digits of the constants at numeric evaluation.

Exact rationals are checked exactly, then enter the evaluation as floats of
this precision: SymPy raising an exact ``a/b`` to ``p/q`` builds ``a^p`` and
tests ``q``-th powers, which does not finish for constants and exponents that
came from floats (denominators near ``2^52``), while 30 digits keep the
float64 result exact to rounding.
"""


def as_floats(substitution: dict) -> dict:
    """``substitution`` with every rational value as a float of :data:`EVALUATION_DIGITS` digits
    (other values, symbolic or boolean, as they are)."""
    return {symbol: sp.Float(value, EVALUATION_DIGITS) if getattr(value, "is_Rational", False) else value
            for symbol, value in substitution.items()}


def evaluate_expression(expr: sp.Expr, variable: sp.Symbol, values, constants: dict):
    """Evaluate ``expr`` at ``variable = values`` after substituting ``constants``.

    Parameters
    ----------
    expr : sympy.Expr
    variable : sympy.Symbol
        The symbol that receives ``values`` (``epsilon`` or ``t``).
    values : float or array
        A Python number or an array of any array-API namespace.
    constants : dict
        Remaining constants by name (see :data:`gsmooth.theory.exact.CONSTANTS`,
        plus ``alpha`` and ``gamma``).

    Raises
    ------
    ValueError
        If constants are missing (named in the message) or invalid.
    """
    concrete = require_numeric(expr.subs(as_floats(_substitution(constants))), variable)
    if isinstance(values, numbers.Real):
        return float(concrete.subs(variable, sp.Float(exact(values), EVALUATION_DIGITS)).evalf())
    xp = array_namespace(values)
    function = sp.lambdify(variable, concrete.evalf(), modules=[_functions(xp)], printer=StrPrinter)
    result = function(values)
    if isinstance(result, numbers.Real):
        return xp.full_like(values, float(result))
    return result


def require_numeric(expr: sp.Basic, variable: sp.Symbol | None) -> sp.Basic:
    """Return ``expr`` if ``variable`` is its only free symbol; else name what is missing.

    Examples
    --------
    >>> from gsmooth.theory.exact import EPS, MU
    >>> require_numeric(MU * EPS, EPS)
    Traceback (most recent call last):
    ...
    ValueError: missing constants for numeric evaluation: mu
    """
    missing = expr.free_symbols - {variable}
    if missing:
        names = ", ".join(sorted(_name_of(symbol) for symbol in missing))
        raise ValueError(f"missing constants for numeric evaluation: {names}")
    return expr


def _name_of(symbol: sp.Symbol) -> str:
    names = {value: key for key, value in {**CONSTANTS, **EXTRA}.items()}
    return names.get(symbol, symbol.name)


def _functions(xp) -> dict:
    return {
        "log": xp.log,
        "exp": xp.exp,
        "sqrt": xp.sqrt,
        "Abs": xp.abs,
        "Max": xp.maximum,
        "Min": xp.minimum,
        "ceiling": xp.ceil,
    }

