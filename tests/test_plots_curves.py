import numpy as np
import pytest

from gsmooth.engine.result import DIVERGED
from gsmooth.plots import band, draw_bands, new_figure, save_figure


def test_band_median_and_quantiles(rng):
    y = rng.lognormal(size=(5, 101))
    b = band(np.arange(5), y, quantiles=(0.25, 0.75))
    np.testing.assert_allclose(b.median, np.median(y, axis=1))
    np.testing.assert_allclose(b.low, np.quantile(y, 0.25, axis=1))
    assert np.all(b.low <= b.median) and np.all(b.median <= b.high)


def test_band_excludes_diverged_runs():
    y = np.array([[1.0, 1.0, 1e30], [0.5, 0.7, 1e40]])
    b = band([0, 1], y, status=[0, 0, DIVERGED], quantiles=(0, 1))
    assert b.n_runs == 2 and b.n_excluded == 1 and b.high[-1] == 0.7


def test_band_interpolates_per_run_x():
    x = np.array([[0, 0], [10, 20], [20, 40]])
    y = np.array([[1.0, 1.0], [0.0, 0.0], [0.0, -1.0]])
    b = band(x, y, quantiles=(0, 1))
    assert b.x.tolist() == [0, 10, 20]
    np.testing.assert_allclose(b.high, [1.0, 0.5, 0.0])
    np.testing.assert_allclose(b.low, [1.0, 0.0, 0.0])


def test_band_bad_input():
    with pytest.raises(ValueError, match=r"quantiles must satisfy .* got \(0.9, 0.1\)"):
        band([0, 1], np.ones((2, 2)), quantiles=(0.9, 0.1))
    with pytest.raises(ValueError, match="no run is finite"):
        band([0, 1], np.full((2, 2), np.nan))


def test_draw_and_save(tmp_path, rng):
    fig, (ax,) = new_figure()
    (line,) = draw_bands(ax, {"a": band(np.arange(1, 6), rng.lognormal(size=(5, 4)))}, logx=True)
    assert ax.get_yscale() == "log" and line.get_label() == "a"
    path = save_figure(fig, tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000 and path.endswith("f.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png"]
