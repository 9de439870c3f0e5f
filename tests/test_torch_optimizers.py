"""gsmooth.torch's NSGD, NSGDMomentum and ClippedSGD against steps computed by hand in NumPy,
and the torch.optim conventions every optimizer shares (weight decay, maximize, foreach,
Tensor lr, parameter groups, bad input)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # small ops: more threads only contend on a shared machine

from gsmooth.torch import IANSGD, NSGD, ClippedSGD, NSGDMomentum  # noqa: E402

N, D = 12, 3


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    return rng.standard_normal((N, D)), rng.standard_normal(N)


def linear_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Linear(D, 1).double()


def backward_on(model, data, idx):
    """Mean 1/2 squared error of rows ``idx``, gradients left in ``.grad``."""
    x, y = (torch.as_tensor(a[np.asarray(idx)]) for a in data)
    for p in model.parameters():
        p.grad = None
    loss = 0.5 * ((model(x)[:, 0] - y) ** 2).mean()
    loss.backward()
    return loss


def hand_gradient(w, data, idx):
    """Gradient of mean 1/2 (x.w[:-1] + w[-1] - y)^2 over rows idx, as one vector."""
    x, y = data[0][idx], data[1][idx]
    residual = x @ w[:-1] + w[-1] - y
    return np.append(x.T @ residual / len(idx), residual.mean())


def vector(model):
    return np.append(model.weight.detach().numpy()[0], model.bias.detach().numpy())


BATCHES = ([1, 4, 6], [0, 2, 3, 9], [5, 7])


def run_steps(make, data, batches=BATCHES):
    model = linear_model()
    opt = make(model.parameters())
    points = [vector(model)]
    for idx in batches:
        backward_on(model, data, idx)
        opt.step()
        points.append(vector(model))
    return points


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_nsgd_steps(data, beta):
    points = run_steps(lambda p: NSGD(p, lr=0.2, beta=beta), data)
    for w, w_next, idx in zip(points, points[1:], BATCHES):
        g = hand_gradient(w, data, idx)
        np.testing.assert_allclose(w_next, w - 0.2 * g / np.linalg.norm(g) ** beta, rtol=1e-12)


@pytest.mark.parametrize("clip, offset, beta", [(1e-3, 0.0, 1.0), (1e-3, 0.5, 0.5), (1e3, 0.0, 1.0)])
def test_clipped_sgd_steps(data, clip, offset, beta):
    points = run_steps(lambda p: ClippedSGD(p, lr=0.3, clip=clip, offset=offset, beta=beta), data)
    for w, w_next, idx in zip(points, points[1:], BATCHES):
        g = hand_gradient(w, data, idx)
        factor = min(1.0, clip / (np.linalg.norm(g) + offset)) ** beta
        np.testing.assert_allclose(w_next, w - 0.3 * factor * g, rtol=1e-12)


def test_clipped_sgd_is_torch_clip_grad_norm_then_sgd(data):
    ours = run_steps(lambda p: ClippedSGD(p, lr=0.3, clip=0.05), data)
    model = linear_model()
    sgd = torch.optim.SGD(model.parameters(), lr=0.3)
    for idx, expected in zip(BATCHES, ours[1:]):
        backward_on(model, data, idx)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.05)
        sgd.step()
        np.testing.assert_allclose(vector(model), expected, rtol=1e-5)  # torch adds 1e-6 to the norm


def test_nsgd_momentum_steps(data):
    points = run_steps(lambda p: NSGDMomentum(p, lr=0.1, momentum=0.2, beta=2 / 3), data)
    m = np.zeros(D + 1)
    for w, w_next, idx in zip(points, points[1:], BATCHES):
        m = 0.2 * m + 0.8 * hand_gradient(w, data, idx)
        np.testing.assert_allclose(w_next, w - 0.1 * m / np.linalg.norm(m) ** (2 / 3), rtol=1e-12)


@pytest.mark.parametrize("decoupled", [False, True])
def test_weight_decay_coupled_and_decoupled(data, decoupled):
    points = run_steps(lambda p: NSGD(p, lr=0.2, beta=1.0, weight_decay=0.3,
                                      decoupled_weight_decay=decoupled), data)
    for w, w_next, idx in zip(points, points[1:], BATCHES):
        g = hand_gradient(w, data, idx)
        if decoupled:   # AdamW: shrink, then the normalized gradient step; the norm is g's
            expected = w * (1 - 0.2 * 0.3) - 0.2 * g / np.linalg.norm(g)
        else:           # SGD: the decay is part of the gradient, and of its norm
            expected = w - 0.2 * (g + 0.3 * w) / np.linalg.norm(g + 0.3 * w)
        np.testing.assert_allclose(w_next, expected, rtol=1e-12)


def test_maximize_steps_uphill_with_the_same_size(data):
    down = run_steps(lambda p: ClippedSGD(p, lr=0.3, clip=0.05), data, BATCHES[:1])
    up = run_steps(lambda p: ClippedSGD(p, lr=0.3, clip=0.05, maximize=True), data, BATCHES[:1])
    np.testing.assert_allclose(up[1] - up[0], -(down[1] - down[0]), rtol=1e-12)


@pytest.mark.parametrize("make", [
    lambda p, fe: NSGD(p, lr=0.2, beta=0.5, momentum=0.5, weight_decay=0.1, foreach=fe),
    lambda p, fe: ClippedSGD(p, lr=0.2, clip=0.1, weight_decay=0.1, decoupled_weight_decay=True,
                             foreach=fe),
    lambda p, fe: IANSGD(p, lr=0.2, Gamma=4.0, momentum=0.3, foreach=fe),
])
def test_foreach_and_per_tensor_implementations_agree(data, make):
    loops = run_steps(lambda p: make(p, False), data)
    fused = run_steps(lambda p: make(p, True), data)
    np.testing.assert_allclose(np.array(fused), np.array(loops), rtol=1e-13)


def test_tensor_learning_rate_gives_the_float_step(data):
    as_float = run_steps(lambda p: NSGD(p, lr=0.2, beta=0.5), data)
    as_tensor = run_steps(lambda p: NSGD(p, lr=torch.tensor(0.2, dtype=torch.float64), beta=0.5), data)
    np.testing.assert_allclose(np.array(as_tensor), np.array(as_float), rtol=1e-15)


def test_parameter_groups_share_the_global_norm(data):
    model = linear_model()
    w = vector(model)
    opt = NSGD([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.5, "beta": 0.5}],
               lr=0.1, beta=1.0)
    backward_on(model, data, BATCHES[0])
    opt.step()
    g = hand_gradient(w, data, BATCHES[0])
    norm = np.linalg.norm(g)
    np.testing.assert_allclose(vector(model)[:-1], w[:-1] - 0.1 * g[:-1] / norm, rtol=1e-12)
    np.testing.assert_allclose(vector(model)[-1], w[-1] - 0.5 * g[-1] / norm**0.5, rtol=1e-12)


@pytest.mark.parametrize("optimizer_class, hyper", [
    (NSGD, {"lr": 0.1}), (NSGDMomentum, {"lr": 0.1, "momentum": 0.5}),
    (ClippedSGD, {"lr": 0.1, "clip": 1.0}), (IANSGD, {"lr": 0.1}),
])
def test_zero_gradient_leaves_parameters(optimizer_class, hyper):
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = optimizer_class([w], **hyper)
    w.grad = torch.zeros(2)
    opt.step()
    assert w.tolist() == [1.0, -2.0]


def test_plain_loop_trains_a_small_network():
    torch.manual_seed(0)
    x = torch.randn(256, 5)
    y = (x[:, :1] + 0.5 * x[:, 1:2] > 0).float()
    for make in (lambda p: NSGD(p, lr=0.05), lambda p: ClippedSGD(p, lr=0.5, clip=1.0),
                 lambda p: IANSGD(p, lr=0.5, Gamma=1.0, delta=0.1)):
        torch.manual_seed(1)
        net = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
        opt = make(net.parameters())
        losses = []
        for step in range(300):
            idx = torch.randint(256, (32,))
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        assert np.mean(losses[-30:]) < 0.5 * np.mean(losses[:30])


def test_a_closure_without_zero_grad_steps_along_its_own_gradient(data):
    model = linear_model()
    opt = NSGD(model.parameters(), lr=0.2)
    backward_on(model, data, [0, 1])            # a stale gradient left in .grad
    w = vector(model)
    x, y = (torch.as_tensor(a[[2, 3, 4]]) for a in data)

    def forgetful():
        loss = 0.5 * ((model(x)[:, 0] - y) ** 2).mean()
        loss.backward()
        return loss

    opt.step(forgetful)
    g = hand_gradient(w, data, [2, 3, 4])
    np.testing.assert_allclose(vector(model), w - 0.2 * g / np.linalg.norm(g), rtol=1e-12)


def test_sparse_gradients_are_refused_before_any_change():
    embedding = torch.nn.Embedding(10, 3, sparse=True)
    before = embedding.weight.detach().clone()
    opt = NSGD(embedding.parameters(), lr=0.1)
    embedding(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(ValueError, match="NSGD needs dense gradients, got a sparse gradient"):
        opt.step()
    assert torch.equal(embedding.weight, before)


def test_step_without_any_gradient_says_what_is_missing():
    opt = ClippedSGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1, clip=1.0)
    with pytest.raises(RuntimeError, match=r"found no gradient in any parameter: call loss.backward\(\)"):
        opt.step()


@pytest.mark.parametrize("make, message", [
    (lambda p: IANSGD(p, lr=-1.0), "lr must be positive and finite, got -1"),
    (lambda p: IANSGD(p, lr=torch.ones(2)), "lr must be a float or a one-element floating tensor"),
    (lambda p: IANSGD(p, lr=0.1, beta=1.5), r"beta must be in \[0, 1\], got 1.5"),
    (lambda p: IANSGD(p, lr=0.1, A=-2.0), "A must be non-negative and finite, got -2"),
    (lambda p: IANSGD(p, lr=0.1, Gamma=0.0), "Gamma must be positive and finite, got 0"),
    (lambda p: IANSGD(p, lr=0.1, reuse_norm="yes"), "reuse_norm must be True or False, got 'yes'"),
    (lambda p: NSGD(p, lr=[0.1]), r"lr must be a real number, got \[0.1\]"),
    (lambda p: NSGD(p, lr=0.1, maximize=1), "maximize must be True or False, got 1"),
    (lambda p: NSGD(p, lr=0.1, foreach="yes"), "foreach must be None, True or False, got 'yes'"),
    (lambda p: NSGD(p, lr=0.1, weight_decay=-0.1), "weight_decay must be non-negative"),
    (lambda p: NSGDMomentum(p, lr=0.1, momentum=1.0), r"momentum must be in \[0, 1\), got 1"),
    (lambda p: ClippedSGD(p, lr=0.1, clip=-1.0), "clip must be positive and finite, got -1"),
    (lambda p: ClippedSGD(p, lr=0.1, clip=1.0, offset=-1.0),
     "offset must be non-negative and finite, got -1"),
    (lambda p: NSGD([{"params": p, "beta": 2.0}], lr=0.1), r"beta must be in \[0, 1\], got 2"),
    (lambda p: NSGD(p, lr=0.1, distributed="ring"), "distributed must be one of"),
    (lambda p: NSGD(p, lr=0.1, distributed="sharded"), "needs torch.distributed initialized"),
])
def test_bad_hyperparameters_name_allowed_and_given_value(make, message):
    with pytest.raises(ValueError, match=message):
        make([torch.nn.Parameter(torch.zeros(2))])
