"""configure_ian_sgd: the theory layer's rules, and a step that respects L0 and L1."""

import math
from fractions import Fraction

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.estimate.configure import capped_gamma_constant, stable_step


def pilot_run(problem, k=4, steps=100, lr=0.02):
    return gs.run(problem, gs.optim.gd(lr), steps, w0=gs.estimate.spread_starts(problem, k),
                  capture=True, keep_iterates=True)


def test_the_stiff_quadratic_converges_where_one_over_sqrt_t_diverges():
    problem = gs.problems.finite_sum(gs.problems.quadratic([0.5, 1, 3, 7, 20]), n=200, tau1=0.3,
                                     tau2=0.5)
    conf = gs.estimate.configure_ian_sgd(problem, pilot_run(problem), 10, batch=8, batch2=1,
                                         draws="all", n_resamples=9)
    L0 = conf.smoothness.L0
    assert L0 == pytest.approx(20.0, rel=1e-9) and conf.smoothness.L1 == 0
    # sqrt(10)/20 = 0.15811388...: to 6 digits the nearest is 0.158114, above the cap
    assert float(f"{np.sqrt(10) / L0:.6g}") > np.sqrt(10) / L0
    assert conf.values["lr"] <= 1 / L0 and conf.values["lr"] == pytest.approx(1 / 20, rel=1e-5)
    assert any("step capped by the stability rule" in n for n in conf.notes)
    res = gs.run(problem, conf.optimizer, 10, seeds=8)
    assert not gs.engine.result.failed(res.status).any()
    assert np.all(res.loss[-1] < 0.1 * res.loss[0])
    values = dict(conf.values, lr=1 / np.sqrt(10))
    naive = gs.run(problem, gs.optim.ian_sgd(batch=8, batch2=1, **values), 10, seeds=8)
    assert gs.engine.result.failed(naive.status).all()


@pytest.mark.parametrize(("L", "steps", "nearest_above"),
                         [(20.0, 10, True), (7.0, 10, True), (3.0, 2, True), (3.0, 1, False),
                          (10.0, 400, False)])
def test_the_capped_step_is_rounded_down_to_the_stability_rule(L, steps, nearest_above):
    """``gamma0 = sqrt(T)/L`` to 6 digits, rounded down: ``gamma0/sqrt(T) <= 1/L`` exactly, also
    where the nearest 6-digit decimal lies above, and no lower than 6 digits need."""
    stable = stable_step(L, 0.0)
    assert (float(f"{stable * math.sqrt(steps):.6g}") > stable * math.sqrt(steps)) == nearest_above
    gamma0 = capped_gamma_constant(stable, steps)
    assert gamma0**2 <= Fraction(stable) ** 2 * steps
    unit = Fraction(10) ** (math.floor(math.log10(gamma0)) - 5)
    assert (gamma0 + unit) ** 2 > Fraction(stable) ** 2 * steps
    assert float(gamma0) / math.sqrt(steps) <= stable
    assert stable_step(4.0, 6.0) == 0.1 and stable_step(0.0, 0.0) == math.inf


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
