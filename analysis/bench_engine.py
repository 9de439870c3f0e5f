"""Benchmark of the batched run engine: every ratio at equal work, side by side in one run.

1. Batched against single runs: phase retrieval (m = 30000, d = 1000), 200 steps
   of AN-GD, 64 seeds in one batched run against single runs in a loop (the
   time per run); both record objective and gradient norm on the default grid.
2. Engine overhead on a large problem: the same 200 AN-GD steps on 8 runs
   against a bare NumPy loop doing the same gradient steps; both evaluate the
   objective at the start and the end only.
3. The paper's phase-retrieval experiment (its six methods and AN-SGD, 20
   seeds, 500 steps), the objective and the full gradient norm of every run
   at every step on both sides: ``gs.run_many`` (one lockstep loop) against the
   released script's loop (``bench_reproduce.plain``: per method, per seed,
   host NumPy).  ``overlap=True`` is shown beside, marked as using a second
   thread, and so is the problem built with ``kernels="numba"`` (fused record
   pass and minibatch gradients, the same products: the same work, its traces
   checked against the NumPy side's first).  The GEMM bound is the experiment's
   floating-point work (two products per run per record, the minibatch
   products and SPIDER's refreshes) done as the record's own single-thread
   products alone, a side timed in the same interleaved rounds, so that the
   machine's drift moves the bound and the sides it bounds alike; the fraction
   printed is bound / time, for the NumPy kernels and for the numba kernels.
   The released loop over the bound is the most any implementation running
   its products at that rate could gain over it on this machine.
   With ``--device cupy`` the numba side and the bound, both the CPU's, are
   left out (``profile_gpu_step.py`` shows where a GPU step goes).
4. Small problems: ``power(d=10, p=4)`` with AN-GD for k = 1, 64 and 4096
   runs, per step, against a bare NumPy loop doing the same update (both
   record at the start and the end only).  Each round takes milliseconds and
   per-step times are the noisiest of all, so this part runs three times
   ``--rounds`` rounds.
5. Seven methods against one: the paper's methods, 20 seeds each, in one
   ``gs.run_many`` against NSGD alone with as many runs in ``gs.run``, both
   recording objective and gradient norm every step.  The work differs a
   little (SPIDER's refreshes, IAN-SGD's second minibatch), so each side's
   GEMM bound is printed beside its time.

Everything runs under one BLAS thread (threadpoolctl) unless ``--threads`` says
otherwise; the sides of each comparison alternate over ``--rounds`` rounds after
a warm-up, and min and median are printed.

Run ``python analysis/bench_engine.py [--quick] [--rounds 3] [--device cupy] [--parts 1,2,3,4,5]``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from bench_reproduce import plain
from threadpoolctl import threadpool_info, threadpool_limits

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


def interleaved(sides, rounds, xp=np):
    """Seconds of every side over interleaved rounds (each side called once before)."""
    for fn in sides.values():
        fn()
    seconds = {name: [] for name in sides}
    for _ in range(rounds):
        for name, fn in sides.items():
            seconds[name].append(timed(xp, fn))
    return seconds


def spread(times, scale=1.0, unit="s"):
    """``min X, median Y`` of ``times`` times ``scale``."""
    return f"min {min(times) * scale:.3g} {unit}, median {np.median(times) * scale:.3g} {unit}"


def ratios(slow, fast):
    """``slow / fast`` from the medians and from the minima."""
    return f"{np.median(slow) / np.median(fast):.2f}x (medians), {min(slow) / min(fast):.2f}x (minima)"


def batched_vs_single(m, d, k, singles, steps, device, rounds):
    problem = gs.problems.phase_retrieval(m=m, d=d, seed=0)
    opt = gs.optim.an_gd(1e-3, beta=2 / 3)
    xp = _backend.namespace_for(device)
    run = lambda seeds: gs.run(problem, opt, steps, seeds=seeds, device=device, progress=False)
    seconds = interleaved({"single": lambda: [run([s]) for s in range(singles)],
                           "batched": lambda: run(k)}, rounds, xp)
    return [t / singles for t in seconds["single"]], [t / k for t in seconds["batched"]]


def bare_pr_loop(a, y, w, lr, beta, steps, xp):
    """AN-GD on phase retrieval in plain array code, objective at the start and the end."""
    m = a.shape[0]

    def objective(w):
        r = (w @ a.T) ** 2 - y
        return 0.5 * xp.mean(r * r, axis=1)

    losses = [objective(w)]
    for _ in range(steps):
        s = w @ a.T
        g = (2.0 / m) * ((s * (s * s - y)) @ a)
        norm = xp.sqrt(xp.vecdot(g, g))[:, None]
        w = w - lr * g / norm**beta
    losses.append(objective(w))
    return w, losses


def engine_overhead(m, d, k, steps, device, rounds):
    problem = gs.problems.phase_retrieval(m=m, d=d, seed=0)
    xp = _backend.namespace_for(device)
    w0 = xp.asarray(np.broadcast_to(problem.start, (k, d)).copy())
    a, y = (xp.asarray(problem._host_data[name]) for name in ("a", "y"))
    opt = gs.optim.an_gd(1e-3, beta=2 / 3)
    engine = lambda: gs.run(problem, opt, steps, seeds=k, w0=w0, record=[0], progress=False)
    bare = lambda: bare_pr_loop(a, y, w0, 1e-3, 2 / 3, steps, xp)
    np.testing.assert_allclose(engine().w, _backend.to_host(bare()[0]), rtol=1e-9)
    return interleaved({"engine": engine, "bare": bare}, rounds, xp)


def experiment_flops(settings, seeds, steps, m, d):
    """Floating-point work of the paper experiment recording objective and gradient norm
    every step: 4 m d per run per record (``A w`` and ``A^T c``), 4 B d per minibatch
    gradient (``rows w`` and ``c^T rows``), 4 m d per SPIDER refresh."""
    records = (steps + 1) * seeds * len(settings) * 4 * m * d
    per_step = 0.0
    for s in settings:
        if s.family == "spider":
            refreshes = -(-steps // s.period)
            per_step += (refreshes * 4 * m * d + (steps - refreshes) * 2 * 4 * s.batch * d) / steps
        else:
            per_step += 4 * s.batch * d + (4 * s.batch2 * d if s.batch2 else 0)
    return records + seeds * steps * per_step


def record_products(k, m, d):
    """One call of the record's two products, (k, d)(d, m) and (k, m)(m, d), on fixed
    random operands, in place: ``4 k m d`` floating-point operations."""
    rng = np.random.default_rng(0)
    w, a = rng.standard_normal((k, d)), rng.standard_normal((m, d))
    s, g = np.empty((k, m)), np.empty((k, d))

    def products():
        np.matmul(w, a.T, out=s)
        np.matmul(s, a, out=g)

    return products


def gemm_rate(k, m, d, repeats=30):
    """Best single-thread GFLOP/s of the record's two products (:func:`record_products`)."""
    products = record_products(k, m, d)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        products()
        best = min(best, time.perf_counter() - start)
    return 4 * k * m * d / best / 1e9


def gemm_work(flops, k, m, d):
    """A callable doing ``flops`` of work as the record's two products only: the GEMM
    bound as a side of its own, timed in the same interleaved rounds as the sides it
    bounds, so that the machine's drift moves both alike."""
    products, calls = record_products(k, m, d), round(flops / (4 * k * m * d))

    def work():
        for _ in range(calls):
            products()

    return work


NUMBA_SIDE = "gsmooth, numba kernels"
GEMM_SIDE = "GEMM work alone"


def paper_experiment(seeds, steps, device, rounds):
    """Seconds of ``gs.run_many`` (without and with ``overlap``, and with the numba kernels)
    and of the released loop, all recording the objective and the gradient norm every step."""
    problem = phase_retrieval.make_problem()
    spec = phase_retrieval.EXPERIMENT
    w0 = spec.warm_start.point(problem, spec.grad_scale)[None, :]
    opts = [optimizer(setting, spec.grad_scale) for setting in phase_retrieval.METHODS]
    xp = _backend.namespace_for(device)
    options = {"seeds": seeds, "w0": w0, "record": 1, "device": device, "progress": False}

    def lockstep(overlap=False, problem=problem):
        return gs.run_many(problem, opts, steps, overlap=overlap, **options)

    sides = {"gsmooth": lockstep, "gsmooth, overlap (2 threads)": lambda: lockstep(True)}
    if device == "numpy":  # the numba kernels take NumPy iterates only
        fused = phase_retrieval.make_problem(kernels="numba")
        for a, b in zip(lockstep(), lockstep(problem=fused), strict=True):
            np.testing.assert_allclose(b.loss, a.loss, rtol=1e-6)
        sides[NUMBA_SIDE] = lambda: lockstep(problem=fused)
        flops = experiment_flops(phase_retrieval.METHODS, seeds, steps, problem.n_samples,
                                 problem.dim)
        sides[GEMM_SIDE] = gemm_work(flops, seeds * len(opts), problem.n_samples, problem.dim)
    return interleaved({**sides, "released loop": lambda: plain(seeds, steps)}, rounds, xp)


def bare_power_loop(w, lr, beta, p, steps):
    """AN-GD on ``||w||^p / p`` in plain NumPy, objective at the start and the end."""
    losses = [np.sqrt(np.vecdot(w, w)) ** p / p]
    for _ in range(steps):
        r = np.sqrt(np.vecdot(w, w))[:, None]
        g = r ** (p - 2) * w
        n = np.sqrt(np.vecdot(g, g))[:, None]
        w = w - lr * g / n**beta
    losses.append(np.sqrt(np.vecdot(w, w)) ** p / p)
    return w, losses


def small_problems(counts, steps, rounds, d=10, p=4.0, lr=1e-3, beta=2 / 3):
    """Per-step seconds of gsmooth and of the bare loop for each number of runs."""
    problem, opt = gs.problems.power(d=d, p=p), gs.optim.an_gd(lr, beta)
    out = {}
    for k in counts:
        w0 = np.random.default_rng(k).standard_normal((k, d))
        engine = lambda w0=w0: gs.run(problem, opt, steps, w0=w0, record=[0], progress=False)
        bare = lambda w0=w0: bare_power_loop(w0, lr, beta, p, steps)
        np.testing.assert_allclose(engine().w, bare()[0], rtol=1e-10)
        seconds = interleaved({"gsmooth": engine, "bare": bare}, rounds)
        out[k] = {name: [t / steps for t in times] for name, times in seconds.items()}
    return out


def methods_against_one(seeds, steps, device, rounds):
    """Seconds of the paper's methods, ``seeds`` runs each, in one ``gs.run_many``, and of
    NSGD alone on as many runs, both recording objective and gradient norm every step."""
    problem = phase_retrieval.make_problem()
    spec = phase_retrieval.EXPERIMENT
    options = {"w0": spec.warm_start.point(problem, spec.grad_scale)[None, :], "record": 1,
               "device": device, "progress": False}
    settings = phase_retrieval.METHODS
    opts = [optimizer(setting, spec.grad_scale) for setting in settings]
    nsgd = optimizer(next(s for s in settings if s.key == "nsgd"), spec.grad_scale)
    return interleaved({
        "seven methods": lambda: gs.run_many(problem, opts, steps, seeds=seeds, **options),
        "NSGD alone": lambda: gs.run(problem, nsgd, steps, seeds=seeds * len(opts), **options),
    }, rounds, _backend.namespace_for(device))


def environment(threads) -> str:
    blas = [f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})"
            for i in threadpool_info() if i["user_api"] == "blas"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"BLAS {', '.join(blas)}, {threads or 'default'} thread(s); {os.cpu_count()} cores, "
            f"load average {load:.2f} at start")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="numpy", choices=["numpy", "cupy"])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke test")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single-runs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (0: default)")
    parser.add_argument("--parts", default="1,2,3,4,5")
    args = parser.parse_args(argv)
    parts = {int(p) for p in args.parts.split(",")}
    with threadpool_limits(args.threads or None, user_api="blas"):
        print(f"device: {args.device}; {environment(args.threads)}; {args.rounds} interleaved rounds")
        run_parts(args, parts)
    return 0


def print_gemm_bound(times, released, settings, seeds, steps):
    """The paper experiment's work done as the record's products alone (the GEMM bound,
    timed in the same rounds), and each NumPy side's time against it."""
    problem = phase_retrieval.make_problem()
    flops = experiment_flops(settings, seeds, steps, problem.n_samples, problem.dim)
    bound = times.pop(GEMM_SIDE)
    print(f"   work {flops / 1e9:.1f} GFLOP; as the record's single-thread products alone "
          f"(the GEMM bound) {spread(bound)}, {flops / np.median(bound) / 1e9:.1f} GFLOP/s")
    print(f"   ceiling of released / gsmooth at that rate: released / GEMM bound "
          f"{ratios(released, bound)}")
    for name in ("gsmooth", NUMBA_SIDE):
        own = times[name]
        print(f"   GEMM bound / {name}: {100 * np.median(bound) / np.median(own):.0f}% "
              f"(medians), {100 * min(bound) / min(own):.0f}% (minima)")


def run_parts(args, parts):
    m, d, steps = (3000, 100, 50) if args.quick else (30000, 1000, 200)
    if 1 in parts:
        single, batched = batched_vs_single(m, d, 64, args.single_runs, steps, args.device,
                                            args.rounds)
        print(f"1. PR m={m} d={d}, {steps} AN-GD steps, per run: single {spread(single)}; "
              f"batched 64 seeds {spread(batched)}; speedup {ratios(single, batched)}")
    if 2 in parts:
        times = engine_overhead(m, d, 8, steps, args.device, args.rounds)
        print(f"2. PR m={m} d={d}, {steps} AN-GD steps on 8 runs: engine {spread(times['engine'])}, "
              f"bare loop {spread(times['bare'])}; engine / bare {ratios(times['engine'], times['bare'])}")
    if 3 in parts:
        seeds, paper_steps = (4, 100) if args.quick else (20, 500)
        settings = phase_retrieval.METHODS
        times = paper_experiment(seeds, paper_steps, args.device, args.rounds)
        print(f"3. paper PR experiment, {len(settings)} methods x {seeds} seeds x {paper_steps} steps, "
              f"objective and gradient norm every step on both sides:")
        released = times.pop("released loop")
        print(f"   released loop {spread(released)}")
        for name, t in times.items():
            if name != GEMM_SIDE:
                print(f"   {name} {spread(t)}: released / gsmooth {ratios(released, t)}")
        if args.device == "numpy":
            print_gemm_bound(times, released, settings, seeds, paper_steps)
        else:
            print("   (the GEMM bound is the CPU's, so it is printed for NumPy only; "
                  "profile_gpu_step.py shows where a GPU step goes)")
    if 4 in parts:
        counts, small_steps = ((1, 64), 500) if args.quick else ((1, 64, 4096), 2000)
        for k, times in small_problems(counts, small_steps, 3 * args.rounds).items():
            print(f"4. power(d=10, p=4), AN-GD, k={k}: gsmooth {spread(times['gsmooth'], 1e6, 'us')}"
                  f" per step, bare loop {spread(times['bare'], 1e6, 'us')}; gsmooth / bare "
                  f"{ratios(times['gsmooth'], times['bare'])}")
    if 5 in parts:
        seeds, paper_steps = (4, 100) if args.quick else (20, 500)
        settings = phase_retrieval.METHODS
        nsgd = [s for s in settings if s.key == "nsgd"] * len(settings)
        problem = phase_retrieval.make_problem()
        rate = gemm_rate(seeds * len(settings), problem.n_samples, problem.dim)
        times = methods_against_one(seeds, paper_steps, args.device, args.rounds)
        print(f"5. {len(settings)} methods x {seeds} seeds in one run_many against NSGD alone on "
              f"{len(settings) * seeds} runs, {paper_steps} steps, objective and gradient norm "
              "every step:")
        for (name, t), group in zip(times.items(), (settings, nsgd), strict=True):
            flops = experiment_flops(group, seeds, paper_steps, problem.n_samples, problem.dim)
            print(f"   {name} {spread(t)}; work {flops / 1e9:.1f} GFLOP, GEMM bound "
                  f"{flops / (rate * 1e9):.2f} s")
        print(f"   seven methods / NSGD alone {ratios(times['seven methods'], times['NSGD alone'])}")


if __name__ == "__main__":
    raise SystemExit(main())
