"""``gsmooth verify`` and ``gsmooth plot``: the three outcomes' exit codes and one-line errors."""

import json
import textwrap

import pytest

from gsmooth.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "nonsense"], "unknown problem 'nonsense'"),
        (["verify", "--beta", "1.5"], "beta must be in [0, 1], got 1.5"),
        (["verify", "--eps", ","], "eps grid must be a non-empty list of positive numbers"),
        (["verify", "--eps", "1e-3,0"], "eps grid must be a non-empty list of positive numbers"),
        (["verify", "--eps", "1e-3,-1"], "eps grid must be a non-empty list of positive numbers"),
        (["verify", "--seeds", "0"], "must be a positive integer, got 0"),
        (["verify", "--seeds", "-1"], "must be a positive integer, got -1"),
        (["verify", "quadratic", "--rho", "3"], "rho must be in (0, 2], got 3"),
        (["verify", "quadratic", "--mu", "-1"], "mu must be > 0, got -1"),
        (["verify", "--mu", "1"], "can be claimed for one problem"),
        (["verify", "quadratic", "--lr", "0.1"], "lr applies only to your own problem"),
        (["verify", "quadratic", "--quick"], "quick selects a subset"),
        (["verify", "quadratic", "--reference-steps", "0"], "--reference-steps: must be a positive integer"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(argv, message, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("gsmooth: error:")
    assert not (tmp_path / "r").exists()


def test_file_without_the_named_object(tmp_path, capsys):
    source = tmp_path / "mine.py"
    source.write_text("x = 1\n")
    assert main(["verify", f"{source}:f", "--out", str(tmp_path / "r")]) == 2
    assert "has no object named 'f'" in capsys.readouterr().err
    assert main(["verify", f"{tmp_path / 'absent.py'}:f"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_pass_is_0_and_plot_redraws(tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["verify", "power", "--beta", "1", "--seeds", "2", "--eps", "1e-2,1e-3,1e-4,1e-5", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "first phase ends at t" in printed and "PASS:" in printed
    assert json.loads((out / "results.json").read_text())["exit_code"] == 0
    assert main(["plot", str(out)]) == 0
    assert "decay.png" in capsys.readouterr().out


def test_a_wrong_claim_is_fail_and_exit_code_1(tmp_path, capsys):
    assert main(["verify", "quadratic", "--beta", "0", "--mu", "3", "--seeds", "2", "--out", str(tmp_path)]) == 1
    printed = capsys.readouterr().out
    assert "FAIL:" in printed and "because PL (9)" in printed


def test_no_applicable_check_is_not_verified_and_exit_code_3(tmp_path, capsys):
    source = tmp_path / "quad.py"
    source.write_text(textwrap.dedent("""\
        import numpy as np
        EIGS = np.array([0.5, 1.0, 3.0, 7.0])
        def quad(x):
            return 0.5 * np.sum(EIGS * x * x), EIGS * x
        quad_x0 = np.ones(4)
        """))
    argv = ["verify", f"{source}:quad", "--beta", "0", "--lr", "0.25", "--steps", "200", "--seeds", "2",
            "--rho", "2", "--mu", "1/2", "--alpha", "0", "--L0", "7", "--L1", "0", "--f-star", "0",
            "--out", str(tmp_path / "r")]
    assert main(argv) == 3
    printed = capsys.readouterr().out
    assert "NOT VERIFIED:" in printed and "to get a judged check: use a step size (--lr) below 0.1429" in printed
    text = (tmp_path / "r" / "report.md").read_text()
    assert "Outcome: **NOT VERIFIED** (exit code 3" in text and "(claimed)" in text


def test_plot_errors_on_missing_or_unknown_results(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    assert "has no results.json" in capsys.readouterr().err
    (tmp_path / "results.json").write_text(json.dumps({"kind": "mystery"}))
    assert main(["plot", str(tmp_path)]) == 2
    assert "has kind 'mystery'" in capsys.readouterr().err
