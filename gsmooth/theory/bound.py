"""The result of :func:`gsmooth.theory.an_gd_bound`: expressions, text, LaTeX, JSON, numbers.

Examples
--------
>>> from gsmooth.theory import an_gd_bound
>>> bound = an_gd_bound(2, 0, alpha=0, L0=4, L1=0, mu=1)
>>> bound.regime, bound.stepsize, bound.decay.rate
('linear', 1/4, 1 - gamma)
>>> round(bound.iterations_value(1e-3, Delta0=1), 3)
27.631
"""

from __future__ import annotations

import dataclasses
import json

import sympy as sp

from gsmooth.theory.decay import FixedStepDecay
from gsmooth.theory.entry import CatalogEntry
from gsmooth.theory.exact import BETA, CONSTANTS, EPS, GAP, RHO
from gsmooth.theory.numeric import evaluate_expression
from gsmooth.theory.published import AN_GD_STATEMENT
from gsmooth.theory.summary import bound_summary

_NEXT_GAP = sp.Symbol("Delta_{t+1}", positive=True)


@dataclasses.dataclass(frozen=True)
class Branch:
    """The consequences of the recurrence in one regime."""

    regime: str
    condition: sp.Basic
    iterations: sp.Expr
    exponent: sp.Expr
    log_factor: bool
    decay: FixedStepDecay

    @property
    def order(self) -> sp.Expr:
        """``eps^-exponent``, times ``log(1/eps)`` where there is a log factor."""
        return EPS ** (-self.exponent) * (sp.log(1 / EPS) if self.log_factor else 1)

    def substitute(self, substitution: dict) -> Branch:
        """The branch with ``substitution`` applied (no simplification: fast for any numbers)."""
        return dataclasses.replace(
            self,
            condition=self.condition.subs(substitution),
            iterations=self.iterations.subs(substitution),
            exponent=self.exponent.subs(substitution),
            decay=self.decay.substitute(substitution, simplify=False),
        )


@dataclasses.dataclass(frozen=True)
class AnGdBound:
    """Step size, iteration bound and decay law of AN-GD under (6) and (9).

    Attributes
    ----------
    rho, beta, alpha : sympy.Expr
        Exponents, exact (or free symbols).
    constants : dict
        Known constants that were substituted, ``{symbol: value}``.
    stepsize_condition : sympy.Rel
        ``gamma <= g^beta/(L0 + L1 g^alpha)``, the condition for halving the decrease.
    monotonicity : sympy.Expr
        ``g d/dg log(g^beta/(L0 + L1 g^alpha))``; non-negative when ``beta >= alpha``.
    stepsize : sympy.Expr
        ``gamma(eps)``, the condition at ``g_eps = (2 mu eps)^(1/rho)``.
    q, c : sympy.Expr
        Recurrence exponent and constant (``c`` in terms of ``gamma``).
    regime : str or None
        "sublinear", "linear" or "two-phase"; None while rho or beta is a free symbol.
    branches : tuple of Branch
        One per possible regime.
    notes : tuple of str
        What inputs were read as (snapped decimals and floats, :mod:`gsmooth._exact`).
    symbolic_constants : tuple of sympy.Symbol
        Known constants left as symbols in the expressions (their exact values
        would need huge integers there); numeric evaluation uses their values.
    """

    rho: sp.Expr
    beta: sp.Expr
    alpha: sp.Expr
    constants: dict
    stepsize_condition: sp.Rel
    monotonicity: sp.Expr
    stepsize: sp.Expr
    q: sp.Expr
    c: sp.Expr
    regime: str | None
    branches: tuple[Branch, ...]
    notes: tuple[str, ...] = ()
    symbolic_constants: tuple = ()

    @property
    def recurrence(self) -> sp.Rel:
        """``Delta_{t+1} <= Delta_t - c Delta_t^q`` while ``Delta_t > eps``."""
        return sp.Le(_NEXT_GAP, GAP - self.c * GAP**self.q)

    @property
    def regime_piecewise(self) -> sp.Expr:
        """The regime name as a symbol, a ``Piecewise`` over ``rho + beta - 2`` when undecided."""
        return self._piecewise(lambda branch: sp.Symbol(branch.regime))

    @property
    def iterations(self) -> sp.Expr:
        """``T(eps)``: after this many steps ``Delta_t <= eps`` (the recurrence integral)."""
        return self._piecewise(lambda branch: branch.iterations)

    @property
    def exponent(self) -> sp.Expr:
        """Exponent of ``1/eps`` in ``T(eps)``, derived as a limit of elasticities."""
        return self._piecewise(lambda branch: branch.exponent)

    @property
    def order(self) -> sp.Expr:
        """The growth of ``T(eps)`` as ``eps -> 0``, without constants."""
        return self._piecewise(lambda branch: branch.order)

    @property
    def log_factor(self) -> bool | sp.Basic:
        """Whether ``T(eps)`` has a ``log(1/eps)`` factor (a condition when undecided)."""
        if self.regime is not None:
            return self.branches[0].log_factor
        return sp.Or(*(branch.condition for branch in self.branches if branch.log_factor))

    @property
    def decay(self) -> FixedStepDecay | sp.Expr:
        """Fixed-step decay law; the ``Piecewise`` of the laws when the regime is undecided."""
        if self.regime is not None:
            return self.branches[0].decay
        return self._piecewise(lambda branch: branch.decay.law)

    @property
    def published(self) -> CatalogEntry | None:
        """The paper's informal statement for this regime (None when undecided)."""
        return AN_GD_STATEMENT.get(self.regime)

    @property
    def published_form(self) -> sp.Expr | None:
        """The published O()-argument at this ``rho`` and ``beta``."""
        if self.published is None:
            return None
        return self.published.order.subs({RHO: self.rho, BETA: self.beta})

    def _piecewise(self, part) -> sp.Expr:
        if self.regime is not None:
            return part(self.branches[0])
        pieces = [(part(branch), branch.condition) for branch in self.branches[:-1]]
        return sp.Piecewise(*pieces, (part(self.branches[-1]), True))

    def stepsize_value(self, eps, **constants):
        """Evaluate ``gamma(eps)``; ``eps`` a float or an array of any namespace."""
        return evaluate_expression(self.stepsize, EPS, eps, self._with_kept(constants))

    def iterations_value(self, eps, **constants):
        """Evaluate ``T(eps)``; needs a decided regime."""
        self._require_regime()
        return evaluate_expression(self.iterations, EPS, eps, self._with_kept(constants))

    def decay_value(self, t, gamma, **constants):
        """Worst-case ``Delta_t`` bound with fixed ``gamma`` (see :meth:`FixedStepDecay.value`)."""
        self._require_regime()
        return self.decay.value(t, gamma, **self._with_kept(constants))

    def _with_kept(self, constants: dict) -> dict:
        names = {symbol: name for name, symbol in CONSTANTS.items()}
        kept = {names[symbol]: self.constants[symbol] for symbol in self.symbolic_constants}
        return {**kept, **constants}

    def evaluate(self, eps, **constants) -> dict:
        """Return ``{"stepsize": gamma(eps), "iterations": T(eps)}`` in the namespace of ``eps``.

        Examples
        --------
        >>> import numpy as np
        >>> from gsmooth.theory import an_gd_bound
        >>> out = an_gd_bound(1, 1, alpha=1).evaluate(np.array([1e-2, 1e-3]), L0=1, L1=1, mu=1, Delta0=1)
        >>> bool(out["iterations"][1] > out["iterations"][0])
        True
        """
        return {
            "stepsize": self.stepsize_value(eps, **constants),
            "iterations": self.iterations_value(eps, **constants),
        }

    def _require_regime(self) -> None:
        if self.regime is None:
            raise ValueError(
                f"numeric evaluation needs numeric rho and beta, got rho = {self.rho}, beta = {self.beta}"
            )

    def as_dict(self) -> dict:
        """JSON-ready dict: exact expressions as strings that :func:`sympy.sympify` reads back,
        booleans as booleans, and under ``"values"`` the numeric exponents as floats."""
        decay = self.decay
        numeric = {"rho": self.rho, "beta": self.beta, "alpha": self.alpha, "q": self.q,
                   "exponent": self.exponent}
        return {
            "values": {name: float(value) for name, value in numeric.items() if value.is_number},
            "rho": str(self.rho),
            "beta": str(self.beta),
            "alpha": str(self.alpha),
            "constants": {str(symbol): str(value) for symbol, value in self.constants.items()},
            "notes": list(self.notes),
            "symbolic_constants": [str(symbol) for symbol in self.symbolic_constants],
            "regime": self.regime,
            "stepsize_condition": str(self.stepsize_condition),
            "stepsize": str(self.stepsize),
            "q": str(self.q),
            "c": str(self.c),
            "iterations": str(self.iterations),
            "exponent": str(self.exponent),
            "log_factor": self.log_factor if isinstance(self.log_factor, bool) else str(self.log_factor),
            "order": str(self.order),
            "decay": _decay_dict(decay) if isinstance(decay, FixedStepDecay) else {"law": str(decay)},
            "published": None if self.published is None else {
                "reference": self.published.source.cite(),
                "form": str(self.published_form),
                "note": self.published.note,
            },
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The :meth:`as_dict` form as a JSON string."""
        return json.dumps(self.as_dict(), indent=indent)

    def latex(self) -> str:
        """A LaTeX ``aligned`` block with the step size, recurrence, ``T(eps)`` and decay."""
        rows = [
            rf"\gamma(\epsilon) &= {sp.latex(self.stepsize)}",
            rf"\Delta_{{t+1}} &\le \Delta_t - {sp.latex(self.c)}\,\Delta_t^{{{sp.latex(self.q)}}}",
            rf"T(\epsilon) &= {sp.latex(self.iterations)}",
            rf"T(\epsilon) &= O\left({sp.latex(self.order)}\right)",
            rf"\Delta_t &\le {sp.latex(_law(self.decay))} \quad (\text{{fixed }} \gamma)",
        ]
        if self.published is not None:
            rows.append(rf"\text{{published}} &: {sp.latex(self.published_form)}")
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def summary(self) -> str:
        """A readable multi-line account of the derivation's results."""
        return bound_summary(self)

    def __str__(self) -> str:
        return self.summary()


def _law(decay) -> sp.Expr:
    return decay.law if isinstance(decay, FixedStepDecay) else decay


def _decay_dict(decay: FixedStepDecay) -> dict:
    fields = {"exponent": decay.exponent, "rate": decay.rate, "first_phase": decay.first_phase}
    out = {"kind": decay.kind, "law": str(decay.law)}
    out.update({name: str(value) for name, value in fields.items() if value is not None})
    return out

