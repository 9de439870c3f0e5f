"""SmoothnessProbe: exact Hessian norms per block and globally (least squares: the top eigenvalue
of X^T X / n; a tanh network: the dense Hessian), the midpoint ratio, the long table, the measured
cost, an unchanged trajectory, and per-block envelopes with intervals over runs."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # small ops: more threads only contend on a shared machine

import gsmooth as gs  # noqa: E402
from gsmooth.torch import (  # noqa: E402
    IANSGD,
    SmoothnessProbe,
    block_smoothness,
    probe_result,
    probe_table,
)


class TwoBlockLeastSquares(torch.nn.Module):
    """``x1 @ w1 + x2 @ w2 + b``: three blocks, Hessian X^T X / n with X = [x1, x2, 1]."""

    def __init__(self, d1, d2):
        super().__init__()
        self.w1 = torch.nn.Parameter(torch.zeros(d1, dtype=torch.float64))
        self.w2 = torch.nn.Parameter(torch.zeros(d2, dtype=torch.float64))
        self.b = torch.nn.Parameter(torch.zeros((), dtype=torch.float64))
        self.d1 = d1

    def forward(self, x):
        return x[:, : self.d1] @ self.w1 + x[:, self.d1:] @ self.w2 + self.b


def mse(prediction, y):
    return 0.5 * ((prediction - y) ** 2).mean()


def top_eigenvalue(matrix):
    return float(np.abs(np.linalg.eigvalsh(matrix)).max())


@pytest.mark.parametrize("spread, seed", [(1.0, 0), (10.0, 1), (0.1, 2)])
def test_hessian_norm_is_the_top_eigenvalue_of_least_squares(spread, seed):
    rng = np.random.default_rng(seed)
    n, d1, d2 = 300, 6, 4
    x = rng.standard_normal((n, d1 + d2)) * np.geomspace(1, spread, d1 + d2) + 0.3
    y = rng.standard_normal(n)
    model = TwoBlockLeastSquares(d1, d2)
    probe = SmoothnessProbe(model, (torch.as_tensor(x), torch.as_tensor(y)), mse,
                            blocks={"w1": ["w1"], "w2": ["w2"], "bias": ["b"]})
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    for _ in range(3):
        opt.zero_grad()
        mse(model(torch.as_tensor(x)), torch.as_tensor(y)).backward()
        with probe.observe():
            opt.step()
    design = np.column_stack([x, np.ones(n)])
    hessian = design.T @ design / n
    blocks = {"all": slice(None), "w1": slice(0, d1), "w2": slice(d1, d1 + d2),
              "bias": slice(d1 + d2, None)}
    table = probe.table()
    for block, part in blocks.items():
        rows = table["block"] == block
        exact = top_eigenvalue(hessian[part, part])
        np.testing.assert_allclose(table["hessian_norm"][rows], exact, rtol=0.01)
        np.testing.assert_array_less(table["hessian_norm"][rows], exact * (1 + 1e-9))
    assert table["converged"].all()


def test_hessian_norm_of_an_indefinite_network_hessian_matches_the_dense_one():
    torch.manual_seed(4)
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    x, y = torch.randn(40, 3, dtype=torch.float64), torch.randn(40, 2, dtype=torch.float64)
    probe = SmoothnessProbe(net, (x, y), mse, midpoint=False, iterations=2000, tol=1e-7)
    probe.before_step()
    probe.after_step()
    params = [p.detach().clone() for p in net.parameters()]
    sizes = [p.numel() for p in params]

    def flat_loss(w):
        pieces = torch.split(w, sizes)
        tensors = {name: piece.reshape(p.shape)
                   for (name, p), piece in zip(net.named_parameters(), pieces)}
        return mse(torch.func.functional_call(net, tensors, (x,)), y)

    hessian = torch.autograd.functional.hessian(flat_loss, torch.cat([p.reshape(-1) for p in params]))
    hessian = hessian.numpy()
    eigenvalues = np.linalg.eigvalsh(hessian)
    assert eigenvalues.min() < 0 < eigenvalues.max()               # indefinite
    edges = np.cumsum([0] + sizes)
    layer = {"all": slice(None), "0": slice(edges[0], edges[2]), "2": slice(edges[2], edges[4])}
    table = probe.table()
    for block, part in layer.items():
        got = table["hessian_norm"][table["block"] == block]
        np.testing.assert_allclose(got, top_eigenvalue(hessian[part, part]), rtol=0.01)


class Quadratic(torch.nn.Module):
    """``1/2 w^T H w`` with ``w`` in two blocks; the probe batch is H."""

    def __init__(self, w0):
        super().__init__()
        self.a = torch.nn.Parameter(torch.as_tensor(w0[:2]).clone())
        self.b = torch.nn.Parameter(torch.as_tensor(w0[2:]).clone())
        self.dropout = torch.nn.Dropout(0.5)

    def forward(self, h):
        w = torch.cat([self.a, self.b])
        w = self.dropout(w) if self.training else w
        return 0.5 * w @ h @ w


@pytest.fixture
def quadratic():
    rng = np.random.default_rng(1)
    q = np.linalg.qr(rng.standard_normal((4, 4)))[0]
    return q @ np.diag([0.5, 1.0, 3.0, 8.0]) @ q.T, rng.standard_normal(4)


def train_quadratic(h, w0, steps=10, every=1, lr=0.05, run=0, opt_class=torch.optim.SGD, tol=1e-4):
    model = Quadratic(w0)
    probe = SmoothnessProbe(model, (torch.as_tensor(h), None), lambda v, _: v, every=every,
                            run=run, blocks={"first": ["a"], "second": ["b"]}, tol=tol)
    opt = opt_class(model.parameters(), lr=lr)
    points = []
    for _ in range(steps):
        w = np.concatenate([model.a.detach().numpy(), model.b.detach().numpy()])
        points.append(w)
        opt.zero_grad()
        model.a.grad, model.b.grad = (torch.as_tensor(g) for g in np.split(h @ w, [2]))
        with probe.observe():
            opt.step()
    points.append(np.concatenate([model.a.detach().numpy(), model.b.detach().numpy()]))
    assert model.training and model.dropout.training
    return np.array(points), probe


@pytest.mark.parametrize("every", [1, 3])
def test_midpoint_ratio_and_table_equal_direct_computation(quadratic, every):
    h, w0 = quadratic
    points, probe = train_quadratic(h, w0, steps=10, every=every)
    table = probe.table()
    t = np.arange(0, 10, every)
    d = points[t + 1] - points[t]
    blocks = {"all": slice(None), "first": slice(0, 2), "second": slice(2, 4)}
    for block, part in blocks.items():
        rows = table["block"] == block
        np.testing.assert_array_equal(table["iteration"][rows], t)
        # Block b moved alone by d_b/2: its gradient changes by H_bb d_b / 2.
        hd = d[:, part] @ h[part, part]
        np.testing.assert_allclose(table["directional"][rows],
                                   np.linalg.norm(hd, axis=1) / np.linalg.norm(d[:, part], axis=1),
                                   rtol=1e-9)
        np.testing.assert_allclose(table["grad_norm"][rows],
                                   np.linalg.norm((points[t] @ h)[:, part], axis=1), rtol=1e-12)
        np.testing.assert_allclose(table["step_norm"][rows], np.linalg.norm(d[:, part], axis=1),
                                   rtol=1e-12)
        np.testing.assert_allclose(table["hessian_norm"][rows],
                                   top_eigenvalue(h[part, part]), rtol=1e-3)
    # On a quadratic every directional ratio lies below its block's Hessian norm.
    assert np.all(table["directional"] <= table["hessian_norm"] * (1 + 1e-9))
    whole = table["block"] == "all"
    np.testing.assert_allclose(table["loss"][whole],
                               0.5 * np.einsum("ti,ij,tj->t", points[t], h, points[t]), rtol=1e-12)


def test_probe_does_not_change_the_trajectory_and_copies_no_module(quadratic, monkeypatch):
    h, w0 = quadratic
    import copy

    def refuse(*args, **kwargs):
        raise AssertionError("the probe copied the model")

    monkeypatch.setattr(copy, "deepcopy", refuse)
    watched, _ = train_quadratic(h, w0, steps=6)
    plain, _ = train_quadratic(h, w0, steps=6, every=100)
    np.testing.assert_array_equal(watched, plain)


def test_cost_is_measured_per_recorded_step(quadratic):
    h, w0 = quadratic
    _, probe = train_quadratic(h, w0, steps=9, every=3)
    cost = probe.cost()
    assert cost["records"] == 3 and cost["rows"] == 3 and cost["extra_forward_backward"] == 4
    assert 0 < cost["seconds_min"] <= cost["seconds_median"]
    # Warm starts after the first record: at least two products per row, fewer than cold.
    table = probe.table()
    first = table["hessian_vector_products"][table["iteration"] == 0].sum()
    later = table["hessian_vector_products"][table["iteration"] == 6].sum()
    assert 6 <= later <= first


def test_probe_works_beside_ian_sgd_in_the_plain_loop(quadratic):
    h, w0 = quadratic
    points, probe = train_quadratic(h, w0, steps=4, lr=0.1,
                                    opt_class=lambda p, lr: IANSGD(p, lr=lr, Gamma=1.0))
    table = probe.table()
    whole = table["block"] == "all"
    np.testing.assert_allclose(table["step_norm"][whole],
                               np.linalg.norm(np.diff(points, axis=0), axis=1), rtol=1e-12)


def power_probe(seed, steps=40):
    """GD on ||w||^4 / 4 (in two blocks): ||H|| = 3 ||w||^2 = 3 ||g||^(2/3), exactly."""
    rng = np.random.default_rng(seed)
    w = torch.nn.Parameter(torch.as_tensor(rng.standard_normal(4) * 2))

    class Power(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.first = torch.nn.Parameter(w.detach()[:2].clone())
            self.second = torch.nn.Parameter(w.detach()[2:].clone())

        def forward(self, _):
            return torch.cat([self.first, self.second]).square().sum().square() / 4

    model = Power()
    probe = SmoothnessProbe(model, (None, None), lambda v, _: v, run=seed, every=2)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(steps):
        opt.zero_grad()
        model(None).backward()
        with probe.observe():
            opt.step()
    return probe


def test_block_envelopes_recover_the_power_law_with_intervals_over_runs():
    probes = [power_probe(seed) for seed in range(4)]
    fit = probes[0].smoothness(*probes[1:], n_resamples=10)
    est = fit["all"]
    assert abs(est.alpha - 2 / 3) < 0.01 and abs(est.L1 - 3.0) < 0.05 and est.L0 < 0.05
    low, high = est.intervals["alpha"]
    assert low <= est.alpha <= high and high - low < 0.05
    assert list(fit) == ["all", "first", "second"]
    assert est.data.runs.tolist() == [0, 1, 2, 3]
    assert "4 run" in est.summary()


def test_block_envelopes_of_a_quadratic_are_flat_at_lambda_max(quadratic):
    """Power iteration stopped at tol 1e-4 leaves each record's norm up to about 1e-4 below
    lambda_max, at random, which the envelope would read as a slope: tol 1e-10 here makes the
    norms exact, and the envelope's own flatness is what is tested."""
    h, w0 = quadratic
    probes = [train_quadratic(h, w0 * (1 + k), steps=12, run=k, tol=1e-10)[1] for k in range(3)]
    fit = block_smoothness(probe_table(probes), n_resamples=8)
    for block, part in {"all": slice(None), "first": slice(0, 2), "second": slice(2, 4)}.items():
        est = fit[block]
        np.testing.assert_allclose(est.L0 + est.L1, top_eigenvalue(h[part, part]), rtol=1e-3)
        assert est.L1 <= 1e-6 * est.L0
    directional = block_smoothness(probe_table(probes), quantity="directional", n_resamples=4)
    assert directional["all"].envelope(1.0) < fit["all"].envelope(1.0)


def test_one_run_gives_envelopes_without_intervals():
    fit = power_probe(0).smoothness(n_resamples=10)
    assert fit["all"].intervals is None and "no interval" in fit["all"].summary()


def test_a_block_that_cannot_be_fitted_is_named(quadratic):
    h, w0 = quadratic
    table = probe_table([train_quadratic(h, w0, steps=3)[1]])
    with pytest.raises(gs.GSmoothError, match="block 'all': .*need at least 5"):
        block_smoothness(table)


def test_probe_result_feeds_the_pl_and_midpoint_estimators(quadratic):
    h, w0 = quadratic
    probes = [train_quadratic(h, w0, steps=60, run=0)[1], train_quadratic(h, -w0, steps=40, run=1)[1]]
    res = probe_result(probes)
    assert res.grad_norm.shape == (60, 2) and np.isnan(res.grad_norm[40:, 1]).all()
    est = gs.estimate.smoothness(None, res, source="midpoint", n_resamples=4)
    assert est.envelope(est.data.g).min() >= 0.5 - 1e-9 and est.L0 <= 8 + 1e-9
    pl = probes[0].pl(f_star=0.0, n_resamples=10)
    assert abs(pl.rho - 2.0) < 0.1


@pytest.mark.parametrize("options, message", [
    ({"every": 0}, "every must be a positive integer, got 0"),
    ({"loss_fn": None}, "loss_fn must be callable, got None"),
    ({"probe_batch": (1,)}, r"probe_batch must be \(inputs, targets\)"),
    ({"tol": 2.0}, r"tol must be in \(0, 1\), got 2.0"),
    ({"blocks": {"x": ["nope"]}}, "block 'x' must list trainable parameter names"),
    ({"blocks": {"x": ["a"], "y": ["a"]}}, r"parameters \['a'\] are in more than one block"),
    ({"blocks": {"all": ["a"]}}, "block name 'all' is reserved"),
])
def test_bad_options_raise(options, message):
    kwargs = {"probe_batch": (None, None), "loss_fn": lambda v, _: v, **options}
    with pytest.raises(ValueError, match=message):
        SmoothnessProbe(Quadratic(np.zeros(4)), kwargs.pop("probe_batch"), kwargs.pop("loss_fn"),
                        **kwargs)


def test_block_figure_draws_every_block(tmp_path, quadratic):
    from gsmooth.plots.torch_probe import block_smoothness_figure

    h, w0 = quadratic
    probes = [train_quadratic(h, w0 * (1 + k), steps=12, run=k)[1] for k in range(2)]
    estimates = block_smoothness(probe_table(probes), n_resamples=4)
    path = block_smoothness_figure({"SGD": probe_table(probes)}, estimates, tmp_path / "blocks.png",
                                   names={"all": "whole vector"}, title="quadratic")
    assert path.endswith("blocks.png") and (tmp_path / "blocks.png").stat().st_size > 10_000


class OneVector(torch.nn.Module):
    """A loss of one parameter vector ``w`` through ``loss(w)``."""

    def __init__(self, w, loss):
        super().__init__()
        self.w, self.loss = torch.nn.Parameter(torch.tensor(w, dtype=torch.float64)), loss

    def forward(self, x):
        return self.loss(self.w)


def probed_hessian_norms(model, lr, steps):
    """The probe's whole-vector Hessian norm at each of ``steps`` plain SGD steps."""
    probe = SmoothnessProbe(model, (None, None), lambda value, _: value, midpoint=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        model(None).backward()
        with probe.observe():
            optimizer.step()
    table = probe.table()
    return table["hessian_norm"][table["block"] == "all"]


@pytest.mark.parametrize(
    ("w0", "loss", "lr", "exact"),
    [
        # a^4/4 + b^4/4 from (2, 1): H = diag(3a^2, 3b^2); after one step w = (0.4, 0.8), so the
        # previous top vector e1 is the new second eigenvector (0.48 against 1.92)
        ([2.0, 1.0], lambda w: (w**4).sum() / 4, 0.2, [12.0, 1.92, 3 * 0.6976**2]),
        # relu(a)^2/2 + relu(b)^2/2 - b from (1, -0.5): H = diag(1{a > 0}, 1{b > 0}); the previous
        # top vector e1 lies in the next Hessian's null space
        ([1.0, -0.5], lambda w: 0.5 * torch.relu(w) @ torch.relu(w) - w[1], 2.0, [1.0, 1.0, 1.0]),
    ],
    ids=["eigenvalues-trade-places", "warm-vector-in-null-space"],
)
def test_a_warm_start_does_not_stop_on_the_previous_top_direction(w0, loss, lr, exact):
    measured = probed_hessian_norms(OneVector(w0, loss), lr, len(exact))
    np.testing.assert_allclose(measured, exact, rtol=1e-4)
