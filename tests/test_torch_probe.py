"""SmoothnessProbe on f(w) = 1/2 w^T H w, where every recorded number is known exactly."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import gsmooth as gs  # noqa: E402
from gsmooth.torch import IANSGD, SmoothnessProbe, probe_result  # noqa: E402

D = 4


class Quadratic(torch.nn.Module):
    """``forward(H) = 1/2 w^T H w`` (the probe batch is the matrix ``H``), with a dropout
    layer so the test sees whether the probe switches to evaluation mode."""

    def __init__(self, w0):
        super().__init__()
        self.w = torch.nn.Parameter(torch.as_tensor(w0, dtype=torch.float64).clone())
        self.dropout = torch.nn.Dropout(0.5)

    def forward(self, h):
        w = self.dropout(self.w) if self.training else self.w
        return 0.5 * w @ h @ w


def identity_loss(value, _):
    return value


@pytest.fixture
def quadratic():
    rng = np.random.default_rng(1)
    q = np.linalg.qr(rng.standard_normal((D, D)))[0]
    h = q @ np.diag([0.5, 1.0, 3.0, 8.0]) @ q.T
    return h, rng.standard_normal(D)


def train(h, w0, steps, probe_options, lr=0.05, noise=0.3):
    """SGD on 1/2 w^T H w with gradient H w + noise; returns iterates, training grads, probe."""
    model = Quadratic(w0)
    probe = SmoothnessProbe(model, **probe_options)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(5)
    points, grads = [], []
    for _ in range(steps):
        w = model.w.detach().numpy().copy()
        g = h @ w + noise * rng.standard_normal(D)
        opt.zero_grad()
        model.w.grad = torch.as_tensor(g)
        points.append(w)
        grads.append(g)
        with probe.observe(loss=0.5 * w @ h @ w):
            opt.step()
    points.append(model.w.detach().numpy().copy())
    assert model.training and model.dropout.training
    return np.array(points), np.array(grads), probe


@pytest.mark.parametrize("every", [1, 3])
def test_probe_batch_numbers_equal_direct_computation(quadratic, every):
    h, w0 = quadratic
    steps = 10
    points, _, probe = train(h, w0, steps, {"every": every, "probe_batch": (torch.as_tensor(h), None),
                                            "midpoint": True, "loss_fn": identity_loss})
    data = probe.data()
    t = np.arange(0, steps, every)
    np.testing.assert_array_equal(data["step"], t)
    d = points[t + 1] - points[t]
    np.testing.assert_allclose(data["grad_norm"], np.linalg.norm(points[t] @ h, axis=1), rtol=1e-12)
    np.testing.assert_allclose(data["step_norm"], np.linalg.norm(d, axis=1), rtol=1e-12)
    np.testing.assert_allclose(data["grad_diff_norm"], np.linalg.norm(d @ h, axis=1), rtol=1e-10)
    np.testing.assert_allclose(data["midpoint_diff_norm"], np.linalg.norm(d @ h, axis=1) / 2,
                               rtol=1e-10)
    np.testing.assert_allclose(data["midpoint_smoothness"], data["local_smoothness"], rtol=1e-10)
    assert np.all((data["local_smoothness"] >= 0.5 - 1e-9) & (data["local_smoothness"] <= 8 + 1e-9))
    np.testing.assert_allclose(data["loss"], 0.5 * np.einsum("ti,ij,tj->t", points[t], h,
                                                             points[t]), rtol=1e-12)
    np.testing.assert_allclose(data["train_loss"], data["loss"], rtol=1e-12)


def test_probe_does_not_change_the_training_trajectory(quadratic):
    h, w0 = quadratic
    watched, _, _ = train(h, w0, 6, {"probe_batch": (torch.as_tensor(h), None), "midpoint": True,
                                     "loss_fn": identity_loss})
    plain, _, _ = train(h, w0, 6, {"every": 100})
    np.testing.assert_array_equal(watched, plain)


def test_without_probe_batch_records_the_training_gradients(quadratic):
    h, w0 = quadratic
    points, grads, probe = train(h, w0, 7, {"every": 2})
    data = probe.data()
    t = np.array([0, 2, 4, 6])
    np.testing.assert_array_equal(data["step"], t)
    np.testing.assert_allclose(data["grad_norm"], np.linalg.norm(grads[t], axis=1), rtol=1e-12)
    np.testing.assert_allclose(data["step_norm"], np.linalg.norm(points[t + 1] - points[t], axis=1),
                               rtol=1e-12)
    # Successive minibatch gradients; the last recorded step has no next step.
    expected = np.linalg.norm(grads[t[:-1] + 1] - grads[t[:-1]], axis=1)
    np.testing.assert_allclose(data["grad_diff_norm"][:-1], expected, rtol=1e-12)
    assert np.isnan(data["grad_diff_norm"][-1])
    assert np.isnan(data["loss"]).all() and np.isnan(data["midpoint_smoothness"]).all()


def test_probe_reads_the_main_gradient_of_ian_sgd(quadratic):
    h, w0 = quadratic
    model = Quadratic(w0)
    probe = SmoothnessProbe(model)
    opt = IANSGD(model.parameters(), lr=0.1, Gamma=1.0)
    h_main, h_independent = torch.as_tensor(h), torch.as_tensor(2 * h)

    def closure_for(matrix):
        def closure():
            opt.zero_grad()
            with torch.no_grad():
                model.w.grad = matrix @ model.w
            return torch.zeros(())
        return closure

    w = model.w.detach().numpy().copy()
    with probe.observe():
        opt.step(closure_for(h_main), closure_for(h_independent))
    np.testing.assert_allclose(probe.data()["grad_norm"], [np.linalg.norm(h @ w)], rtol=1e-12)


@pytest.mark.parametrize("options, message", [
    ({"every": 0}, "every must be a positive integer, got 0"),
    ({"midpoint": True}, r"midpoint=True needs a probe_batch \(inputs, targets\), got None"),
    ({"probe_batch": (1, 2)}, r"a probe_batch needs loss_fn\(outputs, targets\), got None"),
    ({"probe_batch": (1,), "loss_fn": identity_loss},
     r"probe_batch must be \(inputs, targets\), got 1 items"),
])
def test_bad_options_raise(options, message):
    with pytest.raises(ValueError, match=message):
        SmoothnessProbe(Quadratic(np.zeros(D)), **options)


def quadratic_probe(h, w0, steps=40, noise=0.0):
    return train(h, w0, steps, {"probe_batch": (torch.as_tensor(h), None), "midpoint": True,
                                "loss_fn": identity_loss}, noise=noise)[2]


def test_probe_result_hands_the_pairs_to_the_smoothness_estimator(quadratic):
    h, w0 = quadratic
    probes = [quadratic_probe(h, w0, steps=12), quadratic_probe(h, -2 * w0, steps=8, noise=0.3)]
    res = probe_result(probes)
    assert res.grad_norm.shape == (12, 2) and np.isnan(res.grad_norm[8:, 1]).all()
    est = gs.estimate.smoothness(None, res, source="midpoint", n_resamples=4)
    tables = [p.data() for p in probes]
    np.testing.assert_allclose(np.sort(est.data.r), np.sort(np.concatenate(
        [t["midpoint_smoothness"] for t in tables])), rtol=1e-12)
    assert sorted(set(est.data.run.tolist())) == [0, 1] and est.intervals is not None
    # Every midpoint ratio of a quadratic lies in [lambda_min, lambda_max] = [0.5, 8].
    assert est.envelope(est.data.g).min() >= 0.5 and est.L0 <= 8 + 1e-9


def test_probe_pl_recovers_the_quadratic_exponent(quadratic):
    h, w0 = quadratic
    probe = quadratic_probe(h, w0, steps=80)
    est = probe.pl(f_star=0.0, n_resamples=10)
    data = probe.data()
    np.testing.assert_allclose(est.gap, data["loss"], rtol=1e-12)
    np.testing.assert_allclose(est.grad_norm, data["grad_norm"], rtol=1e-12)
    # Along GD on a quadratic the gradient norm squared and the gap shrink alike: rho = 2.
    assert abs(est.rho - 2.0) < 0.1
