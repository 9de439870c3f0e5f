"""eps_sweep: T(eps) with the theory's step size, the asymptotic exponent, and input checks."""

import math

import numpy as np
import pytest
from scipy import stats

import gsmooth as gs
from gsmooth.rates import NotCovered, TheoryConstants, eps_sweep, fit_exponent
from gsmooth.rates.teps import exact_exponent, first_hitting

EPS = np.logspace(-2, -5, 4)


@pytest.mark.parametrize("problem", [gs.problems.quadratic([1.0, 4.0]), gs.problems.cosh(d=4)],
                         ids=["quadratic", "cosh"])
def test_two_phase_exponent_with_l0_positive_is_the_predicted_one(problem):
    sweep = eps_sweep(problem, beta=1, eps_grid=EPS, progress=False)
    assert problem.constants.L0 > 0
    assert sweep.regime == "two-phase" and sweep.predicted == (0.5, 0.5)
    assert sweep.fit.asymptotic and sweep.interval[0] <= 0.5 <= sweep.interval[1]
    assert sweep.bound_holds and sweep.judged.all()
    assert np.all(np.diff(sweep.stepsize) < 0)


def test_boundary_regime_divides_out_the_log_factor():
    sweep = eps_sweep(gs.problems.quadratic([1.0, 4.0]), beta=0, eps_grid=np.logspace(-2, -8, 5),
                      progress=False)
    assert sweep.regime == "linear" and sweep.log_factor
    assert np.allclose(sweep.stepsize, 0.25)
    assert abs(sweep.exponent) < 0.05 and sweep.interval[0] <= 0 <= sweep.interval[1]
    assert sweep.bound_holds


def test_a_given_start_gives_the_closed_form_hitting_times():
    """quadratic(1, 4) from w0 = (1, 0), GD at 1/4: the gap is (1/2)(3/4)^(2t), first at most eps
    at t = ceil(log(2 eps) / log(9/16))."""
    eps = np.logspace(-2, -8, 5)
    sweep = eps_sweep(gs.problems.quadratic([1.0, 4.0]), beta=0, eps_grid=eps, w0=[1.0, 0.0], progress=False)
    assert sweep.delta0 == pytest.approx(0.5)
    expected = np.ceil(np.log(2 * eps) / np.log(9 / 16))
    assert np.array_equal(sweep.T, expected)
    default = eps_sweep(gs.problems.quadratic([1.0, 4.0]), beta=0, eps_grid=eps, progress=False)
    assert default.delta0 != pytest.approx(0.5)


def test_l0_zero_is_kept_exact_so_the_power_function_predicts_one_quarter():
    sweep = eps_sweep(gs.problems.power(d=5, p=4), beta=1, eps_grid=np.logspace(-2, -8, 4), progress=False)
    assert sweep.predicted == (0.25, 0.25)
    assert sweep.interval[0] <= 0.25 <= sweep.interval[1]


def test_the_asymptotic_rule_covers_what_a_whole_grid_slope_misses():
    """Normalized GD on ||w||^4/4 takes T = 3 r0 (4 eps)^(-1/4) - 3 steps: slope 1/4 only as eps -> 0."""
    eps = np.logspace(-2, -10, 5)
    hitting = np.ceil(3 * 3.0 * (4 * eps) ** -0.25 - 3).astype(int)
    whole = stats.theilslopes(np.log(hitting), np.log(1 / eps))
    assert not whole.low_slope <= 0.25 <= whole.high_slope
    fit = fit_exponent(eps, hitting)
    assert fit.asymptotic
    assert fit.interval[0] <= 0.25 <= fit.interval[1] and fit.interval[1] - fit.interval[0] < 0.01
    assert np.all(np.diff(fit.local_slopes) < 0)


def test_the_rule_says_when_the_asymptotic_range_is_not_reached():
    eps = np.logspace(-1, -4, 4)
    few = fit_exponent(eps[:3], np.array([10, 100, 1000]))
    assert not few.asymptotic and "4 needed" in few.method
    wobbly = fit_exponent(eps, np.array([10, 200, 1000, 30000]))
    assert not wobbly.asymptotic and "do not converge" in wobbly.method
    assert math.isnan(fit_exponent(eps[:1], np.array([5])).exponent)


def test_first_hitting_and_an_exact_power_law():
    gaps = np.array([[4.0], [2.0], [1.0], [0.5]])
    assert first_hitting(np.arange(4), np.repeat(gaps, 3, axis=1), np.array([3.0, 0.6, 0.1])).tolist() == [1, 3, -1]
    eps = np.logspace(-1, -6, 6)
    fit = fit_exponent(eps, np.ceil(7.0 * eps**-0.75).astype(int))
    assert fit.exponent == pytest.approx(0.75, abs=0.005) and fit.interval[0] <= 0.75 <= fit.interval[1]
    with_log = np.ceil(5.0 * eps**-0.25 * np.log(10.0 / eps)).astype(int)
    assert fit_exponent(eps, with_log, 10.0).exponent == pytest.approx(0.25, abs=0.01)


def test_a_too_large_mu_makes_the_bound_fail():
    liar = {"rho": 2, "mu": 10.0, "alpha": 0, "L0": 4.0, "L1": 0}
    sweep = eps_sweep(gs.problems.quadratic([1.0, 4.0]), 1, EPS, constants=liar, progress=False)
    assert not sweep.bound_holds


def test_several_constant_sets_run_the_smallest_step_and_compare_with_the_largest_bound():
    problem = gs.problems.quadratic([1.0, 4.0])
    low = TheoryConstants.of(2, 0, 1.0, 4.0, 0.0)
    high = TheoryConstants.of(2, 0, 1.0, 8.0, 0.0)
    both = eps_sweep(problem, 1, EPS, constants=[low, high], progress=False)
    alone = eps_sweep(problem, 1, EPS, constants=high, progress=False)
    np.testing.assert_allclose(both.stepsize, alone.stepsize)
    np.testing.assert_allclose(both.log_T_bound, alone.log_T_bound)
    assert len(both.constants) == 2 and both.bound_holds


def test_an_uncertain_minimum_refuses_the_eps_below_it_and_a_vanishing_step_is_refused():
    problem = gs.problems.quadratic([1.0, 4.0])
    sweep = eps_sweep(problem, 1, EPS, f_star=(-1e-5, 0.0), progress=False)
    assert sweep.eps.tolist() == [1e-2, 1e-3] and "uncertainty" in sweep.notes[0]
    tiny = {"rho": 0.05, "mu": 1.0, "alpha": 0, "L0": 4.0, "L1": 0}
    refused = eps_sweep(problem, 1, [1e-2, 1e-16], constants=tiny, steps=50, progress=False)
    assert refused.eps.tolist() == [1e-2] and "below 1e-300" in refused.notes[0]
    assert not refused.judged.any() and not refused.bound_holds


def test_beta_below_alpha_is_not_covered():
    with pytest.raises(NotCovered, match="beta = 0 < alpha = 1"):
        eps_sweep(gs.problems.cosh(d=2), 0, EPS)


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
    with pytest.raises(ValueError, match="low <= high"):
        eps_sweep(user, 1, EPS, constants=known, f_star=(1.0, 0.0))


EPS_LONG = (1e-2, 1e-4, 1e-6, 1e-8, 1e-10)
HELD_OUT = [  # not used to develop the rule; asymptotic exponent (beta - alpha [L0 = 0]) / rho + max(q - 1, 0)
    ("power(p=5) beta=1", lambda: gs.problems.power(d=4, p=5), "1", 0.2, EPS_LONG),
    ("power(p=3) beta=2/3", lambda: gs.problems.power(d=4, p=3), "2/3", 1 / 9, EPS_LONG),
    ("quadratic(1, 3) beta=0", lambda: gs.problems.quadratic([1.0, 3.0]), "0", 0.0, EPS_LONG),
]
SLOW_CASES = HELD_OUT + [
    ("quadratic(1, 2, 9) beta=1", lambda: gs.problems.quadratic([1.0, 2.0, 9.0]), "1", 0.5, EPS_LONG[:4]),
    ("quadratic(1, 4) beta=3/4", lambda: gs.problems.quadratic([1.0, 4.0]), "3/4", 0.375, EPS_LONG),
    ("cosh(s=2) beta=1", lambda: gs.problems.cosh(d=5, scale=2.0), "1", 0.5, EPS_LONG[:4]),
    ("quadratic(1, 4) beta=1", lambda: gs.problems.quadratic([1.0, 4.0]), "1", 0.5, EPS_LONG[:4]),
    ("quadratic(1, 4) beta=1/2", lambda: gs.problems.quadratic([1.0, 4.0]), "1/2", 0.25, EPS_LONG),
    ("power(p=4) beta=1", lambda: gs.problems.power(d=10, p=4), "1", 0.25, EPS_LONG),
    ("power(p=6) beta=1", lambda: gs.problems.power(d=5, p=6), "1", 1 / 6, EPS_LONG),
    ("cosh beta=1", lambda: gs.problems.cosh(d=10), "1", 0.5, EPS_LONG[:4]),
]


@pytest.mark.parametrize(("name", "build", "beta", "truth", "eps"), HELD_OUT, ids=[c[0] for c in HELD_OUT])
def test_the_asymptotic_interval_contains_the_exponent_on_held_out_cases(name, build, beta, truth, eps):
    sweep = eps_sweep(build(), beta, eps, progress=False)
    assert sweep.predicted == pytest.approx((truth, truth))
    assert sweep.fit.asymptotic and sweep.interval[0] <= truth <= sweep.interval[1]
    assert abs(sweep.exponent - truth) < 0.025


@pytest.mark.slow
@pytest.mark.parametrize(("name", "build", "beta", "truth", "eps"), SLOW_CASES, ids=[c[0] for c in SLOW_CASES])
def test_the_asymptotic_interval_contains_the_exponent_on_every_case(name, build, beta, truth, eps):
    sweep = eps_sweep(build(), beta, eps, progress=False)
    assert sweep.fit.asymptotic and sweep.interval[0] <= truth <= sweep.interval[1]
