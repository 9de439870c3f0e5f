"""Hessian norm and directional smoothness against the gradient norm along a small network's training.

On the digits MLP (``gs.problems.mlp()``, 2410 parameters), four full-batch
gradient-descent runs from four Glorot starts, recorded every 4 steps with
``capture=True``: at every record the run measures ``||hess F(w_t)||`` (Lanczos
on the R-operator Hessian-vector products, on the run's device) and, along the
step, the midpoint ratio ``||grad F(w_t + d/2) - grad F(w_t)|| / (||d||/2)`` of
Zhang, He, Sra and Jadbabaie (ICLR 2020, Figure 1), a directional smoothness.
``gs.estimate.smoothness`` fits the envelope ``L0 + L1 g^alpha`` of the
Hessian norm (the quantity the condition bounds) with intervals over the runs,
and the directional envelope beside it.  Writes
``analysis/figures/estimate_mlp.png`` and prints both estimates and the
Spearman correlation of ``log g`` with ``log r`` for each quantity.

Run: ``python analysis/estimate_mlp.py`` (a few minutes on two cores).
"""

import pathlib
import time

import numpy as np
from scipy.stats import spearmanr

import gsmooth as gs
from gsmooth.plots.estimate import smoothness_figure

RUNS = 4
STEPS = 400
LR = 0.5
FIGURE = pathlib.Path(__file__).parent / "figures" / "estimate_mlp.png"


def main() -> None:
    problem = gs.problems.mlp()
    w0 = np.stack([gs.problems.mlp(seed=s).start for s in range(RUNS)])
    start = time.perf_counter()
    res = gs.run(problem, gs.optim.gd(LR), STEPS, seeds=RUNS, w0=w0, record=4, capture=True)
    print(res.summary())
    print(f"run with captures: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    est = gs.estimate.smoothness(problem, res, n_resamples=199)
    print(f"fit: {time.perf_counter() - start:.1f} s")
    print(est.summary())
    for name, data in (("Hessian norm", est.data), ("directional", est.directional.data)):
        rank = spearmanr(np.log(data.g), np.log(data.r))
        print(f"Spearman correlation of log g and log r, {name}: {rank.statistic:.3f} "
              f"(p = {rank.pvalue:.2g}, {len(data)} pairs)")
    print(f"figure: {smoothness_figure(est, FIGURE)}")


if __name__ == "__main__":
    main()
