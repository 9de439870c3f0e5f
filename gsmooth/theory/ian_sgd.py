r"""IAN-SGD parameter choices and iteration bound (Yang et al. 2025, eq. (17)-(19)).

IAN-SGD takes :math:`w^+ = w - \gamma \nabla f_\xi(w)/h^\beta` with
:math:`h = \max\{1, \Gamma(A\|\nabla f_{\xi'}(w)\| + \delta)\}` and independent
:math:`\xi, \xi'`.  Under :math:`\|\nabla f_\xi - \nabla F\| \le \tau_1\|\nabla F\| + \tau_2`
a.s. (:math:`0 \le \tau_1 < 1`), the triangle inequality gives
:math:`\|\nabla F\| \le \|\nabla f_\xi\| + \tau_1\|\nabla F\| + \tau_2`; solved
for :math:`\|\nabla F\|` (:func:`sympy.solve`) this is
:math:`\|\nabla F\| \le A\|\nabla f_\xi\| + \delta` with
:math:`A = 1/(1-\tau_1)`, :math:`\delta = \tau_2/(1-\tau_1)`.

The theorem takes :math:`\Gamma = (4 L_1\gamma(2\tau_1^2 + 1))^{1/\beta}`,
:math:`\gamma = O(1/\sqrt{T})` and
:math:`\Lambda = F(w_0) - F^* + \tfrac12(L_0 + L_1)(1 + 4\tau_2^2)^2`, and states
:math:`\min_{t \le T}\|\nabla F(w_t)\| \le \epsilon` with probability at least 1/2
once :math:`T \ge O(\Lambda^2\epsilon^{-4})`.

**Stated rule for the constants.**  gsmooth takes
:math:`\gamma = \gamma_0/\sqrt{T}` with :math:`\gamma_0 = 1` by default: then
:math:`\gamma^2 T = 1`, so the accumulated second-order term of the descent
inequality is independent of :math:`T`, which is the form in which it enters
:math:`\Lambda`.  The informal statement does not give the constant of the
:math:`O(\Lambda^2\epsilon^{-4})`; gsmooth reports :math:`\Lambda^2\epsilon^{-4}`
(constant 1) and says so.

Examples
--------
>>> from gsmooth.theory import ian_sgd_parameters
>>> p = ian_sgd_parameters(tau1="1/2", tau2=1, L0=1, L1=1, beta=1, T=100, Delta0=1, eps="1/10")
>>> p.A, p.delta, p.gamma, p.Gamma, p.Lambda
(2, 2, 1/10, 3/5, 26)
>>> p.values()["iterations"]
6760000.0
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from gsmooth.theory.exact import DELTA0, EPS, check_exponent, check_positive, check_value, exact
from gsmooth.theory.numeric import require_numeric

_TRUE_NORM = sp.Symbol("G", positive=True)
_SAMPLE_NORM = sp.Symbol("G_xi", positive=True)


@dataclasses.dataclass(frozen=True)
class IanSgdParameters:
    """IAN-SGD parameters and bound, as exact expressions.

    Attributes
    ----------
    tau1, tau2, L0, L1, beta, T, gamma_constant : sympy.Expr
        The inputs, exact.
    A, delta : sympy.Expr
        ``1/(1 - tau1)`` and ``tau2/(1 - tau1)``.
    gamma : sympy.Expr
        ``gamma_constant / sqrt(T)``.
    Gamma : sympy.Expr
        ``(4 L1 gamma (2 tau1^2 + 1))^(1/beta)``.
    Lambda : sympy.Expr
        ``Delta0 + (L0 + L1)(1 + 4 tau2^2)^2 / 2`` (``Delta0 = F(w0) - F*``).
    iterations : sympy.Expr
        ``Lambda^2 eps^-4``, the O() bound with constant 1.
    """

    tau1: sp.Expr
    tau2: sp.Expr
    L0: sp.Expr
    L1: sp.Expr
    beta: sp.Expr
    T: sp.Expr
    gamma_constant: sp.Expr
    A: sp.Expr
    delta: sp.Expr
    gamma: sp.Expr
    Gamma: sp.Expr
    Lambda: sp.Expr
    iterations: sp.Expr

    NAMES = ("A", "delta", "gamma", "Gamma", "Lambda", "iterations")

    def as_dict(self) -> dict[str, str]:
        """Exact expressions as strings, by name."""
        return {name: str(getattr(self, name)) for name in self.NAMES}

    def values(self) -> dict[str, float]:
        """Floats of ``A, delta, gamma, Gamma, Lambda, iterations``.

        Raises
        ------
        ValueError
            If ``Delta0`` or ``eps`` was left symbolic.
        """
        return {name: float(require_numeric(getattr(self, name), None)) for name in self.NAMES}

    def summary(self) -> str:
        """Readable account of the choices, with the rule for ``gamma``."""
        lines = [
            "IAN-SGD (Yang et al. 2025, eq. (17)-(19))",
            f"  A = 1/(1 - tau1) = {self.A}",
            f"  delta = tau2/(1 - tau1) = {self.delta}",
            f"  gamma = gamma0/sqrt(T) = {self.gamma}   "
            f"(gamma0 = {self.gamma_constant}: gamma^2 T = gamma0^2)",
            f"  Gamma = (4 L1 gamma (2 tau1^2 + 1))^(1/beta) = {self.Gamma}",
            f"  Lambda = Delta0 + (L0 + L1)(1 + 4 tau2^2)^2/2 = {self.Lambda}",
            f"  T(eps) = O(Lambda^2 eps^-4) = {self.iterations}   (O-constant taken as 1)",
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def noise_constants(tau1: sp.Expr, tau2: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Derive ``(A, delta)`` with ``||grad F|| <= A ||grad f_xi|| + delta``.

    Examples
    --------
    >>> import sympy as sp
    >>> noise_constants(sp.Symbol("tau_1"), sp.Symbol("tau_2"))
    (-1/(tau_1 - 1), -tau_2/(tau_1 - 1))
    """
    (bound,) = sp.solve(sp.Eq(_TRUE_NORM, _SAMPLE_NORM + tau1 * _TRUE_NORM + tau2), _TRUE_NORM)
    slope = sp.simplify(sp.diff(bound, _SAMPLE_NORM))
    return slope, sp.simplify(bound - slope * _SAMPLE_NORM)


def ian_sgd_parameters(
    tau1, tau2, L0, L1, beta, T, *, Delta0=None, eps=None, gamma_constant=1
) -> IanSgdParameters:
    """Return the IAN-SGD parameter choices and ``O(Lambda^2 eps^-4)`` bound.

    Parameters
    ----------
    tau1 : number or str
        Relative noise constant, in [0, 1).
    tau2 : number or str
        Absolute noise constant, > 0.
    L0, L1 : number or str
        Generalized-smoothness constants, >= 0.
    beta : number or str
        Normalization exponent, in (0, 1].
    T : int
        Number of iterations, >= 1.
    Delta0 : number, str or None
        ``F(w0) - F*`` (>= 0); None keeps the symbol ``Delta_0``.
    eps : number, str or None
        Target gradient norm (> 0); None keeps the symbol ``epsilon``.
    gamma_constant : number or str
        ``gamma0`` in ``gamma = gamma0 / sqrt(T)`` (> 0; default 1, see the module docstring).

    Raises
    ------
    ValueError
        Naming the allowed and the given value.

    Examples
    --------
    >>> ian_sgd_parameters(1, 1, 1, 1, 1, 10)
    Traceback (most recent call last):
    ...
    ValueError: tau1 must be in [0, 1), got 1
    """
    tau1 = check_value("tau1", tau1)
    beta = check_exponent("beta", beta, low=0, high=1, open_low=True)
    tau2, l0, l1 = (check_value(name, value) for name, value in (("tau2", tau2), ("L0", L0), ("L1", L1)))
    steps = _check_steps(T)
    start = DELTA0 if Delta0 is None else check_positive("Delta0", Delta0, allow_zero=True)
    target = EPS if eps is None else check_positive("eps", eps)
    gamma0 = check_positive("gamma_constant", gamma_constant)
    A, delta = noise_constants(tau1, tau2)
    gamma = gamma0 / sp.sqrt(steps)
    Lambda = start + (l0 + l1) * (1 + 4 * tau2**2) ** 2 / 2
    return IanSgdParameters(
        tau1=tau1, tau2=tau2, L0=l0, L1=l1, beta=beta, T=steps, gamma_constant=gamma0,
        A=A, delta=delta, gamma=gamma,
        Gamma=sp.simplify((4 * l1 * gamma * (2 * tau1**2 + 1)) ** (1 / beta)),
        Lambda=sp.simplify(Lambda), iterations=sp.simplify(Lambda**2 * target**-4),
    )


def _check_steps(value) -> sp.Integer:
    parsed = exact(value)
    if not (parsed.is_integer and parsed >= 1):
        raise ValueError(f"T must be an integer >= 1, got {parsed}")
    return parsed
