"""The reproduction cases of issue 13, as a new user ran them (a file with the function and its start),
kept as regression tests: no PASS without a judged rate check, no nan, no traceback, no dead end."""

import json
import textwrap

import pytest

from gsmooth.cli import main

FILES = {
    "quad.py": """\
        import numpy as np
        EIGS = np.array([0.5, 1.0, 3.0, 7.0])
        def quad(x):
            return 0.5 * np.sum(EIGS * x * x), EIGS * x
        quad_x0 = np.ones(4)
        quad_f_star = 0.0
        wrong = quad
        wrong_x0 = np.ones(4)
        wrong_f_star = -1.0
        """,
    "quartic.py": """\
        import numpy as np
        def f(x):
            r2 = x @ x
            return 0.25 * r2 * r2, r2 * x
        f_x0 = np.ones(5)
        f_f_star = 0.0
        """,
    "w2.py": """\
        import numpy as np
        def f(x):
            return 3.5 * x @ x, 7.0 * x
        f_x0 = np.array([1.0])
        f_f_star = 0.0
        """,
    "softplus.py": """\
        import numpy as np
        from scipy.optimize import brentq
        def f(x):
            return np.sum(np.logaddexp(0.0, x)) + 0.5 * x @ x, 1.0 / (1.0 + np.exp(-x)) + x
        f_x0 = np.array([3.0, -2.0, 1.0])
        _root = brentq(lambda z: 1.0 / (1.0 + np.exp(-z)) + z, -2, 2)
        f_f_star = float(3 * (np.logaddexp(0.0, _root) + 0.5 * _root * _root))
        """,
    "logreg.py": """\
        import numpy as np
        rng = np.random.default_rng(0)
        A = rng.standard_normal((200, 5))
        y = np.sign(A @ rng.standard_normal(5) + 0.3 * rng.standard_normal(200))
        def f(x):
            m = y * (A @ x)
            return np.mean(np.logaddexp(0.0, -m)), -(A.T @ (y / (1.0 + np.exp(m)))) / len(y)
        f_x0 = np.zeros(5)
        """,
    "half.py": """\
        def f(x):
            return 0.5 * x @ x, x
        """,
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("issue13")
    for name, text in FILES.items():
        (path / name).write_text(textwrap.dedent(text))
    return path


def verify(folder, target, *options, capsys):
    out = folder / ("out-" + "-".join([target.replace(":", "_"), *options]).replace("/", "_"))
    code = main(["verify", str(folder / target), *options, "--seeds", "2", "--out", str(out)])
    printed = capsys.readouterr()
    results = json.loads((out / "results.json").read_text()) if code != 2 else None
    return code, printed, results


def rate_checks_judged(results) -> int:
    return sum(c["verdict"] in ("pass", "fail") and c["kind"] in ("bound", "shape")
               for case in results["cases"] for c in case["checks"])


@pytest.mark.parametrize("lr", ["0.1", "0.25"])
def test_the_quadratic_is_never_passed_without_a_judged_rate_check(folder, lr, capsys):
    """Was: alpha estimated 0.78, beta < alpha, 0 checks judged, PASS (also above 1/L)."""
    code, printed, results = verify(folder, "quad.py:quad", "--beta", "0", "--lr", lr, capsys=capsys)
    assert code == results["exit_code"] and "Traceback" not in printed.err
    assert results["outcome"] != "PASS" or rate_checks_judged(results) >= 1
    if lr == "0.25":
        assert results["outcome"] == "NOT VERIFIED" and code == 3
        assert any("step size" in remedy for remedy in results["remedies"])


def test_a_wrong_minimum_fails(folder, capsys):
    """Was: f* = -1 (truth 0) gave rho = 0.04, 'T exponent 49', PASS."""
    code, printed, results = verify(folder, "quad.py:wrong", "--beta", "1/2", "--lr", "0.05", capsys=capsys)
    assert code == 1 and results["outcome"] == "FAIL"
    assert "because PL (9) at the reference minimizer" in printed.out


def test_the_boundary_regime_of_the_quartic_is_not_lost_to_rounding(folder, capsys):
    """Was: rounding gave rho = 1.33, alpha = 0.67, 'sublinear', n/a, PASS; claimed exactly it is linear."""
    code, _, results = verify(folder, "quartic.py:f", "--beta", "2/3", capsys=capsys)
    (case,) = results["cases"]
    assert "linear" in case["regime"].split(" or ")
    assert results["outcome"] != "PASS" or rate_checks_judged(results) >= 1
    code, _, results = verify(folder, "quartic.py:f", "--beta", "2/3", "--rho", "4/3", "--mu", "2",
                              "--alpha", "2/3", "--L0", "0", "--L1", "3", capsys=capsys)
    assert code == 0 and results["cases"][0]["regime"] == "linear" and results["cases"][0]["log_factor"]


def test_the_quartic_exponent_with_its_exact_constants_is_one_quarter(folder, capsys):
    """Was: T exponent 0.752 from an estimated L0 = 8.8e-5; the exact constants give 0.25."""
    code, _, results = verify(folder, "quartic.py:f", "--beta", "1", "--lr", "0.02", "--rho", "4/3",
                              "--mu", "2", "--alpha", "2/3", "--L0", "0", "--L1", "3",
                              "--eps", "1e-2,1e-4,1e-6,1e-8", capsys=capsys)
    (case,) = results["cases"]
    assert code == 0 and case["T_exponent"] == [0.25, 0.25]
    exponent = next(c for c in case["checks"] if c["quantity"] == "exponent of 1/eps")
    assert exponent["verdict"] == "pass"


@pytest.mark.parametrize("target, options", [("w2.py:f", ["--beta", "0", "--lr", "0.1"]),
                                             ("softplus.py:f", ["--beta", "1", "--lr", "0.05"])],
                         ids=["3.5w^2", "softplus"])
def test_underflowing_and_overflowing_bounds_are_never_nan(folder, target, options, capsys):
    """Was: FAIL 'max ratio nan' (3.5 w^2: gap and bound underflow; softplus: the bound overflows)."""
    code, printed, results = verify(folder, target, *options, capsys=capsys)
    assert "nan" not in printed.out and results["outcome"] != "FAIL"
    claimed = ["--rho", "2", "--alpha", "0", "--L1", "0"] + (
        ["--mu", "7", "--L0", "7"] if target.startswith("w2") else ["--mu", "1", "--L0", "1.25"])
    code, printed, results = verify(folder, target, *options, *claimed, capsys=capsys)
    bound = next(c for c in results["cases"][0]["checks"] if c["quantity"] == "Delta_t <= derived bound")
    assert code == 0 and bound["verdict"] == "pass" and "nan" not in printed.out


def test_logistic_regression_is_not_passed_on_zero_judged_checks(folder, capsys):
    """Was: 'Verdict: PASS (0 failed of 0 judged checks)'."""
    code, _, results = verify(folder, "logreg.py:f", "--beta", "2/3", capsys=capsys)
    assert code == results["exit_code"]
    assert results["outcome"] != "PASS" or rate_checks_judged(results) >= 1


def test_half_norm_squared_gets_its_minimum_without_running_longer_by_hand(folder, capsys):
    """Was: exit 2, 'the reference run must reach below ... run it longer', and no option to do so."""
    code, _, results = verify(folder, "half.py:f", "--x0", "1,2", capsys=capsys)
    assert code in (0, 3) and results["cases"][0]["hypothesis"]["constants"]["f_star"]["source"] == "estimated"
    low, high = results["cases"][0]["hypothesis"]["f_star_interval"]
    assert -1e-12 < low <= high < 1e-12


@pytest.mark.parametrize("options", [["--beta", "1"], ["--beta", "1", "--lr", "0.3"]], ids=["lr-default", "lr-0.3"])
def test_no_traceback_and_no_exit_code_of_fail_for_an_internal_error(folder, options, capsys):
    """Was: OverflowError / TypeError traceback, exit 1 (the code of FAIL)."""
    code, printed, results = verify(folder, "quad.py:quad", *options, capsys=capsys)
    assert "Traceback" not in printed.err and code == results["exit_code"]
    assert results["outcome"] != "FAIL"
