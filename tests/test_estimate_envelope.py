"""Envelope and fits: the exact hull solver against an independent linprog, the asymmetric fit
against an independent bounded least squares, equivariance, the frontier, the quantile rule, the
run bootstrap's distinct resamples, and bad pairs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog, lsq_linear, minimize

import gsmooth as gs
from gsmooth.estimate.envelope import (
    envelope_at,
    envelope_frontier,
    fit_envelope,
    minimal_L1,
    staircase,
    upper_hull,
)
from gsmooth.estimate.fits import asymmetric_fit, side_by_side
from gsmooth.estimate.resampling import bootstrap_over_runs


def linprog_envelope(g, r, alpha, weight):
    """The envelope LP of the module docstring, posed directly to HiGHS."""
    x = g**alpha
    cost = np.array([np.sum(weight / r), np.sum(weight * x / r)])
    out = linprog(cost, A_ub=-np.column_stack([np.ones_like(x), x]), b_ub=-r,
                  bounds=[(0, None), (0, None)], method="highs")
    assert out.status == 0
    return out.fun, cost


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(5, 150), alpha=st.floats(0.05, 1.0),
       zero=st.booleans())
def test_hull_solver_equals_linprog(seed, n, alpha, zero):
    rng = np.random.default_rng(seed)
    g = np.exp(rng.normal(0, 2, n))
    if zero:
        g[0] = 0.0
    r = (rng.uniform(0, 3) + rng.uniform(0.1, 3) * g ** rng.uniform(0, 1)) * rng.uniform(0.2, 1, n)
    weight = rng.integers(1, 4, n).astype(float)
    L0, L1 = envelope_at(g, r, alpha, weight)
    assert np.all(L0 + L1 * g**alpha >= r * (1 - 1e-12))
    best, cost = linprog_envelope(g, r, alpha, weight)
    assert cost @ [L0, L1] == pytest.approx(best, rel=1e-9)


def test_pairs_fit_reproduces_linprog_and_bounded_least_squares_to_1e_6(rng):
    g = np.geomspace(0.05, 50, 80)
    r = (1.5 + 2.5 * g**0.7) * rng.uniform(0.4, 1.0, 80)
    est = gs.estimate.smoothness_from_pairs(g, r, n_resamples=9)
    best, cost = linprog_envelope(g, r, est.alpha, np.ones_like(g))
    assert cost @ [est.L0, est.L1] == pytest.approx(best, rel=1e-6)
    fixed = gs.estimate.smoothness_from_pairs(g, r, alpha=0.5, n_resamples=9)
    best, cost = linprog_envelope(g, r, 0.5, np.ones_like(g))
    assert cost @ [fixed.L0, fixed.L1] == pytest.approx(best, rel=1e-6)
    plain = gs.estimate.smoothness_from_pairs(g, r, fit="asymmetric", weight=0.0, n_resamples=9)
    reference = lsq_linear(np.column_stack([np.ones_like(g), g]), r, bounds=(0, np.inf)).x
    np.testing.assert_allclose([plain.L0, plain.L1], reference, rtol=1e-6, atol=1e-9)
    for w in (1.0, 9.0):
        fit = gs.estimate.smoothness_from_pairs(g, r, fit="asymmetric", weight=w, n_resamples=9)
        np.testing.assert_allclose([fit.L0, fit.L1], direct_asymmetric(g, r, w), rtol=1e-6)


def direct_asymmetric(g, r, w):
    """The asymmetric objective minimized by L-BFGS-B from a far start (no reweighting)."""

    def objective(theta):
        e = r - theta[0] - theta[1] * g
        c = np.where(e > 0, 1 + w, 1.0)
        return np.sum(c * e * e), -2 * np.array([np.sum(c * e), np.sum(c * e * g)])

    out = minimize(objective, [10.0, 10.0], jac=True, method="L-BFGS-B",
                   bounds=[(0, None)] * 2, options={"ftol": 1e-15, "gtol": 1e-12})
    return out.x


def test_asymmetric_weight_moves_the_line_up_and_leaves_fewer_points_above(rng):
    g = np.geomspace(0.1, 10, 60)
    r = (1.0 + 2.0 * g) * rng.uniform(0.5, 1.0, 60)
    above = [int(np.sum(r > asymmetric_fit(g, r, w)(g))) for w in (0.0, 3.0, 30.0)]
    assert above[0] > above[1] > above[2] > 0
    rows = side_by_side(g, r, weight=30.0)
    assert [row["fit"] for row in rows] == ["envelope", "quantile", "asymmetric"]
    assert rows[0]["above"] == 0 and rows[2]["above"] == above[2]


@settings(max_examples=20, deadline=None)
@given(L0=st.floats(0.0, 5.0), L1=st.floats(0.1, 5.0), alpha=st.floats(0.05, 1.0),
       noise=st.floats(0.0, 0.5), seed=st.integers(0, 1000))
def test_envelope_covers_points_and_is_exact_on_the_curve(L0, L1, alpha, noise, seed):
    rng = np.random.default_rng(seed)
    g = np.geomspace(1e-2, 1e2, 40)
    r = (L0 + L1 * g**alpha) * (1 - noise * rng.random(40))
    env = fit_envelope(g, r, alpha=alpha)
    assert np.all(r <= env(g) * (1 + 1e-9))
    if noise == 0:
        assert env.L1 == pytest.approx(L1, rel=1e-9)
        assert env.L0 == pytest.approx(L0, rel=1e-9, abs=1e-9)


@settings(max_examples=10, deadline=None)
@given(scale_g=st.floats(1e-3, 1e3), scale_r=st.floats(1e-3, 1e3))
def test_envelope_is_equivariant_to_units(scale_g, scale_r):
    g = np.geomspace(0.1, 10, 20)
    r = 1.0 + 2.0 * g**0.5 + 0.1 * np.sin(7 * g)
    base = fit_envelope(g, r, alpha=0.5)
    scaled = fit_envelope(scale_g * g, scale_r * r, alpha=0.5)
    assert scaled.L0 == pytest.approx(scale_r * base.L0, rel=1e-9, abs=1e-12 * scale_r)
    assert scaled.L1 == pytest.approx(scale_r * base.L1 / scale_g**0.5, rel=1e-9)


def test_chosen_alpha_is_exact_on_exact_data():
    g = np.geomspace(1e-3, 1e3, 30)
    env = fit_envelope(g, 0.7 + 3.0 * g ** (2 / 3))
    assert env.alpha == pytest.approx(2 / 3, rel=1e-4) and env.L1 == pytest.approx(3.0, rel=1e-3)


def test_staircase_and_hull():
    g = np.array([1.0, 2.0, 3.0, 0.5, 2.5])
    r = np.array([2.0, 1.0, 3.0, 1.5, 2.9])
    assert staircase(g, r).tolist() == [3, 0, 4, 2]
    assert upper_hull([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0]) == [0, 3]
    assert upper_hull([0.0, 1.0, 2.0], [0.0, 2.0, 2.5]) == [0, 1, 2]


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


def test_bootstrap_fits_each_distinct_resample_once():
    calls = []

    def statistic(counts):
        calls.append(tuple(counts))
        return [float(np.max(np.flatnonzero(counts)))]

    boot = bootstrap_over_runs(4, statistic, [3.0], n_resamples=2000)
    assert boot.distinct == 35 and len(calls) == 35 and len(set(calls)) == 35
    assert boot.replicates.shape == (1, 2000)
    low, high = boot.interval[:, 0]
    assert low <= 3.0 <= high and high > 3.0  # the basic side reflects the refits below


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
