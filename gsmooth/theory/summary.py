"""Plain-text account of an AN-GD bound: what was assumed, derived, and published.

Examples
--------
>>> from gsmooth.theory import an_gd_bound
>>> print(an_gd_bound(1, "2/3").summary().splitlines()[1])
  rho = 1, beta = 2/3, alpha = alpha
"""

from __future__ import annotations

import sympy as sp

INDENT = "  "


def _text(expr) -> str:
    return sp.sstr(expr)


def bound_summary(bound) -> str:
    """Return the multi-line summary of an :class:`~gsmooth.theory.bound.AnGdBound`."""
    lines = [
        "AN-GD under (L0, L1, alpha)-smoothness (6) and generalized PL (9)",
        f"rho = {bound.rho}, beta = {bound.beta}, alpha = {bound.alpha}",
    ]
    lines += [f"input: {note}" for note in bound.notes]
    if bound.constants:
        known = ", ".join(f"{symbol} = {value}" for symbol, value in bound.constants.items())
        lines.append(f"known constants: {known}")
    if bound.symbolic_constants:
        kept = ", ".join(str(symbol) for symbol in bound.symbolic_constants)
        lines.append(f"kept symbolic in the expressions (exact values would need huge integers): {kept}")
    lines += [
        f"regime: {bound.regime or _text(bound.regime_piecewise)}",
        f"step-size condition: {_text(bound.stepsize_condition)} for all g >= g_eps = (2 mu eps)^(1/rho)",
        f"step size: gamma(eps) = {_text(bound.stepsize)}",
        f"recurrence: Delta_(t+1) <= Delta_t - c Delta_t^q, q = {_text(bound.q)}, c = {_text(bound.c)}",
        f"iterations: T(eps) = {_text(bound.iterations)}",
        f"order: T(eps) = O({_text(bound.order)}), exponent of 1/eps = {_text(bound.exponent)}",
    ]
    lines += _decay_lines(bound)
    lines += _published_lines(bound)
    return "\n".join(lines[:1] + [INDENT + line for line in lines[1:]])


def _decay_lines(bound) -> list[str]:
    decay = bound.decay
    if bound.regime is None:
        return [f"fixed-step decay: Delta_t <= {_text(decay)}"]
    lines = [f"fixed-step decay ({decay.kind}): Delta_t <= {_text(decay.law)} above the floor set by gamma"]
    if decay.exponent is not None:
        lines.append(f"{INDENT}Delta_t = O(t^-p), p = {_text(decay.exponent)}")
    if decay.rate is not None:
        lines.append(f"{INDENT}per-step factor {_text(decay.rate)}")
    if decay.first_phase is not None:
        lines.append(f"{INDENT}first phase ends by t = {_text(decay.first_phase)}")
    return lines


def _published_lines(bound) -> list[str]:
    record = bound.published
    if record is None:
        return []
    lines = [f"published ({record.source.where}): T = O({_text(bound.published_form)})"]
    if record.note:
        lines.append(f"{INDENT}note: {record.note}")
    return lines
