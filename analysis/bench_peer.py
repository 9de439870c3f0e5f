"""Benchmark: the paper's phase-retrieval experiment in plain batched PyTorch against gsmooth.

The peer is what a competent PyTorch user writes for the experiment: CPU,
float64, one loop per method with that method's seeds stacked on a leading
axis, minibatch rows gathered by advanced indexing and multiplied with
``torch.bmm``, the released step rule ``gamma v / max(A ||u|| + o, c)^beta``
written out, and at every step the full objective and the full gradient norm
of every run (two matrix products per method).  gsmooth runs the same seven
methods over the same seeds in one ``gs.run_many`` loop recording the same two
quantities at every step.  Both sides do the same work from the same warm
start, one BLAS thread each (threadpoolctl for NumPy, ``torch.set_num_threads``
for PyTorch), in interleaved rounds; the script prints min and median of each
and the ratio of the medians, and the median final objective of each method
on both sides (equal in distribution, not run by run: the streams differ).

gsmooth is timed with its default NumPy kernels and with the phase-retrieval
problem's optional numba kernels (``kernels="numba"``).  The script also prints
the ceiling of the ratio: the peer's median over the median time of the
experiment's floating-point work done as NumPy's single-thread record products
alone, a side timed in the same interleaved rounds (and PyTorch's GEMM rate on
the peer's shapes, for comparison): no NumPy side can beat it.

Run ``python analysis/bench_peer.py [--seeds 20] [--steps 500] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np
from bench_engine import GEMM_SIDE, experiment_flops, gemm_work
from threadpoolctl import threadpool_limits

import gsmooth as gs
from gsmooth.reproduction.experiments import phase_retrieval
from gsmooth.reproduction.experiments.settings import optimizer


def peer_method(torch, a, y, w0, setting, seeds, steps, generator):
    """One method over ``seeds`` runs stacked, in plain PyTorch; returns the objective and
    gradient-norm traces, each (steps + 1, seeds)."""
    m, d = a.shape
    w = w0.expand(seeds, d).clone()
    momentum = torch.zeros_like(w)
    v = w_prev = None
    objective, grad_norm = [], []

    def minibatch_grad(w, idx):
        rows = a[idx]
        s = torch.bmm(rows, w.unsqueeze(2)).squeeze(2)
        coef = s * (s * s - y[idx]) / idx.shape[1]
        return torch.bmm(coef.unsqueeze(1), rows).squeeze(1)

    for t in range(steps + 1):
        s = w @ a.T
        residual = s * s - y
        objective.append(0.5 * (residual * residual).mean(dim=1))
        grad_norm.append(((2.0 / m) * ((s * residual) @ a)).norm(dim=1))
        if t == steps:
            break
        if setting.family == "spider" and t % setting.period == 0:
            s = w @ a.T
            v = (s * (s * s - y)) @ a / m
        elif setting.family == "spider":
            idx = torch.randint(0, m, (seeds, setting.batch), generator=generator)
            v = v + minibatch_grad(w, idx) - minibatch_grad(w_prev, idx)
        direction = v if setting.family == "spider" else minibatch_grad(
            w, torch.randint(0, m, (seeds, setting.batch), generator=generator))
        if setting.family == "nsgd_momentum":
            momentum = setting.momentum * momentum + (1 - setting.momentum) * direction
            direction = momentum
        normalizer = direction
        if setting.family == "ian_sgd":
            normalizer = minibatch_grad(w, torch.randint(0, m, (seeds, setting.batch2),
                                                         generator=generator))
        scale = setting.A * normalizer.norm(dim=1, keepdim=True) + setting.offset
        step = setting.gamma * direction / scale.clamp(min=setting.threshold) ** setting.beta
        w_prev, w = w, w - step
    return torch.stack(objective), torch.stack(grad_norm)


def peer(seeds, steps):
    """Every method of the experiment in plain PyTorch; median final objective per method."""
    import torch

    problem = phase_retrieval.make_problem()
    start = phase_retrieval.EXPERIMENT.warm_start.point(problem, 2.0)
    a = torch.from_numpy(problem._host_data["a"])
    y = torch.from_numpy(problem._host_data["y"])
    w0 = torch.from_numpy(start)
    generator = torch.Generator().manual_seed(0)
    return {setting.key: float(peer_method(torch, a, y, w0, setting, seeds, steps,
                                            generator)[0][-1].median())
            for setting in phase_retrieval.METHODS}


def gsmooth_run(seeds, steps, kernels="numpy"):
    """The same experiment in one ``gs.run_many`` loop, objective and gradient norm every step
    (``kernels="numba"``: the problem's optional fused kernels, the same products)."""
    problem = phase_retrieval.make_problem(kernels=kernels)
    spec = phase_retrieval.EXPERIMENT
    w0 = spec.warm_start.point(problem, spec.grad_scale)[None, :]
    opts = [optimizer(setting, spec.grad_scale) for setting in phase_retrieval.METHODS]
    results = gs.run_many(problem, opts, steps, seeds=seeds, w0=w0, record=1, progress=False)
    return {setting.key: float(np.median(result.loss[-1]))
            for setting, result in zip(phase_retrieval.METHODS, results, strict=True)}


def rounds(sides, count):
    """Seconds of every side over ``count`` interleaved rounds, after one warm-up call each."""
    for fn in sides.values():
        fn(2, 3)
    seconds = {name: [] for name in sides}
    finals = {}
    for _ in range(count):
        for name, fn in sides.items():
            start = time.perf_counter()
            finals[name] = fn()
            seconds[name].append(time.perf_counter() - start)
    return seconds, finals


@functools.cache
def gemm_bound(seeds, steps):
    """The experiment's work as the record's single-thread NumPy products alone
    (:func:`bench_engine.gemm_work`), run like a side: ``fn()`` does the work (built
    once per size, outside the timed calls)."""
    problem = phase_retrieval.make_problem()
    m, d = problem.n_samples, problem.dim
    flops = experiment_flops(phase_retrieval.METHODS, seeds, steps, m, d)
    return gemm_work(flops, seeds * len(phase_retrieval.METHODS), m, d)


def ceiling(seeds, steps, seconds, torch) -> str:
    """The most any NumPy side can gain on the peer: the peer's time over the GEMM bound's,
    both medians of the same interleaved rounds; with PyTorch's GEMM rate on the peer's
    per-method shapes beside NumPy's on all runs at once."""
    problem = phase_retrieval.make_problem()
    m, d = problem.n_samples, problem.dim
    bound = np.median(seconds[GEMM_SIDE])
    flops = experiment_flops(phase_retrieval.METHODS, seeds, steps, m, d)
    a, w, c = (torch.randn(*shape, dtype=torch.float64) for shape in ((m, d), (seeds, d), (seeds, m)))
    best = np.inf
    for _ in range(30):
        start = time.perf_counter()
        torch.matmul(w, a.T)
        torch.matmul(c, a)
        best = min(best, time.perf_counter() - start)
    k = seeds * len(phase_retrieval.METHODS)
    return (f"GEMM bound {bound:.2f} s (median), NumPy's {flops / bound / 1e9:.1f} GFLOP/s on "
            f"({k}, {d}) x ({d}, {m}) and back (PyTorch's on the peer's ({seeds}, {d}) shapes: "
            f"{4 * seeds * m * d / best / 1e9:.1f} GFLOP/s): no NumPy side can be more than "
            f"{np.median(seconds['pytorch']) / bound:.2f}x the peer's median")


def main(argv=None):
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=phase_retrieval.EXPERIMENT.steps)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    sides = {"gsmooth": lambda s=args.seeds, t=args.steps: gsmooth_run(s, t),
             "gsmooth, numba kernels": lambda s=args.seeds, t=args.steps: gsmooth_run(s, t, "numba"),
             "pytorch": lambda s=args.seeds, t=args.steps: peer(s, t),
             GEMM_SIDE: lambda s=args.seeds, t=args.steps: gemm_bound(s, t)()}
    with threadpool_limits(limits=1, user_api="blas"):
        seconds, finals = rounds(sides, args.rounds)
        limit = ceiling(args.seeds, args.steps, seconds, torch)
    print(f"phase retrieval, {len(phase_retrieval.METHODS)} methods x {args.seeds} seeds x "
          f"{args.steps} steps, objective and gradient norm every step, float64, one thread each, "
          f"{args.rounds} interleaved rounds (torch {torch.__version__})")
    for name, times in seconds.items():
        print(f"  {name:22s} min {min(times):6.2f} s  median {np.median(times):6.2f} s")
    for name in ("gsmooth", "gsmooth, numba kernels"):
        ratio = np.median(seconds["pytorch"]) / np.median(seconds[name])
        best = min(seconds["pytorch"]) / min(seconds[name])
        print(f"  PyTorch / {name}: {ratio:.2f}x (medians), {best:.2f}x (minima)")
    print("  " + limit)
    print(f"  {'method':<16} {'median final F, gsmooth':>24} {'PyTorch':>10}")
    for key in finals["gsmooth"]:
        print(f"  {key:<16} {finals['gsmooth'][key]:>24.4g} {finals['pytorch'][key]:>10.4g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
