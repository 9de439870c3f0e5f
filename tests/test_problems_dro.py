"""Chi-square DRO: gradients, minibatches, batching, namespaces, exact Psi, WHO loader."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import gsmooth as gs
from gsmooth import _backend
from tests.conftest import WHO_CSV as WHO
from tests.conftest import (
    as_host,
    assert_minibatches_average,
    assert_runs_alone,
    close,
    finite_difference_grad,
    needs_who,
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


def sorted_eta_and_psi(problem, w):
    """``eta*`` and ``Psi`` the way they were computed before selection: one full sort of
    every loss, and the mean of ``lambda psi*`` over all ``n`` samples."""
    x = w[:, : problem.n_features]
    r = x @ problem._host_data["a"].T - problem._host_data["b"]
    losses = 0.5 * r * r + 0.1 * np.sum(np.log1p(np.abs(x)), axis=-1, keepdims=True)
    n, lam = problem.n_samples, problem.lam
    ordered = -np.sort(-losses, axis=-1)
    active = np.cumsum(ordered, axis=-1) - np.arange(1, n + 1) * ordered < 2 * lam * n
    count = active.sum(axis=-1, keepdims=True)
    eta = (np.where(active, ordered, 0.0).sum(axis=-1, keepdims=True) - 2 * lam * (n - count)) / count
    p = np.clip((losses - eta) / (2 * lam) + 1.0, 0.0, None)
    return eta[:, 0], np.mean(lam * (p * p - 1.0), axis=-1) + eta[:, 0]


def assert_psi_equals_sorted(problem, w, xp=np):
    eta, psi = sorted_eta_and_psi(problem, w)
    wx = xp.asarray(w)
    np.testing.assert_allclose(as_host(problem.psi(wx)), psi, rtol=1e-12, atol=0)
    np.testing.assert_allclose(as_host(problem.best_eta(wx)), eta, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lam", [0.003, 0.01, 0.3, 10.0])
def test_psi_by_selection_equals_the_full_sort(lam, rng, xp):
    """Few active samples (the selection suffices) to nearly all (it grows to every sample);
    array-api-strict has no partition and sorts every loss."""
    p = gs.problems.dro(n=2000, d=6, lam=lam, seed=5)
    w = np.vstack([p.start, rng.normal(size=(4, p.dim)), 3 * rng.normal(size=(2, p.dim))])
    assert_psi_equals_sorted(p, w, xp)


def test_psi_with_every_sample_active():
    """Equal losses: every prefix is consistent, j* = n, so the selection must reach all n."""
    p = gs.problems.dro(data=(np.zeros((500, 3)), np.full(500, 2.0)), lam=0.01)
    w = np.zeros((2, 4))
    assert_psi_equals_sorted(p, w)
    np.testing.assert_allclose(p.best_eta(w), 2.0, rtol=1e-12)
    np.testing.assert_allclose(p.psi(w), 2.0, rtol=1e-12)


def test_psi_selection_is_smaller_than_n_on_the_paper_setting(rng):
    from gsmooth.problems.dro import _active_prefix, _first_count

    p = gs.problems.dro(n=2000, d=6, lam=0.01, seed=5)
    x = rng.normal(size=(3, 6))
    losses = p._losses(x, x @ p._host_data["a"].T - p._host_data["b"])
    ordered, active = _active_prefix(losses, 2 * p.lam * p.n_samples, _first_count(2000, 0.01),
                                     _backend.namespace(losses))
    assert ordered.shape[1] < 2000 and not active[:, -1].any()


@needs_who
def test_psi_by_selection_on_the_who_data(rng):
    p = gs.problems.dro(data=WHO, lam=0.01)
    w = np.vstack([p.start, p.start + 0.1 * rng.normal(size=(5, p.dim))])
    assert_psi_equals_sorted(p, w)


def test_value_and_metric_shares_psi_work_and_equals_separate_calls(problem, z):
    value, psi = problem.value_and_metric(z, problem.psi)
    np.testing.assert_array_equal(value, problem.value(z))
    np.testing.assert_array_equal(psi, problem.psi(z))
    value, first = problem.value_and_metric(z, lambda w: w[:, 0])
    np.testing.assert_array_equal(value, problem.value(z))
    np.testing.assert_array_equal(first, z[:, 0])
