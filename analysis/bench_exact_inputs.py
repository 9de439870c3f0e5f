"""Time the AN-GD derivation for simple and unsnapped exact inputs, cold (templates re-derived) and warm.

Each round clears the derivation caches for the cold timing, then times every
input once cold and once warm (the regime templates already derived), in an
order rotated between rounds; min and median over rounds are printed with
the environment.  The derivation includes the summary, JSON and LaTeX text and
one numeric evaluation, as ``gsmooth theory`` does.  Run
``python analysis/bench_exact_inputs.py [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings

from threadpoolctl import threadpool_limits

from gsmooth.errors import GSmoothWarning
from gsmooth.theory import an_gd as an_gd_module
from gsmooth.theory import an_gd_bound

INPUTS = {
    "rho 4/3, beta 2/3": ("4/3", "2/3", {}),
    "rho 1.3333, beta 0.6667 (snapped)": ("1.3333", "0.6667", {}),
    "rho 13333/10000, beta 6667/10000": ("13333/10000", "6667/10000", {}),
    "rho 1.3333, beta 0.6667, alpha 0.6, decimals (no snap)": (
        "1.3333", "0.6667", {"alpha": "0.6", "snap": False, "L0": "30.5", "L1": "1.33", "mu": "0.197"}),
    "rho 1, beta 0.67": ("1", "0.67", {}),
    "rho 119/100, beta 9999/10000, alpha 7/10": ("119/100", "9999/10000", {"alpha": "7/10"}),
    "rho 1.7234567, beta 1, alpha 0.8123456 as floats (estimated), constants": (
        1.7234567, 1, {"alpha": 0.8123456, "snap": False, "L0": 3.2345, "L1": 1.234567, "mu": 0.3456}),
}


def clear_caches() -> None:
    for cached in (an_gd_module._template, an_gd_module._template_branch, an_gd_module._evaluate):
        cached.cache_clear()


def derive(rho, beta, options) -> None:
    bound = an_gd_bound(rho, beta, **options)
    bound.summary(), bound.to_json(), bound.latex()
    if "L0" in bound.as_dict()["constants"] or "L_0" in bound.as_dict()["constants"]:
        bound.iterations_value(1e-3, Delta0=1)


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
          f"1 BLAS thread, {args.rounds} interleaved rounds")
    names = list(INPUTS)
    cold = {name: [] for name in names}
    warm = {name: [] for name in names}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", GSmoothWarning)
        for round_index in range(args.rounds):
            order = names[round_index % len(names):] + names[:round_index % len(names)]
            for name in order:
                rho, beta, options = INPUTS[name]
                clear_caches()
                cold[name].append(timed(lambda: derive(rho, beta, options)))
                an_gd_module._evaluate.cache_clear()
                warm[name].append(timed(lambda: derive(rho, beta, options)))
    print(f"{'input':56s} {'cold min':>9s} {'cold med':>9s} {'warm min':>9s} {'warm med':>9s}  (seconds)")
    for name in names:
        print(f"{name:56s} {min(cold[name]):9.3f} {statistics.median(cold[name]):9.3f} "
              f"{min(warm[name]):9.3f} {statistics.median(warm[name]):9.3f}")


if __name__ == "__main__":
    main()
