r"""The three fits of ``r <= L0 + L1 g^alpha`` offered side by side.

* ``"envelope"`` (the default): the tightest envelope over every pair
  (:mod:`gsmooth.estimate.envelope`), the constants the condition asks for on
  the data;
* ``"quantile"``: the same envelope after leaving out the pairs above the
  ``q``-quantile of ``r / envelope`` (robust to outliers; ``q = 0.95`` unless given);
* ``"asymmetric"``: the least-squares line published ``(L0, L1)`` studies
  fit, so that numbers can be compared with theirs.  With ``x_i = g_i^alpha``
  (``alpha = 1`` unless given) and a factor ``w >= 0``,

  .. math::

      \min_{L_0, L_1 \ge 0} \sum_i m_i\, c_i\, (r_i - L_0 - L_1 x_i)^2, \qquad
      c_i = \begin{cases} 1 + w & r_i > L_0 + L_1 x_i \ \text{(line below the point)} \\
                          1 & \text{otherwise,} \end{cases}

  an expectile-type regression: ``w = 0`` is plain least squares, and a large
  ``w`` pushes the line up towards the data's upper edge without reaching
  it.  The objective is convex with a gradient continuous in ``(L0, L1)``;
  :func:`asymmetric_fit` solves it by iteratively reweighted bounded least
  squares (:func:`scipy.optimize.lsq_linear`), each step fixing the weights
  ``c_i`` of the current line, until the set of points above the line
  repeats; at that fixed point the weighted problem's optimality conditions
  are those of the original one, because the two gradients coincide there.

Each fit is summarized with how many pairs it leaves above its line
(:func:`side_by_side`): zero for the envelope at its default level
``quantile = 1`` (by construction), about ``(1 - q) n`` for the quantile
envelope, and typically many for least squares.  With ``quantile = q < 1``
the ``"envelope"`` fit is the quantile envelope at level ``q`` too, so it
leaves about ``(1 - q) n`` pairs above, and its row carries that level.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import lsq_linear, minimize

from gsmooth._checks import real_number
from gsmooth.errors import GSmoothError
from gsmooth.estimate.envelope import (
    ON_ENVELOPE,
    Envelope,
    check_pairs,
    fit_envelope,
    validate_pairs,
)

FITS = ("envelope", "quantile", "asymmetric")
#: Level of the quantile envelope when none is given.
DEFAULT_QUANTILE = 0.95
#: Most reweighting steps of the asymmetric fit.
MAX_REWEIGHTS = 100


def check_fit(fit: str, quantile: float, weight: float) -> None:
    """Check the name of a fit and its level."""
    if fit not in FITS:
        raise ValueError(f"fit must be one of {FITS}, got {fit!r}")
    quantile, weight = real_number("quantile", quantile), real_number("weight", weight)
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {quantile}")
    if not (np.isfinite(weight) and weight >= 0):
        raise ValueError(f"weight must be finite and >= 0, got {weight}")


def fit_pairs(g, r, fit: str = "envelope", alpha: float | None = None, quantile: float = 1.0,
              weight: float = 0.0, multiplicity=None) -> Envelope:
    """One of :data:`FITS` on pairs ``(g, r)``; ``quantile`` 1 means :data:`DEFAULT_QUANTILE`
    for ``fit="quantile"``; ``weight`` is the asymmetric fit's ``w``."""
    if fit == "asymmetric":
        return asymmetric_fit(g, r, weight, 1.0 if alpha is None else alpha, multiplicity)
    level = quantile if fit == "envelope" or quantile < 1 else DEFAULT_QUANTILE
    return fit_envelope(g, r, alpha, level, multiplicity)


def asymmetric_fit(g, r, weight: float = 0.0, alpha: float = 1.0, multiplicity=None) -> Envelope:
    """Asymmetric least squares of ``L0 + L1 g^alpha`` with ``L0, L1 >= 0`` (module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> g = np.linspace(0.0, 4.0, 9)
    >>> r = 1.0 + 2.0 * g + np.array([0.5, -0.5] * 4 + [0.0])
    >>> plain = asymmetric_fit(g, r, weight=0.0)
    >>> round(plain.L0, 4), round(plain.L1, 4)
    (1.1333, 1.9333)
    >>> asymmetric_fit(g, r, weight=50.0).L0 > plain.L0
    True
    """
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    g, r, keep = validate_pairs(g, r)
    m = np.ones(g.size) if multiplicity is None else np.asarray(multiplicity, dtype=float)
    keep &= m > 0
    g, r, m = g[keep], r[keep], m[keep]
    validate_pairs(g, r)
    x = g**alpha
    design = np.column_stack([np.ones_like(x), x])
    c = np.ones_like(r)
    for _ in range(MAX_REWEIGHTS):
        root = np.sqrt(m * c)
        solution = lsq_linear(design * root[:, None], r * root, bounds=(0.0, np.inf),
                              method="bvls").x
        above = r > design @ solution
        c_next = np.where(above, 1.0 + weight, 1.0)
        if np.array_equal(c_next, c):
            break
        c = c_next
    else:
        solution = _minimize_asymmetric(design, r, m, weight, solution)
    L0, L1 = (float(v) for v in solution)
    line = L0 + L1 * x
    covered = float(np.sum(m * (r <= line * (1 + ON_ENVELOPE))) / np.sum(m))
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = float(np.sum(m * np.log(np.maximum(line, np.finfo(float).tiny) / r)) / np.sum(m))
    return Envelope(L0, L1, float(alpha), gap, covered, L1 > 0)


def _minimize_asymmetric(design, r, m, weight, start):
    """The convex objective minimized directly (when reweighting cycles)."""

    def objective(theta):
        e = r - design @ theta
        c = np.where(e > 0, 1.0 + weight, 1.0)
        return np.sum(m * c * e * e), -2.0 * design.T @ (m * c * e)

    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(0, None)] * 2)
    if not result.success:
        raise GSmoothError(f"the asymmetric least-squares fit did not converge: {result.message}")
    return result.x


def side_by_side(g, r, alpha=None, quantile: float = 1.0, weight: float = 0.0,
                 known=None) -> list[dict]:
    """All three fits on the same pairs: constants and how many pairs lie above each.

    ``known`` maps a fit's name to an :class:`Envelope` already fitted with
    these arguments (it is reused, not fitted again).

    Examples
    --------
    >>> import numpy as np
    >>> g = np.geomspace(0.1, 10, 40)
    >>> r = (1.0 + 2.0 * g) * np.linspace(0.5, 1.0, 40) ** 2
    >>> [(row["fit"], row["above"]) for row in side_by_side(g, r)][:2]
    [('envelope', 0), ('quantile', 2)]
    """
    g, r = check_pairs(g, r)
    rows = []
    known = known or {}
    for fit in FITS:
        env = known.get(fit) or fit_pairs(g, r, fit, alpha, quantile, weight)
        above = int(np.sum(r > env(g) * (1 + ON_ENVELOPE)))
        level = {"envelope": quantile if quantile < 1 else None,
                 "quantile": quantile if quantile < 1 else DEFAULT_QUANTILE,
                 "asymmetric": weight}[fit]
        rows.append({"fit": fit, "level": level, "L0": env.L0, "L1": env.L1, "alpha": env.alpha,
                     "above": above, "n": int(g.size)})
    return rows


def format_fits(rows) -> list[str]:
    """Lines of the side-by-side table."""
    lines = [f"  {'fit':<22}{'L0':>11}{'L1':>11}{'alpha':>8}  pairs above"]
    for row in rows:
        name = row["fit"] if row["level"] is None else f"{row['fit']} ({_level(row)})"
        lines.append(f"  {name:<22}{row['L0']:>11.4g}{row['L1']:>11.4g}{row['alpha']:>8.3g}  "
                     f"{row['above']} of {row['n']}")
    return lines


def _level(row) -> str:
    return f"w = {row['level']:g}" if row["fit"] == "asymmetric" else f"q = {row['level']:g}"
