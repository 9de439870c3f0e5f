r"""Fused numba kernels for phase retrieval's elementwise work (optional extra ``gsmooth[numba]``).

:class:`gsmooth.problems.PhaseRetrieval` with ``kernels="numba"`` calls these
on NumPy float32 / float64 iterates; the products ``s = W A^T`` and
``(s * residual) @ A`` of the full objective and gradient stay NumPy / BLAS.
What each kernel saves against the array code:

* :func:`objective_and_weights`: one pass over ``s`` (k, m) computes the
  residuals ``r = s^2 - y``, the objective ``(1/2m) sum r^2`` per run and
  overwrites ``s`` with the gradient's weights ``s * r``, where the array code
  makes four passes (square, subtract, dot, multiply) and a second (k, m) array;
* :func:`objective`: the objective alone, one pass that only reads ``s``;
* :func:`minibatch_grad`: ``(1/B) sum_b grad f_{idx[r, b]}(w_r)`` row by row,
  each gathered row ``a_i`` used for its dot product and its share of the
  gradient while it is in cache, where the array code copies the (k, B, d)
  rows and runs two batched matrix-vector products.

Rounding: the elementwise operations (``s * s - y``, ``s * r``,
``s (s^2 - y) (2/B)``) are the same IEEE operations as the array code's, in
the same order and without fused multiply-adds, so the weights, and hence the
full gradient computed from them by the same BLAS product, are the same bits.
Only the sums differ: the sum of squares and the dot products ``a_i^T w`` are
compiled with numba's ``fastmath={"reassoc"}`` so that LLVM may split them into
vector lanes (without it each is one sequential chain and the kernels run
about half as fast), which reorders their additions.  A sum of ``n`` terms
then differs from NumPy's by rounding, at most about ``n`` units in the last
place of the sum of the terms' absolute values (for the objective, a sum of
squares, that is relative to the value itself); the order depends on the
CPU's vector width, so results can differ in their last bits between
machines, though not between calls on one machine.  No other fast-math flag
is set: no fused multiply-adds, and NaN and infinities propagate as in NumPy.

This module imports numba; ``import gsmooth`` does not load it, only a
problem built with ``kernels="numba"``.  The kernels compile on their first
call for each dtype (under a second for all three) and are cached on disk
(numba's ``cache=True``: next to this file, or in numba's user cache
directory where that is read-only).  They run on one thread and release the
GIL, so a record evaluated in a helper thread (the engine's ``overlap``) runs
beside the step.  Sample indices outside ``[0, m)`` raise ``IndexError``.

Examples
--------
>>> import numpy as np
>>> a, y = np.array([[1.0, 2.0], [3.0, 0.0]]), np.array([1.0, 4.0])
>>> w = np.array([[1.0, 1.0]])
>>> s = w @ a.T                                   # s = [3, 3], r = s^2 - y = [8, 5]
>>> objective(s, y).tolist()                      # (64 + 25) / 4
[22.25]
>>> objective_and_weights(s, y).tolist(), s.tolist()
([22.25], [[24.0, 15.0]])
>>> minibatch_grad(a, y, w, np.array([[0, 0]])).tolist()   # 2 s r a_0 with s = 3, r = 8
[[48.0, 96.0]]
"""

from __future__ import annotations

import numba
import numpy as np

SUM_FLAGS = {"reassoc"}
"""numba's fast-math flags for the sums: reordering of additions only (module docstring)."""


def objective(s, y):
    """``(1/2m) sum_i (s_ri^2 - y_i)^2`` for every run ``r``, from ``s = W A^T`` (k, m); ``s`` is unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> objective(np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([1.0, 2.0])).tolist()
    [1.0, 1.25]
    """
    return _scaled(s, _sum_squares(s, y, _zero(s), False))


def objective_and_weights(s, y):
    """:func:`objective` and, in the same pass, ``s <- s * (s^2 - y)`` (the gradient's weights).

    Then ``s @ A * (2 / m)`` is the full gradient of every run.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[1.0, 2.0]])
    >>> objective_and_weights(s, np.array([1.0, 2.0])).tolist(), s.tolist()
    ([1.0], [[0.0, 4.0]])
    """
    return _scaled(s, _sum_squares(s, y, _zero(s), True))


def minibatch_grad(a, y, w, idx):
    """``(2/B) sum_b s_b (s_b^2 - y_i) a_i`` with ``i = idx[r, b]``, ``s_b = a_i^T w_r``, for every run.

    Parameters
    ----------
    a : ndarray, shape (m, d)
        The measurement vectors, in ``w``'s dtype.
    y : ndarray, shape (m,)
        The measurements, in ``w``'s dtype.
    w : ndarray, shape (k, d)
        One iterate per run.
    idx : ndarray of int, shape (k, B)
        Each run's sample indices, in ``[0, m)`` (repeats allowed).  ``w`` and
        ``idx`` are copied to C order and ``idx`` to ``intp`` where they are not
        (small arrays), so that each dtype compiles one kernel.

    Returns
    -------
    ndarray, shape (k, d)
        The minibatch gradients, a new array.

    Examples
    --------
    >>> import numpy as np
    >>> a, y = np.eye(2), np.zeros(2)
    >>> minibatch_grad(a, y, np.array([[1.0, 2.0]]), np.array([[0, 1]])).tolist()
    [[1.0, 8.0]]
    """
    w, idx = np.ascontiguousarray(w), np.ascontiguousarray(idx, dtype=np.intp)
    out = np.empty(w.shape, dtype=w.dtype)
    _minibatch_grad(a, y, w, idx, w.dtype.type(2.0 / idx.shape[1]), _zero(w), out)
    return out


def _zero(x):
    """A zero of ``x``'s dtype, so the kernels' sums start typed (and stay in float32 for float32)."""
    return x.dtype.type(0)


def _scaled(s, sums):
    """``sums / (2m)`` in ``s``'s dtype, as the array code scales its dot products."""
    sums *= 0.5 / s.shape[1]
    return sums


@numba.njit(nogil=True, cache=True, fastmath=SUM_FLAGS)
def _sum_squares(s, y, zero, weights):
    """``sum_i (s_ri^2 - y_i)^2`` per run; with ``weights`` also ``s <- s (s^2 - y)``."""
    k, m = s.shape
    sums = np.empty(k, dtype=s.dtype)
    for r in range(k):
        total = zero
        for i in range(m):
            value = s[r, i]
            residual = value * value - y[i]
            total += residual * residual
            if weights:
                s[r, i] = value * residual
        sums[r] = total
    return sums


@numba.njit(nogil=True, cache=True, fastmath=SUM_FLAGS)
def _dot(x, z, zero):
    total = zero
    for j in range(x.shape[0]):
        total += x[j] * z[j]
    return total


@numba.njit(nogil=True, cache=True)
def _minibatch_grad(a, y, w, idx, scale, zero, out):
    k, batch = idx.shape
    m, d = a.shape
    for r in range(k):
        out[r, :] = zero
        for b in range(batch):
            i = idx[r, b]
            if i < 0 or i >= m:
                raise IndexError("sample index out of range [0, m)")
            s = _dot(a[i], w[r], zero)
            coef = s * (s * s - y[i]) * scale
            for j in range(d):
                out[r, j] += coef * a[i, j]
