r"""IAN-SGD as a ``torch.optim`` optimizer, with four sources of its independent normalizer.

IAN-SGD (Yang et al., TMLR 2025, eq. 17) scales an unbiased direction by a
number computed from a *second, independent* minibatch:

.. math::

    w_{t+1} = w_t - \gamma\, \frac{d_t}{h_t^\beta}, \qquad
    h_t = \max\{1,\ \Gamma (A\, n_t + \delta)\},

with :math:`d_t = \nabla f_{\xi_t}(w_t)` (plus weight decay, or its momentum
average, see :mod:`gsmooth.torch.base`) and :math:`n_t` the normalizer.  Its
source is chosen by how ``step`` is called:

=====================================================  ==================================================
call                                                   :math:`n_t` and its relation to the paper
=====================================================  ==================================================
``step(closure, closure_independent)``                 :math:`\|\nabla f_{\xi'_t}(w_t)\|`, an independent
                                                       batch at the current point: **exactly eq. 17**;
                                                       two forward/backward passes per step
``step(independent_norm=opt.independent_norm(loss2))`` the same number, from ``torch.autograd.grad``
                                                       on ``loss2`` (``.grad`` untouched): **exactly
                                                       eq. 17** in the plain ``backward(); step()`` loop
``step(independent_norm=x)``                           a norm the user computed; eq. 17 holds when
                                                       ``x`` is independent of :math:`\xi_t` given
                                                       :math:`w_t` and obeys the noise bound
``step()`` with ``reuse_norm=True``                    :math:`\|\tilde g_{t-1}\|`, the previous step's
                                                       main gradient: one pass per step, **stale by
                                                       one step** (below); the first step uses its own
                                                       batch (:math:`n_0 = \|\tilde g_0\|`)
=====================================================  ==================================================

**The stale normalizer.**  :math:`\xi_{t-1}` is independent of :math:`\xi_t`,
but its gradient is taken at :math:`w_{t-1}`.  Under generalized smoothness
:math:`\|\nabla F(w_t) - \nabla F(w_{t-1})\| \le (L_0 + L_1\|\nabla F\|^\alpha)
\gamma \|d_{t-1}\| / h_{t-1}^\beta`, so the staleness shrinks with the step,
but :math:`n_t` is no longer a function of :math:`w_t` and fresh samples, and
the theorem (which takes both at :math:`w_t`) does not apply as stated.

**Distributed** (``distributed=``, :mod:`gsmooth.torch.norms`).  Replicated
(DDP): the helper and the two-closure form average each rank's own
independent norm over the ranks with one scalar all-reduce; compute
``loss2`` on ``ddp_model.module`` (or run ``closure_independent`` inside
``ddp_model.no_sync()``) so that DDP does not all-reduce that gradient.  The
mean of the ranks' norms obeys the same almost-sure bound
:math:`|n - \|\nabla F\|| \le \tau_1\|\nabla F\| + \tau_2` as each of them.
The stale source reads the DDP-averaged gradient and needs no communication.
Sharded (FSDP): every norm is summed over the shards (one scalar all-reduce).

**Momentum and OneCycleLR.**  ``momentum = 0`` (the default) is the paper's
method; ``momentum > 0`` averages the direction, :math:`d_t = m_t`, with the
normalizer unchanged, an extension outside the theorem.  ``OneCycleLR`` and
``CyclicLR`` with ``cycle_momentum=True`` (their default) cycle this
:math:`\mu` inversely to the learning rate (0.95 to 0.85 for OneCycleLR), i.e.
they turn momentum on; pass ``cycle_momentum=False`` to keep eq. 17.
"""

from __future__ import annotations

from typing import ClassVar

import torch

from gsmooth._checks import check_nonnegative, check_positive
from gsmooth.optim import scalings
from gsmooth.torch.base import NormalizedOptimizer, beta_check, check_real, is_finite_number

__all__ = ["IANSGD"]

def found_of(grads: dict):
    """``param -> its gradient in grads`` (keyed by ``id``), ``None`` where absent."""
    return lambda p: grads.get(id(p))


_NO_NORMALIZER = (
    "IANSGD.step needs an independent normalizer: pass closure_independent, or "
    "independent_norm=opt.independent_norm(loss_on_an_independent_batch), or construct the "
    "optimizer with reuse_norm=True (the previous step's norm); got none of them"
)


class IANSGD(NormalizedOptimizer):
    r"""Independently-and-adaptively normalized SGD (Yang et al., TMLR 2025, eq. 17).

    See the module docstring for the update, the four sources of the
    normalizer and what each one means for the paper's guarantee.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (dicts may override any hyperparameter).
    lr : float or Tensor
        Step size :math:`\gamma > 0`.
    beta : float
        Normalization power in [0, 1].
    A, delta : float
        Non-negative weight of the independent norm and offset
        (theory: :math:`A = 1/(1 - \tau_1)`, :math:`\delta = \tau_2/(1 - \tau_1)`).
    Gamma : float
        Positive scale (theory: :math:`\Gamma = (4 L_1\gamma(2\tau_1^2 + 1))^{1/\beta}`).
    reuse_norm : bool
        Let ``step()`` without a normalizer use the previous step's main
        gradient norm (default); ``False`` makes such a call an error.
    momentum, weight_decay, decoupled_weight_decay, maximize, foreach, distributed, process_group
        As in :class:`~gsmooth.torch.NSGD`.

    Examples
    --------
    The paper's ResNet setting, :math:`g / \max(\|g'\| + 0.1, 5)^{2/3}` with a
    learning rate of 0.08 (``Gamma = 1/5``, ``delta = 0.1``), in the plain loop
    with the independent norm from the helper:

    >>> import torch
    >>> from gsmooth.torch import IANSGD
    >>> w = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
    >>> lr = 0.08 / 5 ** (2 / 3)
    >>> opt = IANSGD([w], lr=lr, beta=2 / 3, A=1.0, delta=0.1, Gamma=1 / 5)
    >>> (0.5 * (w ** 2).sum()).backward()                     # main batch
    >>> norm = opt.independent_norm(0.5 * (2 * w ** 2).sum())   # another batch: gradient 2 w
    >>> float(norm)
    10.0
    >>> opt.step(independent_norm=norm)
    >>> h = (10.0 + 0.1) / 5
    >>> torch.allclose(w, torch.tensor([3.0, 4.0]) * (1 - lr / h ** (2 / 3)))
    True
    """

    EXTRA_CHECKS: ClassVar[dict] = {
        "beta": beta_check,
        "A": lambda v: check_real(check_nonnegative, "A", v),
        "delta": lambda v: check_real(check_nonnegative, "delta", v),
        "Gamma": lambda v: check_real(check_positive, "Gamma", v),
    }

    def __init__(self, params, lr, beta: float = 2 / 3, A: float = 1.0, delta: float = 0.0,
                 Gamma: float = 1.0, *, reuse_norm: bool = True, momentum: float = 0.0,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False,
                 maximize: bool = False, foreach: bool | None = None,
                 distributed: str | None = None, process_group=None):
        if not isinstance(reuse_norm, bool):
            raise ValueError(f"reuse_norm must be True or False, got {reuse_norm!r}")
        defaults = {"lr": lr, "beta": beta, "A": A, "delta": delta, "Gamma": Gamma,
                    "momentum": momentum, "weight_decay": weight_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach}
        super().__init__(params, defaults, distributed, process_group)
        self.reuse_norm = reuse_norm
        #: Norm of the last step's main gradient, the normalizer of a plain ``step()``.
        self.held_norm: torch.Tensor | None = None

    def _norm_tensor(self, value) -> torch.Tensor:
        wide = any(p.dtype == torch.float64 for g in self.param_groups for p in g["params"])
        dtype = torch.float64 if wide else torch.float32
        return torch.as_tensor(value, dtype=dtype, device=self._device())

    def _check_call(self, closure, closure_independent, independent_norm) -> None:
        """Refuse an ambiguous or incomplete call before any work."""
        if closure_independent is not None and independent_norm is not None:
            raise ValueError("pass closure_independent or independent_norm, not both")
        if closure_independent is not None and closure is None:
            raise ValueError("closure_independent needs closure (the main batch's), got None")
        if closure_independent is None and independent_norm is None and not self.reuse_norm:
            raise ValueError(_NO_NORMALIZER)
        if independent_norm is None:
            return
        if isinstance(independent_norm, torch.Tensor) and independent_norm.numel() != 1:
            raise ValueError(f"independent_norm must be a number, got a tensor of shape "
                             f"{tuple(independent_norm.shape)}")
        value = float(independent_norm)
        if value < 0 or (not is_finite_number(value) and not self._under_scaler()):
            raise ValueError(f"independent_norm must be finite and >= 0, got {value:g}")

    @torch.no_grad()
    def step(self, closure=None, closure_independent=None, *, independent_norm=None):
        """One step; returns the main closure's loss (``None`` without closures).

        Parameters
        ----------
        closure : callable, optional
            Computes the loss of the main minibatch and calls ``backward()``;
            the optimizer zeroes the gradients before calling it.
        closure_independent : callable, optional
            The same on an independent minibatch (the exact two-closure form).
        independent_norm : float or Tensor, optional
            The normalizer :math:`n_t`, e.g. from :meth:`independent_norm`.
            Under ``GradScaler`` a non-finite value (an overflow in its
            scaled backward) skips the step.
        """
        self._check_call(closure, closure_independent, independent_norm)
        norm = None if independent_norm is None else self._norm_tensor(independent_norm)
        if closure_independent is not None:
            self._evaluate(closure_independent)
            norm = self.parallel.replica_mean(self._norm(self._gradients()))
        loss = self._evaluate(closure)
        skip, unscale = self._amp()
        if skip or (norm is not None and not is_finite_number(norm)):
            return loss
        gradients = self._gradients(unscale)
        main_norm = self._norm(gradients) if self.reuse_norm or norm is None else None
        if norm is None:
            norm = main_norm if self.held_norm is None else self.held_norm
        self._descend(self._with_momentum(gradients), lambda group: self._scale(group, norm))
        if self.reuse_norm:
            self.held_norm = main_norm
        return loss

    @staticmethod
    def _scale(group: dict, norm: torch.Tensor) -> torch.Tensor:
        return scalings.independent(norm, group["lr"], group["A"], group["delta"], group["Gamma"],
                                    group["beta"])

    def independent_norm(self, loss, scaler=None) -> torch.Tensor:
        r"""Global norm :math:`\|\tilde g'\|` of the gradient of ``loss`` (an independent batch's).

        Computed with ``torch.autograd.grad``, so ``.grad`` is not touched and
        the usual ``loss.backward(); opt.step(independent_norm=...)`` follows.
        Weight decay and ``maximize`` enter as in the step.

        Parameters
        ----------
        loss : Tensor or sequence of Tensor
            The scalar loss on an independent minibatch, evaluated at the
            current parameters.  Several losses (micro-batches) give the mean
            of their norms, which is what several DDP ranks compute.
        scaler : torch.amp.GradScaler, optional
            Differentiate ``scaler.scale(loss)`` and divide the norm by the
            scale (float16 training); an overflow returns ``inf``.

        Returns
        -------
        Tensor
            A 0-dim float32 (float64 for float64 parameters) tensor, the same
            on every rank under ``distributed="replicated"`` or ``"sharded"``.
        """
        losses = [loss] if isinstance(loss, torch.Tensor) else list(loss)
        if not losses or any(value.numel() != 1 for value in losses):
            raise ValueError("loss must be a scalar tensor or a non-empty sequence of them")
        params = [p for g in self.param_groups for p in g["params"] if p.requires_grad]
        norms = []
        for value in losses:
            unscale = 1.0
            if scaler is not None and scaler.is_enabled():
                value, unscale = scaler.scale(value), 1.0 / float(scaler.get_scale())
            with torch.enable_grad():
                grads = torch.autograd.grad(value, params, allow_unused=True)
            found = {id(p): g for p, g in zip(params, grads)}
            with torch.no_grad():
                norms.append(self._norm(self._gradients(unscale, found_of(found))))
        return self.parallel.replica_mean(torch.stack(norms).mean())

    def state_dict(self) -> dict:
        """``torch.optim``'s state dict plus ``reuse_norm`` and the held norm."""
        out = super().state_dict()
        out["independent_normalizer"] = {"reuse_norm": self.reuse_norm,
                                         "held_norm": self.held_norm}
        return out

    def load_state_dict(self, state_dict: dict) -> None:
        """Inverse of :meth:`state_dict` (the held norm moves to the parameters' device)."""
        if "independent_normalizer" not in state_dict:
            raise ValueError("state_dict has no 'independent_normalizer' entry: it was not "
                             "written by IANSGD.state_dict")
        extra = state_dict["independent_normalizer"]
        super().load_state_dict(state_dict)
        self.reuse_norm = bool(extra["reuse_norm"])
        held = extra["held_norm"]
        self.held_norm = None if held is None else held.to(self._device())
