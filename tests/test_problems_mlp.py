"""Digits MLP: backprop against finite differences, minibatches, batching, namespaces."""

import sys

import numpy as np
import pytest

import gsmooth as gs
from gsmooth import _backend
from tests.conftest import (
    as_host,
    assert_minibatches_average,
    assert_runs_alone,
    close,
    finite_difference_grad,
    tolerance,
)


@pytest.fixture(params=["tanh", "relu"])
def problem(request):
    return gs.problems.mlp(hidden=4, n_train=30, activation=request.param, l2=1e-3)


@pytest.fixture
def w(problem, rng):
    return problem.start + 0.5 * rng.normal(size=(3, problem.dim))


def test_dimension_counts_both_layers(problem):
    assert problem.dim == 64 * 4 + 4 + 4 * 10 + 10
    assert problem.n_samples == 30 and problem.n_test == 1797 - 30 and problem.f_star is None


def test_full_gradient_matches_finite_differences(problem, w, rng):
    directions = np.vstack([np.eye(problem.dim)[rng.choice(problem.dim, 40, replace=False)],
                            rng.normal(size=(3, problem.dim))])
    numeric = finite_difference_grad(problem.value, w, directions=directions)
    assert close(problem.grad(w) @ directions.T, numeric, 1e-6)


def test_minibatch_gradient_of_one_sample_matches_finite_differences(rng):
    single = gs.problems.mlp(hidden=4, n_train=1, seed=3)
    w = single.start + 0.5 * rng.normal(size=(2, single.dim))
    directions = rng.normal(size=(20, single.dim))
    idx = np.zeros((2, 3), dtype=np.int64)
    numeric = finite_difference_grad(single.value, w, directions=directions)
    assert close(single.grad(w, idx) @ directions.T, numeric, 1e-6)


def test_minibatch_gradients_average_to_the_full_gradient(problem, w, rng):
    assert_minibatches_average(problem, w, rng, chunks=5, rtol=1e-10)


def test_batch_of_runs_equals_runs_alone(problem, w, rng):
    assert_runs_alone(problem, w, rng.integers(0, 30, size=(3, 7)), rtol=1e-10, atol=1e-14,
                      extra=[problem.accuracy])


def test_namespaces_and_dtypes_agree_with_numpy_float64(problem, w, rng, xp, dtype):
    idx = rng.integers(0, 30, size=(3, 7))
    dt = _backend.resolve_dtype(xp, dtype)
    wx, ix = xp.asarray(w, dtype=dt), xp.asarray(idx)
    value, grad = problem.value_and_grad(wx)
    outputs = [value, grad, problem.value(wx), problem.grad(wx, ix)]
    expected = [problem.value(w), problem.grad(w), problem.value(w), problem.grad(w, idx)]
    for out, ref in zip(outputs, expected):
        assert _backend.namespace(out) is xp and out.dtype == dt
        assert close(as_host(out), ref, 10 * tolerance(dtype))
    accuracy = problem.accuracy(wx, "test")
    assert _backend.namespace(accuracy) is xp and accuracy.dtype == dt


def test_gradient_descent_learns_the_digits():
    p = gs.problems.mlp(hidden=16, n_train=300)
    w = p.start[None, :]
    before = p.accuracy(w, "test")[0]
    for _ in range(100):
        w = w - 1.0 * p.grad(w)
    assert before < 0.3
    assert p.accuracy(w)[0] > 0.97 and p.accuracy(w, "test")[0] > 0.85


def test_start_depends_on_the_seed_only():
    a, b = gs.problems.mlp(hidden=4, seed=1), gs.problems.mlp(hidden=4, seed=1, n_train=100)
    np.testing.assert_array_equal(a.start, b.start)
    assert not np.array_equal(a.start, gs.problems.mlp(hidden=4, seed=2).start)


def test_missing_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install gsmooth\[mlp\]"):
        gs.problems.mlp()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden": 0}, "hidden must be a positive integer, got 0"),
        ({"activation": "sigmoid"}, r"activation must be one of \('tanh', 'relu'\), got 'sigmoid'"),
        ({"n_train": 5000}, "n_train must be at most 1797, got 5000"),
        ({"l2": -1.0}, "l2 must be finite and >= 0, got -1.0"),
    ],
)
def test_bad_input_names_allowed_and_given(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gs.problems.mlp(**kwargs)


def test_accuracy_split_is_checked():
    p = gs.problems.mlp(hidden=2)
    with pytest.raises(ValueError, match=r"split must be one of \('train', 'test'\), got 'val'"):
        p.accuracy(p.start[None, :], "val")
    with pytest.raises(ValueError, match="needs held-out images"):
        p.accuracy(p.start[None, :], "test")
