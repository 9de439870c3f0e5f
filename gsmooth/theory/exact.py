"""Exact inputs for the theory layer: symbols, parsing to SymPy numbers, validation.

Every quantity the theory layer works with is a SymPy object.  Numbers given by
the user are turned into exact ones here, so that ``"2/3"`` and
``Rational(2, 3)`` give ``2/3`` and never ``0.666...``:

* strings are parsed with :class:`sympy.Rational` (``"2/3"``, ``"0.5"``, ``"1e-3"``);
* ints and SymPy numbers are kept as they are;
* a float that equals a fraction with denominator at most 1000 to within
  1e-12 (relative) is that fraction: ``2/3`` evaluated by Python gives ``2/3``
  and ``4/3`` gives ``4/3``, not a 16-digit rational that would make the
  derivation slow; any other float is read through its shortest decimal
  ``repr`` (``0.1 -> 1/10``, ``0.123456789 -> 123456789/1000000000``);
* SymPy symbols are left free (the derivation then keeps them symbolic).

Examples
--------
>>> from gsmooth.theory.exact import exact, check_exponent
>>> exact("2/3"), exact(0.5), exact(0.1), exact(2 / 3)
(2/3, 1/2, 1/10, 2/3)
>>> check_exponent("beta", "3/2", low=0, high=1)
Traceback (most recent call last):
...
ValueError: beta must be in [0, 1], got 3/2
"""

from __future__ import annotations

import numbers
from fractions import Fraction

import sympy as sp

EPS = sp.Symbol("epsilon", positive=True)
MU = sp.Symbol("mu", positive=True)
L0 = sp.Symbol("L_0", positive=True)
L1 = sp.Symbol("L_1", positive=True)
DELTA0 = sp.Symbol("Delta_0", positive=True)
GAMMA = sp.Symbol("gamma", positive=True)
GRAD = sp.Symbol("g", positive=True)
GAP = sp.Symbol("Delta", positive=True)
T = sp.Symbol("t", positive=True)
RHO = sp.Symbol("rho", positive=True)
BETA = sp.Symbol("beta", positive=True)
ALPHA = sp.Symbol("alpha", positive=True)

CONSTANTS = {"L0": L0, "L1": L1, "mu": MU, "eps": EPS, "Delta0": DELTA0}
"""Names a user may give for the constants of (6) and (9), and their symbols."""

NONNEGATIVE = ("L0", "L1")
"""Constants allowed to be zero (``L1 = 0`` is the classical L-smooth case)."""


def exact(value) -> sp.Expr:
    """Return ``value`` as an exact SymPy number (or the SymPy expression itself).

    Parameters
    ----------
    value : int, float, str, sympy.Expr
        See the module docstring for how each type is read.

    Raises
    ------
    ValueError
        If ``value`` is a string that is not a number, or a non-finite float.

    Examples
    --------
    >>> exact("4/3"), exact(2), exact(1e-3)
    (4/3, 2, 1/1000)
    """
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, numbers.Real):
        return _from_float(float(value))
    if isinstance(value, str):
        return _from_string(value)
    raise ValueError(f"expected a number, a string such as '2/3', or a SymPy expression, got {value!r}")


FLOAT_DENOMINATOR = 1000
FLOAT_TOLERANCE = 1e-12


def _from_float(value: float) -> sp.Rational:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"expected a finite number, got {value!r}")
    snapped = Fraction(value).limit_denominator(FLOAT_DENOMINATOR)
    if abs(float(snapped) - value) <= FLOAT_TOLERANCE * abs(value):
        return sp.Rational(snapped.numerator, snapped.denominator)
    return sp.Rational(repr(value))


def _from_string(text: str) -> sp.Rational:
    try:
        return sp.Rational(text.strip())
    except (TypeError, ValueError):
        raise ValueError(f"expected a number such as '2/3' or '0.5', got {text!r}") from None


def is_number(value: sp.Expr) -> bool:
    """Return True when ``value`` has no free symbols."""
    return not value.free_symbols


def check_exponent(name: str, value, low, high, open_low: bool = False) -> sp.Expr:
    """Parse an exponent and check that it lies in ``[low, high]`` (``(low, high]``).

    Free symbols pass unchecked.  Returns the exact value.

    Examples
    --------
    >>> check_exponent("rho", "4/3", low=0, high=2, open_low=True)
    4/3
    >>> check_exponent("rho", 0, low=0, high=2, open_low=True)
    Traceback (most recent call last):
    ...
    ValueError: rho must be in (0, 2], got 0
    """
    parsed = exact(value)
    if not is_number(parsed):
        return parsed
    below = parsed <= low if open_low else parsed < low
    if not parsed.is_real or below or parsed > high:
        bracket = "(" if open_low else "["
        raise ValueError(f"{name} must be in {bracket}{low}, {high}], got {parsed}")
    return parsed


def check_constants(constants: dict) -> dict[sp.Symbol, sp.Expr]:
    """Parse the known constants of (6) and (9) into a substitution ``{symbol: value}``.

    ``L0`` and ``L1`` must be non-negative and not both zero; ``mu``, ``eps``
    and ``Delta0`` must be positive.

    Examples
    --------
    >>> check_constants({"L0": "1/2", "mu": 2})
    {L_0: 1/2, mu: 2}
    >>> check_constants({"mu": -1})
    Traceback (most recent call last):
    ...
    ValueError: mu must be > 0, got -1
    """
    substitution = {}
    for name, value in constants.items():
        if name not in CONSTANTS:
            raise ValueError(f"unknown constant {name!r}; allowed: {', '.join(CONSTANTS)}")
        substitution[CONSTANTS[name]] = check_positive(name, value, allow_zero=name in NONNEGATIVE)
    if substitution.get(L0) == 0 and substitution.get(L1) == 0:
        raise ValueError("L0 and L1 must not both be 0, got L0 = 0 and L1 = 0")
    return substitution


def check_positive(name: str, value, allow_zero: bool = False) -> sp.Expr:
    """Parse a constant and check that it is positive (or non-negative).

    Examples
    --------
    >>> check_positive("L1", 0, allow_zero=True)
    0
    """
    parsed = exact(value)
    if is_number(parsed) and (not parsed.is_real or parsed < 0 or (parsed == 0 and not allow_zero)):
        relation = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {relation}, got {parsed}")
    return parsed
