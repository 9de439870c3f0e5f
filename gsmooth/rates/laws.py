r"""Decay laws on the log scale and their least-squares fits.

A law is a curve :math:`y(t;\theta)` for :math:`y = \log\Delta_t`.  The
families are the fixed-step laws of the theory (:mod:`gsmooth.theory.decay`),
each with the free constants the theory leaves open:

=====================  ===========================================================  =====
law                    :math:`y(t)`                                                 k
=====================  ===========================================================  =====
``plateau``            :math:`a`                                                    1
``geometric``          :math:`a + b t` (:math:`r = e^b`)                            2
``geometric+floor``    :math:`\max_\kappa(a + b t, f)`                              4
``polynomial``         :math:`a - p \log(t + s)`                                    3
``polynomial+floor``   :math:`\max_\kappa(a - p \log(t + s), f)`                    5
``two-phase``          :math:`\log(e^a (1 - t/\tau)_+^m + e^f)`                      4
=====================  ===========================================================  =====

A decay meets its floor through the smooth maximum
:math:`\max_\kappa(z, f) = f + \log(1 + e^{\kappa(z - f)})/\kappa`, whose
sharpness :math:`\kappa = e^v \in [1/2, 50]` is fitted: :math:`\kappa = 1`
is the sum :math:`\log(e^z + e^f)` (a run whose gap adds a constant error),
a large :math:`\kappa` the abrupt :math:`\max(z, f)` (a run that stalls where
its step size stops decreasing :math:`f`).

The polynomial law with its shift :math:`s` is the exact solution of the
sublinear comparison ODE, :math:`B(t) = ((q-1)c)^{-p}(t + t_0)^{-p}`; the
two-phase law is the finite-time solution :math:`(\Delta_0^{1-q} - (1-q)ct)_+^{1/(1-q)}`
followed by the floor set by the step size.  Two constraints keep the
families apart where they would otherwise nest: the shift is at most a tenth
of the last recorded iteration (so at least one decade of the power law is
seen; with a larger shift :math:`(1 + t/s)^{-p}` is indistinguishable from
:math:`e^{-pt/s}`), and the end of the first phase, :math:`\tau`, lies inside
the records with at least :data:`MIN_AFTER_SWITCH` records after it (so the
second phase is seen).

Every fit minimizes the sum of squared residuals of :math:`y` with
:func:`scipy.optimize.least_squares`, started from a profile over the one
nonlinear parameter (:math:`s` or :math:`\tau`) solved by linear least squares.

Examples
--------
>>> import numpy as np
>>> t = np.arange(1.0, 200.0)
>>> fit = fit_law("geometric", t, np.log(3.0) + t * np.log(0.9))
>>> round(float(np.exp(fit.params[1])), 6)
0.9
>>> fit = fit_law("polynomial", t, -2.0 * np.log(t + 1.0))
>>> round(float(fit.params[1]), 4)
2.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

LAWS = ("plateau", "geometric", "geometric+floor", "polynomial", "polynomial+floor", "two-phase")
"""Law names, by number of parameters."""

KIND_OF = {"plateau": "plateau", "geometric": "geometric", "geometric+floor": "geometric",
           "polynomial": "polynomial", "polynomial+floor": "polynomial", "two-phase": "two-phase"}
"""The decay kind each law reports."""

PARAMS = {"plateau": ("a",), "geometric": ("a", "b"), "geometric+floor": ("a", "b", "f", "v"),
          "polynomial": ("a", "p", "u"), "polynomial+floor": ("a", "p", "u", "f", "v"),
          "two-phase": ("a", "m", "tau", "f")}
"""Parameter names of each law (``u = log s``, ``v = log kappa``)."""

SHARPNESS = (0.5, 50.0)
"""Range of the sharpness ``kappa`` of the smooth maximum joining a decay to its floor."""

MIN_AFTER_SWITCH = 3
"""Fewest records at or after the end of the first phase."""

SHIFT_RANGE = (1e-3, 0.1)
"""The polynomial shift ``s`` lies in ``[1e-3, 0.1 * t_max]``."""

_PROFILE_POINTS = 24
_MAX_POWER = 1e4


@dataclass(frozen=True)
class LawFit:
    """A fitted law: parameters, residual sum of squares and what the interval needs.

    Attributes
    ----------
    law : str
    params : ndarray
        In the order of :data:`PARAMS`.
    rss : float
        Sum of squared residuals of ``log Delta``.
    n : int
        Records fitted.
    jac : ndarray, shape (n, k)
        Jacobian of the curve at the solution.
    free : ndarray of bool, shape (k,)
        Parameters not held at a bound (the covariance is formed over these).
    residuals : ndarray, shape (n,)
    """

    law: str
    params: np.ndarray
    rss: float
    n: int
    jac: np.ndarray
    free: np.ndarray
    residuals: np.ndarray

    @property
    def k(self) -> int:
        """Number of parameters."""
        return len(PARAMS[self.law])

    @property
    def bic(self) -> float:
        r"""Bayesian information criterion :math:`n \log(\mathrm{RSS}/n) + k \log n`."""
        floor = self.n * np.finfo(float).eps ** 2
        return float(self.n * np.log(max(self.rss, floor) / self.n) + self.k * np.log(self.n))

    def curve(self, t) -> np.ndarray:
        """The fitted ``log Delta`` at iterations ``t``."""
        return law_curve(self.law, np.asarray(t, dtype=float), self.params)

    def named(self) -> dict:
        """Parameters by name (floats)."""
        return {name: float(value) for name, value in zip(PARAMS[self.law], self.params)}


def law_curve(law: str, t: np.ndarray, params) -> np.ndarray:
    """``log Delta`` of ``law`` with ``params`` at iterations ``t`` (see the module table)."""
    p = np.asarray(params, dtype=float)
    if law == "plateau":
        return np.full(t.shape, p[0])
    if law == "geometric":
        return p[0] + p[1] * t
    if law == "geometric+floor":
        return _smooth_max(p[0] + p[1] * t, p[2], p[3])
    if law == "polynomial":
        return p[0] - p[1] * np.log(t + np.exp(p[2]))
    if law == "polynomial+floor":
        return _smooth_max(p[0] - p[1] * np.log(t + np.exp(p[2])), p[3], p[4])
    if law == "two-phase":
        with np.errstate(divide="ignore", invalid="ignore"):
            first = p[0] + p[1] * np.log1p(-np.minimum(t / p[2], 1.0))
        return np.logaddexp(np.where(t < p[2], first, -np.inf), p[3])
    raise ValueError(f"law must be one of {', '.join(LAWS)}, got {law!r}")


def _smooth_max(z, f, v):
    kappa = np.exp(v)
    return f + np.logaddexp(0.0, kappa * (z - f)) / kappa


def fit_law(law: str, t, y) -> LawFit:
    """Least-squares fit of ``law`` to ``y = log Delta`` at iterations ``t >= 1`` (sorted)."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    start, bounds = _START[law](t, y)
    return _polish(law, t, y, start, bounds)


def _polish(law, t, y, start, bounds) -> LawFit:
    low, high = (np.asarray(b, dtype=float) for b in bounds)
    x0 = np.clip(np.asarray(start, dtype=float), low, high)
    x0 = np.where(x0 == low, np.nextafter(low, high), np.where(x0 == high, np.nextafter(high, low), x0))
    result = least_squares(lambda th: law_curve(law, t, th) - y, x0, bounds=(low, high),
                           method="trf", x_scale="jac")
    residuals = result.fun
    return LawFit(law, result.x, float(residuals @ residuals), t.size, result.jac,
                  result.active_mask == 0, residuals)


def _unbounded(k):
    return (np.full(k, -np.inf), np.full(k, np.inf))


def _linear(columns, y):
    design = np.column_stack(columns)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return coef, float(residual @ residual)


def _start_plateau(t, y):
    return [np.mean(y)], _unbounded(1)


def _start_geometric(t, y):
    coef, _ = _linear([np.ones_like(t), t], y)
    return coef, _unbounded(2)


def _floor_guess(y):
    return float(np.median(y[-max(MIN_AFTER_SWITCH, y.size // 5):]))


def _above(y, floor):
    keep = y > floor + np.log(10.0)
    return keep if keep.sum() >= 3 else np.ones_like(y, dtype=bool)


def _start_geometric_floor(t, y):
    f = _floor_guess(y)
    keep = _above(y, f)
    coef, _ = _linear([np.ones(keep.sum()), t[keep]], y[keep])
    v_low, v_high = np.log(SHARPNESS)
    return ([coef[0], min(coef[1], -1e-12), f, 0.0],
            ([-np.inf, -np.inf, -np.inf, v_low], [np.inf, 0.0, np.inf, v_high]))


def _shift_bounds(t):
    return np.log(SHIFT_RANGE[0]), np.log(max(SHIFT_RANGE[1] * t[-1], 2 * SHIFT_RANGE[0]))


def _best_shift(t, y):
    low, high = _shift_bounds(t)
    best = None
    for u in np.linspace(low, high, _PROFILE_POINTS):
        coef, rss = _linear([np.ones_like(t), -np.log(t + np.exp(u))], y)
        if best is None or rss < best[0]:
            best = (rss, [coef[0], coef[1], u])
    return best[1]


def _start_polynomial(t, y):
    low, high = _shift_bounds(t)
    return _best_shift(t, y), ([-np.inf, 0.0, low], [np.inf, _MAX_POWER, high])


def _start_polynomial_floor(t, y):
    f = _floor_guess(y)
    keep = _above(y, f)
    a, p, u = _best_shift(t[keep], y[keep]) if keep.sum() >= 3 else _best_shift(t, y)
    low, high = _shift_bounds(t)
    v_low, v_high = np.log(SHARPNESS)
    return ([a, max(p, 1e-6), u, f, 0.0],
            ([-np.inf, 0.0, low, -np.inf, v_low], [np.inf, _MAX_POWER, high, np.inf, v_high]))


def _start_two_phase(t, y):
    """Profile over the switch ``tau``: for each candidate, floor = mean after it, (a, m) linear before."""
    last = t[-MIN_AFTER_SWITCH] if t.size > MIN_AFTER_SWITCH else t[-1]
    candidates = np.unique(np.concatenate([
        np.quantile(t[1:-MIN_AFTER_SWITCH + 1] if t.size > MIN_AFTER_SWITCH + 1 else t,
                    np.linspace(0, 1, 2 * _PROFILE_POINTS)),
        [last]]))
    best = None
    for tau in candidates[candidates > t[0]]:
        before, after = t < tau, t >= tau
        f = float(np.mean(y[after])) if after.any() else float(np.min(y))
        keep = before & (y > f + np.log(2.0))
        if keep.sum() < 2:
            continue
        coef, _ = _linear([np.ones(keep.sum()), np.log1p(-t[keep] / tau)], y[keep])
        params = [coef[0], float(np.clip(coef[1], 1e-3, _MAX_POWER)), tau, f]
        rss = float(np.sum((law_curve("two-phase", t, params) - y) ** 2))
        if best is None or rss < best[0]:
            best = (rss, params)
    if best is None:
        best = (None, [y[0], 1.0, last, float(np.min(y))])
    bounds = ([-np.inf, 1e-3, t[0], -np.inf], [np.inf, _MAX_POWER, last, np.inf])
    return best[1], bounds


_START = {"plateau": _start_plateau, "geometric": _start_geometric,
          "geometric+floor": _start_geometric_floor, "polynomial": _start_polynomial,
          "polynomial+floor": _start_polynomial_floor, "two-phase": _start_two_phase}
