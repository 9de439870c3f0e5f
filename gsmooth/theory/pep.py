r"""A numerical worst case for GD under PL (PEPit), beside the derived and published contractions.

For ``L``-smooth functions satisfying PL with ``rho = 2``
(:math:`\|\nabla f\|^2 \ge 2\mu(f - f^*)`; gsmooth's (6) and (9) with
``L0 = L``, ``L1 = 0``), GD with a fixed step ``gamma`` for ``n`` steps has a
worst-case ratio :math:`\tau_n = \sup (f(x_n) - f^*)/(f(x_0) - f^*)` over the class.
:func:`pl_worst_case` puts side by side:

* ``pep``: PEPit's value of the performance-estimation problem with the
  class description ``SmoothQuadraticLojasiewiczFunctionExpensive`` (PEPit
  0.5.1, after Rubbens, Hendrickx, Taylor 2025).  No exact interpolation
  conditions are known for this class, so PEPit solves a relaxation: its
  value is an **upper** bound on :math:`\tau_n`, the sharpest of PEPit's three
  descriptions;
* ``quadratic``: :math:`\max_{\lambda \in [\mu, L]} (1 - \gamma\lambda)^{2n}`, the ratio
  on :math:`f = \lambda x^2/2`, a member of the class, hence a **lower** bound on :math:`\tau_n`;
* ``derived``: gsmooth's bound (:func:`gsmooth.theory.an_gd_bound` with
  ``rho = 2, beta = 0``), :math:`(1 - \gamma\mu)^n` for :math:`\gamma \le 1/L`;
* ``karimi``: Karimi et al. (2016), :math:`(1 - \mu/L)^n`, stated for :math:`\gamma = 1/L`;
* ``tight``: Abbaszadehpeivasti et al. (2023, Thm 3), its factor to the power ``n``.

Every valid guarantee is at least :math:`\tau_n \ge` ``quadratic``; a derived bound
below ``pep`` would contradict PEPit's certificate only if the relaxation were
exact, so the check asked of the derivation is ``derived >= pep`` (it is
stronger than needed, and holds).  ``looseness`` divides each bound by ``pep``;
where PEPit's value is 0 (``mu = L`` with ``gamma = 1/L`` converges in one
step, and values below the solver's accuracy come back as 0) every bound holds
trivially and the ratio is undefined: ``looseness`` gives None for it and the
summary says so.  PEPit is the optional extra ``gsmooth[pep]``.

Examples
--------
>>> from gsmooth.theory.pep import pl_worst_case
>>> case = pl_worst_case(L=1, mu=0.2, gamma=1, steps=1)  # doctest: +SKIP
>>> round(case.pep, 3), case.derived, round(case.tight, 4)  # doctest: +SKIP
(0.683, 0.8, 0.7273)
"""

from __future__ import annotations

import dataclasses
import importlib.util

from gsmooth._checks import check_positive, positive_int
from gsmooth.errors import GSmoothError
from gsmooth.theory.published import PL_ENTRIES

PEP_EXTRA = "PEPit is needed for numerical worst cases: pip install 'gsmooth[pep]'"
BOUNDS = ("derived", "karimi", "tight")


def pep_available() -> bool:
    """Whether the optional PEPit package is installed."""
    try:
        return importlib.util.find_spec("PEPit") is not None
    except (ImportError, ValueError):
        return False


@dataclasses.dataclass(frozen=True)
class PlWorstCase:
    """Worst-case ratios ``(f(x_n) - f*)/(f(x_0) - f*)`` of GD under PL (module docstring).

    Bounds that do not apply at this step size are None (``derived`` needs
    ``gamma <= 1/L``, ``karimi`` is stated for ``gamma = 1/L``, ``tight`` needs ``gamma < 2/L``).
    """

    L: float
    mu: float
    gamma: float
    steps: int
    pep: float
    quadratic: float
    derived: float | None
    karimi: float | None
    tight: float | None

    @property
    def looseness(self) -> dict:
        """Each available bound divided by PEPit's value (1 means as tight as PEPit).

        None where PEPit's value is 0 (or below): the ratio is then undefined.
        """
        return {name: self._ratio(getattr(self, name)) for name in BOUNDS if getattr(self, name) is not None}

    def _ratio(self, value: float) -> float | None:
        return value / self.pep if self.pep > 0 else None

    def as_dict(self) -> dict:
        """JSON-ready dict, with the looseness ratios."""
        return {**dataclasses.asdict(self), "looseness": self.looseness}

    def summary(self) -> str:
        """One line per value, with its looseness against PEPit."""
        lines = [f"GD under PL, L = {self.L:g}, mu = {self.mu:g}, gamma = {self.gamma:g}, "
                 f"{self.steps} step(s): worst case of (f(x_n) - f*)/(f(x_0) - f*)",
                 f"  PEPit (upper bound on the worst case): {self.pep:.6g}{_zero_note(self.pep)}",
                 f"  quadratic lambda x^2/2 (lower bound):   {self.quadratic:.6g}"]
        names = {"derived": "gsmooth derived AN-GD beta=0", "karimi": "Karimi et al. 2016",
                 "tight": "Abbaszadehpeivasti et al. 2023"}
        for name in BOUNDS:
            value = getattr(self, name)
            ratio = None if value is None else self._ratio(value)
            text = ("n/a at this step size" if value is None
                    else f"{value:.6g}  ({'ratio undefined' if ratio is None else f'{ratio:.4g} x PEPit'})")
            lines.append(f"  {names[name]}: {text}")
        return "\n".join(lines)


def _zero_note(pep: float) -> str:
    return "" if pep > 0 else "  (0: every bound holds trivially, ratios to PEPit undefined)"


def pl_worst_case(L, mu, gamma, steps: int, *, solver: str | None = None) -> PlWorstCase:
    """Solve PEPit's worst case of ``steps`` GD steps and evaluate the bounds beside it.

    Parameters
    ----------
    L, mu : float
        Smoothness and PL constants, ``0 < mu <= L``.
    gamma : float
        Fixed step size, ``0 < gamma < 2/L``.
    steps : int
        Horizon ``n`` (PEPit's problem grows with it; a few steps solve in well under a second).
    solver : str, optional
        CVXPY solver name, one of ``cvxpy.installed_solvers()`` that solves
        semidefinite programs, e.g. ``"CLARABEL"`` or ``"SCS"`` (default: CVXPY's choice).

    Raises
    ------
    ValueError
        Invalid constants or an unknown solver, naming the allowed and the given value.
    ImportError
        When PEPit (or what it needs) is not installed (:data:`PEP_EXTRA`).
    GSmoothError
        When the solver cannot solve PEPit's problem.
    """
    L, mu, gamma = (float(check_positive(name, value))
                    for name, value in (("L", L), ("mu", mu), ("gamma", gamma)))
    steps = positive_int("steps", steps)
    if mu > L:
        raise ValueError(f"mu must be <= L, got mu = {mu:g} and L = {L:g}")
    if gamma >= 2 / L:
        raise ValueError(f"gamma must be < 2/L = {2 / L:g}, got {gamma:g}")
    return PlWorstCase(
        L=L, mu=mu, gamma=gamma, steps=steps, pep=_pep_value(L, mu, gamma, steps, solver),
        quadratic=max((1 - gamma * mu) ** 2, (1 - gamma * L) ** 2) ** steps,
        derived=_derived(L, mu, gamma, steps), karimi=_karimi(L, mu, gamma, steps),
        tight=PL_ENTRIES[1].rate_value(L0=L, mu=mu, gamma=gamma) ** steps,
    )


def _pep_value(L: float, mu: float, gamma: float, steps: int, solver) -> float:
    if not pep_available():
        raise ImportError(PEP_EXTRA)
    try:
        import cvxpy
        from PEPit import PEP
        from PEPit.functions import SmoothQuadraticLojasiewiczFunctionExpensive
    except ImportError as error:
        raise ImportError(f"{PEP_EXTRA} ({error})") from error
    _check_solver(solver, cvxpy.installed_solvers())
    problem = PEP()
    func = problem.declare_function(SmoothQuadraticLojasiewiczFunctionExpensive, L=L, mu=mu)
    minimizer = func.stationary_point()
    f_star = func(minimizer)
    x = start = problem.set_initial_point()
    problem.set_initial_condition(func(start) - f_star <= 1)
    for _ in range(steps):
        x = x - gamma * func.gradient(x)
    problem.set_performance_metric(func(x) - f_star)
    try:
        return float(problem.solve(wrapper="cvxpy", solver=solver, verbose=0, return_primal_or_dual="dual"))
    except cvxpy.error.SolverError as error:
        raise GSmoothError(f"solver {solver!r} could not solve PEPit's problem (a semidefinite program): "
                           f"{error}") from error


def _check_solver(solver, installed) -> None:
    """Refuse a solver CVXPY does not have (CVXPY reads names in any case)."""
    if solver is not None and not (isinstance(solver, str) and solver.upper() in installed):
        raise ValueError(f"solver must be None or one of the installed CVXPY solvers "
                         f"{', '.join(map(repr, installed))}, got {solver!r}")


def _derived(L: float, mu: float, gamma: float, steps: int) -> float | None:
    from gsmooth.theory.an_gd import an_gd_bound

    if gamma > 1 / L:
        return None
    bound = an_gd_bound(2, 0, alpha=0, L0=L, L1=0, mu=mu)
    return bound.decay_value(steps, gamma=gamma, Delta0=1)


def _karimi(L: float, mu: float, gamma: float, steps: int) -> float | None:
    if abs(gamma * L - 1) > 1e-12:
        return None
    return PL_ENTRIES[0].rate_value(L0=L, mu=mu) ** steps
