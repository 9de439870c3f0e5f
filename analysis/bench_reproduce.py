"""Benchmark: the paper's phase-retrieval reproduction against the released script's loop.

Side by side in one run:

* ``gs.reproduce("phase-retrieval", seeds=20)``: seven methods batched over
  20 seeds in one lockstep loop, the objective recorded every step (the
  reproduction needs no full gradient norm), without and with ``overlap``;
* a plain loop in the released script's shape: per method, per seed, host
  NumPy, the released update written out, and the full objective and full
  gradient evaluated at every step as the released script does.

Both start from the same warm start and take the same number of steps; the
script prints both times, their ratio, and the median final loss of each
method under both (they agree in distribution, not run by run: the streams
differ).

Both sides run under the same BLAS thread limit (``--blas-threads``, default 1,
through threadpoolctl): on a small shared machine, multi-threaded OpenBLAS on
these small products spends its time waiting (measured: 100 s instead of 5 s
for the batched side with 2 threads on 2 busy cores).

Run ``python analysis/bench_reproduce.py [--seeds 20] [--device cupy] [--blas-threads N]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import gsmooth as gs
from gsmooth.reproduction.experiments import phase_retrieval


def released_loop(a, y, w0, setting, steps, rng):
    """One run of one method as the released script runs it; returns the objective and
    full-gradient-norm traces.

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


def plain(seeds, steps):
    """Every method and seed in the released script's loop; final loss per method."""
    problem = phase_retrieval.make_problem()
    start = phase_retrieval.EXPERIMENT.warm_start.point(problem, 2.0)
    a, y = problem._host_data["a"], problem._host_data["y"]
    finals = {}
    for setting in phase_retrieval.METHODS:
        finals[setting.key] = [
            released_loop(a, y, start, setting, steps, np.random.default_rng(seed))[0][-1]
            for seed in range(seeds)
        ]
    return finals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=phase_retrieval.EXPERIMENT.steps)
    parser.add_argument("--device", default="numpy", choices=["numpy", "cupy"])
    parser.add_argument("--blas-threads", type=int, default=1)
    args = parser.parse_args(argv)
    with threadpool_limits(limits=args.blas_threads, user_api="blas"):
        return measure(args)


def measure(args):
    """Time both sides and print the comparison."""
    gs.reproduce("phase-retrieval", seeds=2, steps=5, device=args.device, progress=False)
    reproductions, seconds = {}, {}
    for overlap in (False, True):
        start = time.perf_counter()
        reproductions[overlap] = gs.reproduce("phase-retrieval", seeds=args.seeds,
                                              steps=args.steps, device=args.device,
                                              overlap=overlap, progress=False)
        seconds[overlap] = time.perf_counter() - start

    start = time.perf_counter()
    finals = plain(args.seeds, args.steps)
    t_plain = time.perf_counter() - start

    rep = reproductions[False]
    print(f"phase retrieval, {len(rep.curves)} methods x {args.seeds} seeds x {args.steps} steps,"
          f" objective every step; gsmooth on {args.device}, plain loop on NumPy, "
          f"{args.blas_threads} BLAS thread(s)")
    for overlap, t in seconds.items():
        print(f"gs.reproduce(overlap={overlap}) {t:.2f} s, plain loop {t_plain:.2f} s, "
              f"ratio {t_plain / t:.1f}x")
    print(f"{'method':<24} {'median final (gsmooth)':>24} {'median final (plain)':>22}")
    for curves in rep.curves:
        print(f"{curves.label:<24} {np.median(curves.metric[-1]):>24.4g} "
              f"{np.median(finals[curves.key]):>22.4g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
