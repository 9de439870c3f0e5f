"""One policy for user numbers (gsmooth._exact), its use by the theory, and derivations that never stall."""

import json
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from gsmooth._exact import SNAP_MAX_DENOMINATOR, exact_fraction, number_argument, read_exact, simplest_within
from gsmooth.theory import an_gd as an_gd_module
from gsmooth.theory import an_gd_bound
from gsmooth.theory.exact import exact, input_notes

F = Fraction


@pytest.mark.parametrize(
    ("given", "expected", "snapped"),
    [
        ("2/3", F(2, 3), False),
        ("6667/10000", F(6667, 10000), False),
        (" 3 / 4 ", F(3, 4), False),
        (3, F(3), False),
        (np.int64(5), F(5), False),
        (F(1, 7), F(1, 7), False),
        (sp.Rational(2, 3), F(2, 3), False),
        ("0.5", F(1, 2), False),
        ("0.67", F(67, 100), False),
        ("0.333", F(333, 1000), False),
        ("0.197", F(197, 1000), False),
        ("1.19", F(119, 100), False),
        ("1e-3", F(1, 1000), False),
        ("1.0000", F(1), False),
        ("0.1234", F(617, 5000), False),
        ("0.6667", F(2, 3), True),
        ("0.3333", F(1, 3), True),
        ("1.3333", F(4, 3), True),
        ("0.14286", F(1, 7), True),
        ("3.3333e-1", F(1, 3), True),
        (2 / 3, F(2, 3), True),
        (4 / 3, F(4, 3), True),
        (np.float64(1 / 3), F(1, 3), True),
        (0.1, F(1, 10), False),
        (0.5, F(1, 2), False),
        (1.3, F(13, 10), False),
        (0.123456789, F(123456789, 10**9), False),
        (1e-12, F(1, 10**12), False),
    ],
)
def test_policy_table(given, expected, snapped):
    reading = read_exact(given, "x")
    assert reading.value == expected and reading.snapped is snapped
    assert (reading.note is not None) is snapped


def test_snap_stays_within_half_a_unit_of_the_last_digit():
    reading = read_exact("0.6667", "beta")
    assert abs(reading.snapped_from - reading.value) <= reading.tolerance == F(1, 20000)
    assert "0.6667 read as 2/3" in reading.note and "write 6667/10000 to keep it" in reading.note
    assert exact_fraction("0.6667", snap=False) == F(6667, 10000)
    assert exact_fraction(2 / 3, snap=False) == F("0.6666666666666666")


def test_simplest_within_finds_the_smallest_denominator_and_can_find_none():
    assert simplest_within(F(142857, 10**6), F(1, 2 * 10**6), SNAP_MAX_DENOMINATOR) == F(1, 7)
    assert simplest_within(F(1, 2), F(0), 10) == F(1, 2)
    assert simplest_within(F(1234, 10**4), F(1, 20000), SNAP_MAX_DENOMINATOR) is None


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("two", "beta must be a number such as 2/3, 0.5 or 1e-3, got 'two'"),
        ("1/0", "beta must be a number such as 2/3"),
        ("", "beta must be a number such as 2/3"),
        (True, "beta must be a number such as 2/3, 0.5 or 1e-3, got True"),
        (None, "got None"),
        ([1, 2], "got [1, 2]"),
        (math.nan, "beta must be a finite number, got nan"),
        (math.inf, "beta must be a finite number, got inf"),
        ("inf", "beta must be a finite number, got 'inf'"),
    ],
)
def test_bad_numbers_are_refused_naming_the_value(given, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_exact(given, "beta")


def test_argparse_type_reads_fractions_and_reports_bad_text():
    import argparse

    assert number_argument("2/3") == F(2, 3)
    with pytest.raises(argparse.ArgumentTypeError, match="got 'x'"):
        number_argument("x")


def test_theory_reads_through_the_policy_and_reports_snaps():
    assert exact("0.6667") == sp.Rational(2, 3) and exact("0.6667", snap=False) == sp.Rational(6667, 10000)
    assert exact(sp.Symbol("b")) == sp.Symbol("b")
    assert input_notes(rho="4/3", beta=sp.Rational(2, 3)) == ()
    bound = an_gd_bound("1.3333", "0.6667")
    assert (bound.rho, bound.beta, bound.regime) == (sp.Rational(4, 3), sp.Rational(2, 3), "linear")
    assert len(bound.notes) == 2 and "input: beta = 0.6667 read as 2/3" in bound.summary()
    exact_bound = an_gd_bound("1.3333", "0.6667", snap=False)
    assert exact_bound.beta == sp.Rational(6667, 10000) and exact_bound.notes == ()
    assert exact_bound.exponent == sp.Rational(6667, 13333)


def _cold_derivation(rho, beta, **kwargs):
    for cached in (an_gd_module._template, an_gd_module._template_branch, an_gd_module._evaluate):
        cached.cache_clear()
    bound = an_gd_bound(rho, beta, **kwargs)
    exact = {key: value for key, value in bound.as_dict().items() if key != "values"}
    text = bound.summary() + json.dumps(exact) + bound.latex()
    values = bound.iterations_value(1e-3, Delta0=1), bound.decay_value([1, 100], gamma=1e-3, Delta0=1)
    return bound, text, values


@pytest.mark.parametrize(
    ("rho", "beta", "alpha", "regime"),
    [("13333/10000", "6667/10000", "6667/10000", "linear"), ("1.3333", "0.6667", "0.6", "linear"),
     (1, "0.67", "1/2", "sublinear"), ("119/100", "9999/10000", "7/10", "two-phase"),
     # estimated exponents arrive as floats: their exact binary fractions have 2^52-sized denominators
     (sp.Rational(1.7234567), 1, sp.Rational(0.8123456), "two-phase")],
)
@pytest.mark.timeout(60)  # a guard against SymPy's exact powers not finishing; times are in analysis/
def test_slowest_exact_inputs_derive_from_cold_caches(rho, beta, alpha, regime):
    bound, text, values = _cold_derivation(rho, beta, alpha=alpha, L0="30.5", L1="1.33", mu="0.197",
                                           snap=False)
    assert bound.regime == regime and np.all(np.isfinite(values[1]))
    assert math.isfinite(values[0]) and "0.666" not in text
