r"""Step sizes of the normalized and clipped methods, as functions of a norm.

Every method of gsmooth steps along a direction ``v`` (a gradient, a momentum
or a SPIDER estimator), ``w_{t+1} = w_t - c v``, with a step size ``c`` that
depends on a norm only:

=============================  ==============================================================
step size                      value
=============================  ==============================================================
:func:`power`                  :math:`\gamma / \max\{\|v\|, \epsilon\}^{\beta}` (:math:`\epsilon = 2^{-537}`)
:func:`clip`                   :math:`\gamma \min\{1, c / (\|v\| + o)\}^\beta`
:func:`independent`            :math:`\gamma / h^{\beta}`, :math:`h = \max\{1, \Gamma(A \|g'\| + \delta)\}`
=============================  ==============================================================

The arguments are arrays of any array-API namespace (a (k, 1) column of per-run
norms in the run engine, a 0-d tensor of a global norm in :mod:`gsmooth.torch`,
which is why these live apart from the rules), with hyperparameters broadcasting
against them; the namespace is taken from the norm.  The learning rate
:math:`\gamma` enters here, on the norms, and not on the (k, d) direction: the
step then costs one product and one difference over the iterates, and a
quotient :math:`\gamma / h^\beta` is one rounding where :math:`\gamma (1/h^\beta)` is two.

Examples
--------
>>> import numpy as np
>>> norm = np.array([[0.0], [1.0], [4.0]])
>>> power(norm[1:], 1.0, 0.5).ravel().tolist()
[1.0, 0.5]
>>> clip(norm[1:], 1.0, 2.0, 0.0, 1.0).ravel().tolist()
[1.0, 0.5]
>>> independent(norm, 1.0, 1.0, 0.0, 0.5, 1.0).ravel().tolist()
[1.0, 1.0, 0.5]
"""

from __future__ import annotations

from gsmooth._backend import namespace, norm_floor


def power(norm, lr, beta, floor=None):
    r""":math:`\gamma / \|v\|^{\beta}`, with the norm floored at :math:`\epsilon`, the smallest nonzero
    norm of the dtype (:func:`gsmooth._backend.norm_floor`, :math:`2^{-537}` in float64).

    The floor changes no nonzero norm computed as :math:`\sqrt{v \cdot v}`.  It
    acts where that norm is 0: for :math:`v = 0` the step, :math:`v` times the
    step size, is exactly 0; for a :math:`v \ne 0` whose sum of squares
    underflowed, whose true norm is below :math:`\epsilon`, the step is finite
    and at most the exact :math:`\gamma v / \|v\|^\beta`.  One ``maximum`` costs
    a third of a ``where`` on the small arrays of a step.

    Parameters
    ----------
    norm : array
        Non-negative norms.
    lr : float or array
        Learning rate :math:`\gamma > 0`.
    beta : float or array
        Normalization power in [0, 1].
    floor : array, optional
        :math:`\epsilon` as a 0-d array of ``norm``'s namespace, dtype and device,
        for a caller that made it once (the run engine's ``hp.norm_floor``: a
        ``maximum`` with an array costs NumPy a third less than with a Python
        float); default from ``norm``'s dtype.

    Examples
    --------
    >>> import numpy as np
    >>> v = np.array([[0.0, 0.0], [3.0, 4.0]])
    >>> (power(np.array([[0.0], [5.0]]), 1.0, 1.0) * v).tolist()
    [[0.0, 0.0], [0.6000000000000001, 0.8]]
    """
    xp = namespace(norm)
    return lr / xp.maximum(norm, norm_floor(norm) if floor is None else floor) ** beta


def clip(norm, lr, threshold, offset, beta):
    r""":math:`\gamma \min\{1, c / (\|v\| + o)\}^\beta`: :math:`\gamma` for small norms,
    :math:`\gamma (c/\|v\|)^\beta` for large ones.

    With ``beta = 1`` and ``offset = 0`` this is global-norm clipping (Zhang, He,
    Sra, Jadbabaie, ICLR 2020): the step :math:`\gamma \min\{1, c/\|v\|\} v` has
    norm at most :math:`\gamma c`.
    """
    xp = namespace(norm)
    return lr * xp.minimum(threshold / (norm + offset), 1.0) ** beta


def independent(norm, lr, A, delta, Gamma, beta):
    r"""IAN-SGD's :math:`\gamma / h^{\beta}`, :math:`h = \max\{1, \Gamma (A \|g'\| + \delta)\}` (Yang et al., TMLR 2025, eq. 17).

    ``norm`` is :math:`\|g'\|`, the gradient norm of a minibatch drawn
    independently of the direction's, so the step size is independent of the
    direction given the iterate.
    """
    xp = namespace(norm)
    return lr / xp.maximum(Gamma * (A * norm + delta), 1.0) ** beta
