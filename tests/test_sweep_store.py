"""The sweep store in one process: batching is exact, corruption and failures are
redone, diverged runs are kept as results, a changed spec runs only what changed."""

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.sweep import Store, expand, export, parse_spec, redraw, run_sweep, to_table

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
problems = ["noisy", "power"]
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


def test_diverged_runs_are_results_and_failures_are_retried(tmp_path):
    first = sweep(SPEC, tmp_path)
    assert (first.done, first.failed, first.diverged) == (3, 1, 2)
    table = to_table(tmp_path)
    by_status = {s: set(table["lr"][table["status"] == s].tolist()) for s in set(table["status"])}
    assert by_status.get("diverged", set()) | by_status.get("nonfinite", set()) == {1e8}
    assert by_status["max_steps"] == {0.02, 0.05, 0.1}
    assert by_status["failed"] == {0.02, 1e8}
    failed_rows = table["status"] == "failed"
    assert set(table["problem"][failed_rows]) == {"power"}
    assert all("deterministic" in e for e in table["error"][failed_rows])
    again = sweep(SPEC, tmp_path)
    assert (again.skipped, again.done, again.failed) == (3, 0, 1)
    statuses = [e["status"] for e in Store(tmp_path).entries()]
    assert statuses.count("done") == 3 and statuses.count("failed") == 2


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
