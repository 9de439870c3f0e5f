"""Benchmark of the batched run engine, ratios measured side by side in one run.

1. Phase retrieval (m = 30000, d = 1000), 200 steps of AN-GD: one batched run
   of 64 seeds against single runs in a loop; per-run speedup (the single-run
   time per run is measured on ``--single-runs`` runs).
2. Engine overhead against a bare NumPy loop doing the same gradient steps on
   the same batch (both record the objective at the start and the end only);
   the two alternate over three rounds and the fastest of each counts.
3. The paper's phase-retrieval stochastic experiment (its six methods and
   AN-SGD, 500 steps, 20 seeds, objective recorded every step) against the
   released script's loop (``bench_reproduce.plain``: per run, per method,
   host NumPy, full objective and full gradient norm every step); gsmooth runs
   all methods in one lockstep loop (``gs.run_many``) doing the same work, and
   recording the objective only, without and with ``overlap``; one ``gs.run``
   per method is shown beside.  Both sides run under the default BLAS threads,
   then both under one BLAS thread (the setting ``overlap`` is made for).

Run ``python analysis/bench_engine.py [--quick] [--device cupy]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_reproduce import plain
from threadpoolctl import threadpool_limits

import gsmooth as gs
from gsmooth import _backend
from gsmooth.reproduction.experiments import phase_retrieval
from gsmooth.reproduction.experiments.settings import optimizer


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
    rounds = [(timed(xp, engine), timed(xp, bare)) for _ in range(3)]
    t_engine, t_bare = (min(times) for times in zip(*rounds, strict=True))
    w_engine = engine().w
    np.testing.assert_allclose(w_engine, _backend.to_host(bare()[0]), rtol=1e-9)
    return t_engine, t_bare


def paper_experiment(seeds, steps, device):
    """The paper's six methods (and AN-SGD) batched over seeds, against the released loop.

    Returns seconds: all methods in one lockstep loop (:func:`gsmooth.run_many`)
    recording the objective and the full gradient norm every step (the same
    work as the released loop), the same recording the objective only (what
    the experiment reports), the latter with ``overlap=True``, one
    :func:`gsmooth.run` per method recording the objective only, and the
    released loop (``bench_reproduce.plain``).
    """
    problem = phase_retrieval.make_problem()
    spec = phase_retrieval.EXPERIMENT
    w0 = spec.warm_start.point(problem, spec.grad_scale)[None, :]
    opts = [optimizer(setting, spec.grad_scale) for setting in phase_retrieval.METHODS]
    xp = _backend.namespace_for(device)
    options = {"seeds": seeds, "w0": w0, "record": 1, "device": device, "progress": False}

    def lockstep(track_grad_norm, overlap=False, steps=steps):
        gs.run_many(problem, opts, steps, track_grad_norm=track_grad_norm, overlap=overlap,
                    **options)

    def per_method():
        for opt in opts:
            gs.run(problem, opt, steps, track_grad_norm=False, **options)

    lockstep(True, steps=2)  # compiles CuPy's kernels before any clock starts
    return {"same work": timed(xp, lambda: lockstep(True)),
            "objective only": timed(xp, lambda: lockstep(False)),
            "objective only, overlap": timed(xp, lambda: lockstep(False, overlap=True)),
            "one run per method": timed(xp, per_method),
            "released loop": timed(np, lambda: plain(seeds, steps))}


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

    seeds, paper_steps = (4, 100) if args.quick else (20, 500)
    print(f"3. paper PR experiment, {len(phase_retrieval.METHODS)} methods x {seeds} seeds x "
          f"{paper_steps} steps, objective every step, against the released loop:")
    for label, threads in (("default BLAS threads", None), ("one BLAS thread", 1)):
        with threadpool_limits(threads):
            times = paper_experiment(seeds, paper_steps, args.device)
        released = times.pop("released loop")
        ratios = ", ".join(f"{name} {t:.2f} s ({released / t:.1f}x)" for name, t in times.items())
        print(f"   {label}: released loop {released:.2f} s; gsmooth {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
