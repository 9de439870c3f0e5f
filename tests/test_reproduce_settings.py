"""The released settings of the paper and their translation into gsmooth's optimizers.

Each method's first steps on a tiny problem are computed by hand from the
released scripts' formula (with the released gradient, half the exact one for
phase retrieval) on the same minibatch indices, and compared with gsmooth's
run of the translated optimizer.
"""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gsmooth as gs
from gsmooth import _backend
from gsmooth.problems.life_expectancy import load_life_expectancy
from gsmooth.reproduction.experiments import dro, get, phase_retrieval
from gsmooth.reproduction.experiments.settings import (
    MethodSetting,
    batched_optimizer,
    optimizer,
    translate,
)
from tests.conftest import WHO_CSV as WHO
from tests.conftest import needs_who

STEPS = 3


def released_gradient_pr(problem, w, idx):
    """The released script's phase-retrieval gradient A^T (s (s^2 - y)) / B (half the exact one)."""
    a, y = problem._host_data["a"][idx], problem._host_data["y"][idx]
    s = a @ w
    return a.T @ (s * (s * s - y)) / len(idx)


def released_gradient_dro(problem, w, idx):
    """The DRO minibatch gradient (the released one is the exact gradient)."""
    return problem.grad(w[None, :], np.asarray(idx)[None, :])[0]


def released_steps(setting, problem, grad, w, steps, draw):
    """``steps`` steps of the released update w - gamma v / max(A||u|| + o, c)^beta, by hand."""
    n = problem.n_samples
    m = np.zeros_like(w)
    v = w_prev = None
    for t in range(steps):
        if setting.family == "spider":
            if t % setting.period == 0:
                v = grad(problem, w, np.arange(n))
            else:
                idx = draw(setting.batch)
                v = v + grad(problem, w, idx) - grad(problem, w_prev, idx)
            direction = v
        else:
            direction = grad(problem, w, draw(setting.batch))
        if setting.family == "nsgd_momentum":
            m = setting.momentum * m + (1 - setting.momentum) * direction
            direction = m
        normalizer = direction
        if setting.family == "ian_sgd":
            normalizer = grad(problem, w, draw(setting.batch2))
        scale = setting.A * np.linalg.norm(normalizer) + setting.offset
        denominator = max(scale, setting.threshold) ** setting.beta
        w_prev, w = w, w - setting.gamma * direction / denominator
    return w


CASES = [(phase_retrieval, m) for m in phase_retrieval.METHODS] + [
    (dro, m) for m in dro.METHODS
]


@pytest.mark.parametrize(
    "module, setting", CASES, ids=[f"{mod.__name__.rsplit('.', 1)[1]}-{s.key}" for mod, s in CASES]
)
def test_translated_step_equals_released_step(module, setting):
    if module is phase_retrieval:
        problem = gs.problems.phase_retrieval(m=40, d=4, seed=3)
        grad, start = released_gradient_pr, problem.start * 0.3
    else:
        problem = gs.problems.dro(n=40, d=3, seed=3)
        grad, start = released_gradient_dro, problem.start
    spec = get(module.EXPERIMENT.name)
    small = setting.with_values(period=2) if setting.family == "spider" else setting
    res = gs.run(problem, optimizer(small, spec.grad_scale), STEPS, seeds=[5], w0=start[None, :],
                 record=[0])
    stream = _backend.IndexStream(_backend.run_generators([5]), problem.n_samples, np)
    expected = released_steps(small, problem, grad, start, STEPS, lambda size: stream.draw(size)[0])
    np.testing.assert_allclose(res.w[0], expected, rtol=1e-10, atol=1e-12)


def test_released_thresholds_are_squared_values():
    ian = phase_retrieval.EXPERIMENT.method("ian_sgd")
    assert ian.threshold == 45.0**2
    assert dro.EXPERIMENT.method("ian_sgd").threshold == 35.0**2


def test_paper_notation_of_ian_sgd_phase_retrieval():
    paper = phase_retrieval.EXPERIMENT.method("ian_sgd").paper_notation()
    assert paper["paper_gamma"] == pytest.approx(0.3 / 2025 ** (2 / 3))
    assert paper["paper_gamma"] == pytest.approx(1.87e-3, rel=5e-3)
    assert (paper["A"], paper["tau1"], paper["delta"]) == (2.0, 0.5, 15.0)
    assert paper["Gamma"] == pytest.approx(1 / 2025)
    assert paper["beta"] == "2/3" and paper["batch2"] == 4
    assert paper["step"] == "0.3 g / max(2||g'|| + 15, 2025)^(2/3)"


@pytest.mark.parametrize("family, extra", [("clipped_sgd", {}), ("an_sgd", {"A": 2.0})])
def test_clipped_translation_by_hand(family, extra):
    setting = MethodSetting("c", "c", family, 0.6, 64, beta=1.0, offset=15.0, threshold=2025.0,
                            **extra)
    t = translate(setting, grad_scale=2.0)
    a = extra.get("A", 1.0)
    assert t["lr"] == pytest.approx(0.6 / (2 * 2025))
    assert t["clip"] == pytest.approx(2 * 2025 / a) and t["offset"] == pytest.approx(30 / a)


@settings(max_examples=40, deadline=None)
@given(gamma=st.floats(1e-4, 1.0), beta=st.floats(0.05, 1.0), scale=st.floats(0.25, 4.0),
       o=st.floats(0.0, 50.0), c=st.floats(1.0, 5000.0), a=st.floats(1.0, 4.0),
       norm_g=st.floats(1e-3, 1e5), norm_u=st.floats(1e-3, 1e5))
def test_ian_translation_reproduces_step_length(gamma, beta, scale, o, c, a, norm_g, norm_u):
    """|released step| = |gsmooth step| for gradients scaled by ``scale``, at any norms."""
    setting = MethodSetting("i", "i", "ian_sgd", gamma, 8, beta=beta, offset=o, threshold=c,
                            A=a, batch2=2)
    t = translate(setting, scale)
    released = gamma * norm_g / max(a * norm_u + o, c) ** beta
    h = max(1.0, t["Gamma"] * (t["A"] * scale * norm_u + t["delta"]))
    assert t["lr"] * scale * norm_g / h**beta == pytest.approx(released, rel=1e-9)


def test_batched_optimizer_repeats_each_setting():
    ian = phase_retrieval.EXPERIMENT.method("ian_sgd")
    opt = batched_optimizer([ian, ian.with_values(beta=1.0)], grad_scale=2.0, repeats=3)
    assert opt.n_runs == 6
    assert opt.hyper["beta"] == (2 / 3,) * 3 + (1.0,) * 3
    assert opt.hyper["lr"][3] == pytest.approx(0.3 / (2 * 2025))


def test_batched_optimizer_refuses_mixed_sizes():
    ian = phase_retrieval.EXPERIMENT.method("ian_sgd")
    with pytest.raises(ValueError, match="share method and sizes"):
        batched_optimizer([ian, ian.with_values(batch2=8)])
    with pytest.raises(ValueError, match="share method and sizes"):
        batched_optimizer([ian, phase_retrieval.EXPERIMENT.method("sgd")])


def test_setting_checks_its_family():
    with pytest.raises(ValueError, match="family must be one of"):
        MethodSetting("x", "x", "adam", 0.1, 8)
    with pytest.raises(ValueError, match="positive threshold"):
        MethodSetting("x", "x", "ian_sgd", 0.1, 8, batch2=2)
    with pytest.raises(ValueError, match="ian_sgd needs batch2 .*, got None"):
        MethodSetting("x", "x", "ian_sgd", 0.1, 8, threshold=1.0)


def test_unknown_experiment():
    with pytest.raises(ValueError, match="experiment must be one of"):
        get("mnist")


class _NoNoise:
    """Stands in for a generator: the target without its N(0, 1) noise."""

    @staticmethod
    def normal(size):
        return np.zeros(size)


@needs_who
def test_released_dro_instance_has_the_released_draws():
    problem = dro.make_problem(str(WHO), released=True)
    draws = np.random.RandomState(dro.RELEASED_SEED).normal(size=2413)  # rows before the cut
    np.testing.assert_array_equal(problem.start[:-1], draws[:problem.n_features])
    assert problem.start[-1] == 0.1 and problem.lam == 0.01
    _, noiseless, _ = load_life_expectancy(WHO, "released", _NoNoise())
    np.testing.assert_allclose(problem._host_data["b"] - noiseless, draws[:2313], atol=1e-12)


@needs_who
def test_released_columns_start_with_row_number_then_year():
    features, _, names = load_life_expectancy(WHO, "released", _NoNoise())
    assert names[:2] == ["row_number", "year"] and len(names) == features.shape[1] == 34
    same_year = np.diff(features[:, 1]) == 0
    assert same_year.sum() > 2000 and np.all(np.diff(features[:, 0])[same_year] > 0)
    _, _, clean = load_life_expectancy(WHO, "clean", _NoNoise())
    assert clean[0] == "year" and set(names) - set(clean) == {"row_number", "winz_life_expectancy"}


@needs_who
def test_problem_options_replace_the_released_draws():
    seeded = dro.make_problem(str(WHO), released=True, seed=0)
    released = dro.make_problem(str(WHO), released=True)
    assert seeded.feature_names == released.feature_names
    assert not np.array_equal(seeded.start, released.start)
