r"""Rate checks: the derived bounds hold (bound checks) and the predicted shapes match (shape checks).

**Bound checks** compare the runs with the derived bounds, in log space so
nothing overflows or underflows:

* every recorded :math:`\Delta_t` (``t >= 1``) stays below the most lenient
  bound over the candidate constant sets at the run's own :math:`\Delta_0`.
  With an interval :math:`[F^*_-, F^*_+]` for ``F*``, a record *fails* only
  if even its smallest gap :math:`F - F^*_+` exceeds the bound, and *passes*
  if its largest gap :math:`F - F^*_-` stays below it; the check fails if a
  record fails, passes if none fails and one passes, and does not apply if
  ``F*`` is too uncertain to decide any record, or if the bound falls by
  less than 1% (:data:`MIN_BOUND_FALL`) over every run: a bound that stays
  at :math:`\Delta_0` would pass a run that hardly decreases.  This is what
  PL constants estimated with an ``F*`` below the true minimum predict, since
  the gap then stays away from 0 while the gradient vanishes, and the fitted
  :math:`\rho` tends to 0;
* a fitted geometric rate stays below the derived :math:`1 - c`;
* every decided :math:`T(\epsilon)` of the eps-sweep stays below its bound
  (:mod:`gsmooth.rates.teps`).

With :math:`\beta < \alpha`, or a step size above the largest the theorem
covers, there is no bound, and the check says so and what to change.

**Shape checks** compare fitted numbers with predictions made with PL as an
equality and the full first-order decrease :math:`\gamma g^{2-\beta}` (the
derivation keeps half of it, which makes the bounds safe but a factor 2
loose in :math:`c`).  They are exact where PL is an equality and
:math:`\gamma` is small, so they are judged on the built-in analytic cases
(``Case.tight`` set) with every constant claimed, and reported otherwise:

* polynomial: exponent :math:`p = \rho/(2 - \beta - \rho)`, relative tolerance :data:`REL_TOL`;
* geometric: rate :math:`1 - 2c`, compared through :math:`\log r` (relative :data:`REL_TOL`);
* two-phase: the first phase ends at :math:`t_1/2`, half the derived
  first-phase bound (an upper bound where PL is not an equality along the run);
* eps-sweep: exponent of :math:`1/\epsilon` on its asymptotic range within
  :data:`EXPONENT_TOL` (an upper bound where PL is not an equality, and for a
  user's claimed constants, where the bound makes it one).
"""

from __future__ import annotations

import math

import numpy as np

from gsmooth.engine.result import failed
from gsmooth.rates import NotCovered, eps_sweep, fit_decay
from gsmooth.verification.outcome import Check

REL_TOL = 0.05
"""Relative tolerance of shape checks on exponents, log-rates and switch times."""

EXPONENT_TOL = 0.025
"""Absolute floor of the tolerance on the exponent of ``1/eps`` (5% of 0.5)."""

MIN_BOUND_FALL = 1.01
"""Factor the derived bound must fall by over a run (from Delta_0, for some run) for the bound
check to be judged: a bound that stays within 1% of Delta_0 passes a run that hardly decreases."""

LOG_SLACK = 1e-9
"""Slack of bound checks (in log) for floating-point rounding."""


def decay_checks(case, prediction, fit, iters, loss, status, f_star_interval) -> list[Check]:
    """Decay law and value (shape) on the runs that did not fail (``status``), the decay
    bound on every run, and the geometric rate bound."""
    judged = case.tight is not None and prediction.exact
    gaps = np.maximum(loss - f_star_interval[1], 0.0)
    bound = decay_bound_check(prediction, case.lr, iters[:, 0], loss, f_star_interval)
    if fit is None and failed(status).all():
        return [Check("shape", "decay law", prediction.decay_kind, "-", "n/a",
                      "every run diverged or turned non-finite", "a smaller step size (--lr)"), bound]
    if fit is None:
        return [Check("shape", "decay law", prediction.decay_kind, "-", "n/a",
                      "too few records with a positive gap to fit a law", "run more steps (--steps)"), bound]
    law = Check("shape", "decay law", prediction.decay_kind, _law_text(fit),
                _verdict(fit.kind == prediction.decay_kind, judged),
                "" if judged else "shapes are exact only on the built-in analytic cases")
    checks = [law]
    if judged:
        checks.append(_decay_value_check(case, prediction, fit, iters, gaps, status))
    checks.append(bound)
    if prediction.regimes == ["linear"] and fit.kind == "geometric" and bound.verdict != "n/a":
        derived = max(1.0 - c for c in prediction.c_values(case.lr))
        checks.append(Check("bound", "rate <= derived 1 - c", f"<= {_fmt(derived)}", _fmt(fit.rate),
                            _verdict(fit.rate <= derived * (1 + LOG_SLACK), True)))
    return checks


def _law_text(fit) -> str:
    evidence = fit.evidence
    if evidence.get("runner_up"):
        return (f"{fit.kind} ({fit.law}; BIC {evidence['strength']} over {evidence['runner_up']}, "
                f"difference {evidence['delta_bic']:.3g})")
    return fit.kind


def _decay_value_check(case, prediction, fit, iters, gaps, status) -> Check:
    expected = prediction.decay_kind
    if fit.kind != expected:
        fit = fit_decay(iters, gaps, status=status, kind=expected)
    if expected == "polynomial":
        return _relative("exponent p of t^-p", prediction.polynomial_exponent(), fit.exponent, fit, "equal")
    if expected == "geometric":
        first_order = 1.0 - 2.0 * prediction.c_values(case.lr)[0]
        if not first_order > 0:
            return Check("shape", "log-rate of r^t", f"~ {_fmt(first_order)}", _fmt(fit.rate), "n/a",
                         "the first-order rate 1 - 2c is not positive at this step size")
        return _relative("log-rate of r^t", math.log(first_order), math.log(fit.rate), fit, "equal",
                         shown=(first_order, fit.rate))
    t1 = prediction.first_phase(case.lr, float(np.median(gaps[0]))) / 2.0
    return _relative("first phase ends at t", t1, fit.switch, fit, "equal" if case.tight else "at most")


def _relative(quantity, predicted, observed, fit, mode, shown=None, tol=REL_TOL, floor=0.0,
              interval=None, interval_note=None) -> Check:
    """``observed`` against ``predicted`` (``~`` or ``at most``), showing the fit's interval or why it has none."""
    allowed = max(tol * abs(predicted), floor)
    ok = observed <= predicted + allowed if mode == "at most" else abs(observed - predicted) <= allowed
    shown_pred, shown_obs = shown if shown is not None else (predicted, observed)
    sign = "<=" if mode == "at most" else "~"
    interval = fit.interval if fit is not None else interval
    if interval is not None:
        text = f" [{_fmt(interval[0])}, {_fmt(interval[1])}]"
    else:
        text = f" (no interval: {fit.interval_method if fit is not None else interval_note})"
    return Check("shape", quantity, f"{sign} {_fmt(shown_pred)}", f"{_fmt(shown_obs)}{text}",
                 _verdict(ok, True), f"tolerance {_fmt(allowed)}")


def decay_bound_check(prediction, lr, t, loss, f_star_interval) -> Check:
    """Every record below the most lenient derived bound (module docstring)."""
    low, high = f_star_interval
    quantity = "Delta_t <= derived bound"
    try:
        log_bound = np.column_stack([prediction.log_bound(t, lr, float(loss[0, r] - low))
                                     for r in range(loss.shape[1])])
    except NotCovered as why:  # outside the theorem, a diverged run contradicts nothing
        return Check("bound", quantity, "none", "-", "n/a", str(why), why.remedy)
    finite = np.all(np.isfinite(loss), axis=0)
    if not finite.all():
        return Check("bound", quantity, "ratio <= 1", f"{int((~finite).sum())} run(s) with a non-finite loss",
                     "fail", "a run diverged: its gap exceeds every bound")
    after = t >= 1
    with np.errstate(divide="ignore", invalid="ignore"):
        smallest = np.log(np.maximum(loss - high, 0.0))[after]
        largest = np.log(np.maximum(loss - low, 0.0))[after]
    log_bound = log_bound[after]
    fails = smallest > log_bound + LOG_SLACK
    passes = largest <= log_bound + LOG_SLACK
    worst = float(np.max(smallest - log_bound))
    observed = f"max ratio {_ratio(worst)}"
    undecided = int(np.sum(~fails & ~passes))
    note = f"{undecided} records undecided within the F* interval" if undecided else ""
    if fails.any():
        return Check("bound", quantity, "ratio <= 1", observed, "fail",
                     note or "the runs decay more slowly than the derived bound allows")
    fall = float(np.max(log_bound[-1] - np.log(np.maximum(loss[0] - low, 0.0))))
    if fall > -math.log(MIN_BOUND_FALL):
        return Check("bound", quantity, "ratio <= 1", observed, "n/a",
                     f"the derived bound falls by less than {MIN_BOUND_FALL - 1:.0%} over the run "
                     f"(to {math.exp(fall):.6g} x Delta_0 at t = {int(t[-1])}): a run that hardly "
                     "decreases would pass too",
                     "run more steps (--steps), or claim rho and mu (an estimated rho near 0, "
                     "which an F* below the true minimum gives, predicts almost no decrease)")
    if not passes.any():
        return Check("bound", quantity, "ratio <= 1", observed, "n/a",
                     "F* is too uncertain to decide any record", "give F* (--f-star)")
    return Check("bound", quantity, "ratio <= 1", observed, "pass", note)


def sweep_checks(case, prediction, problem, f_star_interval, device, progress):
    """The eps-sweep and its two checks; returns (sweep or None, checks, notes)."""
    try:
        sweep = eps_sweep(problem, str(prediction.beta), case.eps_grid, constants=list(prediction.candidates),
                          f_star=f_star_interval, w0=case.start, device=device, progress=progress)
    except NotCovered as why:
        return None, [Check("bound", "T(eps) <= derived T(eps)", "none", "-", "n/a", str(why), why.remedy)], []
    except ValueError as why:
        return None, [Check("bound", "T(eps) <= derived T(eps)", "none", "-", "n/a", str(why),
                            "choose other eps (--eps)")], []
    judged = int(sweep.judged.sum())
    ratio = np.where(sweep.reached, np.log(np.maximum(sweep.T, 1)) - sweep.log_T_bound, np.inf)[sweep.judged]
    observed = f"max ratio {_ratio(float(np.max(ratio)))}" if judged else "-"
    if judged:
        bound = Check("bound", "T(eps) <= derived T(eps)", "ratio <= 1", observed,
                      _verdict(sweep.bound_holds, True),
                      f"{judged}/{sweep.eps.size} eps decided ({int(sweep.reached.sum())} reached)")
    else:
        bound = Check("bound", "T(eps) <= derived T(eps)", "ratio <= 1", observed, "n/a",
                      f"no eps decided: none reached within {sweep.steps} steps, which the bound allows",
                      "choose larger eps (--eps)")
    return sweep, [bound, _exponent_check(case, prediction, sweep)], list(sweep.notes)


def _exponent_check(case, prediction, sweep) -> Check:
    fit = sweep.fit
    quantity = "exponent of 1/eps" + (" (log divided out)" if sweep.log_factor else "")
    low, high = prediction.exponents
    if not fit.asymptotic:
        return Check("shape", quantity, f"~ {_fmt(high)}", f"{_fmt(fit.exponent)} (slopes "
                     f"{', '.join(_fmt(s) for s in fit.local_slopes)})", "n/a", fit.method,
                     "add smaller eps to the grid (--eps)")
    if not prediction.exact:
        return Check("shape", quantity, f"{_fmt(low)} to {_fmt(high)}", _fmt(fit.exponent), "info",
                     "with estimated constants the predicted exponent is a range")
    mode = "equal" if case.tight else "at most"
    check = _relative(quantity, high, fit.exponent, None, mode, floor=EXPONENT_TOL, interval=fit.interval,
                      interval_note=fit.method)
    return Check(check.kind, check.quantity, check.predicted, check.observed, check.verdict,
                 f"{check.note}; {fit.method}")


def _ratio(log_ratio: float) -> str:
    if not math.isfinite(log_ratio):
        return "0" if log_ratio < 0 else "inf"
    if abs(log_ratio) < 300 * math.log(10):
        return _fmt(math.exp(log_ratio))
    return f"10^{log_ratio / math.log(10):.1f}"


def _verdict(ok: bool, judged: bool) -> str:
    if not judged:
        return "info"
    return "pass" if ok else "fail"


def _fmt(value) -> str:
    return f"{float(value):.4g}"
