"""Where a GPU step of the paper's phase-retrieval experiment goes.

The experiment of ``bench_engine.py`` part 3 (seven methods x 20 seeds, the
objective and the gradient norm every step) on CuPy, in four views:

1. wall time per step, the device synchronized at both ends, recording every
   step and recording only at the start and the end (the difference is what a
   record costs);
2. the launch floor: seconds per call of a tiny CuPy elementwise operation
   (one kernel, no allocation it could skip), the price of each kernel a step
   launches when the host, not the GPU, is the bottleneck;
3. kernels per step and GPU-busy time per step, read by PyTorch's profiler
   (CUPTI sees every kernel of the process, CuPy's too), with the kernels
   that take the most GPU time;
4. host time per function (cProfile), the functions with the most own time.

When the GPU-busy time is far below the wall time, the step is bound by the
host's launches and synchronizations, and the way down is fewer kernels.

Run ``python analysis/profile_gpu_step.py [--steps 100]`` on a machine with CuPy and a GPU.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from collections import Counter

import numpy as np

import gsmooth as gs
from gsmooth import _backend
from gsmooth.reproduction.experiments import phase_retrieval
from gsmooth.reproduction.experiments.settings import optimizer


def experiment(steps, record, device, seeds=20):
    """A function that runs the paper experiment on ``device`` for ``steps`` steps."""
    problem = phase_retrieval.make_problem()
    spec = phase_retrieval.EXPERIMENT
    w0 = spec.warm_start.point(problem, spec.grad_scale)[None, :]
    opts = [optimizer(setting, spec.grad_scale) for setting in phase_retrieval.METHODS]
    return lambda: gs.run_many(problem, opts, steps, seeds=seeds, w0=w0, record=record,
                               device=device, progress=False)


def per_step(fn, steps, xp, rounds=3):
    """Seconds per step of ``fn`` over ``rounds`` synchronized calls (after a warm-up)."""
    fn()
    times = []
    for _ in range(rounds):
        out = {}
        with _backend.timed(xp, out):
            fn()
        times.append(out["seconds"] / steps)
    return times


def launch_floor(calls=2000):
    """Seconds per call of ``cupy.add(x, 1.0, out=x)`` on a (140, 1000) array."""
    import cupy

    x = cupy.zeros((140, 1000))
    cupy.add(x, 1.0, out=x)
    cupy.cuda.Device().synchronize()
    start = time.perf_counter()
    for _ in range(calls):
        cupy.add(x, 1.0, out=x)
    cupy.cuda.Device().synchronize()
    return (time.perf_counter() - start) / calls


def kernels(fn, steps):
    """Kernel count and GPU time per step of ``fn``, and the ten costliest kernels."""
    from torch.profiler import ProfilerActivity, profile

    fn()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        _backend.synchronize(_backend.namespace_for("cupy"))
    counts, micros = Counter(), Counter()
    for event in prof.events():
        if event.device_type.name == "CUDA":
            counts[event.name] += 1
            micros[event.name] += event.device_time_total
    print(f"3. kernels per step {sum(counts.values()) / steps:.0f}, GPU busy "
          f"{sum(micros.values()) / steps:.0f} us per step")
    for name, us in micros.most_common(10):
        print(f"   {us / steps:8.1f} us/step {counts[name] / steps:6.1f} per step  {name[:90]}")


def host_profile(fn, top=25):
    """The functions with the most own host time in one call of ``fn``."""
    fn()
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    print("4. host time per function (cProfile, own time first):")
    print(text.getvalue())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--device", default="cupy", choices=["cupy", "numpy"],
                        help="numpy: views 1 and 4 only, to try the script without a GPU")
    args = parser.parse_args(argv)
    steps, xp = args.steps, _backend.namespace_for(args.device)
    every, ends = (experiment(steps, record, args.device) for record in (1, [0, steps]))
    t_every, t_ends = per_step(every, steps, xp), per_step(ends, steps, xp)
    print(f"1. per step, 140 runs: recording every step min {min(t_every) * 1e3:.2f} ms, "
          f"median {np.median(t_every) * 1e3:.2f} ms; recording the ends only min "
          f"{min(t_ends) * 1e3:.2f} ms, median {np.median(t_ends) * 1e3:.2f} ms")
    if args.device == "cupy":
        print(f"2. launch floor: {launch_floor() * 1e6:.1f} us per tiny elementwise call")
        try:
            kernels(every, steps)
        except ImportError as error:
            print(f"3. kernels: no PyTorch profiler ({error})")
    host_profile(every)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
