"""Hessian-vector products: every built-in against differences of its gradient, batched ==
looped, namespaces and dtypes; central differences for user functions and their error; the
batched power iteration; the exponential problem's equality."""

import numpy as np
import pytest

import gsmooth as gs
from gsmooth import _backend
from gsmooth.problems.curvature import central_difference_hvp, hessian_norm
from tests.conftest import as_host, close, tolerance

BUILT_INS = {
    "quadratic": lambda: gs.problems.quadratic([0.5, 1.0, 3.0, 7.0, 20.0]),
    "power3": lambda: gs.problems.power(d=4, p=3),
    "power6": lambda: gs.problems.power(d=4, p=6),
    "cosh": lambda: gs.problems.cosh(d=4, scale=1.5),
    "exponential": lambda: gs.problems.exponential(d=4, L0=2.0, L1=0.5),
    "least_squares": lambda: gs.problems.least_squares(n=40, d=5),
    "finite_sum": lambda: gs.problems.finite_sum(gs.problems.power(d=3), n=20),
    "phase_retrieval": lambda: gs.problems.phase_retrieval(m=60, d=5),
    "dro": lambda: gs.problems.dro(n=80, d=4),
    "mlp_tanh": lambda: gs.problems.mlp(hidden=3, n_train=40, l2=1e-3),
    "mlp_relu": lambda: gs.problems.mlp(hidden=3, n_train=40, activation="relu", l2=1e-3),
}


def points(problem, rng, k=3):
    return problem.start + 0.3 * rng.normal(size=(k, problem.dim))


def gradient_differences(problem, w, v, h=1e-6):
    """``(grad(w + h v) - grad(w - h v)) / 2h``: an independent check of ``H v``."""
    return (problem.grad(w + h * v) - problem.grad(w - h * v)) / (2 * h)


@pytest.mark.parametrize("name", sorted(BUILT_INS))
def test_exact_products_match_differences_of_the_gradient(name, rng):
    problem = BUILT_INS[name]()
    assert problem.hvp_exact
    w = points(problem, rng)
    v = rng.normal(size=w.shape)
    hv = problem.hvp(w, v)
    assert hv.shape == w.shape
    assert close(hv, gradient_differences(problem, w, v), 1e-6)
    _, error = problem.hvp_and_error(w, v)
    assert np.all(error == 0)


@pytest.mark.parametrize("name", sorted(BUILT_INS))
def test_batched_products_equal_each_run_alone(name, rng):
    problem = BUILT_INS[name]()
    w = points(problem, rng, k=4)
    v = rng.normal(size=w.shape)
    together = problem.hvp(w, v)
    alone = np.concatenate([problem.hvp(w[r : r + 1], v[r : r + 1]) for r in range(4)])
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["quadratic", "power3", "cosh", "exponential", "phase_retrieval",
                                  "dro", "mlp_tanh"])
def test_namespaces_and_dtypes_agree_with_numpy_float64(name, xp, dtype, rng):
    problem = BUILT_INS[name]()
    w, v = points(problem, rng), rng.normal(size=(3, problem.dim))
    dt = _backend.resolve_dtype(xp, dtype)
    hv = problem.hvp(xp.asarray(w, dtype=dt), xp.asarray(v, dtype=dt))
    assert _backend.namespace(hv) is xp and hv.dtype == dt
    rtol = 10 * tolerance(dtype) if dtype == "float32" else tolerance(dtype)
    assert close(as_host(hv), problem.hvp(w, v), rtol)


def test_hessian_norm_is_the_spectral_norm_of_the_assembled_hessian(rng):
    for name in ("power3", "cosh", "dro", "mlp_tanh", "phase_retrieval"):
        problem = BUILT_INS[name]()
        w = points(problem, rng, k=2)
        out = hessian_norm(problem, w)
        for r in range(2):
            rows = np.eye(problem.dim)
            hess = np.stack([problem.hvp(w[r : r + 1], e[None])[0] for e in rows])
            truth = np.abs(np.linalg.eigvalsh((hess + hess.T) / 2)).max()
            assert out.norm[r] == pytest.approx(truth, rel=1e-5), name
        assert out.converged.all()


def test_hessian_norm_alone_equals_in_a_batch(rng):
    problem = BUILT_INS["mlp_tanh"]()
    w = points(problem, rng, k=3)
    together = hessian_norm(problem, w).norm
    alone = [hessian_norm(problem, w[r : r + 1]).norm[0] for r in range(3)]
    np.testing.assert_allclose(together, alone, rtol=1e-12)


def test_hessian_norm_warm_start_converges_in_few_steps(rng):
    problem = gs.problems.quadratic(np.linspace(1.0, 10.0, 30))
    w = rng.normal(size=(2, 30))
    cold = hessian_norm(problem, w, max_iterations=1000)
    assert cold.converged.all()
    calls = []
    counting = gs.problems.quadratic(np.linspace(1.0, 10.0, 30))
    counting.hvp = lambda w, v: calls.append(1) or problem.hvp(w, v)
    warm = hessian_norm(counting, w, start=cold.vector)
    assert len(calls) <= 4
    np.testing.assert_allclose(warm.norm, 10.0, rtol=1e-6)


def test_hessian_norm_can_fail_to_converge_and_says_so(rng):
    problem = gs.problems.quadratic(np.linspace(9.0, 10.0, 50))
    out = hessian_norm(problem, rng.normal(size=(1, 50)), max_iterations=3)
    assert not out.converged[0] and out.norm[0] < 10.0


def quartic(x):
    return float(np.sum(x**4) / 4), x**3


def test_user_function_uses_central_differences_with_an_error_that_bounds_it(rng):
    user = gs.problems.from_function(quartic, np.ones(5))
    assert not user.hvp_exact
    w, v = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    exact = 3 * w**2 * v
    hv, error = user.hvp_and_error(w, v)
    actual = np.linalg.norm(hv - exact, axis=1)
    assert np.all(actual <= error) and np.all(error <= 1e-6 * np.linalg.norm(exact, axis=1))
    assert close(user.hvp(w, v), exact, 1e-8)


def test_difference_error_is_large_where_the_gradient_is_rough():
    """A kinked gradient (|x|, not twice differentiable at 0) gives an error estimate
    comparable to the product itself: the flag the estimators use to drop such pairs."""
    grad = lambda w: np.sign(w) * np.abs(w) ** 0.5  # noqa: E731
    w, v = np.array([[1e-9, 1.0]]), np.array([[1.0, 0.0]])
    hv, error = central_difference_hvp(grad, w, v)
    assert error[0] >= 0.1 * np.linalg.norm(hv[0])


def test_bad_direction_shape_is_a_clear_error():
    problem = gs.problems.quadratic([1.0, 2.0])
    with pytest.raises(ValueError, match="v must have the shape of w"):
        problem.hvp(np.ones((2, 2)), np.ones((1, 2)))


@pytest.mark.parametrize(("L0", "L1"), [(2.0, 0.5), (0.3, 4.0)])
def test_exponential_hessian_norm_equals_its_bound_everywhere(L0, L1, rng):
    problem = gs.problems.exponential(d=4, L0=L0, L1=L1)
    w = rng.normal(size=(6, 4)) * np.geomspace(1e-6, 3.0 / L1, 6)[:, None]
    w[0] = 0.0
    norms = hessian_norm(problem, w).norm
    g = np.linalg.norm(problem.grad(w), axis=1)
    np.testing.assert_allclose(norms, L0 + L1 * g, rtol=1e-6)
    values = problem.value(w)
    assert np.all(g**2 >= 2 * L0 * values * (1 - 1e-12))
    assert problem.value(np.zeros((1, 4)))[0] == 0.0


def test_exponential_value_is_smooth_across_the_series_switch():
    problem = gs.problems.exponential(d=1, L0=1.0, L1=1.0)
    x = np.array([[0.0099999], [0.0100001]])
    exact = np.expm1(x[:, 0]) - x[:, 0]
    np.testing.assert_allclose(problem.value(x), exact, rtol=1e-9)
