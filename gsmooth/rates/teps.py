r"""T(eps) of AN-GD with the step size the theory prescribes for each eps.

For each target accuracy :math:`\epsilon_i` AN-GD runs with
:math:`\gamma(\epsilon_i) = g_\epsilon^\beta/(L_0 + L_1 g_\epsilon^\alpha)`,
:math:`g_\epsilon = (2\mu\epsilon)^{1/\rho}`, all of them in one batched
:func:`gsmooth.run` with one step size per run and a record at every step, and
:math:`T(\epsilon_i)` is the first iteration with :math:`F(w_t) - F^* \le \epsilon_i`.
Bounds and step sizes are evaluated in log space (:mod:`gsmooth.rates.logspace`).
The exponent of :math:`1/\epsilon` is fitted on its asymptotic range
(:func:`gsmooth.rates.exponent.fit_exponent`); on the boundary regime
(:math:`\rho + \beta = 2`), where the theory has a factor
:math:`\log(\Delta_0/\epsilon)`, that factor is divided out first.

**Several constant sets** (estimated constants with intervals): every set is
a hypothesis the bound must cover, so the run uses the smallest of their step
sizes and is compared with the largest of their bounds.  A step
:math:`\gamma \le \gamma_j(\epsilon)` keeps set ``j``'s step-size condition, and
its bound scales as :math:`T_j(\epsilon)\gamma_j(\epsilon)/\gamma` (the bound is
inversely proportional to the step, :math:`c \propto \gamma`).

**Which eps are judged.**  An eps reached within the steps run is judged
against its bound; an eps not reached is judged (and fails) only if its bound
is within the steps run; otherwise the run was too short to say.  An eps whose
step size underflows float64, that lies below the uncertainty of an
estimated ``F*``, or that a computed gap cannot resolve (:data:`ROUNDING_ULPS`),
is refused with a note.

Examples
--------
>>> import gsmooth as gs
>>> sweep = eps_sweep(gs.problems.quadratic([1.0, 4.0]), beta=1, eps_grid=[1e-2, 1e-3, 1e-4, 1e-5])
>>> sweep.regime, sweep.predicted
('two-phase', (0.5, 0.5))
>>> bool(abs(sweep.exponent - 0.5) < 0.01), sweep.bound_holds
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from gsmooth._exact import exact_fraction
from gsmooth.engine import run
from gsmooth.optim import an_gd
from gsmooth.rates.exponent import ExponentFit, fit_exponent
from gsmooth.rates.logspace import NotCovered, TheoryConstants, log_iterations, log_stepsize

CONSTANT_NAMES = ("rho", "mu", "alpha", "L0", "L1")
"""Constants the step-size rule and the bound need."""

SMALLEST_STEP = 1e-300
"""Step sizes below this are refused (AN-GD would make no progress in float64)."""

ROUNDING_ULPS = 64
"""The rounding error of a computed ``F``: this many units in the last place of the largest ``|F|``
involved (``F*`` or the start's value).  An eps at or below it is refused: a gap that small is
rounding, and a gap rounded to 0 would count as reaching any eps."""



@dataclass(frozen=True)
class EpsSweep:
    """Observed and derived ``T(eps)`` of AN-GD, and the fitted exponent of ``1/eps``.

    Attributes
    ----------
    eps, stepsize : ndarray, shape (m,)
        Target accuracies (refused ones left out) and the step size used for each.
    T : ndarray of int, shape (m,)
        First iteration with gap <= eps; -1 where not reached within ``steps``.
    log_T_bound : ndarray, shape (m,)
        Natural log of the derived bound (finite where ``T_bound`` overflows).
    judged : ndarray of bool, shape (m,)
        Eps whose comparison with the bound is decided (module docstring).
    fit : ExponentFit
        The exponent of ``1/eps`` on the asymptotic range.
    predicted : tuple of float
        Smallest and largest derived exponent over the constant sets.
    regime : str
        The regime, or the regimes joined by " or " when the sets differ.
    log_factor : bool
        Whether the log factor was divided out (every set on the boundary).
    beta, delta0 : float
    steps : int
    constants : list of dict
        The constant sets.
    notes : list of str
        Refused eps and other remarks.
    """

    eps: np.ndarray
    stepsize: np.ndarray
    T: np.ndarray
    log_T_bound: np.ndarray
    judged: np.ndarray
    fit: ExponentFit
    predicted: tuple
    regime: str
    log_factor: bool
    beta: float
    delta0: float
    steps: int
    constants: list
    notes: list = field(default_factory=list)

    @property
    def T_bound(self) -> np.ndarray:
        """The derived bound (inf where it overflows float64)."""
        with np.errstate(over="ignore"):
            return np.exp(self.log_T_bound)

    @property
    def exponent(self) -> float:
        return self.fit.exponent

    @property
    def interval(self) -> tuple:
        return self.fit.interval

    @property
    def reached(self) -> np.ndarray:
        """Mask of the eps reached within the steps run."""
        return self.T >= 0

    @property
    def bound_holds(self) -> bool:
        """At least one eps judged, and every judged eps reached no later than its bound."""
        within = self.reached & (np.log(np.maximum(self.T, 1)) <= self.log_T_bound + 1e-12)
        return bool(self.judged.any() and np.all(within[self.judged]))

    def as_dict(self) -> dict:
        """JSON-ready dict (``T_bound`` is None where it overflows)."""
        bound = [float(v) if math.isfinite(v) else None for v in self.T_bound]
        return {
            "eps": self.eps.tolist(), "stepsize": self.stepsize.tolist(), "T": self.T.tolist(),
            "T_bound": bound, "log_T_bound": self.log_T_bound.tolist(), "judged": self.judged.tolist(),
            "exponent": self.exponent, "interval": list(self.interval), "fit": self.fit.as_dict(),
            "predicted": list(self.predicted), "regime": self.regime, "log_factor": self.log_factor,
            "beta": self.beta, "delta0": self.delta0, "steps": self.steps, "constants": self.constants,
            "notes": self.notes,
        }


def eps_sweep(problem, beta, eps_grid, *, constants=None, f_star=None, w0=None, steps=None,
              max_steps=200_000, device="numpy", dtype="float64", progress=None) -> EpsSweep:
    """Run AN-GD with ``gamma(eps)`` for every eps and fit the exponent of ``T(eps)``.

    Parameters
    ----------
    problem : Problem
    beta : float or str
        Normalization power in [0, 1] (``"2/3"`` stays exact).
    eps_grid : sequence of float
        Positive target accuracies.
    constants : dict, TheoryConstants or list of them, optional
        One set of constants (any of rho, mu, alpha, L0, L1 in a dict; the rest
        from ``problem.constants``) or several sets (module docstring).
    f_star : float or (float, float), optional
        The minimum value, or an interval for it; default ``problem.f_star``.
        The gaps that hit eps use the upper end, the bound's ``Delta0`` the lower.
    w0 : array of shape (d,), optional
        The start of every run; default ``problem.start``.
    steps : int, optional
        Steps per run; default 1.2 times the largest derived ``T(eps)`` (at most ``max_steps``).
    max_steps : int
        Cap on the default ``steps``.
    device, dtype, progress
        As in :func:`gsmooth.run`.

    Returns
    -------
    EpsSweep

    Raises
    ------
    ValueError
        An empty or non-positive eps grid, beta outside [0, 1], a missing
        constant or ``f_star`` (each named), or no eps left to run.
    gsmooth.rates.logspace.NotCovered
        ``beta < alpha`` for a constant set (the theorem gives no step size).
    """
    eps = check_eps_grid(eps_grid)
    beta_exact = exact_exponent("beta", beta, 0.0, 1.0)
    sets = _constant_sets(problem, constants)
    low, high = _f_star_interval(problem, f_star)
    start = problem.start if w0 is None else np.asarray(w0, dtype=float).reshape(problem.start.shape)
    delta0 = float(problem.value(start[None, :])[0]) - low
    for c in sets:
        if beta_exact < c.alpha:
            raise NotCovered(f"the theorem gives no step size for beta = {beta_exact} < alpha = {c.alpha}",
                             f"use beta >= {c.alpha} (or claim alpha, if a smaller one is true)")
    floor = ROUNDING_ULPS * np.finfo(float).eps * max(abs(high), abs(delta0 + low))
    eps, log_gamma, log_bound, notes = _prescribed(eps, sets, beta_exact, delta0, high - low, floor)
    if steps is None:
        finite = log_bound[np.isfinite(log_bound)]
        largest = float(np.exp(min(np.max(finite), math.log(max_steps)))) if finite.size else max_steps
        steps = int(min(max_steps, math.ceil(1.2 * largest) + 10))
    gamma = np.exp(log_gamma)
    res = run(problem, an_gd(lr=gamma.tolist(), beta=float(beta_exact)), steps,
              w0=np.tile(start, (gamma.size, 1)), record=1, device=device, dtype=dtype, progress=progress)
    hitting = first_hitting(res.iters[:, 0], res.loss - high, eps)
    judged = (hitting >= 0) | (log_bound <= math.log(steps))
    log_factor = all(c.log_factor(beta_exact) for c in sets)
    fit = fit_exponent(eps, hitting, delta0 if log_factor else None)
    exponents = [c.exponent(beta_exact) for c in sets]
    regimes = sorted({c.regime(beta_exact) for c in sets})
    return EpsSweep(
        eps=eps, stepsize=gamma, T=hitting, log_T_bound=log_bound, judged=judged, fit=fit,
        predicted=(min(exponents), max(exponents)), regime=" or ".join(regimes), log_factor=log_factor,
        beta=float(beta_exact), delta0=delta0, steps=steps, constants=[c.as_dict() for c in sets],
        notes=notes,
    )


def _constant_sets(problem, constants) -> list[TheoryConstants]:
    if isinstance(constants, (list, tuple)):
        return [c if isinstance(c, TheoryConstants) else _one_set(problem, c) for c in constants]
    if isinstance(constants, TheoryConstants):
        return [constants]
    return [_one_set(problem, constants)]


def _one_set(problem, constants) -> TheoryConstants:
    values = problem_constants(problem, constants)
    return TheoryConstants(values["rho"], values["alpha"], float(values["mu"]), float(values["L0"]),
                           float(values["L1"]))


def _f_star_interval(problem, f_star) -> tuple[float, float]:
    if f_star is None:
        f_star = problem.f_star
    if f_star is None:
        raise ValueError(f"eps_sweep needs a known f_star, and problem {problem.name!r} has none")
    low, high = (f_star, f_star) if np.isscalar(f_star) else f_star
    if not low <= high:
        raise ValueError(f"an f_star interval needs low <= high, got ({low}, {high})")
    return float(low), float(high)


def _prescribed(eps, sets, beta, delta0, f_star_width, floor):
    """Step size (smallest over the sets) and bound (largest, rescaled) per eps, refusing what cannot
    run or be told from rounding (at or below ``floor``)."""
    log_steps = np.array([log_stepsize(c, beta, eps) for c in sets])
    log_T = np.array([log_iterations(c, beta, eps, delta0=delta0) for c in sets])
    log_gamma = log_steps.min(axis=0)
    log_bound = np.max(log_T + log_steps - log_gamma, axis=0)
    notes = []
    tiny = log_gamma < math.log(SMALLEST_STEP)
    if tiny.any():
        notes.append(f"eps {_listed(eps[tiny])} refused: the step size gamma(eps) is below "
                     f"{SMALLEST_STEP:g} (float64 cannot make progress)")
    uncertain = eps <= 10 * f_star_width
    if uncertain.any() and f_star_width > 0:
        notes.append(f"eps {_listed(eps[uncertain])} refused: within 10 times the uncertainty "
                     f"{f_star_width:.3g} of the estimated F*")
    rounding = eps <= floor
    if rounding.any():
        notes.append(f"eps {_listed(eps[rounding])} refused: at or below {floor:.3g}, the rounding "
                     f"error of F near its values here ({ROUNDING_ULPS} ulps)")
    keep = ~tiny & ~(uncertain & (f_star_width > 0)) & ~rounding
    if not keep.any():
        raise ValueError("no eps left to run: " + "; ".join(notes))
    return eps[keep], log_gamma[keep], log_bound[keep], notes


def _listed(values) -> str:
    return ", ".join(f"{v:g}" for v in values)


def check_eps_grid(eps_grid) -> np.ndarray:
    """Return the eps grid as a float array, rejecting empty or non-positive grids.

    Examples
    --------
    >>> check_eps_grid([1e-2, 1e-3]).tolist()
    [0.01, 0.001]
    >>> check_eps_grid([])
    Traceback (most recent call last):
    ...
    ValueError: eps grid must be a non-empty list of positive numbers, got []
    """
    eps = np.asarray(eps_grid, dtype=np.float64).reshape(-1)
    if eps.size == 0 or not np.all(np.isfinite(eps)) or np.any(eps <= 0):
        raise ValueError(f"eps grid must be a non-empty list of positive numbers, got {eps.tolist()}")
    return eps


def exact_exponent(name: str, value, low: float, high: float) -> Fraction:
    """Read an exponent by the one exact-number policy (:mod:`gsmooth._exact`) and check its range.

    Fractions stay as given, decimals are exact (long ones snap to the simple
    fraction they round), and floats that round a simple fraction are that
    fraction, so ``2/3`` typed or computed reads as 2/3.

    Examples
    --------
    >>> exact_exponent("beta", 2 / 3, 0, 1), exact_exponent("beta", "1/3", 0, 1)
    (Fraction(2, 3), Fraction(1, 3))
    >>> exact_exponent("beta", 1.5, 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: beta must be in [0, 1], got 1.5
    """
    number = exact_fraction(value, name)
    if not low <= number <= high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}], got {value}")
    return number


def problem_constants(problem, constants=None) -> dict:
    """The constants (rho, mu, alpha, L0, L1) for the theory: given ones over the problem's.

    Exponents come back as fractions (see :func:`exact_exponent`).

    Raises
    ------
    ValueError
        When a constant is known neither way.
    """
    known = {name: getattr(problem.constants, name) for name in CONSTANT_NAMES}
    known.update(constants or {})
    missing = [name for name in CONSTANT_NAMES if known.get(name) is None]
    if missing:
        raise ValueError(
            f"problem {problem.name!r} lacks constants {', '.join(missing)}; "
            "pass them (constants=...) or estimate them (gs.estimate)"
        )
    known["rho"] = exact_exponent("rho", known["rho"], 1e-12, 2.0)
    known["alpha"] = exact_exponent("alpha", known["alpha"], 0.0, 1.0)
    return known


def first_hitting(iters, gaps, eps) -> np.ndarray:
    """First iteration at which run ``i`` has gap <= ``eps[i]`` (-1 if never).

    Examples
    --------
    >>> import numpy as np
    >>> gaps = np.array([[1.0, 1.0], [0.5, 0.1], [0.2, 0.01]])
    >>> first_hitting(np.arange(3), gaps, np.array([0.3, 0.001])).tolist()
    [2, -1]
    """
    below = np.asarray(gaps) <= np.asarray(eps)[None, :]
    first = np.asarray(iters)[np.argmax(below, axis=0)]
    return np.where(below.any(axis=0), first, -1).astype(int)


