r"""The step every optimizer of :mod:`gsmooth.torch` shares: a direction times a scale.

One step of every method is

.. math::

    w \leftarrow w\,(1 - \gamma \lambda_{\mathrm{dec}}) - s_t\, d_t, \qquad
    \tilde g = \pm\nabla f_\xi(w) + \lambda w, \qquad
    d_t = \tilde g \ \text{or}\ m_t = \mu m_{t-1} + (1 - \mu)\tilde g,

with the sign ``-`` under ``maximize``, :math:`\lambda` the coupled weight
decay (``weight_decay`` with ``decoupled_weight_decay=False``, as in
``torch.optim.SGD``; it is part of the gradient, so of its norm),
:math:`\lambda_{\mathrm{dec}}` the decoupled one (``decoupled_weight_decay=True``,
as in ``torch.optim.AdamW``; outside every norm), :math:`\mu` the momentum
(an exponential average, :math:`m_0 = 0`, as in Cutkosky and Mehta 2020) and
:math:`s_t` a number each method computes from a global norm (the scale).
Hyperparameters may differ per parameter group; the norms are global.

**Mixed precision.**  The optimizers follow ``torch.optim``'s protocol for
optimizers that handle scaling themselves (``_step_supports_amp_scaling``):
under ``torch.amp.GradScaler.step`` the step is skipped when the scaler found
an ``inf``/``NaN`` gradient, and otherwise the gradients are divided by the
scale *before* any norm is taken (the division is folded into the norm and
the step, so float16 gradients are never unscaled in float16, and their
``.grad`` stays scaled, as with torch's fused optimizers).  Norms accumulate
in float32 (:mod:`gsmooth.torch.norms`).  Closures are refused under a
scaler, positional or not: the scaler cannot scale a backward pass it does
not see.

**Closures** are called after the optimizer has set every gradient to
``None``, so a closure that forgets ``zero_grad()`` still steps along its own
gradient only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import torch

from gsmooth._checks import check_interval, check_nonnegative, check_positive
from gsmooth.torch.norms import Parallel, parallel_for, sum_of_squares

__all__ = ["NormalizedOptimizer", "check_real"]

Closure = Callable[[], torch.Tensor]


def check_real(check, name, value, *args, **kwargs):
    """A Python real number passed through a check of :mod:`gsmooth._checks`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    return check(name, value, *args, **kwargs)


def _learning_rate(value):
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or not value.is_floating_point():
            raise ValueError(f"lr must be a float or a one-element floating tensor, got a "
                             f"{value.dtype} tensor of shape {tuple(value.shape)}")
        check_positive("lr", float(value))
        return value
    return check_real(check_positive, "lr", value)


def _flag(name):
    def check(value):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, got {value!r}")
        return value
    return check


def _foreach(value):
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"foreach must be None, True or False, got {value!r}")
    return value


#: Checks of the hyperparameters every optimizer has, applied to every parameter group.
COMMON_CHECKS = {
    "lr": _learning_rate,
    "momentum": lambda v: check_real(check_interval, "momentum", v, 0.0, 1.0, high_open=True),
    "weight_decay": lambda v: check_real(check_nonnegative, "weight_decay", v),
    "decoupled_weight_decay": _flag("decoupled_weight_decay"),
    "maximize": _flag("maximize"),
    "foreach": _foreach,
}


def beta_check(value):
    """``beta`` in [0, 1]."""
    return check_real(check_interval, "beta", value, 0.0, 1.0)


# Elementwise helpers, one line each for the foreach and the per-tensor implementation.

def _scaled(tensors, factor, foreach):
    return torch._foreach_mul(tensors, factor) if foreach else [t * factor for t in tensors]


def _mul_(tensors, factor, foreach):
    if foreach:
        torch._foreach_mul_(tensors, factor)
    else:
        for t in tensors:
            t.mul_(factor)


def _add_(tensors, others, alpha, foreach):
    if foreach:
        torch._foreach_add_(tensors, others, alpha=alpha)
    else:
        for t, o in zip(tensors, others):
            t.add_(o, alpha=alpha)


@dataclass
class Part:
    """One parameter group's parameters and a direction ``factor * tensors`` for them."""

    group: dict
    params: list
    tensors: list
    factor: float


class NormalizedOptimizer(torch.optim.Optimizer):
    """Base class: checks, the mixed-precision protocol and the shared step pieces.

    Subclasses list their own hyperparameter checks in ``EXTRA_CHECKS`` and
    build their ``step`` from :meth:`_evaluate`, :meth:`_amp`,
    :meth:`_gradients`, :meth:`_with_momentum`, :meth:`_norm` and :meth:`_descend`.
    """

    _step_supports_amp_scaling = True
    EXTRA_CHECKS: ClassVar[dict] = {}

    def __init__(self, params, defaults: dict, distributed: str | None = None,
                 process_group=None):
        super().__init__(params, defaults)
        self.parallel: Parallel = parallel_for(distributed, process_group)

    def add_param_group(self, param_group: dict) -> None:
        """``torch.optim`` behaviour, then every hyperparameter of the new group is checked."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for name, check in {**COMMON_CHECKS, **self.EXTRA_CHECKS}.items():
            group[name] = check(group[name])

    def _device(self) -> torch.device:
        return self.param_groups[0]["params"][0].device

    def _foreach(self, group) -> bool:
        if group["foreach"] is not None:
            return group["foreach"]
        return all(p.device.type != "cpu" for p in group["params"])

    def _under_scaler(self) -> bool:
        return getattr(self, "found_inf", None) is not None

    def _evaluate(self, closure: Closure | None):
        """Zero the gradients (set to None), then run ``closure`` with gradients enabled."""
        if closure is None:
            return None
        if self._under_scaler():
            raise RuntimeError(
                f"{type(self).__name__}.step got a closure under torch.amp.GradScaler, which "
                "cannot scale a backward pass it does not see: call scaler.scale(loss).backward() "
                "and then scaler.step(optimizer) without closures"
            )
        self.zero_grad(set_to_none=True)
        with torch.enable_grad():
            return closure()

    def _amp(self) -> tuple[bool, float]:
        """``(skip, unscale)``: skip the step (the scaler found inf/NaN), and ``1 / scale``."""
        if not self._under_scaler():
            return False, 1.0
        found = self.parallel.any_rank(self.found_inf.to(torch.float32))
        if float(found) > 0:
            return True, 1.0
        scale = getattr(self, "grad_scale", None)
        return False, 1.0 if scale is None else 1.0 / float(scale)

    def _gradients(self, unscale: float = 1.0, grads_of=None) -> list[Part]:
        r"""Per group, the gradient :math:`\tilde g = \pm g / \mathrm{scale} + \lambda w` as a Part.

        ``grads_of(param)`` gives the gradient (default ``param.grad``); no
        tensor is written, and a sparse gradient is refused before any work.
        """
        grads_of = grads_of or (lambda p: p.grad)
        parts = []
        for group in self.param_groups:
            pairs = [(p, grads_of(p)) for p in group["params"]]
            pairs = [(p, g) for p, g in pairs if g is not None]
            for p, g in pairs:
                if g.is_sparse:
                    raise ValueError(
                        f"{type(self).__name__} needs dense gradients, got a sparse gradient for "
                        f"a parameter of shape {tuple(p.shape)} (use sparse=False in "
                        "torch.nn.Embedding and EmbeddingBag)")
            if not pairs:
                continue
            params, grads = [p for p, _ in pairs], [g for _, g in pairs]
            factor = -unscale if group["maximize"] else unscale
            decay = 0.0 if group["decoupled_weight_decay"] else group["weight_decay"]
            if decay:
                grads = _scaled(grads, factor, self._foreach(group))
                _add_(grads, params, decay, self._foreach(group))
                factor = 1.0
            parts.append(Part(group, params, grads, factor))
        if not parts and self.parallel.kind != "sharded":
            raise RuntimeError(f"{type(self).__name__}.step found no gradient in any parameter: "
                               "call loss.backward() before step(), or pass a closure")
        return parts

    def _with_momentum(self, parts: list[Part]) -> list[Part]:
        r"""Directions: :math:`m \leftarrow \mu m + (1 - \mu)\tilde g` where ``momentum > 0``."""
        out = []
        for part in parts:
            mu = part.group["momentum"]
            if mu == 0:
                out.append(part)
                continue
            buffers = []
            for p in part.params:
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                buffers.append(state["momentum_buffer"])
            foreach = self._foreach(part.group)
            _mul_(buffers, mu, foreach)
            _add_(buffers, part.tensors, (1.0 - mu) * part.factor, foreach)
            out.append(Part(part.group, part.params, buffers, 1.0))
        return out

    def _norm(self, parts: list[Part]) -> torch.Tensor:
        """Global norm of the directions of ``parts``, summed over shards when sharded."""
        device = self._device()
        squares = [sum_of_squares(part.tensors, device) * part.factor**2 for part in parts]
        total = sum(squares) if squares else torch.zeros((), device=device)
        return self.parallel.total_squares(total).sqrt()

    def _descend(self, parts: list[Part], scale_of: Callable[[dict], torch.Tensor]) -> None:
        r""":math:`w \leftarrow w(1 - \gamma\lambda_{\mathrm{dec}}) - s \cdot \mathrm{factor} \cdot d`."""
        for part in parts:
            group, foreach = part.group, self._foreach(part.group)
            if group["decoupled_weight_decay"] and group["weight_decay"]:
                _mul_(part.params, 1.0 - group["lr"] * group["weight_decay"], foreach)
            coefficient = scale_of(group) * -part.factor
            if coefficient.device.type == "cpu":     # a number costs no device sync here
                _add_(part.params, part.tensors, float(coefficient), foreach)
            elif foreach:
                torch._foreach_add_(part.params, torch._foreach_mul(part.tensors, coefficient))
            else:
                for p, d in zip(part.params, part.tensors):
                    p.add_(d * coefficient)


def is_finite_number(value) -> bool:
    """Whether a float or one-element tensor is finite."""
    return math.isfinite(float(value))
