"""A sweep killed hard resumes exactly; a local pool and dask give identical stores."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from gsmooth.sweep import Store, expand, parse_spec, run_sweep

N_UNITS = 30
MANY_UNITS = f"""
[sweep]
steps = 500
seeds = 2
record = 50
[problems.power]
d = {list(range(3, 3 + N_UNITS))}
[optimizers.an_gd]
lr = [0.001, 0.002]
beta = 0.5
"""
SMALL = """
[sweep]
steps = 40
seeds = [3, 4]
[problems.noisy]
problem = "finite_sum"
n = 30
base = { problem = "cosh", d = 3 }
[optimizers.sgd]
lr = [0.05, 0.1]
batch = [2, 5]
[optimizers.ian_sgd]
lr = 0.05
beta = [0.5, 1.0]
batch = 3
batch2 = 2
"""


def done_lines(folder):
    return [e for e in Store(folder).entries() if e["status"] == "done"]


def assert_same_store(a, b):
    units_a = {e["unit"] for e in done_lines(a)}
    assert units_a == {e["unit"] for e in done_lines(b)}
    for unit in units_a:
        arrays_a, arrays_b = Store(a).arrays(unit), Store(b).arrays(unit)
        assert arrays_a.keys() == arrays_b.keys()
        for name in arrays_a:
            np.testing.assert_array_equal(arrays_a[name], arrays_b[name])


def dask_executor():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    return cluster, distributed.Client(cluster)


def test_sigkill_then_rerun_gives_every_unit_once_and_the_same_results(tmp_path):
    spec_path = tmp_path / "many.toml"
    spec_path.write_text(MANY_UNITS)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "gsmooth.cli", "sweep", str(spec_path), "--out", str(out),
               "--workers", "1", "--no-progress"]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(done_lines(out) if (out / "index.jsonl").exists() else []) < 3:
        assert process.poll() is None and time.monotonic() < deadline, "sweep ended too early"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    at_kill = len(done_lines(out))
    assert 3 <= at_kill < N_UNITS
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{N_UNITS} units" in rerun.stdout
    units = [e["unit"] for e in done_lines(out)]
    assert sorted(units) == sorted(u.key for u in expand(parse_spec(MANY_UNITS)))
    assert len(units) == len(set(units)) == N_UNITS
    reference = tmp_path / "uninterrupted"
    cluster, client = dask_executor()
    with cluster, client:
        run_sweep(parse_spec(MANY_UNITS), reference, executor=client.get_executor(),
                  progress=False)
    assert_same_store(out, reference)
    manifest = json.loads((out / "results.json").read_text())
    report = manifest["report"]
    assert report["skipped"] >= at_kill and report["skipped"] + report["done"] == N_UNITS


def test_local_pool_and_dask_store_identical_results(tmp_path):
    pytest.importorskip("dask.distributed")
    spec = parse_spec(SMALL)
    local = run_sweep(spec, tmp_path / "local", executor="local", workers=1, progress=False)
    remote = run_sweep(spec, tmp_path / "dask", executor="dask", workers=1, progress=False)
    assert local.done == remote.done == len(expand(spec)) == 3
    assert_same_store(tmp_path / "local", tmp_path / "dask")


def test_a_sweep_that_cannot_start_leaves_the_folder_readable_under_its_old_spec(tmp_path):
    """A changed spec whose executor does not open (no dask scheduler at the address) raises
    before any unit, and the folder's spec.toml is still the one its results were run for."""
    from concurrent.futures import ThreadPoolExecutor

    from gsmooth.errors import GSmoothError
    from gsmooth.sweep import to_table

    with ThreadPoolExecutor(1) as pool:
        run_sweep(parse_spec(SMALL), tmp_path, executor=pool, progress=False)
    spec_before = (tmp_path / "spec.toml").read_bytes()
    rows = len(to_table(tmp_path)["loss"])
    with pytest.raises(GSmoothError, match="no dask scheduler answered"):
        run_sweep(parse_spec(SMALL.replace("steps = 40", "steps = 50")), tmp_path, executor="dask",
                  scheduler="tcp://127.0.0.1:1", connect_timeout=0.5, progress=False)
    assert (tmp_path / "spec.toml").read_bytes() == spec_before
    assert len(to_table(tmp_path)["loss"]) == rows
