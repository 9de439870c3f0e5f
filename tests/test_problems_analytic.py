"""Analytic problems: gradients against finite differences, constants on sampled points."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gsmooth as gs
from gsmooth import _backend
from tests.conftest import finite_difference_grad, tolerance

DETERMINISTIC = {
    "quadratic": lambda: gs.problems.quadratic([0.5, 1.0, 3.0, 7.0]),
    "power4": lambda: gs.problems.power(d=4, p=4),
    "power3": lambda: gs.problems.power(d=4, p=3),
    "cosh": lambda: gs.problems.cosh(d=4, scale=0.7),
}
STOCHASTIC = {
    "least_squares": lambda: gs.problems.least_squares(n=40, d=4, seed=1),
    "finite_sum": lambda: gs.problems.finite_sum(gs.problems.power(d=4), n=20, tau1=0.3, tau2=0.5),
}
ALL = {**DETERMINISTIC, **STOCHASTIC}


def hessian_norm(problem, w, h=1e-5):
    """Spectral norm of the finite-difference Hessian at each row of w."""
    norms = []
    for row in w:
        cols = [
            (problem.grad((row + h * e)[None]) - problem.grad((row - h * e)[None]))[0] / (2 * h)
            for e in np.eye(len(row))
        ]
        hess = np.array(cols)
        norms.append(np.linalg.norm(0.5 * (hess + hess.T), 2))
    return np.array(norms)


@pytest.mark.parametrize("name", list(ALL))
def test_full_gradient_matches_finite_differences(name, rng):
    problem = ALL[name]()
    w = rng.normal(size=(3, problem.dim))
    np.testing.assert_allclose(
        problem.grad(w), finite_difference_grad(problem.value, w), rtol=1e-6, atol=1e-7
    )


@pytest.mark.parametrize("name", list(STOCHASTIC))
def test_minibatch_gradients_average_to_full_gradient(name, rng):
    problem = STOCHASTIC[name]()
    w = rng.normal(size=(2, problem.dim))
    every_sample = np.tile(np.arange(problem.n_samples), (2, 1))
    np.testing.assert_allclose(problem.grad(w, every_sample), problem.grad(w), rtol=1e-10)
    singles = [problem.grad(w, np.full((2, 1), i)) for i in range(problem.n_samples)]
    np.testing.assert_allclose(np.mean(singles, axis=0), problem.grad(w), rtol=1e-10, atol=1e-12)


def test_least_squares_sample_gradient_matches_finite_differences(rng):
    problem = STOCHASTIC["least_squares"]()
    w = rng.normal(size=(1, problem.dim))
    a, b = problem._host_data["a"][7], problem._host_data["b"][7]
    sample_value = lambda v: 0.5 * (v @ a - b) ** 2  # noqa: E731
    np.testing.assert_allclose(
        problem.grad(w, np.array([[7]])), finite_difference_grad(sample_value, w), rtol=1e-6
    )


@pytest.mark.parametrize("name", list(ALL))
def test_namespaces_and_dtypes_agree(name, xp, dtype, rng):
    problem = ALL[name]()
    host = rng.normal(size=(3, problem.dim))
    w = xp.asarray(host, dtype=_backend.resolve_dtype(xp, dtype))
    value, grad = problem.value_and_grad(w)
    assert _backend.namespace(value) is xp and value.dtype == w.dtype and grad.dtype == w.dtype
    rtol = tolerance(dtype) * 10
    np.testing.assert_allclose(_backend.to_host(value), problem.value(host), rtol=rtol)
    np.testing.assert_allclose(_backend.to_host(grad), problem.grad(host), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", list(DETERMINISTIC))
def test_pl_inequality_holds(name, rng):
    problem = DETERMINISTIC[name]()
    c = problem.constants
    w = rng.normal(size=(200, problem.dim)) * rng.uniform(0.01, 3, size=(200, 1))
    lhs = np.linalg.norm(problem.grad(w), axis=1) ** c.rho
    rhs = 2 * c.mu * (problem.value(w) - c.f_star)
    assert np.all(lhs >= rhs * (1 - 1e-10))


@pytest.mark.parametrize("name", list(DETERMINISTIC))
def test_hessian_form_holds(name, rng):
    problem = DETERMINISTIC[name]()
    c = problem.constants
    w = rng.normal(size=(30, problem.dim)) * rng.uniform(0.1, 2, size=(30, 1))
    bound = c.L0 + c.L1 * np.linalg.norm(problem.grad(w), axis=1) ** c.alpha
    assert np.all(hessian_norm(problem, w) <= bound * (1 + 1e-6))


@settings(max_examples=30, deadline=None)
@given(p=st.floats(2.1, 8.0), scale=st.floats(0.05, 5.0))
def test_power_constants_hold_with_equality(p, scale):
    problem = gs.problems.power(d=3, p=p)
    c = problem.constants
    w = np.array([[scale, -0.5 * scale, 0.25 * scale]])
    g = np.linalg.norm(problem.grad(w), axis=1)
    np.testing.assert_allclose(g**c.rho, 2 * c.mu * problem.value(w), rtol=1e-9)
    np.testing.assert_allclose(hessian_norm(problem, w), c.L1 * g**c.alpha, rtol=1e-5)


def test_quadratic_pl_equality_on_smallest_eigenvector():
    problem = gs.problems.quadratic([2.0, 5.0])
    w = np.array([[1.5, 0.0]])
    g2 = np.sum(problem.grad(w) ** 2)
    np.testing.assert_allclose(g2, 2 * problem.constants.mu * problem.value(w)[0])


def test_cosh_pl_tight_near_zero():
    problem = gs.problems.cosh(d=2)
    w = np.array([[1e-3, -2e-3]])
    ratio = np.sum(problem.grad(w) ** 2) / (2 * problem.value(w)[0])
    assert 1.0 <= ratio < 1.0 + 1e-5


def test_finite_sum_noise_bound(rng):
    problem = STOCHASTIC["finite_sum"]()
    w = rng.normal(size=(50, problem.dim))
    full = problem.grad(w)
    for i in range(problem.n_samples):
        noise = np.linalg.norm(problem.grad(w, np.full((50, 1), i)) - full, axis=1)
        assert np.all(noise <= 0.3 * np.linalg.norm(full, axis=1) + 0.5 + 1e-12)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: gs.problems.power(d=3, p=2), "p must be > 2, got 2"),
        (lambda: gs.problems.power(d=0), "d must be a positive integer, got 0"),
        (lambda: gs.problems.quadratic([1.0, -1.0]), r"eigs must be finite and positive"),
        (lambda: gs.problems.cosh(scale=0), "scale must be positive, got 0"),
        (lambda: gs.problems.least_squares(n=3, d=5), "n must be an integer >= d = 5, got 3"),
        (lambda: gs.problems.power(d=2, start=[np.nan, 1]), "start must be finite"),
        (lambda: gs.problems.finite_sum(gs.problems.power(), tau1=1.0), r"tau1 must be in \[0, 1\)"),
        (lambda: gs.problems.finite_sum(gs.problems.power(), n=3), "n must be an even integer"),
    ],
)
def test_bad_construction(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_shapes():
    problem = gs.problems.power(d=3)
    with pytest.raises(ValueError, match=r"w must have shape \(k, 3\) .* got \(3,\)"):
        problem.value(np.ones(3))
    with pytest.raises(ValueError, match="deterministic"):
        problem.grad(np.ones((1, 3)), np.zeros((1, 2), dtype=int))
    ls = gs.problems.least_squares(n=10, d=3)
    with pytest.raises(ValueError, match=r"idx must have shape \(k, B\) with k = 2"):
        ls.grad(np.ones((2, 3)), np.zeros((3, 2), dtype=int))
