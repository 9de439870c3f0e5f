"""AN-GD derivation: exponents, special cases, exactness, validation, evaluation."""

import json
import warnings

import numpy as np
import pytest
import sympy as sp

from gsmooth._backend import to_host as as_host
from gsmooth.errors import GSmoothWarning
from gsmooth.theory import an_gd_bound
from gsmooth.theory.exact import ALPHA, BETA, DELTA0, EPS, GAMMA, L0, MU, RHO, T

R = sp.Rational
RHOS = [R(1, 2), R(1), R(4, 3), R(3, 2), R(2)]
BETAS = [R(0), R(1, 3), R(2, 3), R(1)]


@pytest.mark.parametrize("rho", RHOS)
@pytest.mark.parametrize("beta", BETAS)
def test_exponent_is_max_of_two_minus_rho_and_beta_over_rho(rho, beta):
    bound = an_gd_bound(rho, beta)
    assert sp.simplify(bound.exponent - sp.Max(2 - rho, beta) / rho) == 0
    assert bound.log_factor == (rho + beta == 2)


def test_free_symbols_give_a_piecewise_continuous_across_the_boundary():
    bound = an_gd_bound(RHO, BETA)
    assert bound.regime is None
    pieces = {str(cond): expr for expr, cond in bound.exponent.args}
    assert isinstance(bound.exponent, sp.Piecewise)
    sub, two = bound.exponent.args[0][0], bound.exponent.args[-1][0]
    on_line = {BETA: 2 - RHO}
    assert sp.simplify(sub.subs(on_line) - two.subs(on_line)) == 0
    assert sp.simplify(sub - (2 - RHO) / RHO) == 0 and sp.simplify(two - BETA / RHO) == 0
    assert len(pieces) == 2
    assert bound.log_factor == sp.Eq(RHO + BETA - 2, 0)
    names = {str(expr) for expr, _ in bound.regime_piecewise.args}
    assert names == {"sublinear", "linear", "two-phase"}


def test_slide_example_rho_one():
    two_thirds, one = an_gd_bound(1, "2/3"), an_gd_bound(1, 1)
    assert (two_thirds.regime, two_thirds.order) == ("sublinear", 1 / EPS)
    assert (one.regime, one.order) == ("linear", sp.log(1 / EPS) / EPS)


def test_classical_pl_rate_per_step():
    big_l = sp.Symbol("L", positive=True)
    bound = an_gd_bound(2, 0, alpha=0, L0=4, L1=0)
    assert bound.stepsize == R(1, 4)
    assert sp.simplify(bound.decay.rate.subs(GAMMA, bound.stepsize) - (1 - MU / 4)) == 0
    symbolic = an_gd_bound(2, 0, alpha=0, L1=0)
    rate = symbolic.decay.rate.subs(GAMMA, symbolic.stepsize).subs(L0, big_l)
    assert sp.simplify(rate - (1 - MU / big_l)) == 0
    assert sp.simplify(symbolic.decay.law.subs(GAMMA, 1 / L0) - DELTA0 * (1 - MU / L0) ** T) == 0


def test_stepsize_and_iterations_have_all_constants():
    bound = an_gd_bound(1, 1, alpha="1/2")
    expected_gamma = 2 * MU * EPS / (L0 + sp.Symbol("L_1", positive=True) * sp.sqrt(2 * MU * EPS))
    assert sp.simplify(bound.stepsize - expected_gamma) == 0
    expected_t = sp.log(DELTA0 / EPS) / (expected_gamma * MU)
    assert sp.simplify(bound.iterations - expected_t) == 0


def test_decay_laws_by_regime():
    sub = an_gd_bound(1, 0).decay
    assert sub.kind == "polynomial" and sub.exponent == 1
    assert an_gd_bound("4/3", "1/3").decay.exponent == R(4, 3) / (2 - R(1, 3) - R(4, 3))
    two = an_gd_bound("3/2", 1).decay
    assert two.kind == "finite-time" and two.first_phase.has(GAMMA)


def test_published_two_phase_form_is_shown_with_its_missing_t0():
    bound = an_gd_bound("3/2", 1)
    assert bound.published.key == "yang2025-an-gd-12"
    assert sp.simplify(bound.published_form - sp.log(EPS**-2)) == 0
    assert "T0" in bound.summary() and "T0" in bound.published.note


def test_rationals_stay_exact():
    for value in ("2/3", R(2, 3)):
        bound = an_gd_bound("4/3", value)
        assert bound.beta == R(2, 3) and bound.exponent == R(1, 2)
    assert an_gd_bound(1, 0.5).beta == R(1, 2)
    data = json.loads(an_gd_bound(1, "2/3").to_json())
    assert data["beta"] == "2/3" and data["exponent"] == "1"
    assert data["values"] == {"rho": 1.0, "beta": 2 / 3, "q": 4 / 3, "exponent": 1.0}
    assert data["log_factor"] is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rho": 0, "beta": 0}, "rho must be in (0, 2], got 0"),
        ({"rho": "5/2", "beta": 0}, "rho must be in (0, 2], got 5/2"),
        ({"rho": 1, "beta": "3/2"}, "beta must be in [0, 1], got 3/2"),
        ({"rho": 1, "beta": -1}, "beta must be in [0, 1], got -1"),
        ({"rho": 1, "beta": 1, "alpha": 2}, "alpha must be in [0, 1], got 2"),
        ({"rho": 1, "beta": 1, "mu": 0}, "mu must be > 0, got 0"),
        ({"rho": 1, "beta": 1, "eps": "-1/10"}, "eps must be > 0, got -1/10"),
        ({"rho": 1, "beta": 1, "Delta0": -2}, "Delta0 must be > 0, got -2"),
        ({"rho": 1, "beta": 1, "L0": -1}, "L0 must be >= 0, got -1"),
        ({"rho": 1, "beta": 1, "L1": -1}, "L1 must be >= 0, got -1"),
        ({"rho": 1, "beta": 1, "L0": 0, "L1": 0}, "L0 and L1 must not both be 0"),
        ({"rho": 1, "beta": 1, "nu": 1}, "unknown constant 'nu'"),
        ({"rho": "two", "beta": 1}, "rho must be a number such as 2/3, 0.5 or 1e-3, got 'two'"),
    ],
)
def test_invalid_input_names_allowed_and_given(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        an_gd_bound(**kwargs)


def test_beta_below_alpha_warns_and_derives():
    with pytest.warns(GSmoothWarning, match="beta = 1/3 < alpha = 2/3"):
        bound = an_gd_bound(1, "1/3", alpha="2/3")
    assert bound.regime == "sublinear"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        an_gd_bound(1, "2/3", alpha="2/3")


def test_evaluate_returns_the_input_namespace(xp, dtype):
    bound = an_gd_bound(1, "2/3", alpha="1/3")
    eps = xp.asarray([1e-2, 1e-3], dtype=getattr(xp, dtype))
    out = bound.evaluate(eps, L0=1, L1=2, mu=1, Delta0=1)
    for value in out.values():
        assert type(value) is type(eps) and value.dtype == eps.dtype
    expected = [float(bound.iterations.subs({EPS: e, L0: 1, sp.Symbol("L_1", positive=True): 2, MU: 1, DELTA0: 1}))
                for e in (1e-2, 1e-3)]
    np.testing.assert_allclose(as_host(out["iterations"]), expected, rtol=1e-4 if dtype == "float32" else 1e-10)


def test_numeric_helpers_name_missing_constants():
    bound = an_gd_bound(1, 1)
    with pytest.raises(ValueError, match="missing constants for numeric evaluation: L0, L1, alpha, mu"):
        bound.stepsize_value(0.1)
    assert bound.stepsize_value(0.1, L0=1, L1=0, mu=1, alpha=1) == pytest.approx(0.2)


def test_json_round_trips_exact_expressions():
    bound = an_gd_bound("4/3", "2/3", L0=1)
    data = json.loads(bound.to_json())
    assert data["regime"] == "linear" and data["exponent"] == "1/2"
    assert sp.simplify(sp.sympify(data["stepsize"], locals={"L_1": sp.Symbol("L_1", positive=True),
                                                            "epsilon": EPS, "mu": MU, "alpha": ALPHA})
                       - bound.stepsize) == 0
    assert "\\gamma(\\epsilon)" in bound.latex()
    assert "regime: linear" in str(bound)


def _gd_gaps(eigs, beta, gamma, steps):
    w = np.ones_like(eigs)
    gaps = []
    for _ in range(steps + 1):
        gaps.append(0.5 * float(np.sum(eigs * w**2)))
        g = eigs * w
        norm = np.linalg.norm(g)
        w = w - gamma * g / norm**beta if norm > 0 else w
    return np.array(gaps)


@pytest.mark.parametrize(("beta", "gamma"), [(0, 0.2), ("1/2", 0.05), (1, 0.02)])
def test_decay_value_bounds_an_gd_on_a_quadratic(beta, gamma):
    eigs = np.array([0.5, 1.0, 2.0])
    bound = an_gd_bound(2, beta, alpha=0, L0=2, L1=0, mu="1/2")
    steps = np.arange(150)
    gaps = _gd_gaps(eigs, float(sp.Rational(beta)), gamma, steps[-1])
    worst = bound.decay_value(steps, gamma=gamma, Delta0=gaps[0])
    assert np.all(gaps <= worst * (1 + 1e-12))


def test_decay_value_rejects_a_step_above_the_supremum():
    bound = an_gd_bound(2, 0, alpha=0, L0=2, L1=0, mu=1)
    with pytest.raises(ValueError, match="gamma must be < 0.5"):
        bound.decay_value(3, gamma=0.6, Delta0=1)


def test_float_exponents_snap_to_small_fractions():
    from gsmooth.theory import an_gd_bound

    bound = an_gd_bound(4 / 3, 2 / 3)
    assert bound.regime == "linear" and str(bound.exponent) == "1/2"
