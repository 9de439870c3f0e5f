"""User functions: both calling conventions, detection, namespaces, shape errors, and the
user's own exceptions and non-finite values reported as the user's (call, run, file, line)."""

import inspect
import os
import warnings

import numpy as np
import pytest

import gsmooth as gs
from gsmooth import _backend
from gsmooth.engine.result import MAX_STEPS, NONFINITE
from gsmooth.errors import UserCodeError
from gsmooth.problems.loading import load_problem
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


class FailsAt:
    """A one-point quadratic that raises, or turns NaN, from call ``at`` on."""

    def __init__(self, at, nan=False):
        self.at, self.nan, self.calls = at, nan, 0

    def __call__(self, x):
        self.calls += 1
        if self.calls >= self.at and self.nan:
            return float("nan"), x * np.nan
        if self.calls >= self.at:
            raise ZeroDivisionError("division by zero")  # the line the message must name
        return float(x @ x / 2), x


RAISE_LINE = inspect.getsourcelines(FailsAt.__call__)[1] + 5


def test_an_exception_names_function_file_line_call_and_run():
    p = gs.problems.from_function(FailsAt(5), np.ones(2), batched=False)
    p.value_and_grad(np.ones((3, 2)))
    with pytest.raises(UserCodeError) as info:
        p.value_and_grad(np.ones((3, 2)))
    message = str(info.value)
    assert message == (f"your function FailsAt in {os.path.relpath(__file__)} line "
                       f"{RAISE_LINE} raised ZeroDivisionError: division by zero (call 5, run 1)")
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_a_batched_call_names_the_call_but_no_run():
    def batched_then_fails(w):
        if batched_then_fails.calls == 1:
            raise KeyError("missing")
        batched_then_fails.calls += 1
        return batched(w)

    batched_then_fails.calls = 0
    p = gs.problems.from_function(batched_then_fails, np.zeros(3))
    assert p.batched
    with pytest.raises(UserCodeError, match=r"raised KeyError: 'missing' \(call 2\)$"):
        p.value(np.zeros((4, 3)))


def test_sample_grad_exceptions_are_the_users_too():
    def sample_grad(x, idx):
        return x / 0 if idx[0] == 3 else x - DATA[idx].mean(axis=0)

    def broken(x, idx):
        return x[10]

    p = gs.problems.from_function(single, np.zeros(3), sample_grad=broken, n_samples=4)
    with pytest.raises(UserCodeError, match=r"your function .*broken in .* raised IndexError: "
                       r".* \(call 1, run 0\)"):
        p.grad(np.zeros((2, 3)), np.zeros((2, 1), dtype=np.int64))
    fine = gs.problems.from_function(single, np.zeros(3), sample_grad=sample_grad, n_samples=4)
    assert fine.grad(np.zeros((2, 3)), np.zeros((2, 1), dtype=np.int64)).shape == (2, 3)


def test_non_finite_output_at_the_start_is_an_error():
    with pytest.raises(UserCodeError, match=r"returned a non-finite value or gradient at the "
                       r"start point x0 \(call 2\)"):
        gs.problems.from_function(FailsAt(1, nan=True), np.ones(2))
    with pytest.raises(UserCodeError, match=r"start point x0 \(call 1\)"):
        gs.problems.from_function(lambda w: (w[:, 0] * np.inf, w), np.ones(2))


def test_non_finite_output_later_is_reported_with_call_and_run():
    p = gs.problems.from_function(FailsAt(7, nan=True), np.ones(2), batched=False)
    w = np.ones((3, 2))
    p.value_and_grad(w)
    p.value_and_grad(w)
    with pytest.warns(gs.GSmoothWarning, match=r"at call 7 \(run 0\) \(and runs 1, 2 at calls "
                      r"8-9\): such a run stops there \(status nonfinite\)"):
        p.value_and_grad(w)
    assert p.nonfinite == {0: 7, 1: 8, 2: 9}
    with warnings.catch_warnings():
        warnings.simplefilter("error", gs.GSmoothWarning)
        p.value_and_grad(w)


def test_a_run_the_user_function_ends_is_marked_and_the_others_go_on():
    def nan_right_of_two(w):
        value, grad = batched(w)
        bad = w[:, :1] > 2.0
        return np.where(bad[:, 0], np.nan, value), np.where(bad, np.nan, grad)

    p = gs.problems.from_function(nan_right_of_two, np.zeros(3))
    w0 = np.array([[2.5, 0.0, 0.0], [1.0, 0.0, 0.0]])
    with pytest.warns(gs.GSmoothWarning, match=r"at call \d+ \(run 0\): such a run stops"):
        res = gs.run(p, gs.optim.gd(0.01), 20, w0=w0, progress=False)
    assert res.status.tolist() == [NONFINITE, MAX_STEPS]
    assert set(p.nonfinite) == {0}


def test_a_function_that_is_not_a_pair_says_so():
    with pytest.raises(ValueError, match="on x0 it gave a float, not a pair"):
        gs.problems.from_function(lambda x: float(x @ x), np.ones(2))
    p = gs.problems.from_function(lambda x: 1.0, np.ones(2), batched=False)
    with pytest.raises(ValueError, match=r"must return a pair \(value, grad\), got float"):
        p.value(np.ones((1, 2)))


@pytest.mark.parametrize(("source", "message"), [
    ("def f(x)\n    return x\n", r"your file .*mine.py line 1 raised SyntaxError: .* \(on import\)"),
    ("import math\n\nraise RuntimeError('no data')\n",
     r"your file .*mine.py line 3 raised RuntimeError: no data \(on import\)"),
])
def test_a_file_that_cannot_be_imported_is_the_users(tmp_path, source, message):
    path = tmp_path / "mine.py"
    path.write_text(source)
    with pytest.raises(UserCodeError, match=message):
        load_problem(f"{path}:f")
