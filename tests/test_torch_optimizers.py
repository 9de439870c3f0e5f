"""gsmooth.torch optimizers against steps computed by hand in NumPy."""

import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from gsmooth.torch import (  # noqa: E402
    IANSGD,
    NSGD,
    ClippedSGD,
    IndependentBatches,
    NSGDMomentum,
)

N, D = 12, 3


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    return rng.standard_normal((N, D)), rng.standard_normal(N)


def linear_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Linear(D, 1).double()


def closure_on(model, optimizer, data, idx, calls=None):
    """Zero grads, mean 1/2 squared error on rows ``idx``, backward; log ``idx`` in ``calls``."""
    x, y = (torch.as_tensor(a[np.asarray(idx)]) for a in data)

    def closure():
        if calls is not None:
            calls.append(list(map(int, idx)))
        optimizer.zero_grad()
        loss = 0.5 * ((model(x)[:, 0] - y) ** 2).mean()
        loss.backward()
        return loss

    return closure


def hand_gradient(w, b, data, idx):
    """Gradient of mean 1/2 (x.w + b - y)^2 over rows idx: (dw, db)."""
    x, y = data[0][idx], data[1][idx]
    residual = x @ w + b - y
    return x.T @ residual / len(idx), residual.mean()


def params_of(model):
    return model.weight.detach().numpy()[0].copy(), float(model.bias.detach()[0])


def test_ian_sgd_step_equals_hand_computation_with_independent_batch(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), lr=0.3, beta=2 / 3, A=2.0, delta=0.5, Gamma=0.8)
    main, independent = [0, 3, 5, 8], [1, 11]
    calls = []
    w, b = params_of(model)
    opt.step(closure_on(model, opt, data, main, calls),
             closure_on(model, opt, data, independent, calls))
    assert calls == [independent, main]
    gw, gb = hand_gradient(w, b, data, main)
    gw2, gb2 = hand_gradient(w, b, data, independent)
    h = max(1.0, 0.8 * (2.0 * np.sqrt(gw2 @ gw2 + gb2**2) + 0.5))
    assert h > 1.0
    w_new, b_new = params_of(model)
    np.testing.assert_allclose(w_new, w - 0.3 * gw / h ** (2 / 3), rtol=1e-12)
    np.testing.assert_allclose(b_new, b - 0.3 * gb / h ** (2 / 3), rtol=1e-12)


def test_ian_sgd_normalizer_comes_from_the_independent_batch(data):
    # Swapping the two batches changes the step: the norm is not the main batch's.
    steps = []
    for main, independent in (([0, 1, 2], [9]), ([9], [0, 1, 2])):
        model = linear_model()
        opt = IANSGD(model.parameters(), lr=0.1, beta=1.0, Gamma=10.0)
        w, _ = params_of(model)
        opt.step(closure_on(model, opt, data, main), closure_on(model, opt, data, independent))
        gw, _ = hand_gradient(*params_of(linear_model()), data, main)
        steps.append(np.linalg.norm(params_of(model)[0] - w) / np.linalg.norm(gw))
    assert not np.isclose(steps[0], steps[1])


def test_reuse_norm_holds_the_previous_main_gradient_norm(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), lr=0.2, beta=0.5, A=1.0, delta=0.0, Gamma=3.0,
                 reuse_norm=True)
    calls = []
    first, second, independent = [0, 1, 2, 3], [4, 5, 6, 7], [10, 11]
    w0, b0 = params_of(model)
    opt.step(closure_on(model, opt, data, first, calls),
             closure_on(model, opt, data, independent, calls))
    w1, b1 = params_of(model)
    opt.step(closure_on(model, opt, data, second, calls),
             closure_on(model, opt, data, independent, calls))
    assert calls == [independent, first, second]
    gw0, gb0 = hand_gradient(w0, b0, data, first)
    gw1, gb1 = hand_gradient(w1, b1, data, second)
    h = max(1.0, 3.0 * np.sqrt(gw0 @ gw0 + gb0**2))
    np.testing.assert_allclose(params_of(model)[0], w1 - 0.2 * gw1 / h**0.5, rtol=1e-12)


def test_ian_sgd_needs_the_independent_closure(data):
    model = linear_model()
    opt = IANSGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="closure_independent is required every step, got None"):
        opt.step(closure_on(model, opt, data, [0]))


def test_independent_batches_are_independent_streams():
    draw = IndependentBatches(20, batch=5, batch2=5, seed=3)
    overlaps, same = [], 0
    for _ in range(2000):
        main, independent = draw()
        assert len(set(main.tolist())) == 5 and len(set(independent.tolist())) == 5
        assert int(main.min()) >= 0 and int(main.max()) < 20
        overlaps.append(len(set(main.tolist()) & set(independent.tolist())))
        same += bool(torch.equal(torch.sort(main).values, torch.sort(independent).values))
    # Independent uniform subsets overlap in B B'/n = 1.25 indices on average (sd 0.87).
    assert abs(np.mean(overlaps) - 1.25) < 0.1
    assert same < 5
    again = IndependentBatches(20, batch=5, batch2=5, seed=3)
    first = IndependentBatches(20, batch=5, batch2=5, seed=3)()
    assert all(torch.equal(a, b) for a, b in zip(first, again()))


def test_parameter_groups_share_the_global_norm(data):
    model = linear_model()
    opt = IANSGD([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.5, "beta": 1.0}],
                 lr=0.1, beta=0.5, Gamma=2.0)
    w, b = params_of(model)
    idx, idx2 = [0, 2, 4], [1, 3]
    opt.step(closure_on(model, opt, data, idx), closure_on(model, opt, data, idx2))
    gw, gb = hand_gradient(w, b, data, idx)
    gw2, gb2 = hand_gradient(w, b, data, idx2)
    h = max(1.0, 2.0 * np.sqrt(gw2 @ gw2 + gb2**2))
    np.testing.assert_allclose(params_of(model)[0], w - 0.1 * gw / h**0.5, rtol=1e-12)
    np.testing.assert_allclose(params_of(model)[1], b - 0.5 * gb / h, rtol=1e-12)


def _run(optimizer, model, data, batches):
    for idx, idx2 in batches:
        if isinstance(optimizer, IANSGD):
            optimizer.step(closure_on(model, optimizer, data, idx),
                           closure_on(model, optimizer, data, idx2))
        else:
            optimizer.step(closure_on(model, optimizer, data, idx))


@pytest.mark.parametrize("make", [
    lambda p: IANSGD(p, lr=0.1, Gamma=5.0, reuse_norm=True),
    lambda p: IANSGD(p, lr=0.1, Gamma=5.0),
    lambda p: NSGDMomentum(p, lr=0.1, momentum=0.7, beta=0.5),
    lambda p: ClippedSGD(p, lr=0.1, clip=0.3),
])
def test_state_dict_round_trip_gives_the_same_next_step(data, make):
    batches = [([0, 1, 2], [5, 6]), ([3, 4, 7], [8, 9]), ([2, 9, 10], [0, 11])]
    model = linear_model()
    opt = make(model.parameters())
    _run(opt, model, data, batches[:2])
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer)
    copy = linear_model(seed=1)
    copy.load_state_dict(saved["model"])
    restored = make(copy.parameters())
    restored.param_groups[0]["lr"] *= 10  # the loaded groups must bring back the saved lr
    restored.load_state_dict(saved["optimizer"])
    _run(opt, model, data, batches[2:])
    _run(restored, copy, data, batches[2:])
    for a, b in zip(model.parameters(), copy.parameters()):
        assert torch.equal(a, b)


def one_step(optimizer_class, data, idx, **hyper):
    model = linear_model()
    opt = optimizer_class(model.parameters(), **hyper)
    w, b = params_of(model)
    opt.step(closure_on(model, opt, data, idx))
    gw, gb = hand_gradient(w, b, data, idx)
    return (w, b), (gw, gb), params_of(model)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_nsgd_step(data, beta):
    (w, b), (gw, gb), (w_new, b_new) = one_step(NSGD, data, [1, 4, 6], lr=0.2, beta=beta)
    norm = np.sqrt(gw @ gw + gb**2)
    np.testing.assert_allclose(w_new, w - 0.2 * gw / norm**beta, rtol=1e-12)
    np.testing.assert_allclose(b_new, b - 0.2 * gb / norm**beta, rtol=1e-12)


@pytest.mark.parametrize("clip, offset, beta", [(1e-3, 0.0, 1.0), (1e-3, 0.5, 0.5), (1e3, 0.0, 1.0)])
def test_clipped_sgd_step(data, clip, offset, beta):
    (w, b), (gw, gb), (w_new, _) = one_step(ClippedSGD, data, [0, 5], lr=0.3, clip=clip,
                                            offset=offset, beta=beta)
    factor = min(1.0, clip / (np.sqrt(gw @ gw + gb**2) + offset)) ** beta
    np.testing.assert_allclose(w_new, w - 0.3 * factor * gw, rtol=1e-12)


def test_nsgd_momentum_two_steps(data):
    model = linear_model()
    opt = NSGDMomentum(model.parameters(), lr=0.1, momentum=0.2, beta=2 / 3)
    m = np.zeros(D + 1)
    for idx in ([0, 1, 2], [6, 7]):
        w, b = params_of(model)
        opt.step(closure_on(model, opt, data, idx))
        gw, gb = hand_gradient(w, b, data, idx)
        m = 0.2 * m + 0.8 * np.append(gw, gb)
        expected = np.append(w, b) - 0.1 * m / np.linalg.norm(m) ** (2 / 3)
        np.testing.assert_allclose(np.append(*params_of(model)), expected, rtol=1e-12)


@pytest.mark.parametrize("optimizer_class, hyper", [
    (NSGD, {"lr": 0.1}), (NSGDMomentum, {"lr": 0.1, "momentum": 0.5}),
    (ClippedSGD, {"lr": 0.1, "clip": 1.0}),
])
def test_zero_gradient_leaves_parameters(optimizer_class, hyper):
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = optimizer_class([w], **hyper)
    w.grad = torch.zeros(2)
    opt.step()
    assert w.tolist() == [1.0, -2.0]


@pytest.mark.parametrize("make, message", [
    (lambda p: IANSGD(p, lr=-1.0), "lr must be positive and finite, got -1"),
    (lambda p: IANSGD(p, lr=0.1, beta=1.5), r"beta must be in \[0, 1\], got 1.5"),
    (lambda p: IANSGD(p, lr=0.1, A=-2.0), "A must be non-negative and finite, got -2"),
    (lambda p: IANSGD(p, lr=0.1, Gamma=0.0), "Gamma must be positive and finite, got 0"),
    (lambda p: IANSGD(p, lr=0.1, reuse_norm="yes"), "reuse_norm must be True or False, got 'yes'"),
    (lambda p: NSGD(p, lr=[0.1]), r"lr must be a real number, got \[0.1\]"),
    (lambda p: NSGDMomentum(p, lr=0.1, momentum=1.0), r"momentum must be in \[0, 1\), got 1"),
    (lambda p: ClippedSGD(p, lr=0.1, clip=-1.0), "clip must be positive and finite, got -1"),
    (lambda p: ClippedSGD(p, lr=0.1, clip=1.0, offset=-1.0),
     "offset must be non-negative and finite, got -1"),
])
def test_bad_hyperparameters_name_allowed_and_given_value(make, message):
    with pytest.raises(ValueError, match=message):
        make([torch.nn.Parameter(torch.zeros(2))])


def test_independent_batches_reject_oversized_batches():
    with pytest.raises(ValueError, match="batch2 must be at most n_samples=10, got 11"):
        IndependentBatches(10, batch=4, batch2=11)
