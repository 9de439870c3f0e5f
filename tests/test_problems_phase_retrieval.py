"""Phase retrieval: exact gradients, minibatch means, batching, namespaces, noise floor."""

import numpy as np
import pytest

import gsmooth as gs
from gsmooth import _backend
from tests.conftest import (
    as_host,
    assert_minibatches_average,
    assert_runs_alone,
    assert_same_bits_on_host,
    close,
    finite_difference_grad,
    tolerance,
)


@pytest.fixture
def problem():
    return gs.problems.phase_retrieval(m=24, d=4, seed=3)


@pytest.fixture
def w(rng):
    return rng.normal(size=(3, 4))


def test_full_gradient_matches_finite_differences(problem, w):
    assert close(problem.grad(w), finite_difference_grad(problem.value, w), 1e-7)


def test_minibatch_gradient_of_one_sample_matches_finite_differences(w):
    single = gs.problems.phase_retrieval(m=1, d=4, seed=5)
    idx = np.zeros((3, 2), dtype=np.int64)
    assert close(single.grad(w, idx), finite_difference_grad(single.value, w), 1e-7)


def test_minibatch_gradients_average_to_the_full_gradient(problem, w, rng):
    assert_minibatches_average(problem, w, rng, chunks=6, rtol=1e-12)
    idx = np.stack([rng.permutation(24) for _ in range(3)])
    np.testing.assert_allclose(problem.grad(w, idx), problem.grad(w), rtol=1e-12, atol=1e-12)


def test_batch_of_runs_equals_runs_alone(problem, w, rng):
    assert_runs_alone(problem, w, rng.integers(0, 24, size=(3, 5)), rtol=1e-12)


def test_namespaces_and_dtypes_agree_with_numpy_float64(problem, w, rng, xp, dtype):
    idx = rng.integers(0, 24, size=(3, 5))
    dt = _backend.resolve_dtype(xp, dtype)
    wx, ix = xp.asarray(w, dtype=dt), xp.asarray(idx)
    value, grad = problem.value_and_grad(wx)
    outputs = [value, grad, problem.value(wx), problem.grad(wx), problem.grad(wx, ix)]
    value64, grad64 = problem.value(w), problem.grad(w)
    expected = [value64, grad64, value64, grad64, problem.grad(w, idx)]
    for out, ref in zip(outputs, expected):
        assert _backend.namespace(out) is xp and out.dtype == dt
        assert close(as_host(out), ref, 10 * tolerance(dtype))


def test_noiseless_minimum_is_zero_at_the_signal():
    p = gs.problems.phase_retrieval(m=40, d=5, noise_std=0.0)
    assert p.f_star == 0.0
    truth = p.w_true[None, :]
    assert p.value(truth)[0] == 0.0
    np.testing.assert_array_equal(p.grad(truth), 0.0)


def test_noisy_objective_at_the_signal_is_near_the_noise_floor():
    p = gs.problems.phase_retrieval(m=3000, d=10)
    assert p.f_star is None and p.noise_floor == 8.0
    assert abs(p.value(p.w_true[None, :])[0] - 8.0) < 0.8


def test_default_start_is_gaussian_with_variance_six_shifted_by_one():
    start = gs.problems.phase_retrieval(m=5, d=20000, seed=1).start
    assert abs(start.mean() - 1.0) < 0.05
    assert abs(start.var() - 6.0) < 0.3


def test_seed_fixes_the_instance():
    a = gs.problems.phase_retrieval(m=10, d=3, seed=7)
    b = gs.problems.phase_retrieval(m=10, d=3, seed=7)
    c = gs.problems.phase_retrieval(m=10, d=3, seed=8)
    np.testing.assert_array_equal(a.w_true, b.w_true)
    assert not np.array_equal(a.w_true, c.w_true)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"m": 0}, "m must be a positive integer, got 0"),
        ({"d": 2.5}, "d must be a positive integer, got 2.5"),
        ({"noise_std": -1.0}, "noise_std must be finite and >= 0, got -1.0"),
        ({"signal_std": 0.0}, "signal_std must be finite and positive, got 0.0"),
        ({"d": 3, "start": np.ones(4)}, r"start must have shape \(3,\), got \(4,\)"),
    ],
)
def test_bad_input_names_allowed_and_given(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gs.problems.phase_retrieval(**{"m": 10, **kwargs})


def test_scratch_arrays_change_no_bit_and_never_leak_into_results(problem, w, xp):
    """NumPy evaluates the (k, m) temporaries in reused scratch arrays, array-api-strict in
    fresh ones: the same arithmetic, and a result never aliases a scratch array (CuPy's
    own products agree to rounding)."""
    value, grad = problem.value_and_grad(w)
    kept = value.copy(), grad.copy()
    other = problem.value_and_grad(w + 1.0), problem.value(w - 1.0), problem.grad(w - 1.0)
    np.testing.assert_array_equal(value, kept[0])
    np.testing.assert_array_equal(grad, kept[1])
    assert not np.array_equal(other[0][1], grad)
    wx = xp.asarray(w)
    outputs = [*problem.value_and_grad(wx), problem.value(wx), problem.grad(wx)]
    for out, ref in zip(outputs, [value, grad, value, grad]):
        assert_same_bits_on_host(as_host(out), ref, xp)


def test_minibatch_gradients_in_chunks_of_runs_are_the_same_bits(monkeypatch):
    """NumPy computes minibatch gradients in chunks of runs (rows kept in cache); each
    run's gradient is a product over its own rows, so any chunking gives the same bits."""
    import importlib

    module = importlib.import_module("gsmooth.problems.phase_retrieval")
    p = gs.problems.phase_retrieval(m=200, d=30, seed=4)
    rng = np.random.default_rng(0)
    w, idx = rng.standard_normal((13, 30)), rng.integers(0, 200, (13, 16))
    monkeypatch.setattr(module, "CHUNK_BYTES", 10**9)
    whole = p.grad(w, idx)
    for chunk_bytes in (1, 3 * 16 * 30 * 8, 5 * 16 * 30 * 8 + 7):  # 1, 3 and 5 runs per chunk
        monkeypatch.setattr(module, "CHUNK_BYTES", chunk_bytes)
        np.testing.assert_array_equal(p.grad(w, idx), whole)
    expected = [(2 / 16) * sum(s * (s * s - p._host_data["y"][i]) * p._host_data["a"][i]
                               for i in row for s in [p._host_data["a"][i] @ w_r])
                for w_r, row in zip(w, idx)]
    np.testing.assert_allclose(whole, np.array(expected), rtol=1e-10, atol=1e-12)


def test_records_in_blocks_of_runs_are_the_same_bits(monkeypatch):
    """NumPy evaluates the objective and the gradient's weights in blocks of runs (kept in
    cache); per run the operations are the same, so any blocking gives the same bits."""
    import importlib

    module = importlib.import_module("gsmooth.problems.phase_retrieval")
    p = gs.problems.phase_retrieval(m=200, d=30, seed=4)
    w = np.random.default_rng(1).standard_normal((13, 30))
    monkeypatch.setattr(module, "CHUNK_BYTES", 10**9)
    whole = (p.value(w), p.grad(w), *p.value_and_grad(w))
    for chunk_bytes in (1, 2 * 3 * 200 * 8, 2 * 5 * 200 * 8 + 7):  # 1, 3 and 5 runs per block
        monkeypatch.setattr(module, "CHUNK_BYTES", chunk_bytes)
        for got, expected in zip((p.value(w), p.grad(w), *p.value_and_grad(w)), whole):
            np.testing.assert_array_equal(got, expected)
    a, y = p._host_data["a"], p._host_data["y"]
    residual = (w @ a.T) ** 2 - y
    np.testing.assert_allclose(whole[0], 0.5 * np.mean(residual**2, axis=1), rtol=1e-12)
    np.testing.assert_allclose(whole[1], (2 / 200) * ((w @ a.T) * residual) @ a, rtol=1e-10)
