r"""Index pairs for IAN-SGD: a main minibatch and an independent second one.

IAN-SGD needs :math:`\xi` (size ``B``) and :math:`\xi'` (size ``B'``) drawn
independently given the current iterate.  :class:`IndependentBatches` draws
each from its own ``torch.Generator`` spawned from one seed, so the two index
streams share no random numbers: within a batch indices are distinct (a
uniformly random subset, drawn without replacement like a shuffled epoch),
and the two batches are independent of each other, so they may overlap, with
expected overlap :math:`B B' / n`.
"""

from __future__ import annotations

import numpy as np
import torch

from gsmooth._checks import positive_int

__all__ = ["IndependentBatches"]


class IndependentBatches:
    r"""Draw ``(main, independent)`` index tensors for one IAN-SGD step.

    Parameters
    ----------
    n_samples : int
        Size of the training set; indices lie in ``[0, n_samples)``.
    batch, batch2 : int
        Sizes ``B`` of the main batch and ``B'`` of the independent batch
        (each at most ``n_samples``).
    seed : int
        Seed; the two streams are spawned from it with ``numpy.random.SeedSequence``.

    Examples
    --------
    >>> from gsmooth.torch import IndependentBatches
    >>> draw = IndependentBatches(100, batch=8, batch2=2, seed=0)
    >>> main, independent = draw()
    >>> main.shape, independent.shape, draw.samples_per_step
    (torch.Size([8]), torch.Size([2]), 10)
    """

    def __init__(self, n_samples: int, batch: int, batch2: int, seed: int = 0):
        self.n_samples = positive_int("n_samples", n_samples)
        self.batch = positive_int("batch", batch)
        self.batch2 = positive_int("batch2", batch2)
        for name, size in (("batch", self.batch), ("batch2", self.batch2)):
            if size > self.n_samples:
                raise ValueError(f"{name} must be at most n_samples={self.n_samples}, got {size}")
        main_seed, independent_seed = np.random.SeedSequence(seed).generate_state(2)
        self._main = torch.Generator().manual_seed(int(main_seed))
        self._independent = torch.Generator().manual_seed(int(independent_seed))

    @property
    def samples_per_step(self) -> int:
        """Samples one IAN-SGD step draws, ``B + B'`` (both batches count)."""
        return self.batch + self.batch2

    def _subset(self, size: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randperm(self.n_samples, generator=generator)[:size]

    def __call__(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next ``(main, independent)`` pair of int64 index tensors."""
        return self._subset(self.batch, self._main), self._subset(self.batch2, self._independent)
