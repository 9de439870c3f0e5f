r"""A ready IAN-SGD optimizer from estimated constants.

IAN-SGD (Yang et al., TMLR 2025) needs ``A, delta`` (from the noise constants
``tau1, tau2``), a step size ``gamma`` and the normalization scale ``Gamma``
(from ``L1``, ``gamma`` and ``tau1``).  :func:`configure_ian_sgd` estimates
``(L0, L1, alpha)`` (the Hessian envelope) and ``(tau1, tau2)`` on a pilot run
and hands them to :func:`gsmooth.theory.ian_sgd_parameters`, whose stated rules are

* ``A = 1/(1 - tau1)``, ``delta = tau2/(1 - tau1)``;
* ``gamma = gamma0 / sqrt(T)``;
* ``Gamma = (4 L1 gamma (2 tau1^2 + 1))^(1/beta)``.

**The step respects stability.**  ``gamma = O(1/sqrt(T))`` is the theorem's
order; its constant must keep the steps stable, and ``1/sqrt(T)`` alone does
not (on ``finite_sum(quadratic([.5, 1, 3, 7, 20]))`` with ``T = 10`` it is
0.32, above ``2/L = 0.1``, and every run diverges).  Where the normalization
does not act (``h = 1``) an IAN-SGD step is a plain gradient step of length
``gamma``, and the theory layer's step-size rule
(:func:`gsmooth.theory.an_gd.stepsize_rule`, the largest step keeping half of
the first-order decrease under (6)),
``gamma <= ||grad F||^beta / (L0 + L1 ||grad F||^alpha)``, is at ``beta = 0``
``gamma <= 1/(L0 + L1 ||grad F||^alpha)``.  We evaluate it at
``||grad F|| = 1``, the gradient scale below which the curvature bound is
``L0 + L1``; there ``1^alpha = 1``, so the rule is ``1/(L0 + L1)`` for every
``alpha`` (:func:`stable_step`), and we take

.. math::

    \gamma = \min\bigl(\gamma_0/\sqrt{T},\ 1/(L_0 + L_1)\bigr),

passed to the theory layer as ``gamma0 = min(gamma0, sqrt(T)/(L0 + L1))`` so
that ``Gamma`` follows from the step actually used.  A capped ``gamma0`` is
rounded *down* to :data:`DIGITS` significant digits (the largest such decimal
with ``gamma0/sqrt(T) <= 1/(L0 + L1)``, checked exactly, and passed as a
fraction, which the theory layer does not snap), so ``lr <= 1/(L0 + L1)``
holds for the step used.  With multiplicative
noise ``(1 +- tau1)``, ``tau1 < 1``, the noisy step stays below ``2/L``.

The other estimates enter the exact theory layer as decimal strings of
:data:`DIGITS` significant digits (rounded to nearest), and ``beta`` as the
nearest fraction with denominator at most 1000 (``0.6667 -> 2/3``), so that
SymPy keeps the expressions small.
``tau2 = 0`` or ``L1 = 0`` (which the theorem excludes) are replaced by the
smallest positive float with a note: with ``L1 = 0`` the normalization never
acts (``h = 1``) and IAN-SGD is plain SGD.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from gsmooth import optim
from gsmooth._checks import nonnegative_int, positive_int
from gsmooth._exact import exact_fraction
from gsmooth.errors import GSmoothError
from gsmooth.estimate.data import check_same_problem, check_source_options
from gsmooth.estimate.noise import NoiseEstimate, check_draws, check_finite_sum, noise
from gsmooth.estimate.smoothness import SmoothnessEstimate, smoothness

TINY = float(np.finfo(float).tiny)
#: Significant digits of the estimates handed to the exact theory layer.
DIGITS = 6


@dataclass
class IANSGDConfiguration:
    """A configured IAN-SGD optimizer and the estimates behind it.

    Attributes
    ----------
    optimizer : Optimizer
        ``gs.optim.ian_sgd(...)`` ready for ``gs.run``.
    values : dict of str to float
        ``lr (= gamma), beta, A, delta, Gamma`` as used.
    smoothness : SmoothnessEstimate
    noise : NoiseEstimate
    parameters : IanSgdParameters
        The exact choices from :func:`gsmooth.theory.ian_sgd_parameters`.
    notes : list of str
    """

    optimizer: object
    values: dict
    smoothness: SmoothnessEstimate
    noise: NoiseEstimate
    parameters: object
    notes: list = field(default_factory=list)

    def summary(self) -> str:
        """The estimates, then the parameters chosen."""
        chosen = ", ".join(f"{k} = {v:.4g}" for k, v in self.values.items())
        lines = [self.smoothness.summary(), self.noise.summary(), f"IAN-SGD: {chosen}"]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])

    __str__ = summary


def configure_ian_sgd(problem, pilot, steps: int, *, beta: float = 2 / 3, batch: int = 64,
                      batch2: int = 8, gamma_constant: float = 1.0, source: str = "hessian",
                      noise_batch: int | None = None, draws: int | str = 64,
                      quantile: float = 1.0, n_resamples: int = 99,
                      seed: int = 0) -> IANSGDConfiguration:
    """Estimate what IAN-SGD needs on a pilot run and return a ready optimizer.

    Parameters
    ----------
    problem : Problem
        A finite sum.
    pilot : RunResult
        A run on ``problem`` with ``capture=True`` and ``keep_iterates=True``
        (any method; several seeds give intervals).
    steps : int
        ``T``, the number of IAN-SGD steps planned (sets ``gamma``).
    beta : float in (0, 1]
    batch, batch2 : int
        IAN-SGD's two minibatch sizes.
    gamma_constant : float
        ``gamma0`` in ``gamma = min(gamma0/sqrt(T), 1/(L0 + L1))`` (module docstring).
    source : str
        Smoothness data source (see :func:`gsmooth.estimate.smoothness`).
    noise_batch : int, optional
        Batch of the noise estimate; default ``batch2``, the batch whose
        norm enters ``h``.
    draws, quantile, n_resamples, seed
        Passed to the estimators.

    Raises
    ------
    TypeError, ValueError
        Before the pilot estimates, for any argument out of its range, named as given
        (``steps must be a positive integer, got 0``).

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.finite_sum(gs.problems.power(d=2), n=200, tau1=0.3, tau2=0.5)
    >>> pilot = gs.run(p, gs.optim.gd(0.05), 100, w0=gs.estimate.spread_starts(p, 3), capture=True,
    ...                keep_iterates=True)
    >>> conf = gs.estimate.configure_ian_sgd(p, pilot, 400, batch=4, batch2=1, draws="all",
    ...                                      n_resamples=10)
    >>> conf.optimizer.name, round(conf.values["lr"], 4), round(conf.values["A"], 1)
    ('ian_sgd', 0.05, 1.4)
    >>> conf.values["lr"] <= 1 / (conf.smoothness.L0 + conf.smoothness.L1)
    True
    """
    from gsmooth.theory import ian_sgd_parameters
    from gsmooth.theory.exact import check_exponent
    from gsmooth.theory.exact import check_positive as check_exact_positive

    check_finite_sum(problem)
    check_same_problem(problem, pilot, run_needed=True, name="pilot")
    steps = positive_int("steps", steps)
    check_exponent("beta", beta, low=0, high=1, open_low=True)  # the theory layer's rule
    batch, batch2 = positive_int("batch", batch), positive_int("batch2", batch2)
    gamma_constant = float(check_exact_positive("gamma_constant", gamma_constant))
    check_source_options(source, {})  # the name of the smoothness source
    noise_batch = batch2 if noise_batch is None else positive_int("noise_batch", noise_batch)
    check_draws(noise_batch, draws, quantile)
    positive_int("n_resamples", n_resamples)
    nonnegative_int("seed", seed)
    smooth = smoothness(problem, pilot, source=source, n_resamples=n_resamples, seed=seed)
    noisy = noise(problem, pilot, batch=noise_batch, draws=draws, quantile=quantile,
                  n_resamples=n_resamples, seed=seed)
    if noisy.A is None:
        raise GSmoothError(f"tau1 = {noisy.tau1:.4g} >= 1: IAN-SGD's noise assumption fails")
    notes, tau2, L1 = [], noisy.tau2, smooth.L1
    if tau2 <= 0:
        tau2 = TINY
        notes.append("tau2 = 0 estimated; the theory needs tau2 > 0, used the smallest float")
    if L1 <= 0:
        L1 = TINY
        notes.append("L1 = 0 estimated: the normalization never acts and IAN-SGD is plain SGD")
    stable = stable_step(smooth.L0, smooth.L1)
    gamma0 = _decimal(gamma_constant)
    if gamma_constant / np.sqrt(steps) > stable:
        notes.append(f"step capped by the stability rule 1/(L0 + L1) = {stable:.4g} "
                     f"(gamma0/sqrt(T) = {gamma_constant / np.sqrt(steps):.4g} would exceed it)")
        gamma0 = capped_gamma_constant(stable, steps)
    params = ian_sgd_parameters(
        _decimal(noisy.tau1), _decimal(tau2), _decimal(smooth.L0), _decimal(L1),
        str(exact_fraction(beta, "beta")), steps, gamma_constant=gamma0,
    )
    values = {"lr": float(params.gamma), "beta": float(params.beta), "A": float(params.A),
              "delta": float(params.delta), "Gamma": max(float(params.Gamma), TINY)}
    optimizer = optim.ian_sgd(batch=batch, batch2=batch2, **values)
    return IANSGDConfiguration(optimizer, values, smooth, noisy, params, notes)


def stable_step(L0: float, L1: float) -> float:
    """``1/(L0 + L1)``: the theory layer's rule ``g^beta/(L0 + L1 g^alpha)`` at ``beta = 0`` and
    ``g = 1``, the same for every ``alpha`` (module docstring); ``inf`` when ``L0 + L1 = 0``.

    Examples
    --------
    >>> stable_step(20.0, 0.0), stable_step(4.0, 6.0)
    (0.05, 0.1)
    """
    total = float(L0) + float(L1)
    return 1.0 / total if total > 0 else float("inf")


def capped_gamma_constant(stable: float, steps: int) -> Fraction:
    """The largest decimal ``gamma0`` of :data:`DIGITS` significant digits with
    ``gamma0 / sqrt(steps) <= stable`` exactly (rounded down, module docstring).

    Examples
    --------
    >>> capped_gamma_constant(1 / 7, 10)  # sqrt(10)/7 = 0.45175395..., not 0.451754
    Fraction(451753, 1000000)
    """
    rounding = decimal.Context(prec=DIGITS, rounding=decimal.ROUND_DOWN)
    gamma0 = rounding.create_decimal(stable * math.sqrt(steps))
    while Fraction(gamma0) ** 2 > Fraction(stable) ** 2 * steps:
        gamma0 = rounding.next_minus(gamma0)
    return Fraction(gamma0)


def _decimal(value: float) -> str:
    return f"{float(value):.{DIGITS}g}"
