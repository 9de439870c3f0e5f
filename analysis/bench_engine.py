"""Benchmark of the batched run engine, ratios measured side by side in one run.

1. Phase retrieval (m = 30000, d = 1000), 200 steps of AN-GD: one batched run
   of 64 seeds against single runs in a loop; per-run speedup (the single-run
   time per run is measured on ``--single-runs`` runs).
2. Engine overhead against a bare NumPy loop doing the same gradient steps on
   the same batch (both record the objective at the start and the end only).
3. The paper's phase-retrieval stochastic experiment (6 methods, 501 steps,
   objective recorded every step, 20 seeds) against a plain per-run,
   per-method NumPy loop that evaluates the full objective every step.

Run ``python analysis/bench_engine.py [--quick] [--device cupy]``.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

import gsmooth as gs
from gsmooth import _backend

PAPER_METHODS = {
    "sgd": lambda: gs.optim.sgd(5e-5 / 2, 64),
    "nsgd": lambda: gs.optim.nsgd(0.2, 64),
    "nsgd_momentum": lambda: gs.optim.nsgd_momentum(0.2, 0.2, 64),
    "clipped_sgd": lambda: gs.optim.clipped_sgd(0.6 / 4050, 4050, 64, offset=30),
    "spider": lambda: gs.optim.spider(0.3, 64, period=20),
    "ian_sgd": lambda: gs.optim.ian_sgd(
        0.3 / 4050 ** (2 / 3), 2 / 3, 64, 4, A=2, delta=30, Gamma=1 / 4050),
}


def timed(xp, fn):
    """Seconds of ``fn()`` with the device synchronized at both ends."""
    out = {}
    with _backend.timed(xp, out):
        fn()
    return out["seconds"]


def batched_vs_single(m, d, k, singles, steps, device):
    problem = gs.problems.phase_retrieval(m=m, d=d, seed=0)
    opt = gs.optim.an_gd(1e-3, beta=2 / 3)
    xp = _backend.namespace_for(device)
    run = lambda seeds: gs.run(problem, opt, steps, seeds=seeds, device=device, progress=False)  # noqa: E731
    run([0])
    batched = timed(xp, lambda: run(k)) / k
    single = timed(xp, lambda: [run([s]) for s in range(singles)]) / singles
    return single, batched


def bare_loop(problem, w, lr, beta, steps, xp):
    """AN-GD on phase retrieval in plain array code, objective at start and end."""
    a = xp.asarray(problem._host_data["a"], dtype=w.dtype)
    y = xp.asarray(problem._host_data["y"], dtype=w.dtype)
    m = a.shape[0]

    def objective(w):
        r = (w @ a.T) ** 2 - y
        return 0.5 * xp.mean(r * r, axis=1)

    losses = [objective(w)]
    for _ in range(steps):
        s = w @ a.T
        g = (2.0 / m) * ((s * (s * s - y)) @ a)
        norm = xp.linalg.vector_norm(g, axis=1, keepdims=True)
        w = w - lr * g / norm**beta
    losses.append(objective(w))
    return w, losses


def engine_overhead(m, d, k, steps, device):
    problem = gs.problems.phase_retrieval(m=m, d=d, seed=0)
    xp = _backend.namespace_for(device)
    w0 = xp.asarray(np.broadcast_to(problem.start, (k, d)).copy())
    opt = gs.optim.an_gd(1e-3, beta=2 / 3)
    engine = lambda: gs.run(problem, opt, steps, seeds=k, w0=w0, record=[0], progress=False)  # noqa: E731
    bare = lambda: bare_loop(problem, w0, 1e-3, 2 / 3, steps, xp)  # noqa: E731
    engine(), bare()
    t_engine = min(timed(xp, engine) for _ in range(3))
    t_bare = min(timed(xp, bare) for _ in range(3))
    w_engine = engine().w
    np.testing.assert_allclose(w_engine, _backend.to_host(bare()[0]), rtol=1e-9)
    return t_engine, t_bare


def plain_paper_loop(problem, name, seed, steps, w0):
    """One run of one method the released way: host NumPy, full objective every step."""
    a, y = problem._host_data["a"], problem._host_data["y"]
    m = a.shape[0]
    rng = np.random.default_rng(seed)
    w, mom, v, w_prev = w0.copy(), np.zeros_like(w0), np.zeros_like(w0), w0.copy()
    losses = []

    def grad(w, idx):
        s = a[idx] @ w
        return 2.0 * (a[idx].T @ (s * (s * s - y[idx]))) / len(idx)

    for t in range(steps):
        losses.append(0.5 * np.mean(((a @ w) ** 2 - y) ** 2))
        idx = rng.integers(0, m, 64)
        g = grad(w, idx)
        if name == "sgd":
            w = w - 2.5e-5 * g
        elif name == "nsgd":
            w = w - 0.2 * g / np.linalg.norm(g)
        elif name == "nsgd_momentum":
            mom = 0.2 * mom + 0.8 * g
            w = w - 0.2 * mom / np.linalg.norm(mom)
        elif name == "clipped_sgd":
            w = w - 0.6 * g / max(np.linalg.norm(g) + 30, 4050)
        elif name == "spider":
            if t % 20 == 0:
                s = a @ w
                v = 2.0 * (a.T @ (s * (s * s - y))) / m
            else:
                v = v + g - grad(w_prev, idx)
            w_prev, w = w, w - 0.3 * v / np.linalg.norm(v)
        else:
            g2 = grad(w, rng.integers(0, m, 4))
            w = w - 0.3 * g / max(2 * np.linalg.norm(g2) + 30, 4050) ** (2 / 3)
    return losses


def paper_experiment(seeds, steps, device):
    problem = gs.problems.phase_retrieval(m=3000, d=100, seed=2024)
    xp = _backend.namespace_for(device)

    def engine():
        for make in PAPER_METHODS.values():
            gs.run(problem, make(), steps, seeds=seeds, record=1, device=device, progress=False)

    def plain():
        for name in PAPER_METHODS:
            for seed in range(seeds):
                plain_paper_loop(problem, name, seed, steps, problem.start)

    return timed(xp, engine), timed(np, plain)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="numpy", choices=["numpy", "cupy"])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke test")
    parser.add_argument("--single-runs", type=int, default=4)
    args = parser.parse_args(argv)
    m, d, steps = (3000, 100, 50) if args.quick else (30000, 1000, 200)
    print(f"device: {args.device}")

    single, batched = batched_vs_single(m, d, 64, args.single_runs, steps, args.device)
    print(f"1. PR m={m} d={d}, {steps} AN-GD steps: single run {single:.3f} s/run, "
          f"batched 64 seeds {batched:.4f} s/run, per-run speedup {single / batched:.1f}x")

    t_engine, t_bare = engine_overhead(m, d, 8, steps, args.device)
    print(f"2. engine {t_engine:.3f} s vs bare loop {t_bare:.3f} s on 8 runs: "
          f"overhead {100 * (t_engine / t_bare - 1):+.1f}%")

    seeds, paper_steps = (4, 101) if args.quick else (20, 501)
    t_engine, t_plain = paper_experiment(seeds, paper_steps, args.device)
    print(f"3. paper PR experiment, 6 methods x {seeds} seeds x {paper_steps} steps: "
          f"engine {t_engine:.2f} s, plain loop {t_plain:.2f} s, speedup {t_plain / t_engine:.1f}x")
    return 0 if math.isfinite(t_engine) else 1


if __name__ == "__main__":
    raise SystemExit(main())
