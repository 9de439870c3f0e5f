"""Generalized-PL estimator: exact (rho, mu) on the analytic zoo, f* handling, flags."""

import dataclasses
import json

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.engine.result import RunResult

RESAMPLES = 4


def starts(d, n, seed=0):
    return 1.0 + 0.5 * np.random.default_rng(seed).standard_normal((n, d))


@pytest.mark.parametrize("p", [3.0, 4.0])
def test_power_recovers_rho_and_mu(p):
    problem = gs.problems.power(d=3, p=p)
    res = gs.run(problem, gs.optim.gd(0.05), 300, seeds=3, w0=starts(3, 3))
    est = gs.estimate.pl(problem, res, n_resamples=RESAMPLES)
    assert est.rho == pytest.approx(problem.constants.rho, rel=1e-9)
    assert est.mu == pytest.approx(problem.constants.mu, rel=1e-9)
    assert not est.f_star_estimated and est.intervals is not None


def test_quadratic_gives_rho_two_and_smallest_eigenvalue():
    problem = gs.problems.quadratic([0.5, 3.0])
    res = gs.run(problem, gs.optim.gd(0.2), 200, seeds=3, w0=starts(2, 3))
    est = gs.estimate.pl(problem, res, n_resamples=RESAMPLES)
    assert est.rho == pytest.approx(2.0, rel=0.03)
    assert est.mu == pytest.approx(0.5, rel=0.10)


def test_records_at_the_floating_point_floor_are_left_out():
    """cosh d=5 under GD reaches F - f* ~ 1e-16, where the computed cosh(w) - 1 is rounding;
    those records biased mu to 0.81 (truth 1)."""
    problem = gs.problems.cosh(d=5)
    res = gs.run(problem, gs.optim.gd(0.1), 2000, w0=gs.estimate.spread_starts(problem, 4))
    assert np.nanmin(res.gap) < 1e-15
    est = gs.estimate.pl(problem, res, n_resamples=RESAMPLES)
    assert est.mu == pytest.approx(1.0, rel=1e-4) and est.rho == 2.0
    assert any("floating-point floor" in note for note in est.notes)
    assert est.gap.min() > 1e-13


@pytest.mark.parametrize("beta", [1.0, 0.5])
def test_an_gd_cycle_on_a_quadratic_does_not_set_the_exponent(beta):
    """AN-GD with a fixed step ends in a cycle on the top eigenvector (g^2 / 2 Delta = 7): the
    exponent comes from the descent before it, not from the cycle."""
    problem = gs.problems.quadratic([0.5, 1.0, 3.0, 7.0])
    res = gs.run(problem, gs.optim.an_gd(0.05, beta=beta), 400,
                 w0=gs.estimate.spread_starts(problem, 4))
    est = gs.estimate.pl(problem, res, n_resamples=19)
    assert est.rho == 2.0 and est.mu == pytest.approx(0.5, rel=0.01)
    low, high = est.intervals["rho"]
    assert low <= 2.0 <= high


def test_failed_and_copied_runs_are_left_out():
    problem = gs.problems.power(d=3, p=4)
    w0 = np.vstack([gs.estimate.spread_starts(problem, 3), gs.estimate.spread_starts(problem, 1)])
    res = gs.run(problem, gs.optim.gd([0.05, 0.05, 0.05, 0.05, 50.0]), 200,
                 w0=np.vstack([w0, w0[:1]]))
    est = gs.estimate.pl(problem, res, n_resamples=RESAMPLES)
    assert any("run(s) 4 (" in n for n in est.notes)
    assert any("identical runs (runs 3 copy run 0)" in n for n in est.notes)
    assert np.unique(est.run).tolist() == [0, 1, 2]


def test_loss_below_claimed_f_star_is_an_error():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(0.05), 50)
    with pytest.raises(gs.GSmoothError, match="below the claimed f"):
        gs.estimate.pl(problem, res, f_star=0.01)


def test_unknown_f_star_needs_a_reference_and_is_flagged():
    problem = gs.problems.from_function(lambda x: (np.sum(x**4) / 4, x**3), np.ones(2))
    res = gs.run(problem, gs.optim.gd(0.1), 200, seeds=2, w0=starts(2, 2))
    with pytest.raises(gs.GSmoothError, match="f\\* is unknown"):
        gs.estimate.pl(problem, res)
    short = gs.run(problem, gs.optim.gd(0.1), 5)
    with pytest.raises(gs.GSmoothError, match="reference run must reach below"):
        gs.estimate.pl(problem, res, reference=short)
    reference = gs.run(problem, gs.optim.gd(0.1), 20000, record=[20000])
    est = gs.estimate.pl(problem, res, reference=reference, n_resamples=RESAMPLES)
    assert est.f_star_estimated
    assert any("estimated" in note for note in est.notes)
    assert est.rho == pytest.approx(4 / 3, rel=0.05)


def fake_run(loss, grad_norm):
    n, k = loss.shape
    return RunResult(
        iters=np.repeat(np.arange(n)[:, None], k, 1), samples=np.zeros((n, k), int), loss=loss,
        grad_norm=grad_norm, status=np.zeros(k, int), converged_at=np.full(k, -1),
        w=np.zeros((k, 1)), seeds=list(range(k)), problem={"name": "fake"}, optimizer={},
        f_star=0.0,
    )


def test_rho_outside_range_is_reported_not_clipped():
    t = np.arange(1, 41, dtype=float)[:, None] * np.ones((1, 2))
    res = fake_run(1.0 / t, t**-0.25)
    with pytest.warns(gs.GSmoothWarning, match="outside"):
        est = gs.estimate.pl(None, res, n_resamples=RESAMPLES)
    assert est.rho == pytest.approx(4.0, rel=1e-9)
    assert any("outside (0, 2]" in note for note in est.notes)


def test_too_few_records_and_constant_gaps_are_errors():
    t = np.arange(1, 4, dtype=float)[:, None]
    with pytest.raises(gs.GSmoothError, match="at least"):
        gs.estimate.pl(None, fake_run(1.0 / t, 1.0 / t))
    flat = np.full((20, 1), 2.0)
    g = np.linspace(1.0, 2.0, 20)[:, None]
    with pytest.raises(gs.GSmoothError, match="constant"):
        gs.estimate.pl(None, fake_run(flat, g))


def through_json(est):
    return type(est).from_dict(json.loads(json.dumps(est.as_dict(), allow_nan=False)))


def test_round_trip_through_json():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(0.05), 100, seeds=2, w0=starts(3, 2))
    est = gs.estimate.pl(problem, res, n_resamples=RESAMPLES)
    again = through_json(est)
    assert (again.rho, again.mu, again.rho_fitted) == (est.rho, est.mu, est.rho_fitted)
    assert again.intervals == est.intervals and np.array_equal(again.gap, est.gap)
    assert np.array_equal(again.in_tail, est.in_tail) and again.in_tail.dtype == bool


def test_an_infinite_rho_is_written_as_null_and_read_back(tmp_path):
    """No PL slope (rho = inf, mu = NaN): the JSON holds null, and the estimate read back from
    it (NaN) still gives its summary, the table and the figure."""
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(0.05), 100, seeds=2, w0=starts(3, 2))
    est = dataclasses.replace(gs.estimate.pl(problem, res, n_resamples=RESAMPLES), rho=np.inf,
                              mu=np.nan, rho_fitted=np.inf,
                              intervals={"rho": (1.2, np.inf), "mu": (np.nan, np.nan)})
    payload = json.loads(json.dumps(est.as_dict(), allow_nan=False))
    assert payload["rho"] is None and payload["intervals"]["rho"] == [1.2, None]
    again = through_json(est)
    assert np.isnan(again.rho) and np.isnan(again.mu) and np.isnan(again.rho_fitted)
    assert again.intervals["rho"][0] == 1.2 and np.isnan(again.intervals["rho"][1])
    assert "rho   n/a" in again.summary()
    gs.estimate.write_report(tmp_path, {"pl": est})
    assert [p.name for p in gs.estimate.redraw(tmp_path)] == ["pl.png"]
    table = gs.estimate.EstimateReport.load(tmp_path).summary()
    assert "rho             nan                          [1.2, nan]" in table


def test_an_estimated_f_star_says_how_far_its_error_moves_the_estimates():
    """||w||^4 / 4 without its minimum; GD's reference still decays like t^-2, so f* lies within
    its last-half decrease D below the lowest loss, and rho refitted at f* - D lies on the other
    side of the true 4/3 from rho at the lowest loss."""
    import re

    problem = gs.problems.from_function(lambda x: (np.sum(x**4) / 4, x**3), np.ones(2))
    res = gs.run(problem, gs.optim.gd(0.1), 200, seeds=2, w0=starts(2, 2))
    reference = gs.run(problem, gs.optim.gd(0.1), 800)
    est = gs.estimate.pl(problem, res, reference=reference, n_resamples=RESAMPLES)
    (note,) = [n for n in est.notes if "last-half decrease" in n]
    lower = float(re.search(r"rho = ([\d.]+)", note).group(1))
    assert lower < 4 / 3 < est.rho
    sparse = gs.run(problem, gs.optim.gd(0.1), 800, record=[800])
    assert any("no loss near half its steps" in n
               for n in gs.estimate.pl(problem, res, reference=sparse, n_resamples=RESAMPLES).notes)
