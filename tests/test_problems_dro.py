"""Chi-square DRO: gradients, minibatches, batching, namespaces, exact Psi, WHO loader."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import gsmooth as gs
from gsmooth import _backend
from tests.conftest import WHO_CSV as WHO
from tests.conftest import (
    as_host, assert_minibatches_average, assert_runs_alone, close, finite_difference_grad, needs_who,
    tolerance,
)


@pytest.fixture
def problem():
    return gs.problems.dro(n=40, d=4, seed=2)


@pytest.fixture
def z(rng):
    """Iterates with several active samples (eta near the largest losses)."""
    x = rng.normal(size=(3, 4))
    eta = gs.problems.dro(n=40, d=4, seed=2).best_eta(x) - np.array([0.0, 0.5, 2.0])
    return np.column_stack([x, eta])


def test_full_gradient_matches_finite_differences(problem, z):
    assert close(problem.grad(z), finite_difference_grad(problem.value, z), 1e-6)


def test_minibatch_gradient_of_one_sample_matches_finite_differences(rng, z):
    a, b = rng.normal(size=(1, 4)), rng.normal(size=1)
    single = gs.problems.dro(data=(a, b))
    z = z.copy()
    z[:, -1] = single.best_eta(z) - 0.01
    idx = np.zeros((3, 3), dtype=np.int64)
    assert close(single.grad(z, idx), finite_difference_grad(single.value, z), 1e-6)


def test_minibatch_gradients_average_to_the_full_gradient(problem, z, rng):
    assert_minibatches_average(problem, z, rng, chunks=5, rtol=1e-12)


def test_batch_of_runs_equals_runs_alone(problem, z, rng):
    assert_runs_alone(problem, z, rng.integers(0, 40, size=(3, 6)), rtol=1e-12, extra=[problem.psi])


def test_namespaces_and_dtypes_agree_with_numpy_float64(problem, z, rng, xp, dtype):
    idx = rng.integers(0, 40, size=(3, 6))
    dt = _backend.resolve_dtype(xp, dtype)
    zx, ix = xp.asarray(z, dtype=dt), xp.asarray(idx)
    value, grad = problem.value_and_grad(zx)
    outputs = [value, grad, problem.grad(zx, ix), problem.psi(zx), problem.best_eta(zx)]
    expected = [problem.value(z), problem.grad(z), problem.grad(z, idx)]
    expected += [problem.psi(z), problem.best_eta(z)]
    for out, ref in zip(outputs, expected):
        assert _backend.namespace(out) is xp and out.dtype == dt
        assert close(as_host(out), ref, 10 * tolerance(dtype))


@pytest.mark.parametrize("lam", [0.01, 1.0, 100.0])
def test_psi_is_the_exact_minimum_over_eta(lam, rng):
    p = gs.problems.dro(n=30, d=3, lam=lam, seed=4)
    x = rng.normal(size=(2, 3))
    psi, eta = p.psi(x), p.best_eta(x)
    for r in range(2):
        def along(e, r=r):
            return p.value(np.append(x[r], e)[None, :])[0]

        best = minimize_scalar(along, bracket=(eta[r] - 1.0, eta[r] + 1.0), tol=1e-12)
        grid = np.linspace(eta[r] - 1.0, eta[r] + 1.0, 4001)
        assert psi[r] <= min(along(e) for e in grid) + 1e-12
        np.testing.assert_allclose(psi[r], best.fun, rtol=1e-10)
        np.testing.assert_allclose(psi[r], along(eta[r]), rtol=1e-12)
        zstar = np.append(x[r], eta[r])[None, :]
        assert abs(p.grad(zstar)[0, -1]) < 1e-10


def test_psi_takes_x_or_z_and_ignores_eta(problem, z):
    np.testing.assert_array_equal(problem.psi(z), problem.psi(z[:, :-1]))
    assert np.all(problem.loss_metric(z) <= problem.value(z))
    with pytest.raises(ValueError, match=r"w must have shape \(k, 5\) or \(k, 4\), got \(3, 2\)"):
        problem.psi(z[:, :2])


def test_default_start_and_constants(problem):
    assert problem.dim == 5 and problem.n_samples == 40 and problem.f_star is None
    assert problem.start[-1] == 0.1
    other = gs.problems.dro(n=80, d=4, seed=2)
    np.testing.assert_array_equal(problem.start, other.start)


@needs_who
@pytest.mark.parametrize(("preprocessing", "d"), [("clean", 32), ("released", 34)])
def test_who_loader_gives_2313_rows_and_the_leak_only_when_released(preprocessing, d):
    p = gs.problems.dro(data=WHO, preprocessing=preprocessing)
    assert p.n_samples == 2313 and p.n_features == d == len(p.feature_names)
    assert ("winz_life_expectancy" in p.feature_names) == (preprocessing == "released")
    assert "bmi" not in p.feature_names and "log_gdp" in p.feature_names
    assert np.isfinite(p.value(p.start[None, :])[0])


def test_who_loader_errors_name_the_file_and_the_columns(tmp_path):
    with pytest.raises(FileNotFoundError, match="not_there.csv"):
        gs.problems.dro(data=str(tmp_path / "not_there.csv"))
    short = tmp_path / "short.csv"
    short.write_text("Country,Year,Life expectancy \nA,2015,65\n")
    with pytest.raises(ValueError, match="lacks the WHO columns .*'adult mortality'"):
        gs.problems.dro(data=str(short))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lam": 0.0}, "lam must be finite and positive, got 0.0"),
        ({"preprocessing": "raw"}, r"must be one of \('clean', 'released'\), got 'raw'"),
        ({"n": 0}, "n must be a positive integer, got 0"),
        ({"data": WHO, "n": 10}, "n and d size the synthetic data only"),
        ({"data": (np.ones((3, 2)), np.ones(4))}, r"got shapes \(3, 2\) and \(4,\)"),
        ({"data": np.ones((3, 2))}, "a path to the WHO CSV or a pair .*, got ndarray"),
        ({"d": 2, "start": np.ones(2)}, r"start must have shape \(3,\), got \(2,\)"),
    ],
)
def test_bad_input_names_allowed_and_given(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gs.problems.dro(**kwargs)
