r"""Analytic problems whose smoothness and PL constants are known exactly.

Every problem here states, with its derivation, the constants of

* local generalized smoothness ``||hess F(w)|| <= L0 + L1 ||grad F(w)||^alpha``;
* generalized PL ``||grad F(w)||^rho >= 2 mu (F(w) - F*)``;

so that estimators, rate fits and verification each have a case with a known
answer.
"""

from __future__ import annotations

import numpy as np

from gsmooth._backend import namespace, row_norm
from gsmooth._checks import instance_of, nonnegative_int, positive_int, real_number
from gsmooth.problems.base import Constants, Problem, check_start


class Quadratic(Problem):
    r"""Diagonal quadratic ``F(w) = 1/2 sum_i lambda_i w_i^2`` with all ``lambda_i > 0``.

    Derivation: ``grad F = Lambda w`` and ``hess F = Lambda``, so the Hessian
    form holds with ``L0 = max lambda``, ``L1 = 0``, ``alpha = 0``.  With
    ``F* = 0``, ``||grad F||^2 = sum lambda_i^2 w_i^2 >= lambda_min sum lambda_i w_i^2
    = 2 lambda_min F``: generalized PL with ``rho = 2``, ``mu = min lambda``,
    with equality along the eigenvector of the smallest eigenvalue.

    Examples
    --------
    The Hessian norm is the largest eigenvalue at every point:

    >>> import numpy as np, gsmooth as gs
    >>> from gsmooth.problems.curvature import hessian_norm
    >>> p = gs.problems.quadratic([0.5, 2.0, 7.0])
    >>> w = np.random.default_rng(0).standard_normal((3, 3))
    >>> np.round(hessian_norm(p, w).norm, 10).tolist(), p.constants.L0
    ([7.0, 7.0, 7.0], 7.0)
    """

    def __init__(self, eigs, start=None):
        eigs = np.asarray(eigs, dtype=np.float64).reshape(-1)
        if eigs.size == 0 or not np.all(np.isfinite(eigs)) or eigs.min() <= 0:
            raise ValueError(f"eigs must be finite and positive, got {eigs.tolist()}")
        d = eigs.size
        constants = Constants(
            f_star=0.0, rho=2.0, mu=float(eigs.min()), alpha=0.0, L0=float(eigs.max()), L1=0.0
        )
        super().__init__("quadratic", d, check_start(start, d, 1.0), None, constants, {"eigs": eigs})

    def _value(self, w, data):
        xp = namespace(w)
        return 0.5 * xp.sum(data["eigs"] * w * w, axis=-1)

    def _grad(self, w, data):
        return data["eigs"] * w

    hvp_exact = True

    def _hvp(self, w, v, data):
        return data["eigs"] * v

    def value_and_grad(self, w):
        """Objective and gradient sharing ``Lambda w``."""
        self._check_iterate(w)
        g = self._grad(w, self._data_like(w))
        xp = namespace(w)
        return 0.5 * xp.sum(g * w, axis=-1), g


class Power(Problem):
    r"""Power function ``F(w) = ||w||^p / p`` for ``p > 2``.

    Derivation, with ``r = ||w||``: ``grad F = r^(p-2) w`` so ``||grad F|| = r^(p-1)``;
    ``hess F = r^(p-2) I + (p-2) r^(p-4) w w^T`` with norm ``(p-1) r^(p-2)``.
    Eliminating ``r = ||grad F||^(1/(p-1))`` gives, with equality everywhere,

    * ``||hess F|| = (p-1) ||grad F||^((p-2)/(p-1))``: ``L0 = 0``, ``L1 = p - 1``,
      ``alpha = (p-2)/(p-1)``;
    * ``||grad F||^(p/(p-1)) = r^p = p F``: ``rho = p/(p-1)``, ``mu = p/2``, ``F* = 0``.

    The two-point form (5) does not hold with ``L0 = 0`` (take ``w' = 0``); the
    Hessian form above is the one that governs the local behaviour.

    Examples
    --------
    The Hessian form holds with equality, ``||hess F|| = (p - 1) ||grad F||^alpha``:

    >>> import numpy as np, gsmooth as gs
    >>> from gsmooth.problems.curvature import hessian_norm
    >>> p = gs.problems.power(d=3, p=4)
    >>> w = np.array([[0.3, -0.2, 0.1], [2.0, 1.0, -1.0]])
    >>> c, g = p.constants, np.linalg.norm(p.grad(w), axis=1)
    >>> bool(np.allclose(hessian_norm(p, w).norm, c.L1 * g**c.alpha, rtol=1e-10))
    True
    """

    def __init__(self, d=10, p=4.0, start=None):
        d = positive_int("d", d)
        p = float(p)
        if not np.isfinite(p) or p <= 2:
            raise ValueError(f"p must be > 2, got {p}")
        constants = Constants(
            f_star=0.0, rho=p / (p - 1), mu=p / 2, alpha=(p - 2) / (p - 1), L0=0.0, L1=p - 1
        )
        super().__init__(f"power(p={p:g})", d, check_start(start, d, 1.0), None, constants)
        self.p = p

    def _value(self, w, data):
        return row_norm(w)[:, 0] ** self.p / self.p

    def _grad(self, w, data):
        return row_norm(w) ** (self.p - 2) * w

    hvp_exact = True

    def _hvp(self, w, v, data):
        """``r^(p-2) (v + (p-2) (u.v) u)`` with ``u = w / r`` (0 at ``w = 0``, where ``H = 0``)."""
        xp = namespace(w)
        r = row_norm(w)
        u = w / xp.where(r > 0, r, xp.ones_like(r))
        along = xp.sum(u * v, axis=-1, keepdims=True)
        return r ** (self.p - 2) * (v + (self.p - 2) * along * u)


class Cosh(Problem):
    r"""Separable ``F(w) = sum_i (cosh(s w_i) - 1) / s^2`` with scale ``s > 0``.

    A function whose curvature grows linearly with the gradient (``alpha = 1``).

    Derivation: ``grad F_i = sinh(s w_i) / s`` and ``hess F = diag(cosh(s w_i))``.
    Since ``cosh x - |sinh x| = exp(-|x|) <= 1``,
    ``||hess F|| = max_i cosh(s w_i) <= 1 + s max_i |grad F_i| <= 1 + s ||grad F||``:
    ``L0 = 1``, ``L1 = s``, ``alpha = 1`` (tight for a single large coordinate).
    With ``F* = 0`` and ``sinh^2 = (cosh - 1)(cosh + 1) >= 2 (cosh - 1)``,
    ``||grad F||^2 >= 2 F``: ``rho = 2``, ``mu = 1``, with equality as ``w -> 0``.

    Examples
    --------
    Along one coordinate the smoothness bound is nearly tight for large gradients:

    >>> import numpy as np, gsmooth as gs
    >>> from gsmooth.problems.curvature import hessian_norm
    >>> p = gs.problems.cosh(d=2, scale=1.0)
    >>> w = np.array([[6.0, 0.0]])
    >>> h, g = hessian_norm(p, w).norm[0], np.linalg.norm(p.grad(w))
    >>> bool(h <= p.constants.L0 + p.constants.L1 * g), round(float(h / (1 + g)), 4)
    (True, 0.9951)
    """

    def __init__(self, d=10, scale=1.0, start=None):
        d = positive_int("d", d)
        scale = float(scale)
        if not np.isfinite(scale) or scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        constants = Constants(f_star=0.0, rho=2.0, mu=1.0, alpha=1.0, L0=1.0, L1=scale)
        super().__init__(f"cosh(s={scale:g})", d, check_start(start, d, 2.0 / scale), None, constants)
        self.scale = scale

    def _value(self, w, data):
        xp = namespace(w)
        s = self.scale
        return xp.sum(xp.cosh(s * w) - 1.0, axis=-1) / s**2

    def _grad(self, w, data):
        xp = namespace(w)
        return xp.sinh(self.scale * w) / self.scale

    hvp_exact = True

    def _hvp(self, w, v, data):
        return namespace(w).cosh(self.scale * w) * v


class LeastSquares(Problem):
    r"""Consistent least squares ``F(w) = 1/(2n) ||A w - b||^2`` with ``b = A w_true``.

    A finite sum of ``f_i(w) = 1/2 (a_i^T w - b_i)^2`` over Gaussian rows ``a_i``.
    Derivation: ``hess F = H = A^T A / n`` and ``F* = 0`` at ``w_true``.  Then
    ``L0 = lambda_max(H)``, ``L1 = 0``, ``alpha = 0``; and for ``e = w - w_true``,
    ``||grad F||^2 = e^T H^2 e >= lambda_min(H) e^T H e = 2 lambda_min(H) F``:
    ``rho = 2``, ``mu = lambda_min(H)`` (needs ``n >= d`` for ``mu > 0``).

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.least_squares(n=100, d=4, seed=1)
    >>> H = p._host_data["a"].T @ p._host_data["a"] / p.n_samples
    >>> bool(np.isclose(p.constants.L0, np.linalg.eigvalsh(H)[-1]))
    True
    >>> float(p.value(p.w_true[None, :])[0])
    0.0
    """

    def __init__(self, n=500, d=20, seed=0, start=None):
        d = positive_int("d", d)
        if not isinstance(n, (int, np.integer)) or n < d:
            raise ValueError(f"n must be an integer >= d = {d}, got {n!r}")
        rng = np.random.default_rng(nonnegative_int("seed", seed))
        a = rng.standard_normal((n, d))
        w_true = rng.standard_normal(d)
        eig = np.linalg.eigvalsh(a.T @ a / n)
        constants = Constants(
            f_star=0.0, rho=2.0, mu=float(eig[0]), alpha=0.0, L0=float(eig[-1]), L1=0.0
        )
        data = {"a": a, "b": a @ w_true}
        super().__init__("least_squares", d, check_start(start, d, 0.0), n, constants, data)
        self.w_true = w_true

    def _residual(self, w, data):
        return w @ data["a"].T - data["b"]

    def _value(self, w, data):
        xp = namespace(w)
        r = self._residual(w, data)
        return 0.5 * xp.mean(r * r, axis=-1)

    def _grad(self, w, data):
        return self._residual(w, data) @ data["a"] / self.n_samples

    hvp_exact = True

    def _hvp(self, w, v, data):
        """``A^T A v / n``."""
        return (v @ data["a"].T) @ data["a"] / self.n_samples

    def _sample_grad(self, w, idx, data):
        rows, b = self._gather(data, idx, "a", "b")
        r = (rows @ w[:, :, None])[:, :, 0] - b
        return (r[:, None, :] @ rows)[:, 0, :] / idx.shape[1]


class FiniteSum(Problem):
    r"""Finite sum with noise of known structure around a deterministic problem.

    ``f_i(w) = (1 + s_i) F(w) + <z_i, w>``, ``i = 1..n``, with ``s_i = +-tau1`` and
    ``z_i = tau2 u_i`` for unit vectors ``u_i``, drawn in opposite pairs
    ``(s, z), (-s, -z)`` so that ``sum_i s_i = 0`` and ``sum_i z_i = 0``: the mean
    of the ``f_i`` is exactly ``F``, which keeps every constant of ``F``.

    The noise of one sample is ``grad f_i - grad F = s_i grad F + z_i``, so
    ``||grad f_i(w) - grad F(w)|| <= tau1 ||grad F(w)|| + tau2`` with equality when
    ``u_i`` points along ``sign(s_i) grad F(w)``; a minibatch mean obeys the same
    bound.  These are the (tau1, tau2) of the IAN-SGD noise assumption.

    Examples
    --------
    Every sample's noise stays within ``tau1 ||grad F|| + tau2``:

    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.finite_sum(gs.problems.power(d=3), n=200, tau1=0.3, tau2=0.5)
    >>> w = np.array([[1.0, -2.0, 0.5]])
    >>> full = p.grad(w)
    >>> noise = [np.linalg.norm(p.grad(w, np.array([[i]])) - full) for i in range(200)]
    >>> bool(max(noise) <= 0.3 * np.linalg.norm(full) + 0.5 + 1e-12)
    True
    """

    def __init__(self, base: Problem, n=1000, tau1=0.5, tau2=1.0, seed=0):
        instance_of("base", base, Problem, "a deterministic gsmooth Problem (e.g. gs.problems.power())")
        if base.stochastic:
            raise ValueError(f"base must be a deterministic problem, got {base.name!r}")
        if not isinstance(n, (int, np.integer)) or n < 2 or n % 2:
            raise ValueError(f"n must be an even integer >= 2, got {n!r}")
        tau1, tau2 = real_number("tau1", tau1), real_number("tau2", tau2)
        if not 0 <= tau1 < 1:
            raise ValueError(f"tau1 must be in [0, 1), got {tau1}")
        if not tau2 >= 0:
            raise ValueError(f"tau2 must be >= 0, got {tau2}")
        rng = np.random.default_rng(nonnegative_int("seed", seed))
        half = n // 2
        signs = rng.choice([-1.0, 1.0], size=half)
        u = rng.standard_normal((half, base.dim))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        scale = np.concatenate([tau1 * signs, -tau1 * signs])
        shift = np.concatenate([tau2 * u, -tau2 * u])
        name = f"{base.name}+noise(tau1={tau1:g}, tau2={tau2:g})"
        data = {"scale": scale, "shift": shift}
        super().__init__(name, base.dim, base.start, n, base.constants, data)
        self.base, self.tau1, self.tau2 = base, float(tau1), float(tau2)

    def _value(self, w, data):
        return self.base.value(w)

    def _grad(self, w, data):
        return self.base.grad(w)

    def value_and_grad(self, w):
        """Delegate to the base problem, which may share work."""
        return self.base.value_and_grad(w)

    @property
    def hvp_exact(self) -> bool:
        """Exact when the base problem's products are: the mean of the ``f_i`` is ``F``."""
        return self.base.hvp_exact

    def _hvp(self, w, v, data):
        return self.base.hvp(w, v)

    def hvp_and_error(self, w, v):
        """The base problem's products and their error."""
        return self.base.hvp_and_error(w, v)

    def _sample_grad(self, w, idx, data):
        xp = namespace(w)
        scale, shift = self._gather(data, idx, "scale", "shift")
        scale = xp.mean(scale, axis=1)
        return (1.0 + scale[:, None]) * self.base.grad(w) + xp.mean(shift, axis=1)


def quadratic(eigs=(1.0, 10.0), start=None) -> Quadratic:
    """Diagonal quadratic with eigenvalues ``eigs``; see :class:`Quadratic`.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.quadratic([1.0, 4.0])
    >>> p.constants.mu, p.constants.L0
    (1.0, 4.0)
    >>> p.value(np.array([[1.0, 1.0]])).tolist()
    [2.5]
    """
    return Quadratic(eigs, start)


def power(d=10, p=4.0, start=None) -> Power:
    """``||w||^p / p`` for ``p > 2``; see :class:`Power`.

    Examples
    --------
    >>> import gsmooth as gs
    >>> c = gs.problems.power(d=10, p=4).constants
    >>> round(c.rho, 6), c.mu, round(c.alpha, 6), c.L1
    (1.333333, 2.0, 0.666667, 3.0)
    """
    return Power(d, p, start)


def cosh(d=10, scale=1.0, start=None) -> Cosh:
    """Sum of ``(cosh(s w_i) - 1)/s^2`` (``alpha = 1``); see :class:`Cosh`.

    Examples
    --------
    >>> import gsmooth as gs
    >>> c = gs.problems.cosh(d=4, scale=2.0).constants
    >>> c.alpha, c.L0, c.L1, c.rho, c.mu
    (1.0, 1.0, 2.0, 2.0, 1.0)
    """
    return Cosh(d, scale, start)


def least_squares(n=500, d=20, seed=0, start=None) -> LeastSquares:
    """Consistent Gaussian least squares, a finite sum; see :class:`LeastSquares`.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.least_squares(n=300, d=10)
    >>> p.n_samples, p.dim, p.f_star, bool(p.constants.mu < p.constants.L0)
    (300, 10, 0.0, True)
    """
    return LeastSquares(n, d, seed, start)


def finite_sum(base: Problem, n=1000, tau1=0.5, tau2=1.0, seed=0) -> FiniteSum:
    """Finite-sum version of ``base`` with known noise constants; see :class:`FiniteSum`.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.finite_sum(gs.problems.power(d=5), n=100, tau1=0.2, tau2=0.5)
    >>> p.n_samples, p.constants.rho == gs.problems.power(d=5).constants.rho
    (100, True)
    """
    return FiniteSum(base, n, tau1, tau2, seed)
