"""A result's files replace the old ones together, or not at all: a failure or an interrupt while
a report is written leaves the folder as it was; reading a damaged or foreign folder says so in
one line and creates nothing in it."""

from __future__ import annotations

import pytest

import gsmooth as gs
from gsmooth._io import RESULTS, staged_folder, write_text_atomic
from gsmooth.cli import main
from gsmooth.errors import GSmoothError


def snapshot(folder) -> dict:
    """Every file of ``folder`` (hidden ones included) and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()} | \
        {p.name: "folder" for p in folder.iterdir() if p.is_dir()}


@pytest.mark.parametrize("error", [RuntimeError("a figure failed"), KeyboardInterrupt()])
def test_a_failed_or_interrupted_stage_changes_nothing(tmp_path, error):
    write_text_atomic(tmp_path / RESULTS, "old")
    before = snapshot(tmp_path)
    with pytest.raises(type(error)), staged_folder(tmp_path) as stage:
        write_text_atomic(stage / RESULTS, "new")
        write_text_atomic(stage / "figure.png", "new")
        raise error
    assert snapshot(tmp_path) == before


def test_a_stage_moves_every_file_in_and_nests(tmp_path):
    with staged_folder(tmp_path / "a" / "b") as outer:
        with staged_folder(outer) as inner:
            write_text_atomic(inner / RESULTS, "new")
        write_text_atomic(outer / "table.csv", "t")
    written = snapshot(tmp_path / "a" / "b")
    assert {name: written[name] for name in (RESULTS, "table.csv")} == {RESULTS: b"new", "table.csv": b"t"}
    assert sorted(written) == [".gsmooth-files.json", RESULTS, "table.csv"]


def test_a_folder_the_stage_made_is_removed_on_failure(tmp_path):
    with pytest.raises(ValueError), staged_folder(tmp_path / "new" / "out"):
        raise ValueError("bad input found inside")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_in_the_way_of_a_file_is_refused_before_anything_moves(tmp_path):
    write_text_atomic(tmp_path / RESULTS, "old")
    (tmp_path / "pl.png").mkdir()
    refused = pytest.raises(GSmoothError, match="pl.png is a folder where the result writes a file")
    with refused, staged_folder(tmp_path) as stage:
        write_text_atomic(stage / RESULTS, "new")
        write_text_atomic(stage / "pl.png", "new")
    assert (tmp_path / RESULTS).read_text() == "old"


def test_estimate_into_an_old_report_with_a_blocked_figure_keeps_the_old_report(tmp_path, capsys):
    out = tmp_path / "est"
    argv = ["estimate", "quadratic", "--steps", "20", "--seeds", "2", "--resamples", "10",
            "--no-progress", "--out", str(out)]
    assert main(argv) == 0
    (out / "pl.png").unlink()
    (out / "pl.png").mkdir()
    before = snapshot(out)
    capsys.readouterr()
    assert main([*argv[:3], "30", *argv[4:]]) == 2
    assert "pl.png is a folder where the result writes a file" in capsys.readouterr().err
    assert snapshot(out) == before


@pytest.mark.parametrize("error", [RuntimeError("drawing failed"), KeyboardInterrupt()])
def test_verify_whose_figures_fail_leaves_the_old_report_whole(tmp_path, monkeypatch, error):
    out = tmp_path / "v"
    options = {"beta": "1", "runs": 2, "eps_grid": [1e-2, 1e-3], "progress": False}
    gs.verify("quadratic", out=out, **options)
    before = snapshot(out)
    from gsmooth.verification import report

    def draw_then_fail(results, curves, path):
        write_text_atomic(path, "half-drawn")
        raise error

    monkeypatch.setattr(report, "FIGURES", [("decay", draw_then_fail)])
    with pytest.raises(type(error)):
        gs.verify("quadratic", out=out, **options)
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ('{"kind": "verify"}', "is not a complete verify result (KeyError: 'cases')"),
        ('{"kind": "verify", "cases": [{}]}', "is not a complete verify result (KeyError: 'label')"),
        ('{"kind": "estimate"}', "holds a 'estimate' result with nothing to draw"),
        ('{"kind": "estimate", "smoothness": {}}', "is not a complete estimate result"),
        ('{"kind": "reproduce"}', "curves.npz is missing: the folder is incomplete"),
        ('{"kind": "sweep"}', "no sweep in"),
    ],
)
def test_plot_of_a_malformed_result_is_one_line_and_creates_nothing(tmp_path, capsys, results, message):
    write_text_atomic(tmp_path / RESULTS, results)
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert [p.name for p in tmp_path.iterdir()] == [RESULTS]


def test_a_damaged_npz_is_named_as_damaged_not_as_pickled(tmp_path):
    from gsmooth._io import read_npz

    write_text_atomic(tmp_path / "curves.npz", "not arrays")
    with pytest.raises(GSmoothError, match=r"curves.npz is not a .npz file of arrays written by gsmooth"):
        gs.RunResult.load(tmp_path / "curves.npz")
    with pytest.raises(GSmoothError, match="is missing"):
        read_npz(tmp_path / "other.npz")


def test_reading_a_folder_that_holds_no_sweep_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError, match="spec.toml is missing"):
        gs.sweep.to_table(tmp_path / "none")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["estimate", "verify"])
def test_a_folder_holding_another_commands_result_is_refused_before_any_work(tmp_path, capsys, command):
    write_text_atomic(tmp_path / RESULTS, '{"kind": "sweep"}')
    before = snapshot(tmp_path)
    argv = {"estimate": ["estimate", "quadratic", "--steps", "20"], "verify": ["verify", "quadratic"]}[command]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"holds a sweep result, which a {command} result would replace; choose another folder" in err
    assert snapshot(tmp_path) == before
    with pytest.raises(GSmoothError, match="holds a sweep result, which a verify result would replace"):
        gs.verify("quadratic", out=tmp_path, progress=False)


def test_a_new_result_removes_the_old_results_files_it_does_not_write_and_keeps_the_users(tmp_path):
    with staged_folder(tmp_path) as stage:
        for name in (RESULTS, "rate-comparison-quadratic.png", "decay.png"):
            write_text_atomic(stage / name, "old")
    write_text_atomic(tmp_path / "my-notes.txt", "mine")
    with staged_folder(tmp_path) as stage:
        for name in (RESULTS, "rate-comparison-power.png", "decay.png"):
            write_text_atomic(stage / name, "new")
    files = snapshot(tmp_path)
    assert sorted(files) == [".gsmooth-files.json", "decay.png", "my-notes.txt", "rate-comparison-power.png",
                             RESULTS]
    assert files["decay.png"] == b"new" and files["my-notes.txt"] == b"mine"
