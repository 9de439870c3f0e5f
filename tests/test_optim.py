"""Each optimizer's step against a hand computation, sample counts, and input checks."""

import numpy as np
import pytest

import gsmooth as gs
from gsmooth._backend import IndexStream, run_generators
from gsmooth.engine.result import MAX_STEPS

PROBLEM = gs.problems.least_squares(n=30, d=3, seed=4)
W0 = np.array([[0.3, -1.2, 2.0]])


def one_step(optimizer, steps=1):
    return gs.run(PROBLEM, optimizer, steps, seeds=[7], w0=W0.copy(), record=1)


def draws(*sizes, steps=1):
    """The index draws run seed 7 makes: a list per step of arrays of the given sizes."""
    stream = IndexStream(run_generators([7]), PROBLEM.n_samples, np)
    return [[stream.draw(s)[0] for s in sizes] for _ in range(steps)]


def batch_grad(w, idx):
    return PROBLEM.grad(w, idx[None, :])


def test_gd_step():
    res = one_step(gs.optim.gd(0.1))
    np.testing.assert_allclose(res.w, W0 - 0.1 * PROBLEM.grad(W0), rtol=1e-14)
    assert res.samples[-1, 0] == PROBLEM.n_samples


@pytest.mark.parametrize("beta", [0.0, 1 / 3, 1.0])
def test_an_gd_step(beta):
    g = PROBLEM.grad(W0)
    res = one_step(gs.optim.an_gd(0.1, beta))
    np.testing.assert_allclose(res.w, W0 - 0.1 * g / np.linalg.norm(g) ** beta, rtol=1e-14)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_an_gd_stays_at_a_stationary_point(beta):
    res = gs.run(gs.problems.power(d=3), gs.optim.an_gd(0.1, beta), 5, w0=np.zeros((1, 3)))
    assert res.w.tolist() == [[0.0, 0.0, 0.0]] and res.status.tolist() == [MAX_STEPS]


def test_power_step_is_lr_over_the_norm_to_the_beta_above_the_floor():
    norms = np.concatenate([[2.0**-537], np.logspace(-161, 300, 462)])[:, None]
    power = gs.optim.scalings.power
    for lr, beta in ((1.0, 1 / 3), (0.3, 2 / 3), (1e-3, 1.0)):
        np.testing.assert_array_equal(power(norms, lr, beta), lr / norms**beta)
        below = np.array([[0.0], [np.finfo(float).tiny], [2.0**-538]])
        np.testing.assert_array_equal(power(below, lr, beta), power(norms[:1], lr, beta)[[0, 0, 0]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("beta", [0.5, 1.0])
def test_normalized_step_of_an_underflowing_direction_is_finite_and_at_most_exact(dtype, beta):
    """Entries of 1e-163 (1e-24 in float32) square to 0: the computed norm is 0, the true one
    is below the floor, so the step is finite, nonzero and no longer than the exact one."""
    tiny_entry = 1e-163 if dtype == np.float64 else 1e-24
    v = np.full((1, 4), tiny_entry, dtype=dtype)
    hp = gs.optim.an_gd(1.0, beta).columns(1, np, dtype)
    step = gs.optim.rules.normalized(v, hp) * v
    assert gs._backend.row_norm(v)[0, 0] == 0 and step.dtype == dtype
    exact = np.float64(tiny_entry) * 4**0.5 * (np.float64(tiny_entry) * 2) ** -beta
    assert np.isfinite(step).all() and 0 < np.linalg.norm(step.astype(float)) <= exact


def test_clipped_gd_step():
    g = PROBLEM.grad(W0)
    res = one_step(gs.optim.clipped_gd(0.5, clip=0.7, beta=2 / 3, offset=0.2))
    factor = min(1.0, 0.7 / (np.linalg.norm(g) + 0.2)) ** (2 / 3)
    np.testing.assert_allclose(res.w, W0 - 0.5 * factor * g, rtol=1e-14)


def test_sgd_step_uses_run_stream():
    (idx,), = draws(5)
    res = one_step(gs.optim.sgd(0.1, batch=5))
    np.testing.assert_allclose(res.w, W0 - 0.1 * batch_grad(W0, idx), rtol=1e-14)
    assert res.samples[-1, 0] == 5


def test_nsgd_and_an_sgd_steps():
    (idx,), = draws(5)
    g = batch_grad(W0, idx)
    expected = W0 - 0.1 * g / np.linalg.norm(g) ** 0.5
    np.testing.assert_allclose(one_step(gs.optim.an_sgd(0.1, 0.5, 5)).w, expected, rtol=1e-14)
    np.testing.assert_allclose(one_step(gs.optim.nsgd(0.1, 5, beta=0.5)).w, expected, rtol=1e-14)


def test_nsgd_momentum_two_steps():
    (i0,), (i1,) = draws(4, steps=2)
    m = 0.8 * batch_grad(W0, i0)
    w1 = W0 - 0.2 * m / np.linalg.norm(m)
    m = 0.2 * m + 0.8 * batch_grad(w1, i1)
    w2 = w1 - 0.2 * m / np.linalg.norm(m)
    np.testing.assert_allclose(one_step(gs.optim.nsgd_momentum(0.2, 0.2, 4), 2).w, w2, rtol=1e-13)


def test_clipped_sgd_step():
    (idx,), = draws(6)
    g = batch_grad(W0, idx)
    factor = min(1.0, 3.0 / (np.linalg.norm(g) + 1.0))
    res = one_step(gs.optim.clipped_sgd(0.4, clip=3.0, batch=6, offset=1.0))
    np.testing.assert_allclose(res.w, W0 - 0.4 * factor * g, rtol=1e-14)


def test_ian_sgd_step_uses_two_independent_batches():
    (idx, idx2), = draws(6, 3)
    assert not np.array_equal(idx[:3], idx2)
    g, g2 = batch_grad(W0, idx), batch_grad(W0, idx2)
    h = max(1.0, 0.5 * (2.0 * np.linalg.norm(g2) + 0.3))
    res = one_step(gs.optim.ian_sgd(0.1, 2 / 3, 6, 3, A=2.0, delta=0.3, Gamma=0.5))
    np.testing.assert_allclose(res.w, W0 - 0.1 * g / h ** (2 / 3), rtol=1e-14)
    assert res.samples[-1, 0] == 9


def test_spider_steps_and_samples():
    steps = draws(4, steps=3)
    v = PROBLEM.grad(W0)
    w1 = W0 - 0.1 * v / np.linalg.norm(v)
    v = v + batch_grad(w1, steps[0][0]) - batch_grad(W0, steps[0][0])
    w2 = w1 - 0.1 * v / np.linalg.norm(v)
    v = PROBLEM.grad(w2)
    w3 = w2 - 0.1 * v / np.linalg.norm(v)
    res = one_step(gs.optim.spider(0.1, batch=4, period=2), steps=3)
    np.testing.assert_allclose(res.w, w3, rtol=1e-13)
    np.testing.assert_array_equal(res.samples[:, 0], [0, 30, 34, 64])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: gs.optim.gd(-0.1), "lr must be positive and finite, got -0.1"),
        (lambda: gs.optim.gd([0.1, np.inf]), "lr must be positive and finite, got inf"),
        (lambda: gs.optim.an_gd(0.1, beta=1.5), r"beta must be in \[0, 1\], got 1.5"),
        (lambda: gs.optim.an_gd(0.1, beta=[0.5, -0.1]), r"beta must be in \[0, 1\], got -0.1"),
        (lambda: gs.optim.sgd(0.1, batch=0), "batch must be a positive integer, got 0"),
        (lambda: gs.optim.sgd(0.1, batch=2.5), "batch must be a positive integer, got 2.5"),
        (lambda: gs.optim.nsgd_momentum(0.1, 1.0, 4), r"momentum must be in \[0, 1\), got 1"),
        (lambda: gs.optim.ian_sgd(0.1, 0.5, 4, 4, Gamma=0), "Gamma must be positive"),
        (lambda: gs.optim.ian_sgd(0.1, 0.5, 4, 4, delta=-1), "delta must be non-negative"),
        (lambda: gs.optim.clipped_gd(0.1, clip=0), "clip must be positive"),
        (lambda: gs.optim.gd("fast"), "lr must be a real number, got 'fast'"),
    ],
)
def test_bad_hyperparameters(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_mismatched_sequence_lengths():
    with pytest.raises(ValueError, match="one length"):
        gs.optim.an_gd([0.1, 0.2], beta=[0.0, 0.5, 1.0]).n_runs
