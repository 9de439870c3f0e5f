r"""The paper's baselines as ``torch.optim`` optimizers: normalized and clipped SGD.

The same update rules as :func:`gsmooth.optim.nsgd`, :func:`gsmooth.optim.nsgd_momentum`
and :func:`gsmooth.optim.clipped_sgd`, on the parameters of a PyTorch model,
used like ``torch.optim.SGD`` (``loss.backward()``, then ``step()``), one
backward pass per step.  With ``d`` the direction (the gradient, or its
momentum average; see :mod:`gsmooth.torch.base` for weight decay, ``maximize``
and mixed precision):

=================  ===========================================================
class              update
=================  ===========================================================
``NSGD``           :math:`w - \gamma\, d / \|d\|^\beta`
``NSGDMomentum``   the same with :math:`d = m`, :math:`m \leftarrow \mu m + (1 - \mu) g`
``ClippedSGD``     :math:`w - \gamma \min\{1,\ c / (\|d\| + o)\}^\beta d`
=================  ===========================================================

Norms are global over every parameter of every group; a zero direction
leaves the parameters where they are.  The step sizes are those of
:mod:`gsmooth.optim.scalings`, shared with the NumPy optimizers.  :class:`~gsmooth.torch.IANSGD` is in
:mod:`gsmooth.torch.ian_sgd`.
"""

from __future__ import annotations

from typing import ClassVar

import torch

from gsmooth._checks import check_nonnegative, check_positive
from gsmooth.optim import scalings
from gsmooth.torch.base import NormalizedOptimizer, beta_check, check_real

__all__ = ["NSGD", "ClippedSGD", "NSGDMomentum"]


def _common(lr, momentum, weight_decay, decoupled_weight_decay, maximize, foreach) -> dict:
    return {"lr": lr, "momentum": momentum, "weight_decay": weight_decay,
            "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
            "foreach": foreach}


class _SelfNormalized(NormalizedOptimizer):
    """A method whose scale is a function of the norm of its own direction.

    Each subclass defines ``_scale(group, norm) -> step size`` from :mod:`gsmooth.optim.scalings`.
    """

    @torch.no_grad()
    def step(self, closure=None):
        """One step from the gradients in ``.grad``; ``closure`` (optional) recomputes them.

        Returns the closure's loss (``None`` without a closure).
        """
        loss = self._evaluate(closure)
        skip, unscale = self._amp()
        if skip:
            return loss
        directions = self._with_momentum(self._gradients(unscale))
        norm = self._norm(directions)
        self._descend(directions, lambda group: self._scale(group, norm))
        return loss


class NSGD(_SelfNormalized):
    r"""Normalized SGD (Hazan, Levy, Shalev-Shwartz 2015): :math:`w - \gamma d / \|d\|^\beta`.

    ``beta = 1`` is the classical method; ``beta < 1`` is AN-SGD (Yang et al.,
    TMLR 2025, eq. 14: the same minibatch gives the direction and the
    normalizer, which biases the step).  With ``momentum > 0`` the direction
    is the momentum average and the method is :class:`NSGDMomentum`.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (dicts that may override any
        hyperparameter below).
    lr : float or Tensor
        Step size :math:`\gamma > 0` (a one-element tensor is allowed, as in ``torch.optim``).
    beta : float
        Normalization power in [0, 1].
    momentum : float
        :math:`\mu \in [0, 1)`, 0 for no momentum.
    weight_decay : float
        :math:`\lambda \ge 0`, coupled (added to the gradient) unless
        ``decoupled_weight_decay``.
    decoupled_weight_decay, maximize : bool
    foreach : bool, optional
        Use the ``torch._foreach_*`` kernels (default: when every parameter
        is on an accelerator, as ``torch.optim`` chooses).
    distributed : {"local", "replicated", "sharded"}, optional
        Where the parameters live (:mod:`gsmooth.torch.norms`).
    process_group : ProcessGroup, optional

    Examples
    --------
    >>> import torch
    >>> from gsmooth.torch import NSGD
    >>> w = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
    >>> opt = NSGD([w], lr=0.5)
    >>> (0.5 * (w ** 2).sum()).backward()
    >>> opt.step()
    >>> w.detach().tolist()
    [2.700000047683716, 3.5999999046325684]
    """

    EXTRA_CHECKS: ClassVar[dict] = {"beta": beta_check}

    def __init__(self, params, lr, beta: float = 1.0, *, momentum: float = 0.0,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False,
                 maximize: bool = False, foreach: bool | None = None,
                 distributed: str | None = None, process_group=None):
        defaults = {**_common(lr, momentum, weight_decay, decoupled_weight_decay, maximize,
                              foreach), "beta": beta}
        super().__init__(params, defaults, distributed, process_group)

    def _scale(self, group, norm):
        return scalings.power(norm, group["lr"], group["beta"])


class NSGDMomentum(NSGD):
    r"""Normalized SGD with momentum (Cutkosky and Mehta, ICML 2020).

    .. math::

        m_{t+1} = \mu m_t + (1 - \mu) g_t, \qquad
        w_{t+1} = w_t - \gamma\, m_{t+1} / \|m_{t+1}\|^\beta, \qquad m_0 = 0,

    normalized by the global norm of the momentum (not of the gradient); the
    paper's phase-retrieval setting uses :math:`\mu = 0.2`.  The buffers live
    in the optimizer state and round-trip through ``state_dict``.  The other
    parameters are those of :class:`NSGD`.
    """

    def __init__(self, params, lr, momentum: float, beta: float = 1.0, **options):
        super().__init__(params, lr, beta, momentum=momentum, **options)


class ClippedSGD(_SelfNormalized):
    r"""Clipped SGD in the paper's form (Zhang et al. 2020; Koloskova et al. 2023).

    .. math::

        w_{t+1} = w_t - \gamma \min\{1,\ c / (\|d\| + o)\}^\beta d .

    ``beta = 1, offset = 0`` (and no momentum) is global-norm clipping, the
    step of ``torch.nn.utils.clip_grad_norm_(params, c)`` followed by
    ``torch.optim.SGD`` with ``lr`` (which divides by ``||g|| + 1e-6``); the
    paper's baseline :math:`g / \max(\|g\| + o, c')^{\beta}` is
    ``lr = gamma / c'**beta``, ``clip = c'``.  With ``momentum > 0`` the
    clipped direction is the momentum average :math:`m` (torch's
    ``clip_grad_norm_`` followed by ``SGD(momentum=...)`` clips :math:`g`
    before averaging instead).

    Parameters
    ----------
    params, lr
        As in :class:`NSGD`.
    clip : float
        Threshold :math:`c > 0`.
    beta : float
        Power of the clipping factor, in [0, 1].
    offset : float
        Non-negative offset :math:`o` added to the norm.
    momentum, weight_decay, decoupled_weight_decay, maximize, foreach, distributed, process_group
        As in :class:`NSGD`.
    """

    EXTRA_CHECKS: ClassVar[dict] = {
        "clip": lambda v: check_real(check_positive, "clip", v),
        "beta": beta_check,
        "offset": lambda v: check_real(check_nonnegative, "offset", v),
    }

    def __init__(self, params, lr, clip: float, beta: float = 1.0, offset: float = 0.0, *,
                 momentum: float = 0.0, weight_decay: float = 0.0,
                 decoupled_weight_decay: bool = False, maximize: bool = False,
                 foreach: bool | None = None, distributed: str | None = None,
                 process_group=None):
        defaults = {**_common(lr, momentum, weight_decay, decoupled_weight_decay, maximize,
                              foreach), "clip": clip, "beta": beta, "offset": offset}
        super().__init__(params, defaults, distributed, process_group)

    def _scale(self, group, norm):
        return scalings.clip(norm, group["lr"], group["clip"], group["offset"], group["beta"])
