"""A small convolutional network on scikit-learn's digits, trained in PyTorch on the CPU.

SGD, NSGD, clipped SGD and IAN-SGD (``gsmooth.torch``) train the same network
from the same initializations over several seeds, to the same sample budget
(IAN-SGD counts both of its batches).  A :class:`gsmooth.torch.SmoothnessProbe`
with a fixed probe batch watches every run and records Zhang et al.'s midpoint
smoothness against the gradient norm; ``gs.estimate.smoothness`` fits the
envelope ``r <= L0 + L1 g^alpha`` to the pooled pairs, with intervals from
resampling the runs.

Writes ``analysis/figures/torch_digits_loss.png`` (full training loss against
samples, median and 10-90% band over seeds) and
``analysis/figures/torch_digits_smoothness.png``, and prints a results table.

    .venv/bin/python analysis/torch_digits.py [--seeds 5] [--samples 16000]
"""

from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np
import torch
from sklearn.datasets import load_digits

import gsmooth as gs
from gsmooth.plots.curves import band, draw_bands
from gsmooth.plots.style import new_figure, save_figure
from gsmooth.torch import (
    IANSGD,
    NSGD,
    ClippedSGD,
    IndependentBatches,
    SmoothnessProbe,
    probe_result,
)

FIGURES = pathlib.Path(__file__).resolve().parent / "figures"
BATCH, BATCH2, PROBE_BATCH = 32, 8, 256
RECORD_EVERY, PROBE_EVERY = 10, 5
#: Step sizes: the best final loss of a 2-3 point grid on seed 0 at 8000 samples
#: (SGD 0.3, 0.5; NSGD 0.2, 0.4; clipped lr 0.5 with clip 1, 2; IAN-SGD 0.5, 0.8
#: with Gamma 1 and 0.5), the same for every seed.
METHODS = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.5),
    "NSGD": lambda p: NSGD(p, lr=0.4),
    "clipped SGD": lambda p: ClippedSGD(p, lr=0.5, clip=1.0),
    "IAN-SGD": lambda p: IANSGD(p, lr=0.8, beta=2 / 3, A=1.0, delta=0.1, Gamma=1.0),
}


def digits():
    """Images (n, 1, 8, 8) scaled to [0, 1] and labels (n,)."""
    data = load_digits()
    images = torch.as_tensor(data.images / 16.0, dtype=torch.float32).unsqueeze(1)
    return images, torch.as_tensor(data.target, dtype=torch.int64)


def network(seed: int) -> torch.nn.Module:
    """conv 3x3 (8) - ReLU - pool - conv 3x3 (16) - ReLU - pool - linear (10): 1.9k weights."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64, 10),
    )


def loss_on(model, images, labels, idx=None) -> torch.Tensor:
    """Mean cross-entropy on rows ``idx`` (all rows when None)."""
    x, y = (images, labels) if idx is None else (images[idx], labels[idx])
    return torch.nn.functional.cross_entropy(model(x), y)


def train(name, seed, images, labels, budget):
    """One run: (samples, full loss) at the records, and its probe."""
    model = network(seed)
    optimizer = METHODS[name](model.parameters())
    rng = torch.Generator().manual_seed(10_000 + seed)
    probe_idx = torch.randperm(len(labels), generator=rng)[:PROBE_BATCH]
    probe = SmoothnessProbe(model, every=PROBE_EVERY, midpoint=True,
                            probe_batch=(images[probe_idx], labels[probe_idx]),
                            loss_fn=torch.nn.functional.cross_entropy)
    draw = IndependentBatches(len(labels), BATCH, BATCH2, seed=seed)
    per_step = draw.samples_per_step if name == "IAN-SGD" else BATCH
    samples, losses = [], []
    for step in range(budget // per_step + 1):
        if step % RECORD_EVERY == 0:
            with torch.no_grad():
                samples.append(step * per_step)
                losses.append(float(loss_on(model, images, labels)))
        idx, idx2 = draw()

        def closure(rows=idx):
            optimizer.zero_grad()
            loss = loss_on(model, images, labels, rows)
            loss.backward()
            return loss

        with probe.observe():
            if name == "IAN-SGD":
                optimizer.step(closure, lambda: closure(idx2))
            else:
                optimizer.step(closure)
    return np.asarray(samples), np.asarray(losses), probe


def loss_figure(curves, path):
    fig, (ax,) = new_figure(width=4.2, height=3.0)
    bands = {name: band(np.column_stack(x), np.column_stack(y)) for name, (x, y) in curves.items()}
    draw_bands(ax, bands, xlabel="samples", ylabel="training loss (cross-entropy)",
               title=f"CNN on digits, {len(next(iter(curves.values()))[0])} seeds")
    save_figure(fig, path)


def smoothness_figure(probes, estimate, path):
    fig, (ax,) = new_figure(width=4.2, height=3.0)
    for name, runs in probes.items():
        data = [p.data() for p in runs]
        g = np.concatenate([d["grad_norm"] for d in data])
        r = np.concatenate([d["midpoint_smoothness"] for d in data])
        ax.scatter(g, r, s=3, alpha=0.4, label=name)
    grid = np.geomspace(estimate.data.g.min(), estimate.data.g.max(), 100)
    ax.plot(grid, estimate.envelope(grid), color="black",
            label=rf"$L_0 + L_1 g^\alpha$, $\alpha$ = {estimate.alpha:.2f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\|\nabla f_P(w_t)\|$ (probe batch)")
    ax.set_ylabel("midpoint smoothness")
    ax.legend(frameon=False, markerscale=3, fontsize="small")
    save_figure(fig, path)


def results_table(curves):
    lines = [f"{'method':<12} {'final loss: median':>18} {'[min, max] over seeds':>24} "
             f"{'samples to loss 0.3 (median)':>29}"]
    for name, (x, y) in curves.items():
        final = np.array([c[-1] for c in y])
        reach = [s[np.argmax(c <= 0.3)] if np.any(c <= 0.3) else np.nan for s, c in zip(x, y)]
        lines.append(f"{name:<12} {np.median(final):>18.4f} "
                     f"{f'[{final.min():.4f}, {final.max():.4f}]':>24} "
                     f"{np.nanmedian(reach) if np.isfinite(reach).any() else np.nan:>29.0f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=16_000)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    images, labels = digits()
    curves, probes = {}, {}
    start = time.perf_counter()
    for name in METHODS:
        runs = [train(name, seed, images, labels, args.samples) for seed in range(args.seeds)]
        curves[name] = ([r[0] for r in runs], [r[1] for r in runs])
        probes[name] = [r[2] for r in runs]
    every_probe = [p for runs in probes.values() for p in runs]
    estimate = gs.estimate.smoothness(None, probe_result(every_probe, "CNN on digits"),
                                      source="midpoint", n_resamples=199)
    FIGURES.mkdir(exist_ok=True)
    loss_figure(curves, FIGURES / "torch_digits_loss.png")
    smoothness_figure(probes, estimate, FIGURES / "torch_digits_smoothness.png")
    print(results_table(curves))
    print(f"{len(every_probe)} runs in {time.perf_counter() - start:.0f} s")
    print()
    print(estimate.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
