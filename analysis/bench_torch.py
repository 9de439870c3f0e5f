"""Step time of gsmooth.torch.IANSGD in each mode against torch.optim.SGD with clip_grad_norm_.

A ~1.07M-parameter MLP (784-1024-256-10) on random data, batch 32 (and an
independent batch of 8 for the two-pass modes), one thread
(``torch.set_num_threads(1)``).  Two tables:

* **training step**: ``zero_grad``, forward, backward and the update, as a
  loop runs it.  The previous-norm mode does the work of clipped SGD: one
  backward, one global norm, one scaled update; the given-norm mode (with
  ``reuse_norm=False``) takes no norm at all, the user supplies it.  The two-pass modes (the helper, two closures) add a
  forward and backward pass on the independent batch, which is their price;
* **update only**: the same gradients in ``.grad`` every time, only
  ``clip_grad_norm_ + SGD.step()`` against ``opt.step()``.

Rounds are interleaved (every variant once per round, in a rotated order)
after a warm-up; each cell is the per-step time over ``--steps`` steps, and
the table prints the min and median over rounds and the ratio of medians to
clipped SGD.  Timings on a shared machine move with its load (printed).

    .venv/bin/python analysis/bench_torch.py [--rounds 15] [--steps 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

from gsmooth.torch import IANSGD, ClippedSGD

BATCH, BATCH2, LR, CLIP = 32, 8, 0.05, 1.0


def model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(),
                               torch.nn.Linear(1024, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 10))


def data():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(BATCH + BATCH2, 784, generator=gen)
    return x, torch.randint(10, (BATCH + BATCH2,), generator=gen)


def loss_of(net, x, y):
    return torch.nn.functional.cross_entropy(net(x), y)


def training_steps():
    """Variant name -> a function doing one training step (each with its own model)."""
    x, y = data()
    main, independent = (x[:BATCH], y[:BATCH]), (x[BATCH:], y[BATCH:])
    steps = {}

    def clipped_sgd():
        net = model()
        opt = torch.optim.SGD(net.parameters(), lr=LR)

        def step():
            opt.zero_grad()
            loss_of(net, *main).backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), CLIP)
            opt.step()
        return step

    def plain(make, **call):
        net = model()
        opt = make(net.parameters())

        def step():
            opt.zero_grad()
            loss_of(net, *main).backward()
            opt.step(**call)
        return step

    def helper():
        net = model()
        opt = IANSGD(net.parameters(), lr=LR, Gamma=1.0)

        def step():
            opt.zero_grad()
            loss_of(net, *main).backward()
            opt.step(independent_norm=opt.independent_norm(loss_of(net, *independent)))
        return step

    def closures():
        net = model()
        opt = IANSGD(net.parameters(), lr=LR, Gamma=1.0)

        def step():
            opt.step(lambda: loss_of(net, *main).backward(),
                     lambda: loss_of(net, *independent).backward())
        return step

    steps["torch SGD + clip_grad_norm_"] = clipped_sgd()
    steps["gsmooth ClippedSGD"] = plain(lambda p: ClippedSGD(p, lr=LR, clip=CLIP))
    steps["IANSGD previous norm (1 pass)"] = plain(lambda p: IANSGD(p, lr=LR, Gamma=1.0))
    steps["IANSGD given norm (no norm taken)"] = plain(
        lambda p: IANSGD(p, lr=LR, Gamma=1.0, reuse_norm=False), independent_norm=3.0)
    steps["IANSGD helper (2 passes)"] = helper()
    steps["IANSGD two closures (2 passes)"] = closures()
    return steps


def update_steps():
    """Variant name -> one update from fixed gradients (no forward or backward)."""
    x, y = data()
    steps = {}

    def with_gradients():
        net = model()
        loss_of(net, x[:BATCH], y[:BATCH]).backward()
        grads = [p.grad.clone() for p in net.parameters()]
        return net, grads

    def reset(net, grads):
        for p, g in zip(net.parameters(), grads):
            p.grad.copy_(g)

    net_c, grads_c = with_gradients()
    sgd = torch.optim.SGD(net_c.parameters(), lr=LR)

    def clipped():
        reset(net_c, grads_c)
        torch.nn.utils.clip_grad_norm_(net_c.parameters(), CLIP)
        sgd.step()

    steps["torch SGD + clip_grad_norm_"] = clipped
    for name, make, call in (
        ("gsmooth ClippedSGD", lambda p: ClippedSGD(p, lr=LR, clip=CLIP), {}),
        ("IANSGD previous norm", lambda p: IANSGD(p, lr=LR, Gamma=1.0), {}),
        ("IANSGD given norm (no norm taken)", lambda p: IANSGD(p, lr=LR, Gamma=1.0, reuse_norm=False),
         {"independent_norm": 3.0}),
    ):
        net, grads = with_gradients()
        opt = make(net.parameters())

        def update(net=net, grads=grads, opt=opt, call=call):
            reset(net, grads)
            opt.step(**call)
        steps[name] = update
    return steps


def interleaved(steps: dict, rounds: int, per_round: int) -> dict[str, list[float]]:
    """Per-step seconds of each variant in every round, rounds interleaved and rotated."""
    names = list(steps)
    for name in names:                       # warm-up
        for _ in range(3):
            steps[name]()
    times = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            start = time.perf_counter()
            for _ in range(per_round):
                steps[name]()
            times[name].append((time.perf_counter() - start) / per_round)
    return times


def table(title: str, times: dict) -> str:
    reference = statistics.median(next(iter(times.values())))
    lines = [title, f"  {'variant':<34}{'min ms':>9}{'median ms':>11}{'ratio (median)':>16}"]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(f"  {name:<34}{min(values) * 1e3:>9.3f}{median * 1e3:>11.3f}"
                     f"{median / reference:>16.3f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    n_params = sum(p.numel() for p in model().parameters())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, {n_params} parameters, "
          f"batch {BATCH} (+{BATCH2}), {args.rounds} rounds x {args.steps} steps, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(table("training step (zero_grad, forward, backward, update)",
                interleaved(training_steps(), args.rounds, args.steps)))
    print(table("update only (same gradients each time)",
                interleaved(update_steps(), args.rounds, args.steps * 5)))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
