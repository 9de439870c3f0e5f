"""``gsmooth verify`` and ``gsmooth plot``: exit codes and one-line errors."""

import json

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
        (["verify", "--runs", "0"], "runs must be a positive integer, got 0"),
        (["verify", "--runs", "-1"], "runs must be a positive integer, got -1"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(argv, message, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("gsmooth: error:")


def test_file_without_the_named_object(tmp_path, capsys):
    source = tmp_path / "mine.py"
    source.write_text("x = 1\n")
    assert main(["verify", f"{source}:f", "--out", str(tmp_path / "r")]) == 2
    assert "has no object named 'f'" in capsys.readouterr().err
    assert main(["verify", f"{tmp_path / 'absent.py'}:f"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_verify_prints_the_table_and_exits_0_then_plot_redraws(tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["verify", "power", "--beta", "1", "--runs", "2", "--eps", "1e-2,1e-3,1e-4", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "first phase ends at t" in printed and "PASS" in printed
    assert main(["plot", str(out)]) == 0
    assert "decay.png" in capsys.readouterr().out


def test_plot_errors_on_missing_or_unknown_results(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    assert "has no results.json" in capsys.readouterr().err
    (tmp_path / "results.json").write_text(json.dumps({"kind": "mystery"}))
    assert main(["plot", str(tmp_path)]) == 2
    assert "unknown results kind 'mystery'" in capsys.readouterr().err
