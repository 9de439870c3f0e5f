"""The log-space closed forms equal the theory's derived expressions wherever those evaluate,
and stay finite where float64 evaluation of the theory under- or overflows."""

import math
import warnings

import numpy as np
import pytest

from gsmooth.rates.logspace import (
    NotCovered,
    TheoryConstants,
    log_decay_bound,
    log_iterations,
    log_stepsize,
    stepsize_range,
)
from gsmooth.theory import an_gd_bound

CASES = [  # (rho, beta, alpha, mu, L0, L1): every regime, L0 = 0 and L1 = 0, beta = alpha
    ("2", "0", "0", 1.0, 4.0, 0.0), ("2", "1/2", "0", 0.7, 3.0, 0.0), ("2", "1", "1", 1.0, 1.0, 1.0),
    ("4/3", "2/3", "2/3", 2.0, 0.0, 3.0), ("4/3", "1", "2/3", 2.0, 0.0, 3.0), ("3/2", "1/3", "1/3", 0.3, 1.0, 2.0),
    ("1", "1/2", "1/2", 1.0, 1.0, 2.0), ("1/2", "1", "0", 0.5, 2.0, 0.0), ("3/2", "1/2", "0", 0.7, 3.0, 0.0),
]


def theory(rho, beta, alpha, **constants):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return an_gd_bound(rho, beta, alpha, **constants)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "rho={} beta={} alpha={} L0={} L1={}".format(*c[:3], *c[4:]))
def test_closed_forms_equal_the_theory(case):
    rho, beta, alpha, mu, l0, l1 = case
    constants = TheoryConstants.of(rho, alpha, mu, l0, l1)
    derived = theory(rho, beta, alpha, L0=l0, L1=l1, mu=mu)
    assert constants.regime(beta) == derived.regime
    assert constants.exponent(beta) == pytest.approx(float(derived.exponent), abs=1e-12)
    assert constants.log_factor(beta) == bool(derived.log_factor)
    eps = np.array([1e-2, 1e-4, 1e-7])
    np.testing.assert_allclose(np.exp(log_stepsize(constants, beta, eps)), derived.stepsize_value(eps), rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_iterations(constants, beta, eps, delta0=3.0)),
                               derived.iterations_value(eps, Delta0=3.0), rtol=1e-11)
    t = np.array([0.0, 1.0, 7.0, 50.0, 400.0, 3000.0])
    bare = theory(rho, beta, alpha)
    for gamma in (0.01, 0.1):
        try:
            mine = np.exp(log_decay_bound(constants, beta, t, gamma=gamma, delta0=3.0))
        except NotCovered:
            continue
        reference = bare.decay_value(t, gamma=gamma, Delta0=3.0, mu=mu, L0=l0, L1=l1, alpha=alpha)
        np.testing.assert_allclose(mine, reference, rtol=1e-11, atol=1e-300)


def test_where_float64_underflows_or_overflows_the_logs_stay_finite_and_exact():
    geometric = TheoryConstants.of(2, 0, 7.0, 7.0, 0.0)
    log_bound = log_decay_bound(geometric, "0", np.array([1e4]), gamma=0.1, delta0=3.5)
    assert log_bound[0] == pytest.approx(math.log(3.5) + 1e4 * math.log(1 - 0.7))
    assert theory(2, 0, 0).decay_value(1e4, gamma=0.1, Delta0=3.5, mu=7, L0=7, L1=0) == 0.0
    near_boundary = TheoryConstants.of("199/100", 0, 1.0, 4.0, 0.0)
    values = log_decay_bound(near_boundary, "0", np.array([1.0, 1e6]), gamma=0.01, delta0=2.0)
    assert np.all(np.isfinite(values)) and values[1] < values[0]
    tiny = TheoryConstants.of("1/25", 0, 1.0, 4.0, 0.0)
    huge = log_iterations(tiny, "1/2", np.array([1e-8]), delta0=1.0)
    assert np.isfinite(huge[0]) and huge[0] > math.log(1e308)


def test_the_floor_and_what_the_theorem_does_not_cover():
    two_phase = TheoryConstants.of(2, 0, 1.0, 4.0, 0.0)
    with pytest.raises(NotCovered, match="largest step the theorem covers") as caught:
        log_decay_bound(two_phase, "0", np.arange(3.0), gamma=0.3, delta0=1.0)
    assert caught.value.remedy == "use a step size (--lr) below 0.25"
    with pytest.raises(NotCovered, match="beta >= alpha"):
        log_decay_bound(TheoryConstants.of(2, 1, 1.0, 1.0, 1.0), "1/2", np.arange(3.0), gamma=0.1, delta0=1.0)
    floor = log_decay_bound(TheoryConstants.of(2, 0, 1.0, 4.0, 0.0), "1", np.array([1e5]), gamma=0.02, delta0=1.0)
    assert np.isfinite(floor[0]) and floor[0] > -30
    assert stepsize_range(0.0, 0.0, 4.0, 1.0) == (0.2, 0.2)
    assert stepsize_range(1.0, 0.5, 0.0, 2.0) == (0.0, math.inf)
