"""IAN-SGD formulas, the regime map, and `gsmooth theory` (the catalog: test_theory_catalog.py)."""

import json

import numpy as np
import pytest
import sympy as sp

from gsmooth.cli import main
from gsmooth.theory import ian_sgd_parameters, regime_map_data

R = sp.Rational


def test_ian_sgd_matches_hand_computation():
    p = ian_sgd_parameters(tau1="1/4", tau2="1/2", L0=2, L1=3, beta="1/2", T=400, Delta0=5, eps="1/2")
    assert (p.A, p.delta) == (R(4, 3), R(2, 3))
    assert p.gamma == R(1, 20)
    assert p.Gamma == (4 * 3 * R(1, 20) * (2 * R(1, 16) + 1)) ** 2 == R(27, 40) ** 2
    assert p.Lambda == 5 + R(5, 2) * 4
    assert p.iterations == 15**2 * 16
    values = p.values()
    assert values["Lambda"] == 15.0 and values["iterations"] == 3600.0


def test_ian_sgd_gamma_constant_and_symbols():
    p = ian_sgd_parameters(0, 1, 1, 1, 1, 100, gamma_constant="1/2")
    assert p.gamma == R(1, 20) and p.A == 1 and p.delta == 1
    assert p.Lambda.free_symbols and "Delta_0" in p.as_dict()["Lambda"]
    with pytest.raises(ValueError, match="missing constants for numeric evaluation: Delta0"):
        p.values()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tau1": 1}, r"tau1 must be in \[0, 1\), got 1"),
        ({"tau1": -1}, r"tau1 must be in \[0, 1\), got -1"),
        ({"tau2": 0}, "tau2 must be > 0, got 0"),
        ({"beta": 0}, r"beta must be in \(0, 1\], got 0"),
        ({"T": "1/2"}, "T must be an integer >= 1, got 1/2"),
        ({"L1": -1}, "L1 must be >= 0, got -1"),
    ],
)
def test_ian_sgd_invalid_input(kwargs, message):
    arguments = {"tau1": 0, "tau2": 1, "L0": 1, "L1": 1, "beta": 1, "T": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        ian_sgd_parameters(**arguments)


def test_regime_map_data_follows_the_derivation():
    data = regime_map_data(n=21, points=[(1, "2/3"), (1, 1), ("3/2", 1)])
    grid_rho, grid_beta = np.meshgrid(data.rho, data.beta)
    np.testing.assert_allclose(data.exponent, np.maximum(2 - grid_rho, grid_beta) / grid_rho, rtol=1e-12)
    np.testing.assert_array_equal(data.regime, np.sign(grid_rho + grid_beta - 2))
    assert [point[2] for point in data.points] == ["sublinear", "linear", "two-phase"]


def test_cli_prints_the_bound(capsys):
    assert main(["theory", "--rho", "4/3", "--beta", "2/3"]) == 0
    out = capsys.readouterr().out
    assert "regime: linear" in out and "T(eps)" in out and "decay" in out
    assert main(["theory", "--rho", "4/3", "--beta", "2/3", "--as", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["exponent"] == "1/2"
    assert main(["theory", "--rho", "1", "--beta", "1", "--as", "latex"]) == 0
    assert "\\begin{aligned}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rho", "1", "--beta", "3/2"], "beta must be in [0, 1], got 3/2"),
        (["--rho", "3", "--beta", "1"], "rho must be in (0, 2], got 3"),
        (["--rho", "1", "--beta", "1", "--mu", "0"], "mu must be > 0, got 0"),
        (["--rho", "1"], "--rho and --beta are required"),
    ],
)
def test_cli_bad_input_exits_2(capsys, argv, message):
    assert main(["theory", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_cli_map_writes_a_png(tmp_path, capsys):
    path = tmp_path / "map.png"
    assert main(["theory", "--map", str(path), "--rho", "1", "--beta", "1"]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_reads_decimals_exactly_and_says_so(capsys):
    assert main(["theory", "--rho", "1.3333", "--beta", "0.6667"]) == 0
    out = capsys.readouterr().out
    assert "rho = 4/3, beta = 2/3" in out and "beta = 0.6667 read as 2/3" in out
    assert main(["theory", "--rho", "1.3333", "--beta", "0.6667", "--no-snap", "--as", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["beta"] == "6667/10000" and data["exponent"] == "6667/13333" and data["notes"] == []


def test_cli_compare_prints_the_issue_example(capsys):
    argv = ["theory", "--compare", "--L0", "1", "--L1", "10", "--rho", "1", "--mu", "0.5", "--delta0", "5",
            "--eps", "1e-3"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "AN-GD derived (gsmooth), beta = 1" in out and "Karimi et al. 2016" in out
    assert "alpha not given" in out and "not evaluable: statement not read" in out
    assert main([*argv, "--as", "json", "--methods", "GD"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {row["key"] for row in rows} >= {"karimi2016-gd-pl", "li2023-gd"}
    assert all(row["applies"] is False for row in rows if row["key"].startswith("karimi"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--compare", "--L0", "1"], "--compare needs --eps"),
        (["--compare", "--eps", "1e-3", "--methods", "Adam"], "unknown method 'Adam'"),
        (["--pep", "--L0", "1", "--mu", "0.2"], "--pep needs --gamma"),
        (["--rho", "1", "--beta", "0.5.5"], "beta must be a number such as 2/3"),
    ],
)
def test_cli_compare_and_pep_bad_input_exit_2(capsys, argv, message):
    assert main(["theory", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
