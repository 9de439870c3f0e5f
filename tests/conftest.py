"""Shared fixtures: the array namespaces and float dtypes every numeric test runs over.

NumPy and array-api-strict always run.  CuPy joins when ``GSMOOTH_XP=cupy`` is
set and a CUDA device is really usable; ``GSMOOTH_XP=cupy`` on a machine
without one fails loudly instead of silently testing nothing.
"""

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

from gsmooth import _backend

# The same examples on every run and machine, so a red CI is a regression, not a draw;
# GSMOOTH_HYPOTHESIS=explore draws new ones (and keeps failures in .hypothesis/).
settings.register_profile("fixed", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("GSMOOTH_HYPOTHESIS", "fixed"))


def _namespaces():
    names = ["numpy", "array-api-strict"]
    if os.environ.get("GSMOOTH_XP", "") == "cupy":
        import cupy

        cupy.cuda.runtime.getDeviceCount()
        names.append("cupy")
    return names


@pytest.fixture(params=_namespaces())
def xp(request):
    """An array-API namespace: NumPy, array-api-strict, and CuPy when selected."""
    return _backend.namespace_for(request.param)


@pytest.fixture(params=["float32", "float64"])
def dtype(request):
    """A floating dtype name; tests resolve it in their namespace."""
    return request.param


def device_name(xp) -> str:
    """The ``device`` argument of :func:`gsmooth.run` that selects namespace ``xp``."""
    names = {"array_api_compat.numpy": "numpy", "array_api_compat.cupy": "cupy",
             "array_api_strict": "array-api-strict"}
    return names[xp.__name__]


def assert_same_bits_on_host(actual, desired, xp):
    """``actual`` equals ``desired`` bit for bit where the guarantee holds, on the host
    (NumPy, array-api-strict); to rounding (1e-11 relative, 1e-13 absolute) on CuPy,
    whose cuBLAS products and reductions pick their kernels by the batch's shape
    (measured on an H200: 1 ulp apart after 30 steps)."""
    if xp.__name__ == "array_api_compat.cupy":
        np.testing.assert_allclose(actual, desired, rtol=1e-11, atol=1e-13)
    else:
        np.testing.assert_array_equal(actual, desired)


def tolerance(dtype_name: str) -> float:
    """Relative tolerance that suits ``dtype_name`` for smooth arithmetic."""
    return 2e-4 if dtype_name == "float32" else 1e-9


def as_host(array):
    """Host NumPy copy of an array from any namespace."""
    return _backend.to_host(array)


def finite_difference_grad(f, w, h=1e-6, directions=None):
    """Central differences of ``f`` ((k, d) -> (k,)) at every row of ``w``.

    With ``directions`` (n, d), the n directional derivatives; by default the
    d partial derivatives, i.e. the gradient, shape (k, d).
    """
    directions = np.eye(w.shape[1]) if directions is None else directions
    cols = [(f(w + h * e) - f(w - h * e)) / (2 * h) for e in directions]
    return np.stack(cols, axis=1)


def assert_minibatches_average(problem, w, rng, chunks, rtol):
    """Disjoint minibatches that cover every sample average to the full gradient."""
    parts = rng.permutation(problem.n_samples).reshape(chunks, -1)
    mean = np.mean([problem.grad(w, np.tile(part, (w.shape[0], 1))) for part in parts], axis=0)
    np.testing.assert_allclose(mean, problem.grad(w), rtol=rtol, atol=1e-12)


def assert_runs_alone(problem, w, idx, rtol, atol=0.0, extra=()):
    """Each run of the batch ``w`` gives what it gives alone: value, gradient, minibatch
    gradient on its row of ``idx``, and every ``extra`` function of the iterates;
    ``value_and_grad`` agrees with ``value`` and ``grad``."""
    value, grad = problem.value_and_grad(w)
    np.testing.assert_allclose(value, problem.value(w), rtol=rtol)
    np.testing.assert_allclose(grad, problem.grad(w), rtol=rtol, atol=atol)
    batched = [value, grad, problem.grad(w, idx), *(f(w) for f in extra)]
    for r in range(w.shape[0]):
        one = w[r : r + 1]
        alone = [problem.value(one), problem.grad(one), problem.grad(one, idx[r : r + 1]),
                 *(f(one) for f in extra)]
        for together, single in zip(batched, alone, strict=True):
            np.testing.assert_allclose(together[r], single[0], rtol=rtol, atol=atol)


def close(a, b, rtol):
    """Whether ``a`` equals ``b`` to relative tolerance ``rtol`` in the Euclidean norm."""
    return np.linalg.norm(np.asarray(a) - b) <= rtol * np.linalg.norm(b)


@pytest.fixture
def rng():
    """A NumPy generator with a fixed seed."""
    return np.random.default_rng(12345)


WHO_CSV = Path(
    os.environ.get(
        "GSMOOTH_WHO_CSV",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "life_expectancy_who.csv",
    )
)


needs_who = pytest.mark.skipif(
    not WHO_CSV.is_file(), reason=f"WHO life-expectancy CSV not available at {WHO_CSV}"
)
