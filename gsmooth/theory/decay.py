r"""Decay of :math:`\Delta_t` for AN-GD with a fixed step size :math:`\gamma`.

With :math:`\gamma` fixed (not tied to a target accuracy), the step-size
condition :math:`\gamma \le \varphi(g) = g^\beta/(L_0 + L_1 g^\alpha)` holds as long
as :math:`g \ge g_\gamma`, the root of :math:`\varphi(g_\gamma) = \gamma` (:math:`\varphi`
increases for :math:`\beta \ge \alpha`).  By PL this is guaranteed while
:math:`\Delta_t > F = g_\gamma^\rho/(2\mu)`, the *floor set by* :math:`\gamma`.  Above
the floor, :math:`\Delta_t \le B(t)` with :math:`B` from
:func:`gsmooth.theory.recurrence.decay_law`:

* sublinear (:math:`q > 1`): :math:`B(t) = O(t^{-p})`, :math:`p = 1/(q-1) = \rho/(2-\beta-\rho)`;
* linear (:math:`q = 1`): :math:`B(t) = (1-c)^t\Delta_0`, geometric;
* two-phase (:math:`q < 1`): :math:`B` reaches 0 at the finite time
  :math:`t_1 = \Delta_0^{1-q}/((1-q)c)`; the gap then sits at the floor.

Below the floor a step may increase :math:`f`, but by at most
:math:`\tfrac12\gamma^2 (L_0 + L_1 G^\alpha) G^{2-2\beta}`, where
:math:`G` bounds the gradient norm on :math:`\{\Delta \le F\}` through
:math:`G^2 \le 2(L_0 + L_1 G^\alpha) F` (minimize (6) along :math:`-\nabla f`).
Above the floor the recurrence decreases :math:`\Delta` again, so for all
:math:`t`: :math:`\Delta_t \le \max(B(t), F + \tfrac12\gamma^2 (L_0 + L_1 G^\alpha) G^{2-2\beta})`,
which :meth:`FixedStepDecay.value` evaluates.

Examples
--------
>>> from gsmooth.theory import an_gd_bound
>>> decay = an_gd_bound(2, 0, alpha=0).decay
>>> decay.kind, decay.rate
('geometric', -gamma*mu + 1)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from gsmooth.theory.exact import ALPHA, DELTA0, GRAD, L0, L1, MU, T, is_number
from gsmooth.theory.numeric import require_numeric, substitute_constants
from gsmooth.theory.recurrence import decay_law, first_phase, regime_of

KINDS = {"sublinear": "polynomial", "linear": "geometric", "two-phase": "finite-time"}
"""Kind of fixed-step decay in each regime."""


@dataclasses.dataclass(frozen=True)
class FixedStepDecay:
    """Fixed-step decay law of the AN-GD gap (see the module docstring).

    Attributes
    ----------
    kind : str
        "polynomial", "geometric" or "finite-time".
    law : sympy.Expr
        :math:`B(t)` in ``t``, ``gamma``, ``Delta_0`` and ``mu``.
    exponent : sympy.Expr or None
        ``p`` of ``B(t) = O(t^-p)`` (polynomial kind).
    rate : sympy.Expr or None
        Per-step factor ``1 - c`` (geometric kind).
    first_phase : sympy.Expr or None
        Time at which ``B`` reaches 0 (finite-time kind).
    rho, beta : sympy.Expr
        Exponents the law was derived for.
    stepsize_rule : sympy.Expr
        :math:`\\varphi(g) = g^\\beta/(L_0 + L_1 g^\\alpha)`, which sets the floor.
    known : dict
        Constants fixed at derivation, ``{symbol: value}``.
    """

    kind: str
    law: sp.Expr
    exponent: sp.Expr | None
    rate: sp.Expr | None
    first_phase: sp.Expr | None
    rho: sp.Expr
    beta: sp.Expr
    stepsize_rule: sp.Expr
    known: dict

    @classmethod
    def derive(cls, q, c, rho, beta, stepsize_rule, values: dict) -> FixedStepDecay:
        """Derive the law for recurrence constants ``q`` and ``c`` (``c`` in terms of gamma)."""
        kind = KINDS[regime_of(q)]
        law = decay_law(q, c)
        exponent = rate = phase = None
        if kind == "polynomial":
            exponent = -sp.limit(T * sp.diff(sp.log(law), T), T, sp.oo)
        elif kind == "geometric":
            rate = sp.simplify(law.subs(T, T + 1) / law)
        else:
            phase = first_phase(q, c)
        decay = cls(kind, law, exponent, rate, phase, rho, beta, stepsize_rule, values)
        return decay.substitute(values)

    def substitute(self, substitution: dict, simplify: bool = True) -> FixedStepDecay:
        """Return a copy with ``substitution`` applied to every expression (and to ``known``).

        ``simplify=False`` skips :func:`sympy.simplify`, which is what keeps
        substituting numbers fast whatever the numbers are.
        """
        fields = ("law", "exponent", "rate", "first_phase", "rho", "beta", "stepsize_rule")
        tidy = sp.simplify if simplify else (lambda expr: expr)
        changes = {
            name: tidy(getattr(self, name).subs(substitution))
            for name in fields
            if getattr(self, name) is not None
        }
        known = {symbol: sp.sympify(value).subs(substitution) for symbol, value in self.known.items()}
        known.update({symbol: value for symbol, value in substitution.items() if symbol not in known})
        return dataclasses.replace(self, known=known, **changes)

    def value(self, t, gamma, **constants):
        """Worst-case bound on ``Delta_t`` after ``t`` steps of AN-GD with fixed ``gamma``.

        Returns :math:`\\max(B(t), F + \\text{overshoot})` (module docstring), a
        float for scalar ``t`` and a NumPy array otherwise.

        Parameters
        ----------
        t : int or array of int
            Step counts.
        gamma : float
            The fixed step size.
        **constants
            ``Delta0``, ``mu``, ``L0``, ``L1`` and ``alpha`` where not already fixed.

        Raises
        ------
        ValueError
            If a constant is missing, if ``beta < alpha`` (no guarantee), or if
            ``gamma`` exceeds every value of ``g^beta/(L0 + L1 g^alpha)``.

        Examples
        --------
        >>> from gsmooth.theory import an_gd_bound
        >>> decay = an_gd_bound(2, 0, alpha=0, L0=4, L1=0).decay
        >>> round(decay.value(3, gamma=0.25, Delta0=1, mu=1), 6)
        0.421875
        """
        if not (is_number(self.rho) and is_number(self.beta)):
            raise ValueError("decay values need numeric rho and beta, got symbols")
        named = {"gamma": gamma, **constants}
        rule = self._concrete(self.stepsize_rule, named, GRAD)
        _check_monotone(self.beta, rule)
        floor = self._floor(float(gamma), rule, named)
        above = self._law_values(np.asarray(t, dtype=np.float64), named)
        result = np.maximum(above, floor)
        return float(result) if np.ndim(result) == 0 else result

    def _concrete(self, expr, named: dict, variable):
        return require_numeric(substitute_constants(expr.subs(self.known), named), variable)

    def _law_values(self, steps: np.ndarray, named: dict) -> np.ndarray:
        if self.rate is not None:
            rate = max(float(self._concrete(self.rate, named, None)), 0.0)
            start = float(self._concrete(DELTA0, named, None))
            return start * rate**steps
        law = self._concrete(self.law, named, T)
        with np.errstate(invalid="ignore"):
            return np.asarray(sp.lambdify(T, law, modules="numpy")(steps), dtype=np.float64)

    def _floor(self, gamma: float, rule: sp.Expr, named: dict) -> float:
        concrete = self._concrete(sp.Tuple(MU, L0, L1, ALPHA), named, None)
        mu, l0, l1, alpha = (float(value) for value in concrete)
        root = _stepsize_root(gamma, rule)
        if root == 0.0:
            return 0.0
        level = root ** float(self.rho) / (2 * mu)
        grad_bound = _increasing_root(lambda g: g**2 / (2 * (l0 + l1 * g**alpha)), level)
        overshoot = gamma**2 / 2 * (l0 + l1 * grad_bound**alpha) * grad_bound ** (2 - 2 * float(self.beta))
        return level + overshoot


def _check_monotone(beta, rule: sp.Expr) -> None:
    slope = sp.simplify(GRAD * sp.diff(sp.log(rule), GRAD))
    if sp.limit(slope, GRAD, sp.oo) < 0:
        raise ValueError(
            f"decay values need beta >= alpha (the step-size condition must hold for large "
            f"gradients), got beta = {beta}"
        )


def _stepsize_root(gamma: float, rule: sp.Expr) -> float:
    """Return ``g_gamma`` with ``rule(g_gamma) = gamma`` (0 when ``rule >= gamma`` everywhere)."""
    lowest = float(sp.limit(rule, GRAD, 0, "+"))
    highest = float(sp.limit(rule, GRAD, sp.oo))
    if gamma <= lowest:
        return 0.0
    if gamma >= highest:
        raise ValueError(
            f"gamma must be < {highest:g} (the supremum of g^beta/(L0 + L1 g^alpha)), got {gamma:g}"
        )
    function = sp.lambdify(GRAD, rule, modules="math")
    return _increasing_root(function, gamma)


def _increasing_root(function, target: float) -> float:
    """Solve ``function(x) = target`` for an increasing ``function`` on (0, inf).

    A root below the smallest positive double (an exponent near 0) is returned as 0.
    """
    low, high = 1.0, 1.0
    while function(low) > target:
        low /= 2
        if low == 0.0:
            return 0.0
    while function(high) < target:
        high *= 2
    return brentq(lambda x: function(x) - target, low, high, xtol=1e-300, rtol=4 * np.finfo(float).eps)

