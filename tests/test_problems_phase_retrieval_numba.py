"""Phase retrieval's numba kernels against its array code: values, gradients, runs, dispatch, errors.

Tolerances.  The elementwise operations are the same IEEE operations on both
paths, so the full gradient (the same BLAS product of the same weights) is
compared bit for bit.  The sums differ in order only (the kernels' vector lanes
against NumPy's dot products): a sum of ``n`` terms then moves by at most about
``n`` ulps of the sum of its terms' absolute values, below ``1e-13`` relative for
``n <= 200`` in float64.  So ``1e-12`` relative passes every rounding difference,
while a wrong term (a wrong index, a missing factor 2/B) moves a result by
order one.  Minibatch gradients are sums with cancellation, so they are compared
relative to their largest entry.  float32 gets ``1e-4`` (rounding ``6e-8``).
"""

import sys

import numpy as np
import pytest

import gsmooth as gs
from gsmooth import _backend
from gsmooth.errors import GSmoothError

pytest.importorskip("numba")

from gsmooth.problems import _phase_retrieval_numba as kernels

RTOL = {"float64": 1e-12, "float32": 1e-4}

# (k runs, m samples, d, B): one run, one sample per batch, d below and off the vector width,
# more samples per batch than in the data (repeats).
SHAPES = [(1, 37, 13, 1), (7, 50, 19, 5), (3, 24, 8, 64), (2, 5, 1, 3)]


def both(m, d, seed=1):
    """The same instance with the array code and with the numba kernels."""
    return (gs.problems.phase_retrieval(m=m, d=d, seed=seed),
            gs.problems.phase_retrieval(m=m, d=d, seed=seed, kernels="numba"))


def assert_close_to_largest(actual, expected, rtol):
    """Entries agree to ``rtol`` times the largest entry of their run."""
    scale = np.abs(expected).max(axis=-1, keepdims=True)
    assert np.all(np.abs(actual - expected) <= rtol * scale), np.abs(actual - expected).max()


@pytest.fixture
def spy(monkeypatch):
    """Names of the kernels called, in order (each still computes)."""
    calls = []
    for name in ("objective", "objective_and_weights", "minibatch_grad"):
        kernel = getattr(kernels, name)
        monkeypatch.setattr(kernels, name, lambda *a, kernel=kernel, name=name: (
            calls.append(name), kernel(*a))[1])
    return calls


@pytest.mark.parametrize("k, m, d, batch", SHAPES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_objective_and_gradients_equal_the_array_code(k, m, d, batch, dtype, spy):
    plain, fused = both(m, d)
    rng = np.random.default_rng(k + m + d)
    w = rng.normal(size=(k, d)).astype(dtype)
    idx = rng.integers(0, m, size=(k, batch))
    rtol = RTOL[dtype]
    np.testing.assert_allclose(fused.value(w), plain.value(w), rtol=rtol)
    value, grad = fused.value_and_grad(w)
    np.testing.assert_allclose(value, plain.value(w), rtol=rtol)
    np.testing.assert_array_equal(grad, plain.grad(w))
    np.testing.assert_array_equal(fused.grad(w), plain.grad(w))
    assert_close_to_largest(fused.grad(w, idx), plain.grad(w, idx), rtol)
    assert {out.dtype for out in (value, grad, fused.value(w), fused.grad(w, idx))} == {np.dtype(dtype)}
    assert spy == ["objective", "objective_and_weights", "objective_and_weights", "minibatch_grad",
                   "objective", "minibatch_grad"]


def test_minibatch_of_one_repeated_sample_is_that_sample_gradient():
    plain, fused = both(6, 11)
    w = np.random.default_rng(0).normal(size=(2, 11))
    a, y = plain._host_data["a"][4], plain._host_data["y"][4]
    s = w @ a
    idx = np.full((2, 9), 4)
    assert_close_to_largest(fused.grad(w, idx), (2 * s * (s * s - y))[:, None] * a, RTOL["float64"])
    assert_close_to_largest(fused.grad(w, idx), plain.grad(w, idx), RTOL["float64"])


def test_non_contiguous_iterates_and_int32_indices():
    plain, fused = both(30, 9)
    rng = np.random.default_rng(2)
    w = rng.normal(size=(9, 4)).T  # (4, 9), Fortran order
    idx = rng.integers(0, 30, size=(4, 6)).astype(np.int32)
    np.testing.assert_allclose(fused.value(w), plain.value(w), rtol=RTOL["float64"])
    assert_close_to_largest(fused.grad(w, idx), plain.grad(w, idx), RTOL["float64"])


def test_out_of_range_indices_raise():
    fused = both(10, 3)[1]
    with pytest.raises(IndexError, match="out of range"):
        fused.grad(np.ones((1, 3)), np.array([[0, 10]]))


def test_other_namespaces_use_the_array_code(spy):
    import array_api_strict as xp

    plain, fused = both(20, 5)
    w = np.random.default_rng(3).normal(size=(2, 5))
    idx = np.array([[0, 3, 3], [19, 1, 2]])
    wx, ix = xp.asarray(w), xp.asarray(idx)
    value, grad = fused.value_and_grad(wx)
    for out, ref in [(value, plain.value(w)), (grad, plain.grad(w)),
                     (fused.grad(wx, ix), plain.grad(w, idx))]:
        assert _backend.namespace(out) is xp
        np.testing.assert_allclose(_backend.to_host(out), ref, rtol=1e-12)
    assert spy == []


def test_runs_of_two_stochastic_methods_trace_the_same_both_ways():
    plain, fused = both(200, 10)
    opts = [gs.optim.ian_sgd(0.05, 2 / 3, 8, 4, A=2.0, delta=0.1, Gamma=0.05),
            gs.optim.nsgd_momentum(0.05, 0.3, 8)]
    options = {"seeds": [3, 8], "record": 1, "progress": False}
    for a, b in zip(gs.run_many(plain, opts, 30, **options), gs.run_many(fused, opts, 30, **options),
                    strict=True):
        assert np.all(np.isfinite(a.loss)) and a.loss[-1].max() < a.loss[0].min()
        np.testing.assert_allclose(b.loss, a.loss, rtol=1e-9)
        np.testing.assert_allclose(b.grad_norm, a.grad_norm, rtol=1e-9)
        np.testing.assert_allclose(b.w, a.w, rtol=1e-9)
        np.testing.assert_array_equal(b.samples, a.samples)


def test_unknown_kernels_name_allowed_and_given():
    with pytest.raises(ValueError, match="kernels must be one of 'numpy', 'numba', got 'numpy '"):
        gs.problems.phase_retrieval(m=5, d=2, kernels="numpy ")


def test_missing_numba_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)
    monkeypatch.delitem(sys.modules, kernels.__name__)
    monkeypatch.delattr(gs.problems, "_phase_retrieval_numba")
    with pytest.raises(GSmoothError) as error:
        gs.problems.phase_retrieval(m=5, d=2, kernels="numba")
    message = str(error.value)
    assert 'pip install "gsmooth[numba]"' in message and "\n" not in message
    assert gs.problems.phase_retrieval(m=5, d=2).kernels == "numpy"
