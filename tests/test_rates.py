"""fit_decay on synthetic sequences with known laws, and its input checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gsmooth.rates import fit_decay
from gsmooth.engine.recorder import record_grid

GRID = record_grid(3000)


def noisy(clean, rng, k=6, sigma=0.05):
    """``k`` runs of ``clean`` with independent multiplicative log-normal noise."""
    return clean[:, None] * np.exp(sigma * rng.standard_normal((clean.size, k)))


@settings(max_examples=12, deadline=None)
@given(p=st.floats(0.3, 4.0), scale=st.floats(0.1, 100.0), seed=st.integers(0, 2**16))
def test_recovers_polynomial_exponent_with_noise(p, scale, seed):
    rng = np.random.default_rng(seed)
    gaps = noisy(scale * (1.0 + GRID) ** -p, rng)
    fit = fit_decay(GRID, gaps, n_resamples=49)
    assert fit.kind == "polynomial"
    assert fit.exponent == pytest.approx(p, rel=0.05)
    low, high = fit.interval
    assert fit.interval_method == "bootstrap over runs"
    assert 0 < high - low < 0.2 * p
    assert fit.rate is None and fit.switch is None


@settings(max_examples=12, deadline=None)
@given(rate=st.floats(0.9, 0.995), seed=st.integers(0, 2**16))
def test_recovers_geometric_rate_with_noise(rate, seed):
    rng = np.random.default_rng(seed)
    steps = int(np.log(1e-10) / np.log(rate))
    t = record_grid(steps)
    fit = fit_decay(t, noisy(rate ** t.astype(float), rng), n_resamples=49)
    assert fit.kind == "geometric"
    assert np.log(fit.rate) == pytest.approx(np.log(rate), rel=0.05)
    log_width = np.log(fit.interval[1]) - np.log(fit.interval[0])
    assert fit.interval_method == "bootstrap over runs"
    assert 0 < log_width < 0.05 * abs(np.log(rate))


def test_says_plateau_for_a_plateau(rng):
    fit = fit_decay(GRID, noisy(np.full(GRID.size, 3.0), rng, sigma=0.2))
    assert fit.kind == "plateau"
    assert fit.floor == pytest.approx(3.0, rel=0.2)
    assert fit.value == fit.floor and fit.interval is None


def test_finds_the_switch_of_a_two_phase_sequence(rng):
    t = np.arange(0, 600)
    first_phase = np.maximum(1.0 - t / 250.0, 0.0) ** 4
    gaps = noisy(first_phase + 1e-8, rng)
    fit = fit_decay(t, gaps)
    assert fit.kind == "two-phase"
    assert fit.switch == pytest.approx(250, rel=0.05)
    assert fit.floor == pytest.approx(1e-8, rel=0.3)
    assert fit.interval_method == "bootstrap over runs"
    assert 0 <= fit.interval[1] - fit.interval[0] <= 0.05 * 250


def test_a_fast_decay_that_stalls_high_is_two_phase_and_a_small_dip_is_not():
    t = np.arange(0, 300)
    dip = 1.0 + 0.5 * (t < 50)
    assert fit_decay(t, dip).kind == "plateau"
    assert fit_decay(t, np.maximum(0.95**t, 1e-3)).kind == "two-phase"


def test_increasing_tail_is_not_called_a_decay():
    t = GRID.astype(float)
    assert fit_decay(GRID, 1.0 + t**0.5).kind == "increasing"


def test_single_run_uses_theil_sen_interval():
    t = record_grid(2000)
    fit = fit_decay(t, (1.0 + t) ** -1.5)
    assert fit.interval_method == "Theil-Sen" and fit.n_runs == 1
    assert fit.exponent == pytest.approx(1.5, rel=0.02)


def test_forced_kind_fits_that_law():
    t = record_grid(2000)
    fit = fit_decay(t, (1.0 + t) ** -1.0, kind="geometric")
    assert fit.kind == "geometric" and fit.rate < 1
    assert fit.rms_residual > fit_decay(t, (1.0 + t) ** -1.0).rms_residual


def test_non_finite_runs_are_left_out(rng):
    gaps = noisy((1.0 + GRID) ** -2.0, rng, k=4)
    gaps[5:, 1] = np.inf
    fit = fit_decay(GRID, gaps)
    assert fit.n_runs == 3 and fit.kind == "polynomial"


@pytest.mark.parametrize("n_records", [6, 7, 12])
def test_line_window_keeps_at_least_min_points_records(n_records):
    from gsmooth.rates.decay import MIN_POINTS

    t = np.arange(0, n_records + 1)
    fit = fit_decay(t, (1.0 + t) ** -2.0, kind="polynomial")
    first, last = fit.window
    assert last == n_records and np.sum((t >= first) & (t <= last)) >= MIN_POINTS


def test_as_dict_is_json_ready():
    import json

    fit = fit_decay(GRID, (1.0 + GRID) ** -2.0)
    assert json.loads(json.dumps(fit.as_dict()))["kind"] == "polynomial"
    assert "p = 1.99" in fit.summary()


@pytest.mark.parametrize(
    ("iters", "gaps", "message"),
    [
        (np.arange(10), np.ones(9), "must share n"),
        (np.arange(4), np.ones(4), "at least 6 records"),
        (np.arange(10), -np.ones(10), "gaps must be >= 0"),
        (np.arange(10), np.full(10, np.nan), "no run has finite gaps"),
    ],
)
def test_bad_input_names_the_problem(iters, gaps, message):
    with pytest.raises(ValueError, match=message):
        fit_decay(iters, gaps)


@pytest.mark.parametrize(
    ("option", "message"),
    [({"kind": "cubic"}, "kind must be"), ({"tail": 0}, "tail must be"),
     ({"min_drop": 1}, "min_drop must be"), ({"flat_slope": 0}, "flat_slope must be")],
)
def test_bad_options_name_allowed_values(option, message):
    with pytest.raises(ValueError, match=message):
        fit_decay(GRID, (1.0 + GRID) ** -1.0, **option)
