r"""The paper's chi-square DRO experiment (released ``DRO/DRO.py``).

``lambda = 0.01``, linear model with log penalty, over ``z = (x, eta)``; start
``x0 ~ N(0, I)``, ``eta0 = 0.1``, then 30 steps of normalized GD (``gamma = 0.2``);
1000 stochastic steps (records ``0..1000``, as the released loop of 1001
iterations records before each step), batch 128, ``B' = 8``.  The reported
metric is ``Psi(x) = min_eta L(x, eta)``, computed exactly by
:meth:`gsmooth.problems.DRO.psi` at every recorded iterate.

The released DRO gradient is the exact gradient (scale ``s = 1``), so the
released settings carry over with the formulas of
:mod:`gsmooth.reproduction.experiments.settings` at ``s = 1``: IAN-SGD is
``lr = 0.14 / 1225^(2/3)``, ``A = 2``, ``delta = 25``, ``Gamma = 1/1225``.

Data: the WHO life-expectancy CSV when given, the synthetic regression of
:func:`gsmooth.problems.dro.synthetic_regression` otherwise.  The default
preprocessing leaves out the released label leak; ``released=True`` keeps it
(and the row-number feature), which is what the published figure used, and
on the WHO data without problem options rebuilds the released instance draw
for draw (:func:`released_instance`).  :data:`NOTES` lists every remaining
difference from the released script, and why IAN-SGD and clipped SGD
diverge on some instances at these settings.
Target: ``1.1 x`` the lowest median final ``Psi`` over the compared curves
(the data have no known noise floor).
"""

from __future__ import annotations

from gsmooth.reproduction.experiments.settings import MethodSetting
from gsmooth.reproduction.experiments.spec import Experiment, WarmStart

BATCH = 128
LAMBDA = 0.01
TARGET_FACTOR = 1.1
TWO_THIRDS = 2 / 3

METHODS = (
    MethodSetting("sgd", "SGD", "sgd", 4e-5, BATCH),
    MethodSetting("nsgd", "NSGD", "nsgd", 0.005, BATCH, beta=TWO_THIRDS),
    MethodSetting("nsgd_momentum", "NSGD-momentum", "nsgd_momentum", 0.005, BATCH,
                  beta=TWO_THIRDS, momentum=0.1),
    MethodSetting("clipped_sgd", "clipped SGD", "clipped_sgd", 0.14, BATCH, beta=TWO_THIRDS,
                  offset=25.0, threshold=1225.0),
    MethodSetting("spider", "SPIDER", "spider", 0.003, BATCH, beta=TWO_THIRDS, period=15),
    MethodSetting("an_sgd", "AN-SGD (same sample)", "an_sgd", 0.14, BATCH, beta=TWO_THIRDS,
                  offset=25.0, threshold=1225.0, A=2.0),
    MethodSetting("ian_sgd", "IAN-SGD", "ian_sgd", 0.14, BATCH, beta=TWO_THIRDS, offset=25.0,
                  threshold=1225.0, A=2.0, batch2=8),
)

REFERENCE = {
    "source": "released figure Fig/DRO.png, one seed, released preprocessing (label leak)",
    "final_psi_at_1.28e5_samples": {"ian_sgd": 4.0, "spider": 4.45, "clipped_sgd": 5.15,
                                    "nsgd_momentum": 5.4, "nsgd": 5.65, "sgd": 6.2},
}

NOTES = (
    "The released clipping floor 35 is squared in the code: the floor that acts is 1225.",
    "The released IAN-SGD multiplies ||g'|| by 2: A = 2, tau1 = 1/2 in the paper's notation.",
    "Every released norm is taken over z = (x, eta), the eta component included; so is "
    "gsmooth's.",
    "Default preprocessing leaves out the winsorized copy of the target (label leak) and the "
    "row-number feature; --released keeps both, as the published figure did.",
    "--released without --problem-seed rebuilds the released instance draw for draw: target "
    "noise and x0 from RandomState(1) (the released script reseeds before each), features "
    "in the released column order. Otherwise the noise and x0 come from NumPy Generators "
    "seeded by --problem-seed (default 0).",
    "At the released settings IAN-SGD and clipped SGD take plain gradient steps of size "
    "0.14 / 1225^(2/3) = 1.22e-3 while ||g'|| < 600 (||g|| < 1200), stable only where the "
    "largest Hessian eigenvalue of L stays below 2 / 1.22e-3 = 1636. That eigenvalue is "
    "about (1 / (2 lambda n)) lambda_max(sum over active i of r_i^2 a_i a_i^T), 50 times a "
    "residual-weighted second moment of the features; at the warm start it is about 1000 on "
    "the released instance and about 1500 on problem seed 0, where the runs cross the edge "
    "and diverge. Whether they diverge depends on the instance, not on the minibatches.",
    "Below the floor (2||g'|| + 25 < 1225 for IAN-SGD, ||g|| + 25 < 1225 for clipped SGD, "
    "2||g|| + 25 < 1225 for AN-SGD) the three take the same step, 1.22e-3 g. On the "
    "released instance IAN-SGD's B' = 8 normalizer exceeds the floor on about a fifth of "
    "its draws (shorter steps there), yet the three medians of final Psi agree within "
    "their q10-q90 spread (20 seeds), unlike the published figure (IAN-SGD 4.0, clipped "
    "SGD 5.15).",
    "The released Psi is min over eta by up to 5000 gradient steps of size 0.1 on eta, "
    "keeping the smallest value seen; gsmooth computes the minimum exactly. Along the "
    "released-instance runs the two agree to 1e-13 (about 2% of the samples are active at "
    "eta*, so the eta-curvature is about 1 and the released inner loop converges).",
    "Minibatches are drawn with replacement (the released code draws each batch without "
    "replacement; the independent batch B' may overlap the main one in both).",
    "NSGD-momentum starts from m_0 = 0 and never resets; the released code sets m = g at "
    "step 0 and restarts the momentum every 59 steps (epoch_momentum = 50 + 9).",
    "One warm start for every method and seed (as in the released script); the seeds vary "
    "the minibatches. The released methods draw from one global stream seeded 2024, one "
    "method after the other.",
    "Budget and x-axis as released: samples drawn, cut at the smallest total of the "
    "stochastic methods (SGD's 1000 x 128 = 1.28e5).",
    "AN-SGD is IAN-SGD's rule with g' = g (same sample), not part of the released figure.",
)

#: The released script seeds NumPy's global RandomState with 1 before drawing the
#: target noise, and again before drawing x0.
RELEASED_SEED = 1


def make_problem(data=None, released=False, **options):
    """The DRO problem on the WHO CSV at ``data`` or on synthetic data; ``options`` go to
    :func:`gsmooth.problems.dro` (``lam``, ``seed``, ``n``, ``d``).

    ``released=True`` on the WHO CSV without options is :func:`released_instance`.
    """
    from gsmooth.problems import dro

    if released and data is not None and not options:
        return released_instance(data)
    return dro(data=data, preprocessing="released" if released else "clean", **options)


def released_instance(path):
    """The released script's WHO instance, draw for draw.

    Released preprocessing and column order; target noise
    ``RandomState(1).normal(size=2413)`` (before the train/test cut) and
    ``x0 = RandomState(1).normal(size=34)`` (the script reseeds), ``eta0 = 0.1``,
    ``lambda = 0.01``.
    """
    import numpy as np

    from gsmooth.problems.dro import DRO, ETA0
    from gsmooth.problems.life_expectancy import load_life_expectancy

    features, target, names = load_life_expectancy(
        path, "released", np.random.RandomState(RELEASED_SEED))
    x0 = np.random.RandomState(RELEASED_SEED).normal(size=features.shape[1])
    return DRO(features, target, LAMBDA, np.append(x0, ETA0),
               "dro(life_expectancy, released, released draws)", names)


def target(problem, finals):
    """``1.1 x`` the lowest median final ``Psi`` of the compared curves."""
    best = min(finals.values())
    return TARGET_FACTOR * best, f"{TARGET_FACTOR:g} x lowest median final Psi"


EXPERIMENT = Experiment(
    name="dro",
    title="Chi-square DRO",
    steps=1000,
    grad_scale=1.0,
    methods=METHODS,
    warm_start=WarmStart(gamma=0.2, beta=1.0, steps=30),
    make_problem=make_problem,
    metric="psi",
    metric_label="Psi(x_t)",
    target=target,
    reference=REFERENCE,
    notes=NOTES,
)
