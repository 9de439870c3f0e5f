"""Scratch arrays, writing products into them, and the one-sum finiteness check."""

import threading

import numpy as np
import pytest

from gsmooth import _backend


def test_all_finite_is_exact(xp):
    ones = xp.ones((3, 4))
    assert _backend.all_finite(ones)
    for bad in (float("nan"), float("inf"), -float("inf")):
        x = np.ones((3, 4))
        x[1, 2] = bad
        assert not _backend.all_finite(xp.asarray(x))
    with np.errstate(over="ignore"):
        huge = xp.asarray(np.full((2, 3), 1e308))
        assert _backend.all_finite(huge)
        mixed = np.full((2, 3), 1e308)
        mixed[0, 0] = -np.inf
        assert not _backend.all_finite(xp.asarray(mixed))


def test_scratch_is_reused_per_name_shape_and_dtype_and_only_for_numpy():
    like = np.ones(1)
    a = _backend.scratch("test.a", (3, 5), like)
    assert a is _backend.scratch("test.a", (3, 5), like) and a.shape == (3, 5)
    assert a is not _backend.scratch("test.a", (4, 5), like)
    assert a is not _backend.scratch("test.b", (3, 5), like)
    assert _backend.scratch("test.a", (3, 5), like.astype(np.float32)).dtype == np.float32
    import array_api_strict

    assert _backend.scratch("test.a", (3, 5), array_api_strict.ones(1)) is None
    _backend.release_scratch()
    assert a is not _backend.scratch("test.a", (3, 5), like)


def test_scratch_keeps_a_bounded_number_of_arrays():
    like = np.ones(1)
    first = _backend.scratch("test.first", (2,), like)
    for i in range(_backend.SCRATCH_SLOTS):
        _backend.scratch(f"test.other{i}", (2,), like)
    assert first is not _backend.scratch("test.first", (2,), like)
    _backend.release_scratch()


def test_each_thread_has_its_own_scratch():
    like, seen = np.ones(1), []
    mine = _backend.scratch("test.thread", (4,), like)
    thread = threading.Thread(target=lambda: seen.append(_backend.scratch("test.thread", (4,), like)))
    thread.start()
    thread.join()
    assert seen[0] is not mine
    _backend.release_scratch()


@pytest.mark.parametrize("shapes", [((7, 5), (5, 9)), ((1, 3), (3, 1)), ((3, 4, 6), (3, 6, 2))])
def test_products_into_scratch_equal_fresh_products_bit_for_bit(shapes, rng):
    x, y = (rng.normal(size=s) for s in shapes)
    out = np.empty(np.broadcast_shapes(x.shape[:-2], y.shape[:-2]) + (x.shape[-2], y.shape[-1]))
    product = _backend.matmul_into(x, y, out)
    assert product is out
    np.testing.assert_array_equal(product, x @ y)
    np.testing.assert_array_equal(_backend.matmul_into(x, y), x @ y)
    square = _backend.square_into(x, np.empty_like(x))
    np.testing.assert_array_equal(square, x * x)
    np.testing.assert_array_equal(_backend.square_into(x), x * x)
