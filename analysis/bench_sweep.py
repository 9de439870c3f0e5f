"""Benchmark of gsmooth sweeps, measured side by side in one run.

1. Workers: the same 8-unit sweep on a local spawn pool of 1 and of 2 worker
   processes (wall time of ``run_sweep``, pool start-up included).
2. Grouping: a 64-seed grid of AN-SGD on a finite sum, run as one batched unit
   (64 runs in one engine call) versus 64 one-seed units (one task per seed),
   both on the same 2-worker pool, each worker warmed up (started, gsmooth
   imported) before either is timed.

Every worker runs with one BLAS/OpenMP thread (set in the environment the
spawned workers inherit), so 1 and 2 workers compare processes, not thread
pools competing for the same cores.

Usage: ``python analysis/bench_sweep.py``.  Prints seconds and ratios.
"""

from __future__ import annotations

import os
import tempfile
import time

from gsmooth.sweep import Store, expand, open_executor, parse_spec, run_sweep
from gsmooth.sweep.execute import execute

WORKERS_SPEC = """
[sweep]
steps = 30000
seeds = 4
record = 1000
[problems.power]
d = [10, 11, 12, 13, 14, 15, 16, 17]
[optimizers.an_gd]
lr = [0.001, 0.002]
beta = [0.5, 1.0]
"""
SEEDS_SPEC = """
[sweep]
steps = 1000
seeds = 64
record = 50
[problems.noisy]
problem = "finite_sum"
n = 2000
base = { problem = "power", d = 20, p = 4 }
[optimizers.an_sgd]
lr = 0.002
beta = 0.5
batch = 16
"""
WORKER_THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
POOL_WORKERS = 2


def time_sweep(spec, workers: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run_sweep(spec, folder, executor="local", workers=workers, progress=False)
        return time.perf_counter() - start


def time_units(units, pool) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        counts = execute(units, pool, Store(folder), progress=False)
        assert counts["failed"] == 0, counts
        return time.perf_counter() - start


def main() -> None:
    os.environ.update(WORKER_THREADS)
    spec = parse_spec(WORKERS_SPEC)
    one, two = time_sweep(spec, 1), time_sweep(spec, 2)
    print(f"workers: 8 units x 16 runs x 30000 steps: 1 worker {one:.2f} s, "
          f"2 workers {two:.2f} s, speed-up {one / two:.2f}x")

    (batched,) = expand(parse_spec(SEEDS_SPEC))
    per_seed = [batched.subset({i}) for i in range(len(batched.runs))]
    with open_executor("local", workers=POOL_WORKERS) as pool:
        # Workers start on demand: units submitted together start every worker.
        time_units(per_seed[:2 * POOL_WORKERS], pool)
        grouped, split = time_units([batched], pool), time_units(per_seed, pool)
    print(f"grouping: 64 seeds x 1000 steps: one batched unit {grouped:.2f} s, "
          f"64 one-seed units {split:.2f} s, batched is {split / grouped:.1f}x faster")


if __name__ == "__main__":
    main()
