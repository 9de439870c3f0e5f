r"""The derived AN-GD bounds in closed form, evaluated in log space where nothing overflows.

:func:`gsmooth.theory.an_gd_bound` derives exact expressions; evaluated in
float64 they overflow or underflow long before they stop being meaningful
(:math:`(1-c)^t\Delta_0` is 0 for :math:`t > 10^4` when :math:`c = 0.07`; a
sublinear law with an exponent near 1 carries integers of a thousand digits,
and its symbolic derivation takes seconds).  The derivation's closed forms are
evaluated here directly as logarithms, for any constants; the tests check
them against the theory's expressions wherever those evaluate.

With :math:`q = (2-\beta)/\rho` and :math:`c = (\gamma/2)(2\mu)^q`
(:mod:`gsmooth.theory.an_gd`), writing :math:`a = (1-q)\log\Delta_0`:

* fixed-step decay above the floor (:mod:`gsmooth.theory.recurrence`):
  :math:`q > 1`: :math:`\log B = -\tfrac{1}{q-1}\,\mathrm{logaddexp}(a, \log((q-1)c\,t))`;
  :math:`q = 1`: :math:`\log B = \log\Delta_0 + t\log(1-c)` (0 after one step if :math:`c \ge 1`);
  :math:`q < 1`: :math:`\log B = \tfrac{1}{1-q}(a + \log(1 - (1-q)c\,t\,e^{-a}))` before
  :math:`t_1 = e^a/((1-q)c)` and :math:`-\infty` after;
* the floor (:mod:`gsmooth.theory.decay`), solved in :math:`u = \log g`: with
  :math:`\log\varphi(u) = \beta u - \log(L_0 + L_1 e^{\alpha u})` (increasing for
  :math:`\beta \ge \alpha`), :math:`g_\gamma` solves :math:`\varphi = \gamma`; the level is
  :math:`F_0 = g_\gamma^\rho/(2\mu)`, the largest gradient norm on :math:`\{\Delta \le F_0\}`
  solves :math:`G^2 = 2(L_0 + L_1 G^\alpha)F_0`, and the floor is
  :math:`F_0 + \tfrac12\gamma^2(L_0 + L_1 G^\alpha)G^{2-2\beta}`; the bound is :math:`\max(B, F)`;
* step size :math:`\log\gamma(\epsilon) = \log\varphi(\log g_\epsilon)`,
  :math:`g_\epsilon = (2\mu\epsilon)^{1/\rho}`; iterations
  :math:`T(\epsilon) = \int_\epsilon^{\Delta_0} dx/(c(\epsilon)x^q)`:
  :math:`\log\big(|\Delta_0^{1-q} - \epsilon^{1-q}|/|1-q|\big) - \log c(\epsilon)`, or
  :math:`\log\log(\Delta_0/\epsilon) - \log c(\epsilon)` for :math:`q = 1`;
* the exponent of :math:`1/\epsilon` in :math:`T`: :math:`\max(q-1, 0) + s`, where
  :math:`\gamma(\epsilon) \propto \epsilon^s` as :math:`\epsilon \to 0`: :math:`s = \beta/\rho`
  when :math:`L_0 > 0`, :math:`(\beta - \alpha)/\rho` when :math:`L_0 = 0`; a factor
  :math:`\log(1/\epsilon)` when :math:`q = 1`.

Examples
--------
>>> import numpy as np
>>> c = TheoryConstants.of(rho=2, alpha=0, mu=1.0, L0=4.0, L1=0.0)
>>> values = log_decay_bound(c, "0", np.array([3.0, 1e6]), gamma=0.25, delta0=1.0)
>>> round(float(np.exp(values[0])), 6), round(float(values[1] / np.log(10)), 1)
(0.421875, -124938.7)
>>> c.regime("0"), c.exponent("0"), c.log_factor("0")
('linear', 0.0, True)
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.optimize import brentq

KIND = {"sublinear": "polynomial", "linear": "geometric", "two-phase": "finite-time"}
"""Fixed-step decay kind of each regime (as :data:`gsmooth.theory.decay.KINDS`)."""


class NotCovered(ValueError):
    """The theorem gives no bound for these constants and this step size.

    The message says why; ``remedy`` says what would make the theorem apply.
    """

    def __init__(self, message: str, remedy: str = ""):
        super().__init__(message)
        self.remedy = remedy


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

    def q(self, beta) -> Fraction:
        """Exponent of the recurrence, ``(2 - beta)/rho``."""
        return (2 - Fraction(str(beta))) / self.rho

    def regime(self, beta) -> str:
        """"sublinear", "linear" or "two-phase", by the exact sign of ``rho + beta - 2``."""
        q = self.q(beta)
        return "sublinear" if q > 1 else ("linear" if q == 1 else "two-phase")

    def log_factor(self, beta) -> bool:
        return self.q(beta) == 1

    def exponent(self, beta) -> float:
        """Exponent of ``1/eps`` in ``T(eps)`` (module docstring)."""
        beta = Fraction(str(beta))
        growth = (beta - (self.alpha if self.L0 == 0 else 0)) / self.rho
        return float(max(self.q(beta) - 1, Fraction(0)) + growth)

    def bound(self, beta):
        """The symbolic :class:`gsmooth.theory.AnGdBound` (cached; ``L0 = 0`` or ``L1 = 0`` kept exact)."""
        return _derive(str(self.rho), str(beta), str(self.alpha), self.L0 == 0, self.L1 == 0)

    def as_dict(self) -> dict:
        """JSON-ready: exponents as strings ("4/3"), scales as floats."""
        return {"rho": str(self.rho), "alpha": str(self.alpha), "mu": self.mu, "L0": self.L0, "L1": self.L1}

    def log_c(self, beta, log_gamma):
        """``log c`` of the recurrence, ``c = (gamma/2)(2 mu)^q``, at ``log gamma``."""
        return log_gamma - math.log(2.0) + float(self.q(beta)) * math.log(2 * self.mu)

    def _log_curvature(self, u):
        log_l0 = math.log(self.L0) if self.L0 > 0 else -math.inf
        log_l1 = math.log(self.L1) if self.L1 > 0 else -math.inf
        return np.logaddexp(log_l0, log_l1 + float(self.alpha) * u)


@functools.lru_cache(maxsize=64)
def _derive(rho: str, beta: str, alpha: str, l0_zero: bool, l1_zero: bool):
    from gsmooth.theory import an_gd_bound

    zeros = {name: 0 for name, zero in (("L0", l0_zero), ("L1", l1_zero)) if zero}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return an_gd_bound(rho, beta, alpha, **zeros)


def log_decay_bound(constants: TheoryConstants, beta, t, *, gamma: float, delta0: float) -> np.ndarray:
    """``log max(B(t), F)``: the fixed-step bound on ``Delta_t`` after ``t`` steps (module docstring).

    Raises
    ------
    NotCovered
        ``beta < alpha`` (the step-size rule is not increasing) or ``gamma`` at
        or above the supremum of ``g^beta/(L0 + L1 g^alpha)``.
    """
    floor = log_floor(constants, beta, gamma)
    steps = np.asarray(t, dtype=np.float64)
    if not delta0 > 0:
        return np.full(steps.shape, floor)
    q, log_c = float(constants.q(beta)), constants.log_c(beta, math.log(gamma))
    log_delta0 = math.log(delta0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if constants.q(beta) == 1:
            c = math.exp(log_c)
            above = (log_delta0 + steps * math.log1p(-c) if c < 1
                     else np.where(steps == 0, log_delta0, -np.inf))
        elif q > 1:
            above = -np.logaddexp((1 - q) * log_delta0, math.log(q - 1) + log_c + np.log(steps)) / (q - 1)
        else:
            a = (1 - q) * log_delta0
            fraction = np.exp(math.log(1 - q) + log_c + np.log(steps) - a)
            above = np.where(fraction < 1, (a + np.log1p(-np.minimum(fraction, 1.0))) / (1 - q), -np.inf)
    return np.maximum(above, floor)


def log_stepsize(constants: TheoryConstants, beta, eps) -> np.ndarray:
    """``log gamma(eps)``, the step size the theory prescribes for each ``eps``."""
    u = (np.log(2 * constants.mu) + np.log(np.asarray(eps, dtype=np.float64))) / float(constants.rho)
    return float(Fraction(str(beta))) * u - constants._log_curvature(u)


def log_iterations(constants: TheoryConstants, beta, eps, *, delta0: float) -> np.ndarray:
    """``log T(eps)``, the derived number of steps to reach each ``eps`` with ``gamma(eps)``."""
    eps = np.asarray(eps, dtype=np.float64)
    log_c = constants.log_c(beta, log_stepsize(constants, beta, eps))
    q = constants.q(beta)
    with np.errstate(divide="ignore", invalid="ignore"):
        if q == 1:
            return np.where(eps < delta0, np.log(np.log(delta0 / eps)), -np.inf) - log_c
        a, b = float(1 - q) * math.log(delta0), float(1 - q) * np.log(eps)
        top, bottom = np.maximum(a, b), np.minimum(a, b)
        log_integral = top + np.log1p(-np.exp(bottom - top)) - math.log(abs(float(1 - q)))
    return np.where(eps < delta0, log_integral, -np.inf) - log_c


def log_floor(constants: TheoryConstants, beta, gamma: float) -> float:
    """``log F``, the floor set by a fixed ``gamma`` (-inf where the step-size condition always holds)."""
    beta_value, alpha, rho = float(Fraction(str(beta))), float(constants.alpha), float(constants.rho)
    if beta_value < alpha:
        raise NotCovered(f"the theorem needs beta >= alpha, got beta = {beta} < alpha = {constants.alpha}",
                         f"use beta >= {constants.alpha} (or claim alpha, if a smaller one is true)")
    lowest, highest = stepsize_range(beta_value, alpha, constants.L0, constants.L1)
    if gamma <= lowest:
        return -math.inf
    if gamma >= highest:
        raise NotCovered(f"the step size {gamma:g} is at or above {highest:.4g}, the largest step the "
                         "theorem covers (the supremum of g^beta/(L0 + L1 g^alpha))",
                         f"use a step size (--lr) below {highest:.4g}")
    u = _increasing_root(lambda v: beta_value * v - constants._log_curvature(v), math.log(gamma))
    log_level = rho * u - math.log(2 * constants.mu)
    v = _increasing_root(lambda w: 2 * w - math.log(2.0) - constants._log_curvature(w), log_level)
    log_overshoot = (2 * math.log(gamma) - math.log(2.0) + constants._log_curvature(v)
                     + (2 - 2 * beta_value) * v)
    return float(np.logaddexp(log_level, log_overshoot))


def stepsize_range(beta: float, alpha: float, l0: float, l1: float) -> tuple[float, float]:
    """Infimum and supremum over ``g > 0`` of ``g^beta/(L0 + L1 g^alpha)`` for ``beta >= alpha``.

    Examples
    --------
    >>> stepsize_range(0.0, 0.0, 4.0, 1.0), stepsize_range(1.0, 1.0, 1.0, 2.0), stepsize_range(0.5, 0, 1.0, 0)
    ((0.2, 0.2), (0.0, 0.5), (0.0, inf))
    """
    if beta == 0:
        constant = 1.0 / (l0 + l1)
        return constant, constant
    at_zero = 1.0 / l1 if l0 == 0 and beta == alpha else 0.0
    at_infinity = 1.0 / l1 if l1 > 0 and beta == alpha else math.inf
    return at_zero, at_infinity


def _increasing_root(function, target: float) -> float:
    low, high = -1.0, 1.0
    while function(low) > target:
        low *= 2
    while function(high) < target:
        high *= 2
    return brentq(lambda x: function(x) - target, low, high, xtol=1e-13, rtol=1e-14)
