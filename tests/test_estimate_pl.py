"""Generalized-PL estimator: exact (rho, mu) on the analytic zoo, f* handling, flags."""

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
    assert est.rho == pytest.approx(problem.constants.rho, rel=0.03)
    assert est.mu == pytest.approx(problem.constants.mu, rel=0.10)
    assert not est.f_star_estimated and est.intervals is not None


def test_quadratic_gives_rho_two_and_smallest_eigenvalue():
    problem = gs.problems.quadratic([0.5, 3.0])
    res = gs.run(problem, gs.optim.gd(0.2), 200, seeds=3, w0=starts(2, 3))
    est = gs.estimate.pl(problem, res, n_resamples=RESAMPLES)
    assert est.rho == pytest.approx(2.0, rel=0.03)
    assert est.mu == pytest.approx(0.5, rel=0.10)


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


def test_round_trip_through_dict():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(0.05), 100, seeds=2, w0=starts(3, 2))
    est = gs.estimate.pl(problem, res, n_resamples=RESAMPLES)
    again = type(est).from_dict(est.as_dict())
    assert again.rho == est.rho and np.array_equal(again.gap, est.gap)
