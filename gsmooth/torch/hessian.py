r"""Exact Hessian norms of a loss, globally and per parameter block, by power iteration.

For a loss :math:`f(w)` with :math:`w = (w_1, \dots, w_K)` split into blocks
(a layer's weight and bias, or groups the user names), this computes

* :math:`\|\nabla^2 f(w)\|`, the spectral norm of the whole Hessian, and
* :math:`\|\nabla^2_{bb} f(w)\|` for every block :math:`b`, the norm of the
  diagonal block :math:`\partial^2 f / \partial w_b^2` (the smoothness of
  :math:`f` as a function of block :math:`b` alone, the others fixed),

next to :math:`\|\nabla f(w)\|` and :math:`\|\nabla_b f(w)\|`.

**Method.**  Power iteration :math:`v \leftarrow Hv / \|Hv\|` converges to an
eigenvector of the eigenvalue of largest modulus, which for a symmetric
:math:`H` is its spectral norm, at the rate :math:`|\lambda_2/\lambda_1|` per
step; :math:`\|Hv\|` with :math:`\|v\| = 1` never exceeds :math:`\|H\|`, so
the estimate approaches it from below.  :math:`Hv` is exact: the gradient is
taken once with ``create_graph=True`` and differentiated again against
:math:`v` (double backward).  For block :math:`b` only :math:`\nabla_b f` is
differentiated, and only against :math:`w_b`, which gives
:math:`\nabla^2_{bb} f\, v_b` directly and prunes the second backward pass to
the paths that reach :math:`w_b` (for a network's last layer a small
fraction of a full product).

**Stopping.**  A row stops when its estimate moves by less than ``tol``
(relative) in one step, or after ``iterations`` steps (``converged`` says
which rows stopped by the rule).  A small change per step does not bound
the remaining gap when :math:`|\lambda_2/\lambda_1|` is near 1 (the gap can
then be several times ``tol``), which is why the tests compare with exact
eigenvalues.  Warm starts (the vectors of the previous call) make later
calls along a trajectory cheaper; each is added to a fresh random vector of
the same norm, so that it is never the whole start.  A warm vector alone can
be an eigenvector of the new Hessian for a smaller eigenvalue (the two
curvatures of ``a^4/4 + b^4/4`` trade places after one SGD step, and power
iteration from the old top vector stops at once on the new second
eigenvalue, 0.48 against 1.92), or lie in its null space (reported as 0);
the random half has a component along every eigenvector, as a cold start
has.

**Cost of one call:** one forward and one backward pass with graph, then,
per row, one Hessian-vector product per iteration (a full product costs
about one more forward-and-backward pass; a block's costs less).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gsmooth._checks import positive_int
from gsmooth.torch.norms import global_norm

__all__ = ["GLOBAL", "HessianNorms", "hessian_norms", "parameter_blocks"]

#: Name of the row that holds the whole parameter vector.
GLOBAL = "all"


def parameter_blocks(named_parameters, blocks=None) -> dict[str, list[str]]:
    """Block name to parameter names.

    Parameters
    ----------
    named_parameters : iterable of (str, Parameter)
        ``model.named_parameters()``; those without ``requires_grad`` are left out.
    blocks : dict of str to iterable of str, optional
        Groups the user names, each a list of parameter names.  Default: one
        block per submodule that owns parameters (per layer: ``"0"`` holds
        ``"0.weight"`` and ``"0.bias"``), and one per parameter the model
        itself owns (a bare ``nn.Linear`` gives ``"weight"`` and ``"bias"``).

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    >>> parameter_blocks(net.named_parameters())
    {'0': ['0.weight', '0.bias'], '2': ['2.weight', '2.bias']}
    """
    names = [name for name, p in named_parameters if p.requires_grad]
    if blocks is None:
        out = {}
        for name in names:
            out.setdefault(name.rpartition(".")[0] or name, []).append(name)
        return out
    if not isinstance(blocks, dict) or not blocks:
        raise ValueError(f"blocks must be a non-empty dict of block name to parameter names, "
                         f"got {blocks!r}")
    out, seen = {}, set()
    for block, members in blocks.items():
        if block == GLOBAL:
            raise ValueError(f"block name {GLOBAL!r} is reserved for the whole parameter vector")
        members = [members] if isinstance(members, str) else list(members)
        unknown = [m for m in members if m not in names]
        if unknown or not members:
            raise ValueError(f"block {block!r} must list trainable parameter names (one of "
                             f"{names}), got {members!r}")
        twice = seen.intersection(members)
        if twice:
            raise ValueError(f"parameters {sorted(twice)} are in more than one block")
        seen.update(members)
        out[str(block)] = members
    return out


@dataclass
class HessianNorms:
    """What :func:`hessian_norms` measured; rows are ``[GLOBAL, *blocks]``.

    Attributes
    ----------
    rows : list of str
    grad_norm, hessian_norm : list of float
        Per row.
    converged : list of bool
        Per row: stopped by the ``tol`` rule (not by the iteration limit).
    iterations : list of int
        Per row: Hessian-vector products taken.
    loss : float
    grads : list of Tensor
        The gradient (detached), one tensor per parameter.
    vectors : list of list of Tensor
        Per row, the final iteration vector over that row's parameters: a warm start.
    """

    rows: list
    grad_norm: list
    hessian_norm: list
    converged: list
    iterations: list
    loss: float
    grads: list
    vectors: list


def _power_iteration(outputs, params, start, iterations: int, tol: float):
    """``(estimate, converged, steps, vector)`` of power iteration on ``v -> d<outputs, v>/d params``.

    ``outputs[i]`` is the gradient with respect to ``params[i]``; those
    without a graph (constant in ``params``) contribute nothing.
    """
    live = [i for i, g in enumerate(outputs) if g.requires_grad]
    vector = start
    start_norm = float(global_norm(vector))
    if not live or start_norm == 0:
        return 0.0, True, 0, vector
    vector = [v / start_norm for v in vector]
    estimate = float("nan")
    for step in range(1, iterations + 1):
        products = torch.autograd.grad([outputs[i] for i in live], params,
                                       grad_outputs=[vector[i] for i in live],
                                       retain_graph=True, allow_unused=True)
        products = [torch.zeros_like(p) if hv is None else hv.detach()
                    for hv, p in zip(products, params)]
        new = float(global_norm(products))
        if new == 0:
            return 0.0, True, step, vector
        settled = abs(new - estimate) <= tol * new
        vector, estimate = [hv / new for hv in products], new
        if settled:
            return estimate, True, step, vector
    return estimate, False, iterations, vector


def _blend(warm: list, fresh: list) -> list:
    """``warm / ||warm|| + s fresh / ||fresh||``: a warm start with a random half (module docstring).

    The sign ``s = +-1`` makes the two halves meet at an acute angle, so they never cancel (in one
    dimension they would, half the time): the blend has norm at least ``sqrt(2)``.
    """
    warm_norm, fresh_norm = float(global_norm(warm)), float(global_norm(fresh))
    if warm_norm == 0:
        return fresh
    sign = 1.0 if sum(float((w * f).sum()) for w, f in zip(warm, fresh)) >= 0 else -1.0
    return [w / warm_norm + sign * f / fresh_norm for w, f in zip(warm, fresh)]


def hessian_norms(loss_fn, params, blocks: list[list[int]], iterations: int = 100,
                  tol: float = 1e-4, start=None, generator=None, block_names=None) -> HessianNorms:
    r"""Global and per-block gradient and Hessian norms of ``loss_fn()`` (module docstring).

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn() -> scalar tensor`` at the current ``params``.
    params : list of Tensor
        The parameters (``requires_grad``).
    blocks : list of list of int
        Each block as indices into ``params``.
    iterations : int
        Most power-iteration steps per row.
    tol : float
        Relative change below which a row counts as converged.
    start : list of list of Tensor, optional
        Warm-start vectors (``HessianNorms.vectors`` of an earlier call), each
        blended with a random vector (module docstring).
    generator : torch.Generator, optional
        For the random start (and the random half of a warm one).
    block_names : list of str, optional

    Examples
    --------
    Least squares :math:`\frac12\|Xw - 1\|^2` has Hessian :math:`X^T X`:

    >>> import torch
    >>> w = torch.zeros(2, requires_grad=True)
    >>> X = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    >>> out = hessian_norms(lambda: 0.5 * (X @ w - 1).square().sum(), [w], [[0]])
    >>> [round(v, 4) for v in out.hessian_norm], out.converged
    ([4.0, 4.0], [True, True])
    """
    iterations = positive_int("iterations", iterations)
    if not 0 < tol < 1:
        raise ValueError(f"tol must be in (0, 1), got {tol}")
    rows = [list(range(len(params))), *blocks]
    with torch.enable_grad():
        loss = loss_fn()
        grads = torch.autograd.grad(loss, params, create_graph=True, allow_unused=True)
    grads = [torch.zeros_like(p) if g is None else g for g, p in zip(grads, params)]
    fresh = [[torch.randn(params[i].shape, generator=generator, dtype=params[i].dtype)
              .to(params[i].device) for i in row] for row in rows]
    start = fresh if start is None else [_blend(warm, new) for warm, new in zip(start, fresh)]
    out = HessianNorms([GLOBAL, *(block_names or [str(j) for j in range(len(blocks))])],
                       [], [], [], [], float(loss.detach()), [g.detach() for g in grads], [])
    with torch.enable_grad():
        for row, vector in zip(rows, start):
            estimate, converged, steps, vector = _power_iteration(
                [grads[i] for i in row], [params[i] for i in row], vector, iterations, tol)
            out.grad_norm.append(float(global_norm([out.grads[i] for i in row])))
            out.hessian_norm.append(estimate)
            out.converged.append(converged)
            out.iterations.append(steps)
            out.vectors.append(vector)
    return out
