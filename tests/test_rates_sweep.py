"""eps_sweep: T(eps) with the theory's step size, its exponent, and input checks."""

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.rates import eps_sweep
from gsmooth.rates.teps import exact_exponent, first_hitting, fit_exponent

EPS = np.logspace(-2, -5, 4)


@pytest.mark.parametrize("problem", [gs.problems.quadratic([1.0, 4.0]), gs.problems.cosh(d=4)],
                         ids=["quadratic", "cosh"])
def test_exponent_with_l0_positive_is_at_most_the_predicted_plus_its_interval(problem):
    sweep = eps_sweep(problem, beta=1, eps_grid=EPS, progress=False)
    assert problem.constants.L0 > 0
    assert sweep.regime == "two-phase" and sweep.predicted == pytest.approx(0.5)
    low, high = sweep.interval
    assert sweep.exponent <= sweep.predicted + (high - low) / 2
    assert sweep.bound_holds
    assert np.all(np.diff(sweep.stepsize) < 0)


def test_boundary_regime_divides_out_the_log_factor():
    sweep = eps_sweep(gs.problems.quadratic([1.0, 4.0]), beta=0, eps_grid=np.logspace(-2, -8, 5),
                      progress=False)
    assert sweep.regime == "linear" and sweep.log_factor
    assert np.allclose(sweep.stepsize, 0.25)
    assert abs(sweep.exponent) < 0.05
    assert sweep.bound_holds


def test_first_hitting_and_exact_power_law():
    gaps = np.array([[4.0], [2.0], [1.0], [0.5]])
    assert first_hitting(np.arange(4), np.repeat(gaps, 3, axis=1), np.array([3.0, 0.6, 0.1])).tolist() == [1, 3, -1]
    eps = np.logspace(-1, -6, 6)
    exponent, (low, high) = fit_exponent(eps, np.ceil(7.0 * eps**-0.75).astype(int))
    assert exponent == pytest.approx(0.75, abs=0.01) and low <= exponent <= high
    delta0 = 10.0
    with_log = np.ceil(5.0 * eps**-0.25 * np.log(delta0 / eps)).astype(int)
    assert fit_exponent(eps, with_log, delta0)[0] == pytest.approx(0.25, abs=0.01)
    assert np.isnan(fit_exponent(eps[:2], np.array([3, 9]))[0])


def test_exponents_given_as_floats_snap_to_fractions():
    assert exact_exponent("rho", 4 / 3, 0, 2) == exact_exponent("rho", "4/3", 0, 2)
    assert float(exact_exponent("rho", 1.31, 0, 2)) == 1.31


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eps_grid": []}, "eps grid must be a non-empty list of positive numbers"),
        ({"eps_grid": [1e-3, 0.0]}, "eps grid must be a non-empty list of positive numbers"),
        ({"eps_grid": [1e-3, -1e-2]}, "eps grid must be a non-empty list of positive numbers"),
        ({"beta": 1.5}, r"beta must be in \[0, 1\], got 1.5"),
        ({"beta": "x"}, "beta must be a number"),
    ],
)
def test_bad_input_is_a_one_line_value_error(kwargs, message):
    args = {"beta": 1, "eps_grid": EPS, **kwargs}
    with pytest.raises(ValueError, match=message):
        eps_sweep(gs.problems.quadratic([1.0, 4.0]), args["beta"], args["eps_grid"])


def test_missing_constants_or_minimum_are_named():
    user = gs.problems.from_function(lambda x: (x @ x / 2, x), np.ones(3), f_star=0.0)
    with pytest.raises(ValueError, match="lacks constants rho, mu, alpha, L0, L1"):
        eps_sweep(user, 1, EPS)
    known = {"rho": 2, "mu": 1, "alpha": 0, "L0": 1, "L1": 0}
    assert eps_sweep(user, 1, EPS, constants=known, progress=False).bound_holds
    no_min = gs.problems.from_function(lambda x: (x @ x / 2, x), np.ones(3))
    with pytest.raises(ValueError, match="needs a known f_star"):
        eps_sweep(no_min, 1, EPS, constants=known)
