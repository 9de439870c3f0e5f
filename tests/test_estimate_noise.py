"""Noise estimator and IAN-SGD configuration on finite sums of known noise."""

import json

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.estimate.data import iterate_points

RESAMPLES = 4
TAU1, TAU2 = 0.5, 1.0


def noisy_problem(n=400):
    return gs.problems.finite_sum(gs.problems.quadratic([1.0, 5.0]), n=n, tau1=TAU1, tau2=TAU2)


def noise_norms(problem, w):
    """``||grad f_i(w) - grad F(w)||`` of every sample ``i``."""
    samples = np.arange(problem.n_samples)[:, None]
    stochastic = problem.grad(np.repeat(w[None, :], samples.shape[0], axis=0), samples)
    return np.linalg.norm(stochastic - problem.grad(w[None, :]), axis=1)


def run_with_iterates(problem, seeds=3, steps=60):
    w0 = 10.0 * np.random.default_rng(0).standard_normal((seeds, problem.dim))
    return gs.run(problem, gs.optim.gd(0.15), steps, seeds=seeds, w0=w0, capture=True,
                  keep_iterates=True)


@pytest.mark.parametrize("draws", ["all", 300])
def test_recovers_tau1_tau2_along_a_run(draws):
    problem = noisy_problem()
    res = run_with_iterates(problem)
    est = gs.estimate.noise(problem, res, batch=1, draws=draws, n_resamples=RESAMPLES)
    assert est.tau1 == pytest.approx(TAU1, rel=0.10)
    assert est.tau2 == pytest.approx(TAU2, rel=0.10)
    assert est.A == pytest.approx(1 / (1 - est.tau1))
    assert est.delta == pytest.approx(est.tau2 / (1 - est.tau1))
    assert est.intervals is not None
    # the level at each point is the largest draw: at most the largest noise of all the samples,
    # equal to it when every sample is drawn, and within the finite sum's bound
    points = iterate_points(res)[0]
    largest = np.array([noise_norms(problem, w).max() for w in points])
    if draws == "all":
        np.testing.assert_allclose(est.data.r, largest, rtol=1e-12)
        np.testing.assert_allclose(est.median, [np.median(noise_norms(problem, w)) for w in points],
                                   rtol=1e-12)
    assert np.all(est.data.r <= largest * (1 + 1e-12))
    assert np.all(est.data.r <= (TAU1 * est.data.g + TAU2) * (1 + 1e-12))


def test_bound_holds_at_every_point_fitted():
    problem = noisy_problem()
    est = gs.estimate.noise(problem, run_with_iterates(problem), draws="all",
                            n_resamples=RESAMPLES)
    assert np.all(est.data.r <= (est.tau1 * est.data.g + est.tau2) * (1 + 1e-9))


def test_tau1_above_one_is_flagged_without_constants():
    def value_and_grad(x):
        return 0.5 * x @ x, x

    def sample_grad(x, idx):
        return np.mean([(1 + 2 * (-1) ** i) * x for i in idx], axis=0)

    problem = gs.problems.from_function(value_and_grad, np.ones(2), sample_grad=sample_grad,
                                        n_samples=2)
    points = np.geomspace(0.1, 10, 8)[:, None] * np.ones((1, 2))
    with pytest.warns(gs.GSmoothWarning, match="tau1"):
        est = gs.estimate.noise(problem, points=points, draws="all", n_resamples=RESAMPLES)
    assert est.tau1 == pytest.approx(2.0, rel=1e-6)
    assert est.A is None and est.delta is None
    assert "n/a" in est.summary()
    est.intervals["tau2"] = (0.0, np.inf)
    again = est.from_dict(json.loads(json.dumps(est.as_dict(), allow_nan=False)))
    assert again.A is None and again.delta is None and again.tau1 == est.tau1
    assert again.intervals["tau1"] == est.intervals["tau1"]
    assert again.intervals["tau2"][0] == 0.0 and np.isnan(again.intervals["tau2"][1])


def test_bad_input_is_rejected():
    problem = noisy_problem()
    points = np.ones((5, 2))
    with pytest.raises(ValueError, match="finite-sum"):
        gs.estimate.noise(gs.problems.quadratic([1.0, 2.0]), points=points)
    with pytest.raises(ValueError, match="batch=1"):
        gs.estimate.noise(problem, points=points, batch=2, draws="all")
    with pytest.raises(ValueError, match="draws"):
        gs.estimate.noise(problem, points=points, draws=1)
    with pytest.raises(gs.GSmoothError, match="constant"):
        gs.estimate.noise(problem, points=points, draws=20)
