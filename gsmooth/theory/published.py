r"""Statements of the seed paper and the gradient-method rates under PL, as catalog entries.

* Yang, Tripp, Sun, Zou, Zhou (TMLR 2025): the AN-GD regimes (10)-(12) and the
  IAN-SGD bound (19), read from the paper's ICCOPT 2025 slides
  (``reference/slides-iccopt2025.md``) and the arXiv abstract.  The statements are informal: the constant
  in the O() is not stated, so the entries are orders (``C = 1``);
  :func:`gsmooth.theory.an_gd_bound` derives explicit AN-GD bounds instead.
* Karimi, Nutini, Schmidt (2016), Theorem 1: GD with step ``1/L`` under PL,
  ``f(x_k) - f* <= (1 - mu/L)^k (f(x_0) - f*)``.
* Abbaszadehpeivasti, de Klerk, Zamani (2023), Theorem 3: the per-step factor
  of GD with any fixed step ``gamma`` in ``(0, 2/L)`` under PL, in three pieces
  of ``gamma`` (with minimum curvature ``m = -L``, which every ``L``-smooth
  function has).  It is read from PEPit 0.5.1, whose example
  ``nonconvex_optimization/gradient_descent_quadratic_lojasiewicz_expensive.py``
  implements "[4, Theorem 3]" (arXiv 2204.00647) as its theoretical guarantee;
  the class ``F_{mu,L}`` with minimum curvature is read from the paper's
  introduction (Springer, Optimization Letters).

For the PL entries ``L = L0`` and ``L1 = 0``; PL is (9) with ``rho = 2``:
``||grad f||^2 >= 2 mu (f - f*)``, i.e. ``(1/2)||grad f||^2 >= mu (f - f*)``.

Examples
--------
>>> from gsmooth.theory.published import SEED_ENTRIES, PL_ENTRIES
>>> [entry.key for entry in PL_ENTRIES]
['karimi2016-gd-pl', 'abbaszadehpeivasti2023-gd-pl']
>>> round(PL_ENTRIES[1].rate_value(L0=1, mu="1/5", gamma=1), 6)
0.727273
"""

from __future__ import annotations

import sympy as sp

from gsmooth.theory.entry import TAU2, UNREAD, CatalogEntry, Source
from gsmooth.theory.exact import ALPHA, BETA, DELTA0, EPS, GAMMA, L0, L1, MU, RHO

YANG_URL = ("reference/slides-iccopt2025.md (ICCOPT 2025 slides of the paper); "
            "https://arxiv.org/html/2410.14054v3 (abstract)")
YANG_AUTHORS = "Y. Yang, E. E. Tripp, Y. Sun, S. Zou, Y. Zhou"
YANG_TITLE = ("Adaptive Gradient Normalization and Independent Sampling for (Stochastic) "
              "Generalized-Smooth Optimization")
GENERALIZED_SMOOTH = ("(L0, L1, alpha)-generalized smoothness (5): "
                      "||grad f(w) - grad f(w')|| <= (L0 + L1 ||grad f(w')||^alpha) ||w - w'||")
AN_GD_ASSUMPTIONS = (GENERALIZED_SMOOTH, "generalized PL (9), 0 < rho <= 2", "beta in [alpha, 1]",
                     "deterministic")
INFORMAL = ("read from the slides' 'Convergence Result of AN-GD (Informal)'; the statement is informal "
            "and gives no constant in its O() (C = 1 here) and the step size only as "
            "O((mu eps)^(beta/rho)/(L0 + L1)); gsmooth.theory.an_gd_bound derives the explicit bound")
T0_NOTE = ("counts only the iterations after a time T0 that the statement leaves unspecified; with gamma "
           "tied to eps, T0 (the finite first phase of the recurrence) is of order eps^(-beta/rho) and "
           "dominates, so the total is O(eps^(-beta/rho)), as gsmooth derives")
AN_GD_STEP = (MU * EPS) ** (BETA / RHO) / (L0 + L1)
IN_THEOREM = BETA >= ALPHA


def _yang(where: str) -> Source:
    return Source(YANG_AUTHORS, YANG_TITLE, "TMLR", 2025, where, YANG_URL)


def _an_gd(key: str, where: str, order: sp.Expr, condition: sp.Basic, regime: str,
           note: str = "") -> CatalogEntry:
    return CatalogEntry(
        key=key, source=_yang(where), method=f"AN-GD, {regime}", methods=("AN-GD",),
        stepsize_rule="gamma = O((mu eps)^(beta/rho) / (L0 + L1)), beta in [alpha, 1]",
        assumptions=AN_GD_ASSUMPTIONS, setting="deterministic", quantity="gap", measure="iterations",
        kind="upper", bound=UNREAD * order, order=order, explicit=False, provenance=INFORMAL,
        requires=sp.And(condition, IN_THEOREM), stepsize=AN_GD_STEP, note=note,
    )


def _lambda() -> sp.Expr:
    return DELTA0 + (L0 + L1) * (1 + 4 * TAU2**2) ** 2 / 2


def _ian_sgd() -> CatalogEntry:
    order = _lambda() ** 2 * EPS**-4
    return CatalogEntry(
        key="yang2025-ian-sgd-19", source=_yang("eq. (19), informal convergence result of IAN-SGD"),
        method="IAN-SGD", methods=("IAN-SGD",),
        stepsize_rule=("gamma = O(1/sqrt(T)), A = 1/(1 - tau1), delta = tau2/(1 - tau1), "
                       "Gamma = (4 L1 gamma (2 tau1^2 + 1))^(1/beta)"),
        assumptions=(GENERALIZED_SMOOTH, "unbiased stochastic gradients",
                     "||grad f_xi(w) - grad F(w)|| <= tau1 ||grad F(w)|| + tau2 a.s., "
                     "0 <= tau1 < 1, tau2 > 0",
                     "two independent O(1) minibatches per iteration"),
        setting="stochastic", quantity="gradient", measure="iterations", kind="upper",
        bound=UNREAD * order, order=order, explicit=False,
        provenance=("read from the slides' 'IAN-SGD Convergence (Informal)': min_t ||grad F(w_t)|| <= eps "
                    "with probability >= 1/2 once T >= O(Lambda^2 eps^-4), Lambda = F(w0) - F* + "
                    "(L0 + L1)(1 + 4 tau2^2)^2 / 2; Lambda is explicit, the O() constant is not stated "
                    "(C = 1)"),
        stepsize=1 / sp.sqrt(UNREAD * order),
        note="gamma = 1/sqrt(T) at T = the bound (gsmooth.theory.ian_sgd_parameters gives A, delta, Gamma)",
    )


SEED_ENTRIES = (
    _an_gd("yang2025-an-gd-10", "eq. (10)", (1 / EPS) ** ((2 - RHO) / RHO), RHO + BETA < 2,
           "rho + beta < 2", "beta cancels from the order"),
    _an_gd("yang2025-an-gd-11", "eq. (11)", (1 / EPS) ** (BETA / RHO) * sp.log(DELTA0 / EPS),
           sp.Eq(RHO + BETA, 2, evaluate=False), "rho + beta = 2", "a log factor only on this boundary"),
    _an_gd("yang2025-an-gd-12", "eq. (12)", sp.log((1 / EPS) ** (BETA / (RHO + BETA - 2))),
           RHO + BETA > 2, "rho + beta > 2", f"two-phase; {T0_NOTE}"),
    _ian_sgd(),
)
"""The seed paper's statements: AN-GD (10)-(12) and IAN-SGD (19)."""

PL_ASSUMPTIONS = ("L-smoothness with L = L0 (L1 = 0)", "PL: ||grad f||^2 >= 2 mu (f - f*) (rho = 2)",
                  "no convexity", "deterministic")
PL_CLASS = sp.And(sp.Eq(L1, 0, evaluate=False), sp.Eq(RHO, 2, evaluate=False))


def _linear_count(rate: sp.Expr) -> sp.Expr:
    """Smallest real ``T`` with ``rate^T Delta0 <= eps``."""
    return sp.log(DELTA0 / EPS) / (-sp.log(rate))


def _karimi() -> CatalogEntry:
    rate = 1 - MU / L0
    return CatalogEntry(
        key="karimi2016-gd-pl",
        source=Source("H. Karimi, J. Nutini, M. Schmidt",
                      "Linear Convergence of Gradient and Proximal-Gradient Methods Under the "
                      "Polyak-Lojasiewicz Condition", "ECML-PKDD", 2016, "Theorem 1",
                      "https://www.scholarfeed.org/paper/1608.04636v4 (abstract)"),
        method="GD, gamma = 1/L", methods=("GD",), stepsize_rule="gamma = 1/L",
        assumptions=PL_ASSUMPTIONS, setting="deterministic", quantity="gap", measure="iterations",
        kind="upper", bound=_linear_count(rate), order=sp.log(1 / EPS), explicit=True,
        provenance=("abstract read (arXiv 1608.04636); the theorem text was not shown by the search tool. "
                    "The statement f(x_k) - f* <= (1 - mu/L)^k (f(x_0) - f*) is the classical one and "
                    "gsmooth's own derivation reproduces it exactly at rho = 2, beta = 0, gamma = 1/L"),
        requires=PL_CLASS, stepsize=1 / L0, rate=rate,
    )


def tight_pl_rate(gamma: sp.Expr = GAMMA, big_l: sp.Expr = L0, mu: sp.Expr = MU) -> sp.Expr:
    r"""Per-step factor of GD with step ``gamma`` under PL (Abbaszadehpeivasti et al. 2023, Thm 3).

    With minimum curvature :math:`m = -L`, :math:`\kappa = \mu` and
    :math:`r = (L-m)(m-\kappa)(2-L\gamma)\kappa\gamma + (L-m)^2`:

    * :math:`0 < \gamma \le 1/L`: :math:`(\kappa(1 - L\gamma) + \sqrt{r})^2/(L-m+\kappa)^2`;
    * :math:`1/L \le \gamma \le 3/(m + L + \sqrt{m^2 - Lm + L^2})` (:math:`=\sqrt 3/L`):
      :math:`1 + (L\gamma - 2)(m\gamma - 2)\kappa\gamma/((L + m - \kappa)\gamma - 2)`;
    * up to :math:`2/L`: :math:`(L\gamma-1)^2/((L\gamma-1)^2 + \kappa\gamma(2 - L\gamma))`.

    Examples
    --------
    >>> import sympy as sp
    >>> sp.nsimplify(tight_pl_rate(1, 1, sp.Rational(1, 5)))
    8/11
    """
    m = -big_l
    first = (mu * (1 - big_l * gamma) + sp.sqrt((big_l - m) * (m - mu) * (2 - big_l * gamma) * mu * gamma
                                                 + (big_l - m) ** 2)) ** 2 / (big_l - m + mu) ** 2
    middle = 1 + (big_l * gamma - 2) * (m * gamma - 2) * mu * gamma / ((big_l + m - mu) * gamma - 2)
    last = (big_l * gamma - 1) ** 2 / ((big_l * gamma - 1) ** 2 + mu * gamma * (2 - big_l * gamma))
    switch = 3 / (m + big_l + sp.sqrt(m**2 - big_l * m + big_l**2))
    return sp.Piecewise((first, gamma <= 1 / big_l), (middle, gamma <= switch), (last, True))


def _abbaszadehpeivasti() -> CatalogEntry:
    rate = tight_pl_rate()
    return CatalogEntry(
        key="abbaszadehpeivasti2023-gd-pl",
        source=Source("H. Abbaszadehpeivasti, E. de Klerk, M. Zamani",
                      "Conditions for linear convergence of the gradient method for non-convex optimization",
                      "Optimization Letters", 2023, "Theorem 3",
                      "PEPit 0.5.1 examples/nonconvex_optimization/gradient_descent_quadratic_lojasiewicz_"
                      "expensive.py ([4, Theorem 3], arXiv 2204.00647); "
                      "https://link.springer.com/article/10.1007/s11590-023-01981-2 (introduction)"),
        method="GD, fixed step", methods=("GD",), stepsize_rule="any fixed gamma in (0, 2/L)",
        assumptions=PL_ASSUMPTIONS, setting="deterministic", quantity="gap", measure="iterations",
        kind="upper", bound=_linear_count(rate), order=sp.log(1 / EPS), explicit=True,
        provenance=("the three-piece factor is read from PEPit's implementation of Theorem 3 (with minimum "
                    "curvature m = -L); the paper's class F_{mu,L} (curvatures in [mu, L]) from its "
                    "introduction; evaluated at gamma if given, else gamma = 1/L"),
        requires=sp.And(PL_CLASS, GAMMA < 2 / L0), stepsize=GAMMA, rate=rate, defaults=(("gamma", 1 / L0),),
        note=("at gamma = 1/L the factor is 2(L - mu)/(2L + mu), below Karimi et al.'s 1 - mu/L; PEPit's "
              "stronger description of the class gives smaller values still (gsmooth.theory.pep)"),
    )


PL_ENTRIES = (_karimi(), _abbaszadehpeivasti())
"""GD under PL with L1 = 0: Karimi et al. (2016) and Abbaszadehpeivasti et al. (2023)."""

AN_GD_STATEMENT = {"sublinear": SEED_ENTRIES[0], "linear": SEED_ENTRIES[1], "two-phase": SEED_ENTRIES[2]}
"""The seed paper's AN-GD statement for each regime."""
