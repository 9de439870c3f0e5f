import numpy as np
import pytest

from gsmooth import _backend


def test_run_stream_depends_on_its_seed_only():
    alone = _backend.run_generators([5])[0].integers(0, 1000, size=8)
    batched = _backend.run_generators(8)[5].integers(0, 1000, size=8)
    np.testing.assert_array_equal(alone, batched)


def test_streams_differ_between_runs():
    a, b = _backend.run_generators(2)
    assert not np.array_equal(a.integers(0, 10**9, 4), b.integers(0, 10**9, 4))


def test_index_stream_shape_namespace_and_range(xp):
    stream = _backend.IndexStream(_backend.run_generators(3), 10, xp, block=3)
    draws = [stream.draw(7) for _ in range(5)] + [stream.draw(2)]
    assert all(idx.shape == (3, 7) for idx in draws[:5]) and draws[5].shape == (3, 2)
    assert _backend.namespace(draws[0]) is xp
    host = np.concatenate([_backend.to_host(idx) for idx in draws[:5]], axis=1)
    assert host.min() >= 0 and host.max() < 10
    assert len({tuple(row) for row in host}) == 3


def test_index_stream_of_a_run_does_not_depend_on_the_batch():
    alone = _backend.IndexStream(_backend.run_generators([4]), 50, np, block=2)
    batch = _backend.IndexStream(_backend.run_generators(6), 50, np, block=2)
    for size in (3, 5, 3, 3, 5, 3):
        np.testing.assert_array_equal(alone.draw(size)[0], batch.draw(size)[4])


@pytest.mark.parametrize("bad", [0, [], [-1]])
def test_bad_seeds(bad):
    with pytest.raises(ValueError, match="seeds must"):
        _backend.seed_list(bad)


def test_unknown_device():
    with pytest.raises(ValueError, match="device must be one of .* got 'tpu'"):
        _backend.namespace_for("tpu")


def test_bad_dtype():
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64', got 'int8'"):
        _backend.resolve_dtype(np, "int8")


def test_timed_measures():
    out = {}
    with _backend.timed(np, out):
        np.ones(1000).sum()
    assert out["seconds"] >= 0


def test_sum_of_squares_without_a_native_vecdot_is_the_same_sum(monkeypatch, rng):
    """CuPy's path (``sum(x * x)``, taken here on NumPy arrays) gives the native vecdot's
    sums to rounding, row by row, with signs and zero rows."""
    x = rng.normal(size=(5, 300)) * np.array([[1.0], [1e-200], [1e150], [0.0], [-3.0]])
    native = _backend.sum_of_squares(x)
    monkeypatch.setattr(_backend, "is_cupy_namespace", lambda xp: True)
    monkeypatch.setattr(_backend, "_VECDOTS", {})  # NumPy's choice is cached already
    summed = _backend.sum_of_squares(x)
    np.testing.assert_allclose(summed, native, rtol=1e-13, atol=0)
    assert summed[3] == 0.0 and summed.shape == (5,)
