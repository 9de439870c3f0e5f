"""A small convolutional network on scikit-learn's digits, trained in PyTorch on the CPU.

SGD, NSGD, clipped SGD and IAN-SGD (``gsmooth.torch``) train the same network
from the same initializations over several seeds, to the same sample budget,
in the plain ``loss.backward(); opt.step()`` loop.  IAN-SGD runs twice: with
its normalizer from an independent batch (``opt.independent_norm``, exactly
the paper's eq. 17; both batches count as samples) and with the previous
step's norm (one pass, stale by one step).  Batches come from a DataLoader
over :class:`gsmooth.torch.IndependentBatches` (the baselines use the main
rows only and count only those).

A :class:`gsmooth.torch.SmoothnessProbe` on a fixed probe batch watches every
run and records, per layer and for the whole network, the exact Hessian
norm (power iteration on Hessian-vector products, warm-started with a random
half) and the midpoint ratio of Zhang et al.; the per-layer envelopes
``||hess_bb f|| <= L0 + L1 ||grad_b f||^alpha`` are fitted over all runs, with
intervals from resampling the runs.

Writes ``analysis/figures/torch_digits_loss.png`` (full training loss against
samples, median and 10-90% band over seeds) and
``analysis/figures/torch_digits_smoothness.png`` (the layers side by side),
and prints the results, the fits and the probe's measured cost.

    .venv/bin/python analysis/torch_digits.py [--seeds 5] [--samples 16000]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import time

import numpy as np
import torch
from sklearn.datasets import load_digits

from gsmooth.plots.axes import legend_below, tidy_log_ticks
from gsmooth.plots.curves import band, draw_bands
from gsmooth.plots.labels import series_styles
from gsmooth.plots.style import new_figure, save_figure, styled
from gsmooth.plots.torch_probe import block_smoothness_figure
from gsmooth.torch import (
    IANSGD,
    NSGD,
    ClippedSGD,
    IndependentBatches,
    SmoothnessProbe,
    block_smoothness,
    probe_table,
)

FIGURES = pathlib.Path(__file__).resolve().parent / "figures"
BATCH, BATCH2, PROBE_BATCH = 32, 8, 256
RECORD_EVERY, PROBE_EVERY = 10, 10
#: Power iteration of the probe: warm-started, stopped at a relative change of 1e-3.
PROBE_TOL, PROBE_ITERATIONS = 1e-3, 100
#: Step sizes: the best final loss of a 2-3 point grid on seed 0 at 8000 samples
#: (SGD 0.3, 0.5; NSGD 0.2, 0.4; clipped lr 0.5 with clip 1, 2; IAN-SGD 0.5, 0.8
#: with Gamma 1 and 0.5), the same for every seed and both IAN-SGD sources.
METHODS = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.5),
    "NSGD": lambda p: NSGD(p, lr=0.4),
    "clipped SGD": lambda p: ClippedSGD(p, lr=0.5, clip=1.0),
    "IAN-SGD": lambda p: IANSGD(p, lr=0.8, beta=2 / 3, A=1.0, delta=0.1, Gamma=1.0),
    "IAN-SGD, previous norm": lambda p: IANSGD(p, lr=0.8, beta=2 / 3, A=1.0, delta=0.1,
                                              Gamma=1.0),
}
LAYERS = {"all": "whole network", "0": "conv 1 (80)", "3": "conv 2 (1168)", "7": "linear (650)"}


def digits():
    """Images (n, 1, 8, 8) scaled to [0, 1] and labels (n,)."""
    data = load_digits()
    images = torch.as_tensor(data.images / 16.0, dtype=torch.float32).unsqueeze(1)
    return images, torch.as_tensor(data.target, dtype=torch.int64)


def network(seed: int) -> torch.nn.Module:
    """conv 3x3 (8) - ReLU - pool - conv 3x3 (16) - ReLU - pool - linear (10): 1898 weights."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64, 10),
    )


def cross_entropy(model, x, y) -> torch.Tensor:
    return torch.nn.functional.cross_entropy(model(x), y)


def train(name, seed, run, images, labels, budget):
    """One run in the plain loop: (samples, full loss) at the records, and its probe."""
    model = network(seed)
    optimizer = METHODS[name](model.parameters())
    probe_rows = torch.randperm(len(labels), generator=torch.Generator().manual_seed(10_000 + seed))
    probe = SmoothnessProbe(model, (images[probe_rows[:PROBE_BATCH]], labels[probe_rows[:PROBE_BATCH]]),
                            torch.nn.functional.cross_entropy, every=PROBE_EVERY, run=run,
                            tol=PROBE_TOL, iterations=PROBE_ITERATIONS, seed=seed)
    exact = name == "IAN-SGD"
    per_step = BATCH + BATCH2 if exact else BATCH
    steps = budget // per_step + 1
    draw = IndependentBatches(len(labels), BATCH, BATCH2, seed=seed, steps=steps)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels),
                                         batch_sampler=draw)
    samples, losses = [], []
    for step, loaded in enumerate(loader):
        if step % RECORD_EVERY == 0:
            with torch.no_grad():
                samples.append(step * per_step)
                losses.append(float(cross_entropy(model, images, labels)))
        (x, y), (x2, y2) = draw.split(loaded)
        optimizer.zero_grad()
        cross_entropy(model, x, y).backward()
        norm = optimizer.independent_norm(cross_entropy(model, x2, y2)) if exact else None
        with probe.observe():
            optimizer.step() if norm is None else optimizer.step(independent_norm=norm)
    return np.asarray(samples), np.asarray(losses), probe


@styled
def loss_figure(curves, path):
    """Full training loss against samples drawn (log axes), median and 10-90% band over seeds."""
    styles = series_styles(curves)
    fig, (ax,) = new_figure()
    bands = {}
    for name, (x, y) in curves.items():
        x, y = np.column_stack(x), np.column_stack(y)
        drawn = x[:, 0] > 0
        bands[name] = band(x[drawn], y[drawn])
    handles = draw_bands(ax, bands, styles=styles, logx=True, xlabel="samples drawn",
                         ylabel="training loss (cross-entropy)", title="CNN on scikit-learn's digits")
    tidy_log_ticks(ax)
    seeds = len(next(iter(curves.values()))[0])
    legend_below(fig, handles, list(bands), title=f"median and 10-90% band over {seeds} seeds")
    save_figure(fig, path)


def results_table(curves):
    lines = [f"{'method':<24} {'final loss: median':>18} {'[min, max] over seeds':>24} "
             f"{'samples to loss 0.3 (median)':>29}"]
    for name, (x, y) in curves.items():
        final = np.array([c[-1] for c in y])
        reach = [s[np.argmax(c <= 0.3)] if np.any(c <= 0.3) else np.nan for s, c in zip(x, y)]
        lines.append(f"{name:<24} {np.median(final):>18.4f} "
                     f"{f'[{final.min():.4f}, {final.max():.4f}]':>24} "
                     f"{np.nanmedian(reach) if np.isfinite(reach).any() else np.nan:>29.0f}")
    return "\n".join(lines)


def cost_lines(probes):
    costs = [p.cost() for p in probes]
    median = statistics.median(c["seconds_median"] for c in costs)
    fastest = min(c["seconds_min"] for c in costs)
    products = statistics.median(c["hessian_vector_products_median"] for c in costs)
    table = probe_table(probes)
    cold = table["hessian_vector_products"][table["iteration"] == 0]
    cost = (f"probe cost per recorded step: median {median * 1e3:.1f} ms, min "
            f"{fastest * 1e3:.1f} ms over {sum(c['records'] for c in costs)} records; "
            f"{products:.0f} Hessian-vector products (median, {costs[0]['rows']} rows, "
            f"warm-started; the first record of a run: {cold.sum() / len(probes):.0f}) and "
            f"{costs[0]['extra_forward_backward']} forward-backward passes (gradient with graph, "
            "midpoint per row)")
    converged = (f"power iterations converged (relative change < {PROBE_TOL:g}): "
                 f"{table['converged'].mean():.1%} of {table['converged'].size} rows")
    return [cost, converged]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=16_000)
    parser.add_argument("--resamples", type=int, default=199)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    images, labels = digits()
    curves, probes = {}, {}
    start = time.perf_counter()
    for k, name in enumerate(METHODS):
        runs = [train(name, seed, 100 * k + seed, images, labels, args.samples)
                for seed in range(args.seeds)]
        curves[name] = ([r[0] for r in runs], [r[1] for r in runs])
        probes[name] = [r[2] for r in runs]
    trained = time.perf_counter() - start
    every_probe = [p for runs in probes.values() for p in runs]
    table = probe_table(every_probe)
    fit = block_smoothness(table, n_resamples=args.resamples)
    directional = block_smoothness(table, quantity="directional", n_resamples=args.resamples)
    FIGURES.mkdir(exist_ok=True)
    loss_figure(curves, FIGURES / "torch_digits_loss.png")
    block_smoothness_figure({name: probe_table(runs) for name, runs in probes.items()}, fit,
                            FIGURES / "torch_digits_smoothness.png", names=LAYERS,
                            title=(f"Hessian norm per layer on a fixed probe batch, "
                                   f"{len(every_probe)} runs"))
    print(results_table(curves))
    print(f"{len(every_probe)} runs in {trained:.0f} s (probe included), one thread")
    print("\n".join(cost_lines(every_probe)))
    for title, estimates in (("Hessian norm", fit), ("directional (midpoint) ratio", directional)):
        print(f"\n{title} <= L0 + L1 ||grad||^alpha, per block")
        for block, estimate in estimates.items():
            print(f"[{LAYERS[block]}] {estimate.summary()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
