"""Argument checks shared by every layer: one home for each rule, one message style.

Every check raises ``ValueError`` naming the argument, what is allowed and what
was given (``beta must be in [0, 1], got 1.5``), and returns the value in the
form the caller stores (an ``int``, a float, or a tuple of floats for a
per-run sequence).  The checks of a type (:func:`instance_of`, :func:`flag`,
:func:`real_number`) raise ``TypeError`` in the same style
(``progress must be True, False or None, got str 'x'``).

Examples
--------
>>> positive_int("batch", 64)
64
>>> positive_int("batch", 2.5)
Traceback (most recent call last):
...
ValueError: batch must be a positive integer, got 2.5
>>> check_interval("beta", [0, 0.5], 0.0, 1.0)
(0.0, 0.5)
>>> flag("progress", "x", none=True)
Traceback (most recent call last):
...
TypeError: progress must be True, False or None, got str 'x'
"""

from __future__ import annotations

import math
import numbers
import os
import reprlib

import numpy as np


def positive_int(name: str, value) -> int:
    """``value`` as an ``int`` if it is an integer >= 1 (``bool`` and ``2.5`` are refused)."""
    return _integer(name, value, 1, "a positive integer")


def nonnegative_int(name: str, value) -> int:
    """``value`` as an ``int`` if it is an integer >= 0."""
    return _integer(name, value, 0, "a non-negative integer")


def instance_of(name: str, value, types, what: str):
    """``value`` if it is an instance of ``types``, else ``TypeError`` saying it must be ``what``.

    Examples
    --------
    >>> instance_of("text", 42, str, "the TOML text of a spec (a str)")
    Traceback (most recent call last):
    ...
    TypeError: text must be the TOML text of a spec (a str), got int 42
    """
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {what}, got {describe(value)}")
    return value


def flag(name: str, value, *, none: bool = False) -> bool | None:
    """``value`` as a ``bool`` if it is one (``None`` too with ``none=True``), else ``TypeError``."""
    if value is None and none:
        return None
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {'True, False or None' if none else 'True or False'}, "
                        f"got {describe(value)}")
    return bool(value)


def real_number(name: str, value) -> float:
    """``value`` as a float if it is one finite real number (any ``numbers.Real``, ``bool`` refused).

    ``TypeError`` for anything but a number (a string, a sequence), ``ValueError``
    for NaN or an infinity.

    Examples
    --------
    >>> real_number("f_star", 0)
    0.0
    >>> real_number("f_star", "a")
    Traceback (most recent call last):
    ...
    TypeError: f_star must be a real number, got str 'a'
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def describe(value) -> str:
    """What was given, for a message: ``None``, or the type and a short one-line repr
    (a function or class by its name, an array by its shape).

    Examples
    --------
    >>> describe(None), describe(42), describe("abc"), describe(np.ones((2, 2)))
    ('None', 'int 42', "str 'abc'", 'ndarray of shape (2, 2)')
    """
    if value is None:
        return "None"
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{type(value).__name__} {value.__qualname__}"
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return f"ndarray of shape {value.shape}"
    return f"{type(value).__name__} {' '.join(reprlib.repr(value).split())}"


def check_memory(what: str, n_floats: int) -> None:
    """Refuse, before allocating, ``n_floats`` float64 values that exceed this machine's memory.

    Examples
    --------
    >>> check_memory("d = 10", 10)
    >>> check_memory("d = 10**15", 10**15)
    Traceback (most recent call last):
    ...
    ValueError: d = 10**15 needs 8e+06 GB (float64), more than this machine's memory ...
    """
    needed = 8.0 * n_floats
    total = _physical_memory()
    if total is not None and needed > total:
        raise ValueError(f"{what} needs {needed / 1e9:.3g} GB (float64), more than this machine's "
                         f"memory ({total / 1e9:.3g} GB)")


def _physical_memory() -> float | None:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def _integer(name, value, minimum, what):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def _values(name, value):
    if isinstance(value, np.ndarray) and value.ndim == 0:
        values = [value.item()]
    elif np.isscalar(value):
        values = [value]
    elif isinstance(value, (list, tuple, np.ndarray)):
        values = list(np.asarray(value).reshape(-1)) if isinstance(value, np.ndarray) else list(value)
    else:
        raise TypeError(f"{name} must be a number or a sequence of numbers, got {value!r}")
    nested = any(isinstance(v, (list, tuple, np.ndarray)) for v in values)
    if nested or (isinstance(value, np.ndarray) and value.ndim > 1):
        shape = f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else repr(value)
        raise ValueError(f"{name} must be a number or a 1-D sequence of numbers (one per run), "
                         f"got {shape}")
    if not values:
        raise ValueError(f"{name} must be a number or a non-empty sequence, got []")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise ValueError(f"{name} must be a real number, got {v!r}")
    return [float(v) for v in values]


def _normalize(value):
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value if np.isscalar(value) else tuple(float(v) for v in value)


def check_interval(name, value, low, high, *, low_open=False, high_open=False):
    """Check every value of ``value`` lies in the interval; return it as float or tuple."""
    for v in _values(name, value):
        below = v <= low if low_open else v < low
        above = v >= high if high_open else v > high
        if below or above or math.isnan(v):
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            high_text = "inf" if high == math.inf else f"{high:g}"
            raise ValueError(f"{name} must be in {left}{low:g}, {high_text}{right}, got {v:g}")
    return _normalize(value)


def check_positive(name, value):
    """Check every value is finite and > 0."""
    for v in _values(name, value):
        if not (v > 0 and math.isfinite(v)):
            raise ValueError(f"{name} must be positive and finite, got {v:g}")
    return _normalize(value)


def check_nonnegative(name, value):
    """Check every value is finite and >= 0."""
    for v in _values(name, value):
        if not (v >= 0 and math.isfinite(v)):
            raise ValueError(f"{name} must be non-negative and finite, got {v:g}")
    return _normalize(value)


def one_of(name: str, value, allowed: tuple):
    """Return ``value`` if it is one of ``allowed``, else raise ``ValueError`` naming both.

    Examples
    --------
    >>> one_of("format", "svg", ("png", "pdf", "svg"))
    'svg'
    >>> one_of("format", "jpg", ("png", "pdf", "svg"))
    Traceback (most recent call last):
    ...
    ValueError: format must be one of 'png', 'pdf', 'svg', got 'jpg'
    """
    if not any(type(value) is type(choice) and value == choice for choice in allowed):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value
