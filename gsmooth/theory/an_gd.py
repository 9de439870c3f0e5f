r"""Derivation of the AN-GD iteration bounds under (6) and the generalized PL condition (9).

AN-GD takes :math:`w^+ = w - \gamma \nabla f(w)/\|\nabla f(w)\|^\beta`.  With
:math:`g = \|\nabla f(w)\|`, the descent inequality (6) gives

.. math::
    f(w^+) \le f(w) - \gamma g^{2-\beta} + \tfrac12 (L_0 + L_1 g^\alpha)\gamma^2 g^{2-2\beta}.

**Step-size condition.**  The second-order term eats at most half of the first
one iff :math:`\gamma \le \varphi(g) = g^\beta/(L_0 + L_1 g^\alpha)`
(:func:`sympy.solve` on the equality).  Then :math:`f(w^+) \le f(w) - (\gamma/2) g^{2-\beta}`.
Because :math:`g\,\varphi'(g)/\varphi(g) = (\beta L_0 + (\beta-\alpha) L_1 g^\alpha)/(L_0 + L_1 g^\alpha)`,
:math:`\varphi` increases when :math:`\beta \ge \alpha`; while :math:`\Delta_t > \epsilon`,
PL gives :math:`g \ge g_\epsilon = (2\mu\epsilon)^{1/\rho}`, so
:math:`\gamma(\epsilon) = \varphi(g_\epsilon)` is admissible at every such step.

**Recurrence.**  Substituting PL, :math:`g \ge (2\mu\Delta)^{1/\rho}`, into
:math:`(\gamma/2) g^{2-\beta}` gives :math:`\Delta_{t+1} \le \Delta_t - c\,\Delta_t^q`
with :math:`q = (2-\beta)/\rho` and :math:`c = (\gamma/2)(2\mu)^q`
(:math:`q` is read off as the :math:`\Delta`-elasticity of the decrease).

**Iterations.**  :mod:`gsmooth.theory.recurrence` bounds the steps to reach
:math:`\epsilon` by :math:`T(\epsilon) = \int_\epsilon^{\Delta_0} dx/(c(\epsilon) x^q)`.
Its exponent of :math:`1/\epsilon` is the limit of the elasticity
:math:`-\epsilon\, T'(\epsilon)/T(\epsilon)` as :math:`\epsilon \to 0`, computed
with :func:`sympy.limit` for the factors :math:`c(\epsilon)` and
:math:`c\,T`; a logarithmic factor is present when :math:`c\,T` divided by its
power of :math:`\epsilon` still diverges.  When :math:`\rho` or :math:`\beta` is a
free symbol, each regime is derived under its own sign of :math:`q - 1`
(:math:`q = 1 \pm s`, :math:`s > 0`) and the results are joined into a
:class:`sympy.Piecewise` over :math:`\rho + \beta - 2`.

Examples
--------
>>> from gsmooth.theory.an_gd import an_gd_bound
>>> bound = an_gd_bound("4/3", "2/3")
>>> bound.regime, bound.exponent, bound.log_factor
('linear', 1/2, True)
"""

from __future__ import annotations

import functools
import warnings

import sympy as sp

from gsmooth.errors import GSmoothWarning
from gsmooth.theory.bound import AnGdBound, Branch
from gsmooth.theory.decay import FixedStepDecay
from gsmooth.theory.exact import (
    ALPHA,
    EPS,
    GAMMA,
    GAP,
    GRAD,
    L0,
    L1,
    MU,
    check_constants,
    check_exponent,
    is_number,
)
from gsmooth.theory.recurrence import REGIMES, hitting_time, regime_of

_S = sp.Symbol("s", positive=True)
_Q_OF_REGIME = {"sublinear": 1 + _S, "linear": sp.Integer(1), "two-phase": 1 - _S}


def an_gd_bound(rho, beta, alpha=None, **known_constants) -> AnGdBound:
    """Derive the AN-GD step size, iteration bound and decay law from (6) and (9).

    Parameters
    ----------
    rho : number, str or sympy.Symbol
        PL exponent, in (0, 2].  Strings and Rationals stay exact.
    beta : number, str or sympy.Symbol
        Normalization exponent of AN-GD, in [0, 1].
    alpha : number, str, sympy.Symbol or None
        Smoothness exponent in [0, 1]; None leaves it a free symbol.
    **known_constants
        Any of ``L0, L1`` (>= 0, not both 0), ``mu, eps, Delta0`` (> 0),
        substituted into every expression.

    Returns
    -------
    AnGdBound
        ``.regime``, ``.exponent``, ``.stepsize``, ``.iterations``, ``.decay``,
        and formatting and evaluation helpers.

    Raises
    ------
    ValueError
        Exponents out of range or invalid constants, naming allowed and given values.

    Warns
    -----
    GSmoothWarning
        When ``beta < alpha``: the step-size rule is then outside the theorem
        (``g^beta/(L0 + L1 g^alpha)`` is not increasing), but the recurrence's
        consequences are still derived.

    Examples
    --------
    >>> b = an_gd_bound(1, "2/3")
    >>> b.regime, b.exponent, b.log_factor
    ('sublinear', 1, False)
    >>> an_gd_bound(1, 1).order
    log(1/epsilon)/epsilon
    >>> an_gd_bound(1, "3/2")
    Traceback (most recent call last):
    ...
    ValueError: beta must be in [0, 1], got 3/2
    """
    rho = check_exponent("rho", rho, low=0, high=2, open_low=True)
    beta = check_exponent("beta", beta, low=0, high=1)
    alpha = ALPHA if alpha is None else check_exponent("alpha", alpha, low=0, high=1)
    substitution = check_constants(known_constants)
    if is_number(alpha) and is_number(beta) and beta < alpha:
        warnings.warn(
            f"beta = {beta} < alpha = {alpha}: g^beta/(L0 + L1 g^alpha) is not increasing, so the "
            "step-size rule is outside the theorem; the recurrence's consequences are derived anyway",
            GSmoothWarning,
            stacklevel=2,
        )
    return _derive(rho, beta, alpha, tuple(substitution.items()))


@functools.lru_cache(maxsize=256)
def _derive(rho, beta, alpha, substitution: tuple) -> AnGdBound:
    values = dict(substitution)
    phi = stepsize_rule(beta, alpha)
    stepsize = phi.subs(GRAD, (2 * MU * EPS) ** (1 / rho))
    q, c = recurrence_constants(rho, beta)
    regime = regime_of(q)
    names = [regime] if regime else list(REGIMES)
    branches = [_branch(name, q, c, phi, (rho, beta, alpha), values) for name in names]
    return AnGdBound(
        rho=rho,
        beta=beta,
        alpha=alpha,
        constants=values,
        stepsize_condition=sp.Le(GAMMA, phi.subs(values)),
        monotonicity=elasticity(phi.subs(values)),
        stepsize=stepsize.subs(values),
        q=q,
        c=c.subs(values),
        regime=regime,
        branches=tuple(branches),
    )


def stepsize_rule(beta, alpha) -> sp.Expr:
    """Return the largest step size that keeps half of the first-order decrease.

    Solves ``gamma g^(2-beta) - (1/2)(L0 + L1 g^alpha) gamma^2 g^(2-2 beta)
    = (gamma/2) g^(2-beta)`` for ``gamma > 0``.

    Examples
    --------
    >>> import sympy as sp
    >>> stepsize_rule(sp.Integer(1), sp.Integer(1))
    g/(L_0 + L_1*g)
    """
    full = GAMMA * GRAD ** (2 - beta)
    second_order = (L0 + L1 * GRAD**alpha) * GAMMA**2 * GRAD ** (2 - 2 * beta) / 2
    (gamma,) = sp.solve(sp.Eq(full - second_order, full / 2), GAMMA)
    return sp.simplify(gamma)


def recurrence_constants(rho, beta) -> tuple[sp.Expr, sp.Expr]:
    """Return ``(q, c)`` of ``Delta_{t+1} <= Delta_t - c Delta_t^q`` (``c`` in terms of gamma).

    Examples
    --------
    >>> import sympy as sp
    >>> recurrence_constants(sp.Integer(2), sp.Integer(0))
    (1, gamma*mu)
    """
    decrease = GAMMA / 2 * ((2 * MU * GAP) ** (1 / rho)) ** (2 - beta)
    decrease = sp.powsimp(sp.expand_power_base(decrease, force=True), force=True)
    q = sp.simplify(GAP * sp.diff(sp.log(decrease), GAP))
    c = sp.simplify(sp.powsimp(decrease / GAP**q, force=True))
    return q, c


def _branch(name, q, c, phi, exponents, values) -> Branch:
    rho, beta, alpha = exponents
    branch_q = q if is_number(q) else _Q_OF_REGIME[name]
    back = _back_substitution(name, q, rho, beta)
    normalized = hitting_time(branch_q, sp.Integer(1))
    normalized_growth = sp.limit(EPS * sp.diff(sp.log(normalized), EPS), EPS, 0, "+")
    has_log = sp.limit(normalized * EPS ** (-normalized_growth), EPS, 0, "+") is sp.oo
    stepsize_growth = sp.limit(elasticity(phi.subs(values)), GRAD, 0, "+") / rho
    iterations = normalized / c.subs(GAMMA, phi.subs(GRAD, (2 * MU * EPS) ** (1 / rho)))
    decay = FixedStepDecay.derive(branch_q, c, rho, beta, phi, {**values, ALPHA: alpha})
    return Branch(
        regime=name,
        condition=_condition(name, rho, beta),
        iterations=iterations.subs(back).subs(values),
        exponent=sp.simplify((stepsize_growth - normalized_growth).subs(back)),
        log_factor=bool(has_log),
        decay=decay.substitute(back),
    )


def elasticity(phi: sp.Expr) -> sp.Expr:
    """Return ``g phi'(g) / phi(g)``, the local power of ``phi`` in the gradient norm ``g``.

    Since ``g_eps`` is proportional to ``eps^(1/rho)``, the ``eps``-elasticity of
    ``gamma(eps) = phi(g_eps)`` is this divided by ``rho``.

    Examples
    --------
    >>> import sympy as sp
    >>> from gsmooth.theory.exact import GRAD
    >>> elasticity(stepsize_rule(sp.Integer(1), sp.Integer(0)))
    1
    """
    return sp.simplify(GRAD * sp.diff(phi, GRAD) / phi)


def _back_substitution(name: str, q, rho, beta) -> dict:
    if is_number(q):
        return {}
    if name == "linear":
        free = beta if not is_number(beta) else rho
        (solution,) = sp.solve(sp.Eq(rho + beta, 2), free)
        return {free: solution}
    return {_S: q - 1 if name == "sublinear" else 1 - q}


def _condition(name: str, rho, beta):
    excess = rho + beta - 2
    return {"sublinear": excess < 0, "linear": sp.Eq(excess, 0), "two-phase": excess > 0}[name]
