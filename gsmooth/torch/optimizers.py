r"""Normalized and clipped gradient methods as ``torch.optim.Optimizer`` classes.

The same update rules as :mod:`gsmooth.optim.methods`, on the parameters of a
PyTorch model.  Every norm is the *global* Euclidean norm over all parameters
of all parameter groups, :math:`\|g\| = (\sum_p \|g_p\|^2)^{1/2}`, as in the
paper where the model is one vector :math:`w`; hyperparameters may differ per
parameter group (each group scales its parameters with its own ``lr``,
``beta``, ...), the norm does not.

=================  =========================================================================
class              update (``g`` the minibatch gradient of the current step)
=================  =========================================================================
``IANSGD``         :math:`w - \gamma g / \max\{1, \Gamma(A\|g'\| + \delta)\}^\beta`, ``g'`` independent
``NSGD``           :math:`w - \gamma g / \|g\|^\beta`
``NSGDMomentum``   :math:`m \leftarrow \mu m + (1 - \mu) g`, :math:`w - \gamma m / \|m\|^\beta`
``ClippedSGD``     :math:`w - \gamma \min\{1, c / (\|g\| + o)\}^\beta g`
=================  =========================================================================

A zero gradient (or momentum) leaves the parameters where they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from gsmooth._checks import check_interval, check_nonnegative, check_positive

__all__ = ["IANSGD", "NSGD", "ClippedSGD", "NSGDMomentum", "global_norm"]

Closure = Callable[[], torch.Tensor]


def global_norm(tensors: Iterable[torch.Tensor]) -> torch.Tensor:
    r"""Euclidean norm of the concatenation of ``tensors``, :math:`(\sum_i \|t_i\|^2)^{1/2}`.

    Examples
    --------
    >>> import torch
    >>> float(global_norm([torch.tensor([3.0]), torch.tensor([[4.0]])]))
    5.0
    """
    norms = [torch.linalg.vector_norm(t) for t in tensors]
    if not norms:
        return torch.tensor(0.0)
    return torch.linalg.vector_norm(torch.stack(norms))


def _scalar(check, name, value, *args, **kwargs):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    return check(name, value, *args, **kwargs)


def _beta(beta):
    return _scalar(check_interval, "beta", beta, 0.0, 1.0)


def _call(closure: Closure | None) -> torch.Tensor | None:
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


def _power_scale(norm: torch.Tensor, beta: float) -> torch.Tensor:
    """``1 / norm^beta``, and 0 where ``norm`` is 0 (a zero direction stays zero)."""
    return torch.where(norm > 0, norm.clamp_min(torch.finfo(norm.dtype).tiny) ** -beta, 0.0)


class _GlobalNormOptimizer(torch.optim.Optimizer):
    """Shared pieces: the parameters with gradients and their global norm."""

    def _with_grad(self, group=None):
        groups = self.param_groups if group is None else [group]
        return [p for g in groups for p in g["params"] if p.grad is not None]

    def _grad_norm(self) -> torch.Tensor:
        return global_norm(p.grad for p in self._with_grad())

    def _scaled_descent(self, scale_of: Callable[[dict], torch.Tensor]) -> None:
        """``p <- p - scale_of(group) * p.grad`` for every parameter of every group."""
        for group in self.param_groups:
            scale = scale_of(group)
            for p in self._with_grad(group):
                p.sub_(scale.to(p.dtype) * p.grad)


class IANSGD(_GlobalNormOptimizer):
    r"""Independently-and-adaptively normalized SGD (Yang et al., TMLR 2025, eq. 17).

    .. math::

        w_{t+1} = w_t - \gamma\, \frac{\nabla f_{\xi}(w_t)}{h_t^\beta}, \qquad
        h_t = \max\{1,\ \Gamma (A \|\nabla f_{\xi'}(w_t)\| + \delta)\},

    with the minibatches :math:`\xi` and :math:`\xi'` drawn independently, so
    the normalizer is independent of the direction given :math:`w_t` and the
    step is an unbiased direction scaled by a number (the point of the method;
    AN-SGD normalizes by the same batch and is biased).

    ``step(closure, closure_independent)`` calls ``closure_independent`` first
    and reads the global gradient norm it leaves, then ``closure`` for the
    direction.  Each closure zeroes the gradients, evaluates the loss on its
    own minibatch and calls ``backward()``; :class:`IndependentBatches` draws
    the two index sets.  **Cost: two forward and backward passes per step**
    (the second on a batch of size ``B'``, which may be much smaller than ``B``;
    the paper uses ``B' = 4`` against ``B = 64``), and both batches count as
    samples.

    With ``reuse_norm=True`` the normalizer of step ``t`` is the norm of the
    main gradient of step ``t - 1``,
    :math:`h_t = \max\{1, \Gamma(A\|\nabla f_{\xi_{t-1}}(w_{t-1})\| + \delta)\}`,
    held from the previous step: **one backward pass per step**.
    :math:`\xi_{t-1}` is still independent of :math:`\xi_t`, but the norm is
    taken one step back, at :math:`w_{t-1}`; under generalized smoothness the
    two differ by at most :math:`(L_0 + L_1\|\nabla F\|^\alpha)\|w_t - w_{t-1}\|
    \le (L_0 + L_1\|\nabla F\|^\alpha)\gamma\|g_{t-1}\|/h_{t-1}^\beta`
    plus the sampling noise, so the staleness is small for small steps, but
    the theorem's guarantee (which evaluates both at :math:`w_t`) no longer
    applies as stated.  The first step has no held norm, so there
    ``closure_independent`` is called; afterwards it is not called and may be
    passed or omitted.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups (dicts that may override any of the
        hyperparameters below).
    lr : float
        Step size :math:`\gamma > 0`.
    beta : float
        Normalization power in [0, 1].
    A, delta : float
        Non-negative weight of the independent norm and offset
        (theory: :math:`A = 1/(1 - \tau_1)`, :math:`\delta = \tau_2/(1 - \tau_1)`).
    Gamma : float
        Positive scale (theory: :math:`\Gamma = (4 L_1\gamma(2\tau_1^2 + 1))^{1/\beta}`).
    reuse_norm : bool
        Hold the main-gradient norm for the next step instead of a second backward pass.

    Examples
    --------
    The paper's ResNet setting, :math:`g / \max(\|g'\| + 0.1, 5)^{2/3}`
    with a learning rate of 0.08 (``Gamma = 1/5``, ``delta = 0.1``):

    >>> import torch
    >>> from gsmooth.torch import IANSGD
    >>> w = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
    >>> lr = 0.08 / 5 ** (2 / 3)
    >>> opt = IANSGD([w], lr=lr, beta=2 / 3, A=1.0, delta=0.1, Gamma=1 / 5)
    >>> def loss():
    ...     opt.zero_grad()
    ...     value = 0.5 * (w ** 2).sum()
    ...     value.backward()
    ...     return value
    >>> opt.step(loss, loss).item()
    12.5
    >>> h = (5.0 + 0.1) / 5
    >>> torch.allclose(w, torch.tensor([3.0, 4.0]) * (1 - lr / h ** (2 / 3)))
    True
    """

    def __init__(self, params, lr: float, beta: float = 2 / 3, A: float = 1.0,
                 delta: float = 0.0, Gamma: float = 1.0, reuse_norm: bool = False):
        if not isinstance(reuse_norm, bool):
            raise ValueError(f"reuse_norm must be True or False, got {reuse_norm!r}")
        defaults = {
            "lr": _scalar(check_positive, "lr", lr),
            "beta": _beta(beta),
            "A": _scalar(check_nonnegative, "A", A),
            "delta": _scalar(check_nonnegative, "delta", delta),
            "Gamma": _scalar(check_positive, "Gamma", Gamma),
        }
        super().__init__(params, defaults)
        self.reuse_norm = reuse_norm

    def _held(self) -> dict:
        """State of the first parameter, which holds the norm kept by ``reuse_norm``."""
        return self.state[self.param_groups[0]["params"][0]]

    def _independent_norm(self, closure_independent: Closure | None) -> torch.Tensor:
        held = self._held().get("held_norm") if self.reuse_norm else None
        if held is not None:
            return held
        if closure_independent is None:
            when = "at the first step with reuse_norm=True" if self.reuse_norm else "every step"
            raise ValueError(f"closure_independent is required {when}, got None")
        _call(closure_independent)
        return self._grad_norm()

    @torch.no_grad()
    def step(self, closure: Closure, closure_independent: Closure | None = None):
        """One step; returns the loss ``closure`` returned (the main batch's).

        Parameters
        ----------
        closure : callable
            Zeroes the gradients, computes the loss on the main minibatch,
            calls ``backward()`` and returns the loss.
        closure_independent : callable, optional
            The same on an independent minibatch; required unless a norm is
            held (``reuse_norm=True`` after the first step).
        """
        norm = self._independent_norm(closure_independent)
        loss = _call(closure)
        if self.reuse_norm:
            self._held()["held_norm"] = self._grad_norm()

        def scale(group):
            h = torch.clamp(group["Gamma"] * (group["A"] * norm + group["delta"]), min=1.0)
            return group["lr"] / h ** group["beta"]

        self._scaled_descent(scale)
        return loss


class NSGD(_GlobalNormOptimizer):
    r"""Normalized SGD (Hazan, Levy, Shalev-Shwartz 2015): :math:`w - \gamma g / \|g\|^\beta`.

    ``beta = 1`` is the classical method; ``beta < 1`` is AN-SGD (same-batch
    normalization).  Used like ``torch.optim.SGD`` (``backward()``, then
    ``step()``), one backward pass per step.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups.
    lr : float
        Step size :math:`\gamma > 0`.
    beta : float
        Normalization power in [0, 1].

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

    def __init__(self, params, lr: float, beta: float = 1.0):
        super().__init__(params, {"lr": _scalar(check_positive, "lr", lr), "beta": _beta(beta)})

    @torch.no_grad()
    def step(self, closure: Closure | None = None):
        """One step; ``closure`` (optional) re-evaluates the loss and its gradient."""
        loss = _call(closure)
        norm = self._grad_norm()
        self._scaled_descent(lambda group: group["lr"] * _power_scale(norm, group["beta"]))
        return loss


class NSGDMomentum(_GlobalNormOptimizer):
    r"""Normalized SGD with momentum (Cutkosky and Mehta, ICML 2020).

    .. math::

        m_{t+1} = \mu m_t + (1 - \mu) g_t, \qquad
        w_{t+1} = w_t - \gamma\, m_{t+1} / \|m_{t+1}\|^\beta, \qquad m_0 = 0,

    normalized by the global norm of the momentum (not of the gradient).  The
    momentum buffers live in the optimizer state and round-trip through
    ``state_dict``.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups.
    lr : float
        Step size :math:`\gamma > 0`.
    momentum : float
        :math:`\mu \in [0, 1)`; the paper's phase-retrieval setting uses 0.2.
    beta : float
        Normalization power in [0, 1].
    """

    def __init__(self, params, lr: float, momentum: float, beta: float = 1.0):
        defaults = {
            "lr": _scalar(check_positive, "lr", lr),
            "momentum": _scalar(check_interval, "momentum", momentum, 0.0, 1.0, high_open=True),
            "beta": _beta(beta),
        }
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Closure | None = None):
        """One step; ``closure`` (optional) re-evaluates the loss and its gradient."""
        loss = _call(closure)
        for group in self.param_groups:
            mu = group["momentum"]
            for p in self._with_grad(group):
                buffer = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buffer.mul_(mu).add_(p.grad, alpha=1 - mu)
        buffers = [self.state[p]["momentum_buffer"] for p in self._with_grad()]
        norm = global_norm(buffers)
        for group in self.param_groups:
            scale = group["lr"] * _power_scale(norm, group["beta"])
            for p in self._with_grad(group):
                p.sub_(scale.to(p.dtype) * self.state[p]["momentum_buffer"])
        return loss


class ClippedSGD(_GlobalNormOptimizer):
    r"""Clipped SGD in the paper's form (Zhang et al. 2020; Koloskova et al. 2023).

    .. math::

        w_{t+1} = w_t - \gamma \min\{1,\ c / (\|g\| + o)\}^\beta g.

    ``beta = 1, offset = 0`` is global-norm clipping, the same step as
    ``torch.nn.utils.clip_grad_norm_(params, c)`` followed by SGD with ``lr``;
    the paper's baseline :math:`g / \max(\|g\| + o, c')^{\beta}` is
    ``lr = gamma / c'**beta``, ``clip = c'``.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups.
    lr : float
        Step size for small gradients, :math:`\gamma > 0`.
    clip : float
        Threshold :math:`c > 0`.
    beta : float
        Power of the clipping factor, in [0, 1].
    offset : float
        Non-negative offset :math:`o` added to the norm.
    """

    def __init__(self, params, lr: float, clip: float, beta: float = 1.0, offset: float = 0.0):
        defaults = {
            "lr": _scalar(check_positive, "lr", lr),
            "clip": _scalar(check_positive, "clip", clip),
            "beta": _beta(beta),
            "offset": _scalar(check_nonnegative, "offset", offset),
        }
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Closure | None = None):
        """One step; ``closure`` (optional) re-evaluates the loss and its gradient."""
        loss = _call(closure)
        norm = self._grad_norm()

        def scale(group):
            ratio = group["clip"] / (norm + group["offset"])
            return group["lr"] * torch.clamp(ratio, max=1.0) ** group["beta"]

        self._scaled_descent(scale)
        return loss
