r"""Index pairs for IAN-SGD: a main minibatch and an independent second one, per step and rank.

IAN-SGD needs :math:`\xi_t` (size ``B``) and :math:`\xi'_t` (size ``B'``) drawn
independently given :math:`w_t`.  :class:`IndependentBatches` draws each
from its own ``torch.Generator``, spawned from one seed and the rank, so the
two streams share no random numbers.  Each batch is a uniformly random
subset (distinct indices, drawn afresh every step, as the analysis assumes;
with ``replacement=True`` i.i.d. indices instead); the two batches of a step
are independent of each other, so they may overlap (expected overlap
:math:`B B' / n`).

**Cost per step: O(B log B), independent of n.**  A subset of size ``B`` is
drawn by rejection: ``B`` uniform integers, the duplicates removed
(``torch.unique``) and replaced by fresh draws until ``B`` distinct remain.
Each draw is uniform and independent and a duplicate is rejected, so the
result is a uniform ``B``-subset; the expected number of rounds is
:math:`1 + O(B^2/n)`.  Only when ``B > n / 4`` is a permutation of the
``n`` (then ``O(B)``) indices drawn instead.

**Ranks** (``num_replicas``, ``rank``; default from ``torch.distributed``, as
``DistributedSampler`` does): rank ``r`` owns the indices
``r, r + R, r + 2R, ...`` and draws its ``B`` and ``B'`` from them, from its
own streams, so the ranks' batches never overlap and each rank's global
batch is ``R B`` samples.

**DataLoader.**  Iterating yields, per step, the list of ``B + B'`` indices
(main first): ``DataLoader(dataset, batch_sampler=draw)`` loads both
batches in one fetch and :meth:`IndependentBatches.split` separates them.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.distributed as dist

from gsmooth._checks import nonnegative_int, positive_int

__all__ = ["IndependentBatches"]

#: Above this fraction of the owned indices a subset is cut from a permutation.
DENSE_FRACTION = 0.25


def _distributed_default(num_replicas, rank):
    running = dist.is_available() and dist.is_initialized()
    if num_replicas is None:
        num_replicas = dist.get_world_size() if running else 1
    if rank is None:
        rank = dist.get_rank() if running else 0
    num_replicas = positive_int("num_replicas", num_replicas)
    rank = nonnegative_int("rank", rank)
    if rank >= num_replicas:
        raise ValueError(f"rank must be in [0, {num_replicas - 1}], got {rank}")
    return num_replicas, rank


class IndependentBatches(torch.utils.data.Sampler):
    r"""Draw ``(main, independent)`` index tensors for IAN-SGD, per step and rank.

    Parameters
    ----------
    n_samples : int
        Size of the training set; indices lie in ``[0, n_samples)``.
    batch, batch2 : int
        Sizes ``B`` and ``B'`` of this rank's main and independent batches
        (each at most the number of indices the rank owns).
    seed : int
        Seed; the rank's two streams are spawned from it with
        ``numpy.random.SeedSequence(seed, spawn_key=(rank,))``.
    num_replicas, rank : int, optional
        Number of ranks and this rank (default: from ``torch.distributed``,
        else 1 and 0).
    steps : int, optional
        Steps one iteration yields (gives ``len()``); default: without end.
    replacement : bool
        I.i.d. indices (duplicates possible) instead of distinct ones.

    Examples
    --------
    >>> import torch
    >>> from gsmooth.torch import IndependentBatches
    >>> draw = IndependentBatches(100, batch=8, batch2=2, seed=0)
    >>> main, independent = draw()
    >>> main.shape, independent.shape, draw.samples_per_step
    (torch.Size([8]), torch.Size([2]), 10)
    >>> data = torch.utils.data.TensorDataset(torch.arange(100.0))
    >>> loader = torch.utils.data.DataLoader(data, batch_sampler=IndependentBatches(100, 8, 2, steps=3))
    >>> [tuple(part.shape) for part in draw.split(next(iter(loader))[0])]
    [(8,), (2,)]
    """

    def __init__(self, n_samples: int, batch: int, batch2: int, seed: int = 0, *,
                 num_replicas: int | None = None, rank: int | None = None,
                 steps: int | None = None, replacement: bool = False):
        self.n_samples = positive_int("n_samples", n_samples)
        self.batch = positive_int("batch", batch)
        self.batch2 = positive_int("batch2", batch2)
        self.num_replicas, self.rank = _distributed_default(num_replicas, rank)
        self.steps = None if steps is None else positive_int("steps", steps)
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement must be True or False, got {replacement!r}")
        self.replacement = replacement
        self.owned = len(range(self.rank, self.n_samples, self.num_replicas))
        for name, size in (("batch", self.batch), ("batch2", self.batch2)):
            if size > self.owned and not replacement:
                raise ValueError(f"{name} must be at most the {self.owned} indices rank "
                                 f"{self.rank} owns, got {size}")
        state = np.random.SeedSequence(nonnegative_int("seed", seed), spawn_key=(self.rank,))
        main_seed, independent_seed = state.generate_state(2)
        self._main = torch.Generator().manual_seed(int(main_seed))
        self._independent = torch.Generator().manual_seed(int(independent_seed))

    @property
    def samples_per_step(self) -> int:
        """Samples one IAN-SGD step draws on this rank, ``B + B'`` (both batches count)."""
        return self.batch + self.batch2

    def _subset(self, size: int, generator: torch.Generator) -> torch.Tensor:
        """``size`` owned positions (module docstring), mapped to dataset indices."""
        m = self.owned
        if self.replacement:
            local = torch.randint(m, (size,), generator=generator)
        elif size > DENSE_FRACTION * m:
            local = torch.randperm(m, generator=generator)[:size]
        else:
            local = torch.unique(torch.randint(m, (size,), generator=generator))
            while local.numel() < size:
                fresh = torch.randint(m, (size - local.numel(),), generator=generator)
                local = torch.unique(torch.cat([local, fresh]))
        return self.rank + self.num_replicas * local

    def __call__(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next ``(main, independent)`` pair of int64 index tensors."""
        return self._subset(self.batch, self._main), self._subset(self.batch2, self._independent)

    def __iter__(self):
        step = 0
        while self.steps is None or step < self.steps:
            main, independent = self()
            yield torch.cat([main, independent]).tolist()
            step += 1

    def __len__(self) -> int:
        if self.steps is None:
            raise TypeError("IndependentBatches without steps= has no length (it draws without end)")
        return self.steps

    def split(self, loaded):
        """Split what a DataLoader loaded for one step into ``(main, independent)``.

        ``loaded`` is a tensor, or a tuple/list/dict of tensors, with ``B + B'``
        rows (the collated batch); each part keeps that structure.
        """
        if isinstance(loaded, torch.Tensor):
            if loaded.shape[0] != self.samples_per_step:
                raise ValueError(f"a loaded step has {self.samples_per_step} rows, got "
                                 f"{loaded.shape[0]}")
            return loaded[: self.batch], loaded[self.batch:]
        if isinstance(loaded, dict):
            halves = {key: self.split(value) for key, value in loaded.items()}
            return ({k: v[0] for k, v in halves.items()}, {k: v[1] for k, v in halves.items()})
        if isinstance(loaded, (tuple, list)):
            halves = [self.split(value) for value in loaded]
            return type(loaded)(h[0] for h in halves), type(loaded)(h[1] for h in halves)
        raise TypeError(f"split takes a tensor or a tuple, list or dict of them, got "
                        f"{type(loaded).__name__}")

    def state_dict(self) -> dict:
        """The two streams' states, to resume a run where it stopped."""
        return {"main": self._main.get_state(), "independent": self._independent.get_state()}

    def load_state_dict(self, state: dict) -> None:
        """Inverse of :meth:`state_dict`."""
        self._main.set_state(state["main"])
        self._independent.set_state(state["independent"])
