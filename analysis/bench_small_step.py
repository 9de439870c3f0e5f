"""Where a small problem's step goes: the engine with its pieces replaced by inline code.

AN-GD on ``power(d=10, p=4)``, per step, for k = 1 and 64 runs.  Each side
replaces one more piece of the engine than the one before, inside this process
only, and is checked to give the same iterates:

1. ``engine`` -- ``gs.run`` as it is;
2. ``rule inline`` -- ``Optimizer.update`` written out for AN-GD (no rule,
   scaling or namespace layers);
3. ``+ gradient direct`` -- the oracle's request (AN-GD's direction already
   skips its requests and combine) replaced by a direct call of the bound
   gradient;
4. ``+ no finiteness check`` -- the per-step check dropped (this one changes
   what a diverging run would do; it is here to price the check, not to use);

and ``bare`` is the loop of ``bench_engine.py`` part 4.  The differences between
consecutive sides are what each piece costs.  One BLAS thread, the sides
alternating over ``--rounds`` rounds after a warm-up, min and median printed.

Run ``python analysis/bench_small_step.py [--rounds 5] [--steps 4000]``.
"""

from __future__ import annotations

import argparse
import time
from contextlib import ExitStack
from unittest import mock

import numpy as np
from bench_engine import bare_power_loop, spread
from threadpoolctl import threadpool_limits

import gsmooth as gs
from gsmooth import _backend
from gsmooth.engine import lockstep
from gsmooth.optim.base import Optimizer

LR, BETA, P = 1e-3, 2 / 3, 4.0


def inline_update(self, w, v, u, hp):
    """AN-GD's update with the same arithmetic as the rule, written out."""
    norm = np.sqrt(np.vecdot(u, u)[:, None])
    return w - hp.lr / np.maximum(norm, 2.0**-537) ** hp.beta * v


def direct_gradient(members, w):
    """One optimizer's step without the oracle."""
    (member,) = members
    g = member.oracle.full_gradient(w)
    member.oracle.drawn += 1
    return member.optimizer.update(w, g, g, member.hp), [member.state]


PATCHES = {
    "engine": [],
    "rule inline": [(Optimizer, "update", inline_update)],
    "+ gradient direct": [(lockstep, "propose", direct_gradient)],
    "+ no finiteness check": [(_backend, "all_finite", lambda x: True)],
}


def timed_sides(k, steps, rounds):
    """Per-step seconds of every cumulative side and of the bare loop for ``k`` runs."""
    problem, opt = gs.problems.power(d=10, p=P), gs.optim.an_gd(LR, BETA)
    w0 = np.random.default_rng(k).standard_normal((k, 10))
    reference = bare_power_loop(w0, LR, BETA, P, steps)[0]
    names = list(PATCHES)
    seconds = {name: [] for name in [*names, "bare"]}
    for round_ in range(rounds + 1):
        for i, name in enumerate(names):
            with ExitStack() as stack:
                for patches in (PATCHES[n] for n in names[: i + 1]):
                    for owner, attribute, value in patches:
                        stack.enter_context(mock.patch.object(owner, attribute, value))
                start = time.perf_counter()
                w = gs.run(problem, opt, steps, w0=w0, record=[0], progress=False).w
                elapsed = time.perf_counter() - start
            np.testing.assert_allclose(w, reference, rtol=1e-10)
            if round_:
                seconds[name].append(elapsed / steps)
        start = time.perf_counter()
        bare_power_loop(w0, LR, BETA, P, steps)
        if round_:
            seconds["bare"].append((time.perf_counter() - start) / steps)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=4000)
    args = parser.parse_args(argv)
    with threadpool_limits(1, user_api="blas"):
        for k in (1, 64):
            seconds = timed_sides(k, args.steps, args.rounds)
            print(f"power(d=10, p=4), AN-GD, k={k}, {args.steps} steps, {args.rounds} rounds:")
            previous = None
            for name, times in seconds.items():
                saved = "" if previous is None or name == "bare" else \
                    f"  (saves {1e6 * (np.median(previous) - np.median(times)):.2f} us, medians)"
                print(f"  {name:24s} {spread(times, 1e6, 'us')}{saved}")
                previous = times
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
