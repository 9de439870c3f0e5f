"""Plot data of rate figures, checked without pixels."""

import numpy as np
import pytest

from gsmooth.engine.recorder import record_grid
from gsmooth.plots.rates import decay_plot_data, teps_plot_data
from gsmooth.rates import fit_decay


def test_decay_plot_data_follows_the_fitted_law_and_keeps_the_bound():
    t = record_grid(1000)
    gaps = np.column_stack([(1.0 + t) ** -2.0, 2.0 * (1.0 + t) ** -2.0])
    fit = fit_decay(t, gaps).as_dict()
    data = decay_plot_data(t, gaps, fit, bound=10.0 * (1.0 + t) ** -1.0)
    assert data.logx and data.band.n_runs == 2
    assert np.all(data.band.x >= 1)
    tail = data.law_t > 100
    slope = np.polyfit(np.log(data.law_t[tail]), np.log(data.law[tail]), 1)[0]
    assert slope == pytest.approx(-fit["exponent"], rel=0.01)
    assert np.all(data.bound >= data.band.high)


def test_geometric_law_is_drawn_on_linear_t_and_a_zero_gap_is_not_drawn():
    t = np.arange(0, 200)
    gaps = 0.9 ** t.astype(float)
    gaps[-1] = 0.0
    data = decay_plot_data(t, gaps, fit_decay(t[:-1], gaps[:-1]).as_dict())
    assert not data.logx and np.all(data.band.median[:-1] > 0) and np.isnan(data.band.median[-1])


def test_teps_theory_line_has_the_predicted_slope_and_passes_through_the_data():
    eps = np.logspace(-2, -6, 5)
    sweep = {"eps": eps.tolist(), "T": [3, 9, 27, 81, -1], "log_T_bound": np.log(10 / eps**0.5).tolist(),
             "predicted": [0.25, 0.25], "log_factor": True, "delta0": 1.0}
    data = teps_plot_data(sweep)
    assert data.eps.size == 4
    shape = (eps**-0.25 * np.log(1.0 / eps))[:4]
    assert np.allclose(data.slope_T / shape, data.slope_T[0] / shape[0])
    assert data.slope_T[2] == pytest.approx(27)


def test_teps_panel_with_unreached_eps_is_drawn_on_the_reached_ones(tmp_path):
    """Targets the runs never reached (T = -1), here the two smallest, leave the theory
    line and the observations the same length, so the panel draws."""
    from gsmooth.plots.rates import teps_figure

    eps = np.array([1e-2, 1e-6, 1e-10, 1e-14])
    sweep = {"eps": eps.tolist(), "T": [53, 5653, -1, -1], "log_T_bound": np.log(1e3 / eps).tolist(),
             "predicted": [0.0], "log_factor": True, "delta0": 10.0}
    data = teps_plot_data(sweep)
    assert data.eps.tolist() == [1e-2, 1e-6] and data.slope_T.shape == data.T.shape == (2,)
    assert data.slope_T[1] == pytest.approx(5653)   # through the middle reached target
    path = teps_figure([("quadratic", sweep)], tmp_path / "teps.png")
    assert (tmp_path / "teps.png").stat().st_size > 1000 and str(path).endswith("teps.png")
