"""gs.load: every kind of output gsmooth writes comes back as its result object, with to_pandas().

Each test writes one kind of output with the public API or the command line,
loads it, and checks that what came back equals what was written (arrays bit
for bit, estimates and verdicts value for value) and that the long-form
table has one row per record and run (or per point, check or entry).
"""

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import gsmooth as gs
from gsmooth import cli

pytest.importorskip("pandas")


def test_a_run_round_trips_bit_for_bit(tmp_path):
    res = gs.run(gs.problems.power(d=3), gs.optim.an_gd(0.05, beta=[0.0, 1.0]), 20, seeds=2,
                 capture=True)
    res.save(tmp_path / "run.npz")
    back = gs.load(tmp_path / "run.npz")
    for name in ("iters", "samples", "loss", "grad_norm", "status", "w"):
        np.testing.assert_array_equal(getattr(back, name), getattr(res, name))
    assert back.capture.keys() == res.capture.keys() and back.optimizer == res.optimizer
    table = back.to_pandas()
    assert len(table) == res.loss.size
    assert {"run", "record", "iteration", "loss", "gap", "seed", "status", "beta", "lr"} <= set(table)
    np.testing.assert_array_equal(table["loss"].to_numpy(), res.loss.reshape(-1))
    assert table.loc[table["run"] == 1, "beta"].unique().tolist() == [1.0]


def test_a_verify_report_round_trips(tmp_path):
    report = gs.verify("quadratic", beta="0", out=tmp_path, runs=3, progress=False)
    back = gs.load(tmp_path)
    assert type(back).__name__ == "VerifyReport"
    assert back.outcome == report.outcome and back.n_judged == report.n_judged
    checks = back.checks_to_pandas()
    assert len(checks) == len(report.checks) and set(checks["verdict"]) <= {"pass", "fail", "n/a", "info"}
    table = back.to_pandas()
    gaps = report.cases[0].curves["gap"]
    assert len(table) == gaps.size and table["case"].unique().tolist() == [report.cases[0].label]
    np.testing.assert_array_equal(table["gap"].to_numpy(), gaps.reshape(-1))


def test_an_estimate_report_round_trips(tmp_path):
    out = tmp_path / "est"
    assert cli.main(["estimate", "power", "--steps", "40", "--seeds", "3", "--resamples", "9",
                     "--out", str(out), "--export", "csv", "--no-progress"]) == 0
    back = gs.load(out)
    assert type(back).__name__ == "EstimateReport" and set(back.estimates) == {"smoothness", "pl"}
    saved = json.loads((out / "results.json").read_text())
    assert back.estimates["smoothness"].L1 == saved["smoothness"]["L1"]
    table = back.to_pandas()
    assert set(table["estimate"]) == {"smoothness", "pl"}
    assert (table["estimate"] == "pl").sum() == len(back.estimates["pl"].gap)
    assert (out / "results.csv").read_text().splitlines()[0].startswith("estimate,block,run")


def test_a_reproduction_round_trips_with_named_keys(tmp_path):
    rep = gs.reproduce("phase-retrieval", seeds=2, steps=5, problem_options={"m": 120, "d": 6},
                       out=tmp_path)
    with np.load(tmp_path / "curves.npz", allow_pickle=False) as data:
        assert "ian_sgd/metric" in data.files and not any(k.startswith("c0_") for k in data.files)
    back = gs.load(tmp_path / "results.json")
    for mine, theirs in zip(rep.curves, back.curves, strict=True):
        assert mine.key == theirs.key
        np.testing.assert_array_equal(mine.metric, theirs.metric)
    table = back.to_pandas()
    assert len(table) == sum(c.metric.size for c in rep.curves)
    assert set(table["method"]) == {c.key for c in rep.curves}


def test_a_sweep_round_trips(tmp_path):
    spec = gs.sweep.parse_spec("""
[sweep]
steps = 6
seeds = 2
record = 3
[problems.power]
d = 3
[optimizers.gd]
lr = [0.05, 0.1]
""")
    with ThreadPoolExecutor(1) as pool:
        gs.sweep.run_sweep(spec, tmp_path, executor=pool, progress=False)
    back = gs.load(tmp_path)
    assert type(back).__name__ == "SweepResults"
    table = back.to_pandas()
    assert len(table) == 2 * 2 * 3 and sorted(set(table["lr"])) == [0.05, 0.1]


def test_a_theory_result_round_trips_and_refuses_an_edited_file(tmp_path):
    assert cli.main(["theory", "--rho", "4/3", "--beta", "2/3", "--L0", "1", "--L1", "3",
                     "--out", str(tmp_path)]) == 0
    back = gs.load(tmp_path)
    assert back.bound.regime == "linear" and str(back.bound.exponent) == "1/2"
    assert back.to_pandas()["regime"].tolist() == ["linear"]
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["bound"]["log_factor"] is True and data["bound"]["values"]["exponent"] == 0.5
    data["bound"]["iterations"] = "1"
    (tmp_path / "results.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="not what the inputs derive"):
        gs.load(tmp_path)


def test_an_unsnapped_theory_result_loads_unsnapped(tmp_path):
    """Was: load derived again with snapping on and refused its own file."""
    assert cli.main(["theory", "--rho", "4/3", "--beta", "0.6667", "--no-snap", "--out", str(tmp_path)]) == 0
    back = gs.load(tmp_path)
    assert back.snap is False and str(back.bound.beta) == "6667/10000"
    assert str(back.bound.exponent) == "20001/40000"  # beta/rho, two-phase: 4/3 + 0.6667 > 2


def test_a_comparison_round_trips(tmp_path):
    argv = ["theory", "--compare", "--L0", "1", "--L1", "10", "--rho", "1", "--mu", "0.5",
            "--delta0", "5", "--eps", "1e-2,1e-3", "--out", str(tmp_path), "--export", "csv"]
    assert cli.main(argv) == 0
    back = gs.load(tmp_path)
    table = back.to_pandas()
    assert set(table["eps"]) == {0.01, 0.001} and len(table) == 2 * len(back.comparison.rows)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p / "missing", "nothing at"),
    (lambda p: p, "has no results.json"),
    (lambda p: (p / "results.json").write_text('{"kind": "mystery"}') and p, "has kind 'mystery'"),
    (lambda p: (p / "results.json").write_text("[1, 2]") and p, "not a gsmooth results file"),
])
def test_what_is_not_a_result_is_named(tmp_path, make, message):
    target = make(tmp_path)
    with pytest.raises((FileNotFoundError, ValueError), match=message):
        gs.load(target)


def test_an_npz_that_is_not_a_run_is_refused(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.ones(3))
    with pytest.raises(ValueError, match="not a run"):
        gs.load(tmp_path / "other.npz")
