"""The local pool: BLAS threads per worker (workers x threads <= cores) and no orphans.

A ``kill -9`` of ``gsmooth sweep`` must leave no worker and no resource tracker
behind: the test starts a sweep in its own session, kills the parent alone
(not its group), and then finds no process of that session alive.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gsmooth.sweep import open_executor
from gsmooth.sweep.worker import available_cores, blas_threads

LONG_SWEEP = """
[sweep]
steps = 20000
seeds = 2
record = 1000
[problems.power]
d = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
[optimizers.an_gd]
lr = [0.001, 0.002]
beta = 0.5
"""


def thread_counts(import_scipy=False):
    """In a worker: BLAS threads of every loaded BLAS library, and the OpenBLAS variable."""
    if import_scipy:
        import scipy.linalg  # noqa: F401  (loaded after the limit was set)
    from threadpoolctl import threadpool_info

    counts = sorted({info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"})
    return counts, os.environ["OPENBLAS_NUM_THREADS"]


@pytest.mark.parametrize(("workers", "threads_per_worker", "expected"), [
    (2, None, max(1, available_cores() // 2)),
    (1, None, available_cores()),
    (1, 1, 1),
])
def test_each_worker_limits_its_blas_threads(workers, threads_per_worker, expected):
    assert blas_threads(workers, threads_per_worker) == expected
    with open_executor("local", workers=workers, threads_per_worker=threads_per_worker) as pool:
        for import_scipy in (False, True):
            counts, variable = pool.submit(thread_counts, import_scipy).result(timeout=120)
            assert counts == [expected] and variable == str(expected)


def test_default_never_oversubscribes():
    cores = available_cores()
    for workers in range(1, 2 * cores + 1):
        assert workers * blas_threads(workers) <= max(cores, workers)


def session_members(session: int) -> dict[int, str]:
    """``{pid: command}`` of every live (not zombie) process in ``session``."""
    members = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, _ppid, _pgrp, sid = stat[stat.rindex(")") + 2:].split()[:4]
        if int(sid) == session and state != "Z":
            members[int(entry.name)] = command
    return members


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_kill_9_of_the_parent_leaves_no_worker_alive(tmp_path):
    spec = tmp_path / "long.toml"
    spec.write_text(LONG_SWEEP)
    out = tmp_path / "out"
    parent = subprocess.Popen(
        [sys.executable, "-m", "gsmooth", "sweep", str(spec), "--out", str(out), "--workers", "2",
         "--no-progress"], start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not (out / "index.jsonl").exists() or len(session_members(parent.pid)) < 4:
            assert parent.poll() is None and time.monotonic() < deadline, "sweep ended too early"
            time.sleep(0.1)
        before = session_members(parent.pid)
        assert sum("resource_tracker" in c for c in before.values()) == 1
        assert sum("spawn_main" in c for c in before.values()) >= 2
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while session_members(parent.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert session_members(parent.pid) == {}, f"alive after the kill: {session_members(parent.pid)}"
    finally:
        if session_members(parent.pid):
            os.killpg(parent.pid, signal.SIGKILL)
