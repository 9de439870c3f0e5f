"""What a run keeps when it shares a batch: the guarantee the README states, tested as stated.

* A run draws the same samples alone, in a batch of any size or position, and
  beside other optimizers in :func:`gsmooth.run_many`.
* On NumPy (and array-api-strict), a method that steps on minibatch gradients
  only gives bit-identical iterates alone or in any batch: every product of its
  step is a product over its own run's rows.  On CuPy they agree to rounding:
  cuBLAS picks its kernel by the batch's shape.
* Full gradients (GD, AN-GD, clipped GD, SPIDER's refreshes) are one matrix
  product over an optimizer's runs, whose last bits may depend on how many runs
  share it (BLAS kernels treat edge rows differently): alone and in a batch the
  iterates agree to rounding at each step.
* ``run_many`` gives each optimizer exactly what ``gs.run`` gives it with the
  same seeds (tested in ``test_engine.py``).
"""

import numpy as np
import pytest

import gsmooth as gs
from tests.conftest import assert_same_bits_on_host, device_name

PROBLEMS = {
    "phase_retrieval": gs.problems.phase_retrieval(m=200, d=9, seed=3),
    "dro": gs.problems.dro(n=150, d=5),
    "least_squares": gs.problems.least_squares(n=80, d=7, seed=2),
    "noisy_power": gs.problems.finite_sum(gs.problems.power(d=5), n=64, tau1=0.3, tau2=0.2),
}
MINIBATCH_METHODS = {
    "sgd": gs.optim.sgd(1e-3, 9),
    "an_sgd": gs.optim.an_sgd(0.01, 0.5, 9),
    "nsgd": gs.optim.nsgd(0.01, 9),
    "nsgd_momentum": gs.optim.nsgd_momentum(0.01, 0.3, 9),
    "clipped_sgd": gs.optim.clipped_sgd(0.01, 1.0, 9, offset=0.1),
    "ian_sgd": gs.optim.ian_sgd(0.01, 2 / 3, 9, 3, A=2.0, delta=1.0, Gamma=0.1),
}
FULL_GRADIENT_METHODS = {
    "gd": gs.optim.gd(1e-3),
    "an_gd": gs.optim.an_gd(0.01, 0.5),
    "clipped_gd": gs.optim.clipped_gd(0.01, clip=1.0),
    "spider": gs.optim.spider(0.01, 9, period=4),
}
SEEDS = [4, 0, 9, 2, 7]
STEPS = 30


def final_iterates(problem, opt, seeds, device, others=()):
    """Final iterates of ``opt``'s runs, alone or beside the optimizers ``others``."""
    results = gs.run_many(problem, [*others, opt], STEPS, seeds=seeds, record=[0], device=device)
    return results[-1]


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("method", list(MINIBATCH_METHODS))
def test_minibatch_methods_are_bit_identical_in_any_batch(method, problem_name, xp):
    problem, opt, device = PROBLEMS[problem_name], MINIBATCH_METHODS[method], device_name(xp)
    batch = final_iterates(problem, opt, SEEDS, device)
    beside = final_iterates(problem, opt, SEEDS[:3], device,
                            others=[gs.optim.sgd(1e-3, 9), gs.optim.an_gd(0.01)])
    for r, seed in enumerate(SEEDS):
        alone = final_iterates(problem, opt, [seed], device)
        assert_same_bits_on_host(batch.w[r], alone.w[0], xp)
        np.testing.assert_array_equal(batch.samples[:, r], alone.samples[:, 0])
    assert_same_bits_on_host(beside.w, batch.w[:3], xp)


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("method", list(FULL_GRADIENT_METHODS))
def test_full_gradient_methods_agree_to_rounding_in_any_batch(method, problem_name):
    problem, opt = PROBLEMS[problem_name], FULL_GRADIENT_METHODS[method]
    batch = final_iterates(problem, opt, SEEDS, "numpy")
    for r, seed in enumerate(SEEDS):
        alone = final_iterates(problem, opt, [seed], "numpy")
        np.testing.assert_allclose(batch.w[r], alone.w[0], rtol=1e-11, atol=1e-13)
        np.testing.assert_array_equal(batch.samples[:, r], alone.samples[:, 0])


def test_records_agree_to_rounding_in_any_batch():
    """The recorded objective and gradient norm are one product over every run."""
    problem, opt = PROBLEMS["phase_retrieval"], MINIBATCH_METHODS["nsgd"]
    batch = gs.run(problem, opt, STEPS, seeds=SEEDS, record=5)
    for r, seed in enumerate(SEEDS):
        alone = gs.run(problem, opt, STEPS, seeds=[seed], record=5)
        np.testing.assert_allclose(batch.loss[:, r], alone.loss[:, 0], rtol=1e-13)
        np.testing.assert_allclose(batch.grad_norm[:, r], alone.grad_norm[:, 0], rtol=1e-13)
