r"""Checks of the hypothesis itself on the judged runs: the conditions the theorem assumes.

A claimed constant is a statement about the function; the judged runs visit
points where it can be tested directly, before any rate is compared:

* **F >= F*** at every record and at the end of the reference minimization
  (a loss below the claimed minimum refutes it);
* **generalized PL (9)**: :math:`\|\nabla F(w)\|^\rho \ge 2\mu(F(w) - F^*)` at every
  record, i.e. the smallest ratio :math:`\|\nabla F\|^\rho/(2\mu(\Delta - \delta))` is
  at least 1 (computed in logs), where :math:`\delta` is the rounding error of
  the computed gap.  ``F`` is a sum of terms of the size of the values seen, so
  :math:`\delta` is :data:`ULPS` units in the last place of the largest
  :math:`|F|` on the run (``cosh`` near its minimum computes
  :math:`\sum(\cosh w_i - 1)` with an error of order :math:`d\,\epsilon_{mach}`,
  however small ``F``); records with :math:`\Delta \le \delta` are not tested;
* **descent inequality (6) along the steps**: from the iterate :math:`w` of
  every record (at most :data:`MAX_POINTS` per run, spread over the run), one
  AN-GD step :math:`d = -\gamma \nabla F(w)/\|\nabla F(w)\|^\beta` must satisfy
  :math:`F(w + d) - F(w) - \langle\nabla F(w), d\rangle \le \tfrac12(L_0 + L_1
  \|\nabla F(w)\|^\alpha)\|d\|^2`, up to the rounding of the three terms.  It is
  tested where the derivation uses it, at steps that meet the step-size
  condition :math:`\gamma \le g^\beta/(L_0 + L_1 g^\alpha)`; the left side is
  allowed the same :math:`\delta` per evaluation of ``F``.

* **PL at the reference minimizer**, when ``F*`` is claimed but ``(rho, mu)``
  are estimated: the reference minimization (:mod:`gsmooth.verification.estimation`)
  ends at a nearly stationary point; PL with the claimed ``F*`` must hold there
  for at least one candidate ``(rho, mu)`` of the estimates' intervals (the most
  lenient).  A claimed ``F*`` below the true minimum leaves a gap where the
  gradient vanishes, which no PL constants allow.  The ratio alone cannot
  show it when ``(rho, mu)`` are estimated with that ``F*``: the gap then
  stays away from 0 while the gradient falls, and the fitted ``rho`` tends to
  0, where ``g^rho`` is near 1 at any ``g > 0``.  So where the reference ends
  *stationary to working precision* (gradient norm at most machine epsilon
  times the largest on the runs, as an exact stationary point computes in
  floating point) the check asks what PL of any ``(rho, mu)`` implies at a
  stationary point, ``F = F*``: a gap above rounding fails.

Each check is judged when every constant it involves is claimed (or stated by
the problem); with an estimated constant it is reported, not judged (the
estimate comes from other runs, and its own interval is the statement), except
the last, which judges the claimed ``F*`` against the estimates' whole intervals.

Examples
--------
>>> import numpy as np
>>> pl_ratio(np.array([2.0, 0.125]), np.array([2.0, 0.5]), rho=2, mu=1.0).round(6).tolist()
[1.0, 1.0]
"""

from __future__ import annotations

import math

import numpy as np

from gsmooth.rates.teps import ROUNDING_ULPS
from gsmooth.verification.outcome import Check

ULPS = ROUNDING_ULPS
"""The rounding error of a computed ``F``: this many units in the last place of the largest ``|F|`` seen."""

MAX_POINTS = 32
"""Records per run at which the descent inequality is tested."""

SLACK = 1e-9
"""Relative slack of the PL ratio and of the descent inequality for floating-point rounding."""


def pl_ratio(gap, grad_norm, rho, mu) -> np.ndarray:
    """``||grad F||^rho / (2 mu gap)``, evaluated as ``exp`` of a difference of logs."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = float(rho) * np.log(grad_norm) - math.log(2 * mu) - np.log(gap)
    with np.errstate(over="ignore"):
        return np.exp(log_ratio)


def assumption_checks(problem, hypothesis, res, beta: float, lr: float) -> list:
    """The three checks of the module docstring."""
    checks = [_f_star_check(hypothesis, res), _pl_check(hypothesis, res)]
    if hypothesis.reference is not None and hypothesis.source("f_star") != "estimated":
        checks.append(_reference_pl_check(hypothesis, beta, rounding_error(res, hypothesis.f_star_interval[1]),
                                          largest_gradient(res)))
    return checks + [_descent_check(problem, hypothesis, res, beta, lr)]


def _f_star_check(hypothesis, res):
    low, high = hypothesis.f_star_interval
    lowest = float(np.nanmin(res.loss))
    if hypothesis.reference is not None:
        lowest = min(lowest, hypothesis.reference[0])
    claimed = hypothesis.source("f_star") != "estimated"
    if not claimed:
        return Check("assumption", "F(w) >= F* on the runs", f"F* in [{low:.6g}, {high:.6g}]",
                          f"lowest loss {lowest:.10g}", "info", "F* estimated: its upper end is the lowest loss")
    slack = SLACK * max(1.0, abs(high))
    return Check("assumption", "F(w) >= F* on the runs", f">= {high:.10g}", f"lowest loss {lowest:.10g}",
                      "pass" if lowest >= high - slack else "fail",
                      "" if lowest >= high - slack else "a loss lies below the claimed F*")


def rounding_error(res, f_star: float) -> float:
    """``delta``: :data:`ULPS` units in the last place of the largest ``|F|`` on the run (or ``|F*|``)."""
    finite = res.loss[np.isfinite(res.loss)]
    scale = max(float(np.max(np.abs(finite))) if finite.size else 0.0, abs(f_star))
    return ULPS * np.finfo(float).eps * scale


def largest_gradient(res) -> float:
    """The largest finite gradient norm recorded on the runs (0 if none)."""
    g = res.grad_norm[np.isfinite(res.grad_norm)]
    return float(g.max()) if g.size else 0.0


def _usable_gaps(res, f_star):
    """Gaps above their rounding error, less that error, and the gradient norms there."""
    loss, g = res.loss, res.grad_norm
    gap = loss - f_star
    delta = rounding_error(res, f_star)
    keep = np.isfinite(gap) & np.isfinite(g) & (gap > delta) & (g > 0)
    return gap[keep] - delta, g[keep]


def _pl_check(hypothesis, res):
    point = hypothesis.point()
    judged = hypothesis.all_given(("rho", "mu", "f_star"))
    gap, g = _usable_gaps(res, hypothesis.f_star_interval[1])
    quantity = "PL (9): ||grad F||^rho >= 2 mu (F - F*)"
    if gap.size == 0:
        return Check("assumption", quantity, "ratio >= 1", "no record above the rounding floor", "n/a",
                          "every gap is at the floating-point floor")
    ratio = pl_ratio(gap, g, point.rho, point.mu)
    observed = f"min ratio {ratio.min():.4g} (max {ratio.max():.4g}, {gap.size} records)"
    if not judged:
        return Check("assumption", quantity, "ratio >= 1", observed, "info",
                          "with estimated constants (their point values)")
    ok = ratio.min() >= 1 - SLACK
    return Check("assumption", quantity, "ratio >= 1", observed, "pass" if ok else "fail",
                      "" if ok else "the claimed (rho, mu, F*) do not satisfy PL at the runs' points")


def _reference_pl_check(hypothesis, beta, delta, grad_scale):
    value, grad_norm = hypothesis.reference
    gap = value - hypothesis.f_star_interval[1]
    quantity = "PL (9) at the reference minimizer"
    if gap <= delta:
        return Check("assumption", quantity, "ratio >= 1", f"F = {value:.10g}", "n/a",
                     "the reference minimization reached the claimed F* within rounding (no gap to test)")
    if grad_norm <= np.finfo(float).eps * grad_scale:
        return Check("assumption", quantity, "F - F* within rounding where the gradient vanishes",
                     f"gap {gap:.4g} at gradient norm {grad_norm:.3g}", "fail",
                     f"the gradient vanishes there to working precision (below eps x {grad_scale:.3g}, "
                     "the runs' largest): under PL every stationary point is a minimizer, so the "
                     "claimed F* is too low (or the function is not PL)")
    ratios = [float(pl_ratio(np.array([gap - delta]), np.array([grad_norm]), c.rho, c.mu)[0])
              for c in hypothesis.candidates(beta)]
    observed = f"largest ratio {max(ratios):.4g} (gap {gap:.4g}, gradient norm {grad_norm:.3g})"
    ok = max(ratios) >= 1 - SLACK
    return Check("assumption", quantity, "ratio >= 1 for some (rho, mu) in the intervals", observed,
                 "pass" if ok else "fail",
                 "" if ok else "a nearly stationary point lies above the claimed F*: it is too low "
                 "(or the function is not PL)")


def _record_points(res):
    """Iterates (n, d) of up to MAX_POINTS records per run, from every finite run."""
    iterates = res.capture["iterates"]
    n = iterates.shape[0]
    rows = np.unique(np.round(np.geomspace(1, n, min(n, MAX_POINTS)) - 1).astype(int))
    points = iterates[rows].reshape(-1, iterates.shape[-1])
    return points[np.all(np.isfinite(points), axis=1)]


def _descent_check(problem, hypothesis, res, beta, lr):
    delta = rounding_error(res, hypothesis.f_star_interval[1])
    point = hypothesis.point()
    quantity = "descent (6) along the steps"
    points = _record_points(res)
    value, grad = (np.asarray(a, dtype=float) for a in problem.value_and_grad(points))
    g = np.linalg.norm(grad, axis=1)
    moving = g > 0
    points, value, grad, g = points[moving], value[moving], grad[moving], g[moving]
    curvature = point.L0 + point.L1 * g ** float(point.alpha)
    with np.errstate(divide="ignore", over="ignore"):
        covered = lr * curvature <= g**beta
    if not covered.any():
        return Check("assumption", quantity, "<= 1", "no step meets the step-size condition",
                          "n/a", "the step size exceeds g^beta/(L0 + L1 g^alpha) at every tested point")
    d = -lr * grad[covered] / g[covered, None] ** beta
    after = np.asarray(problem.value(points[covered] + d), dtype=float)
    linear = np.sum(grad[covered] * d, axis=1)
    excess = after - value[covered] - linear
    rounding = 2 * delta + 16 * np.finfo(float).eps * np.abs(linear)
    allowed = 0.5 * curvature[covered] * np.sum(d * d, axis=1)
    ratio = (excess - rounding) / allowed
    observed = f"max (excess / allowed) {np.max(ratio):.4g} at {int(covered.sum())} steps"
    if not hypothesis.all_given(("L0", "L1", "alpha")):
        return Check("assumption", quantity, "<= 1", observed, "info",
                          "with estimated constants (their point values)")
    ok = np.max(ratio) <= 1 + SLACK
    return Check("assumption", quantity, "<= 1", observed, "pass" if ok else "fail",
                      "" if ok else "the claimed (L0, L1, alpha) do not bound the curvature along the steps")
