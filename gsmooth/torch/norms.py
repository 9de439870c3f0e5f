r"""Global gradient norms for the torch optimizers, on one process or many.

Every norm in :mod:`gsmooth.torch` is the Euclidean norm of the whole
parameter vector :math:`w` (the paper's model is one vector), summed as
:math:`(\sum_p \|g_p\|^2)^{1/2}` with the per-tensor norms **accumulated in
float32** for float16 and bfloat16 tensors (float64 stays float64): a float16
gradient of norm 1e5 has a finite float32 norm where a float16 one is ``inf``.

**Where the parameters live** (:class:`Parallel`):

``"local"``
    one process, or processes that each train their own model.
``"replicated"``
    data parallelism (``DistributedDataParallel``): every rank holds all the
    parameters, and after ``backward()`` every rank holds the same averaged
    gradient, so its norm needs no communication.  A norm that only one rank
    knows (the independent batch's, see :class:`~gsmooth.torch.IANSGD`) is
    averaged over the ranks with **one scalar all-reduce**.
``"sharded"``
    sharded parameters (FSDP with flat-parameter shards, or any scheme where
    each element of :math:`w` is held by exactly one rank): the squared
    norms of the local shards are summed with one scalar all-reduce, so
    every rank uses the norm of the whole vector.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import torch
import torch.distributed as dist

__all__ = ["KINDS", "Parallel", "global_norm", "parallel_for", "sum_of_squares"]

KINDS = ("local", "replicated", "sharded")


def _accumulator(dtype: torch.dtype) -> torch.dtype:
    """float64 for float64 tensors, float32 for float32, float16 and bfloat16 ones."""
    return torch.float64 if dtype == torch.float64 else torch.float32


def sum_of_squares(tensors: Iterable[torch.Tensor], device: torch.device | None = None
                   ) -> torch.Tensor:
    r""":math:`\sum_i \|t_i\|^2` as a 0-dim tensor, accumulated in float32 or float64.

    Tensors are grouped by device and dtype, and each group's norms are taken
    by one ``torch._foreach_norm`` call (as ``clip_grad_norm_`` does, on the
    CPU too).  The result lives on ``device`` (default: the first tensor's;
    the CPU for an empty list) and has the widest accumulator dtype met.

    Examples
    --------
    >>> import torch
    >>> big = torch.full((4,), 40000.0, dtype=torch.float16)   # norm 80000 > 65504
    >>> float(sum_of_squares([big]).sqrt())
    80000.0
    """
    groups = defaultdict(list)
    for t in tensors:
        groups[(t.device, t.dtype)].append(t)
    if device is None:
        device = next(iter(groups))[0] if groups else torch.device("cpu")
    parts = []
    for (_, dtype), group in groups.items():
        norms = torch._foreach_norm(group, 2, dtype=_accumulator(dtype))
        parts.append(torch.linalg.vector_norm(torch.stack(norms)).square().to(device))
    if not parts:
        return torch.zeros((), device=device)
    widest = torch.float64 if any(p.dtype == torch.float64 for p in parts) else torch.float32
    return torch.stack([p.to(widest) for p in parts]).sum()


def global_norm(tensors: Iterable[torch.Tensor]) -> torch.Tensor:
    r"""Euclidean norm of the concatenation of ``tensors`` on this process (see :func:`sum_of_squares`).

    Examples
    --------
    >>> import torch
    >>> float(global_norm([torch.tensor([3.0]), torch.tensor([[4.0]])]))
    5.0
    """
    return sum_of_squares(tensors).sqrt()


@dataclass(frozen=True)
class Parallel:
    """How the parameters are spread over processes, and the two reductions that follow.

    Attributes
    ----------
    kind : {"local", "replicated", "sharded"}
        See the module docstring.
    group : ProcessGroup or None
        The process group (``None``: the default group).
    """

    kind: str = "local"
    group: object = None

    def total_squares(self, squares: torch.Tensor) -> torch.Tensor:
        """The squared norm of the whole vector from this rank's part (sum over shards)."""
        if self.kind == "sharded":
            squares = squares.clone()
            dist.all_reduce(squares, op=dist.ReduceOp.SUM, group=self.group)
        return squares

    def replica_mean(self, value: torch.Tensor) -> torch.Tensor:
        """The mean over replicas of a number each rank computed on its own data."""
        if self.kind == "replicated":
            value = value.clone()
            dist.all_reduce(value, op=dist.ReduceOp.SUM, group=self.group)
            value = value / dist.get_world_size(self.group)
        return value

    def any_rank(self, flag: torch.Tensor) -> torch.Tensor:
        """``flag`` (0 or more) made the same on every shard: the maximum over ranks."""
        if self.kind == "sharded":
            flag = flag.clone()
            dist.all_reduce(flag, op=dist.ReduceOp.MAX, group=self.group)
        return flag


def parallel_for(distributed: str | None, process_group=None) -> Parallel:
    """Check ``distributed`` and return the :class:`Parallel` it names.

    ``None`` means ``"local"`` on a single process; when ``torch.distributed``
    is initialized with more than one process the choice must be explicit,
    because ranks that normalize by different numbers take different steps.
    """
    running = dist.is_available() and dist.is_initialized()
    world = dist.get_world_size(process_group) if running else 1
    if distributed is None:
        if world > 1:
            raise ValueError(
                f"torch.distributed runs {world} processes: pass distributed='replicated' "
                "(DistributedDataParallel: every rank holds all parameters), 'sharded' (FSDP: "
                "each rank holds a shard) or 'local' (each process trains its own model)"
            )
        distributed = "local"
    if distributed not in KINDS:
        raise ValueError(f"distributed must be one of {KINDS}, got {distributed!r}")
    if distributed != "local" and not running:
        raise ValueError(f"distributed={distributed!r} needs torch.distributed initialized, "
                         "got no process group")
    return Parallel(distributed, process_group)
