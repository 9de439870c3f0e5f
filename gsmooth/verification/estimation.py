r"""Estimate the constants a user did not claim, on runs independent of the judged ones.

Re-estimating constants from the run that is then judged makes the judgement
circular (the estimate bends to the data it is compared with).  Here the
estimates come from a separate batch of AN-GD runs with the case's step and
power, started from points drawn with another seed
(:data:`ESTIMATION_SEED_OFFSET`), and only the constants not claimed are
estimated:

* ``F*``: the lowest value of a reference minimization
  (:func:`scipy.optimize.minimize`, L-BFGS-B with exact gradients, run to
  machine precision, where its line search can make no more progress, within
  ``reference_steps`` iterations, :data:`REFERENCE_STEPS` by default) started
  at the best point of the estimation runs; the upper end of the interval is
  the lowest loss seen anywhere (any loss bounds ``F*`` above).  If the
  reference stops at its limit before converging there is no estimate, and
  the case is not verified (with what to change).  The lower end comes from PL itself: for
  every candidate ``(rho, mu)``, :math:`F^* \ge F(w) - \|\nabla F(w)\|^\rho/(2\mu)`
  at every point, so the largest of these over the reference's end point and
  the estimation records, smallest over candidates, bounds ``F*`` below;
* ``(rho, mu)``: :func:`gsmooth.estimate.pl` on the estimation runs with that ``F*``
  (with a claimed ``F*`` the reference minimization still runs: its end
  point, nearly stationary, is where a claimed ``F*`` meets the estimated PL
  constants, see :mod:`gsmooth.verification.assumptions`);
* ``(L0, L1, alpha)``: :func:`gsmooth.estimate.smoothness` on the Hessian
  norms at the estimation runs' iterates, the quantity in the local form.

Intervals are the estimators' own (percentile over resampled runs, level
:data:`CONFIDENCE`); with one run there is none, and the report says so.
"""

from __future__ import annotations

import contextlib
import math
import warnings

import numpy as np
from scipy.optimize import minimize

from gsmooth.engine import run
from gsmooth.errors import GSmoothError
from gsmooth.optim import an_gd
from gsmooth.verification.constants import NAMES, Constant, Hypothesis

ESTIMATION_SEED_OFFSET = 7919
"""Added to the verification seed for the estimation runs' starting points."""

REFERENCE_STEPS = 10_000
"""Default limit of the reference minimization's iterations."""

CONFIDENCE = 0.9
RESAMPLES = 199


class Unverifiable(Exception):
    """No prediction can be made; ``reason`` says why and ``remedy`` what the user can change."""

    def __init__(self, reason: str, remedy: str):
        super().__init__(reason)
        self.reason, self.remedy = reason, remedy


def complete(problem, case, claims: dict, *, runs: int, seed: int, device: str, lowest_loss: float,
             reference_steps: int | None = None) -> Hypothesis:
    """The hypothesis: ``claims`` (name -> Constant), the rest estimated (module docstring).

    Raises
    ------
    Unverifiable
        A constant that cannot be estimated (the message says which and why).
    """
    missing = [name for name in NAMES if name not in claims]
    if not missing:
        f_star = claims["f_star"].value
        return Hypothesis(dict(claims), (f_star, f_star))
    res = _estimation_runs(problem, case, runs, seed, device)
    constants = dict(claims)
    claimed_f_star = "f_star" in claims
    reference = None
    if claimed_f_star and not {"rho", "mu"} & set(missing):
        high, notes = claims["f_star"].value, []
    else:
        value, reference, note = _reference(problem, res, lowest_loss, reference_steps, claimed_f_star)
        high, notes = (claims["f_star"].value if claimed_f_star else value), [note]
    if {"rho", "mu"} & set(missing):
        constants.update(_pl(problem, res, high, missing))
    if {"L0", "L1", "alpha"} & set(missing):
        constants.update(_smoothness(problem, res, missing))
    hypothesis = Hypothesis(constants, (high, high), CONFIDENCE, notes, reference)
    if not claimed_f_star:
        low = _f_star_lower(hypothesis, case.beta, res, reference, high)
        interval = (low, high)
        constants["f_star"] = Constant("f_star", high, "estimated", interval=interval,
                                       note="upper end: lowest loss seen; lower end: PL at the reference point")
        hypothesis = Hypothesis(constants, interval, CONFIDENCE, notes, reference)
    hypothesis.notes += [(f"estimated from {runs} independent run(s) (starts drawn with seed "
                          f"{seed + ESTIMATION_SEED_OFFSET}); intervals at {CONFIDENCE:.0%}")]
    return hypothesis


def _estimation_runs(problem, case, runs, seed, device):
    from gsmooth.rates.teps import exact_exponent

    beta = float(exact_exponent("beta", case.beta, 0.0, 1.0))
    return run(problem, an_gd(lr=case.lr, beta=beta), case.steps,
               w0=case.starts(problem, runs, seed + ESTIMATION_SEED_OFFSET), record=case.record,
               capture=True, keep_iterates=True, device=device, progress=False)


def _reference(problem, res, lowest_loss, reference_steps, claimed):
    """Upper end of ``F*``, the reference's end point (value, gradient norm) and a note."""
    limit = REFERENCE_STEPS if reference_steps is None else int(reference_steps)
    finite = np.where(np.isfinite(res.loss), res.loss, np.inf)
    runs_lowest = float(finite.min())
    best_run = int(np.argmin(finite.min(axis=0)))
    start = np.asarray(res.capture["iterates"][int(np.argmin(finite[:, best_run])), best_run], dtype=float)

    def value_and_grad(w):
        value, grad = problem.value_and_grad(w[None, :])
        return float(np.asarray(value)[0]), np.asarray(grad, dtype=float)[0]

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        result = minimize(value_and_grad, start, jac=True, method="L-BFGS-B",
                          options={"maxiter": limit, "maxfun": 2 * limit, "ftol": 0.0, "gtol": 0.0})
    value, grad = value_and_grad(result.x)
    if result.status == 1 and not claimed:
        raise Unverifiable(
            f"F* is unknown and the reference minimization stopped at its limit of {limit} iterations "
            f"before converging (at {value:.10g}, gradient norm {np.linalg.norm(grad):.3g})",
            "give F* (--f-star) or a larger --reference-steps")
    high = min(value, runs_lowest, lowest_loss)
    note = (f"reference minimization (L-BFGS-B, {result.nit} iterations, limit {limit}) from the "
            f"estimation runs' best point: {value:.10g} at gradient norm {np.linalg.norm(grad):.3g}")
    if high < value:
        note += f"; a run went lower ({high:.10g}), which is taken as the upper end"
    return high, (value, float(np.linalg.norm(grad))), note


def _pl(problem, res, f_star, missing):
    from gsmooth import estimate

    try:
        with _quiet():
            est = estimate.pl(problem, res, f_star=f_star, n_resamples=RESAMPLES, confidence=CONFIDENCE)
    except GSmoothError as error:
        raise Unverifiable(f"the PL constants could not be estimated: {error}",
                           "claim rho and mu (--rho, --mu)") from None
    if est.rho > 2 and "rho" in missing:
        return _at_two(est, missing)
    intervals = est.intervals or {}
    out = {}
    for name in ("rho", "mu"):
        if name in missing:
            value = float(getattr(est, name))
            if not (math.isfinite(value) and value > 0):
                raise Unverifiable(f"the estimated {name} = {value:.4g} is not a valid constant",
                                   f"claim {name} (--{name})")
            interval, notes = intervals.get(name), list(est.notes)
            if name == "rho" and interval is not None and interval[1] > 2:
                notes.append(f"the interval of rho reaches {interval[1]:.4g} > 2, capped at 2 (the theorem's "
                             "largest)")
                interval = (min(interval[0], 2.0), 2.0)
            out[name] = Constant(name, value, "estimated", interval=interval, note="; ".join(notes))
    return out


def _at_two(est, missing) -> dict:
    """rho fitted above 2 is read as 2, with ``mu`` the largest valid at every estimation record.

    The theorem needs ``rho <= 2``, and every function with a locally
    Lipschitz gradient has ``g^2 <= 2 L Delta`` near a minimizer, so a fitted
    exponent above 2 is read as 2; ``mu = min g^2 / (2 Delta)`` over the
    records the estimator kept is the largest constant for which PL with
    ``rho = 2`` holds at all of them (no interval: it is an envelope of the
    pooled records).
    """
    mu = float(np.min(est.grad_norm**2 / (2 * est.gap)))
    if not (math.isfinite(mu) and mu > 0):
        raise Unverifiable(f"the estimated rho = {est.rho:.4g} lies above 2 and no positive mu holds with "
                           "rho = 2 at the estimation records", "claim rho and mu (--rho, --mu)")
    note = f"fitted rho = {est.rho:.4g} > 2, read as 2 (the theorem's largest)"
    out = {"rho": Constant("rho", 2.0, "estimated", interval=(2.0, 2.0), note=note)}
    if "mu" in missing:
        out["mu"] = Constant("mu", mu, "estimated", note=f"min g^2/(2 Delta) over {est.gap.size} estimation "
                                                        "records, since rho is read as 2")
    return out


def _smoothness(problem, res, missing):
    from gsmooth import estimate

    try:
        with _quiet():
            est = estimate.smoothness(problem, res, source="hessian", n_resamples=RESAMPLES,
                                      confidence=CONFIDENCE)
    except (GSmoothError, ValueError) as error:
        raise Unverifiable(f"the smoothness constants could not be estimated: {error}",
                           "claim L0, L1 and alpha (--L0, --L1, --alpha)") from None
    intervals = est.intervals or {}
    out = {}
    for name in ("L0", "L1", "alpha"):
        if name in missing:
            value = float(getattr(est, name))
            if not math.isfinite(value):
                raise Unverifiable(f"the estimated {name} is not finite", f"claim {name} (--{name})")
            out[name] = Constant(name, value, "estimated", interval=intervals.get(name),
                                 note="; ".join(est.notes))
    return out


@contextlib.contextmanager
def _quiet():
    """The estimators' warnings stay out of the terminal: their notes carry what matters."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _f_star_lower(hypothesis, beta, res, reference, high) -> float:
    """The smallest over candidates of ``max_w F(w) - ||grad F(w)||^rho / (2 mu)``, at most ``high``."""
    value, grad_norm = reference
    loss, g = res.loss.ravel(), res.grad_norm.ravel()
    keep = np.isfinite(loss) & np.isfinite(g)
    points_f = np.concatenate([[value], loss[keep]])
    points_g = np.concatenate([[grad_norm], g[keep]])
    lows = []
    for c in hypothesis.candidates(beta):
        with np.errstate(over="ignore"):
            lows.append(np.max(points_f - points_g ** float(c.rho) / (2 * c.mu)))
    return float(min(min(lows), high))
