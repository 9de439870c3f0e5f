r"""A radial exponential sum whose smoothness bound holds with equality everywhere.

With ``a = L0 > 0``, ``b = L1 > 0`` and ``r = ||w||``,

.. math::

    F(w) = \phi(r), \qquad \phi(r) = \frac{a}{b^2}\bigl(e^{b r} - 1 - b r\bigr)
         = \frac{a}{2} r^2 + \frac{a}{b^2} \sum_{n \ge 3} \frac{(b r)^n}{n!} ,

a quadratic plus the higher powers of the exponential series.

**Smoothness (derivation).**  ``phi'(r) = (a/b)(e^{br} - 1)`` and
``phi''(r) = a e^{br} = a + b phi'(r)``.  For a radial function
``grad F = phi'(r) w / r``, so ``||grad F|| = phi'(r)``, and
``hess F = phi'' u u^T + (phi'/r)(I - u u^T)`` with ``u = w / r``: eigenvalue
``phi''`` along ``u`` and ``phi'/r`` across it.  Since
``(e^x - 1)/x <= e^x``, ``phi'/r = a (e^{br} - 1)/(br) <= a e^{br} = phi''``, hence

.. math::

    \|\nabla^2 F(w)\| = \phi''(r) = L_0 + L_1 \|\nabla F(w)\|

at every ``w`` (at ``w = 0`` both sides are ``L0``): the local form with
``alpha = 1`` and both constants positive, tight everywhere, so no smaller
``L0`` or ``L1`` is valid and any two points of distinct gradient norm
determine ``(L0, L1)``.  This is the function of the analytic zoo on which an
estimator must recover ``L0`` and ``L1`` at once.

**Generalized PL.**  ``F* = 0`` at ``w = 0``.  With ``x = br``,
``||grad F||^2 / (2F) = a (e^x - 1)^2 / (2 (e^x - 1 - x))`` and
``h(x) = (e^x - 1)^2 - 2(e^x - 1 - x)`` has ``h(0) = 0``,
``h'(x) = 2 (e^x - 1)^2 >= 0``: so ``||grad F||^2 >= 2 L0 F``, i.e. ``rho = 2``,
``mu = L0``, with equality as ``w -> 0``.
"""

from __future__ import annotations

import numpy as np

from gsmooth._backend import namespace, row_norm
from gsmooth._checks import check_positive, positive_int
from gsmooth.problems.base import Constants, Problem, check_start

#: Below this ``b r``, ``e^x - 1 - x`` is summed as its series (no cancellation).
SERIES_BELOW = 1e-2
#: ``b ||w0||`` of the default start.
START_EXPONENT = 3.0


class Exponential(Problem):
    r"""``F(w) = (L0/L1^2)(exp(L1 ||w||) - 1 - L1 ||w||)``; see the module docstring.

    ``||hess F|| = L0 + L1 ||grad F||`` everywhere (``alpha = 1``); generalized
    PL with ``rho = 2``, ``mu = L0``, ``F* = 0``.
    """

    hvp_exact = True

    def __init__(self, d=10, L0=1.0, L1=1.0, start=None):
        d = positive_int("d", d)
        L0, L1 = float(check_positive("L0", L0)), float(check_positive("L1", L1))
        constants = Constants(f_star=0.0, rho=2.0, mu=L0, alpha=1.0, L0=L0, L1=L1)
        default = START_EXPONENT / (L1 * np.sqrt(d))
        super().__init__(f"exponential(L0={L0:g}, L1={L1:g})", d, check_start(start, d, default),
                         None, constants)
        self.L0, self.L1 = L0, L1

    def _exponent(self, w):
        return self.L1 * row_norm(w)

    def _value(self, w, data):
        xp = namespace(w)
        x = self._exponent(w)[:, 0]
        series = x * x * (0.5 + x * (1 / 6 + x * (1 / 24 + x * (1 / 120 + x * (1 / 720 + x / 5040)))))
        direct = xp.expm1(x) - x
        return self.L0 / self.L1**2 * xp.where(x < SERIES_BELOW, series, direct)

    def _ratio(self, x):
        """``(e^x - 1)/x``, 1 at ``x = 0``."""
        xp = namespace(x)
        positive = x > 0
        return xp.where(positive, xp.expm1(x) / xp.where(positive, x, xp.ones_like(x)),
                        xp.ones_like(x))

    def _grad(self, w, data):
        return self.L0 * self._ratio(self._exponent(w)) * w

    def _hvp(self, w, v, data):
        """``L0 (e^x - 1)/x v + L0 (e^x - (e^x - 1)/x) (u.v) u``, ``x = L1 r``, ``u = w/r``."""
        xp = namespace(w)
        x = self._exponent(w)
        r = row_norm(w)
        u = w / xp.where(r > 0, r, xp.ones_like(r))
        ratio = self._ratio(x)
        along = xp.sum(u * v, axis=-1, keepdims=True)
        return self.L0 * (ratio * v + (xp.exp(x) - ratio) * along * u)


def exponential(d=10, L0=1.0, L1=1.0, start=None) -> Exponential:
    """Radial exponential sum with ``||hess F|| = L0 + L1 ||grad F||``; see :class:`Exponential`.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.exponential(d=3, L0=2.0, L1=0.5)
    >>> w = np.array([[1.0, -2.0, 0.5]])
    >>> g = np.linalg.norm(p.grad(w))
    >>> h = np.linalg.eigvalsh(np.stack([p.hvp(w, e[None])[0] for e in np.eye(3)]))
    >>> bool(np.isclose(np.abs(h).max(), 2.0 + 0.5 * g))
    True
    """
    return Exponential(d, L0, L1, start)
