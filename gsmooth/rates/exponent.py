r"""The exponent of :math:`1/\epsilon` in observed :math:`T(\epsilon)`, fitted on its asymptotic range.

A slope fitted over a whole eps grid mixes the asymptotic exponent with the
pre-asymptotic curvature: normalized GD on :math:`\|w\|^4/4` needs exactly
:math:`T = 3 r_0 (4\epsilon)^{-1/4} - 3` steps, whose log-log slope tends to
1/4 from above and is 0.254 over :math:`\epsilon \in [10^{-10}, 10^{-2}]`, with
a Theil-Sen interval that excludes 1/4.

**Rule.**  With :math:`x = \log(1/\epsilon)` and :math:`y = \log T` (minus
:math:`\log\log(\Delta_0/\epsilon)` on the boundary regime), the local slopes
:math:`s_i = \Delta y/\Delta x` between consecutive reached eps are the
exponent's trend.  :math:`T` is an integer within one step of the continuous
crossing, so :math:`\log T_i` is off by at most :math:`\delta_i = -\log(1 - 1/T_i)`;
slope :math:`s_i` by :math:`e_i = (\delta_i + \delta_{i+1})/\Delta x_i`, and the
difference :math:`d_i = s_i - s_{i-1}` by :math:`n_i = e_i + e_{i-1}`.  With the
last three slopes:

* *converged*: :math:`|d_m| \le n_m`, the slopes agree within rounding; the
  exponent is :math:`s_m`, the interval :math:`s_m \pm (e_m + n_m)`;
* *converging*: :math:`d_{m-1}, d_m` of one sign, and :math:`|d_m|` not larger
  than :math:`|d_{m-1}|` beyond rounding (:math:`|d_m| - n_m < |d_{m-1}| + n_{m-1}`).
  The exponent is Aitken's extrapolation :math:`s_m + d_m r/(1-r)`,
  :math:`r = d_m/d_{m-1}`, when :math:`|d_m| < |d_{m-1}|` (else :math:`s_m`), and
  the interval runs from :math:`s_m` (less :math:`e_m`) a further
  :math:`|d_m| + n_m` in the direction of the trend: the asymptote lies there
  whenever the differences keep at least halving per grid step, which
  pre-asymptotic terms :math:`\epsilon^\kappa` do on a grid of ratio
  :math:`\ge 2^{1/\kappa}`;
* otherwise the asymptotic range is *not reached* (fewer than four reached
  eps, or slopes that do not converge): the last slope is reported with the
  range of the last two, and ``asymptotic`` is False so that no check
  treats it as the asymptotic exponent.

Examples
--------
>>> import numpy as np
>>> eps = np.logspace(-2, -10, 5)
>>> fit = fit_exponent(eps, np.ceil(3 * 3.16 * (4 * eps) ** -0.25 - 3).astype(int))
>>> fit.asymptotic, bool(fit.interval[0] <= 0.25 <= fit.interval[1])
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_POINTS = 4
"""Reached eps needed to see the trend of three local slopes."""


@dataclass(frozen=True)
class ExponentFit:
    """The exponent of ``1/eps`` on the asymptotic range, with the trend it came from.

    Attributes
    ----------
    exponent : float
        NaN with fewer than two usable eps.
    interval : tuple of float
        Where the asymptotic exponent lies under the rule (module docstring).
    local_slopes : tuple of float
        From the largest to the smallest eps.
    method : str
        "converged", "Aitken extrapolation", or why the asymptotic range is not reached.
    asymptotic : bool
        Whether the rule established the asymptotic range.
    """

    exponent: float
    interval: tuple
    local_slopes: tuple
    method: str
    asymptotic: bool

    def as_dict(self) -> dict:
        """JSON-ready dict."""
        return {"exponent": self.exponent, "interval": list(self.interval),
                "local_slopes": list(self.local_slopes), "method": self.method,
                "asymptotic": self.asymptotic}


def fit_exponent(eps, hitting, delta0=None) -> ExponentFit:
    """Fit the exponent of ``1/eps`` in ``T(eps)`` on its asymptotic range (module docstring).

    Parameters
    ----------
    eps : array_like
        Target accuracies.
    hitting : array_like of int
        ``T(eps)``; values below 1 (not reached, or reached at the start) are left out.
    delta0 : float, optional
        Divide ``T`` by ``log(delta0/eps)`` first (the boundary regime); eps >= delta0 are left out.
    """
    eps, hitting = np.asarray(eps, dtype=float), np.asarray(hitting, dtype=float)
    keep = hitting >= 1
    if delta0 is not None:
        keep &= eps < delta0
    order = np.argsort(-eps[keep])
    e, steps = eps[keep][order], hitting[keep][order]
    if e.size < 2:
        return ExponentFit(float("nan"), (float("nan"), float("nan")), (), "fewer than 2 eps reached", False)
    x, y = np.log(1.0 / e), np.log(steps)
    if delta0 is not None:
        y = y - np.log(np.log(delta0 / e))
    slopes = np.diff(y) / np.diff(x)
    with np.errstate(divide="ignore"):
        offset = -np.log1p(-1.0 / steps)
    return _rule(slopes, (offset[:-1] + offset[1:]) / np.diff(x))


def _rule(slopes: np.ndarray, rounding: np.ndarray) -> ExponentFit:
    last, error = float(slopes[-1]), float(rounding[-1])
    shown = tuple(float(s) for s in slopes)
    recent = slopes[-2:]
    fallback = (float(recent.min()) - error, float(recent.max()) + error)
    if slopes.size < MIN_POINTS - 1:
        return ExponentFit(last, fallback, shown,
                           f"asymptotic range not reached: {slopes.size + 1} eps reached, "
                           f"{MIN_POINTS} needed to see the trend", False)
    step, previous = slopes[-1] - slopes[-2], slopes[-2] - slopes[-3]
    noise, previous_noise = error + float(rounding[-2]), float(rounding[-2] + rounding[-3])
    if abs(step) <= noise:
        width = error + noise
        return ExponentFit(last, (last - width, last + width), shown, "converged", True)
    if step * previous > 0 and abs(step) - noise < abs(previous) + previous_noise:
        ratio = step / previous
        estimate = last + step * ratio / (1 - ratio) if ratio < 1 else last
        far = last + np.sign(step) * (abs(step) + noise)
        near = last - np.sign(step) * error
        low, high = min(near, far), max(near, far)
        method = "Aitken extrapolation" if ratio < 1 else "converging (last slope)"
        return ExponentFit(float(np.clip(estimate, low, high)), (float(low), float(high)), shown, method, True)
    return ExponentFit(last, fallback, shown,
                       "asymptotic range not reached: the local slopes do not converge; "
                       "extend the eps grid to smaller eps", False)
