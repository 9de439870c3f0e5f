"""Verification: theory and experiment agree on the analytic zoo in every regime."""

import json
import warnings
from fractions import Fraction

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.verification.cases import ZOO, suite
from gsmooth.verification.checks import REL_TOL, run_case

POWER_AND_QUADRATIC = [c for c in ZOO if c.name.startswith(("power", "quadratic")) and c.quick]


@pytest.mark.parametrize("case", POWER_AND_QUADRATIC, ids=lambda c: c.label)
def test_fitted_kind_and_value_match_the_theory_within_5_percent(case):
    result = run_case(case, runs=4, progress=False)
    decay = result.decay
    law, value = result.checks[0], result.checks[1]
    assert law.quantity == "decay law" and law.predicted == decay["kind"]
    assert value.verdict == "pass"
    if decay["kind"] == "polynomial":
        p = case_rho_beta_exponent(result)
        assert decay["exponent"] == pytest.approx(p, rel=REL_TOL)
    elif decay["kind"] == "geometric":
        rho, beta = (float(Fraction(x)) for x in result.rho_beta)
        c = case.lr / 2 * (2 * result.constants["mu"]) ** ((2 - beta) / rho)
        assert np.log(decay["rate"]) == pytest.approx(np.log(1.0 - 2.0 * c), rel=REL_TOL)
    else:
        assert decay["switch"] is not None
    assert result.passed


def case_rho_beta_exponent(result):
    rho, beta = (float(Fraction(x)) for x in result.rho_beta)
    return rho / (2.0 - beta - rho)


def test_every_regime_and_the_estimated_problems_are_in_the_suite():
    from gsmooth.rates.teps import problem_constants
    from gsmooth.theory import an_gd_bound

    regimes = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in ZOO:
            c = problem_constants(case.build())
            regimes.add(an_gd_bound(str(c["rho"]), case.beta, str(c["alpha"])).regime)
    assert regimes == {"sublinear", "linear", "two-phase"}
    assert {c.name for c in suite() if c.estimated} == {"phase retrieval", "DRO"}
    assert {c.beta for c in ZOO if c.name.startswith("power")} == {"0", "1/3", "2/3", "1"}


def test_beta_below_alpha_is_said_and_its_bound_is_not_judged():
    case = next(c for c in ZOO if c.label == "power(p=4) beta=0")
    result = run_case(case, runs=2, progress=False)
    assert any("outside the theorem" in note for note in result.notes)
    bound = next(c for c in result.checks if c.kind == "bound")
    assert bound.verdict == "n/a"


def test_a_wrong_constant_fails_both_kinds_of_check():
    from dataclasses import replace

    honest = gs.problems.quadratic([1.0, 4.0])
    liar = gs.problems.quadratic([1.0, 4.0])
    liar.constants = replace(honest.constants, mu=3.0)
    case = next(c for c in ZOO if c.label == "quadratic(1, 4) beta=0")
    result = run_case(replace(case, build=lambda: liar, eps_grid=()), runs=2, progress=False)
    failed = {check.quantity for check in result.checks if check.verdict == "fail"}
    assert {"log-rate of r^t", "rate <= derived 1 - c"} <= failed
    assert not result.passed


@pytest.mark.parametrize(
    ("label", "build", "lie", "quantity"),
    [
        ("power(p=4) beta=0", lambda: gs.problems.power(d=10, p=4), {"rho": 1.2}, "exponent p of t^-p"),
        ("quadratic(1, 4) beta=1", lambda: gs.problems.quadratic([1.0, 4.0]), {"mu": 3.0},
         "first phase ends at t"),
    ],
    ids=["polynomial", "two-phase"],
)
def test_a_wrong_constant_fails_the_shape_check_of_every_decay_kind(label, build, lie, quantity):
    from dataclasses import replace

    liar = build()
    liar.constants = replace(liar.constants, **lie)
    case = next(c for c in ZOO if c.label == label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_case(replace(case, build=lambda: liar, eps_grid=()), runs=2, progress=False)
    assert quantity in {check.quantity for check in result.checks if check.verdict == "fail"}


def test_report_folder_round_trips_and_redraws(tmp_path):
    report = gs.verify("quadratic", beta="1", out=tmp_path, runs=2, eps_grid=[1e-2, 1e-3, 1e-4],
                       progress=False)
    assert report.passed
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["kind"] == "verify" and results["passed"] is True
    assert "| problem |" in (tmp_path / "report.md").read_text()
    from gsmooth.verification import redraw

    drawn = redraw(tmp_path)
    assert {p.name for p in drawn} == {"decay.png", "teps.png", "regime-map.png"}
    assert all(p.stat().st_size > 0 for p in drawn)


def test_user_problem_is_estimated_predicted_run_and_judged(tmp_path):
    source = tmp_path / "mine.py"
    source.write_text("import numpy as np\n\ndef f(x):\n    return 0.25 * np.sum(x**4) + 0.5 * x @ x, x**3 + x\n")
    report = gs.verify(f"{source}:f", beta="1", x0=[1.0, -1.0, 0.5], f_star=0.0, lr=0.01, steps=400,
                       runs=2, progress=False)
    (case,) = report.cases
    assert case.estimated and case.regime in ("sublinear", "linear", "two-phase")
    bound = [check for check in case.checks if check.kind == "bound"]
    assert bound and all(check.verdict in ("pass", "fail") for check in bound)
    assert all(check.verdict == "info" for check in case.checks if check.kind != "bound")
