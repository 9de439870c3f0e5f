"""Replicate study of :func:`gsmooth.rates.fit_decay`: how often the right law is chosen,
and how often the interval covers the true value.

Each case is a known decay law with multiplicative log-normal noise
(``gap * exp(sigma * z)``, ``sigma = 0.2``, i.e. about 20%), drawn afresh for
every seeded replicate, fitted as one run and as a batch of 8 runs.  Two cases
per law: the first is the one the rule was developed on, the second differs in
every constant (exponent or rate, record grid, floor, horizon).  For each, the
table gives the share of replicates given the right kind, the share of
intervals formed, and the coverage of the true value by the formed intervals
(nominal 95%), with the binomial standard error of the coverage.

Run ``python analysis/decay_replicates.py [--replicates 100] [--sigma 0.2]``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from gsmooth.engine.recorder import record_grid
from gsmooth.rates import fit_decay


@dataclass(frozen=True)
class LawCase:
    """A known law on a record grid, and the number the fit must recover."""

    name: str
    kind: str
    t: np.ndarray
    clean: np.ndarray
    truth: float


def _two_phase(t, tau, m, floor):
    return np.maximum(1.0 - t / tau, 0.0) ** m + floor


def cases() -> list[LawCase]:
    """The six cases of the study (two per law)."""
    poly_t, geo_t = record_grid(3000).astype(float), record_grid(1000).astype(float)
    slow_t = np.arange(0, 5001, 25).astype(float)
    two_t, late_t = np.arange(0, 401).astype(float), np.arange(0, 1201, 2).astype(float)
    return [
        LawCase("5 (1+t)^-1.5, geometric grid", "polynomial", poly_t, 5.0 * (1.0 + poly_t) ** -1.5, 1.5),
        LawCase("0.3 (3+t)^-0.7, every 25th t", "polynomial", slow_t, 0.3 * (3.0 + slow_t) ** -0.7, 0.7),
        LawCase("2 * 0.98^t, geometric grid", "geometric", geo_t, 2.0 * 0.98**geo_t, 0.98),
        LawCase("0.995^t + 1e-7, every t", "geometric", np.arange(0, 3001.0),
                0.995 ** np.arange(0, 3001.0) + 1e-7, 0.995),
        LawCase("(1 - t/200)_+^4 + 1e-6, every t", "two-phase", two_t, _two_phase(two_t, 200.0, 4, 1e-6), 200.0),
        LawCase("3 (1 - t/700)_+^2 + 1e-4, every 2nd t", "two-phase", late_t,
                3.0 * _two_phase(late_t, 700.0, 2, 0.0) + 1e-4, 700.0),
    ]


def replicate(case: LawCase, runs: int, seed: int, sigma: float):
    """One seeded noisy replicate of ``case`` with ``runs`` runs, and its fit."""
    rng = np.random.default_rng([seed, runs])
    gaps = case.clean[:, None] * np.exp(sigma * rng.standard_normal((case.t.size, runs)))
    return fit_decay(case.t, gaps)


def study(case: LawCase, runs: int, replicates: int, sigma: float = 0.2) -> dict:
    """Share right, intervals formed and coverage over ``replicates`` seeded replicates."""
    right = formed = covered = 0
    for seed in range(replicates):
        fit = replicate(case, runs, seed, sigma)
        right += fit.kind == case.kind
        if fit.kind == case.kind and fit.interval is not None:
            formed += 1
            covered += fit.interval[0] <= case.truth <= fit.interval[1]
    coverage = covered / formed if formed else float("nan")
    return {"right": right / replicates, "formed": formed / replicates, "coverage": coverage,
            "coverage_se": float(np.sqrt(coverage * (1 - coverage) / formed)) if formed else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--sigma", type=float, default=0.2)
    args = parser.parse_args()
    start = time.perf_counter()
    print(f"{args.replicates} replicates per row, log-normal noise sigma = {args.sigma}, nominal coverage 95%")
    header = f"| {'case':<40} | {'law':<10} | runs | right law | interval formed | coverage (se) |"
    print(header)
    print("|" + "|".join("-" * (len(cell) + 0) for cell in header.split("|")[1:-1]) + "|")
    for case in cases():
        for runs in (1, 8):
            row = study(case, runs, args.replicates, args.sigma)
            print(f"| {case.name:<40} | {case.kind:<10} | {runs:>4} | {row['right']:>9.0%} | "
                  f"{row['formed']:>15.0%} | {row['coverage']:>6.1%} ({row['coverage_se']:.1%}) |")
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
