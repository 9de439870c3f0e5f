"""Smoothness estimator: exact constants on the analytic zoo, envelope properties, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gsmooth as gs
from gsmooth.estimate.envelope import envelope_frontier, fit_envelope, minimal_L1

RESAMPLES = 4


def radial_points(d, low, high, n, seed=0):
    """Points at norms from low to high in random directions."""
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((n, d))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return np.geomspace(low, high, n)[:, None] * directions


@pytest.mark.parametrize("p", [3.0, 4.0, 6.0])
def test_power_hessian_data_recovers_exact_constants(p):
    problem = gs.problems.power(d=5, p=p)
    c = problem.constants
    est = gs.estimate.smoothness(problem, source="hessian", points=radial_points(5, 0.05, 5, 25),
                                 n_resamples=RESAMPLES)
    assert est.alpha == pytest.approx(c.alpha, rel=0.03)
    assert est.L1 == pytest.approx(c.L1, rel=0.10)
    assert est.L0 <= 1e-3 * est.L1
    assert est.covered == 1.0


def test_power_midpoint_data_from_small_steps():
    problem = gs.problems.power(d=4, p=4)
    w0 = radial_points(4, 0.5, 3.0, 4, seed=1)
    res = gs.run(problem, gs.optim.gd(1e-3), 400, seeds=4, w0=w0, capture=True)
    est = gs.estimate.smoothness(problem, res, source="midpoint", n_resamples=RESAMPLES)
    assert est.alpha == pytest.approx(2 / 3, rel=0.03)
    assert est.L1 == pytest.approx(3.0, rel=0.10)
    assert est.intervals is not None and set(est.intervals) == {"L0", "L1", "alpha"}
    low, high = est.intervals["alpha"]
    assert low <= high


def test_quadratic_gives_flat_envelope_at_largest_eigenvalue():
    eigs = np.array([0.5, 2.0, 7.0])
    problem = gs.problems.quadratic(eigs)
    est = gs.estimate.smoothness(problem, source="hessian", points=radial_points(3, 0.01, 10, 20),
                                 n_resamples=RESAMPLES)
    assert est.L1 <= 1e-6 * est.L0
    assert est.L0 == pytest.approx(eigs.max(), rel=0.05)
    assert not est.alpha_identified and est.alpha == 0.0
    assert any("alpha is not identified" in note for note in est.notes)


def test_cosh_single_coordinate_gives_alpha_one():
    scale = 2.0
    problem = gs.problems.cosh(d=3, scale=scale)
    points = np.zeros((30, 3))
    points[:, 0] = np.linspace(0.01, 6.0, 30)
    est = gs.estimate.smoothness(problem, source="hessian", points=points, n_resamples=RESAMPLES)
    assert est.alpha == pytest.approx(1.0, rel=0.03)
    assert est.L1 == pytest.approx(scale, rel=0.10)
    assert est.L0 == pytest.approx(1.0, rel=0.10)


def test_region_pairs_cover_two_point_form_on_quadratic():
    problem = gs.problems.quadratic([1.0, 4.0])
    est = gs.estimate.smoothness(problem, source="region", points=radial_points(2, 0.1, 10, 10),
                                 n_resamples=RESAMPLES)
    assert est.L0 + est.L1 * est.data.g.max() ** est.alpha <= 4.0 * (1 + 1e-9)


@settings(max_examples=20, deadline=None)
@given(
    L0=st.floats(0.0, 5.0), L1=st.floats(0.1, 5.0), alpha=st.floats(0.05, 1.0),
    noise=st.floats(0.0, 0.5), seed=st.integers(0, 1000),
)
def test_envelope_covers_points_and_is_exact_on_the_curve(L0, L1, alpha, noise, seed):
    rng = np.random.default_rng(seed)
    g = np.geomspace(1e-2, 1e2, 40)
    r = (L0 + L1 * g**alpha) * (1 - noise * rng.random(40))
    env = fit_envelope(g, r, alpha=alpha)
    assert np.all(r <= env(g) * (1 + 1e-9))
    if noise == 0:
        assert env.L1 == pytest.approx(L1, rel=1e-6)
        assert env.L0 == pytest.approx(L0, rel=1e-6, abs=1e-6)


@settings(max_examples=10, deadline=None)
@given(scale_g=st.floats(1e-3, 1e3), scale_r=st.floats(1e-3, 1e3))
def test_envelope_is_equivariant_to_units(scale_g, scale_r):
    g = np.geomspace(0.1, 10, 20)
    r = 1.0 + 2.0 * g**0.5 + 0.1 * np.sin(7 * g)
    base = fit_envelope(g, r, alpha=0.5)
    scaled = fit_envelope(scale_g * g, scale_r * r, alpha=0.5)
    assert scaled.L0 == pytest.approx(scale_r * base.L0, rel=1e-5, abs=1e-9 * scale_r)
    assert scaled.L1 == pytest.approx(scale_r * base.L1 / scale_g**0.5, rel=1e-5)


def test_frontier_pairs_are_valid_and_trade_off():
    g = np.geomspace(0.1, 10, 20)
    r = 1.0 + 2.0 * g**0.5
    L0, L1 = envelope_frontier(g, r, 0.5)
    for a, b in zip(L0, L1):
        assert np.all(r <= (a + b * g**0.5) * (1 + 1e-12))
        assert minimal_L1(g, r, 0.5, a) == b
    assert np.all(np.diff(L1) <= 1e-12)


def test_quantile_level_resists_outliers():
    g = np.geomspace(0.01, 100, 200)
    r = 3.0 * g ** (2 / 3)
    r[::25] *= 20.0
    assert fit_envelope(g, r).L1 > 5.0
    robust = fit_envelope(g, r, quantile=0.9)
    assert robust.L1 == pytest.approx(3.0, rel=0.10)
    assert robust.alpha == pytest.approx(2 / 3, rel=0.03)
    assert 0.9 <= robust.covered < 1.0


def test_one_run_gives_no_interval_and_says_so():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(1e-3), 100, seeds=1, capture=True)
    est = gs.estimate.smoothness(problem, res)
    assert est.intervals is None
    assert any("no interval" in note for note in est.notes)
    assert "alpha" in est.summary() and est.as_dict()["intervals"] is None


@pytest.mark.parametrize(
    ("g", "r", "match"),
    [
        (np.ones(3), np.ones(3), "at least"),
        (np.array([1.0, 2.0, np.nan, 3.0, 4.0, 5.0]), np.ones(6), "not finite"),
        (np.full(10, 2.0), np.linspace(1, 2, 10), "constant"),
        (np.linspace(1, 2, 10), -np.ones(10), ">= 0"),
    ],
)
def test_bad_pairs_raise_clear_errors(g, r, match):
    with pytest.raises(gs.GSmoothError, match=match):
        fit_envelope(g, r)


def test_run_without_captures_is_an_error():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(1e-3), 10)
    with pytest.raises(gs.GSmoothError, match="capture=True"):
        gs.estimate.smoothness(problem, res)
    with pytest.raises(gs.GSmoothError, match="keep_iterates=True"):
        gs.estimate.smoothness(problem, res, source="hessian")
    with pytest.raises(ValueError, match="source must be one of"):
        gs.estimate.smoothness(problem, res, source="bogus")
