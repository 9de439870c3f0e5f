"""configure_ian_sgd: the theory layer's rules, and a step that respects L0 and L1."""

import numpy as np
import pytest

import gsmooth as gs


def pilot_run(problem, k=4, steps=100, lr=0.02):
    return gs.run(problem, gs.optim.gd(lr), steps, w0=gs.estimate.spread_starts(problem, k),
                  capture=True, keep_iterates=True)


def test_the_stiff_quadratic_converges_where_one_over_sqrt_t_diverges():
    problem = gs.problems.finite_sum(gs.problems.quadratic([0.5, 1, 3, 7, 20]), n=200, tau1=0.3,
                                     tau2=0.5)
    conf = gs.estimate.configure_ian_sgd(problem, pilot_run(problem), 10, batch=8, batch2=1,
                                         draws="all", n_resamples=9)
    assert conf.smoothness.L0 == pytest.approx(20.0, rel=1e-9) and conf.smoothness.L1 == 0
    assert conf.values["lr"] == pytest.approx(1 / 20)
    assert any("step capped by the stability rule" in n for n in conf.notes)
    res = gs.run(problem, conf.optimizer, 10, seeds=8)
    assert not gs.engine.result.failed(res.status).any()
    assert np.all(res.loss[-1] < 0.1 * res.loss[0])
    values = dict(conf.values, lr=1 / np.sqrt(10))
    naive = gs.run(problem, gs.optim.ian_sgd(batch=8, batch2=1, **values), 10, seeds=8)
    assert gs.engine.result.failed(naive.status).all()


def test_theory_rules_with_l1_positive():
    problem = gs.problems.finite_sum(gs.problems.power(d=3, p=4), n=200, tau1=0.3, tau2=0.5)
    conf = gs.estimate.configure_ian_sgd(problem, pilot_run(problem, steps=60), steps=400,
                                         beta=2 / 3, batch=8, batch2=1, draws="all",
                                         n_resamples=9)
    tau1, L0, L1 = conf.noise.tau1, conf.smoothness.L0, conf.smoothness.L1
    assert L1 == pytest.approx(3.0, rel=1e-3) and L0 <= 1e-3
    values = conf.values
    assert values["lr"] == pytest.approx(min(1 / np.sqrt(400), 1 / (L0 + L1)))
    assert values["A"] == pytest.approx(1 / (1 - tau1), rel=1e-5)
    assert values["delta"] == pytest.approx(conf.noise.tau2 / (1 - tau1), rel=1e-5)
    expected = (4 * L1 * values["lr"] * (2 * tau1**2 + 1)) ** 1.5
    assert values["Gamma"] == pytest.approx(expected, rel=1e-4)
    res = gs.run(problem, conf.optimizer, 200, seeds=2)
    assert res.loss[-1].max() < res.loss[0].max()
    assert "IAN-SGD" in conf.summary() and not conf.notes


def test_large_steps_are_capped_for_l1_as_well():
    problem = gs.problems.finite_sum(gs.problems.exponential(d=3, L0=4.0, L1=6.0), n=100,
                                     tau1=0.2, tau2=0.1)
    conf = gs.estimate.configure_ian_sgd(problem, pilot_run(problem, lr=0.01), steps=4,
                                         batch=4, batch2=1, draws="all", n_resamples=9)
    assert conf.values["lr"] == pytest.approx(1 / (4.0 + 6.0), rel=1e-3)
