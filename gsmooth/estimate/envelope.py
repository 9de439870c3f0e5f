r"""Upper envelopes ``r <= L0 + L1 g^alpha`` fitted by linear programming.

**Fixed alpha.**  With ``x_i = g_i^alpha`` the envelope is linear in
``(L0, L1)``; the valid pairs form the polyhedron
``{L0, L1 >= 0 : L0 + L1 x_i >= r_i for all i}``.  Among them we take the
lowest envelope in the sense of the *total relative height*

.. math::

    \min_{L_0, L_1 \ge 0} \sum_i \frac{L_0 + L_1 x_i}{r_i}
    \quad \text{s.t.} \quad L_0 + L_1 x_i \ge r_i ,

a linear program (:func:`scipy.optimize.linprog`).  Dividing each height by
its point makes the objective invariant to the units of ``r`` and ``g`` and
weighs every point alike on log scales, where smoothness data spans decades;
it is the first-order version of the log-gap below.  When the data lie on one
curve ``r = L0 + L1 g^alpha``, that curve is the optimum for any positive
weights (moving along the edge of the polyhedron away from it raises every
height), so exact data give exact constants.

**The frontier.**  For fixed ``alpha`` and ``L0`` the smallest valid ``L1`` is
``L1(L0) = max(0, max_i (r_i - L0)/x_i)``: :func:`envelope_frontier` traces
this curve of all minimal valid pairs, from ``L0 = 0`` to ``L0 = max r``.

**Choosing alpha.**  Each ``alpha`` in ``[0, 1]`` gives an LP envelope; we
choose the *tightest* by the mean log-gap

.. math::

    \mathrm{gap}(\alpha) = \frac1n \sum_i \log \frac{L_0 + L_1 g_i^\alpha}{r_i} \ \ge 0 ,

minimized over a grid of ``alpha`` and refined by
:func:`scipy.optimize.minimize_scalar` between the grid neighbours of the
best grid point.  When ``L1 = 0`` at the optimum, ``alpha`` does not change
the envelope and is reported as 0 with ``alpha_identified = False``.

**Quantile level** ``q < 1`` (robustness to outliers): fit to all points, drop
the points whose ratio ``r_i / envelope_i`` is above its empirical
``q``-quantile, and fit again to the rest; the reported ``covered`` is the
fraction of all points under the final envelope.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import linprog, minimize_scalar

from gsmooth.errors import GSmoothError

#: Fewest pairs with ``r > 0`` an envelope is fitted to.
MIN_POINTS = 5
#: Grid of alpha before refinement.
ALPHA_GRID = np.linspace(0.0, 1.0, 11)
#: ``max g / min g`` below this leaves alpha unidentifiable.
MIN_SPREAD = 1.05
#: Relative size of the L1 term below which L1 counts as zero.
ZERO_L1 = 1e-8


@dataclass(frozen=True)
class Envelope:
    """An envelope ``L0 + L1 g^alpha`` and how it fits its points.

    Attributes
    ----------
    L0, L1, alpha : float
    gap : float
        Mean log-gap over the points fitted (0 when every point is on the curve).
    covered : float
        Fraction of all given points (with ``r > 0``) on or under the envelope.
    alpha_identified : bool
        False when ``L1 = 0``: every ``alpha`` gives the same envelope.
    """

    L0: float
    L1: float
    alpha: float
    gap: float
    covered: float
    alpha_identified: bool = True

    def __call__(self, g):
        """Height of the envelope at ``g``."""
        return self.L0 + self.L1 * np.asarray(g, dtype=float) ** self.alpha

    def as_dict(self) -> dict:
        """Fields as a dict."""
        return asdict(self)


def check_pairs(g, r, what: str = "pairs") -> tuple[np.ndarray, np.ndarray]:
    """Validate pairs; return those with ``r > 0`` (points at ``r = 0`` bind nothing).

    Raises
    ------
    GSmoothError
        On non-finite or negative values, too few points, or gradient norms
        too concentrated to separate ``L0`` from ``L1 g^alpha``.
    """
    g = np.asarray(g, dtype=float).reshape(-1)
    r = np.asarray(r, dtype=float).reshape(-1)
    if g.shape != r.shape:
        raise ValueError(f"g and r must have one shape, got {g.shape} and {r.shape}")
    bad = ~(np.isfinite(g) & np.isfinite(r))
    if bad.any():
        raise GSmoothError(f"{what}: {int(bad.sum())} of {g.size} values are not finite")
    if (g < 0).any() or (r < 0).any():
        raise GSmoothError(f"{what}: norms must be >= 0, got min g {g.min():g}, min r {r.min():g}")
    keep = r > 0
    if keep.sum() < MIN_POINTS:
        raise GSmoothError(
            f"{what}: need at least {MIN_POINTS} points with r > 0, got {int(keep.sum())}"
        )
    g, r = g[keep], r[keep]
    positive = g[g > 0]
    if positive.size < 2 or positive.max() < MIN_SPREAD * positive.min():
        spread = positive.max() / positive.min() if positive.size else float("nan")
        raise GSmoothError(
            f"{what}: the gradient norms are (nearly) constant (max/min = {spread:.4g} < "
            f"{MIN_SPREAD}); the envelope's constants are not identifiable from such data"
        )
    return g, r


def envelope_lp(g, r, alpha: float) -> tuple[float, float]:
    """Lowest valid ``(L0, L1)`` at fixed ``alpha`` (module docstring); inputs checked.

    At ``alpha = 0`` the two constants merge (``L0 + L1``): by convention
    ``L1 = 0`` there.  The LP runs on ``g / max g`` and ``r / max r``; the
    solution is then made exactly valid by taking ``L1 = L1(L0)`` on the frontier.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.geomspace(0.1, 10, 9)
    >>> L0, L1 = envelope_lp(g, 2.0 + 3.0 * g**0.5, 0.5)
    >>> round(L0, 6), round(L1, 6)
    (2.0, 3.0)
    """
    g_max, r_max = float(g.max()), float(r.max())
    if alpha == 0:
        return r_max, 0.0
    x, y = (g / g_max) ** alpha, r / r_max
    cost = np.array([np.sum(1 / y), np.sum(x / y)])
    solution = linprog(cost / cost.max(), A_ub=-np.column_stack([np.ones_like(x), x]), b_ub=-y,
                       bounds=[(0, None), (0, None)], method="highs")
    if solution.status != 0:
        raise GSmoothError(f"envelope LP failed at alpha={alpha:g}: {solution.message}")
    L0 = float(min(max(solution.x[0], 0.0), 1.0)) * r_max
    return L0, minimal_L1(g, r, alpha, L0)


def minimal_L1(g, r, alpha: float, L0: float) -> float:
    """Smallest ``L1`` with ``L0 + L1 g_i^alpha >= r_i`` for all ``i`` (``inf`` if none)."""
    x = g**alpha
    excess = r - L0
    if np.any((x == 0) & (excess > 0)):
        return float("inf")
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(excess > 0, excess / x, 0.0)
    return float(max(0.0, need.max()))


def envelope_frontier(g, r, alpha: float, n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """All minimal valid pairs at ``alpha``: ``L0`` from 0 to ``max r`` and ``L1(L0)``."""
    g, r = check_pairs(g, r)
    L0 = np.linspace(0.0, float(r.max()), n)
    return L0, np.array([minimal_L1(g, r, alpha, a) for a in L0])


def mean_log_gap(g, r, alpha: float) -> float:
    """Mean log-gap of the LP envelope at ``alpha`` (module docstring)."""
    L0, L1 = envelope_lp(g, r, alpha)
    return float(np.mean(np.log((L0 + L1 * g**alpha) / r)))


def _fit_checked(g, r, alpha):
    if alpha is None:
        gaps = [mean_log_gap(g, r, a) for a in ALPHA_GRID]
        best = int(np.argmin(gaps))
        low, high = ALPHA_GRID[max(best - 1, 0)], ALPHA_GRID[min(best + 1, ALPHA_GRID.size - 1)]
        refined = minimize_scalar(lambda a: mean_log_gap(g, r, a), bounds=(low, high),
                                  method="bounded", options={"xatol": 1e-5})
        alpha = float(refined.x) if refined.fun < gaps[best] else float(ALPHA_GRID[best])
    L0, L1 = envelope_lp(g, r, alpha)
    identified = bool(L1 * float(g.max()) ** alpha > ZERO_L1 * max(L0, np.finfo(float).tiny))
    if not identified:
        alpha = 0.0
    gap = float(np.mean(np.log((L0 + L1 * g**alpha) / r)))
    return L0, L1, float(alpha), gap, identified


def fit_envelope(g, r, alpha: float | None = None, quantile: float = 1.0) -> Envelope:
    """Fit ``r <= L0 + L1 g^alpha``; ``alpha=None`` chooses it (module docstring).

    Parameters
    ----------
    g, r : array_like, shape (n,)
    alpha : float in [0, 1], optional
        Fixed exponent; chosen by the mean log-gap when omitted.
    quantile : float in (0, 1]
        Level of the robust rule; 1 covers every point.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.geomspace(1e-3, 1e3, 30)
    >>> env = fit_envelope(g, 3.0 * g ** (2 / 3))
    >>> round(env.alpha, 3), round(env.L1, 2), round(env.L0, 3)
    (0.667, 3.0, 0.0)
    """
    if alpha is not None and not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {quantile}")
    g, r = check_pairs(g, r)
    fit = _fit_checked(g, r, alpha)
    if quantile < 1:
        ratio = r / (fit[0] + fit[1] * g ** fit[2])
        keep = ratio <= np.quantile(ratio, quantile)
        fit = _fit_checked(*check_pairs(g[keep], r[keep], "pairs under the quantile"), alpha)
    L0, L1, alpha, gap, identified = fit
    covered = float(np.mean(r <= (L0 + L1 * g**alpha) * (1 + 1e-9)))
    return Envelope(L0, L1, alpha, gap, covered, identified)
