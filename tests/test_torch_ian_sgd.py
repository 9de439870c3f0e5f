"""IANSGD: each source of the normalizer against a hand computation, the plain loop, closure
mistakes, and a state_dict round trip that restores everything."""

import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # small ops: more threads only contend on a shared machine

from gsmooth.torch import IANSGD, NSGDMomentum  # noqa: E402

N, D = 12, 3
HYPER = {"lr": 0.3, "beta": 2 / 3, "A": 2.0, "delta": 0.5, "Gamma": 0.8}


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    return rng.standard_normal((N, D)), rng.standard_normal(N)


def linear_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Linear(D, 1).double()


def loss_on(model, data, idx):
    x, y = (torch.as_tensor(a[np.asarray(idx)]) for a in data)
    return 0.5 * ((model(x)[:, 0] - y) ** 2).mean()


def closure_on(model, data, idx, calls=None, zero=True):
    """A closure on rows ``idx``; ``zero=False`` forgets ``zero_grad``; logs ``idx`` in ``calls``."""
    def closure():
        if calls is not None:
            calls.append(list(idx))
        if zero:
            model.zero_grad()
        loss = loss_on(model, data, idx)
        loss.backward()
        return loss
    return closure


def backward_on(model, data, idx):
    model.zero_grad()
    loss_on(model, data, idx).backward()


def hand_gradient(w, data, idx):
    x, y = data[0][idx], data[1][idx]
    residual = x @ w[:-1] + w[-1] - y
    return np.append(x.T @ residual / len(idx), residual.mean())


def vector(model):
    return np.append(model.weight.detach().numpy()[0], model.bias.detach().numpy())


def ian_step(w, g, norm, lr=0.3, beta=2 / 3, A=2.0, delta=0.5, Gamma=0.8):
    h = max(1.0, Gamma * (A * norm + delta))
    return w - lr * g / h**beta


MAIN = ([0, 3, 5, 8], [2, 4, 9], [1, 6, 7, 10])
INDEPENDENT = ([1, 11], [0, 5], [3, 8])


def test_two_closures_are_exactly_eq_17(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER)
    for main, independent in zip(MAIN, INDEPENDENT):
        w, calls = vector(model), []
        opt.step(closure_on(model, data, main, calls), closure_on(model, data, independent, calls))
        assert calls == [independent, main]
        norm = np.linalg.norm(hand_gradient(w, data, independent))
        assert max(1.0, 0.8 * (2 * norm + 0.5)) > 1.0      # the normalizer is active
        np.testing.assert_allclose(vector(model), ian_step(w, hand_gradient(w, data, main), norm),
                                   rtol=1e-12)


def test_helper_in_the_plain_loop_is_exactly_eq_17_and_leaves_grad_alone(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER)
    for main, independent in zip(MAIN, INDEPENDENT):
        w = vector(model)
        backward_on(model, data, main)
        grads = [p.grad.clone() for p in model.parameters()]
        norm = opt.independent_norm(loss_on(model, data, independent))
        assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), grads))
        np.testing.assert_allclose(float(norm), np.linalg.norm(hand_gradient(w, data, independent)),
                                   rtol=1e-12)
        opt.step(independent_norm=norm)
        np.testing.assert_allclose(
            vector(model), ian_step(w, hand_gradient(w, data, main), float(norm)), rtol=1e-12)


def test_helper_with_several_losses_takes_the_mean_of_their_norms(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER)
    w = vector(model)
    norm = opt.independent_norm([loss_on(model, data, [1, 11]), loss_on(model, data, [0, 5])])
    expected = np.mean([np.linalg.norm(hand_gradient(w, data, idx)) for idx in ([1, 11], [0, 5])])
    np.testing.assert_allclose(float(norm), expected, rtol=1e-12)


@pytest.mark.parametrize("given", [0.0, 1.7, torch.tensor(4.2)])
def test_user_supplied_norm(data, given):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER)
    w = vector(model)
    backward_on(model, data, MAIN[0])
    opt.step(independent_norm=given)
    np.testing.assert_allclose(vector(model),
                               ian_step(w, hand_gradient(w, data, MAIN[0]), float(given)), rtol=1e-12)


def test_previous_step_norm_is_stale_by_one_step(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER)
    w = vector(model)
    previous = None
    for main in MAIN:
        w = vector(model)
        backward_on(model, data, main)
        opt.step()
        g = hand_gradient(w, data, main)
        # The first step has no held norm and uses its own batch's.
        norm = np.linalg.norm(g) if previous is None else np.linalg.norm(previous)
        np.testing.assert_allclose(vector(model), ian_step(w, g, norm), rtol=1e-12)
        np.testing.assert_allclose(float(opt.held_norm), np.linalg.norm(g), rtol=1e-12)
        previous = g


def test_coupled_weight_decay_enters_both_norms(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER, weight_decay=0.4)
    w = vector(model)
    backward_on(model, data, MAIN[0])
    norm = opt.independent_norm(loss_on(model, data, INDEPENDENT[0]))
    opt.step(independent_norm=norm)
    g2 = hand_gradient(w, data, INDEPENDENT[0]) + 0.4 * w
    np.testing.assert_allclose(float(norm), np.linalg.norm(g2), rtol=1e-12)
    g = hand_gradient(w, data, MAIN[0]) + 0.4 * w
    np.testing.assert_allclose(vector(model), ian_step(w, g, np.linalg.norm(g2)), rtol=1e-12)


def test_momentum_averages_the_direction_only(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER, momentum=0.5)
    m = np.zeros(D + 1)
    for main, independent in zip(MAIN, INDEPENDENT):
        w = vector(model)
        opt.step(closure_on(model, data, main), closure_on(model, data, independent))
        m = 0.5 * m + 0.5 * hand_gradient(w, data, main)
        norm = np.linalg.norm(hand_gradient(w, data, independent))
        np.testing.assert_allclose(vector(model), ian_step(w, m, norm), rtol=1e-12)


def test_closures_without_zero_grad_still_step_along_the_main_gradient(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER)
    w = vector(model)
    opt.step(closure_on(model, data, MAIN[0], zero=False),
             closure_on(model, data, INDEPENDENT[0], zero=False))
    norm = np.linalg.norm(hand_gradient(w, data, INDEPENDENT[0]))
    np.testing.assert_allclose(vector(model), ian_step(w, hand_gradient(w, data, MAIN[0]), norm),
                               rtol=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda opt, c: opt.step(c, c, independent_norm=1.0),
     "pass closure_independent or independent_norm, not both"),
    (lambda opt, c: opt.step(None, c), r"closure_independent needs closure \(the main batch's\)"),
    (lambda opt, c: opt.step(independent_norm=-1.0), "independent_norm must be finite and >= 0"),
    (lambda opt, c: opt.step(independent_norm=float("nan")), "independent_norm must be finite"),
    (lambda opt, c: opt.step(independent_norm=torch.ones(2)), "independent_norm must be a number"),
])
def test_bad_calls_are_refused_before_any_work(data, call, message):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER)
    calls = []
    backward_on(model, data, MAIN[0])
    w = vector(model)
    with pytest.raises(ValueError, match=message):
        call(opt, closure_on(model, data, [0], calls))
    assert calls == [] and np.array_equal(vector(model), w)


def test_without_reuse_norm_a_plain_step_names_the_three_sources(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), **HYPER, reuse_norm=False)
    backward_on(model, data, MAIN[0])
    with pytest.raises(ValueError, match="closure_independent, or independent_norm=.*reuse_norm=True"):
        opt.step()


def _run(opt, model, data, steps):
    for main, independent in steps:
        backward_on(model, data, main)
        opt.step()


@pytest.mark.parametrize("make", [
    lambda p: IANSGD(p, **HYPER, momentum=0.3),
    lambda p: IANSGD(p, **HYPER, reuse_norm=False),
    lambda p: NSGDMomentum(p, lr=0.1, momentum=0.7, beta=0.5),
])
def test_state_dict_round_trip_restores_everything(data, make):
    steps = list(zip(MAIN, INDEPENDENT))
    model = linear_model()
    opt = make(model.parameters())
    plain = getattr(opt, "reuse_norm", True)
    if plain:
        _run(opt, model, data, steps[:2])
    else:
        opt.step(closure_on(model, data, MAIN[0]), closure_on(model, data, INDEPENDENT[0]))
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer)
    copy = linear_model(seed=1)
    copy.load_state_dict(saved["model"])
    restored = make(copy.parameters())
    restored.param_groups[0]["lr"] *= 10      # the loaded groups must bring back the saved lr
    if isinstance(restored, IANSGD):
        restored.reuse_norm = not restored.reuse_norm   # ... and reuse_norm
    restored.load_state_dict(saved["optimizer"])
    assert restored.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    if isinstance(opt, IANSGD):
        assert restored.reuse_norm == opt.reuse_norm
        assert (opt.held_norm is None) == (restored.held_norm is None)
        if opt.held_norm is not None:
            assert torch.equal(restored.held_norm, opt.held_norm)
    for a, b in ((opt, model), (restored, copy)):
        if plain:
            _run(a, b, data, steps[2:])
        else:
            a.step(closure_on(b, data, MAIN[2]), closure_on(b, data, INDEPENDENT[2]))
    for a, b in zip(model.parameters(), copy.parameters()):
        assert torch.equal(a, b)


def test_loading_a_foreign_state_dict_is_refused(data):
    model = linear_model()
    foreign = torch.optim.SGD(model.parameters(), lr=0.1).state_dict()
    with pytest.raises(ValueError, match="no 'independent_normalizer' entry"):
        IANSGD(model.parameters(), lr=0.1).load_state_dict(foreign)
