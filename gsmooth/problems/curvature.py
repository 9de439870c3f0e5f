r"""Curvature from Hessian-vector products: central differences and the Hessian norm.

**Central differences.**  For a direction ``v`` and step ``h``,

.. math::

    D(h) = \frac{\nabla F(w + h v) - \nabla F(w - h v)}{2 h}
         = \nabla^2 F(w)\, v + \frac{h^2}{6} \nabla^3 F(w)[v, v, v]' + O(h^4),

so the truncation error is ``O(h^2)`` and the rounding error about
``eps ||grad F|| / h``; :func:`central_difference_hvp` takes
``h = eps^(1/3) max(1, ||w||) / ||v||``, which balances the two on the
point's own scale (``eps`` of the iterate's dtype).  Its error estimate is
``||D(h) - D(2h)|| + eps (||grad F(w + h v)|| + ||grad F(w - h v)||) / (2h)``:
by the expansion ``D(2h) - D(h) = 3 (h^2/6) T + O(h^4)``, so the first term is
three times the truncation error of ``D(h)`` (and carries the rounding of
both quotients), the second the rounding of the gradients themselves.

**The Hessian norm** ``||hess F(w)||``, the spectral norm of the symmetric
Hessian, is ``max |lambda_i|``.  :func:`hessian_norm` finds it by the Lanczos
method, batched over the rows of ``w``: from a unit ``q_1``, each step takes one
product ``H q_j`` and orthogonalizes it against the basis so far (twice, which
keeps the basis orthogonal to rounding), giving ``Q_m^T H Q_m = T_m``
tridiagonal.  The eigenvalues ``theta`` of ``T_m`` (Ritz values) lie in
``[lambda_min, lambda_max]``, so ``max |theta|`` is a lower bound of the norm;
the extreme ones converge fast, at a rate set by the gap to the rest of the
spectrum relative to its width (power iteration would need
``(lambda_2/lambda_1)^(2t)`` to be small, hopeless for clustered spectra such
as a nearly isotropic Hessian).  For the Ritz pair ``(theta, y)`` of largest
``|theta|`` the residual is ``||H y - theta y|| = beta_m |s_m|`` (``s_m`` the
last entry of its eigenvector in ``T_m``), and some eigenvalue lies within
``min(res, res^2 / gap)`` of ``theta`` (``gap`` the distance to the next Ritz
value; Parlett, *The Symmetric Eigenvalue Problem*, ch. 11): a row stops once
that bound is below ``rtol |theta|``, and its result is frozen (so a run gives
the same number alone as in any batch).  A start from the last record's top
Ritz vector of the same run (a warm start) usually stops after two or three
products; a row that reaches ``max_iterations`` is reported as not converged,
its value still a lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gsmooth._backend import namespace, row_norm, to_device, to_host

#: Most Lanczos steps (Hessian-vector products) per point.
MAX_LANCZOS_STEPS = 60
#: A row stops when its Ritz value is within this (relative) of an eigenvalue.
LANCZOS_RTOL = 1e-8


def central_difference_hvp(grad, w, v, error: bool = True):
    """``(H v, error)`` by central differences of ``grad`` (see the module docstring).

    Parameters
    ----------
    grad : callable
        ``grad(w) -> (k, d)``, the full gradient.
    w, v : array, shape (k, d)
    error : bool
        Also estimate the error (two more gradients per row); ``None`` otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> grad = lambda w: w**3                      # F = sum w_i^4 / 4, H = diag(3 w^2)
    >>> hv, err = central_difference_hvp(grad, np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]]))
    >>> np.round(hv, 6).tolist(), bool(err[0] < 1e-8)
    ([[3.0, 0.0]], True)
    """
    xp = namespace(w)
    eps = float(xp.finfo(w.dtype).eps)
    v_norm = row_norm(v)
    safe = xp.where(v_norm > 0, v_norm, xp.ones_like(v_norm))
    h = eps ** (1 / 3) * xp.maximum(row_norm(w), xp.ones_like(v_norm)) / safe
    plus, minus = grad(w + h * v), grad(w - h * v)
    hv = (plus - minus) / (2 * h)
    if not error:
        return hv, None
    double = (grad(w + 2 * h * v) - grad(w - 2 * h * v)) / (4 * h)
    rounding = eps * (row_norm(plus) + row_norm(minus)) / (2 * h)
    return hv, (row_norm(hv - double) + rounding)[:, 0]


@dataclass(frozen=True)
class HessianNorm:
    """Hessian norms of a batch of points, in the points' namespace.

    Attributes
    ----------
    norm : array, shape (k,)
        ``||hess F(w_r)||`` (the largest ``|Ritz value|``, a lower bound).
    vector : array, shape (k, d)
        Unit top Ritz vector (a warm start for nearby points).
    error : array, shape (k,)
        Estimated error of ``norm`` from the Hessian-vector products (zero
        for exact products).
    converged : array of bool, shape (k,)
        Whether the row met ``rtol`` within the step limit.
    """

    norm: object
    vector: object
    error: object
    converged: object


def start_vectors(w):
    """The default start: one fixed generic unit vector (seeded by ``d``) for every row.

    It is the same for every run, so a run's result does not depend on the batch.
    """
    k, d = w.shape
    v = np.random.default_rng(d).standard_normal(d)
    v = np.broadcast_to(v / np.linalg.norm(v), (k, d))
    return to_device(np.ascontiguousarray(v), namespace(w), getattr(w, "device", None),
                     dtype=w.dtype)


def hessian_norm(problem, w, start=None, *, max_iterations: int = MAX_LANCZOS_STEPS,
                 rtol: float = LANCZOS_RTOL) -> HessianNorm:
    """``||hess F(w_r)||`` for every row of ``w`` by batched Lanczos (module docstring).

    Parameters
    ----------
    problem : Problem
        Supplies :meth:`~gsmooth.problems.base.Problem.hvp`.
    w : array, shape (k, d)
        Points, in any array-API namespace; the products stay there, only the
        small tridiagonal matrices (k, m, m) go to the host.
    start : array, shape (k, d), optional
        Start vectors (a warm start); :func:`start_vectors` for rows that are
        omitted or zero.
    max_iterations : int
    rtol : float
        Relative eigenvalue error bound at which a row stops (raised to
        ``16 eps`` of the dtype if smaller).

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.quadratic([0.5, 3.0, 7.0])
    >>> out = hessian_norm(p, np.ones((2, 3)))
    >>> np.round(out.norm, 10).tolist(), out.converged.tolist()
    ([7.0, 7.0], [True, True])
    """
    xp = namespace(w)
    rtol = max(float(rtol), 16 * float(xp.finfo(w.dtype).eps))
    k = w.shape[0]
    q = start_vectors(w)
    if start is not None:
        q = xp.where(row_norm(start) > 0, _unit(start), q)
    state = _Lanczos(k, q)
    steps = min(int(max_iterations), w.shape[1])
    for step in range(steps):
        state.extend(problem.hvp(w, state.basis[-1]))
        state.check(rtol, last=step == steps - 1)
        if state.done.all():
            break
    error = xp.zeros(k, dtype=w.dtype)
    if not problem.hvp_exact:
        _, error = problem.hvp_and_error(w, state.vector)
    device = getattr(w, "device", None)
    return HessianNorm(to_device(state.norm, xp, device, dtype=w.dtype), state.vector, error,
                       to_device(state.converged, xp, device))


class _Lanczos:
    """Basis, tridiagonal coefficients and the frozen per-row results of :func:`hessian_norm`."""

    def __init__(self, k, q):
        self.basis, self.alphas, self.betas = [q], [], []
        self.norm, self.converged = np.zeros(k), np.zeros(k, dtype=bool)
        self.done = np.zeros(k, dtype=bool)
        self.vector = q

    def extend(self, hq):
        """One step: orthogonalize ``H q_j`` against the basis (twice) and append it."""
        xp = namespace(hq)
        q = self.basis[-1]
        alpha = xp.vecdot(q, hq)
        r = hq - alpha[:, None] * q
        for _ in range(2):
            for b in self.basis:
                r = r - xp.vecdot(b, r)[:, None] * b
        beta = row_norm(r)
        self.alphas.append(_host(alpha))
        self.betas.append(_host(beta[:, 0]))
        self.basis.append(r / xp.where(beta > 0, beta, xp.ones_like(beta)))

    def check(self, rtol, last) -> None:
        """Freeze the rows whose top Ritz value is within ``rtol`` (or all, at the last step)."""
        theta, s = _ritz(np.stack(self.alphas, axis=1), np.stack(self.betas, axis=1))
        rows = np.arange(theta.shape[0])
        top = np.argmax(np.abs(theta), axis=1)
        value = np.abs(theta[rows, top])
        residual = self.betas[-1] * np.abs(s[rows, -1, top])
        others = np.abs(theta - theta[rows, top][:, None])
        others[rows, top] = np.inf
        gap = others.min(axis=1)
        separated = np.isfinite(gap) & (gap > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = np.where(separated, np.minimum(residual, residual**2 / gap), residual)
        met = bound <= rtol * value
        newly = ~self.done & (met | last | np.isnan(value))
        if newly.any():
            self.norm[newly] = value[newly]
            self.converged[newly] = met[newly]
            self.done |= newly
            self._ritz_vectors(s[rows, :, top], newly)

    def _ritz_vectors(self, coefficients, rows):
        """Top Ritz vectors ``Q_m s`` of the rows just frozen, merged into :attr:`vector`."""
        ref = self.basis[0]
        xp = namespace(ref)
        device = getattr(ref, "device", None)
        c = to_device(np.ascontiguousarray(coefficients), xp, device, dtype=ref.dtype)
        y = sum(c[:, i : i + 1] * b for i, b in enumerate(self.basis[: c.shape[1]]))
        self.vector = xp.where(to_device(rows[:, None], xp, device), _unit(y), self.vector)


def _ritz(alphas, betas):
    """Eigenvalues (k, m) and eigenvectors (k, m, m) of the tridiagonal ``T_m`` of every row."""
    k, m = alphas.shape
    t = np.zeros((k, m, m))
    idx = np.arange(m)
    t[:, idx, idx] = alphas
    if m > 1:
        t[:, idx[1:], idx[:-1]] = betas[:, :-1]
        t[:, idx[:-1], idx[1:]] = betas[:, :-1]
    bad = ~np.all(np.isfinite(t), axis=(1, 2))  # an overflowing row (a diverging run)
    t[bad] = 0.0
    theta, s = np.linalg.eigh(t)
    theta[bad] = np.nan
    return theta, s


def _host(x):
    return np.asarray(to_host(x), dtype=np.float64)


def _unit(v):
    xp = namespace(v)
    n = row_norm(v)
    return v / xp.where(n > 0, n, xp.ones_like(n))
