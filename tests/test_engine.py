"""The run engine: batched equals single, decay laws, statuses, recording, bad input."""

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.engine.result import CONVERGED, DIVERGED, MAX_STEPS, NONFINITE, RunResult
from gsmooth.errors import UserCodeError
from tests.conftest import assert_same_bits_on_host, device_name

NOISY = gs.problems.finite_sum(gs.problems.power(d=6, p=4), n=64, tau1=0.4, tau2=0.3, seed=2)
STOCHASTIC_METHODS = {
    "sgd": gs.optim.sgd(0.02, 8),
    "an_sgd": gs.optim.an_sgd(0.05, 0.5, 8),
    "nsgd_momentum": gs.optim.nsgd_momentum(0.05, 0.3, 8),
    "clipped_sgd": gs.optim.clipped_sgd(0.1, 1.0, 8, offset=0.1),
    "ian_sgd": gs.optim.ian_sgd(0.05, 2 / 3, 8, 4, A=2.0, delta=0.1, Gamma=0.5),
    "spider": gs.optim.spider(0.05, 8, period=5),
}


@pytest.mark.parametrize("name", list(STOCHASTIC_METHODS))
def test_batched_run_equals_single_runs(name, xp):
    device = device_name(xp)
    opt = STOCHASTIC_METHODS[name]
    batch = gs.run(NOISY, opt, 40, seeds=[3, 8, 11], device=device, record=10)
    for r, seed in enumerate([3, 8, 11]):
        alone = gs.run(NOISY, opt, 40, seeds=[seed], device=device, record=10)
        np.testing.assert_allclose(batch.w[r], alone.w[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(batch.loss[:, r], alone.loss[:, 0], rtol=1e-12)
        np.testing.assert_array_equal(batch.samples[:, r], alone.samples[:, 0])


def test_float32_runs(xp):
    device = device_name(xp)
    res = gs.run(NOISY, STOCHASTIC_METHODS["ian_sgd"], 30, seeds=2, device=device, dtype="float32")
    assert res.w.dtype == np.float32 and np.all(res.status == MAX_STEPS)
    assert np.all(res.loss[-1] < res.loss[0])


def tail_slope(res, start):
    it, gap = res.iters[:, 0], res.gap[:, 0]
    keep = it >= start
    return np.polyfit(np.log(it[keep]), np.log(gap[keep]), 1)[0]


@pytest.mark.parametrize("beta, lr, exponent", [(0.0, 0.3, 2.0), (1 / 3, 0.2, 4.0)])
def test_power_decay_law(beta, lr, exponent):
    """||w||^4/4: rho = 4/3, decay t^-p with p = rho / (2 - beta - rho)."""
    res = gs.run(gs.problems.power(d=2, p=4), gs.optim.an_gd(lr, beta), 10_000)
    assert tail_slope(res, 1000) == pytest.approx(-exponent, rel=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("beta, lr, exponent", [(0.0, 0.05, 2.0), (1 / 3, 0.02, 4.0)])
def test_power_decay_law_small_steps(beta, lr, exponent):
    """The same laws with small steps, where the asymptote arrives after 10^4 steps."""
    res = gs.run(gs.problems.power(d=2, p=4), gs.optim.an_gd(lr, beta), 100_000)
    assert tail_slope(res, 10_000) == pytest.approx(-exponent, rel=0.02)


def test_hyperparameter_sequence_is_one_batched_run():
    res = gs.run(gs.problems.power(d=3), gs.optim.an_gd(0.05, beta=[0, 1 / 3, 2 / 3, 1]), 50)
    assert res.loss.shape[1] == 4 and res.optimizer["beta"] == [0, 1 / 3, 2 / 3, 1]
    single = gs.run(gs.problems.power(d=3), gs.optim.an_gd(0.05, beta=2 / 3), 50)
    np.testing.assert_allclose(res.loss[:, 2], single.loss[:, 0], rtol=1e-14)


def test_divergence_is_reported_and_others_continue():
    res = gs.run(gs.problems.power(d=3), gs.optim.gd([0.01, 50.0]), 200)
    assert res.status.tolist() == [MAX_STEPS, DIVERGED]
    assert res.iters[-1, 0] == 200 and res.loss[-1, 0] < res.loss[0, 0]
    assert "diverged" in res.message(1)


def test_non_finite_iterates_are_frozen():
    with np.errstate(over="ignore", invalid="ignore"):
        res = gs.run(gs.problems.cosh(d=2), gs.optim.gd([0.1, 1e6]), 50, diverge_factor=np.inf)
    assert res.status.tolist() == [MAX_STEPS, NONFINITE]
    assert np.all(np.isfinite(res.w))


def test_convergence_freezes_runs_and_pads_records():
    res = gs.run(gs.problems.quadratic([1.0, 3.0]), gs.optim.gd(0.3), 1000, gap_tol=1e-6, record=1)
    assert res.status[0] == CONVERGED
    t = res.converged_at[0]
    assert res.gap[t, 0] <= 1e-6 < res.gap[t - 1, 0]
    assert res.iters[-1, 0] == 1000 and res.loss[-1, 0] == res.loss[t, 0]


def test_samples_count_only_active_steps():
    res = gs.run(gs.problems.quadratic([1.0]), gs.optim.gd(0.5), 100, gap_tol=1e-4, record=1)
    t = res.converged_at[0]
    assert res.samples[-1, 0] == t


def test_capture_matches_direct_computation():
    p = gs.problems.power(d=3)
    res = gs.run(p, gs.optim.an_gd(0.05, 0.5), 20, record=[0, 5], capture=True, keep_iterates=True)
    w5 = res.capture["iterates"][1]
    w6 = gs.run(p, gs.optim.an_gd(0.05, 0.5), 6).w
    step = np.linalg.norm(w6 - w5, axis=1)
    np.testing.assert_allclose(res.capture["step_norm"][1], step, rtol=1e-12)
    diff = np.linalg.norm(p.grad(w6) - p.grad(w5), axis=1)
    np.testing.assert_allclose(res.capture["grad_diff_norm"][1], diff, rtol=1e-12)
    mid = np.linalg.norm(p.grad((w5 + w6) / 2) - p.grad(w5), axis=1)
    np.testing.assert_allclose(res.capture["midpoint_diff_norm"][1], mid, rtol=1e-12)
    assert np.isnan(res.capture["step_norm"][-1]).all()


def test_loss_only_recording():
    p = gs.problems.power(d=3)
    full = gs.run(p, gs.optim.gd(0.05), 30, record=1)
    lean = gs.run(p, gs.optim.gd(0.05), 30, record=1, track_grad_norm=False)
    np.testing.assert_array_equal(lean.loss, full.loss)
    assert np.isnan(lean.grad_norm).all()
    with pytest.raises(ValueError, match="capture=True needs track_grad_norm=True"):
        gs.run(p, gs.optim.gd(0.05), 3, capture=True, track_grad_norm=False)


def test_metric_is_recorded_and_padded():
    p = gs.problems.quadratic([1.0, 3.0])
    res = gs.run(p, gs.optim.gd(0.3), 100, record=1, gap_tol=1e-6, keep_iterates=True,
                 metric=lambda w: w[:, 0])
    assert res.metric.shape == res.loss.shape
    np.testing.assert_array_equal(res.metric, res.capture["iterates"][:, :, 0])
    t = res.converged_at[0]
    assert res.metric[-1, 0] == res.metric[t, 0] and res.metric[0, 0] == p.start[0]


def test_save_and_load_round_trip(tmp_path):
    res = gs.run(NOISY, STOCHASTIC_METHODS["sgd"], 10, seeds=2, capture=True,
                 metric=lambda w: w[:, 0])
    res.save(tmp_path / "r.npz")
    back = RunResult.load(tmp_path / "r.npz")
    np.testing.assert_array_equal(back.loss, res.loss)
    np.testing.assert_array_equal(back.capture["step_norm"], res.capture["step_norm"])
    np.testing.assert_array_equal(back.metric, res.metric)
    assert back.optimizer == res.optimizer and back.seeds == res.seeds
    assert [p.name for p in tmp_path.iterdir()] == ["r.npz"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps": -1}, "steps must be a non-negative integer, got -1"),
        ({"w0": np.ones((2, 5))}, r"w0 must have shape \(2, 6\), got \(2, 5\)"),
        ({"w0": np.full((2, 6), np.nan)}, "w0 must be finite"),
        ({"w0": np.ones(6)}, r"w0 must have shape \(k, d\), got \(6,\)"),
        ({"seeds": 3}, "the number of runs must agree"),
        ({"record": 0}, "record must be a positive interval, got 0"),
        ({"record": [5, 500]}, r"record iterations must lie in \[0, 10\]"),
        ({"dtype": "float16"}, "dtype must be 'float32' or 'float64', got 'float16'"),
    ],
)
def test_bad_run_input(kwargs, message):
    call = {"problem": NOISY, "optimizer": gs.optim.gd([0.1, 0.2]), "steps": 10, "w0": None}
    call.update(kwargs)
    with pytest.raises(ValueError, match=message):
        gs.run(**call)


def test_gap_tol_needs_f_star():
    p = gs.problems.Problem("unknown-minimum", 2, np.ones(2))
    with pytest.raises(ValueError, match="gap_tol needs a known f_star"):
        gs.run(p, gs.optim.gd(0.1), 5, gap_tol=1e-3)


def test_stochastic_method_on_deterministic_problem():
    with pytest.raises(ValueError, match="deterministic"):
        gs.run(gs.problems.power(), gs.optim.sgd(0.1, 4), 5)


def test_one_start_row_is_shared_by_every_run():
    p = gs.problems.power(d=3)
    shared = gs.run(p, gs.optim.gd([0.01, 0.02]), 20, w0=np.array([[0.5, -1.0, 2.0]]))
    for r, lr in enumerate([0.01, 0.02]):
        alone = gs.run(p, gs.optim.gd(lr), 20, w0=np.array([[0.5, -1.0, 2.0]]))
        np.testing.assert_array_equal(shared.w[r], alone.w[0])
    assert not np.array_equal(shared.w[0], shared.w[1])


def assert_same_runs(together, alone, xp=np):
    """The same runs: bit for bit on the host, to rounding on CuPy (see
    :func:`~tests.conftest.assert_same_bits_on_host`)."""
    assert_same_bits_on_host(together.w, alone.w, xp)
    np.testing.assert_allclose(together.loss, alone.loss, rtol=1e-12)
    np.testing.assert_array_equal(together.samples, alone.samples)
    np.testing.assert_array_equal(together.status, alone.status)
    assert together.seeds == alone.seeds and together.optimizer == alone.optimizer


def test_run_many_equals_one_run_per_optimizer(xp):
    """Every stochastic method (batch sizes 8 and 4, SPIDER's refreshes) in one loop."""
    device, opts = device_name(xp), list(STOCHASTIC_METHODS.values())
    together = gs.run_many(NOISY, opts, 40, seeds=[3, 8], device=device, record=7)
    assert len(together) == len(opts)
    for opt, result in zip(opts, together, strict=True):
        assert_same_runs(result, gs.run(NOISY, opt, 40, seeds=[3, 8], device=device, record=7),
                         xp)


def test_a_method_whose_two_batches_share_a_size_draws_them_in_order_beside_others():
    """IAN-SGD's batch and batch2 of one size are answered in the same call as SGD's, one
    stacked product; each run still draws its main batch first, as alone."""
    opts = [gs.optim.ian_sgd(0.05, 2 / 3, 5, 5, A=2.0, delta=0.1, Gamma=0.5),
            gs.optim.sgd(0.05, batch=5)]
    together = gs.run_many(NOISY, opts, 30, seeds=[1, 6], record=3)
    for opt, result in zip(opts, together, strict=True):
        assert_same_runs(result, gs.run(NOISY, opt, 30, seeds=[1, 6], record=3))


def test_run_many_keeps_statuses_and_run_counts_per_optimizer():
    """A diverging method does not stop the others; hyperparameter lists set each one's runs."""
    p = gs.problems.power(d=3)
    opts = [gs.optim.gd([0.01, 50.0]), gs.optim.an_gd(0.05, beta=[0, 1 / 3, 2 / 3])]
    together = gs.run_many(p, opts, 200)
    assert together[0].status.tolist() == [MAX_STEPS, DIVERGED]
    assert together[1].loss.shape[1] == 3 and np.all(together[1].status == MAX_STEPS)
    for opt, result in zip(opts, together, strict=True):
        assert_same_runs(result, gs.run(p, opt, 200))


def test_run_many_converged_runs_and_metric():
    p = gs.problems.quadratic([1.0, 3.0])
    opts = [gs.optim.gd(0.3), gs.optim.an_gd(0.1, beta=0.5)]
    options = {"gap_tol": 1e-6, "record": 1, "metric": lambda w: w[:, 0]}
    together = gs.run_many(p, opts, 300, **options)
    for opt, result in zip(opts, together, strict=True):
        alone = gs.run(p, opt, 300, **options)
        assert_same_runs(result, alone)
        np.testing.assert_array_equal(result.converged_at, alone.converged_at)
        np.testing.assert_allclose(result.metric, alone.metric, rtol=1e-12)


def test_run_many_bad_input():
    with pytest.raises(ValueError, match="optimizers must hold at least one Optimizer, got none"):
        gs.run_many(NOISY, [], 10)
    with pytest.raises(ValueError, match="the number of runs must agree"):
        gs.run_many(NOISY, [gs.optim.gd(0.1), gs.optim.gd([0.1, 0.2])], 10, seeds=3)


@pytest.mark.parametrize("capture", [False, True])
def test_overlapped_records_give_identical_results(xp, capture):
    """A record in the helper thread changes when it runs, not what it computes."""
    device, opts = device_name(xp), [STOCHASTIC_METHODS["ian_sgd"], STOCHASTIC_METHODS["spider"]]
    options = {"seeds": [1, 4], "device": device, "record": 3, "capture": capture}
    serial = gs.run_many(NOISY, opts, 30, **options)
    overlapped = gs.run_many(NOISY, opts, 30, overlap=True, **options)
    for a, b in zip(serial, overlapped, strict=True):
        assert_same_runs(a, b)
        np.testing.assert_array_equal(a.loss, b.loss)
        for name, values in a.capture.items():
            np.testing.assert_array_equal(values, b.capture[name])


def test_overlapped_records_stop_converged_and_diverged_runs():
    p = gs.problems.quadratic([1.0, 3.0])
    opt = gs.optim.gd([0.3, 0.01, 5.0])
    serial = gs.run(p, opt, 400, gap_tol=1e-6, record=1)
    overlapped = gs.run(p, opt, 400, gap_tol=1e-6, record=1, overlap=True)
    assert overlapped.status.tolist() == [CONVERGED, MAX_STEPS, DIVERGED]
    assert_same_runs(serial, overlapped)
    np.testing.assert_array_equal(serial.converged_at, overlapped.converged_at)


def test_overlapped_record_errors_reach_the_caller():
    def broken_metric(w):
        raise ValueError("metric failed")

    with pytest.raises(UserCodeError, match="broken_metric .* raised ValueError: metric failed"):
        gs.run(gs.problems.power(d=3), gs.optim.gd(0.1), 10, record=1, metric=broken_metric,
               overlap=True)


def test_deterministic_methods_make_no_sample_streams(monkeypatch):
    """Only a method that draws minibatches gets per-run generators (4096 cost 35 ms)."""
    made = []
    original = gs._backend.run_generators
    monkeypatch.setattr(gs._backend, "run_generators", lambda *a: made.append(a) or original(*a))
    opts = [gs.optim.an_gd(0.1, 0.5), gs.optim.clipped_gd(0.1, clip=1.0), gs.optim.sgd(0.05, batch=4)]
    results = gs.run_many(NOISY, opts, 20, seeds=[3, 4])
    assert made == [([3, 4], 0)]
    alone = gs.run(NOISY, opts[2], 20, seeds=[3, 4])
    np.testing.assert_array_equal(results[2].loss, alone.loss)
    np.testing.assert_array_equal(results[2].samples, alone.samples)


def test_a_stream_without_generators_says_why_it_cannot_draw():
    stream = gs._backend.IndexStream([], 10, np)
    with pytest.raises(ValueError, match="stream without generators"):
        stream.draw(4)


def test_a_direction_that_asks_for_no_gradient_still_steps():
    from gsmooth.optim.base import Optimizer
    from gsmooth.optim.directions import Direction, NoState
    from gsmooth.optim.rules import unscaled

    def itself(answers, w, state, hp):  # steps along w without asking for a gradient
        return w, w, state

    no_requests = Direction(lambda w, hp: NoState(), lambda w, state, hp: (), itself)
    opt = Optimizer("shrink", unscaled, {"lr": 0.5}, no_requests)
    res = gs.run(gs.problems.power(d=2), opt, 3, w0=np.array([[8.0, -4.0]]))
    beside = gs.run_many(gs.problems.power(d=2), [opt, gs.optim.gd(0.1)], 3,
                         w0=np.array([[8.0, -4.0]]))[0]
    assert beside.w.tolist() == res.w.tolist()
    assert res.w.tolist() == [[1.0, -0.5]] and res.samples[-1].tolist() == [0]
