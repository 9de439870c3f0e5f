"""Verification: theory and experiment agree on the analytic zoo in every regime; estimated constants
come from independent runs; bounds are judged in log space; the report says where constants came from."""

import json
import warnings
from fractions import Fraction

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.verification.cases import ZOO, Case, suite
from gsmooth.verification.checks import run_case
from gsmooth.verification.rate_checks import REL_TOL

POWER_AND_QUADRATIC = [c for c in ZOO if c.name.startswith(("power", "quadratic")) and c.quick]


@pytest.mark.parametrize("case", POWER_AND_QUADRATIC, ids=lambda c: c.label)
def test_fitted_kind_and_value_match_the_theory_within_5_percent(case):
    result = run_case(case, runs=4, progress=False)
    decay = result.decay
    law = next(c for c in result.checks if c.quantity == "decay law")
    assert law.predicted == decay["kind"] and law.verdict == "pass"
    rho, beta = Fraction(result.hypothesis["constants"]["rho"]["exact"]), Fraction(case.beta)
    if decay["kind"] == "polynomial":
        assert decay["exponent"] == pytest.approx(float(rho / (2 - beta - rho)), rel=REL_TOL)
    elif decay["kind"] == "geometric":
        c = case.lr / 2 * (2 * result.hypothesis["constants"]["mu"]["value"]) ** float((2 - beta) / rho)
        assert np.log(decay["rate"]) == pytest.approx(np.log(1.0 - 2.0 * c), rel=REL_TOL)
    else:
        assert decay["switch"] is not None
    assert result.passed


def test_every_regime_and_the_estimated_problems_are_in_the_suite():
    from gsmooth.verification.constants import problem_claims

    regimes = set()
    for case in ZOO:
        claims = problem_claims(case.build())
        rho = Fraction(claims["rho"].exact)
        q = (2 - Fraction(case.beta)) / rho
        regimes.add("sublinear" if q > 1 else "linear" if q == 1 else "two-phase")
    assert regimes == {"sublinear", "linear", "two-phase"}
    assert {c.name for c in suite() if c.tight is None} == {"phase retrieval", "DRO"}
    assert {c.beta for c in ZOO if c.name.startswith("power")} == {"0", "1/3", "2/3", "1"}


def test_beta_below_alpha_is_said_and_its_bound_is_not_judged():
    case = next(c for c in ZOO if c.label == "power(p=4) beta=0")
    result = run_case(case, runs=2, progress=False)
    assert any("outside the theorem" in note for note in result.notes)
    bound = next(c for c in result.checks if c.quantity == "Delta_t <= derived bound")
    assert bound.verdict == "n/a" and "beta >= alpha" in bound.note
    assert result.outcome.outcome == "PASS"


@pytest.mark.parametrize(
    ("label", "lie", "quantity"),
    [
        ("power(p=4) beta=0", {"rho": "6/5"}, "exponent p of t^-p"),
        ("quadratic(1, 4) beta=1", {"mu": 3.0}, "first phase ends at t"),
        ("quadratic(1, 4) beta=0", {"mu": 3.0}, "log-rate of r^t"),
    ],
    ids=["polynomial", "two-phase", "geometric"],
)
def test_a_wrong_constant_fails_the_shape_check_of_every_decay_kind(label, lie, quantity):
    from gsmooth.verification.constants import parse_claims

    case = next(c for c in ZOO if c.label == label)
    result = run_case(case, runs=2, progress=False, claims=parse_claims(**lie))
    assert quantity in {check.quantity for check in result.checks if check.verdict == "fail"}


def test_three_and_a_half_w_squared_is_judged_although_its_bound_underflows_float64():
    """Delta_t = 3.5 (0.3^t)^2 underflows to 0 by t = 310; the float bound (1 - c)^t too: 0/0 was nan."""
    user = gs.problems.from_function(lambda x: (3.5 * x @ x, 7.0 * x), np.ones(1), name="w2")
    report = gs.verify(user, beta=0, lr=0.1, steps=1000, runs=2, progress=False,
                       rho=2, mu=7, alpha=0, L0=7, L1=0, f_star=0)
    bound = next(c for c in report.checks if c.quantity == "Delta_t <= derived bound")
    assert bound.verdict == "pass" and "nan" not in bound.observed
    float_bound = gs.theory.an_gd_bound(2, 0, alpha=0).decay_value(1000, gamma=0.1, Delta0=3.5, mu=7, L0=7, L1=0)
    assert float_bound == 0.0
    assert report.outcome.outcome == "PASS"


def softplus_problem():
    def value_and_grad(x):
        return np.sum(np.logaddexp(0.0, x)) + 0.5 * x @ x, 1.0 / (1.0 + np.exp(-x)) + x

    from scipy.optimize import brentq

    root = brentq(lambda z: 1.0 / (1.0 + np.exp(-z)) + z, -2, 2)
    f_star = 3 * (np.logaddexp(0.0, root) + 0.5 * root * root)
    return gs.problems.from_function(value_and_grad, np.array([3.0, -2.0, 1.0]), f_star=f_star,
                                     name="softplus")


def test_softplus_is_judged_with_claimed_and_with_estimated_constants():
    """H = diag(sigmoid' + 1) in [1, 5/4]: L0 = 5/4, L1 = 0; strongly convex: rho = 2, mu = 1."""
    claimed = gs.verify(softplus_problem(), beta=1, lr=0.05, steps=400, runs=2, progress=False,
                        rho=2, mu=1, alpha=0, L0=1.25, L1=0)
    estimated = gs.verify(softplus_problem(), beta=1, lr=0.05, steps=400, runs=2, progress=False)
    for report in (claimed, estimated):
        bound = next(c for c in report.checks if c.quantity == "Delta_t <= derived bound")
        assert bound.verdict == "pass" and "nan" not in bound.observed
    assert claimed.outcome.outcome == "PASS"
    sources = {name: c["source"] for name, c in estimated.cases[0].hypothesis["constants"].items()}
    assert sources == {"rho": "estimated", "mu": "estimated", "alpha": "estimated", "L0": "estimated",
                       "L1": "estimated", "f_star": "problem"}


def test_eps_is_honoured_with_estimated_constants():
    power = gs.problems.power(d=3, p=4)
    user = gs.problems.from_function(lambda x: (power.value(x[None])[0], power.grad(x[None])[0]),
                                     np.ones(3), f_star=0.0, name="quartic")
    report = gs.verify(user, beta=1, lr=0.02, steps=300, runs=3, eps_grid=[1e-2, 1e-3, 1e-4, 1e-5],
                       progress=False)
    (case,) = report.cases
    assert case.sweep is not None and case.sweep["eps"] == [1e-2, 1e-3, 1e-4, 1e-5]
    assert len(case.sweep["constants"]) >= 2
    sweep = next(c for c in case.checks if c.quantity == "T(eps) <= derived T(eps)")
    assert sweep.verdict == "pass"
    exponent = next(c for c in case.checks if c.quantity.startswith("exponent of 1/eps"))
    assert exponent.verdict == "info"


def test_estimated_constants_come_from_runs_independent_of_the_judged_ones():
    """On a function whose (rho, mu) interval depends on the starts, the interval is the estimation seed's."""
    from gsmooth.verification.constants import Constant
    from gsmooth.verification.estimation import CONFIDENCE, ESTIMATION_SEED_OFFSET, RESAMPLES, complete

    c = np.array([0.5, 1.0, 2.0])

    def value_and_grad(x):  # quadratic near 0 (rho 2), quartic far out (rho 4/3)
        s = x @ x
        return 0.5 * np.sum(c * x * x) + s * s / 4, c * x + s * x

    problem = gs.problems.from_function(value_and_grad, np.ones(3), f_star=0.0, name="mixed")
    case = Case("mixed", lambda: problem, "1", 0.05, 300, tight=None)
    claims = {"f_star": Constant("f_star", 0.0, "claimed", exact="0")}
    hypothesis = complete(problem, case, claims, runs=3, seed=5, device="numpy", lowest_loss=1.0)

    def rho_from(seed):
        res = gs.run(problem, gs.optim.an_gd(0.05, beta=1.0), 300, w0=case.starts(problem, 3, seed),
                     capture=True, keep_iterates=True, progress=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", gs.errors.GSmoothWarning)
            return gs.estimate.pl(problem, res, f_star=0.0, n_resamples=RESAMPLES,
                                  confidence=CONFIDENCE).intervals["rho"]

    def capped(interval):  # the theorem's rho <= 2
        return (min(interval[0], 2.0), min(interval[1], 2.0))

    interval = hypothesis.constants["rho"].interval
    assert interval == pytest.approx(capped(rho_from(5 + ESTIMATION_SEED_OFFSET)))
    assert interval != pytest.approx(capped(rho_from(5)), abs=1e-3)   # not the judged runs' interval
    assert hypothesis.constants["rho"].source == "estimated"


def test_an_unknown_minimum_needs_a_reference_that_gets_below_the_runs():
    power = gs.problems.power(d=3, p=4)
    user = gs.problems.from_function(lambda x: (power.value(x[None])[0], power.grad(x[None])[0]),
                                     np.ones(3), name="quartic")
    short = gs.verify(user, beta=1, lr=0.02, steps=300, runs=2, progress=False, reference_steps=1)
    assert short.outcome.outcome == "NOT VERIFIED"
    assert short.outcome.remedies == ["give F* (--f-star) or a larger --reference-steps"]
    full = gs.verify(user, beta=1, lr=0.02, steps=300, runs=2, progress=False)
    low, high = full.cases[0].hypothesis["f_star_interval"]
    assert -1e-8 < low <= high < 1e-8


def test_report_folder_says_where_constants_came_from_round_trips_and_redraws(tmp_path):
    report = gs.verify("quadratic", beta="1", out=tmp_path, runs=2, eps_grid=[1e-2, 1e-3, 1e-4, 1e-5],
                       progress=False, mu=1)
    assert report.outcome.outcome == "PASS"
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["kind"] == "verify" and results["outcome"] == "PASS" and results["exit_code"] == 0
    assert results["n_checks"] == report.n_judged > 0
    text = (tmp_path / "report.md").read_text()
    assert "Outcome: **PASS**" in text and "mu = 1 (claimed)" in text and "rho = 2 (problem)" in text
    from gsmooth.verification import redraw

    drawn = redraw(tmp_path)
    assert {p.name for p in drawn} == {"decay.png", "teps.png", "regime-map.png",
                                       "rate-comparison-quadratic_1_4_beta1.png"}
    assert all(p.stat().st_size > 0 for p in drawn)


def test_a_figure_is_one_more_entry_of_the_registry(tmp_path, monkeypatch):
    from gsmooth.verification import report as report_module

    drawn = []
    monkeypatch.setattr(report_module, "FIGURES", [("extra.png", lambda results, curves, path:
                                                     drawn.append(len(results["cases"])) or None)])
    gs.verify("quadratic", beta="0", out=tmp_path, runs=2, progress=False)
    assert drawn == [1]


def test_the_estimated_phase_retrieval_case_passes_on_independent_estimates():
    case = next(c for c in suite() if c.name == "phase retrieval")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_case(case, runs=3, progress=False)
    constants = result.hypothesis["constants"]
    assert constants["f_star"]["source"] == "problem" and constants["rho"]["source"] == "estimated"
    assert constants["rho"]["interval"] is not None
    bound = next(c for c in result.checks if c.quantity == "Delta_t <= derived bound")
    assert bound.verdict == "pass" and result.outcome.outcome == "PASS"
