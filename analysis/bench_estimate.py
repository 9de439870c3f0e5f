"""Benchmark of ``gs.estimate.smoothness``: fit time against run time, before and after.

The case is the one a user brings first: their own function of ``d = 20``
variables given as a plain NumPy ``value_and_grad`` (one point at a time),
``F(x) = 1/2 sum_i c_i x_i^2 + ||x||^4 / 4`` with ``c`` from 0.5 to 5, four
runs of AN-GD (``lr = 0.05``, ``beta = 1``, 300 steps, the CLI's defaults)
from four seeded starts, recorded on the default geometric grid with
``capture=True``; then ``gs.estimate.smoothness(p, res)`` with its defaults
(199 resamples).  Both columns time exactly that call sequence; what the
defaults compute differs, and the table says what:

* **before** (the code at a given source tree, e.g. the starting commit
  extracted with ``git archive <commit> | tar -x -C DIR``): the run captures
  midpoint pairs, the fit is the directional (midpoint) envelope by
  ``linprog`` on each resample;
* **after** (this tree): the run also measures the Hessian norm at every
  record point (power iteration on Hessian-vector products, central
  differences for a user function), the fit is the Hessian envelope plus the
  directional one beside it, by the exact hull solver, over the distinct
  resamples only.

Rounds alternate between the two trees (each round starts one worker process
per tree; times are taken inside the worker, after a warm-up run and fit that
pay for imports), BLAS is pinned to one thread, and min and median over the
rounds are printed with the load.

Run: ``python analysis/bench_estimate.py --before DIR [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve()
ROOT = HERE.parents[1]
D, RUNS, STEPS, LR, SPREAD = 20, 4, 300, 0.05, 0.5
CURVATURES = np.geomspace(0.5, 5.0, D)


def value_and_grad(x):
    """``1/2 sum c_i x_i^2 + ||x||^4 / 4`` and its gradient at one point (d,)."""
    sq = float(x @ x)
    return 0.5 * float(CURVATURES @ (x * x)) + 0.25 * sq * sq, CURVATURES * x + sq * x


def starts():
    """Four seeded starts around ``x0 = 1``: run 0 at ``x0``, the others spread by 0.5 ||x0||."""
    x0 = np.ones(D)
    z = np.random.default_rng(0).standard_normal((RUNS, D)) / np.sqrt(D)
    z[0] = 0.0
    return x0 + SPREAD * np.linalg.norm(x0) * z


def worker() -> dict:
    """One round in this process: warm-up, then the run and the fit timed."""
    from threadpoolctl import threadpool_limits

    import gsmooth as gs

    with threadpool_limits(1):
        problem = gs.problems.from_function(value_and_grad, np.ones(D), f_star=0.0)
        opt = gs.optim.an_gd(LR, beta=1.0)
        run = lambda capture: gs.run(problem, opt, STEPS, w0=starts(), capture=capture,  # noqa: E731
                                     progress=False)
        gs.estimate.smoothness(problem, run(True), n_resamples=9)  # warm-up: imports, caches
        t0 = time.perf_counter()
        plain = run(False)
        t1 = time.perf_counter()
        res = run(True)
        t2 = time.perf_counter()
        est = gs.estimate.smoothness(problem, res)
        t3 = time.perf_counter()
    del plain
    source = getattr(est.data, "source", "?")
    return {"run_plain": t1 - t0, "run": t2 - t1, "fit": t3 - t2, "source": source,
            "L0": est.L0, "L1": est.L1, "alpha": est.alpha, "pairs": len(est.data)}


def one_round(tree: pathlib.Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree), OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, str(HERE), "--worker"], env=env, check=True,
                         capture_output=True, text=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def stats(values) -> str:
    return f"{min(values):8.3f} {float(np.median(values)):8.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=pathlib.Path, default=None,
                        help="source tree of the code to compare against (the starting commit)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker()))
        return
    trees = {"after": ROOT} if args.before is None else {"before": args.before, "after": ROOT}
    rounds = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            rounds[name].append(one_round(tree))
    print(f"d = {D} user function (single-point NumPy), {RUNS} runs of AN-GD, {STEPS} steps, "
          f"{args.rounds} interleaved rounds, 1 BLAS thread, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")
    print(f"{'':<8}{'source':<10}{'run plain s':>18}{'run capture s':>18}{'fit s':>18}"
          f"{'fit / run':>18}")
    print(f"{'':<18}{'min   median':>18}{'min   median':>18}{'min   median':>18}"
          f"{'min   median':>18}")
    for name, rs in rounds.items():
        ratio = [r["fit"] / r["run"] for r in rs]
        print(f"{name:<8}{rs[0]['source']:<10}{stats([r['run_plain'] for r in rs]):>18}"
              f"{stats([r['run'] for r in rs]):>18}{stats([r['fit'] for r in rs]):>18}"
              f"{stats(ratio):>18}")
    for name, rs in rounds.items():
        r = rs[-1]
        print(f"{name}: L0 = {r['L0']:.4g}, L1 = {r['L1']:.4g}, alpha = {r['alpha']:.4g} "
              f"from {r['pairs']} {r['source']} pairs")


if __name__ == "__main__":
    main()
