"""Coverage of the intervals over repeated draws of runs, on the analytic zoo.

Two kinds of case.  Where the bound holds with equality along every run (quadratics, powers,
the exponential problem), every draw identifies the constants and the interval must contain
them (up to the fit's resolution and the finite tail).  Where the runs see only part of the
curve, the envelope of a draw is below the envelope of the region the starts come from: on
``cosh`` in one dimension with starts uniform in ``[0, 3]``, that region's envelope is the
chord of ``r = sqrt(1 + g^2)`` up to ``g = sinh(3)``, and the interval must cover it at about
its nominal rate (a percentile interval, the test's foil, almost never does).
"""

import numpy as np
import pytest

import gsmooth as gs

RTOL = 1e-3


def inside(value, interval, rtol=RTOL, atol=1e-9):
    low, high = interval
    slack = rtol * abs(value) + atol
    return low - slack <= value <= high + slack


EXACT = {
    "quadratic": lambda: gs.problems.quadratic(np.geomspace(0.2, 20.0, 6)),
    "power3": lambda: gs.problems.power(d=4, p=3),
    "power6": lambda: gs.problems.power(d=4, p=6),
    "exponential": lambda: gs.problems.exponential(d=4, L0=1.5, L1=2.0),
}


@pytest.mark.parametrize("name", sorted(EXACT))
def test_exact_zoo_truth_inside_every_draw(name):
    problem = EXACT[name]()
    c = problem.constants
    methods = [gs.optim.gd(0.02), gs.optim.an_gd(0.02, beta=0.5)]
    hits, draws = 0, 0
    for seed in range(3):
        for opt in methods:
            w0 = gs.estimate.spread_starts(problem, 4, spread=0.8, seed=seed + 1)
            res = gs.run(problem, opt, 200, w0=w0, capture=True)
            est = gs.estimate.smoothness(problem, res, n_resamples=19, directional=False)
            draws += 1
            hits += all(inside(getattr(c, n), est.intervals[n]) for n in ("L0", "L1", "alpha"))
    assert hits == draws


def cosh_region_truth(top=3.0):
    g = np.concatenate([[0.0], np.geomspace(1e-9, np.sinh(top), 4000)])
    return gs.estimate.fit_envelope(g, np.sqrt(1 + g**2))


def cosh_coverage(draws, k=8, resamples=99, seed=1):
    problem = gs.problems.cosh(d=1)
    truth = cosh_region_truth()
    rng = np.random.default_rng(seed)
    basic = percentile = 0
    for i in range(draws):
        res = gs.run(problem, gs.optim.gd(0.1), 300, w0=rng.uniform(0.0, 3.0, size=(k, 1)),
                     capture=True)
        est = gs.estimate.smoothness(problem, res, n_resamples=resamples, seed=i,
                                     directional=False)
        basic += inside(truth.L1, est.intervals["L1"], rtol=1e-6)
        percentile += inside(truth.L1, np.quantile(est.replicates[1], [0.05, 0.95]), rtol=1e-6)
        assert inside(truth.L0, est.intervals["L0"], rtol=1e-6)
        assert est.alpha == 1.0
    return basic / draws, percentile / draws


def test_cosh_interval_covers_the_region_envelope_at_about_its_nominal_rate():
    basic, percentile = cosh_coverage(draws=30)
    assert basic >= 0.6  # measured 0.81 over 100 draws at 8 runs (nominal 0.9)
    assert percentile <= 0.2


@pytest.mark.slow
def test_cosh_coverage_over_many_draws():
    basic, percentile = cosh_coverage(draws=200)
    assert 0.7 <= basic <= 0.97 and percentile <= 0.1


PL_ZOO = {
    "quadratic": (lambda: gs.problems.quadratic([0.5, 1.0, 3.0, 7.0]), 0.1),
    "power4": (lambda: gs.problems.power(d=3, p=4), 0.05),
    "cosh": (lambda: gs.problems.cosh(d=5), 0.1),
    "exponential": (lambda: gs.problems.exponential(d=3), 0.1),
}


@pytest.mark.parametrize("name", sorted(PL_ZOO))
def test_pl_interval_contains_the_truth_on_the_zoo(name):
    make, lr = PL_ZOO[name]
    problem = make()
    c = problem.constants
    for seed in range(3):
        w0 = gs.estimate.spread_starts(problem, 4, seed=seed)
        for opt in (gs.optim.gd(lr), gs.optim.an_gd(lr, beta=0.5)):
            res = gs.run(problem, opt, 400, w0=w0)
            est = gs.estimate.pl(problem, res, n_resamples=49)
            assert inside(c.rho, est.intervals["rho"]), (seed, opt.name, est.intervals)
            assert inside(c.mu, est.intervals["mu"], rtol=5e-3), (seed, opt.name, est.intervals)
