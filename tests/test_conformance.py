"""Every optimizer meets the same contract, on every namespace and float dtype.

For each method of :mod:`gsmooth.optim` on a quadratic and a power function
(both finite sums, so stochastic methods apply), on NumPy and array-api-strict
(and CuPy when selected), in float32 and float64:

* one step of the rule keeps the iterates' namespace and dtype, and its state's;
* the loss decreases over a short run;
* a batch of runs equals each run alone (same seed, same start);
* a gradient method's shortcut past its direction's protocol changes no bit.
"""

import dataclasses

import numpy as np
import pytest

import gsmooth as gs
from gsmooth import _backend
from gsmooth.engine.lockstep import Member, propose
from gsmooth.engine.oracle import Oracle
from gsmooth.optim.directions import GRADIENT, Direction
from tests.conftest import device_name

METHODS = {
    "gd": gs.optim.gd(0.05),
    "an_gd": gs.optim.an_gd(0.05, beta=0.5),
    "clipped_gd": gs.optim.clipped_gd(0.05, clip=1.0, beta=1.0, offset=0.1),
    "sgd": gs.optim.sgd(0.03, batch=8),
    "an_sgd": gs.optim.an_sgd(0.05, beta=0.5, batch=8),
    "nsgd": gs.optim.nsgd(0.02, batch=8),
    "nsgd_momentum": gs.optim.nsgd_momentum(0.02, momentum=0.5, batch=8),
    "clipped_sgd": gs.optim.clipped_sgd(0.05, clip=1.0, batch=8),
    "ian_sgd": gs.optim.ian_sgd(0.05, beta=2 / 3, batch=8, batch2=4, A=1.5, delta=0.1, Gamma=0.5),
    "spider": gs.optim.spider(0.02, batch=8, period=5),
}

PROBLEMS = {
    "quadratic": gs.problems.finite_sum(gs.problems.quadratic([0.5, 2.0, 6.0]), n=64, tau1=0.3,
                                        tau2=0.05, seed=1),
    "power": gs.problems.finite_sum(gs.problems.power(d=3, p=4, start=[1.0, -0.5, 0.8]), n=64,
                                    tau1=0.3, tau2=0.05, seed=2),
}

STEPS = 60
SEEDS = [2, 5, 9]


def test_the_table_covers_every_public_optimizer():
    public = {name for name in gs.optim.__all__ if name != "Optimizer"}
    assert set(METHODS) == public


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("method", list(METHODS))
def test_one_step_keeps_namespace_and_dtype(method, problem_name, xp, dtype):
    problem, opt = PROBLEMS[problem_name], METHODS[method]
    float_dtype = _backend.resolve_dtype(xp, dtype)
    w = _backend.to_device(np.tile(problem.start, (2, 1)), xp, dtype=float_dtype)
    hp = opt.columns(2, xp, float_dtype)
    member = Member(opt, slice(0, 2), hp, Oracle(problem, opt, _backend.run_generators(2), w),
                    whole=True)
    member.state = opt.init(w, hp)
    for _ in range(2):
        w_next, (state,) = propose([member], w)
        member.state = state
    assert _backend.namespace(w_next) is xp and w_next.dtype == float_dtype
    assert tuple(w_next.shape) == (2, problem.dim)
    for field in state:
        if not isinstance(field, int):
            assert _backend.namespace(field) is xp and field.dtype == float_dtype


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("method", list(METHODS))
def test_loss_decreases_and_a_batch_equals_its_runs_alone(method, problem_name, xp, dtype):
    problem, opt = PROBLEMS[problem_name], METHODS[method]
    device = device_name(xp)
    batch = gs.run(problem, opt, STEPS, seeds=SEEDS, device=device, dtype=dtype, record=20)
    assert batch.w.dtype == np.dtype(dtype)
    assert np.all(batch.status == gs.engine.MAX_STEPS)
    assert np.all(batch.loss[-1] < 0.5 * batch.loss[0])
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for r, seed in enumerate(SEEDS):
        alone = gs.run(problem, opt, STEPS, seeds=[seed], device=device, dtype=dtype, record=20)
        np.testing.assert_allclose(batch.w[r], alone.w[0], rtol=rtol, atol=rtol)
        np.testing.assert_array_equal(batch.samples[:, r], alone.samples[:, 0])


GRADIENT_METHODS = [name for name, opt in METHODS.items() if opt.direction is GRADIENT]


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("method", GRADIENT_METHODS)
def test_the_gradient_shortcut_equals_the_direction_protocol(method, problem_name, xp):
    """A lone GRADIENT method skips its direction's requests and combine; an equal copy of
    the direction (not the same object) goes through them: the same bits and samples."""
    problem, opt = PROBLEMS[problem_name], METHODS[method]
    through_protocol = dataclasses.replace(opt, direction=Direction(*GRADIENT))
    device = device_name(xp)
    short, full = (gs.run(problem, o, STEPS, seeds=SEEDS, device=device, record=7)
                   for o in (opt, through_protocol))
    np.testing.assert_array_equal(short.w, full.w)
    np.testing.assert_array_equal(short.loss, full.loss)
    np.testing.assert_array_equal(short.samples, full.samples)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # the diverging run overflows
def test_the_gradient_shortcut_keeps_a_diverging_run_and_its_status():
    problem = PROBLEMS["power"]
    opt = gs.optim.gd([0.05, 1e3])  # the second run overflows
    through_protocol = dataclasses.replace(opt, direction=Direction(*GRADIENT))
    short, full = (gs.run(problem, o, STEPS, record=7) for o in (opt, through_protocol))
    assert list(short.status) == [gs.engine.MAX_STEPS, gs.engine.NONFINITE]
    np.testing.assert_array_equal(short.status, full.status)
    np.testing.assert_array_equal(short.w, full.w)
    np.testing.assert_array_equal(short.loss, full.loss)
