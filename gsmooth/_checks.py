"""Argument checks shared by every layer: one home for each rule, one message style.

Every check raises ``ValueError`` naming the argument, what is allowed and what
was given (``beta must be in [0, 1], got 1.5``), and returns the value in the
form the caller stores (an ``int``, a float, or a tuple of floats for a
per-run sequence).

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
"""

from __future__ import annotations

import math
import os

import numpy as np


def positive_int(name: str, value) -> int:
    """``value`` as an ``int`` if it is an integer >= 1 (``bool`` and ``2.5`` are refused)."""
    return _integer(name, value, 1, "a positive integer")


def nonnegative_int(name: str, value) -> int:
    """``value`` as an ``int`` if it is an integer >= 0."""
    return _integer(name, value, 0, "a non-negative integer")


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
    if np.isscalar(value):
        values = [value]
    elif isinstance(value, (list, tuple, np.ndarray)):
        values = list(np.asarray(value).reshape(-1)) if isinstance(value, np.ndarray) else list(value)
    else:
        raise TypeError(f"{name} must be a number or a sequence of numbers, got {value!r}")
    if not values:
        raise ValueError(f"{name} must be a number or a non-empty sequence, got []")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise ValueError(f"{name} must be a real number, got {v!r}")
    return [float(v) for v in values]


def _normalize(value):
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
