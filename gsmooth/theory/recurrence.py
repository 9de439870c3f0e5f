r"""The worst-case recurrence :math:`\Delta_{t+1} \le \Delta_t - c\,\Delta_t^q` and its solutions.

Derivation
----------
Let :math:`c > 0`, :math:`q > 0` and :math:`s_t = c\,\Delta_t^{q-1}`, so that
:math:`\Delta_{t+1} \le \Delta_t (1 - s_t)` (and :math:`\Delta_{t+1} = 0` when
:math:`s_t \ge 1`).  Put :math:`u_t = \Delta_t^{1-q}`.

* :math:`q > 1`: :math:`(1 - s)^{-(q-1)} \ge 1 + (q-1)s` (convexity), hence
  :math:`u_{t+1} \ge u_t + (q-1)c`;
* :math:`q < 1`: :math:`(1 - s)^{1-q} \le 1 - (1-q)s` (concavity), hence
  :math:`u_{t+1} \le u_t - (1-q)c`;
* :math:`q = 1`: the recurrence is linear, :math:`\Delta_t \le (1-c)^t \Delta_0`
  (:func:`sympy.rsolve`).

For :math:`q \ne 1` both cases say that the discrete sequence is dominated by the
solution of :math:`\dot\Delta = -c\Delta^q`, i.e. by :math:`B(t)` defined through
:math:`\int_{B(t)}^{\Delta_0} dx/(c x^q) = t`.  The number of steps to reach a
level :math:`\epsilon` is therefore at most
:math:`T(\epsilon) = \int_\epsilon^{\Delta_0} dx/(c x^q)`, and for :math:`q = 1`
the same integral, :math:`\log(\Delta_0/\epsilon)/c`, bounds
:math:`\log(\Delta_0/\epsilon)/\log(1/(1-c))`.  This module computes these
integrals with :func:`sympy.integrate`, so the case split (a logarithm exactly
at :math:`q = 1`) comes out of the calculus, not out of a table.

Examples
--------
>>> import sympy as sp
>>> from gsmooth.theory.recurrence import hitting_time, decay_law
>>> c = sp.Symbol("c", positive=True)
>>> hitting_time(sp.Integer(2), c)
(1/epsilon - 1/Delta_0)/c
>>> decay_law(sp.Integer(1), c)
Delta_0*(1 - c)**t
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from gsmooth.theory.exact import DELTA0, EPS, T

REGIMES = ("sublinear", "linear", "two-phase")
"""Regime names, by the sign of ``q - 1``: positive, zero, negative."""

_X = sp.Symbol("x", positive=True)
_LEVEL = sp.Symbol("B", positive=True)
_GAP = sp.Function("Delta")
_DISTANCE = sp.Symbol("s", positive=True)
_C = sp.Symbol("c", positive=True)


def regime_of(q: sp.Expr) -> str | None:
    """Name the regime of exponent ``q``, or None when its sign is not decided.

    Examples
    --------
    >>> import sympy as sp
    >>> regime_of(sp.Rational(4, 3)), regime_of(sp.Integer(1)), regime_of(sp.Rational(1, 2))
    ('sublinear', 'linear', 'two-phase')
    """
    excess = sp.simplify(q - 1)
    if excess.is_positive:
        return "sublinear"
    if excess.is_zero:
        return "linear"
    if excess.is_negative:
        return "two-phase"
    return None


def hitting_time(q: sp.Expr, c: sp.Expr) -> sp.Expr:
    """Return :math:`\\int_\\epsilon^{\\Delta_0} dx/(c x^q)`, a bound on the steps to reach ``epsilon``.

    Parameters
    ----------
    q, c : sympy.Expr
        Exponent and constant of the recurrence; ``c`` may depend on ``epsilon``.
    """
    return sp.logcombine(sp.integrate(_X ** (-q), (_X, EPS, DELTA0)), force=True) / c


def decay_law(q: sp.Expr, c: sp.Expr) -> sp.Expr:
    """Return the closed-form bound :math:`B(t) \\ge \\Delta_t` for a fixed ``c``.

    ``(1 - c)^t Delta_0`` for ``q = 1`` (from :func:`sympy.rsolve`); otherwise
    the level reached after ``t`` steps of the comparison ODE, with the value 0
    after :func:`first_phase` when ``q < 1`` (the level is reached in finite time).

    Examples
    --------
    >>> import sympy as sp
    >>> c = sp.Symbol("c", positive=True)
    >>> decay_law(sp.Integer(2), c)
    Delta_0/(Delta_0*c*t + 1)
    """
    regime = regime_of(q)
    if regime == "linear":
        return _linear_law(c)
    distance = q - 1 if regime == "sublinear" else 1 - q
    level = _ode_level(regime).subs({_DISTANCE: distance, _C: c})
    if regime == "two-phase":
        return sp.Piecewise((level, T < first_phase(q, c)), (0, True))
    return level


@functools.lru_cache(maxsize=None)
def _ode_level(regime: str) -> sp.Expr:
    """Solve the comparison ODE once per regime, with ``q = 1 +- s`` symbolic (fast and exact)."""
    q = 1 + _DISTANCE if regime == "sublinear" else 1 - _DISTANCE
    time_to_level = sp.integrate(_X ** (-q), (_X, _LEVEL, DELTA0)) / _C
    (level,) = sp.solve(sp.Eq(time_to_level, T), _LEVEL)
    return level


def first_phase(q: sp.Expr, c: sp.Expr) -> sp.Expr:
    r"""Return :math:`\int_0^{\Delta_0} dx/(c x^q)`: the finite time to reach 0 when ``q < 1``.

    Examples
    --------
    >>> import sympy as sp
    >>> first_phase(sp.Rational(1, 2), sp.Symbol("c", positive=True))
    2*sqrt(Delta_0)/c
    """
    return sp.integrate(_X ** (-q), (_X, 0, DELTA0)) / c


def _linear_law(c: sp.Expr) -> sp.Expr:
    n = sp.Symbol("n", integer=True, nonnegative=True)
    recurrence = _GAP(n + 1) - (1 - c) * _GAP(n)
    return sp.rsolve(recurrence, _GAP(n), {_GAP(0): DELTA0}).subs(n, T)


def iterate(delta0: float, c: float, q: float, steps: int) -> np.ndarray:
    """Iterate the worst case ``Delta <- max(Delta - c Delta^q, 0)`` and return all ``steps + 1`` gaps.

    Examples
    --------
    >>> iterate(1.0, 0.5, 1.0, 3).tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    gaps = np.empty(steps + 1)
    gaps[0] = delta0
    for step in range(steps):
        gap = gaps[step]
        gaps[step + 1] = max(gap - c * gap**q, 0.0)
    return gaps
