"""Rate-comparison figures for the built-in cases: published bounds, the derived bound, observed T(eps).

For each case AN-GD runs from ``RUNS`` starts (5% spread around the problem's
start) with the step size the derivation prescribes for each target
``gamma(eps)``, and records the first iteration with ``F - F* <= eps``.
:func:`gsmooth.theory.compare` evaluates every applicable published bound and
the derived one on the constants (``target="gap"``: gradient bounds through
PL), with ``Delta0`` as the interval over the starts.  Cases:

* ``power_beta2of3``, ``power_beta1``: ``||w||^4/4`` (constants exact:
  rho = 4/3, mu = 2, alpha = 2/3, L0 = 0, L1 = 3), the boundary and two-phase regimes;
* ``quadratic_gd``: the quadratic with eigenvalues (1, 4), GD (beta = 0),
  where the published PL rates have explicit constants;
* ``phase_retrieval_beta1``: noise-free phase retrieval (m = 400, d = 20), with
  (L0, L1, alpha) from the Hessian-norm estimator and (rho, mu) from the PL
  estimator, both with their resampling intervals.

Each case writes ``analysis/figures/rate_comparison_<case>.json`` (the
comparison table and the sweep, plain data) and the figure drawn from that
file, ``rate_comparison_<case>.png``; ``rate_comparison_regime_map.png`` marks
the cases on the (rho, beta) plane.  Run ``python analysis/rate_comparison.py
[--cases power_beta1 ...] [--runs 8]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import gsmooth as gs
from gsmooth._io import write_json_atomic
from gsmooth.rates.teps import first_hitting
from gsmooth.theory import an_gd_bound, compare
from gsmooth.theory.exact import exact

FIGURES = Path(__file__).resolve().parent / "figures"
RUNS = 8
SPREAD = 0.05
MAX_STEPS = 200_000
EPS_LONG = tuple(10.0**-k for k in range(2, 11))
EPS_SHORT = tuple(10.0**-k for k in (1, 1.5, 2, 2.5, 3, 3.5, 4))


def _power():
    return gs.problems.power(d=10, p=4)


def _quadratic():
    return gs.problems.quadratic([1.0, 4.0])


def _phase_retrieval():
    return gs.problems.phase_retrieval(m=400, d=20, seed=0, noise_std=0.0)


CASES = {
    "power_beta2of3": (_power, "2/3", EPS_LONG, r"$\|w\|^4/4$, AN-GD $\beta = 2/3$ ($\rho + \beta = 2$)"),
    "power_beta1": (_power, "1", EPS_LONG, r"$\|w\|^4/4$, AN-GD $\beta = 1$ (two-phase)"),
    "quadratic_gd": (_quadratic, "0", EPS_LONG, r"quadratic, eigenvalues (1, 4), GD ($\beta = 0$)"),
    "phase_retrieval_beta1": (_phase_retrieval, "1", EPS_SHORT,
                              r"phase retrieval, AN-GD $\beta = 1$, estimated constants"),
}


def starts(problem, runs: int, seed: int = 0) -> np.ndarray:
    """``runs`` starting points, each coordinate scaled by ``1 + SPREAD * N(0, 1)``."""
    rng = np.random.default_rng(seed)
    return problem.start * (1.0 + SPREAD * rng.standard_normal((runs, problem.dim)))


def known_constants(problem) -> dict:
    c = problem.constants
    return {name: str(exact(getattr(c, name))) for name in ("rho", "mu", "alpha", "L0", "L1")}


def estimated_constants(problem, w0) -> dict:
    """(L0, L1, alpha) from Hessian norms and (rho, mu) from PL pairs, as ``(low, high)`` intervals."""
    res = gs.run(problem, gs.optim.an_gd(lr=0.02, beta=1.0), 1000, w0=w0, capture=True, keep_iterates=True)
    smooth = gs.estimate.smoothness(problem, res, source="hessian", n_resamples=49)
    pl = gs.estimate.pl(problem, res, n_resamples=49)
    point = {"rho": min(pl.rho, 2.0), "mu": pl.mu, "alpha": min(max(smooth.alpha, 0.0), 1.0),
             "L0": max(smooth.L0, 0.0), "L1": max(smooth.L1, 0.0)}
    intervals = {**(smooth.intervals or {}), **(pl.intervals or {})}
    constants = {}
    for name, value in point.items():
        low, high = intervals.get(name, (value, value))
        low, high = min(low, value), max(high, value)
        if name == "rho":
            low, high = max(low, 0.05), min(high, 2.0)
        if name == "alpha":
            low, high = max(low, 0.0), min(high, 1.0)
        constants[name] = (_round(max(low, 0.0)), _round(high))
    return constants, {name: _round(value) for name, value in point.items()}


def _round(value: float) -> str:
    return f"{value:.3g}"


def sweep(problem, beta: str, eps_grid, constants: dict, w0) -> dict:
    """First-hitting times T[i, r] of run r at eps_grid[i] with gamma(eps_i); -1 where not reached."""
    bound = an_gd_bound(constants["rho"], beta, constants["alpha"], L0=constants["L0"], L1=constants["L1"],
                        mu=constants["mu"])
    eps = np.asarray(eps_grid, dtype=float)
    gamma = np.asarray(bound.stepsize_value(eps), dtype=float)
    delta0 = float(np.max(problem.value(w0)) - problem.f_star)
    t_bound = np.asarray(bound.iterations_value(eps, Delta0=delta0), dtype=float)
    steps = int(min(MAX_STEPS, np.ceil(1.2 * np.nanmax(t_bound)) + 10))
    runs = w0.shape[0]
    res = gs.run(problem, gs.optim.an_gd(lr=np.repeat(gamma, runs).tolist(), beta=float(bound.beta)), steps,
                 w0=np.tile(w0, (eps.size, 1)), record=1, progress=False)
    hits = first_hitting(res.iters[:, 0], res.gap, np.repeat(eps, runs)).reshape(eps.size, runs)
    return {"eps": eps.tolist(), "T": hits.tolist(), "stepsize": gamma.tolist(), "steps": steps,
            "beta": beta, "runs": runs}


def run_case(name: str, runs: int) -> dict:
    build, beta, eps_grid, title = CASES[name]
    problem = build()
    w0 = starts(problem, runs)
    if name.startswith("phase_retrieval"):
        constants, point = estimated_constants(problem, w0)
    else:
        constants = point = known_constants(problem)
    gaps = problem.value(w0) - problem.f_star
    delta0 = (_round(float(np.min(gaps))), _round(float(np.max(gaps))))
    table = compare({**constants, "beta": beta, "Delta0": delta0}, list(eps_grid), methods=["AN-GD"],
                    target="gap", point={**point, "Delta0": _round(float(np.median(gaps)))})
    observed = sweep(problem, beta, eps_grid, point, w0)
    data = {"case": name, "title": title, "comparison": table.as_dict(), "sweep": observed}
    write_json_atomic(FIGURES / f"rate_comparison_{name}.json", data)
    print(f"{name}: {title}")
    print(table, end="\n\n")
    return data


def draw(name: str) -> str:
    """Draw the figure of ``name`` from its saved JSON (the path a report would take)."""
    data = json.loads((FIGURES / f"rate_comparison_{name}.json").read_text())
    path = FIGURES / f"rate_comparison_{name}.png"
    gs.plots.rate_comparison(data["comparison"], data["sweep"], title=data["title"], path=path)
    return str(path)


def regime_map(names) -> str:
    """The cases on the (rho, beta) plane, labelled by problem (phase retrieval at its estimated rho)."""
    marked = []
    for name in names:
        saved = json.loads((FIGURES / f"rate_comparison_{name}.json").read_text())
        point = saved["comparison"]["point"]
        problem = {"power": "power", "quadratic": "quadratic", "phase": "phase retrieval"}[name.split("_")[0]]
        marked.append((point["rho"], CASES[name][1], f"{problem}, beta = {CASES[name][1]}"))
    path = FIGURES / "rate_comparison_regime_map.png"
    gs.plots.regime_map(points=marked, path=path)
    return str(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--draw-only", action="store_true", help="redraw from the saved JSON files")
    args = parser.parse_args(argv)
    FIGURES.mkdir(exist_ok=True)
    for name in args.cases:
        start = time.perf_counter()
        if not args.draw_only:
            run_case(name, args.runs)
        print(f"wrote {draw(name)} ({time.perf_counter() - start:.1f} s)")
    print(f"wrote {regime_map(args.cases)}")


if __name__ == "__main__":
    main()
