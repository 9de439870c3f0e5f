"""``gsmooth estimate``: built-in and user problems, the report folder and redraw."""

import json
import textwrap

import pytest

import gsmooth as gs
from gsmooth.cli import main
from gsmooth.commands.estimate import load_problem

FAST = ["--steps", "60", "--seeds", "3", "--resamples", "4"]


def test_built_in_problem_writes_report_and_redraws(tmp_path, capsys):
    out = tmp_path / "power"
    assert main(["estimate", "power", "--lr", "0.01", *FAST, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("L0", "L1", "alpha", "rho", "mu"):
        assert f"\n{name} " in printed
    payload = json.loads((out / "results.json").read_text())
    assert payload["kind"] == "estimate" and payload["meta"]["steps"] == 60
    assert set(payload) >= {"smoothness", "pl"}
    paths = gs.estimate.redraw(out)
    assert {p.name for p in paths} == {"smoothness.png", "pl.png"}
    assert all(p.stat().st_size > 0 for p in paths)


def test_finite_sum_adds_noise_and_flags_tau1_above_one(tmp_path, capsys):
    with pytest.warns(gs.GSmoothWarning, match="tau1"):
        code = main(["estimate", "least_squares", "--optimizer", "sgd", "--lr", "0.05",
                     "--batch", "8", "--draws", "8", *FAST])
    assert code == 0
    printed = capsys.readouterr().out
    assert "tau1" in printed and "note: tau1" in printed


def write_user_file(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent("""
        import numpy as np
        import gsmooth as gs

        def quartic(x):
            return float(np.sum(x**4) / 4), x**3

        quartic_x0 = np.ones(3)
        quartic_f_star = 0.0
        pair = (quartic, np.ones(2), 0.0)
        problem = gs.problems.power(d=2)
        number = 3
    """))
    return path


def test_user_file_conventions(tmp_path):
    path = write_user_file(tmp_path)
    fn = load_problem(f"{path}:quartic")
    assert fn.dim == 3 and fn.f_star == 0.0 and fn.name == "quartic"
    assert load_problem(f"{path}:pair").dim == 2
    assert isinstance(load_problem(f"{path}:problem"), gs.problems.Power)
    with pytest.raises(ValueError, match="must be a Problem"):
        load_problem(f"{path}:number")
    with pytest.raises(ValueError, match="has no object named 'missing'"):
        load_problem(f"{path}:missing")


def test_user_function_end_to_end(tmp_path, capsys):
    path = write_user_file(tmp_path)
    assert main(["estimate", f"{path}:quartic", "--lr", "0.01", *FAST]) == 0
    assert "quartic" in capsys.readouterr().out


@pytest.mark.parametrize("spec", ["nonsense", "nofile.py:f"])
def test_bad_problem_is_one_line_error(spec, capsys):
    assert main(["estimate", spec]) == 2
    assert capsys.readouterr().err.startswith("gsmooth: error:")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["quadratic", "--optimizer", "gd", "--beta", "0.5"], "--beta 1/2: not used by --optimizer gd"),
        (["quadratic", "--batch", "8"], "--batch 8: not used by --optimizer an_gd, which takes full gradients"),
        (["quadratic", "--draws", "8"], "--draws 8: not used on quadratic, which is not a finite sum"),
        (["power", "--reference-steps", "10"], "--reference-steps 10: not used on power(p=4), which states its f*"),
        (["--pairs", "pairs.csv", "--steps", "10"], "--steps 10: not used with --pairs"),
    ],
)
def test_an_option_the_run_would_ignore_is_refused_before_any_work(argv, message, tmp_path, capsys):
    assert main(["estimate", *argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "r").exists()


def test_a_known_f_star_replaces_the_reference_run_and_removes_its_bias(tmp_path):
    """||w||^4 / 4 without a stated minimum: GD's reference run of 4 x 1000 steps still sits
    about 1/16 of the final gap above F* = 0 (a t^-2 decay), which biases rho up from 4/3 and
    mu down from 2; --f-star 0 gives both exactly."""
    path = tmp_path / "quartic.py"
    path.write_text("import numpy as np\n"
                    "def f(x):\n    r2 = float(x @ x)\n    return r2 * r2 / 4, r2 * x\n"
                    "f_x0 = np.array([1.0, 2.0])\n")
    argv = ["estimate", f"{path}:f", "--optimizer", "gd", "--lr", "0.01", "--steps", "1000",
            "--seeds", "3", "--resamples", "4"]
    pl = {}
    for name, extra in (("known", ["--f-star", "0"]), ("reference", [])):
        assert main([*argv, *extra, "--out", str(tmp_path / name)]) == 0
        pl[name] = gs.load(tmp_path / name).estimates["pl"]
    assert pl["known"].rho == pytest.approx(4 / 3, rel=1e-4) and pl["known"].mu == pytest.approx(2, rel=1e-3)
    assert pl["reference"].rho > 1.4 and pl["reference"].mu < 1.6
