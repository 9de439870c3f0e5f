"""Every scheduler of torch.optim.lr_scheduler that applies runs with every optimizer, with a
float and with a Tensor lr, and the step really uses the scheduled lr (and cycled momentum)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # small ops: more threads only contend on a shared machine

from torch.optim import lr_scheduler  # noqa: E402

from gsmooth.torch import IANSGD, NSGD, ClippedSGD, NSGDMomentum  # noqa: E402

OPTIMIZERS = {
    "IANSGD": lambda p, lr: IANSGD(p, lr=lr, Gamma=2.0),
    "NSGD": lambda p, lr: NSGD(p, lr=lr),
    "NSGDMomentum": lambda p, lr: NSGDMomentum(p, lr=lr, momentum=0.5),
    "ClippedSGD": lambda p, lr: ClippedSGD(p, lr=lr, clip=1.0),
}

SCHEDULERS = {
    "LambdaLR": lambda o: lr_scheduler.LambdaLR(o, lambda t: 0.9**t),
    "MultiplicativeLR": lambda o: lr_scheduler.MultiplicativeLR(o, lambda t: 0.9),
    "StepLR": lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
    "MultiStepLR": lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 4], gamma=0.5),
    "ConstantLR": lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3),
    "LinearLR": lambda o: lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=4),
    "ExponentialLR": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8),
    "PolynomialLR": lambda o: lr_scheduler.PolynomialLR(o, total_iters=6, power=2.0),
    "CosineAnnealingLR": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5),
    "CosineAnnealingWarmRestarts": lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3),
    "CyclicLR": lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2),
    "OneCycleLR": lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=8),
    "SequentialLR": lambda o: lr_scheduler.SequentialLR(
        o, [lr_scheduler.ConstantLR(o, factor=0.5, total_iters=2),
            lr_scheduler.ExponentialLR(o, gamma=0.9)], milestones=[2]),
    "ChainedScheduler": lambda o: lr_scheduler.ChainedScheduler(
        [lr_scheduler.ConstantLR(o, factor=0.5, total_iters=2),
         lr_scheduler.ExponentialLR(o, gamma=0.9)]),
    "ReduceLROnPlateau": lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=0, factor=0.5),
}


def test_the_list_covers_every_scheduler_torch_has():
    names = {name for name, value in vars(lr_scheduler).items()
             if isinstance(value, type) and issubclass(value, lr_scheduler.LRScheduler)
             and not name.startswith("_") and value is not lr_scheduler.LRScheduler}
    assert names == set(SCHEDULERS)


@pytest.mark.parametrize("tensor_lr", [False, True])
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("scheduler", sorted(SCHEDULERS))
def test_scheduler_runs_and_the_step_uses_its_lr(scheduler, optimizer, tensor_lr):
    torch.manual_seed(0)
    w = torch.nn.Parameter(torch.randn(3, dtype=torch.float64))
    lr = torch.tensor(0.1, dtype=torch.float64) if tensor_lr else 0.1
    opt = OPTIMIZERS[optimizer]([w], lr)
    schedule = SCHEDULERS[scheduler](opt)
    for step in range(8):
        lr_now = float(opt.param_groups[0]["lr"])
        momentum = opt.param_groups[0]["momentum"]
        before = w.detach().clone()
        w.grad = torch.full((3,), 1e-3, dtype=torch.float64)      # small: clipping inactive
        opt.step()
        moved = float(torch.linalg.vector_norm(w.detach() - before))
        if momentum == 0:
            # The normalized methods move lr * |g|^(1 - beta) or lr |g| (g = 1e-3 sqrt 3 here);
            # IAN-SGD's normalizer is 1 for this gradient: all move lr * (their factor).
            norm = 1e-3 * np.sqrt(3)
            factor = {"NSGD": 1.0, "ClippedSGD": norm, "IANSGD": norm}[optimizer]
            np.testing.assert_allclose(moved, lr_now * factor, rtol=1e-9)
        if scheduler == "ReduceLROnPlateau":
            schedule.step(1.0)
        else:
            schedule.step()
    assert isinstance(opt.param_groups[0]["lr"], torch.Tensor) == tensor_lr


def test_one_cycle_cycles_ian_sgd_momentum_inversely_to_lr():
    w = torch.nn.Parameter(torch.ones(2))
    opt = IANSGD([w], lr=0.1)
    schedule = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    seen = []
    for _ in range(9):
        w.grad = torch.ones(2)
        opt.step()
        schedule.step()
        seen.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
    lrs, momenta = np.array(seen).T
    assert momenta.min() == pytest.approx(0.85, abs=1e-3) and momenta.max() <= 0.95
    assert np.argmax(lrs) == np.argmin(momenta)
    assert "momentum_buffer" in opt.state[w]


def test_one_cycle_without_momentum_cycling_keeps_eq_17():
    w = torch.nn.Parameter(torch.ones(2))
    opt = IANSGD([w], lr=0.1)
    schedule = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10, cycle_momentum=False)
    for _ in range(5):
        w.grad = torch.ones(2)
        opt.step()
        schedule.step()
        assert opt.param_groups[0]["momentum"] == 0.0
    assert "momentum_buffer" not in opt.state[w]
