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

Kernels: the default ``kernels="numpy"`` is array code that runs in every
namespace.  ``kernels="numba"`` (the optional extra ``gsmooth[numba]``) replaces,
for NumPy float32 / float64 iterates, the elementwise work of the objective
and full gradient with one fused pass and the minibatch gradient with a fused
gather-and-accumulate kernel (:mod:`gsmooth.problems._phase_retrieval_numba`
says what each saves and how its sums round); the two products ``A w`` and
``A^T (s r)`` stay BLAS on both paths.  Iterates of other namespaces (CuPy,
array-api-strict) or dtypes use the array code whichever kernels were chosen.
"""

from __future__ import annotations

import math

import numpy as np

from gsmooth._backend import matmul_into, scratch, square_into, sum_of_squares
from gsmooth._checks import nonnegative_int, one_of, positive_int
from gsmooth.errors import GSmoothError
from gsmooth.problems.base import Constants, Problem, check_start

START_VARIANCE = 6.0
START_SHIFT = 1.0
KERNELS = ("numpy", "numba")
NUMBA_EXTRA = 'kernels="numba" needs numba: pip install "gsmooth[numba]"'
FUSED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
CHUNK_BYTES = 256 * 1024
"""Bytes of a block of runs' arrays on NumPy (gathered minibatch rows, the record's
``s`` and residuals): well inside a core's L2 cache."""


class PhaseRetrieval(Problem):
    r"""Phase retrieval ``F(w) = 1/(2m) sum_r (y_r - (a_r^T w)^2)^2``; see the module docstring.

    Attributes
    ----------
    w_true : ndarray, shape (d,)
        The signal ``w*`` that generated the measurements.
    noise_floor : float
        ``E[n^2] / 2 = noise_std^2 / 2``, the level noisy runs settle near.
    kernels : {"numpy", "numba"}
        Which code does the elementwise work on NumPy float iterates (module docstring).

    Examples
    --------
    Without noise the signal is a minimizer, with zero gradient:

    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.phase_retrieval(m=100, d=5, noise_std=0.0)
    >>> float(np.abs(p.grad(p.w_true[None, :])).max())
    0.0
    """

    def __init__(self, m, d, seed, noise_std, signal_std, start, kernels="numpy"):
        self.kernels = one_of("kernels", kernels, KERNELS)
        if kernels == "numba":
            _numba_kernels()
        m = positive_int("m", m)
        d = positive_int("d", d)
        if not (np.isfinite(noise_std) and noise_std >= 0):
            raise ValueError(f"noise_std must be finite and >= 0, got {noise_std!r}")
        if not (np.isfinite(signal_std) and signal_std > 0):
            raise ValueError(f"signal_std must be finite and positive, got {signal_std!r}")
        seed = nonnegative_int("seed", seed)
        if seed >= 2**32:
            raise ValueError(f"seed must be below 2**32 (numpy.random.RandomState, the released "
                             f"script's generator), got {seed}")
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
        s = self._product(w, data)
        if self._fuses(w):
            return _numba_kernels().objective(s, data["y"])
        return self._elementwise(s, data["y"], weights=False)

    def _grad(self, w, data):
        s = self._product(w, data)
        if self._fuses(w):
            _numba_kernels().objective_and_weights(s, data["y"])
        else:
            self._elementwise(s, data["y"], objective=False)
        return self._grad_from(s, data)

    def value_and_grad(self, w):
        """Objective and gradient sharing the product ``A w`` and the residuals."""
        self._check_iterate(w)
        data = self._data_like(w)
        s = self._product(w, data)
        if self._fuses(w):
            value = _numba_kernels().objective_and_weights(s, data["y"])
        else:
            value = self._elementwise(s, data["y"])
        return value, self._grad_from(s, data)

    def _fuses(self, w, idx=None) -> bool:
        """Whether the numba kernels take this evaluation: chosen, and NumPy float iterates
        (and integer NumPy indices); anything else runs the array code."""
        return (self.kernels == "numba" and type(w) is np.ndarray and w.dtype in FUSED_DTYPES
                and (idx is None or (type(idx) is np.ndarray and idx.dtype.kind in "iu")))

    def _product(self, w, data):
        """``s = A w`` per run, (k, m).

        The (k, m) arrays are large; they are scratch arrays where the namespace
        allows (:func:`gsmooth._backend.scratch`: NumPy) and every step after the
        product works in place, since fresh large arrays cost more than the
        arithmetic on them.  No (k, m) array outlives the caller's evaluation.
        """
        return matmul_into(w, data["a"].T, self._scratch("s", w))

    def _elementwise(self, s, y, objective=True, weights=True):
        """The array code's work on ``s = A w`` after the product: the objective per run
        (``objective``) and the gradient's weights ``s <- s (s^2 - y)`` (``weights``).

        On NumPy this runs over blocks of runs whose rows of ``s`` and of the
        residuals fit in :data:`CHUNK_BYTES`, so its three or four elementwise
        passes read the block from cache rather than memory (per run the same
        operations: the same bits); other namespaces take all runs at once.
        Without ``weights``, ``s`` is overwritten by the residuals.
        """
        values = []
        for block in self._row_blocks(s):
            if weights:
                residual = square_into(block, scratch("phase_retrieval.residual",
                                                      tuple(block.shape), block))
                residual -= y
                if objective:
                    values.append(self._half_mean_square(residual))
                block *= residual
            else:
                block *= block
                block -= y
                values.append(self._half_mean_square(block))
        if not objective:
            return None
        return values[0] if len(values) == 1 else np.concatenate(values)

    def _row_blocks(self, s) -> list:
        """``s`` whole, or on NumPy its blocks of rows of at most :data:`CHUNK_BYTES` / 2."""
        if type(s) is not np.ndarray:
            return [s]
        rows = max(1, CHUNK_BYTES // (2 * s.shape[1] * s.itemsize))
        if rows >= s.shape[0]:
            return [s]
        return [s[start : start + rows] for start in range(0, s.shape[0], rows)]

    def _scratch(self, name, w):
        """A scratch (k, m) array for ``w``'s runs, or ``None`` (see :func:`gsmooth._backend.scratch`)."""
        return scratch(f"phase_retrieval.{name}", (w.shape[0], self.n_samples), w)

    def _half_mean_square(self, residual):
        """``(1/2m) sum_r residual_r^2`` per run, as one dot product per row."""
        return sum_of_squares(residual) * (0.5 / self.n_samples)

    def _grad_from(self, weights, data):
        """``(2/m) A^T weights`` per run, the weights being ``s * (s^2 - y)``."""
        return weights @ data["a"] * (2.0 / self.n_samples)

    def _sample_grad(self, w, idx, data):
        """Minibatch gradients; on NumPy in chunks of runs whose gathered rows fit in
        :data:`CHUNK_BYTES`, so the rows are still in cache for the second product
        (each run's gradient is a product over its own rows: the same bits in any chunk;
        on two cores this took a 140 x 64 minibatch from 1.16 to 0.78 ms)."""
        if self._fuses(w, idx):
            return _numba_kernels().minibatch_grad(data["a"], data["y"], w, idx)
        k, batch = idx.shape
        if type(w) is not np.ndarray:
            return self._rows_grad(w, idx, data)
        runs = max(1, CHUNK_BYTES // (batch * self.dim * w.itemsize))
        if runs >= k:
            return self._rows_grad(w, idx, data)
        out = np.empty_like(w)
        for start in range(0, k, runs):
            chunk = slice(start, start + runs)
            out[chunk] = self._rows_grad(w[chunk], idx[chunk], data)
        return out

    def _rows_grad(self, w, idx, data):
        """``(2/B) sum_b s_b (s_b^2 - y_i) a_i`` per run from its gathered rows ``a_i``."""
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
    m=3000, d=100, seed=0, noise_std=4.0, signal_std=math.sqrt(0.5), start=None, kernels="numpy"
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
    kernels : {"numpy", "numba"}
        ``"numpy"`` (default): array code in every namespace.  ``"numba"``: fused
        kernels for NumPy float32 / float64 iterates (other namespaces keep the
        array code); needs the extra ``gsmooth[numba]``.

    Raises
    ------
    ValueError
        For an unknown ``kernels``.
    GSmoothError
        For ``kernels="numba"`` when numba cannot be imported, before any data are drawn.

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
    >>> gs.problems.phase_retrieval(m=50, d=5, kernels="c")
    Traceback (most recent call last):
    ...
    ValueError: kernels must be one of 'numpy', 'numba', got 'c'
    """
    return PhaseRetrieval(m, d, seed, noise_std, signal_std, start, kernels)


def _numba_kernels():
    """The fused kernels' module, imported (with numba) on first use.

    Raises
    ------
    GSmoothError
        When numba cannot be imported (missing, or broken by its NumPy).
    """
    try:
        from gsmooth.problems import _phase_retrieval_numba
    except ImportError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise GSmoothError(f"{NUMBA_EXTRA} (import failed: {reason})") from None
    return _phase_retrieval_numba
