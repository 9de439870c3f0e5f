"""Verification judges the constants a user claims: wrong ones fail, the truth passes, and a report
without a judged rate check is NOT VERIFIED."""

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.verification.constants import parse_claims

POWER_TRUTH = {"rho": "4/3", "mu": 2, "alpha": "2/3", "L0": 0, "L1": 3, "f_star": 0}
QUADRATIC_EIGS = np.array([0.5, 1.0, 3.0, 7.0])
QUADRATIC_TRUTH = {"rho": 2, "mu": 0.5, "alpha": 0, "L0": 7, "L1": 0, "f_star": 0}


def power_function():
    """||w||^4/4 from (1, 1, 1): the gradient norm starts above 1 and ends far below it."""
    def value_and_grad(x):
        r2 = x @ x
        return 0.25 * r2 * r2, r2 * x

    return gs.problems.from_function(value_and_grad, np.ones(3), name="quartic")


def quadratic_function():
    def value_and_grad(x):
        return 0.5 * np.sum(QUADRATIC_EIGS * x * x), QUADRATIC_EIGS * x

    return gs.problems.from_function(value_and_grad, np.ones(4), name="quad")


def verify_power(**claims):
    return gs.verify(power_function(), beta=1, lr=0.02, steps=300, runs=2, progress=False,
                     **{**POWER_TRUTH, **claims})


def failed(report) -> set:
    return {check.quantity for check in report.checks if check.verdict == "fail"}


def test_the_true_constants_pass_with_judged_assumption_and_rate_checks():
    report = verify_power()
    assert report.outcome.outcome == "PASS" and report.n_failed == 0
    judged = {c.quantity for c in report.checks if c.judged}
    assert {"PL (9): ||grad F||^rho >= 2 mu (F - F*)", "descent (6) along the steps",
            "Delta_t <= derived bound", "F(w) >= F* on the runs"} <= judged
    (case,) = report.cases
    assert case.regime == "two-phase" and case.T_exponent == [0.25, 0.25]
    constants = case.hypothesis["constants"]
    assert {c["source"] for c in constants.values()} == {"claimed"}


@pytest.mark.parametrize(
    ("claim", "caught_by"),
    [
        ({"rho": "6/5"}, "PL (9): ||grad F||^rho >= 2 mu (F - F*)"),
        ({"rho": "3/2"}, "PL (9): ||grad F||^rho >= 2 mu (F - F*)"),
        ({"mu": 3}, "PL (9): ||grad F||^rho >= 2 mu (F - F*)"),
        ({"alpha": "1/2"}, "descent (6) along the steps"),
        ({"L1": 2}, "descent (6) along the steps"),
        ({"f_star": -0.5}, "PL (9): ||grad F||^rho >= 2 mu (F - F*)"),
        ({"f_star": 0.01}, "F(w) >= F* on the runs"),
    ],
    ids=["rho-low", "rho-high", "mu", "alpha", "L1", "f_star-low", "f_star-high"],
)
def test_each_wrong_claim_on_the_power_function_fails_the_check_that_tests_it(claim, caught_by):
    report = verify_power(**claim)
    assert report.outcome.outcome == "FAIL" and report.outcome.exit_code == 1
    assert caught_by in failed(report)


def test_a_too_small_L0_on_a_quadratic_fails_the_descent_inequality_and_the_truth_passes():
    def run(**claims):
        return gs.verify(quadratic_function(), beta=0, lr=0.1, steps=300, runs=2, progress=False,
                         **{**QUADRATIC_TRUTH, **claims})

    assert run().outcome.outcome == "PASS"
    assert "descent (6) along the steps" in failed(run(L0=5))


def test_a_loose_but_true_claim_passes():
    """mu = 1 < 2 is a weaker PL condition the quartic satisfies: not wrong, so not failed."""
    report = verify_power(mu=1)
    assert report.outcome.outcome == "PASS"


def test_a_problem_stating_its_own_constants_is_judged_on_them():
    from dataclasses import replace

    liar = gs.problems.quadratic([1.0, 4.0])
    liar.constants = replace(liar.constants, mu=3.0)
    report = gs.verify(liar, beta=0, lr=0.01, steps=300, runs=2, progress=False)
    sources = {c["source"] for c in report.cases[0].hypothesis["constants"].values()}
    assert sources == {"problem"} and "PL (9): ||grad F||^rho >= 2 mu (F - F*)" in failed(report)


def test_a_step_above_the_theorem_is_not_verified_with_what_to_change():
    report = gs.verify(quadratic_function(), beta=0, lr=0.25, steps=300, runs=2, progress=False,
                       **QUADRATIC_TRUTH)
    outcome = report.outcome
    assert outcome.outcome == "NOT VERIFIED" and outcome.exit_code == 3 and report.n_failed == 0
    assert any("largest step the theorem covers" in reason for reason in outcome.reasons)
    assert outcome.remedies == ["use a step size (--lr) below 0.1429"]


def test_beta_below_alpha_on_a_user_problem_is_not_verified_not_passed():
    cosh = gs.problems.cosh(d=3)
    user = gs.problems.from_function(lambda x: (np.sum(np.cosh(x) - 1), np.sinh(x)), cosh.start, name="c")
    report = gs.verify(user, beta=0, lr=0.05, steps=200, runs=2, progress=False,
                       rho=2, mu=1, alpha=1, L0=1, L1=1, f_star=0)
    assert report.outcome.outcome == "NOT VERIFIED"
    assert report.outcome.remedies == ["use beta >= 1 (or claim alpha, if a smaller one is true)"]


def test_the_boundary_regime_is_recognized_from_claimed_exponents():
    report = gs.verify(power_function(), beta="2/3", lr=0.01, steps=300, runs=2, progress=False,
                       **POWER_TRUTH)
    (case,) = report.cases
    assert case.regime == "linear" and case.log_factor and report.outcome.outcome == "PASS"


def test_claims_are_checked_before_any_run():
    for bad, message in [({"rho": 0}, r"rho must be in \(0, 2\], got 0"), ({"mu": -1}, "mu must be > 0"),
                         ({"L0": 0, "L1": 0}, "must not both be 0"), ({"alpha": "x"}, "alpha must be a number such as 2/3")]:
        with pytest.raises(ValueError, match=message):
            parse_claims(**bad)
    with pytest.raises(ValueError, match="can be claimed for one problem"):
        gs.verify(mu=1)
    with pytest.raises(ValueError, match="lr applies only to your own problem"):
        gs.verify("quadratic", lr=0.1)
    with pytest.raises(ValueError, match="quick selects a subset"):
        gs.verify(power_function(), quick=True)
    with pytest.raises(ValueError, match="reference_steps must be a positive integer"):
        gs.verify(power_function(), reference_steps=0)


def test_estimated_intervals_enter_the_prediction_at_their_lenient_ends():
    from gsmooth.verification.constants import Constant, Hypothesis

    def estimated(name, value, low, high):
        return Constant(name, value, "estimated", interval=(low, high))

    hypothesis = Hypothesis({"rho": estimated("rho", 1.335, 1.3312, 1.3391), "mu": estimated("mu", 2.0, 1.9, 2.1),
                             "alpha": estimated("alpha", 0.66, 0.655, 0.671), "L0": estimated("L0", 0.0, 0.0, 0.02),
                             "L1": estimated("L1", 3.0, 2.9, 3.2), "f_star": Constant("f_star", 0.0, "claimed")},
                            (0.0, 0.0))
    candidates = hypothesis.candidates("2/3")
    rhos = sorted({str(c.rho) for c in candidates})
    assert rhos == ["133/100", "4/3", "67/50"]
    assert sorted({str(c.alpha) for c in candidates}) == ["13/20", "17/25"]
    assert {(c.mu, c.L0, c.L1) for c in candidates} == {(1.9, 0.02, 3.2)}
    assert len(candidates) == 6
    from gsmooth.verification.predictions import Prediction

    prediction = Prediction.of("2/3", candidates)
    assert prediction.regimes == ["linear", "sublinear", "two-phase"] and prediction.below_alpha


def test_an_unused_option_is_said(capsys):
    report = gs.verify("quadratic", beta="0", runs=2, progress=False, reference_steps=10)
    assert report.options["notes"] == [("reference_steps not used: no case ran a reference minimization "
                                        "(F* and PL constants known)")]
    assert "note: reference_steps not used" in report.summary()


def test_a_diverging_run_fails_the_bound_and_an_x0_that_would_be_ignored_is_refused():
    report = gs.verify(quadratic_function(), beta=0, lr=0.35, steps=300, runs=2, progress=False,
                       rho=2, mu=0.5, alpha=0, L0=2, L1=0, f_star=0)
    bound = next(c for c in report.checks if c.quantity == "Delta_t <= derived bound")
    assert bound.verdict == "fail" and report.outcome.outcome == "FAIL"
    with pytest.raises(ValueError, match="x0 applies to a function"):
        gs.verify(power_function(), x0=[2.0, 2.0, 2.0])


def test_a_run_diverging_outside_the_theorem_is_not_judged():
    """A non-finite loss fails the bound only where the theorem gives one (lr below 1/L0 = 0.5)."""
    from gsmooth.verification.constants import Constant, Hypothesis
    from gsmooth.verification.predictions import Prediction
    from gsmooth.verification.rate_checks import decay_bound_check

    claims = {"rho": 2, "mu": 0.5, "alpha": 0, "L0": 2, "L1": 0, "f_star": 0}
    hypothesis = Hypothesis({name: Constant(name, float(value), "claimed", exact=str(value))
                             for name, value in claims.items()}, (0.0, 0.0))
    prediction = Prediction.of("0", hypothesis.candidates("0"))
    t = np.arange(5.0)
    loss = np.array([[4.0, 4.0], [2.0, 9.0], [1.0, 80.0], [0.5, np.inf], [0.2, np.inf]])
    assert decay_bound_check(prediction, 0.3, t, loss, (0.0, 0.0)).verdict == "fail"
    outside = decay_bound_check(prediction, 0.6, t, loss, (0.0, 0.0))
    assert outside.verdict == "n/a" and "0.5" in outside.note


def test_a_snapped_input_is_said_as_what_it_was_read():
    report = verify_power(rho="1.3333")
    assert report.outcome.outcome == "PASS"
    assert any("rho = 1.3333 read as 4/3" in note for note in report.options["notes"])


def test_runs_that_all_diverge_leave_the_decay_law_unjudged_and_say_why():
    """GD (beta = 0) with lr 2 on ||w||^4/4 from (1, 1, 1) diverges (stable only below
    lr = 2 / (3 ||w||^2) = 0.22): no decay law is fitted to frozen traces, and the advice is
    a smaller step, not more steps."""
    report = gs.verify(power_function(), beta=0, lr=2.0, steps=200, runs=2, progress=False, **POWER_TRUTH)
    law = next(c for c in report.checks if c.quantity == "decay law")
    assert law.verdict == "n/a" and law.note == "every run diverged or turned non-finite"
    assert law.remedy == "a smaller step size (--lr)"
    (case,) = report.cases
    assert "2 of 2 runs diverged or turned non-finite: left out of the decay law, kept in the " \
           "bound checks" in case.notes


def shifted_quadratic():
    """diag(1, 4) / 2 + 5: F* = 5, at the minimizer 0."""
    eigs = np.array([1.0, 4.0])
    return gs.problems.from_function(lambda x: (0.5 * np.sum(eigs * x * x) + 5.0, eigs * x),
                                     np.array([1.0, 2.0]), name="quad5")


@pytest.mark.parametrize("f_star", [0.0, 4.9, 4.99999])
def test_an_f_star_below_the_minimum_fails_with_rho_and_mu_estimated(f_star):
    """With (rho, mu) estimated under a too-low F*, the fitted rho tends to 0 and PL's ratio at the
    reference minimizer passes (2.06 at F* = 0); the reference ends where the gradient vanishes to
    working precision (2.6e-18), and there PL of any (rho, mu) says F = F*."""
    report = gs.verify(shifted_quadratic(), beta=0, lr=0.1, runs=4, f_star=f_star, progress=False)
    assert report.outcome.outcome == "FAIL"
    assert failed(report) == {"PL (9) at the reference minimizer"}
    (check,) = [c for c in report.checks if c.quantity == "PL (9) at the reference minimizer"]
    assert check.observed.startswith(f"gap {5.0 - f_star:.4g} at gradient norm")


def test_the_true_f_star_of_the_shifted_quadratic_passes_and_a_flat_bound_is_not_judged():
    truth = gs.verify(shifted_quadratic(), beta=0, lr=0.1, runs=4, f_star=5.0, progress=False)
    assert truth.outcome.outcome == "PASS"
    bound = next(c for c in truth.checks if c.quantity == "Delta_t <= derived bound")
    assert bound.verdict == "pass"
    wrong = gs.verify(shifted_quadratic(), beta=0, lr=0.1, runs=4, f_star=0.0, progress=False)
    flat = next(c for c in wrong.checks if c.quantity == "Delta_t <= derived bound")
    assert flat.verdict == "n/a" and flat.note.startswith("the derived bound falls by less than 1% over the run")


def test_a_start_on_an_axis_still_tests_the_other_directions():
    """diag(1, 4) from (1, 0): runs that stayed on the axis saw curvature 1 only, and L0 = 1 passed;
    the starts move every coordinate, so the steps along the second one break the descent
    inequality with L0 = 1, and the true L0 = 4 passes."""
    eigs = np.array([1.0, 4.0])
    axis = gs.problems.from_function(lambda x: (0.5 * np.sum(eigs * x * x), eigs * x),
                                     np.array([1.0, 0.0]), name="axis")
    truth = {"rho": 2, "mu": 1, "alpha": 0, "L1": 0, "f_star": 0}

    def run(L0):
        return gs.verify(axis, beta=0, lr=0.1, runs=4, progress=False, L0=L0, **truth)

    assert failed(run(1)) == {"descent (6) along the steps"}
    assert run(4).outcome.outcome == "PASS"


def test_an_estimated_rho_interval_above_two_is_capped():
    """AN-GD beta = 1 on the shifted quadratic: the bootstrap interval of rho reaches above 2, and
    verify stopped with 'rho must be in (0, 2]'."""
    report = gs.verify(shifted_quadratic(), beta=1, lr=0.1, runs=4, f_star=5.0, progress=False)
    rho = report.cases[0].hypothesis["constants"]["rho"]
    assert rho["interval"][1] == 2.0 and "capped at 2" in rho["note"]


def test_an_eps_below_the_rounding_of_f_is_refused():
    """F near 1 computes gaps to about 1e-14; a gap rounded to 0 counted as reaching eps = 1e-20."""
    from gsmooth.rates import eps_sweep

    sweep = eps_sweep(gs.problems.quadratic([1.0, 4.0]), beta=1, eps_grid=[1e-2, 1e-3, 1e-20])
    assert sweep.eps.tolist() == [1e-2, 1e-3]
    assert any(note.startswith("eps 1e-20 refused: at or below") for note in sweep.notes)
