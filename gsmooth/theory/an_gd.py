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
power of :math:`\epsilon` still diverges.

**Derived once, then evaluated.**  Each regime is derived once with
:math:`\rho, \beta, \alpha` and the constants left free, under its own sign of
:math:`q - 1` (:math:`q = 1 \pm s`, :math:`s > 0`); only the pattern of
vanishing constants (:math:`L_0 = 0` or :math:`L_1 = 0`) changes the calculus
and gets its own derivation.  Given numbers are substituted into the result,
which takes milliseconds whatever the numbers are (``6667/10000`` as fast as
``2/3``).  With :math:`\rho` or :math:`\beta` free the regimes are joined into a
:class:`sympy.Piecewise` over :math:`\rho + \beta - 2`.

Examples
--------
>>> from gsmooth.theory.an_gd import an_gd_bound
>>> bound = an_gd_bound("4/3", "2/3")
>>> bound.regime, bound.exponent, bound.log_factor
('linear', 1/2, True)
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from typing import NamedTuple

import sympy as sp

from gsmooth.errors import GSmoothWarning
from gsmooth.theory.bound import AnGdBound, Branch
from gsmooth.theory.decay import FixedStepDecay
from gsmooth.theory.exact import (
    ALPHA,
    BETA,
    EPS,
    GAMMA,
    GAP,
    GRAD,
    L0,
    L1,
    MU,
    RHO,
    check_constants,
    check_value,
    input_notes,
    is_number,
)
from gsmooth.theory.recurrence import REGIMES, hitting_time, regime_of

_S = sp.Symbol("s", positive=True)
_Q_OF_REGIME = {"sublinear": 1 + _S, "linear": sp.Integer(1), "two-phase": 1 - _S}


def an_gd_bound(rho, beta, alpha=None, *, snap: bool = True, **known_constants) -> AnGdBound:
    """Derive the AN-GD step size, iteration bound and decay law from (6) and (9).

    Parameters
    ----------
    rho : number, str or sympy.Symbol
        PL exponent, in (0, 2].  Strings and Rationals stay exact.
    beta : number, str or sympy.Symbol
        Normalization exponent of AN-GD, in [0, 1].
    alpha : number, str, sympy.Symbol or None
        Smoothness exponent in [0, 1]; None leaves it a free symbol.
    snap : bool
        Read long decimals and floats as the simple fractions they round
        (:mod:`gsmooth._exact`; each snap is listed in ``.notes``); False keeps
        every decimal exact.
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
    notes = input_notes(snap, rho=rho, beta=beta, alpha=alpha, **known_constants)
    rho = check_value("rho", rho, snap=snap)
    beta = check_value("beta", beta, snap=snap)
    alpha = ALPHA if alpha is None else check_value("alpha", alpha, snap=snap)
    substitution = check_constants(known_constants, snap=snap)
    if is_number(alpha) and is_number(beta) and beta < alpha:
        warnings.warn(
            f"beta = {beta} < alpha = {alpha}: g^beta/(L0 + L1 g^alpha) is not increasing, so the "
            "step-size rule is outside the theorem; the recurrence's consequences are derived anyway",
            GSmoothWarning,
            stacklevel=2,
        )
    bound = _evaluate(rho, beta, alpha, tuple(substitution.items()))
    return dataclasses.replace(bound, notes=notes) if notes else bound


@functools.lru_cache(maxsize=256)
def _evaluate(rho, beta, alpha, substitution: tuple) -> AnGdBound:
    """Substitute the given exponents and constants into the regime templates.

    Known constants are kept as symbols (and used at evaluation) when writing
    them into the expressions would need integers of more than
    :data:`MAX_INTEGER_BITS` bits: SymPy writes ``(197/500)^(6667/13333)`` with
    ``5^6668``, which no reader wants and Python refuses to print.
    """
    values = dict(substitution)
    zeros = _zero_pattern(values)
    exponents = {RHO: rho, BETA: beta, ALPHA: alpha}
    if _power_bits(values.values(), exponents.values()) <= MAX_INTEGER_BITS:
        bound = _instantiate(zeros, {**exponents, **values}, values)
        if _largest_integer_bits(bound.stepsize, bound.iterations) <= MAX_INTEGER_BITS:
            return bound
    structural = {symbol: value for symbol, value in values.items() if value == 0}
    kept = tuple(symbol for symbol in values if symbol not in structural)
    bound = _instantiate(zeros, {**exponents, **structural}, values)
    return dataclasses.replace(bound, symbolic_constants=kept)


MAX_INTEGER_BITS = 256
"""Largest integer (in bits) an expression may hold once known constants are substituted."""


def _instantiate(zeros, given: dict, values: dict) -> AnGdBound:
    template = _template(*zeros)
    q = template.q.subs(given)
    regime = regime_of(q)
    names = [regime] if regime else list(REGIMES)
    return AnGdBound(
        rho=given[RHO],
        beta=given[BETA],
        alpha=given[ALPHA],
        constants=values,
        stepsize_condition=sp.Le(GAMMA, template.phi.subs(given)),
        monotonicity=template.monotonicity.subs(given),
        stepsize=template.stepsize.subs(given),
        q=q,
        c=template.c.subs(given),
        regime=regime,
        branches=tuple(_template_branch(name, *zeros).substitute(given) for name in names),
    )


def _power_bits(constants, exponents) -> int:
    """A priori size (bits) of ``c^(p/q)`` written out: the constant's bits times ``max(|p|, q)``.

    Writing a constant ``a/b`` raised to ``p/q`` into an expression makes SymPy
    build ``a^p`` and test ``q``-th powers, which for a constant or exponent
    that came from a float (``q`` near ``2^52``) does not finish; such inputs
    are kept symbolic without trying.
    """
    def bits(value):
        value = sp.Rational(value) if isinstance(value, int) else value
        return max(abs(value.p).bit_length(), value.q.bit_length()) if value.is_Rational else 0

    def magnitude(value):
        return max(abs(value.p), value.q) if getattr(value, "is_Rational", False) else 1

    return max((bits(c) for c in constants), default=0) * max(magnitude(e) for e in exponents)


def _largest_integer_bits(*expressions) -> int:
    return max((max(abs(atom.p).bit_length(), atom.q.bit_length())
                for expr in expressions for atom in expr.atoms(sp.Rational)), default=0)


class _Template(NamedTuple):
    phi: sp.Expr
    monotonicity: sp.Expr
    stepsize: sp.Expr
    q: sp.Expr
    c: sp.Expr
    zeros: dict


def _zero_pattern(values: dict) -> tuple[bool, bool]:
    """Which of ``L0, L1`` are given as 0: the only inputs that change the calculus."""
    return values.get(L0) == 0, values.get(L1) == 0


@functools.lru_cache(maxsize=None)
def _template(l0_zero: bool, l1_zero: bool) -> _Template:
    """Step-size rule and recurrence with free exponents and constants (``L0``/``L1`` set to 0 if so)."""
    zeros = {symbol: sp.Integer(0) for symbol, zero in ((L0, l0_zero), (L1, l1_zero)) if zero}
    phi = stepsize_rule(BETA, ALPHA).subs(zeros)
    q, c = recurrence_constants(RHO, BETA)
    stepsize = phi.subs(GRAD, (2 * MU * EPS) ** (1 / RHO))
    return _Template(phi, elasticity(phi), stepsize, q, c, zeros)


@functools.lru_cache(maxsize=None)
def _template_branch(name: str, l0_zero: bool, l1_zero: bool) -> Branch:
    """One regime's consequences, derived once with free exponents."""
    template = _template(l0_zero, l1_zero)
    return _branch(name, template.q, template.c, template.phi, (RHO, BETA, ALPHA), template.zeros)


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
