"""Published rate statements, as data: this paper's (10)-(12), (19) and the baselines.

Each :class:`PublishedRate` keeps what its source states: the method, the
reference, the assumptions, what is counted, and the rate as a SymPy
expression (the argument of the O()).  Where an explicit bound with all
constants is known, ``explicit`` holds it; otherwise the entry is an order
only, and :func:`gsmooth.theory.compare` marks it so.  The AN-GD statements
(10)-(12) are informal; :func:`gsmooth.theory.an_gd_bound` derives explicit
bounds and shows the published form next to them.

Examples
--------
>>> from gsmooth.theory.published import PUBLISHED
>>> PUBLISHED["yang2025-an-gd-11"].rate
log(Delta_0/epsilon)/epsilon**(beta/rho)
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from gsmooth.theory.exact import BETA, DELTA0, EPS, L0, L1, MU, RHO

TAU1 = sp.Symbol("tau_1", nonnegative=True)
TAU2 = sp.Symbol("tau_2", positive=True)
SIGMA = sp.Symbol("sigma", positive=True)
LAMBDA = sp.Symbol("Lambda", positive=True)

YANG2025 = (
    "Yang, Tripp, Sun, Zou, Zhou. Adaptive Gradient Normalization and Independent Sampling for "
    "(Stochastic) Generalized-Smooth Optimization. TMLR 2025"
)
CHEN2023 = (
    "Chen, Zhou, Liang, Lu. Generalized-smooth nonconvex optimization is as efficient as smooth "
    "nonconvex optimization. ICML 2023"
)
ZHANG2020 = "Zhang, Jin, Fang, Wang. Improved analysis of clipping algorithms for non-convex optimization. NeurIPS 2020"
KOLOSKOVA2023 = (
    "Koloskova, Hendrikx, Stich. Revisiting gradient clipping: stochastic bias and tight convergence "
    "guarantees. ICML 2023"
)
KARIMI2016 = (
    "Karimi, Nutini, Schmidt. Linear convergence of gradient and proximal-gradient methods under the "
    "Polyak-Lojasiewicz condition. ECML-PKDD 2016"
)

GENERALIZED_SMOOTH = "(L0, L1, alpha)-generalized smoothness (5)"
AN_GD_ASSUMPTIONS = (GENERALIZED_SMOOTH, "generalized PL (9), 0 < rho <= 2", "beta in [alpha, 1]")
GAP_TARGET = "f(w_T) - f* <= eps"
STATIONARY_TARGET = "||grad f(w)|| <= eps"
T0_NOTE = (
    "counts only the iterations after a time T0 that the statement leaves unspecified; with gamma "
    "tied to eps, T0 (the finite first phase of the recurrence) is itself of order eps^(-beta/rho) "
    "and dominates, so the total is O(eps^(-beta/rho)), as derived"
)


@dataclasses.dataclass(frozen=True)
class PublishedRate:
    """One published complexity statement.

    Attributes
    ----------
    key, method, reference : str
    assumptions : tuple of str
    measure : {"iterations", "samples"}
    target : str
        What the count achieves.
    rate : sympy.Expr
        The argument of the published O() (or Omega()), in ``epsilon`` and constants.
    explicit : sympy.Expr or None
        A bound with all constants, when one is known.
    condition : sympy.Basic
        Where the statement applies, over the constants (``True`` if everywhere).
    note : str
    """

    key: str
    method: str
    reference: str
    assumptions: tuple[str, ...]
    measure: str
    target: str
    rate: sp.Expr
    explicit: sp.Expr | None = None
    condition: sp.Basic = sp.true
    note: str = ""


def _records() -> tuple[PublishedRate, ...]:
    lam = DELTA0 + (L0 + L1) * (1 + 4 * TAU2**2) ** 2 / 2
    karimi = sp.log(DELTA0 / EPS) / sp.log(1 / (1 - MU / L0))
    return (
        PublishedRate(
            "yang2025-an-gd-10", "AN-GD, rho + beta < 2", f"{YANG2025}, eq. (10)", AN_GD_ASSUMPTIONS,
            "iterations", GAP_TARGET, (1 / EPS) ** ((2 - RHO) / RHO), condition=RHO + BETA < 2,
            note="informal, gamma = O((mu eps)^(beta/rho)/(L0 + L1)); beta cancels from the order",
        ),
        PublishedRate(
            "yang2025-an-gd-11", "AN-GD, rho + beta = 2", f"{YANG2025}, eq. (11)", AN_GD_ASSUMPTIONS,
            "iterations", GAP_TARGET, (1 / EPS) ** (BETA / RHO) * sp.log(DELTA0 / EPS),
            condition=sp.Eq(RHO + BETA, 2), note="informal; a log factor only on this boundary",
        ),
        PublishedRate(
            "yang2025-an-gd-12", "AN-GD, rho + beta > 2", f"{YANG2025}, eq. (12)", AN_GD_ASSUMPTIONS,
            "iterations", GAP_TARGET, sp.log((1 / EPS) ** (BETA / (RHO + BETA - 2))),
            condition=RHO + BETA > 2, note=f"informal, two-phase; {T0_NOTE}",
        ),
        PublishedRate(
            "yang2025-ian-sgd-19", "IAN-SGD", f"{YANG2025}, eq. (19)",
            (GENERALIZED_SMOOTH, "unbiased; ||grad f_xi - grad F|| <= tau1 ||grad F|| + tau2 a.s., 0 <= tau1 < 1"),
            "iterations", "min_t ||grad F(w_t)|| <= eps with probability >= 1/2", LAMBDA**2 * EPS**-4,
            explicit=lam**2 * EPS**-4,
            note="gamma = 1/sqrt(T); two independent O(1) minibatches per iteration; O-constant taken as 1",
        ),
        PublishedRate(
            "chen2023-beta-gd", "beta-normalized GD", CHEN2023, (GENERALIZED_SMOOTH, "deterministic"),
            "iterations", STATIONARY_TARGET, EPS**-2,
        ),
        PublishedRate(
            "chen2023-spider", "normalized SPIDER", CHEN2023,
            (GENERALIZED_SMOOTH, "stochastic, bounded variance, minibatches up to O(eps^-2)"),
            "samples", STATIONARY_TARGET, EPS**-3,
        ),
        PublishedRate(
            "zhang2020-clipped-gd", "clipped GD", ZHANG2020, ("(L0, L1)-smoothness (alpha = 1)", "deterministic"),
            "iterations", STATIONARY_TARGET, EPS**-2,
        ),
        PublishedRate(
            "koloskova2023-clipped-sgd", "clipped SGD", KOLOSKOVA2023,
            ("(L0, L1)-smoothness (alpha = 1)", "bounded variance sigma^2"),
            "samples", STATIONARY_TARGET, EPS**-5,
        ),
        PublishedRate(
            "karimi2016-gd-pl", "GD, gamma = 1/L", KARIMI2016, ("L-smoothness (L = L0, L1 = 0)", "PL (rho = 2)"),
            "iterations", GAP_TARGET, L0 / MU * sp.log(DELTA0 / EPS), explicit=karimi,
            condition=sp.Eq(L1, 0, evaluate=False) & sp.Eq(RHO, 2), note="(1 - mu/L)^t per step; explicit = exact step count",
        ),
    )


PUBLISHED: dict[str, PublishedRate] = {record.key: record for record in _records()}
"""All published statements, by key."""

AN_GD_STATEMENT = {
    "sublinear": PUBLISHED["yang2025-an-gd-10"],
    "linear": PUBLISHED["yang2025-an-gd-11"],
    "two-phase": PUBLISHED["yang2025-an-gd-12"],
}
"""The published AN-GD statement for each regime."""
