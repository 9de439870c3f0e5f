r"""The built-in verification suite: which problem, which beta, which step, which checks.

Analytic zoo (constants known exactly; :mod:`gsmooth.problems.analytic`):

* power ``||w||^4/4`` (rho = 4/3, alpha = 2/3, L0 = 0): beta = 0 and 1/3
  (sublinear, ``t^-2`` and ``t^-4``; both below alpha, outside the theorem),
  beta = 2/3 (linear, the boundary), beta = 1 (two-phase).  PL holds with
  equality everywhere, so every prediction made with equality is tight;
* quadratic with eigenvalues (1, 4) (rho = 2, alpha = 0, L0 = 4): beta = 0
  (linear, the classical PL rate), beta = 1/2 and 1 (two-phase), the
  two-phase runs started on the bottom eigenvector, where PL is an equality;
* cosh (rho = 2, alpha = 1, L0 = L1 = 1): beta = 0 (linear, below alpha) and
  beta = 1 (two-phase; PL is an equality only near the minimum, so the
  first-phase length is checked as an upper bound).

Phase retrieval and DRO state no constants (phase retrieval only ``F* = 0``):
the rest are estimated on independent runs (:mod:`gsmooth.verification.estimation`);
their checks are "bound holds" over the estimates' intervals, and their
predicted and observed shapes are reported without a verdict.

Examples
--------
>>> [case.label for case in suite(quick=True)][:2]
['power(p=4) beta=0', 'power(p=4) beta=2/3']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gsmooth import problems

START_SPREAD = 0.05
"""Relative spread of the runs' starting points around the problem's start."""


@dataclass(frozen=True)
class Case:
    """One verification case: AN-GD with ``beta`` and fixed ``lr`` on a problem.

    Attributes
    ----------
    name : str
        Problem name in the report.
    build : callable
        Returns the problem (built lazily, so listing the suite is cheap).
    beta : str
        Normalization power, exact ("2/3").
    lr : float
        Fixed step size of the decay run.
    steps : int
    record : "geometric" or int
        Record grid of the decay run (1 where a switch time is measured).
    start : tuple of float or None
        Point the runs start around; None for the problem's start (the
        two-phase quadratic runs start on the bottom eigenvector, where PL is
        an equality).
    tight : bool or None
        An analytic case: whether PL holds with equality along the whole
        trajectory (a first-phase length or an exponent of ``1/eps`` is then
        checked for equality, otherwise as an upper bound).  None for any
        other problem: its shape predictions are reported, not judged.
    eps_grid : tuple of float
        Targets of the eps-sweep (empty: no sweep).
    quick : bool
        Part of the ``--quick`` subset.
    """

    name: str
    build: object
    beta: str
    lr: float
    steps: int
    record: object = "geometric"
    start: tuple | None = None
    tight: bool | None = True
    eps_grid: tuple = field(default_factory=tuple)
    quick: bool = True

    @property
    def label(self) -> str:
        """``problem beta=...``, unique in the suite."""
        return f"{self.name} beta={self.beta}"

    def starts(self, problem, k: int, seed: int = 0) -> np.ndarray:
        """Starting points (k, d): each coordinate times ``1 + START_SPREAD z``, plus
        ``START_SPREAD s z'`` in every coordinate (``z, z'`` standard normal, ``s`` the start's
        root-mean-square coordinate, 1 at the origin).

        The added term moves every coordinate, the start's zeros included: a
        start on an axis of a separable function would otherwise keep every run
        on that axis, and a claim would be tested along one direction only (a
        claimed ``L0 = 1`` passed on ``diag(1, 4)`` from ``(1, 0)``).
        """
        rng = np.random.default_rng(seed)
        base = problem.start if self.start is None else np.asarray(self.start, dtype=float)
        scale = float(np.sqrt(np.mean(base * base))) or 1.0
        relative, added = START_SPREAD * rng.standard_normal((2, k, problem.dim))
        return base * (1.0 + relative) + scale * added


def _power():
    return problems.power(d=10, p=4)


def _quadratic():
    return problems.quadratic([1.0, 4.0])


def _cosh():
    return problems.cosh(d=10)


def _phase_retrieval():
    return problems.phase_retrieval(m=400, d=20, seed=0, noise_std=0.0)


def _dro():
    return problems.dro(n=400, d=10)


BOTTOM_EIGENVECTOR = (2.0, 0.0)
"""A start on the eigenvector of the quadratic's smallest eigenvalue."""

EPS_LONG = (1e-2, 1e-4, 1e-6, 1e-8, 1e-10)
EPS_SHORT = (1e-2, 1e-3, 1e-4, 1e-5)

ZOO = (
    Case("power(p=4)", _power, "0", 0.02, 3000),
    Case("power(p=4)", _power, "1/3", 0.05, 3000, quick=False),
    Case("power(p=4)", _power, "2/3", 0.01, 600, eps_grid=EPS_LONG),
    Case("power(p=4)", _power, "1", 0.02, 400, record=1, eps_grid=EPS_LONG),
    Case("quadratic(1, 4)", _quadratic, "0", 0.01, 1000, eps_grid=EPS_LONG),
    Case("quadratic(1, 4)", _quadratic, "1/2", 0.02, 600, record=1, start=BOTTOM_EIGENVECTOR, quick=False),
    Case("quadratic(1, 4)", _quadratic, "1", 0.02, 300, record=1, start=BOTTOM_EIGENVECTOR,
         eps_grid=EPS_SHORT),
    Case("cosh", _cosh, "0", 0.05, 600, quick=False),
    Case("cosh", _cosh, "1", 0.05, 600, record=1, tight=False, eps_grid=EPS_SHORT, quick=False),
)
"""The analytic zoo: all three regimes, several betas."""

ESTIMATED = (
    Case("phase retrieval", _phase_retrieval, "1", 0.02, 1000, tight=None, quick=False),
    Case("DRO", _dro, "1", 0.02, 600, tight=None, quick=False),
)
"""Problems whose constants are estimated."""


def suite(quick: bool = False) -> tuple[Case, ...]:
    """The built-in cases; ``quick`` keeps a subset that still covers every regime."""
    cases = ZOO + ESTIMATED
    return tuple(case for case in cases if case.quick) if quick else cases
