"""User functions: both calling conventions, detection, namespaces, shape errors."""

import numpy as np
import pytest

import gsmooth as gs
from gsmooth import _backend
from tests.conftest import as_host, finite_difference_grad, tolerance

SCALES = np.array([1.0, 2.0, 3.0])
DATA = np.arange(12.0).reshape(4, 3) / 10


def single(x):
    """One point (d,): ``sum_j s_j cosh(x_j)`` and its gradient."""
    return float(np.sum(SCALES * np.cosh(x))), SCALES * np.sinh(x)


def batched(w):
    """A batch (k, d) in any array-API namespace."""
    xp = _backend.namespace(w)
    scales = xp.asarray(SCALES, dtype=w.dtype)
    return xp.sum(scales * xp.cosh(w), axis=-1), scales * xp.sinh(w)


def single_sample_grad(x, idx):
    """Minibatch mean of ``grad f_i = x - data_i`` for one run."""
    return x - DATA[idx].mean(axis=0)


def batched_sample_grad(w, idx):
    """Minibatch means for a batch of runs, in any array-API namespace."""
    xp = _backend.namespace(w)
    k, batch = idx.shape
    data = xp.asarray(DATA, dtype=w.dtype)
    rows = xp.reshape(xp.take(data, xp.reshape(idx, (-1,)), axis=0), (k, batch, 3))
    return w - xp.mean(rows, axis=1)


@pytest.fixture
def w(rng):
    return rng.normal(size=(4, 3))


@pytest.mark.parametrize(("function", "expected"), [(single, False), (batched, True)])
def test_convention_is_detected_and_results_agree(function, expected, w):
    p = gs.problems.from_function(function, np.zeros(3), f_star=6.0)
    assert p.batched is expected and p.dim == 3 and p.f_star == 6.0 and p.n_samples is None
    value, grad = p.value_and_grad(w)
    np.testing.assert_allclose(value, [single(x)[0] for x in w], rtol=1e-12)
    np.testing.assert_allclose(grad, np.stack([single(x)[1] for x in w]), rtol=1e-12)
    np.testing.assert_allclose(p.grad(w), finite_difference_grad(p.value, w), rtol=1e-7)
    np.testing.assert_array_equal(p.value(w), value)


@pytest.mark.parametrize("function", [single, batched])
def test_namespaces_and_dtypes_are_kept(function, w, xp, dtype):
    p = gs.problems.from_function(function, np.zeros(3))
    dt = _backend.resolve_dtype(xp, dtype)
    value, grad = p.value_and_grad(xp.asarray(w, dtype=dt))
    for out, ref in zip((value, grad), p.value_and_grad(w)):
        assert _backend.namespace(out) is xp and out.dtype == dt
        np.testing.assert_allclose(as_host(out), ref, rtol=10 * tolerance(dtype))


def test_batched_function_is_called_once_per_batch(w):
    calls = []

    def counted(v):
        calls.append(v.shape)
        return batched(v)

    p = gs.problems.from_function(counted, np.zeros(3))
    calls.clear()
    p.value_and_grad(w)
    assert calls == [(4, 3)]


@pytest.mark.parametrize(
    ("function", "sample_grad"), [(single, single_sample_grad), (batched, batched_sample_grad)]
)
def test_minibatch_gradients_follow_each_runs_indices(function, sample_grad, w, rng, xp):
    p = gs.problems.from_function(function, np.zeros(3), sample_grad=sample_grad, n_samples=4)
    assert p.n_samples == 4
    idx = rng.integers(0, 4, size=(4, 5))
    expected = np.stack([x - DATA[i].mean(axis=0) for x, i in zip(w, idx)])
    got = p.grad(xp.asarray(w), xp.asarray(idx))
    np.testing.assert_allclose(as_host(got), expected, rtol=1e-12)
    full = np.arange(4).reshape(1, 4).repeat(4, axis=0)
    np.testing.assert_allclose(p.grad(w, full), w - DATA.mean(axis=0), rtol=1e-12)


def test_wrong_shapes_name_expected_and_got():
    expected = r"\(\) and \(3,\) on one point .* on x0 it gave \(\(2,\), \(3,\)\)"
    with pytest.raises(ValueError, match=expected):
        gs.problems.from_function(lambda x: (np.ones(2), np.ones(3)), np.zeros(3))
    p = gs.problems.from_function(lambda v: (v[:, 0], v[:, :2]), np.zeros(3), batched=True)
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(2, 3\), got \(2,\) and \(2, 2\)"):
        p.value(np.zeros((2, 3)))
    wrong = gs.problems.from_function(
        single, np.zeros(3), sample_grad=lambda x, i: x[:2], n_samples=4
    )
    with pytest.raises(ValueError, match=r"sample_grad must return shape \(3,\), got \(2,\)"):
        wrong.grad(np.zeros((1, 3)), np.zeros((1, 2), dtype=np.int64))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"x0": np.zeros((2, 2))}, ValueError, r"1-D array \(d,\), got shape \(2, 2\)"),
        ({"x0": np.array([0.0, np.inf, 1.0])}, ValueError, "x0 must be finite"),
        ({"n_samples": 4}, ValueError, "sample_grad and n_samples go together"),
        ({"batched": "yes"}, ValueError, "must be None, True or False, got 'yes'"),
        ({"value_and_grad": 3}, TypeError, "value_and_grad must be callable, got int"),
    ],
)
def test_bad_input_names_allowed_and_given(kwargs, error, message):
    with pytest.raises(error, match=message):
        gs.problems.from_function(**{"value_and_grad": single, "x0": np.zeros(3), **kwargs})
