"""Benchmark of gsmooth sweeps, measured side by side in one run.

1. BLAS threads: the phase-retrieval sweep of ``analysis/sweep_phase_retrieval.toml``
   (AN-GD and IAN-SGD, 16 and 12 runs per unit, shortened to ``BLAS_STEPS``
   steps) on the default local pool (one worker per core, each limited to
   ``cores // workers`` BLAS threads), against the same sweep with one BLAS
   thread per worker, and with ``cores`` threads per worker (what every worker
   ran before the limit: OpenBLAS's default).  The default must be within
   1.2x of the better of the first two.
2. Workers: the same 8-unit sweep on a local pool of 1 and of 2 worker
   processes, one BLAS thread each (wall time of ``run_sweep``, pool start-up
   included).
3. Grouping: a 64-seed grid of AN-SGD on a finite sum, run as one batched unit
   (64 runs in one engine call) versus 64 one-seed units (one task per seed),
   both on the same 2-worker pool, warmed up (workers started, gsmooth
   imported) before either is timed.

Every comparison runs its variants in interleaved rounds (A B C, A B C, ...)
and prints the minimum and the median over rounds, with the machine's load
average: on a shared machine the minimum is the fairer number.

Usage: ``python analysis/bench_sweep.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from gsmooth.sweep import Store, expand, open_executor, parse_spec, run_sweep
from gsmooth.sweep.execute import execute
from gsmooth.sweep.worker import available_cores, blas_threads

PHASE_RETRIEVAL = Path(__file__).with_name("sweep_phase_retrieval.toml")
BLAS_STEPS = 400
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
POOL_WORKERS = 2
WITHIN = 1.2


def time_sweep(spec, **options) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        report = run_sweep(spec, folder, executor="local", progress=False, **options)
        seconds = time.perf_counter() - start
    assert report.failed == 0, report.summary()
    return seconds


def time_units(units, pool) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        counts = execute(units, pool, Store(folder), progress=False)
        assert counts["failed"] == 0, counts
        return time.perf_counter() - start


def interleaved(variants: dict, rounds: int) -> dict[str, list[float]]:
    """Seconds of each variant (a callable) in ``rounds`` interleaved rounds."""
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            times[name].append(run())
    return times


def show(title: str, times: dict[str, list[float]]) -> None:
    print(title)
    for name, seconds in times.items():
        print(f"  {name:<40} min {min(seconds):7.2f} s   median {statistics.median(seconds):7.2f} s")


def blas_threads_comparison(rounds: int) -> None:
    cores = available_cores()
    spec = parse_spec(PHASE_RETRIEVAL.read_text().replace("steps = 2000", f"steps = {BLAS_STEPS}"))
    default = blas_threads(cores)
    times = interleaved({
        f"default ({cores} workers x {default} threads)": lambda: time_sweep(spec),
        f"1 thread per worker ({cores} x 1)": lambda: time_sweep(spec, threads_per_worker=1),
        f"no limit ({cores} x {cores}, as before)":
            lambda: time_sweep(spec, threads_per_worker=cores),
    }, rounds)
    n_units = len(expand(spec))
    show(f"BLAS threads: phase retrieval, {n_units} units x {BLAS_STEPS} steps, "
         f"{cores} workers", times)
    default_name, one_name, unlimited_name = times
    best = min(min(times[default_name]), min(times[one_name]))
    ratio = min(times[default_name]) / best
    verdict = "yes" if ratio <= WITHIN else "NO"
    print(f"  default / better of (default, 1 thread), by minimum: {ratio:.2f}x "
          f"(within {WITHIN}x: {verdict}); no limit / default: "
          f"{min(times[unlimited_name]) / min(times[default_name]):.2f}x")


def workers_comparison(rounds: int) -> None:
    spec = parse_spec(WORKERS_SPEC)
    times = interleaved({
        "1 worker": lambda: time_sweep(spec, workers=1, threads_per_worker=1),
        f"{POOL_WORKERS} workers": lambda: time_sweep(spec, workers=POOL_WORKERS,
                                                      threads_per_worker=1),
    }, rounds)
    show("workers: 8 units x 16 runs x 30000 steps, 1 BLAS thread each", times)
    one, two = (min(t) for t in times.values())
    print(f"  speed-up by minimum: {one / two:.2f}x")


def grouping_comparison(rounds: int) -> None:
    (batched,) = expand(parse_spec(SEEDS_SPEC))
    per_seed = [batched.subset({i}) for i in range(len(batched.runs))]
    with open_executor("local", workers=POOL_WORKERS, threads_per_worker=1) as pool:
        # Workers start on demand: units submitted together start every worker.
        time_units(per_seed[:2 * POOL_WORKERS], pool)
        times = interleaved({
            "one batched unit of 64 runs": lambda: time_units([batched], pool),
            "64 one-seed units": lambda: time_units(per_seed, pool),
        }, rounds)
    show("grouping: 64 seeds x 1000 steps", times)
    grouped, split = (min(t) for t in times.values())
    print(f"  batched is {split / grouped:.1f}x faster by minimum")


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--only", choices=("blas", "workers", "grouping"), default=None)
    args = parser.parse_args()
    from threadpoolctl import threadpool_info

    blas = sorted({f"{i['internal_api']} {i['version']}" for i in threadpool_info()
                   if i["user_api"] == "blas"})
    print(f"cores {available_cores()}, BLAS {', '.join(blas) or 'none loaded'}, "
          f"load average before {load()}, {args.rounds} rounds")
    jobs = {"blas": blas_threads_comparison, "workers": workers_comparison,
            "grouping": grouping_comparison}
    for name, job in jobs.items():
        if args.only in (None, name):
            job(args.rounds)
    print(f"load average after {load()}")


if __name__ == "__main__":
    main()
