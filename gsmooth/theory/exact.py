"""Exact inputs for the theory layer: symbols, SymPy numbers from user input, validation.

Every quantity the theory layer works with is a SymPy object.  User numbers are
read by the one policy of :mod:`gsmooth._exact` (fractions as given, decimals
exact, long decimals and floats snapped to the simple fraction they round,
each snap reported) and turned into SymPy ``Rational`` here, so that ``"2/3"``,
``2/3`` and ``"0.6667"`` all give ``2/3`` and never ``0.666...``.  SymPy
expressions pass through unchanged (free symbols keep a derivation symbolic);
:func:`input_notes` lists what was snapped, for the outputs to show.

Examples
--------
>>> from gsmooth.theory.exact import exact, check_exponent, input_notes
>>> exact("2/3"), exact(0.5), exact(0.1), exact(2 / 3), exact("0.6667", snap=False)
(2/3, 1/2, 1/10, 2/3, 6667/10000)
>>> input_notes(beta="0.6667", rho="4/3")
('beta = 0.6667 read as 2/3 (within 5e-05, half a unit of its last digit; write 6667/10000 to keep it)',)
>>> check_exponent("beta", "3/2", low=0, high=1)
Traceback (most recent call last):
...
ValueError: beta must be in [0, 1], got 3/2
"""

from __future__ import annotations

import sympy as sp

from gsmooth._exact import read_exact

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

NONNEGATIVE = ("L0", "L1", "sigma")
"""Constants allowed to be zero (``L1 = 0`` is the classical L-smooth case, ``sigma = 0`` no noise)."""

EXPONENT_RANGES = {"rho": (0, 2, True), "beta": (0, 1, False), "alpha": (0, 1, False)}
"""``(low, high, open_low)`` of the PL exponent, AN-GD's normalization and the smoothness exponent."""


def exact(value, name: str = "value", *, snap: bool = True) -> sp.Expr:
    """Return ``value`` as an exact SymPy number (or the SymPy expression itself).

    Parameters
    ----------
    value : int, float, str, fractions.Fraction, sympy.Expr
        Read by :func:`gsmooth._exact.read_exact` unless it is already SymPy.
    name : str
        What the number is, used in messages.
    snap : bool
        Snap long decimals and floats to simple fractions (:mod:`gsmooth._exact`).

    Raises
    ------
    ValueError
        If ``value`` is not a number, naming the allowed and the given value.

    Examples
    --------
    >>> exact("4/3"), exact(2), exact(1e-3), exact("1.3333")
    (4/3, 2, 1/1000, 4/3)
    """
    if isinstance(value, sp.Basic):
        return value
    fraction = read_exact(value, name, snap=snap).value
    return sp.Rational(fraction.numerator, fraction.denominator)


def input_notes(snap: bool = True, **values) -> tuple[str, ...]:
    """One line per snapped input, saying what it was read as (SymPy inputs are never snapped).

    Examples
    --------
    >>> input_notes(beta=2 / 3)
    ('beta = 0.6666666666666666 read as 2/3 (it is the float nearest to 2/3)',)
    """
    notes = (read_exact(value, name, snap=snap).note for name, value in values.items()
             if value is not None and not isinstance(value, sp.Basic))
    return tuple(note for note in notes if note is not None)


def is_number(value: sp.Expr) -> bool:
    """Return True when ``value`` has no free symbols."""
    return not value.free_symbols


def check_exponent(name: str, value, low, high, open_low: bool = False, snap: bool = True) -> sp.Expr:
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
    parsed = exact(value, name, snap=snap)
    if not is_number(parsed):
        return parsed
    below = parsed <= low if open_low else parsed < low
    if not parsed.is_real or below or parsed > high:
        bracket = "(" if open_low else "["
        raise ValueError(f"{name} must be in {bracket}{low}, {high}], got {parsed}")
    return parsed


def check_constants(constants: dict, snap: bool = True) -> dict[sp.Symbol, sp.Expr]:
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
        substitution[CONSTANTS[name]] = check_value(name, value, snap=snap)
    if substitution.get(L0) == 0 and substitution.get(L1) == 0:
        raise ValueError("L0 and L1 must not both be 0, got L0 = 0 and L1 = 0")
    return substitution


def check_value(name: str, value, snap: bool = True) -> sp.Expr:
    """Parse a named input of the theory layer and check it by its rule (the one home of each rule).

    Exponents lie in :data:`EXPONENT_RANGES`, ``tau1`` in ``[0, 1)``, the
    :data:`NONNEGATIVE` constants are ``>= 0`` and every other constant
    (``mu, eps, Delta0, gamma, tau2, M``) is ``> 0``.  Free symbols pass unchecked.

    Examples
    --------
    >>> check_value("rho", "4/3"), check_value("L1", 0), check_value("tau1", "1/2")
    (4/3, 0, 1/2)
    >>> check_value("gamma", -1)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be > 0, got -1
    """
    if name in EXPONENT_RANGES:
        low, high, open_low = EXPONENT_RANGES[name]
        return check_exponent(name, value, low=low, high=high, open_low=open_low, snap=snap)
    if name == "tau1":
        return check_tau1(value, snap=snap)
    return check_positive(name, value, allow_zero=name in NONNEGATIVE, snap=snap)


def check_tau1(value, snap: bool = True) -> sp.Expr:
    """Parse the relative noise constant and check that it lies in ``[0, 1)``.

    Examples
    --------
    >>> check_tau1(1)
    Traceback (most recent call last):
    ...
    ValueError: tau1 must be in [0, 1), got 1
    """
    parsed = exact(value, "tau1", snap=snap)
    if is_number(parsed) and not (parsed.is_real and 0 <= parsed < 1):
        raise ValueError(f"tau1 must be in [0, 1), got {parsed}")
    return parsed


def check_positive(name: str, value, allow_zero: bool = False, snap: bool = True) -> sp.Expr:
    """Parse a constant and check that it is positive (or non-negative).

    Examples
    --------
    >>> check_positive("L1", 0, allow_zero=True)
    0
    """
    parsed = exact(value, name, snap=snap)
    if is_number(parsed) and (not parsed.is_real or parsed < 0 or (parsed == 0 and not allow_zero)):
        relation = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {relation}, got {parsed}")
    return parsed
