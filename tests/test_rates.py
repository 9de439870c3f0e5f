"""fit_decay on synthetic sequences with known laws: the choice, its evidence, the intervals."""

import importlib.util
import json
import pathlib
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gsmooth.engine.recorder import record_grid
from gsmooth.rates import fit_decay
from gsmooth.rates.decay import decay_curve
from gsmooth.rates.laws import LAWS, fit_law, law_curve

GRID = record_grid(3000)


def noisy(clean, rng, k=6, sigma=0.05):
    """``k`` runs of ``clean`` with independent multiplicative log-normal noise."""
    return clean[:, None] * np.exp(sigma * rng.standard_normal((clean.size, k)))


def replicate_study():
    path = pathlib.Path(__file__).resolve().parents[1] / "analysis" / "decay_replicates.py"
    spec = importlib.util.spec_from_file_location("decay_replicates", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@settings(max_examples=12, deadline=None)
@given(p=st.floats(0.3, 4.0), scale=st.floats(0.1, 100.0), seed=st.integers(0, 2**16))
def test_recovers_polynomial_exponent_with_noise(p, scale, seed):
    rng = np.random.default_rng(seed)
    fit = fit_decay(GRID, noisy(scale * (1.0 + GRID) ** -p, rng))
    assert fit.kind == "polynomial"
    assert fit.exponent == pytest.approx(p, rel=0.05, abs=0.03)  # the noise sets an absolute floor at small p
    low, high = fit.interval
    assert fit.interval_method == "Student t over 6 runs"
    assert low < fit.exponent < high and high - low < 0.2 * p
    assert fit.rate is None and fit.switch is None


@settings(max_examples=12, deadline=None)
@given(rate=st.floats(0.9, 0.995), seed=st.integers(0, 2**16))
def test_recovers_geometric_rate_with_noise(rate, seed):
    rng = np.random.default_rng(seed)
    t = record_grid(int(np.log(1e-10) / np.log(rate)))
    fit = fit_decay(t, noisy(rate ** t.astype(float), rng))
    assert fit.kind == "geometric"
    assert np.log(fit.rate) == pytest.approx(np.log(rate), rel=0.05)
    log_width = np.log(fit.interval[1]) - np.log(fit.interval[0])
    assert 0 < log_width < 0.05 * abs(np.log(rate))


def test_says_plateau_for_a_plateau(rng):
    fit = fit_decay(GRID, noisy(np.full(GRID.size, 3.0), rng, sigma=0.2))
    assert fit.kind == "plateau"
    assert fit.floor == pytest.approx(3.0, rel=0.2)
    assert fit.value == fit.floor and fit.interval is None


def test_finds_the_end_of_the_first_phase(rng):
    t = np.arange(0, 600)
    fit = fit_decay(t, noisy(np.maximum(1.0 - t / 250.0, 0.0) ** 4 + 1e-8, rng))
    assert fit.kind == "two-phase" and fit.law == "two-phase"
    assert fit.switch == pytest.approx(250, rel=0.01)
    assert fit.floor == pytest.approx(1e-8, rel=0.1)
    assert fit.interval[0] < 250 < fit.interval[1]


def test_a_geometric_decay_to_a_floor_is_geometric_with_its_floor_and_a_small_dip_is_a_plateau():
    t = np.arange(0, 300)
    assert fit_decay(t, 1.0 + 0.5 * (t < 50)).kind == "plateau"
    stall = fit_decay(t, np.maximum(0.95**t, 1e-3))
    assert stall.kind == "geometric" and stall.law == "geometric+floor"
    assert stall.rate == pytest.approx(0.95, rel=1e-3) and stall.floor == pytest.approx(1e-3, rel=0.05)


def test_increasing_tail_is_not_called_a_decay():
    assert fit_decay(GRID, 1.0 + GRID.astype(float) ** 0.5).kind == "increasing"


def test_the_evidence_names_the_rule_every_score_and_the_runner_up(rng):
    fit = fit_decay(GRID, noisy((1.0 + GRID) ** -2.0, rng, sigma=0.2))
    evidence = fit.evidence
    assert evidence["rule"] == "smallest BIC of log-gap" and set(evidence["bic"]) == set(LAWS)
    assert evidence["bic"][fit.law] == min(evidence["bic"].values())
    assert evidence["runner_up"] in ("geometric", "geometric+floor", "two-phase", "plateau")
    assert evidence["delta_bic"] > 10 and evidence["strength"] == "very strong"
    assert "very strong over" in fit.summary()


@pytest.mark.parametrize(
    ("clean", "reason"),
    [(np.maximum(1.0 - np.arange(0, 400) / 200.0, 0.0) ** 4 + 1e-9, "fits exactly"),
     (np.exp(-0.01 * np.arange(0, 400)) * (1 + 0.3 * np.sin(np.arange(0, 400) / 40.0)), "systematic")],
    ids=["exact", "systematic"],
)
def test_one_deterministic_run_gives_no_interval_and_says_why(clean, reason):
    fit = fit_decay(np.arange(0, 400), clean)
    assert fit.interval is None and reason in fit.interval_method
    assert "no interval" in fit.summary()


def test_one_noisy_run_gives_a_least_squares_interval_that_covers(rng):
    t = np.arange(0, 401)
    fit = fit_decay(t, noisy(np.maximum(1.0 - t / 200.0, 0.0) ** 4 + 1e-6, rng, k=1, sigma=0.2))
    assert fit.kind == "two-phase" and fit.interval_method.startswith("least squares, one run")
    low, high = fit.interval
    assert low < 200 < high and high - low > 0.1


def test_copies_of_one_run_give_no_interval():
    t = record_grid(2000)
    gaps = np.repeat(((1.0 + t) ** -1.5)[:, None], 4, axis=1)
    fit = fit_decay(t, gaps)
    assert fit.exponent == pytest.approx(1.5, rel=1e-3)
    assert fit.interval is None and "copies of one run" in fit.interval_method


def test_forced_kind_fits_that_law():
    t = record_grid(2000)
    fit = fit_decay(t, (1.0 + t) ** -1.0, kind="geometric")
    assert fit.kind == "geometric" and fit.rate < 1
    assert fit.rms_residual > fit_decay(t, (1.0 + t) ** -1.0).rms_residual


def test_non_finite_runs_and_zero_gaps_are_left_out_and_noted(rng):
    gaps = noisy((1.0 + GRID) ** -2.0, rng, k=4)
    gaps[5:, 1] = np.inf
    gaps[-3:, 2] = 0.0
    fit = fit_decay(GRID, gaps)
    assert fit.n_runs == 3 and fit.kind == "polynomial"
    assert any("non-finite" in note for note in fit.notes) and any("gap 0" in note for note in fit.notes)


@pytest.mark.parametrize("law", LAWS)
def test_every_law_recovers_its_own_parameters_exactly(law):
    t = np.arange(1.0, 500.0)
    truth = {"plateau": [0.3], "geometric": [1.0, -0.02], "geometric+floor": [1.0, -0.05, -9.0, 1.2],
             "polynomial": [2.0, 1.7, np.log(3.0)], "polynomial+floor": [2.0, 1.7, np.log(3.0), -8.0, -0.3],
             "two-phase": [0.5, 3.0, 321.5, -12.0]}[law]
    fit = fit_law(law, t, law_curve(law, t, truth))
    assert fit.rss < 1e-12
    np.testing.assert_allclose(fit.params, truth, rtol=1e-4, atol=1e-6)


def test_the_value_comes_from_the_tail_where_a_fast_transient_has_died_out():
    t = record_grid(1000).astype(float)
    two_eigenvalues = 0.5 * 0.99 ** (2 * t) + 2.0 * 0.96 ** (2 * t)
    fit = fit_decay(t, two_eigenvalues)
    assert fit.kind == "geometric" and fit.rate == pytest.approx(0.99**2, rel=1e-3)
    assert fit.window[0] > 10


def test_the_curve_of_a_fit_is_drawable_from_its_dict():
    t = np.arange(0, 300)
    fit = json.loads(json.dumps(fit_decay(t, np.maximum(0.95**t, 1e-3)).as_dict()))
    np.testing.assert_allclose(decay_curve(fit, [10.0, 280.0]), [0.95**10, 1e-3], rtol=0.02)


def test_the_law_of_issue_13_is_told_apart_from_a_power_law():
    """(1 - t/200)_+^4 + 1e-6 with 20% noise was called polynomial in 196 of 200 single runs."""
    study = replicate_study()
    (case,) = [c for c in study.cases() if c.name.startswith("(1 - t/200)")]
    for runs in (1, 8):
        kinds = [study.replicate(case, runs, seed, 0.2).kind for seed in range(20)]
        assert kinds.count("two-phase") >= 19


@pytest.mark.slow
def test_replicate_study_every_law_at_least_90_percent_right_and_coverage_within_5_points():
    study = replicate_study()
    for case in study.cases():
        for runs in (1, 8):
            row = study.study(case, runs, 100)
            assert row["right"] >= 0.9, (case.name, runs, row)
            assert abs(row["coverage"] - 0.95) <= 0.05 + 1e-9, (case.name, runs, row)


@pytest.mark.parametrize(
    ("iters", "gaps", "message"),
    [
        (np.arange(10), np.ones(9), "must share n"),
        (np.arange(4), np.ones(4), "at least 6 records"),
        (np.arange(10), -np.ones(10), "gaps must be >= 0"),
        (np.arange(10), np.full(10, np.nan), "no run has finite gaps"),
        (np.arange(10), np.r_[np.ones(4), np.zeros(6)], "at least 6 records with a positive gap"),
    ],
)
def test_bad_input_names_the_problem(iters, gaps, message):
    with pytest.raises(ValueError, match=message):
        fit_decay(iters, gaps)


@pytest.mark.parametrize(
    ("option", "message"),
    [({"kind": "cubic"}, "kind must be"), ({"tail": 0}, "tail must be"), ({"min_drop": 1}, "min_drop must be"),
     ({"flat_slope": 0}, "flat_slope must be"), ({"confidence": 1.0}, "confidence must be")],
)
def test_bad_options_name_allowed_values(option, message):
    with pytest.raises(ValueError, match=message):
        fit_decay(GRID, (1.0 + GRID) ** -1.0, **option)


def test_a_diverged_run_is_left_out_of_the_fit_given_the_statuses():
    """GD (lr 0.02) on ||w||^4 / 4 decays like t^-2 from radius below sqrt(2/(3 lr)) = 5.8 and
    diverges from radius 10.4; the diverged run, frozen at a finite gap of 1e20 or more, is a
    flat line that pulls the exponent of the fit of every run off 2."""
    import gsmooth as gs
    from gsmooth.engine.result import DIVERGED

    problem = gs.problems.power(d=3, p=4)
    w0 = np.array([[1.0, 1.0, 1.0], [1.2, 1.0, 1.0], [1.0, 1.3, 1.0], [6.0, 6.0, 6.0]])
    res = gs.run(problem, gs.optim.gd(0.02), 3000, w0=w0, progress=False)
    assert res.status.tolist()[3] == DIVERGED and np.isfinite(res.gap).all()
    blind = fit_decay(res.iters, res.gap)
    assert abs(blind.exponent - 2.0) > 0.2            # the trap the statuses remove
    fit = fit_decay(res.iters, res.gap, status=res.status)
    alone = fit_decay(res.iters[:, :3], res.gap[:, :3])
    assert fit.n_runs == 3 and fit.exponent == alone.exponent == pytest.approx(2.0, abs=0.05)
    assert fit.notes == ["1 runs that diverged or turned non-finite left out"]
    with pytest.raises(ValueError, match="a status that did not fail"):
        fit_decay(res.iters[:, 3:], res.gap[:, 3:], status=res.status[3:])
    with pytest.raises(ValueError, match=r"one entry per run, shape \(4,\), got \(3,\)"):
        fit_decay(res.iters, res.gap, status=res.status[:3])
