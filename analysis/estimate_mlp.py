"""Local smoothness against gradient norm along the training of a small network.

Reproduces, on the digits MLP (``gs.problems.mlp()``), the qualitative finding
of Zhang, He, Sra and Jadbabaie (ICLR 2020, Figure 1): measured with the
segment-midpoint probe ``||grad F(w_t + d/2) - grad F(w_t)|| / (||d||/2)``
after each gradient step, the local smoothness grows with the gradient norm.
Four full-batch gradient-descent runs from four Glorot starts; the envelope
``L0 + L1 g^alpha`` and its intervals (resampling the runs) come from
``gs.estimate.smoothness``.  Writes ``analysis/figures/estimate_mlp.png`` and
prints the estimate and the Spearman correlation of ``log g`` and ``log r``.

Run: ``python analysis/estimate_mlp.py`` (about a minute on two cores).
"""

import pathlib

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
    res = gs.run(problem, gs.optim.gd(LR), STEPS, seeds=RUNS, w0=w0, record=4, capture=True)
    print(res.summary())
    est = gs.estimate.smoothness(problem, res, source="midpoint", n_resamples=199)
    print(est.summary())
    rank = spearmanr(np.log(est.data.g), np.log(est.data.r))
    print(f"Spearman correlation of log g and log r: {rank.statistic:.3f} "
          f"(p = {rank.pvalue:.2g}, {len(est.data)} pairs)")
    print(f"figure: {smoothness_figure(est, FIGURE)}")


if __name__ == "__main__":
    main()
