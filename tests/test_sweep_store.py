"""The sweep store in one process: batching is exact, corruption and failures are
redone (a failure printed with its reason), diverged runs are kept as results, a
damaged index is set aside and rebuilt, a changed spec runs only what changed."""

import json
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.cli import main as cli_main
from gsmooth.sweep import Store, SweepReport, expand, export, parse_spec, redraw, run_sweep, to_table
from gsmooth.sweep import execute as execute_module
from gsmooth.sweep import run as run_module

SPEC = """
[sweep]
steps = 30
seeds = [0, 1]
record = 5
[problems.noisy]
problem = "finite_sum"
n = 40
base = { problem = "power", d = 3, p = 4 }
[problems.power]
d = 3
[optimizers.an_gd]
lr = [0.05, 0.1]
beta = [0.5, 1.0]
[optimizers.sgd]
lr = [0.02, 1e8]
batch = 4
problems = ["noisy"]
"""
PER_RUN = ("status", "converged_at", "w")
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")


def sweep(text, folder):
    with ThreadPoolExecutor(1) as pool:
        return run_sweep(parse_spec(text), folder, executor=pool, progress=False)


def stored(folder):
    """Map run key -> its stored arrays (one column per run)."""
    store = Store(folder)
    return {key: {name: values[column] if name in PER_RUN else values[:, column]
                  for name, values in store.arrays(unit).items()}
            for key, (unit, column) in store.done_runs().items()}


def test_batched_unit_equals_runs_alone(tmp_path):
    sweep(SPEC, tmp_path)
    unit = next(u for u in expand(parse_spec(SPEC))
                if u.method_label == "sgd" and u.problem_label == "noisy")
    results = stored(tmp_path)
    problem = gs.problems.finite_sum(gs.problems.power(d=3, p=4), n=40)
    for run, key in zip(unit.runs, unit.run_keys):
        alone = gs.run(problem, gs.optim.sgd(run.as_dict()["lr"], batch=4), 30,
                       seeds=[run.seed], record=5, progress=False)
        np.testing.assert_array_equal(results[key]["loss"], alone.loss[:, 0])
        np.testing.assert_array_equal(results[key]["samples"], alone.samples[:, 0])
        assert results[key]["status"] == alone.status[0]


def fail_on_power(monkeypatch):
    """Make every unit on the problem labelled power raise in its worker."""
    run_unit = execute_module.run_unit

    def flaky(payload):
        if payload["config"]["problem"]["name"] == "power":
            raise RuntimeError("worker lost")
        return run_unit(payload)

    monkeypatch.setattr(execute_module, "run_unit", flaky)


def test_diverged_runs_are_results_and_failures_are_retried(tmp_path, monkeypatch):
    with monkeypatch.context() as patch:
        fail_on_power(patch)
        first = sweep(SPEC, tmp_path)
    assert (first.done, first.failed, first.diverged) == (2, 1, 2)
    assert first.failures == ["power(d=3) / an_gd, 30 steps: RuntimeError: worker lost"]
    assert first.summary().splitlines()[1] == f"  failed: {first.failures[0]}"
    table = to_table(tmp_path)
    by_status = {s: set(table["lr"][table["status"] == s].tolist()) for s in set(table["status"])}
    assert by_status.get("diverged", set()) | by_status.get("nonfinite", set()) == {1e8}
    assert by_status["max_steps"] == {0.02, 0.05, 0.1}
    assert by_status["failed"] == {0.05, 0.1}
    failed_rows = table["status"] == "failed"
    assert set(table["problem"][failed_rows]) == {"power"}
    assert set(table["error"][failed_rows]) == {"RuntimeError: worker lost"}
    again = sweep(SPEC, tmp_path)
    assert (again.skipped, again.done, again.failed, again.failures) == (2, 1, 0, [])
    statuses = [e["status"] for e in Store(tmp_path).entries()]
    assert statuses.count("done") == 3 and statuses.count("failed") == 1
    assert "failed" not in set(to_table(tmp_path)["status"])


def test_summary_lists_ten_failures_then_counts(tmp_path):
    report = SweepReport(12, 12, 0, 0, 12, 0, str(tmp_path), [f"unit {i}: E" for i in range(12)])
    lines = report.summary().splitlines()
    assert len(lines) == 12 and lines[10] == "  failed: unit 9: E"
    assert lines[11].startswith("  ... and 2 more failed units")


def test_truncated_result_file_is_redone(tmp_path):
    sweep(SPEC, tmp_path)
    before = stored(tmp_path)
    victim = sorted((tmp_path / "units").glob("*.npz"))[0]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    assert len(stored(tmp_path)) == len(before) - 8
    report = sweep(SPEC, tmp_path)
    assert report.done == 1
    after = stored(tmp_path)
    assert after.keys() == before.keys()
    for key in before:
        for name in before[key]:
            np.testing.assert_array_equal(after[key][name], before[key][name])


def test_cut_index_line_and_orphaned_unit_are_recovered(tmp_path):
    sweep(SPEC, tmp_path)
    index = tmp_path / "index.jsonl"
    lines = index.read_text().splitlines()
    done = [line for line in lines if '"done"' in line]
    index.write_text("\n".join(line for line in lines if line != done[-1]) + "\n" + done[-1][:25])
    report = sweep(SPEC, tmp_path)
    assert report.done == 0 and report.skipped == 3
    entries = Store(tmp_path).entries()
    assert sum(e["unit"] == json.loads(done[-1])["unit"] for e in entries) == 1


def test_changed_spec_runs_only_what_changed(tmp_path):
    sweep(SPEC, tmp_path)
    before = stored(tmp_path)
    grown = SPEC.replace("lr = [0.05, 0.1]", "lr = [0.05, 0.1, 0.2]")
    report = sweep(grown, tmp_path)
    assert report.done == 2
    new_units = [json.loads(p.read_text()) for p in (tmp_path / "units").glob("*.json")]
    fresh = [u for u in new_units if all(r["lr"] == 0.2 for r in u["runs"])]
    assert len(fresh) == 2 and all(len(u["runs"]) == 4 for u in fresh)
    after = stored(tmp_path)
    assert set(before) < set(after)
    table = to_table(tmp_path)
    assert set(table["lr"][table["method"] == "an_gd"].tolist()) == {0.05, 0.1, 0.2}


def test_export_csv_and_redraw(tmp_path):
    sweep(SPEC, tmp_path)
    table = to_table(tmp_path)
    path = export(tmp_path, "csv")
    lines = path.read_text().splitlines()
    assert len(lines) == len(table["loss"]) + 1
    assert lines[0].split(",")[:3] == list(table)[:3]
    manifest = json.loads((tmp_path / "results.json").read_text())
    assert manifest["kind"] == "sweep"
    pictures = redraw(tmp_path)
    assert pictures and all(p.exists() and p.stat().st_size > 0 for p in pictures)


def test_parquet_needs_pyarrow_or_says_so(tmp_path):
    sweep(SPEC, tmp_path)
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(gs.GSmoothError, match="pip install pyarrow"):
            export(tmp_path, "parquet")
        assert not list(tmp_path.glob("*.parquet")) and not list(tmp_path.glob(".tmp-*"))
    else:
        assert export(tmp_path, "parquet").stat().st_size > 0


DAMAGE = {
    "bad bytes": b"\xff\xfe not text\n",
    "wrong shape": b"[1, 2, 3]\n",
    "missing keys": b'{"unit": "abc"}\n',
    "not JSON": b"{unit: done}\n",
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_index_is_set_aside_and_rebuilt_without_recomputing(tmp_path, damage):
    sweep(SPEC, tmp_path)
    before = stored(tmp_path)
    index = tmp_path / "index.jsonl"
    lines = index.read_bytes().splitlines(keepends=True)
    damaged = b"".join([lines[0], damage, *lines[1:]])
    index.write_bytes(damaged)
    with pytest.warns(gs.GSmoothWarning, match=r"index.jsonl is damaged \(line 2: .*set aside as "
                      r"index.jsonl.damaged-\d{8}T\d{6} and rebuilt .*\(3 intact units\)"):
        report = sweep(SPEC, tmp_path)
    assert (report.skipped, report.done, report.failed) == (3, 0, 0)
    (aside,) = tmp_path.glob("index.jsonl.damaged-*")
    assert aside.read_bytes() == damaged
    after = stored(tmp_path)
    assert after.keys() == before.keys()
    for key in before:
        np.testing.assert_array_equal(after[key]["loss"], before[key]["loss"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", gs.GSmoothWarning)
        assert sweep(SPEC, tmp_path).skipped == 3


def test_missing_index_beside_stored_units_is_rebuilt(tmp_path):
    sweep(SPEC, tmp_path)
    (tmp_path / "index.jsonl").unlink()
    with pytest.warns(gs.GSmoothWarning, match=r"damaged \(it is missing\); rebuilt"):
        report = sweep(SPEC, tmp_path)
    assert (report.skipped, report.done) == (3, 0)


def test_a_cut_last_line_is_dropped_without_a_warning(tmp_path):
    sweep(SPEC, tmp_path)
    index = tmp_path / "index.jsonl"
    whole = index.read_bytes()
    index.write_bytes(whole + b'{"runs": ["ab')
    with warnings.catch_warnings():
        warnings.simplefilter("error", gs.GSmoothWarning)
        Store(tmp_path)
    assert index.read_bytes() == whole


def test_cli_reports_a_damaged_index_in_one_warning_line(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    sweep(SPEC, out)
    with open(out / "index.jsonl", "ab") as handle:
        handle.write(b"[1, 2, 3]\n")
    done = subprocess.run([sys.executable, "-m", "gsmooth", "sweep", str(spec), "--out", str(out),
                           "--no-progress"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("gsmooth: warning: sweep index")
    assert "not an index entry: [1, 2, 3]" in done.stderr
    assert "3 already stored, 0 run now" in done.stdout


def test_cli_exits_1_and_prints_each_failed_unit_with_its_reason(tmp_path, monkeypatch, capsys):
    @contextmanager
    def threads(*args, **kwargs):
        with ThreadPoolExecutor(1) as pool:
            yield pool

    monkeypatch.setattr(run_module, "open_executor", threads)
    fail_on_power(monkeypatch)
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    assert cli_main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--no-progress"]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("sweep: 3 units") and "1 failed" in printed[0]
    assert printed[1] == "  failed: power(d=3) / an_gd, 30 steps: RuntimeError: worker lost"
