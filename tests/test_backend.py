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


def test_draw_indices_shape_and_namespace(xp):
    idx = _backend.draw_indices(_backend.run_generators(3), 10, 7, xp)
    assert idx.shape == (3, 7)
    assert _backend.namespace(idx) is xp
    host = _backend.to_host(idx)
    assert host.min() >= 0 and host.max() < 10


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
