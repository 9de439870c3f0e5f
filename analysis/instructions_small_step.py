"""Instructions per step of a small problem, gsmooth against the bare loop, under valgrind.

Wall-clock ratios of microsecond steps drift by tens of percent on a shared
virtual machine; the number of instructions a step executes does not.  Each
side runs AN-GD on ``power(d=10, p=4)`` (the case of ``bench_engine.py`` part
4) for ``--short`` and ``--long`` steps in a fresh interpreter under
``valgrind --tool=cachegrind``; the difference of the two counts over the
difference of the steps is the cost of one step, set-up and warm-up cancelled.
Needs ``valgrind`` on the PATH; one BLAS thread.

Run ``python analysis/instructions_small_step.py [--runs 1 64] [--short 200] [--long 2200]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

import numpy as np
from bench_engine import bare_power_loop

import gsmooth as gs

LR, BETA, P, D = 1e-3, 2 / 3, 4.0, 10


def steps_of(side: str, k: int, steps: int) -> None:
    """Run ``side`` ("gsmooth" or "bare") for ``steps`` steps after a five-step warm-up."""
    w0 = np.random.default_rng(k).standard_normal((k, D))
    problem, opt = gs.problems.power(d=D, p=P), gs.optim.an_gd(LR, BETA)
    gs.run(problem, opt, 5, w0=w0, record=[0], progress=False)
    bare_power_loop(w0, LR, BETA, P, 5)
    if side == "gsmooth":
        gs.run(problem, opt, steps, w0=w0, record=[0], progress=False)
    else:
        bare_power_loop(w0, LR, BETA, P, steps)


def instructions(side: str, k: int, steps: int) -> int:
    """Instructions valgrind counts for one interpreter running :func:`steps_of`."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, __file__, "--side", side, "--runs", str(k), "--short", str(steps)]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    report = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stderr
    return int(re.search(r"I\s+refs:\s+([\d,]+)", report).group(1).replace(",", ""))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[1, 64])
    parser.add_argument("--short", type=int, default=200)
    parser.add_argument("--long", type=int, default=2200)
    parser.add_argument("--side", choices=["gsmooth", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:  # the child: run one side under valgrind
        steps_of(args.side, args.runs[0], args.short)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("this benchmark needs valgrind on the PATH")
    if args.long <= args.short:
        raise SystemExit(f"--long must exceed --short, got {args.long} and {args.short}")
    for k in args.runs:
        per_step = {side: (instructions(side, k, args.long) - instructions(side, k, args.short))
                    / (args.long - args.short) for side in ("gsmooth", "bare")}
        print(f"power(d={D}, p={P:g}), AN-GD, k={k}: gsmooth {per_step['gsmooth'] / 1e3:.1f}k, "
              f"bare loop {per_step['bare'] / 1e3:.1f}k instructions per step; "
              f"ratio {per_step['gsmooth'] / per_step['bare']:.2f}x")


if __name__ == "__main__":
    main()
