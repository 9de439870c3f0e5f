"""Smoothness estimator: the zoo recovered from GD, AN-GD and SGD with default arguments, the
directional estimate beside it, copies and failed runs, namespaces, user functions, bad input."""

import json

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.estimate.data import PairData
from gsmooth.estimate.smoothness import estimate_from_pairs
from gsmooth.problems.base import Problem

ZOO = {
    "quadratic": lambda: gs.problems.quadratic(np.geomspace(0.1, 10.0, 8)),
    "power3": lambda: gs.problems.power(d=5, p=3),
    "power4": lambda: gs.problems.power(d=5, p=4),
    "power6": lambda: gs.problems.power(d=5, p=6),
    "cosh": lambda: gs.problems.cosh(d=5, scale=2.0),
    "exponential": lambda: gs.problems.exponential(d=5, L0=2.0, L1=0.5),
}
METHODS = {
    "gd": lambda: gs.optim.gd(0.05),
    "an_gd": lambda: gs.optim.an_gd(0.05, beta=1.0),
    "sgd": lambda: gs.optim.sgd(0.02, batch=8),
}


def zoo_run(name, method, k=4, seed=0, steps=300):
    base = ZOO[name]()
    problem = base if method != "sgd" else gs.problems.finite_sum(base, n=200, tau1=0.3, tau2=0.1)
    w0 = gs.estimate.spread_starts(problem, k, seed=seed)
    return base, problem, gs.run(problem, METHODS[method](), steps, w0=w0, seeds=k, capture=True)


@pytest.mark.parametrize("method", sorted(METHODS))
@pytest.mark.parametrize("name", sorted(ZOO))
def test_defaults_recover_the_zoo_from_every_method(name, method):
    base, problem, res = zoo_run(name, method)
    c = base.constants
    est = gs.estimate.smoothness(problem, res, n_resamples=19)
    assert est.data.source == "hessian"
    assert est.alpha == pytest.approx(c.alpha, rel=0.03, abs=1e-12)
    if c.L1 == 0:
        assert est.L0 == pytest.approx(c.L0, rel=0.05) and est.L1 == 0
    if c.L0 == 0:
        assert est.L1 == pytest.approx(c.L1, rel=0.10) and est.L0 <= 1e-3 * est.L1
    if name == "exponential":  # both constants positive, the bound tight everywhere
        assert est.L0 == pytest.approx(c.L0, rel=1e-3) and est.L1 == pytest.approx(c.L1, rel=1e-3)
    assert est.directional is not None and est.directional.data.source == "midpoint"


def test_the_quadratic_of_the_issue_reports_the_hessian_and_notes_the_directional():
    problem = gs.problems.quadratic([0.5, 1, 3, 7])
    res = gs.run(problem, gs.optim.gd(0.1), 400, w0=np.ones((1, 4)), capture=True)
    est = gs.estimate.smoothness(problem, res)
    assert est.L0 == pytest.approx(7.0, rel=1e-9) and est.L1 == 0 and est.alpha == 0
    d = est.directional
    assert d.L0 == pytest.approx(0.5, rel=0.01) and d.L1 > 0.5 and d.alpha > 0.5
    note = [n for n in est.notes if "directional smoothness lies below" in n]
    assert len(note) == 1 and "at most the Hessian norm" in note[0]
    assert "directional smoothness" in est.summary()


def test_no_disagreement_note_where_the_two_agree():
    problem = gs.problems.power(d=4, p=4)
    res = gs.run(problem, gs.optim.gd(1e-3), 300, w0=gs.estimate.spread_starts(problem, 3),
                 capture=True)
    est = gs.estimate.smoothness(problem, res, n_resamples=9)
    assert not any("directional smoothness lies" in n for n in est.notes)


def test_identical_runs_are_flagged_and_count_once():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(0.05), 100, seeds=4, capture=True)
    est = gs.estimate.smoothness(problem, res, n_resamples=9)
    assert any("identical runs (runs 1, 2, 3 copy run 0)" in n for n in est.notes)
    assert est.intervals is None and est.data.runs.tolist() == [0]
    assert any("no interval" in n for n in est.notes)


def test_a_diverged_run_does_not_move_the_estimate():
    problem = gs.problems.power(d=4, p=4)
    w0 = gs.estimate.spread_starts(problem, 8)
    lr = [0.05] * 7 + [5.0]
    res = gs.run(problem, gs.optim.gd(lr), 200, w0=w0, capture=True)
    assert gs.engine.result.failed(res.status).tolist() == [False] * 7 + [True]
    est = gs.estimate.smoothness(problem, res, n_resamples=19)
    good = gs.run(problem, gs.optim.gd(0.05), 200, w0=w0[:7], capture=True)
    alone = gs.estimate.smoothness(problem, good, n_resamples=19)
    assert (est.L0, est.L1, est.alpha) == (alone.L0, alone.L1, alone.alpha)
    assert est.L1 == pytest.approx(3.0, rel=1e-3)
    assert any("run(s) 7 (" in n and "left out" in n for n in est.notes)


def test_the_run_namespace_does_the_measuring(xp):
    problem = gs.problems.power(d=3, p=4)
    w0 = gs.estimate.spread_starts(problem, 3)
    device = {"array_api_compat.numpy": "numpy", "array_api_strict": "array-api-strict",
              "array_api_compat.cupy": "cupy"}[xp.__name__]
    res = gs.run(problem, gs.optim.gd(0.05), 100, w0=w0, capture=True, device=device)
    host = gs.run(problem, gs.optim.gd(0.05), 100, w0=w0, capture=True)
    np.testing.assert_allclose(res.capture["hessian_norm"], host.capture["hessian_norm"],
                               rtol=1e-10)
    points = xp.asarray(w0)
    data = gs.estimate.hessian_pairs(problem, points)
    np.testing.assert_allclose(data.r, 3.0 * np.linalg.norm(w0, axis=1) ** 2, rtol=1e-9)


def test_float32_runs_measure_the_hessian_norm_to_single_precision():
    problem = gs.problems.cosh(d=3)
    w0 = gs.estimate.spread_starts(problem, 2)
    res = gs.run(problem, gs.optim.gd(0.05), 50, w0=w0, capture=True, dtype="float32")
    host = gs.run(problem, gs.optim.gd(0.05), 50, w0=w0, capture=True)
    finite = np.isfinite(host.capture["hessian_norm"])
    np.testing.assert_allclose(res.capture["hessian_norm"][finite],
                               host.capture["hessian_norm"][finite], rtol=1e-4)


class ExactCoshLine(Problem):
    """``2 cosh(a.w)``: gradient ``2 sinh(a.w) a``, Hessian ``2 cosh(a.w) a a^T`` (exact)."""

    hvp_exact = True

    def __init__(self, a):
        self.a = np.asarray(a, dtype=float)
        super().__init__("2cosh", self.a.size, np.ones(self.a.size))

    def _value(self, w, data):
        return 2 * np.cosh(w @ self.a)

    def _grad(self, w, data):
        return 2 * np.sinh(w @ self.a)[:, None] * self.a

    def _hvp(self, w, v, data):
        return 2 * (np.cosh(w @ self.a) * (v @ self.a))[:, None] * self.a


def test_user_function_central_differences_match_the_exact_products():
    a = np.array([1.0, -2.0, 0.5])
    exact = ExactCoshLine(a)

    def value_and_grad(x):
        u = float(x @ a)
        return 2 * np.cosh(u), 2 * np.sinh(u) * a

    user = gs.problems.from_function(value_and_grad, np.ones(3))
    w0 = np.vstack([np.zeros(3), gs.estimate.spread_starts(exact, 4)[1:]])  # one run at g = 0
    runs = [gs.run(p, gs.optim.gd(0.02), 150, w0=w0, capture=True) for p in (exact, user)]
    est_exact, est_user = (gs.estimate.smoothness(p, r, n_resamples=19)
                           for p, r in zip((exact, user), runs, strict=True))
    assert np.isfinite(est_user.L1)
    assert est_user.L0 == pytest.approx(2 * a @ a, rel=1e-6)
    for name in ("L0", "L1", "alpha"):
        assert getattr(est_user, name) == pytest.approx(getattr(est_exact, name), rel=1e-5,
                                                        abs=1e-9)
    assert est_user.data.error.max() < 1e-4 * est_user.data.r.min()


def test_rough_difference_quotients_are_left_out_and_said():
    """A gradient with a kink (|x|^1.5 terms) makes central differences unreliable at the kink:
    those Hessian norms are dropped with a note instead of inflating the envelope."""

    def value_and_grad(x):
        return float(np.sum(np.abs(x) ** 1.5)), 1.5 * np.sign(x) * np.abs(x) ** 0.5

    user = gs.problems.from_function(value_and_grad, np.ones(2))
    points = np.vstack([np.geomspace(0.1, 3.0, 12)[:, None] * np.ones((1, 2)),
                        [[1e-10, 1.0], [1e-11, 2.0]]])
    est = gs.estimate.smoothness(user, points=points, n_resamples=9)
    assert any("central-difference error exceeds" in n for n in est.notes)
    assert len(est.data) == 12


def test_points_in_their_own_namespace_and_quadratic_flat_envelope():
    eigs = np.array([0.5, 2.0, 7.0])
    rng = np.random.default_rng(0)
    directions = rng.standard_normal((20, 3))
    points = np.geomspace(0.01, 10, 20)[:, None] * directions
    est = gs.estimate.smoothness(gs.problems.quadratic(eigs), points=points, n_resamples=9)
    assert est.L1 == 0 and est.L0 == pytest.approx(7.0, rel=1e-8)
    assert not est.alpha_identified and est.alpha == 0.0


def through_json(est):
    """``from_dict`` of the JSON text of ``as_dict()``, which must hold numbers or null only."""
    return type(est).from_dict(json.loads(json.dumps(est.as_dict(), allow_nan=False)))


def test_round_trip_through_json_keeps_the_directional_estimate():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(0.05), 80, w0=gs.estimate.spread_starts(problem, 3),
                 capture=True)
    est = gs.estimate.smoothness(problem, res, n_resamples=9)
    again = through_json(est)
    assert (again.L0, again.L1, again.alpha) == (est.L0, est.L1, est.alpha)
    assert again.intervals == est.intervals and again.fits == est.fits
    assert again.directional.L1 == est.directional.L1
    np.testing.assert_array_equal(again.data.error, est.data.error)
    np.testing.assert_array_equal(again.replicates, est.replicates)


def test_non_finite_values_are_null_in_json_and_read_back_as_nan():
    g = np.tile(np.geomspace(0.1, 10, 12), 2)
    run = np.repeat([0, 1], 12)
    est = gs.estimate.smoothness_from_pairs(g, (1 + 2 * g) * (1 - 0.1 * run), run=run,
                                            n_resamples=9)
    est.intervals = {"L0": (np.nan, np.nan), "L1": (1.0, np.inf), "alpha": (0.5, 1.0)}
    est.replicates[1, 0] = np.nan
    payload = json.loads(json.dumps(est.as_dict(), allow_nan=False))
    assert payload["intervals"]["L0"] == [None, None] and payload["intervals"]["L1"] == [1.0, None]
    again = through_json(est)
    assert all(isinstance(x, float) for bounds in again.intervals.values() for x in bounds)
    assert np.isnan(again.intervals["L0"]).all() and np.isnan(again.intervals["L1"][1])
    assert again.intervals["alpha"] == (0.5, 1.0)
    assert np.isnan(again.replicates[1, 0]) and np.isfinite(again.replicates[0]).all()
    assert "L0    1 [nan, nan]" in again.summary()


def test_a_failed_directional_fit_keeps_the_hessian_estimate_with_a_note():
    """A run with one more Hessian pair than directional pairs: 5 Hessian norms fit, the 4
    midpoint ratios are too few for an envelope."""
    problem = gs.problems.power(d=3, p=4)
    res = gs.run(problem, gs.optim.gd(0.01), 5, record=1, capture=True)
    res.capture["midpoint_diff_norm"][0] = np.nan
    est = gs.estimate.smoothness(problem, res)
    alone = gs.estimate.smoothness(problem, res, directional=False)
    assert len(est.data) == 5 and est.directional is None
    assert (est.L0, est.L1, est.alpha) == (alone.L0, alone.L1, alone.alpha)
    assert est.L1 == pytest.approx(3.0, rel=1e-4) and est.alpha == pytest.approx(2 / 3, rel=1e-4)
    note = [n for n in est.notes if "no directional (midpoint) estimate" in n]
    assert len(note) == 1 and "need at least 5 points" in note[0] and "got 4" in note[0]


def test_given_points_are_not_left_out_for_the_failed_runs_of_res():
    """Run 1 of ``res`` diverged; the points given are labelled 0..n-1 and none is that run."""
    problem = gs.problems.quadratic([0.5, 2.0, 7.0])
    res = gs.run(problem, gs.optim.gd([0.1, 5.0]), 50, w0=gs.estimate.spread_starts(problem, 2),
                 capture=True)
    assert gs.engine.result.failed(res.status).tolist() == [False, True]
    points = np.geomspace(0.1, 10, 12)[:, None] * np.array([[1.0, -1.0, 0.5]])
    est = gs.estimate.smoothness(problem, res, points=points, n_resamples=9)
    assert len(est.data) == 12 and est.data.runs.tolist() == list(range(12))
    assert not any(n.startswith("run(s)") for n in est.notes)
    assert est.L0 == pytest.approx(7.0, rel=1e-8) and est.L1 == 0


def test_region_pairs_from_a_run_without_iterates_name_keep_iterates():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(1e-3), 10, capture=True)
    with pytest.raises(gs.GSmoothError, match="keep_iterates=True"):
        gs.estimate.smoothness(problem, res, source="region")


def test_difference_errors_widen_each_interval_to_both_refits():
    """``r = 2 sqrt(g)`` with error 0.5: the refit on ``r - error`` has the larger alpha
    (0.543), the one on ``r + error`` the larger L0 (0.5); both lie in the intervals."""
    g = np.tile(np.geomspace(1.0, 100.0, 20), 3)
    r, error = 2 * np.sqrt(g), np.full(g.size, 0.5)
    data = PairData(g, r, np.repeat([0, 1, 2], 20), np.zeros(g.size, dtype=int), "hessian", error,
                    np.ones(g.size, dtype=bool))
    est = estimate_from_pairs(data, n_resamples=19)
    low, high = (gs.estimate.fit_envelope(g, values) for values in (r - error, r + error))
    assert low.alpha > high.alpha and low.L0 < high.L0  # the refits are not ordered
    for name in ("L0", "L1", "alpha"):
        a, b = est.intervals[name]
        fits = sorted([getattr(low, name), getattr(high, name), getattr(est, name)])
        assert (a, b) == pytest.approx((fits[0], fits[-1]), rel=1e-12, abs=1e-12)
    assert est.intervals["alpha"][1] == pytest.approx(0.5429552, rel=1e-6)


def test_directional_source_is_named_as_such():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(1e-3), 100, w0=gs.estimate.spread_starts(problem, 2),
                 capture=True)
    est = gs.estimate.smoothness(problem, res, source="midpoint", n_resamples=9)
    assert est.directional is None
    assert any("directional smoothness along the steps" in n for n in est.notes)


def test_one_run_gives_no_interval_and_says_so():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(1e-3), 100, seeds=1, capture=True)
    est = gs.estimate.smoothness(problem, res)
    assert est.intervals is None
    assert any("no interval" in note for note in est.notes)
    assert "alpha" in est.summary() and est.as_dict()["intervals"] is None


def test_run_without_captures_is_an_error():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(1e-3), 10)
    with pytest.raises(gs.GSmoothError, match="capture=True"):
        gs.estimate.smoothness(problem, res)
    with pytest.raises(gs.GSmoothError, match="capture=True"):
        gs.estimate.smoothness(problem, res, source="midpoint")
    with pytest.raises(ValueError, match="source must be one of"):
        gs.estimate.smoothness(problem, res, source="bogus")
    with pytest.raises(ValueError, match="fit must be one of"):
        gs.estimate.smoothness(problem, res, fit="bogus")


def test_old_runs_without_hessian_captures_use_their_iterates():
    problem = gs.problems.power(d=3)
    res = gs.run(problem, gs.optim.gd(0.05), 50, w0=gs.estimate.spread_starts(problem, 2),
                 capture=True, keep_iterates=True)
    for name in ("hessian_norm", "hessian_error", "hessian_converged"):
        del res.capture[name]
    est = gs.estimate.smoothness(problem, res, n_resamples=9)
    assert est.L1 == pytest.approx(3.0, rel=1e-4) and est.alpha == pytest.approx(2 / 3, rel=1e-4)
