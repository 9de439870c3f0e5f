r"""The one policy for turning user numbers into exact values (``fractions.Fraction``).

Every command and the theory layer read user numbers here, so ``"2/3"``,
``2/3`` (a Python float) and ``"0.6667"`` mean the same thing everywhere:

* **fractions and integers are taken as given**: ``"2/3"``, ``"6667/10000"``,
  ``3``, ``Fraction(1, 3)``, a SymPy ``Rational``;
* **decimals are exact decimals**, ``"0.197" -> 197/1000``, ``"1e-3" -> 1/1000``,
  except that a decimal with at least :data:`SNAP_MIN_DIGITS` digits after the
  point is **snapped** to the simplest fraction with denominator at most
  :data:`SNAP_MAX_DENOMINATOR` that lies within half a unit of its last digit,
  i.e. to the fraction it is a rounding of: ``"0.6667" -> 2/3``
  (``|0.6667 - 2/3| = 1/30000 <= 5e-05``), ``"1.3333" -> 4/3``.  Shorter
  decimals are never snapped (``"0.67"`` stays ``67/100``; ``"0.1"`` stays
  ``1/10``), because half a unit of a first or second digit is too coarse to
  name a fraction;
* **floats** are binary numbers: a float that is the correctly rounded value of
  a fraction with denominator at most :data:`SNAP_MAX_DENOMINATOR` is that
  fraction (``2/3 -> 2/3``, ``4/3 -> 4/3``); any other float is read through its
  shortest decimal ``repr`` under the decimal rule (``0.1 -> 1/10``).

Each snap is reported (:attr:`ExactValue.note`) so that outputs can say what
was read; ``snap=False`` keeps every decimal exact (``"0.6667" -> 6667/10000``).
The module is part of the foundation layer: it imports neither SymPy nor NumPy.

Examples
--------
>>> from gsmooth._exact import exact_fraction, read_exact
>>> exact_fraction("2/3"), exact_fraction("0.6667"), exact_fraction(2 / 3), exact_fraction("0.67")
(Fraction(2, 3), Fraction(2, 3), Fraction(2, 3), Fraction(67, 100))
>>> print(read_exact("0.6667", "beta").note)
beta = 0.6667 read as 2/3 (within 5e-05, half a unit of its last digit; write 6667/10000 to keep it)
>>> exact_fraction("0.6667", snap=False)
Fraction(6667, 10000)
>>> exact_fraction("two", "beta")
Traceback (most recent call last):
...
ValueError: beta must be a number such as 2/3, 0.5 or 1e-3, got 'two'
"""

from __future__ import annotations

import argparse
import dataclasses
import decimal
import math
import numbers
from fractions import Fraction

SNAP_MAX_DENOMINATOR = 100
"""Largest denominator a decimal or float is snapped to."""

SNAP_MIN_DIGITS = 4
"""Fewest digits after the point for a decimal to be snapped."""


@dataclasses.dataclass(frozen=True)
class ExactValue:
    """A user number read exactly.

    Attributes
    ----------
    value : fractions.Fraction
        The exact value.
    given : str
        The number as the user gave it.
    name : str
        What it is (``"beta"``), for messages.
    snapped_from : fractions.Fraction or None
        The exact decimal before snapping; None when nothing was snapped.
    tolerance : fractions.Fraction or None
        Half a unit of the last digit given (the snap tolerance), for snapped decimals.
    """

    value: Fraction
    given: str
    name: str = "value"
    snapped_from: Fraction | None = None
    tolerance: Fraction | None = None

    @property
    def snapped(self) -> bool:
        """Whether the value differs from the number as written."""
        return self.snapped_from is not None

    @property
    def note(self) -> str | None:
        """One line saying what a snapped number was read as (None when nothing was snapped)."""
        if not self.snapped:
            return None
        value = _fraction_text(self.value)
        if self.tolerance is None:
            return f"{self.name} = {self.given} read as {value} (it is the float nearest to {value})"
        keep = _fraction_text(self.snapped_from)
        return (f"{self.name} = {self.given} read as {value} (within {float(self.tolerance):.0e}, "
                f"half a unit of its last digit; write {keep} to keep it)")


def read_exact(value, name: str = "value", *, snap: bool = True) -> ExactValue:
    """Read ``value`` under the module's policy and return it with what was done.

    Parameters
    ----------
    value : int, float, str, fractions.Fraction or any ``numbers.Rational``
        The user's number; strings may be fractions (``"2/3"``), decimals
        (``"0.5"``) or scientific (``"1e-3"``).
    name : str
        What the number is, used in messages.
    snap : bool
        Snap long decimals and floats to simple fractions (module docstring).

    Raises
    ------
    ValueError
        For text that is not a number, a zero denominator, ``bool``, NaN or infinity.

    Examples
    --------
    >>> read_exact("1.3333", "rho").value, read_exact(0.1).value, read_exact("3 / 4").value
    (Fraction(4, 3), Fraction(1, 10), Fraction(3, 4))
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):
        raise ValueError(f"{name} must be a number such as 2/3, 0.5 or 1e-3, got {value!r}")
    if isinstance(value, numbers.Rational):
        return ExactValue(Fraction(int(value.numerator), int(value.denominator)), str(value), name)
    if isinstance(value, numbers.Real):
        return _from_float(float(value), name, snap)
    return _from_text(value, name, snap)


def exact_fraction(value, name: str = "value", *, snap: bool = True) -> Fraction:
    """The exact value of ``value`` (see :func:`read_exact`).

    Examples
    --------
    >>> exact_fraction(3), exact_fraction("1e-3")
    (Fraction(3, 1), Fraction(1, 1000))
    """
    return read_exact(value, name, snap=snap).value


def number_argument(text: str) -> Fraction:
    """``argparse`` type for exact numbers: ``--beta 2/3`` or ``--beta 0.6667`` give ``Fraction(2, 3)``.

    Examples
    --------
    >>> number_argument("2/3")
    Fraction(2, 3)
    """
    try:
        return exact_fraction(text, "the number")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def simplest_within(center: Fraction, tolerance: Fraction, max_denominator: int) -> Fraction | None:
    """The fraction with the smallest denominator (at most ``max_denominator``) in ``[center +- tolerance]``.

    Examples
    --------
    >>> simplest_within(Fraction(6667, 10000), Fraction(1, 20000), 100)
    Fraction(2, 3)
    >>> simplest_within(Fraction(197, 1000), Fraction(1, 2000000), 100) is None
    True
    """
    for denominator in range(1, max_denominator + 1):
        numerator = round(center * denominator)
        candidate = Fraction(numerator, denominator)
        if abs(candidate - center) <= tolerance:
            return candidate
    return None


def _from_float(value: float, name: str, snap: bool) -> ExactValue:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    given = repr(value)
    if snap:
        nearest = Fraction(value).limit_denominator(SNAP_MAX_DENOMINATOR)
        if float(nearest) == value:
            written = Fraction(given)
            return ExactValue(nearest, given, name, None if written == nearest else written)
    return _from_text(given, name, snap)


def _from_text(text: str, name: str, snap: bool) -> ExactValue:
    cleaned = text.strip().replace(" ", "")
    try:
        if "/" in cleaned:
            return ExactValue(Fraction(cleaned), text.strip(), name)
        number = decimal.Decimal(cleaned)
    except (ValueError, ZeroDivisionError, decimal.InvalidOperation):
        raise ValueError(f"{name} must be a number such as 2/3, 0.5 or 1e-3, got {text!r}") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {text!r}")
    written = Fraction(number)
    digits = max(-number.as_tuple().exponent, 0)
    if not snap or digits < SNAP_MIN_DIGITS:
        return ExactValue(written, text.strip(), name)
    tolerance = Fraction(1, 2 * 10**digits)
    simple = simplest_within(written, tolerance, SNAP_MAX_DENOMINATOR)
    if simple is None or simple == written:
        return ExactValue(written, text.strip(), name)
    return ExactValue(simple, text.strip(), name, written, tolerance)


def _fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
