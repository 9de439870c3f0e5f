"""The run engine against a plain reference loop, bit for bit.

The reference is the engine's contract written out as the simplest loop: every
optimizer's runs on their own rows, one gradient call per request, the update
rules in plain NumPy, every step checked for finiteness and masked, samples
counted per step.  The engine answers the requests of all optimizers together,
keeps its bookkeeping on the host and masks only once a run has stopped; none
of that may change a bit of any result.
"""

import numpy as np
import pytest

import gsmooth as gs
from gsmooth._backend import IndexStream, run_generators
from gsmooth.engine.recorder import record_grid
from gsmooth.engine.result import DIVERGED, MAX_STEPS, NONFINITE


def norm(v):
    return np.sqrt(np.vecdot(v, v)[:, None])


def power_step(n, hp):
    return hp["lr"] / np.where(n > 0, n, 1.0) ** hp["beta"]


def clip_step(n, hp):
    return hp["lr"] * np.minimum(hp["clip"] / (n + hp["offset"]), 1.0) ** hp["beta"]


class Reference:
    """One optimizer's runs in the reference loop: its rule written out in NumPy."""

    def __init__(self, problem, opt, seeds, w):
        self.problem, self.name, self.sizes = problem, opt.name, dict(opt.sizes)
        k = len(seeds)
        self.hp = {n: np.array(np.broadcast_to(np.asarray(v, dtype=float), (k,))).reshape(k, 1)
                   for n, v in opt.hyper.items()}
        self.stream = IndexStream(run_generators(seeds), problem.n_samples or 1, np)
        self.m, self.v, self.w_prev, self.count = np.zeros_like(w), np.zeros_like(w), w, 0
        self.drawn = 0

    def gradient(self, w, batch):
        if batch is None:
            self.drawn += self.problem.n_samples or 1
            return self.problem.grad(w)
        self.drawn += batch
        return self.problem.grad(w, self.stream.draw(batch))

    def step(self, w):
        """Next iterates and the state to keep if the step is kept."""
        self.drawn = 0
        hp, batch, name = self.hp, self.sizes.get("batch"), self.name
        state = (self.m, self.v, self.w_prev, self.count + 1)
        if name == "spider":
            if self.count % self.sizes["period"] == 0:
                v = self.gradient(w, None)
            else:
                idx = self.stream.draw(batch)
                self.drawn += batch
                v = self.v + self.problem.grad(w, idx) - self.problem.grad(self.w_prev, idx)
            state = (self.m, v, w, self.count + 1)
            return w - power_step(norm(v), hp) * v, state
        g = self.gradient(w, batch)
        if name in ("gd", "sgd"):
            return w - hp["lr"] * g, state
        if name in ("clipped_gd", "clipped_sgd"):
            return w - clip_step(norm(g), hp) * g, state
        if name == "ian_sgd":
            g2 = self.gradient(w, self.sizes["batch2"])
            h = np.maximum(hp["Gamma"] * (hp["A"] * norm(g2) + hp["delta"]), 1.0)
            return w - hp["lr"] / h ** hp["beta"] * g, state
        if name == "nsgd_momentum":
            m = hp["momentum"] * self.m + (1.0 - hp["momentum"]) * g
            return w - power_step(norm(m), hp) * m, (m, *state[1:])
        return w - power_step(norm(g), hp) * g, state

    def keep(self, state, keep):
        m, v, w_prev, count = state
        self.m, self.v = np.where(keep, m, self.m), np.where(keep, v, self.v)
        self.w_prev, self.count = np.where(keep, w_prev, self.w_prev), count


def reference_run_many(problem, optimizers, steps, seeds, record, diverge_factor=1e10):
    """Losses, gradient norms, samples, statuses and final iterates of the plain loop."""
    k = len(seeds)
    w = np.tile(problem.start, (k * len(optimizers), 1))
    refs = [Reference(problem, opt, seeds, w[:k]) for opt in optimizers]
    rows = [slice(i * k, (i + 1) * k) for i in range(len(optimizers))]
    active = np.ones((w.shape[0], 1), dtype=bool)
    finite = active.copy()
    samples = np.zeros(w.shape[0], dtype=np.int64)
    status = np.full(w.shape[0], MAX_STEPS)
    grid, threshold, out = set(record_grid(steps, record).tolist()), None, []
    for t in range(steps + 1):
        if t in grid:
            loss, grad = problem.value_and_grad(w)
            out.append((loss, norm(grad)[:, 0], samples.copy()))
            threshold = diverge_factor * np.maximum(1.0, np.abs(loss)) if threshold is None else threshold
            running = status == MAX_STEPS
            bad = running & ~(finite[:, 0] & np.isfinite(loss))
            status[bad] = NONFINITE
            status[running & ~bad & (loss > threshold)] = DIVERGED
            active &= (status == MAX_STEPS)[:, None]
        if t == steps:
            break
        proposals = [ref.step(w[r]) for ref, r in zip(refs, rows)]
        w_new = np.concatenate([p[0] for p in proposals])
        samples += active[:, 0] * np.concatenate([np.full(k, ref.drawn) for ref in refs])
        step_finite = np.all(np.isfinite(w_new), axis=-1, keepdims=True)
        finite &= step_finite | ~active
        keep = active & step_finite
        for ref, r, (_, state) in zip(refs, rows, proposals):
            ref.keep(state, keep[r])
        w = np.where(keep, w_new, w)
        active = keep
    loss, grad_norm, samples = (np.stack(x) for x in zip(*out))
    return {"loss": loss, "grad_norm": grad_norm, "samples": samples, "status": status, "w": w}


def assert_engine_equals_reference(problem, optimizers, steps, seeds, record, **options):
    results = gs.run_many(problem, optimizers, steps, seeds=seeds, record=record, **options)
    expected = reference_run_many(problem, optimizers, steps, seeds, record,
                                  options.get("diverge_factor", 1e10))
    k = len(seeds)
    for i, result in enumerate(results):
        cols = slice(i * k, (i + 1) * k)
        for name in ("loss", "grad_norm", "samples"):
            np.testing.assert_array_equal(getattr(result, name), expected[name][:, cols], err_msg=name)
        np.testing.assert_array_equal(result.status, expected["status"][cols])
        np.testing.assert_array_equal(result.w, expected["w"][cols])
    return results


LEAST_SQUARES = gs.problems.least_squares(n=60, d=5, seed=3)
EVERY_METHOD = [
    gs.optim.gd(0.05), gs.optim.an_gd(0.05, beta=[0.0, 0.5, 1.0]),
    gs.optim.clipped_gd(0.1, clip=[0.5, 1.0, 2.0], beta=2 / 3, offset=0.1),
    gs.optim.sgd(0.05, 7), gs.optim.an_sgd(0.05, 0.5, 7), gs.optim.nsgd(0.02, 9),
    gs.optim.nsgd_momentum(0.02, 0.4, 7), gs.optim.clipped_sgd(0.05, 1.0, 9, offset=0.2),
    gs.optim.ian_sgd(0.05, 2 / 3, 7, 3, A=2.0, delta=0.1, Gamma=0.5),
    gs.optim.spider(0.02, 7, period=4),
]


def test_every_method_in_one_loop_equals_the_reference():
    """Ten optimizers share a loop: minibatches of sizes 7, 9 and 3 are answered together."""
    assert_engine_equals_reference(LEAST_SQUARES, EVERY_METHOD, 40, [2, 5, 11], record=3)


@pytest.mark.parametrize("opt", EVERY_METHOD, ids=lambda o: o.name)
def test_each_method_alone_equals_the_reference(opt):
    assert_engine_equals_reference(LEAST_SQUARES, [opt], 30, [0, 7, 1], record="geometric")


def test_phase_retrieval_paper_methods_equal_the_reference():
    from gsmooth.reproduction.experiments import phase_retrieval
    from gsmooth.reproduction.experiments.settings import optimizer

    problem = gs.problems.phase_retrieval(m=300, d=12, seed=1)
    opts = [optimizer(setting, 2.0) for setting in phase_retrieval.METHODS]
    assert_engine_equals_reference(problem, opts, 45, [0, 1, 2], record=1)


def test_runs_that_stop_between_records_equal_the_reference():
    """A diverging run and one turning non-finite between records (record every 10 steps):
    the masked step takes over for the rest, and the samples of stopped runs freeze."""
    cosh = gs.problems.finite_sum(gs.problems.cosh(d=3), n=40, tau1=0.2, tau2=0.1, seed=1)
    opts = [gs.optim.sgd([0.1, 40.0, 0.05], 5), gs.optim.an_sgd([0.1, 0.2, 1e3], 0.0, 4)]
    with np.errstate(over="ignore", invalid="ignore"):
        results = assert_engine_equals_reference(cosh, opts, 60, [0, 1, 2], record=10,
                                                 diverge_factor=1e6)
    statuses = np.concatenate([r.status for r in results])
    assert set(statuses.tolist()) >= {MAX_STEPS, NONFINITE}
    assert np.all(np.isfinite(np.concatenate([r.w for r in results])))


def test_runs_stopped_at_a_record_equal_the_reference():
    """A run diverging geometrically is stopped at a record while finite; the loop goes on
    masked for the others, and its samples freeze at that record."""
    L = LEAST_SQUARES.constants.L0
    opts = [gs.optim.gd([0.05, 2.6 / L, 0.02]), gs.optim.sgd(0.05, 5)]
    results = assert_engine_equals_reference(LEAST_SQUARES, opts, 60, [0, 1, 2], record=10,
                                             diverge_factor=100.0)
    assert results[0].status.tolist() == [MAX_STEPS, DIVERGED, MAX_STEPS]
    assert results[0].samples[-1, 1] < results[0].samples[-1, 0]
