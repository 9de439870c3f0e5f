"""Benchmark: the paper's reproductions at equal work, gsmooth against the released script's loop.

* ``gs.reproduce("phase-retrieval", seeds=20)``: seven methods batched over 20
  seeds in one lockstep loop, the objective recorded every step (what the
  reproduction reports), without and with ``overlap`` (which uses a second
  thread); against a plain loop in the released script's shape (per method,
  per seed, host NumPy, the released update written out) recording the same
  objective at every step.  ``bench_engine.py`` part 3 times the same
  experiment recording the gradient norm too, on both sides, as the released
  script does.
* ``--experiment dro``: ``gs.reproduce("dro", seeds=8)``, the time per seed.

Both sides start from the same warm start, take the same number of steps and
alternate over ``--rounds`` interleaved rounds after a warm-up; min and median
are printed, with the median final objective of each method on both sides
(they agree in distribution, not run by run: the streams differ).  Both run
under the same BLAS thread limit (``--blas-threads``, default 1, through
threadpoolctl): on a small shared machine, multi-threaded OpenBLAS on these
small products spends its time waiting.

Run ``python analysis/bench_reproduce.py [--experiment dro] [--seeds 20] [--rounds 3] [--data CSV]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import gsmooth as gs
from gsmooth.reproduction.experiments import phase_retrieval


def released_loop(a, y, w0, setting, steps, rng, grad_norm=True):
    """One run of one method as the released script runs it; returns the objective and
    (with ``grad_norm``) full-gradient-norm traces.

    The gradient is the released one, ``A^T (s (s^2 - y)) / B`` (half the
    exact gradient), and the step is ``gamma v / max(A ||u|| + o, c)^beta``.
    """
    m = a.shape[0]
    w, mom, v, w_prev = w0.copy(), np.zeros_like(w0), None, None
    objective, gradient_norm = [], []

    def grad(w, rows):
        s = a[rows] @ w
        return a[rows].T @ (s * (s * s - y[rows])) / len(rows)

    for t in range(steps + 1):
        s = a @ w
        objective.append(0.5 * np.mean((y - s * s) ** 2))
        if grad_norm:
            gradient_norm.append(np.linalg.norm(a.T @ (s * (s * s - y)) / m))
        if t == steps:
            break
        if setting.family == "spider":
            if t % setting.period == 0:
                v = grad(w, np.arange(m))
            else:
                rows = rng.integers(0, m, setting.batch)
                v = v + grad(w, rows) - grad(w_prev, rows)
            direction = v
        else:
            direction = grad(w, rng.integers(0, m, setting.batch))
        if setting.family == "nsgd_momentum":
            mom = setting.momentum * mom + (1 - setting.momentum) * direction
            direction = mom
        normalizer = direction
        if setting.family == "ian_sgd":
            normalizer = grad(w, rng.integers(0, m, setting.batch2))
        scale = setting.A * np.linalg.norm(normalizer) + setting.offset
        w_prev, w = w, w - setting.gamma * direction / max(scale, setting.threshold) ** setting.beta
    return objective, gradient_norm


def plain(seeds, steps, grad_norm=True):
    """Every method and seed in the released script's loop; final loss per method."""
    problem = phase_retrieval.make_problem()
    start = phase_retrieval.EXPERIMENT.warm_start.point(problem, 2.0)
    a, y = problem._host_data["a"], problem._host_data["y"]
    finals = {}
    for setting in phase_retrieval.METHODS:
        finals[setting.key] = [
            released_loop(a, y, start, setting, steps, np.random.default_rng(seed), grad_norm)[0][-1]
            for seed in range(seeds)
        ]
    return finals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="phase-retrieval", choices=["phase-retrieval", "dro"])
    parser.add_argument("--seeds", type=int, default=None, help="default 20 (phase retrieval), 8 (DRO)")
    parser.add_argument("--steps", type=int, default=None, help="default: the paper's")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", default=None, help="DRO: the WHO life-expectancy CSV")
    parser.add_argument("--device", default="numpy", choices=["numpy", "cupy"])
    parser.add_argument("--blas-threads", type=int, default=1)
    args = parser.parse_args(argv)
    with threadpool_limits(limits=args.blas_threads, user_api="blas"):
        if args.experiment == "dro":
            return measure_dro(args)
        return measure(args)


def interleaved(sides, rounds):
    """Seconds and last result of every side over interleaved rounds (after one warm-up each)."""
    for warm_up in sides.values():
        warm_up(2, 5)
    seconds, results = {name: [] for name in sides}, {}
    for _ in range(rounds):
        for name, fn in sides.items():
            start = time.perf_counter()
            results[name] = fn()
            seconds[name].append(time.perf_counter() - start)
    return seconds, results


def spread(times):
    return f"min {min(times):.2f} s, median {np.median(times):.2f} s"


def measure(args):
    """Time both sides of the phase-retrieval reproduction and print the comparison."""
    seeds = 20 if args.seeds is None else args.seeds
    steps = phase_retrieval.EXPERIMENT.steps if args.steps is None else args.steps

    def reproduce(overlap):
        return lambda s=seeds, t=steps: gs.reproduce("phase-retrieval", seeds=s, steps=t,
                                                     device=args.device, overlap=overlap,
                                                     progress=False)

    sides = {"gs.reproduce": reproduce(False), "gs.reproduce, overlap (2 threads)": reproduce(True),
             "released loop": lambda s=seeds, t=steps: plain(s, t, grad_norm=False)}
    seconds, results = interleaved(sides, args.rounds)
    print(f"phase retrieval, 7 methods x {seeds} seeds x {steps} steps, the objective every "
          f"step on both sides; gsmooth on {args.device}, released loop on NumPy, "
          f"{args.blas_threads} BLAS thread(s), {args.rounds} interleaved rounds")
    released = seconds.pop("released loop")
    print(f"released loop {spread(released)}")
    for name, t in seconds.items():
        print(f"{name} {spread(t)}: released / gsmooth {np.median(released) / np.median(t):.2f}x "
              f"(medians), {min(released) / min(t):.2f}x (minima)")
    rep, finals = results["gs.reproduce"], results["released loop"]
    print(f"{'method':<24} {'median final (gsmooth)':>24} {'median final (plain)':>22}")
    for curves in rep.curves:
        print(f"{curves.label:<24} {np.median(curves.metric[-1]):>24.4g} "
              f"{np.median(finals[curves.key]):>22.4g}")
    return 0


def measure_dro(args):
    """Time ``gs.reproduce("dro")`` and print the time per seed."""
    seeds = 8 if args.seeds is None else args.seeds

    def reproduce(s=seeds, t=args.steps):
        return gs.reproduce("dro", seeds=s, steps=t, data=args.data, device=args.device,
                            progress=False)

    seconds, results = interleaved({"dro": reproduce}, args.rounds)
    rep = results["dro"]
    per_seed = [t / seeds for t in seconds["dro"]]
    print(f"DRO ({rep.info['problem']['name']}), 7 methods x {seeds} seeds x "
          f"{rep.curves[0].iters[-1, 0]} steps, objective and Psi every step, "
          f"{args.blas_threads} BLAS thread(s), {args.rounds} rounds: {spread(seconds['dro'])}; "
          f"per seed min {min(per_seed):.3f} s, median {np.median(per_seed):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
