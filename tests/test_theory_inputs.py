"""Bad input to the theory layer and `gsmooth theory`: refused up front, in one line."""

import importlib
import json
import sys

import pytest

from gsmooth.cli import main
from gsmooth.errors import GSmoothError
from gsmooth.theory import compare, pl_worst_case, regime_map_data
from gsmooth.theory.pep import PlWorstCase

compare_module = importlib.import_module("gsmooth.theory.compare")

COMPARE = ["theory", "--compare", "--eps", "1e-2", "--L0", "1", "--L1", "1"]
PEP = ["theory", "--pep", "--L0", "1", "--mu", "0.5", "--gamma", "1"]


def _one_error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gsmooth: error: ")
    return lines[0]


# 1. a PEPit worst case of 0 (mu = L, gamma = 1/L): the ratios are undefined, not a crash

def _zero_case() -> PlWorstCase:
    return PlWorstCase(L=1.0, mu=1.0, gamma=1.0, steps=1, pep=0.0, quadratic=0.0, derived=0.0,
                       karimi=0.0, tight=0.0)


def test_a_zero_worst_case_has_undefined_looseness():
    case = _zero_case()
    assert case.looseness == {"derived": None, "karimi": None, "tight": None}
    assert json.loads(json.dumps(case.as_dict()))["looseness"]["tight"] is None
    summary = case.summary()
    assert "ratio undefined" in summary and "every bound holds trivially" in summary


def test_a_zero_worst_case_prints_on_the_command_line(capsys):
    pytest.importorskip("PEPit")
    assert main(["theory", "--pep", "--L0", "1", "--mu", "1", "--gamma", "1", "--as", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pep"] == pytest.approx(0, abs=1e-9) and data["looseness"]["derived"] is None
    assert main(["theory", "--pep", "--L0", "1", "--mu", "1", "--gamma", "1"]) == 0
    assert "ratio undefined" in capsys.readouterr().out


# 2. every constant of --compare is checked by the derivation's rules, before any work

NEGATIVE = {"L0": ">= 0", "L1": ">= 0", "sigma": ">= 0", "mu": "> 0", "Delta0": "> 0", "gamma": "> 0",
            "tau2": "> 0", "M": "> 0", "tau1": "in [0, 1)", "rho": "in (0, 2]", "beta": "in [0, 1]",
            "alpha": "in [0, 1]"}


@pytest.mark.parametrize("option", list(NEGATIVE))
def test_compare_refuses_a_negative_constant(option, capsys):
    assert main([*COMPARE, f"--{option}", "-1"]) == 2
    assert _one_error_line(capsys) == f"gsmooth: error: {option} must be {NEGATIVE[option]}, got -1"


@pytest.mark.parametrize("option", ["L0", "mu", "Delta0", "rho", "beta", "alpha"])
def test_compare_and_the_derivation_share_each_rule(option, capsys):
    derive = ["theory", "--rho", "1", "--beta", "1", f"--{option}", "-1"]
    assert main(derive) == 2
    derived = _one_error_line(capsys)
    assert main([*COMPARE, f"--{option}", "-1"]) == 2
    assert _one_error_line(capsys) == derived


def test_compare_refuses_several_bad_constants_at_once_naming_the_first(capsys):
    argv = ["theory", "--compare", "--eps", "1e-2", "--L0", "-1", "--L1", "1", "--Delta0", "-5",
            "--tau1", "2", "--tau2", "1"]
    assert main(argv) == 2
    assert _one_error_line(capsys) == "gsmooth: error: L0 must be >= 0, got -1"
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("constants", "message"),
    [({"L0": 1, "L1": 1, "tau1": 1}, r"tau1 must be in \[0, 1\), got 1"),
     ({"L0": (-1, 2), "L1": 1}, "L0 must be >= 0, got -1"),
     ({"L0": 1, "L1": 1, "mu": (1, 2)}, None),
     ({"L0": (0, 1), "L1": 0}, "L0 and L1 must not both be 0"),
     ({"L0": 0, "L1": 0}, "L0 and L1 must not both be 0"),
     ({"L0": 1, "L1": 1, "Delta0": 0}, "Delta0 must be > 0, got 0")],
)
def test_compare_api_refuses_before_reading_the_catalog(constants, message, monkeypatch):
    if message is None:
        assert compare(constants, 1e-2, methods=["GD"]).rows
        return
    monkeypatch.setattr(compare_module, "catalog", lambda *args: pytest.fail("work done before the check"))
    with pytest.raises(ValueError, match=message):
        compare(constants, 1e-2)


@pytest.mark.parametrize(("constants", "point"), [([1, 2], None), ("L0=1", None), ({"L0": (0, 2)}, [1])])
def test_compare_refuses_what_is_not_a_mapping(constants, point):
    with pytest.raises(TypeError, match=r"must be a mapping of names to values, .* got (list|str)"):
        compare(constants, 1e-2, point=point)


# 3. --map checks the file's format before drawing

def test_map_refuses_an_unknown_suffix_before_drawing(tmp_path, monkeypatch, capsys):
    import gsmooth.plots.regimes

    monkeypatch.setattr(gsmooth.plots.regimes, "regime_map", lambda **kw: pytest.fail("drawn before the check"))
    assert main(["theory", "--map", str(tmp_path / "map.txt")]) == 2
    assert _one_error_line(capsys) == "gsmooth: error: format must be one of 'png', 'pdf', 'svg', got 'txt'"
    assert not list(tmp_path.iterdir())


# 4. PEPit (or what it needs) missing: say what to install

def _block_pepit(monkeypatch):
    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "PEPit":
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    for name in [name for name in sys.modules if name.split(".")[0] == "PEPit"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [Blocker(), *sys.meta_path])


@pytest.mark.parametrize("missing", ["finder", "PEPit", "PEPit.functions", "cvxpy"])
def test_missing_pepit_says_what_to_install(missing, monkeypatch, capsys):
    if missing == "finder":
        _block_pepit(monkeypatch)
    else:
        monkeypatch.setitem(sys.modules, missing, None)
    assert main(PEP) == 2
    assert _one_error_line(capsys).startswith(
        "gsmooth: error: PEPit is needed for numerical worst cases: pip install 'gsmooth[pep]'")


# 5. an unknown or unsuitable CVXPY solver

def test_unknown_solver_is_refused_naming_the_installed_ones():
    pytest.importorskip("PEPit")
    import cvxpy

    with pytest.raises(ValueError, match=r"solver must be None or one of the installed CVXPY solvers "
                                         rf"{cvxpy.installed_solvers()[0]!r}.*, got 'foo'$"):
        pl_worst_case(1, 0.5, 1, 1, solver="foo")
    with pytest.raises(ValueError, match="got 3"):
        pl_worst_case(1, 0.5, 1, 1, solver=3)


def test_a_solver_that_cannot_solve_the_sdp_is_one_line():
    pytest.importorskip("PEPit")
    import cvxpy

    lp_only = [name for name in ("OSQP", "HIGHS", "SCIPY") if name in cvxpy.installed_solvers()]
    if not lp_only:
        pytest.skip("no installed CVXPY solver without semidefinite support")
    with pytest.raises(GSmoothError, match=rf"^solver '{lp_only[0].lower()}' could not solve PEPit's problem"):
        pl_worst_case(1, 0.5, 1, 1, solver=lp_only[0].lower())


def test_solver_names_are_read_in_any_case():
    pytest.importorskip("PEPit")
    assert pl_worst_case(1, 0.2, 1, 1, solver="scs").pep == pytest.approx(0.683267, abs=1e-3)


# 6. the regime map's grid size

@pytest.mark.parametrize(("n", "message"), [(-1, "n must be a positive integer, got -1"),
                                            (0, "n must be a positive integer, got 0"),
                                            (2.5, "n must be a positive integer, got 2.5"),
                                            (True, "n must be a positive integer, got True"),
                                            (1, r"n must be an integer >= 2 \(grid points per axis\), got 1")])
def test_regime_map_refuses_a_bad_grid_size(n, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        regime_map_data(n=n)


def test_regime_map_checks_points_before_the_grid(monkeypatch):
    module = importlib.import_module("gsmooth.theory.regime_map")
    monkeypatch.setattr(module.np, "meshgrid", lambda *a: pytest.fail("grid built before the check"))
    with pytest.raises(ValueError, match=r"rho must be in \(0, 2\], got 5"):
        regime_map_data(n=3, points=[(5, 1)])
