r"""T(eps) of AN-GD with the step size the theory prescribes for each eps, and its exponent.

For each target accuracy :math:`\epsilon_i` AN-GD runs with
:math:`\gamma(\epsilon_i) = g_\epsilon^\beta/(L_0 + L_1 g_\epsilon^\alpha)`,
:math:`g_\epsilon = (2\mu\epsilon)^{1/\rho}`
(:meth:`gsmooth.theory.AnGdBound.stepsize_value`), all of them in one batched
:func:`gsmooth.run` with one step size per run and a record at every step, and
:math:`T(\epsilon_i)` is the first iteration with :math:`F(w_t) - F^* \le \epsilon_i`.
The exponent of :math:`1/\epsilon` is the Theil-Sen slope of :math:`\log T`
against :math:`\log(1/\epsilon)`; on the boundary regime
(:math:`\rho + \beta = 2`), where the theory has a factor
:math:`\log(\Delta_0/\epsilon)`, that factor is divided out first.

Examples
--------
>>> import gsmooth as gs
>>> sweep = eps_sweep(gs.problems.quadratic([1.0, 4.0]), beta=1, eps_grid=[1e-2, 1e-3, 1e-4])
>>> sweep.regime, sweep.predicted
('two-phase', 0.5)
>>> bool(sweep.exponent <= sweep.predicted + 0.05), bool((sweep.T <= sweep.T_bound).all())
(True, True)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import stats

from gsmooth.engine import run
from gsmooth.optim import an_gd

CONSTANT_NAMES = ("rho", "mu", "alpha", "L0", "L1")
"""Constants the step-size rule and the bound need."""

_MAX_DENOMINATOR = 1000


@dataclass(frozen=True)
class EpsSweep:
    """Observed and derived ``T(eps)`` of AN-GD, and the fitted exponent of ``1/eps``.

    Attributes
    ----------
    eps, stepsize : ndarray, shape (m,)
        Target accuracies and the step size used for each.
    T : ndarray of int, shape (m,)
        First iteration with gap <= eps; -1 where not reached within ``steps``.
    T_bound : ndarray, shape (m,)
        The derived bound ``T(eps)`` with the same constants and ``Delta0``.
    exponent : float
        Fitted exponent of ``1/eps`` (NaN with fewer than 3 reached eps).
    interval : tuple of float
        Theil-Sen 95% interval of the exponent.
    predicted : float
        The derived exponent (:attr:`gsmooth.theory.AnGdBound.exponent`).
    regime : str
    log_factor : bool
        Whether the theory has ``log(Delta0/eps)``, divided out before the fit.
    beta, delta0 : float
    steps : int
        Steps run.
    constants : dict
        The constants used (rho, mu, alpha, L0, L1).
    """

    eps: np.ndarray
    stepsize: np.ndarray
    T: np.ndarray
    T_bound: np.ndarray
    exponent: float
    interval: tuple
    predicted: float
    regime: str
    log_factor: bool
    beta: float
    delta0: float
    steps: int
    constants: dict

    @property
    def reached(self) -> np.ndarray:
        """Mask of the eps reached within the steps run."""
        return self.T >= 0

    @property
    def bound_holds(self) -> bool:
        """Every eps reached, no later than the derived bound."""
        return bool(np.all(self.reached) and np.all(self.T <= self.T_bound))

    def as_dict(self) -> dict:
        """JSON-ready dict."""
        arrays = {name: getattr(self, name).tolist() for name in ("eps", "stepsize", "T", "T_bound")}
        return {
            **arrays, "exponent": self.exponent, "interval": list(self.interval),
            "predicted": self.predicted, "regime": self.regime, "log_factor": self.log_factor,
            "beta": self.beta, "delta0": self.delta0, "steps": self.steps, "constants": self.constants,
        }


def eps_sweep(problem, beta, eps_grid, *, constants=None, steps=None, max_steps=200_000,
              device="numpy", dtype="float64", progress=None) -> EpsSweep:
    """Run AN-GD with ``gamma(eps)`` for every eps and fit the exponent of ``T(eps)``.

    Parameters
    ----------
    problem : Problem
        With a known ``f_star``.
    beta : float or str
        Normalization power in [0, 1] (``"2/3"`` stays exact).
    eps_grid : sequence of float
        Positive target accuracies.
    constants : dict, optional
        Any of rho, mu, alpha, L0, L1 (e.g. estimated ones); the rest come from
        ``problem.constants``.
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
        constant or ``f_star`` (each named).
    """
    from gsmooth.theory import an_gd_bound

    eps = check_eps_grid(eps_grid)
    beta_exact = exact_exponent("beta", beta, 0.0, 1.0)
    values = problem_constants(problem, constants)
    if problem.f_star is None:
        raise ValueError(f"eps_sweep needs a known f_star, and problem {problem.name!r} has none")
    bound = an_gd_bound(str(values["rho"]), str(beta_exact), str(values["alpha"]),
                        L0=values["L0"], L1=values["L1"], mu=values["mu"])
    delta0 = float(problem.value(problem.start[None, :])[0]) - problem.f_star
    gamma = np.asarray(bound.stepsize_value(eps), dtype=np.float64)
    t_bound = np.asarray(bound.iterations_value(eps, Delta0=delta0), dtype=np.float64)
    if steps is None:
        steps = int(min(max_steps, np.ceil(1.2 * np.max(t_bound)) + 10))
    res = run(problem, an_gd(lr=gamma.tolist(), beta=float(beta_exact)), steps,
              record=1, device=device, dtype=dtype, progress=progress)
    hitting = first_hitting(res.iters[:, 0], res.gap, eps)
    exponent, interval = fit_exponent(eps, hitting, delta0 if bound.log_factor else None)
    return EpsSweep(
        eps=eps, stepsize=gamma, T=hitting, T_bound=t_bound, exponent=exponent, interval=interval,
        predicted=float(bound.exponent), regime=bound.regime, log_factor=bool(bound.log_factor),
        beta=float(beta_exact), delta0=delta0, steps=steps,
        constants={name: float(values[name]) for name in CONSTANT_NAMES},
    )


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
    """Read an exponent as the nearest fraction with denominator at most 1000.

    Floats such as ``2/3`` snap to the fraction they round, and estimated
    exponents keep a small denominator, which keeps the symbolic derivation fast.
    The snap moves a float by at most ``1/2000`` (``0.3333 -> 1/3``), so
    exponents below that read as 0.

    Examples
    --------
    >>> exact_exponent("beta", 2 / 3, 0, 1), exact_exponent("beta", "1/3", 0, 1)
    (Fraction(2, 3), Fraction(1, 3))
    >>> exact_exponent("beta", 1.5, 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: beta must be in [0, 1], got 1.5
    """
    try:
        number = Fraction(str(value).strip()) if isinstance(value, str) else Fraction(float(value))
    except (TypeError, ValueError, ZeroDivisionError):
        raise ValueError(f"{name} must be a number such as 0.5 or 2/3, got {value!r}") from None
    number = number.limit_denominator(_MAX_DENOMINATOR)
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


def fit_exponent(eps, hitting, delta0=None) -> tuple[float, tuple]:
    """Theil-Sen exponent of ``1/eps`` in ``T(eps)`` and its 95% interval.

    With ``delta0``, ``T / log(delta0/eps)`` is fitted instead (boundary regime).
    Eps not reached (``T < 0``) and ``T = 0`` are left out; fewer than 3
    points left give NaN.

    Examples
    --------
    >>> import numpy as np
    >>> eps = np.logspace(-1, -5, 5)
    >>> exponent, _ = fit_exponent(eps, np.round(3 / eps**0.5).astype(int))
    >>> round(exponent, 3)
    0.5
    """
    eps, hitting = np.asarray(eps, dtype=float), np.asarray(hitting, dtype=float)
    keep = hitting >= 1
    if delta0 is not None:
        keep &= eps < delta0
    if keep.sum() < 3:
        return float("nan"), (float("nan"), float("nan"))
    y = np.log(hitting[keep])
    if delta0 is not None:
        y = y - np.log(np.log(delta0 / eps[keep]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.theilslopes(y, np.log(1.0 / eps[keep]))
    return float(result.slope), (float(result.low_slope), float(result.high_slope))
