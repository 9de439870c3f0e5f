r"""The derived bounds evaluated in log space, where they cannot overflow or underflow.

:func:`gsmooth.theory.an_gd_bound` derives exact expressions; evaluated in
float64 they overflow or underflow long before they stop being meaningful
(:math:`(1-c)^t\Delta_0` is 0 for :math:`t > 10^4` when :math:`c = 0.07`; a
sublinear law with an exponent near 1 carries integers of a thousand digits).
Here the theory's own expressions are evaluated with :mod:`mpmath`, whose
exponent range is unbounded, and only their logarithms come back as floats.

The floor of the fixed-step bound follows the derivation in
:mod:`gsmooth.theory.decay`, solved in :math:`u = \log g`: with
:math:`\log\varphi(u) = \beta u - \log(L_0 + L_1 e^{\alpha u})` (increasing for
:math:`\beta \ge \alpha`), :math:`g_\gamma` solves :math:`\varphi = \gamma`;
the level is :math:`F_0 = g_\gamma^\rho/(2\mu)`, the largest gradient norm on
:math:`\{\Delta \le F_0\}` solves :math:`G^2 = 2(L_0 + L_1 G^\alpha)F_0`, and the floor is
:math:`F_0 + \tfrac12\gamma^2(L_0 + L_1 G^\alpha)G^{2-2\beta}`.  The bound at
step ``t`` is :math:`\max(B(t), F)`, as :meth:`gsmooth.theory.FixedStepDecay.value`.

Examples
--------
>>> import numpy as np
>>> c = TheoryConstants.of(rho=2, alpha=0, mu=1.0, L0=4.0, L1=0.0)
>>> bound = c.bound("0")
>>> values = log_decay_bound(bound, np.array([3.0, 1e6]), c, gamma=0.25, delta0=1.0)
>>> round(float(np.exp(values[0])), 6), round(float(values[1] / np.log(10)), 1)
(0.421875, -124938.7)
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import brentq

from gsmooth.theory.exact import DELTA0, EPS, GAMMA, L0, L1, MU, T

PRECISION = 30
"""Decimal digits of the mpmath evaluation (the first phase's end subtracts near-equal terms)."""


class NotCovered(ValueError):
    """The theorem gives no bound for these constants and this step size (the message says why)."""


@dataclass(frozen=True)
class TheoryConstants:
    """One set of constants a bound is evaluated at: exact exponents, numeric scales.

    Attributes
    ----------
    rho, alpha : Fraction
    mu : float
        > 0.
    L0, L1 : float
        >= 0, not both 0.
    """

    rho: Fraction
    alpha: Fraction
    mu: float
    L0: float
    L1: float

    @classmethod
    def of(cls, rho, alpha, mu, L0, L1) -> TheoryConstants:
        """Build from numbers or strings (exponents read as in :func:`gsmooth.rates.teps.exact_exponent`)."""
        from gsmooth.rates.teps import exact_exponent

        return cls(exact_exponent("rho", rho, 1e-12, 2.0), exact_exponent("alpha", alpha, 0.0, 1.0),
                   float(mu), float(L0), float(L1))

    def bound(self, beta):
        """The derived :class:`gsmooth.theory.AnGdBound` for AN-GD with ``beta``.

        ``L0`` or ``L1`` is substituted when it is exactly 0 (the exponent of
        ``1/eps`` depends on it: with ``L0 = 0`` the step size grows like
        ``g^(beta - alpha)``, not ``g^beta``); positive scales stay symbolic,
        so one derivation serves every value (cached).
        """
        return _derive(str(self.rho), str(beta), str(self.alpha), self.L0 == 0, self.L1 == 0)

    def as_dict(self) -> dict:
        """JSON-ready: exponents as strings ("4/3"), scales as floats."""
        return {"rho": str(self.rho), "alpha": str(self.alpha), "mu": self.mu, "L0": self.L0, "L1": self.L1}


@functools.lru_cache(maxsize=128)
def _derive(rho: str, beta: str, alpha: str, l0_zero: bool, l1_zero: bool):
    from gsmooth.theory import an_gd_bound

    zeros = {name: 0 for name, zero in (("L0", l0_zero), ("L1", l1_zero)) if zero}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return an_gd_bound(rho, beta, alpha, **zeros)


def log_decay_bound(bound, t, constants: TheoryConstants, *, gamma: float, delta0: float) -> np.ndarray:
    """``log max(B(t), F)``: the fixed-step bound on ``Delta_t`` at steps ``t`` (module docstring).

    Raises
    ------
    NotCovered
        ``beta < alpha`` (the step-size rule is not increasing) or ``gamma`` at
        or above the supremum of ``g^beta/(L0 + L1 g^alpha)``.
    """
    floor = log_floor(bound, constants, gamma)
    steps = np.asarray(t, dtype=np.float64)
    if delta0 <= 0:
        return np.full(steps.shape, floor)
    with mpmath.workdps(PRECISION):
        if bound.decay.kind == "geometric":
            above = _log_geometric(bound, steps, constants, gamma, delta0)
        else:
            law = _function(bound.decay.law, (T, GAMMA, DELTA0, MU))
            args = (mpmath.mpf(gamma), mpmath.mpf(delta0), mpmath.mpf(constants.mu))
            above = np.array([_log(law(mpmath.mpf(step), *args)) for step in steps.ravel()])
    return np.maximum(above.reshape(steps.shape), floor)


def _log_geometric(bound, steps, constants, gamma, delta0):
    """``log(Delta_0 (1 - c)^t)``, and 0 after the first step where ``c >= 1``."""
    rate = _function(bound.decay.rate, (GAMMA, MU))(mpmath.mpf(gamma), mpmath.mpf(constants.mu))
    if rate <= 0:
        return np.where(steps.ravel() == 0, math.log(delta0), -math.inf)
    return math.log(delta0) + steps.ravel() * _log(rate)


def log_iterations(bound, eps, constants: TheoryConstants, *, delta0: float) -> np.ndarray:
    """``log T(eps)``, the derived number of steps to reach each ``eps`` with ``gamma(eps)``."""
    expr = bound.iterations
    function = _function(expr, (EPS, DELTA0, MU, L0, L1))
    with mpmath.workdps(PRECISION):
        args = (mpmath.mpf(delta0), *_scales(constants))
        return np.array([_log(function(mpmath.mpf(float(e)), *args)) for e in np.ravel(eps)])


def log_stepsize(bound, eps, constants: TheoryConstants) -> np.ndarray:
    """``log gamma(eps)``, the step size the theory prescribes for each ``eps``."""
    function = _function(bound.stepsize, (EPS, MU, L0, L1))
    with mpmath.workdps(PRECISION):
        return np.array([_log(function(mpmath.mpf(float(e)), *_scales(constants))) for e in np.ravel(eps)])


def log_floor(bound, constants: TheoryConstants, gamma: float) -> float:
    """``log F``, the floor set by a fixed ``gamma`` (-inf where the step-size condition always holds)."""
    beta, alpha, rho = float(bound.beta), float(constants.alpha), float(constants.rho)
    if beta < alpha:
        raise NotCovered(f"the theorem needs beta >= alpha, got beta = {bound.beta} < alpha = {constants.alpha}")
    log_l0 = math.log(constants.L0) if constants.L0 > 0 else -math.inf
    log_l1 = math.log(constants.L1) if constants.L1 > 0 else -math.inf

    def log_curvature(u):
        return np.logaddexp(log_l0, log_l1 + alpha * u)

    lowest, highest = stepsize_range(beta, alpha, constants.L0, constants.L1)
    if gamma <= lowest:
        return -math.inf
    if gamma >= highest:
        raise NotCovered(f"the step size {gamma:g} is at or above {highest:.4g}, the largest step the "
                         "theorem covers (the supremum of g^beta/(L0 + L1 g^alpha))")
    u = _increasing_root(lambda v: beta * v - log_curvature(v), math.log(gamma))
    log_level = rho * u - math.log(2 * constants.mu)
    v = _increasing_root(lambda w: 2 * w - math.log(2.0) - log_curvature(w), log_level)
    log_overshoot = 2 * math.log(gamma) - math.log(2.0) + log_curvature(v) + (2 - 2 * beta) * v
    return float(np.logaddexp(log_level, log_overshoot))


def stepsize_range(beta: float, alpha: float, l0: float, l1: float) -> tuple[float, float]:
    """Infimum and supremum over ``g > 0`` of ``g^beta/(L0 + L1 g^alpha)`` for ``beta >= alpha``.

    Examples
    --------
    >>> stepsize_range(0.0, 0.0, 4.0, 0.0), stepsize_range(1.0, 1.0, 1.0, 2.0)
    ((0.25, 0.25), (0.0, 0.5))
    """
    at_zero = (1.0 / (l0 + l1 * (alpha == 0)) if beta == 0 else
               (1.0 / l1 if l0 == 0 and beta == alpha else 0.0))
    if l1 > 0:
        at_infinity = 1.0 / l1 if beta == alpha else math.inf
    else:
        at_infinity = math.inf if beta > 0 else 1.0 / l0
    return at_zero, at_infinity


def _increasing_root(function, target: float) -> float:
    low, high = -1.0, 1.0
    while function(low) > target:
        low *= 2
    while function(high) < target:
        high *= 2
    return brentq(lambda x: function(x) - target, low, high, xtol=1e-13, rtol=1e-14)


def _scales(constants: TheoryConstants):
    return tuple(mpmath.mpf(v) for v in (constants.mu, constants.L0, constants.L1))


@functools.lru_cache(maxsize=256)
def _function(expr: sp.Expr, symbols: tuple):
    return sp.lambdify(symbols, expr, modules="mpmath")


def _log(value) -> float:
    value = mpmath.mpf(value) if not isinstance(value, mpmath.mpf) else value
    if value <= 0:
        return -math.inf
    return float(mpmath.log(value))
