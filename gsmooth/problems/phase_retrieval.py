r"""Real phase retrieval, the paper's first experiment.

Measurements ``y_r = (a_r^T w*)^2 + n_r``, ``r = 1..m``, are fitted by

.. math::

    F(w) = \frac{1}{m} \sum_{r=1}^m f_r(w), \qquad
    f_r(w) = \tfrac12 \bigl(y_r - (a_r^T w)^2\bigr)^2 .

With ``s_r = a_r^T w`` the chain rule gives
``grad f_r(w) = 2 (s_r^2 - y_r) s_r a_r``, hence, for ``s = A w``,

.. math::

    \nabla F(w) = \frac{2}{m} A^T \bigl(s \odot (s \odot s - y)\bigr),
    \qquad \nabla^2 f_r(w) = 2 (3 s_r^2 - y_r) a_r a_r^T .

Far from the solution the Hessian grows like ``s^2`` and the gradient like
``s^3``, so the curvature grows like ``||grad F||^(2/3)``: a generalized-smooth
objective (``alpha = 2/3``) that is not ``L``-smooth.  The paper's released
script uses ``A^T (s (s^2 - y)) / m``, half of this exact gradient: a step
size question only, so gsmooth keeps the exact gradient and a reproduction of
the released runs rescales their step sizes and thresholds for the factor two.

With noise, ``F*`` is unknown; since ``F(w*) = mean(n_r^2) / 2``, curves level
off near the noise floor ``E[n^2] / 2 = noise_std^2 / 2`` (8 for the paper's
``noise_std = 4``).  Without noise, ``F(w*) = 0 = F*``.
"""

from __future__ import annotations

import math

import numpy as np

from gsmooth._backend import namespace
from gsmooth._checks import positive_int
from gsmooth.problems.base import Constants, Problem, check_start

START_VARIANCE = 6.0
START_SHIFT = 1.0


class PhaseRetrieval(Problem):
    r"""Phase retrieval ``F(w) = 1/(2m) sum_r (y_r - (a_r^T w)^2)^2``; see the module docstring.

    Attributes
    ----------
    w_true : ndarray, shape (d,)
        The signal ``w*`` that generated the measurements.
    noise_floor : float
        ``E[n^2] / 2 = noise_std^2 / 2``, the level noisy runs settle near.
    """

    def __init__(self, m, d, seed, noise_std, signal_std, start):
        m = positive_int("m", m)
        d = positive_int("d", d)
        if not (np.isfinite(noise_std) and noise_std >= 0):
            raise ValueError(f"noise_std must be finite and >= 0, got {noise_std!r}")
        if not (np.isfinite(signal_std) and signal_std > 0):
            raise ValueError(f"signal_std must be finite and positive, got {signal_std!r}")
        rs = np.random.RandomState(seed)
        w_true = rs.normal(scale=signal_std, size=d)
        a = rs.normal(scale=signal_std, size=(m, d))
        y = (a @ w_true) ** 2 + rs.normal(scale=noise_std, size=m)
        default_start = rs.normal(scale=math.sqrt(START_VARIANCE), size=d) + START_SHIFT
        start = default_start if start is None else check_start(start, d, 0.0)
        constants = Constants(f_star=0.0 if noise_std == 0 else None)
        name = f"phase_retrieval(m={m}, d={d})"
        super().__init__(name, d, start, m, constants, {"a": a, "y": y})
        self.w_true = w_true
        self.noise_std = float(noise_std)
        self.noise_floor = float(noise_std) ** 2 / 2

    def _value(self, w, data):
        residual = w @ data["a"].T
        residual *= residual
        residual -= data["y"]
        return self._half_mean_square(residual)

    def _grad(self, w, data):
        return self._grad_from(*self._products(w, data), data)

    def value_and_grad(self, w):
        """Objective and gradient sharing the product ``A w`` and the residuals."""
        self._check_iterate(w)
        data = self._data_like(w)
        s, residual = self._products(w, data)
        value = self._half_mean_square(residual)
        return value, self._grad_from(s, residual, data)

    def _products(self, w, data):
        """``s = A w`` and the residuals ``s^2 - y`` per run, (k, m) each.

        The (k, m) arrays are large; every step after the product works in
        place, since fresh large arrays cost more than the arithmetic on them.
        """
        s = w @ data["a"].T
        residual = s * s
        residual -= data["y"]
        return s, residual

    def _half_mean_square(self, residual):
        """``(1/2m) sum_r residual_r^2`` per run, as one dot product per row."""
        return namespace(residual).vecdot(residual, residual) * (0.5 / self.n_samples)

    def _grad_from(self, s, residual, data):
        """``(2/m) A^T (s * residual)`` per run; overwrites ``s``."""
        s *= residual
        return s @ data["a"] * (2.0 / self.n_samples)

    def _sample_grad(self, w, idx, data):
        batch = idx.shape[1]
        rows, y = self._gather(data, idx, "a", "y")
        s = (rows @ w[:, :, None])[:, :, 0]
        coef = s * (s * s - y) * (2.0 / batch)
        return (coef[:, None, :] @ rows)[:, 0, :]

    hvp_exact = True

    def _hvp(self, w, v, data):
        """``(2/m) A^T ((3 s^2 - y) * (A v))`` with ``s = A w``: the mean of the
        ``hess f_r = 2 (3 s_r^2 - y_r) a_r a_r^T`` of the module docstring."""
        s = w @ data["a"].T
        return (((3.0 * s * s - data["y"]) * (v @ data["a"].T)) @ data["a"]) * (2.0 / self.n_samples)


def phase_retrieval(
    m=3000, d=100, seed=0, noise_std=4.0, signal_std=math.sqrt(0.5), start=None
) -> PhaseRetrieval:
    r"""Phase retrieval with the paper's defaults; see :class:`PhaseRetrieval`.

    Entries of every ``a_r`` and of ``w*`` are i.i.d. ``N(0, signal_std^2)``
    (the paper: ``N(0, 0.5)``), ``n_r ~ N(0, noise_std^2)`` (the paper: 16).
    The default start is the paper's ``w0 ~ N(0, 6 I) + 1`` (the paper then
    takes one full-batch step of 2/3-normalized GD, ``gamma = 0.1``, before its
    stochastic methods; that step belongs to a reproduction).  All draws come
    from ``numpy.random.RandomState(seed)`` in the released script's order
    (``w*``, ``A``, ``n``, ``w0``), so ``seed=2024`` gives the released instance.

    Parameters
    ----------
    m, d : int
        Number of measurements (samples) and signal dimension.
    seed : int
        Seed of the data and of the default start.
    noise_std, signal_std : float
        Standard deviations of the measurement noise and of the entries of
        ``a_r`` and ``w*``.  ``noise_std = 0`` gives ``f_star = 0``.
    start : array_like, shape (d,), optional
        Starting point; the paper's random start when omitted.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.phase_retrieval(m=50, d=5, noise_std=0.0)
    >>> p.f_star, p.n_samples, p.dim
    (0.0, 50, 5)
    >>> float(p.value(p.w_true[None, :])[0])
    0.0
    >>> gs.problems.phase_retrieval(m=50, d=5).noise_floor
    8.0
    """
    return PhaseRetrieval(m, d, seed, noise_std, signal_std, start)
