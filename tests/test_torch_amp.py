"""Mixed precision: GradScaler and float16 parameters give the float32 unscaled step; a step with
an overflow is skipped as torch.optim skips it; float16 norms above 65504 stay finite; closures
are refused under a scaler."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # small ops: more threads only contend on a shared machine

from gsmooth.torch import IANSGD, NSGD, ClippedSGD, NSGDMomentum  # noqa: E402

D = 6
MAKERS = {
    "nsgd": lambda p: NSGD(p, lr=0.05, beta=0.5),
    "nsgd_momentum": lambda p: NSGDMomentum(p, lr=0.05, momentum=0.5),
    "clipped": lambda p: ClippedSGD(p, lr=0.05, clip=0.5, weight_decay=0.1),
    "ian_sgd_previous": lambda p: IANSGD(p, lr=0.05, Gamma=2.0, delta=0.1),
}


@pytest.fixture
def batches():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(4, 16, D, generator=gen)
    return x, x @ torch.linspace(-1, 1, D) + 0.1 * torch.randn(4, 16, generator=gen)


def model_of(dtype):
    torch.manual_seed(0)
    return torch.nn.Linear(D, 1).to(dtype)


def loss_of(model, x, y):
    return 0.5 * ((model(x.to(model.weight.dtype)).float()[:, 0] - y) ** 2).mean()


def train(make, batches, dtype, scaler=None, helper=False):
    model = model_of(dtype)
    opt = make(model.parameters())
    for x, y in zip(*batches):
        opt.zero_grad()
        loss = loss_of(model, x, y)
        if scaler is None:
            loss.backward()
            norm = opt.independent_norm(loss_of(model, -x, y)) if helper else None
            opt.step() if norm is None else opt.step(independent_norm=norm)
        else:
            scaler.scale(loss).backward()
            norm = opt.independent_norm(loss_of(model, -x, y), scaler=scaler) if helper else None
            scaler.step(opt) if norm is None else scaler.step(opt, independent_norm=norm)
            scaler.update()
    return torch.cat([p.detach().double().reshape(-1) for p in model.parameters()]).numpy()


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_grad_scaler_gives_the_unscaled_step(batches, name):
    plain = train(MAKERS[name], batches, torch.float32)
    scaled = train(MAKERS[name], batches, torch.float32, torch.amp.GradScaler("cpu", 2.0**12))
    np.testing.assert_allclose(scaled, plain, rtol=1e-5, atol=1e-6)


def test_grad_scaler_with_the_helper_gives_the_unscaled_step(batches):
    make = lambda p: IANSGD(p, lr=0.05, Gamma=2.0, delta=0.1)  # noqa: E731
    plain = train(make, batches, torch.float32, helper=True)
    scaled = train(make, batches, torch.float32, torch.amp.GradScaler("cpu", 2.0**12), helper=True)
    np.testing.assert_allclose(scaled, plain, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_float16_parameters_under_a_scaler_match_the_float32_step(batches, name):
    reference = train(MAKERS[name], batches, torch.float32)
    half = train(MAKERS[name], batches, torch.float16, torch.amp.GradScaler("cpu", 2.0**10))
    start = train(MAKERS[name], (batches[0][:0], batches[1][:0]), torch.float32)
    moved = np.linalg.norm(reference - start)
    assert moved > 0.05
    assert np.linalg.norm(half - reference) < 0.01 * moved + 5e-4   # float16 rounding of w


def test_an_overflow_skips_the_step_and_lowers_the_scale(batches):
    model = model_of(torch.float16)
    before = [p.detach().clone() for p in model.parameters()]
    opt = IANSGD(model.parameters(), lr=0.05)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**40)    # 2^40 g overflows float16
    scaler.scale(loss_of(model, batches[0][0], batches[1][0])).backward()
    scaler.step(opt)
    scaler.update()
    assert all(torch.equal(p, b) for p, b in zip(model.parameters(), before))
    assert opt.held_norm is None and scaler.get_scale() < 2.0**40


@pytest.mark.parametrize("positional", [True, False])
def test_closures_are_refused_under_a_scaler(batches, positional):
    model = model_of(torch.float32)
    opt = IANSGD(model.parameters(), lr=0.05)
    scaler = torch.amp.GradScaler("cpu")
    x, y = batches[0][0], batches[1][0]

    def closure():
        loss = loss_of(model, x, y)
        scaler.scale(loss).backward()
        return loss

    closure()
    with pytest.raises(RuntimeError, match="Closure|closure"):
        if positional:
            scaler.step(opt, closure, closure)
        else:
            scaler.step(opt, closure=closure)


def test_float16_norm_above_65504_is_finite_and_exact():
    w = torch.nn.Parameter(torch.zeros(4, dtype=torch.float16))
    w.grad = torch.full((4,), 40000.0, dtype=torch.float16)          # norm 80000 > 65504
    for opt in (NSGD([w], lr=0.5), IANSGD([w], lr=0.5, Gamma=1e-4)):
        with torch.no_grad():
            w.zero_()
        opt.step()
        h = max(1.0, 1e-4 * 80000.0)
        expected = -0.5 * 0.5 if isinstance(opt, NSGD) else -0.5 * 40000.0 / h ** (2 / 3)
        np.testing.assert_allclose(w.detach().float().numpy(), expected, rtol=2e-3)


def test_bfloat16_autocast_step_is_close_to_float32(batches):
    make = MAKERS["ian_sgd_previous"]
    reference = train(make, batches, torch.float32)
    model = model_of(torch.float32)
    opt = make(model.parameters())
    for x, y in zip(*batches):
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            prediction = model(x)
        (0.5 * ((prediction.float()[:, 0] - y) ** 2).mean()).backward()
        opt.step()
    got = torch.cat([p.detach().double().reshape(-1) for p in model.parameters()]).numpy()
    np.testing.assert_allclose(got, reference, rtol=0, atol=2e-2)
