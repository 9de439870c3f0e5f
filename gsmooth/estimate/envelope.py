r"""Upper envelopes ``r <= L0 + L1 g^alpha``, solved exactly by the geometry of the points.

**Fixed alpha.**  With ``x_i = g_i^alpha`` the envelope is a line in ``x``; the
valid pairs form the polygon ``{L0, L1 >= 0 : L0 + L1 x_i >= r_i for all i}``.
Among them we take the lowest envelope in the sense of the *total relative
height* (points counted with weights ``w_i``, the multiplicities of a resample)

.. math::

    \min_{L_0, L_1 \ge 0} \sum_i w_i \frac{L_0 + L_1 x_i}{r_i}
    \quad \text{s.t.} \quad L_0 + L_1 x_i \ge r_i .

Dividing each height by its point makes the objective invariant to the units
of ``r`` and ``g`` and weighs every point alike on log scales; it is the
first-order version of the log-gap below.  The objective is
``c0 L0 + c1 L1 = c0 (L0 + L1 xbar)`` with ``c0 = sum w_i / r_i`` and
``xbar = sum (w_i x_i / r_i) / c0``: the program asks for **the lowest valid
nondecreasing line at** ``xbar``.  That is a small exact geometry problem.  A
valid line with ``L1 >= 0`` lies above the *upper concave hull* of the points
up to the highest one, and the polygon's vertices are the lines through the
hull's edges (those with ``L0, L1 >= 0``) and the two axis solutions
``(0, max r_i / x_i)`` and ``(max r, 0)``; a linear objective over a polygon
is least at a vertex, so :func:`envelope_at` evaluates it on these few lines
and takes the least.  Only points that are higher than every point to their
left (the *staircase*, the same for every ``alpha > 0`` since ``g^alpha``
keeps the order of ``g``) can be hull vertices of the rising part, so the
hull is built on the staircase alone.  When the data lie on one curve
``r = L0 + L1 g^alpha`` every point is on the hull's single edge, so exact
data give exact constants.

**The frontier.**  For fixed ``alpha`` and ``L0`` the smallest valid ``L1`` is
``L1(L0) = max(0, max_i (r_i - L0)/x_i)``: :func:`envelope_frontier` traces
this curve of all minimal valid pairs, from ``L0 = 0`` to ``L0 = max r``.

**Choosing alpha.**  Each ``alpha`` gives an envelope; we choose the tightest
by the weighted mean log-gap

.. math::

    \mathrm{gap}(\alpha) = \frac{\sum_i w_i \log\bigl((L_0 + L_1 g_i^\alpha)/r_i\bigr)}{\sum_i w_i} \ \ge 0,

minimized over a grid of ``alpha`` and refined by
:func:`scipy.optimize.minimize_scalar` between the grid neighbours of the
best grid point.  When the ``L1`` term adds less than :data:`ZERO_L1` of ``L0``
over the data, ``alpha`` does not change the envelope: the flat envelope
``(max r, 0)`` is reported with ``alpha = 0`` and ``alpha_identified = False``.

**Quantile level** ``q < 1`` (robustness to outliers): fit to all points, drop
the points whose ratio ``r_i / envelope_i`` is above its (weighted) empirical
``q``-quantile, and fit again to the rest; ``covered`` is the fraction of all
points under the final envelope.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from gsmooth.errors import GSmoothError

#: Fewest pairs with ``r > 0`` an envelope is fitted to.
MIN_POINTS = 5
#: Grid of alpha before refinement.
ALPHA_GRID = np.linspace(0.0, 1.0, 11)
#: Resolution of the refined alpha.
ALPHA_XATOL = 1e-5
#: ``max g / min g`` below this leaves alpha unidentifiable.
MIN_SPREAD = 1.05
#: Relative size of the L1 term (at the largest g) below which L1 counts as zero.
ZERO_L1 = 1e-6
#: Relative slack under which a point counts as on (not above) an envelope.
ON_ENVELOPE = 1e-9


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
    g, r, keep = validate_pairs(g, r, what)
    return g[keep], r[keep]


def validate_pairs(g, r, what: str = "pairs"):
    """Checked arrays ``(g, r, keep)``, ``keep`` the mask of ``r > 0``; see :func:`check_pairs`."""
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
    positive = g[keep & (g > 0)]
    if positive.size < 2 or positive.max() < MIN_SPREAD * positive.min():
        spread = positive.max() / positive.min() if positive.size else float("nan")
        raise GSmoothError(
            f"{what}: the gradient norms are (nearly) constant (max/min = {spread:.4g} < "
            f"{MIN_SPREAD}); the envelope's constants are not identifiable from such data"
        )
    return g, r, keep


def staircase(g, r) -> np.ndarray:
    """Indices, in increasing ``g``, of the points higher than every point to their left.

    Examples
    --------
    >>> staircase(np.array([1.0, 2.0, 3.0, 0.5]), np.array([2.0, 1.0, 3.0, 1.5])).tolist()
    [3, 0, 2]
    """
    order = np.lexsort((-r, g))
    ordered = r[order]
    rising = np.ones(order.size, dtype=bool)
    rising[1:] = ordered[1:] > np.maximum.accumulate(ordered)[:-1]
    return order[rising]


def upper_hull(x, y) -> list[int]:
    """Positions of the upper concave hull's vertices among points with increasing ``x``.

    Andrew's monotone chain on plain floats (the staircase is short, and a
    loop over it costs less than array calls).

    Examples
    --------
    >>> upper_hull([0.0, 1.0, 2.0, 3.0], [0.0, 2.0, 2.5, 5.0])
    [0, 1, 3]
    """
    hull: list[int] = []
    hx: list[float] = []
    hy: list[float] = []
    for i, (xi, yi) in enumerate(zip(x, y)):
        while len(hull) >= 2 and ((hx[-1] - hx[-2]) * (yi - hy[-2])
                                  >= (hy[-1] - hy[-2]) * (xi - hx[-2])):
            hull.pop()
            hx.pop()
            hy.pop()
        hull.append(i)
        hx.append(xi)
        hy.append(yi)
    return hull


def candidate_lines(x, y) -> tuple[list[float], list[float]]:
    """The polygon's vertices ``(L0, L1)`` for staircase points ``(x, y)`` (module docstring).

    ``x`` nondecreasing arrays; of equal ``x`` (after the power) the higher,
    later point is kept.
    """
    if x.size > 1 and not np.all(x[1:] > x[:-1]):
        later = np.ones(x.size, dtype=bool)
        later[:-1] = x[1:] > x[:-1]
        x, y = x[later], y[later]
    L0, L1 = [float(y[-1])], [0.0]
    if x[0] > 0:
        L0.append(0.0)
        L1.append(float(np.max(y / x)))
    x, y = _thin(x, y)
    xs, ys = x.tolist(), y.tolist()
    hull = upper_hull(xs, ys)
    for a, b in zip(hull[:-1], hull[1:]):
        slope = (ys[b] - ys[a]) / (xs[b] - xs[a])
        intercept = ys[a] - slope * xs[a]
        if slope >= 0 and intercept >= 0:
            L0.append(intercept)
            L1.append(slope)
    return L0, L1


def _thin(x, y, passes: int = 2):
    """Drop, in a few array passes, points on or below the chord of their neighbours (no such
    point is a hull vertex); the monotone chain then runs on fewer points."""
    for _ in range(passes):
        if x.size <= 8:
            break
        below = ((x[1:-1] - x[:-2]) * (y[2:] - y[:-2]) >= (y[1:-1] - y[:-2]) * (x[2:] - x[:-2]))
        if not below.any():
            break
        keep = np.ones(x.size, dtype=bool)
        keep[1:-1] = ~below
        x, y = x[keep], y[keep]
    return x, y


class _Points:
    """Checked pairs with weights and what every ``alpha`` reuses: staircase, logs, ``c0``."""

    def __init__(self, g, r, weight):
        self.g, self.r, self.weight = g, r, weight
        self.total = float(np.sum(weight))
        self.c0 = float(np.sum(weight / r))
        self.weight_over_r = weight / r
        self.log_r = float(np.sum(weight * np.log(r)))
        stairs = staircase(g, r)
        self.stair_g, self.stair_r = g[stairs], r[stairs]
        self.r_max = float(r.max())

    def line(self, alpha) -> tuple[float, float, np.ndarray]:
        """Lowest valid ``(L0, L1)`` at ``alpha`` and ``g^alpha``."""
        x = self.g**alpha
        if alpha == 0:
            return self.r_max, 0.0, x
        L0, L1 = candidate_lines(self.stair_g**alpha, self.stair_r)
        c1 = float(self.weight_over_r @ x)
        costs = [self.c0 * a + c1 * b for a, b in zip(L0, L1)]
        best = costs.index(min(costs))
        return L0[best], L1[best], x

    def gap(self, alpha) -> float:
        """Weighted mean log-gap of the lowest envelope at ``alpha``."""
        L0, L1, x = self.line(alpha)
        return (float(self.weight @ np.log(L0 + L1 * x)) - self.log_r) / self.total


def envelope_at(g, r, alpha: float, multiplicity=None) -> tuple[float, float]:
    """Lowest valid ``(L0, L1)`` at fixed ``alpha`` (module docstring), exactly.

    Parameters
    ----------
    g, r : ndarray, shape (n,)
        Pairs with ``r > 0``.
    alpha : float in [0, 1]
        At ``alpha = 0`` the two constants merge (``L0 + L1``): by convention ``L1 = 0``.
    multiplicity : ndarray, shape (n,), optional
        Weight of each pair (default 1).

    Examples
    --------
    >>> import numpy as np
    >>> g = np.geomspace(0.1, 10, 9)
    >>> L0, L1 = envelope_at(g, 2.0 + 3.0 * g**0.5, 0.5)
    >>> round(L0, 12), round(L1, 12)
    (2.0, 3.0)
    """
    weight = np.ones_like(r) if multiplicity is None else np.asarray(multiplicity, dtype=float)
    L0, L1, _ = _Points(g, r, weight).line(alpha)
    return float(L0), float(L1)


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


def _fit_checked(g, r, weight, alpha):
    """``(L0, L1, alpha, gap, identified)`` on checked pairs with weights."""
    points = _Points(g, r, weight)
    if alpha is None:
        gaps = [points.gap(a) for a in ALPHA_GRID]
        best = int(np.argmin(gaps))
        low, high = ALPHA_GRID[max(best - 1, 0)], ALPHA_GRID[min(best + 1, ALPHA_GRID.size - 1)]
        refined = minimize_scalar(points.gap, bounds=(low, high), method="bounded",
                                  options={"xatol": ALPHA_XATOL})
        alpha = float(refined.x) if refined.fun < gaps[best] else float(ALPHA_GRID[best])
    L0, L1, _ = points.line(alpha)
    identified = bool(L1 * float(g.max()) ** alpha > ZERO_L1 * max(L0, np.finfo(float).tiny))
    if not identified:
        L0, L1, alpha = points.r_max, 0.0, 0.0
    return float(L0), float(L1), float(alpha), points.gap(alpha) if identified else _flat_gap(
        points), identified


def _flat_gap(points) -> float:
    return (points.total * np.log(points.r_max) - points.log_r) / points.total


def fit_envelope(g, r, alpha: float | None = None, quantile: float = 1.0,
                 multiplicity=None) -> Envelope:
    """Fit ``r <= L0 + L1 g^alpha``; ``alpha=None`` chooses it (module docstring).

    Parameters
    ----------
    g, r : array_like, shape (n,)
    alpha : float in [0, 1], optional
        Fixed exponent; chosen by the mean log-gap when omitted.
    quantile : float in (0, 1]
        Level of the robust rule; 1 covers every point.
    multiplicity : array_like, shape (n,), optional
        Weight of each pair (a resample's counts); default 1.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.geomspace(1e-3, 1e3, 30)
    >>> env = fit_envelope(g, 3.0 * g ** (2 / 3))
    >>> round(env.alpha, 4), round(env.L1, 4), round(env.L0, 4)
    (0.6667, 3.0, 0.0)
    """
    if alpha is not None and not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {quantile}")
    g, r, keep = validate_pairs(g, r, "pairs")
    weight = (np.ones(g.size) if multiplicity is None
              else np.asarray(multiplicity, dtype=float).reshape(-1))
    keep &= weight > 0  # pairs of runs a resample did not draw bind nothing
    g, r, weight = g[keep], r[keep], weight[keep]
    validate_pairs(g, r)
    fit = _fit_checked(g, r, weight, alpha)
    if quantile < 1:
        ratio = r / (fit[0] + fit[1] * g ** fit[2])
        below = ratio <= weighted_quantile(ratio, weight, quantile)
        validate_pairs(g[below], r[below], "pairs under the quantile")
        fit = _fit_checked(g[below], r[below], weight[below], alpha)
    L0, L1, alpha, gap, identified = fit
    on = r <= (L0 + L1 * g**alpha) * (1 + ON_ENVELOPE)
    return Envelope(L0, L1, alpha, gap, float(np.sum(weight * on) / np.sum(weight)), identified)


def weighted_quantile(values, weight, q: float) -> float:
    """The smallest value with at least a fraction ``q`` of the weight at or below it.

    Examples
    --------
    >>> weighted_quantile(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0]), 0.5)
    2.0
    """
    order = np.argsort(values)
    cumulative = np.cumsum(weight[order]) / np.sum(weight)
    return float(values[order][np.searchsorted(cumulative, q - 1e-12)])
