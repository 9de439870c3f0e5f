"""The gradient oracle a rule calls during one step: it draws each run's sample
indices from that run's own stream and counts what it drew."""

from __future__ import annotations

from gsmooth import _backend


class Oracle:
    """Hands an update rule the gradients it asks for, and counts samples.

    Every run draws its indices from its own generator, on the host, through
    an :class:`~gsmooth._backend.IndexStream`; runs therefore never share
    samples, and run ``r`` draws the same indices whatever the batch.

    Parameters
    ----------
    problem : Problem
        The objective.
    optimizer : Optimizer
        Supplies ``batch``, ``batch2`` and ``period``.
    generators : list of numpy.random.Generator
        One stream per run.
    xp, device
        Namespace and device of the iterates.
    """

    def __init__(self, problem, optimizer, generators, xp, device=None):
        if optimizer.stochastic and not problem.stochastic:
            raise ValueError(
                f"optimizer {optimizer.name!r} draws minibatches but problem {problem.name!r} "
                "is deterministic; use a finite-sum problem (e.g. gs.problems.finite_sum)"
            )
        self.problem = problem
        self.batch, self.batch2, self.period = optimizer.batch, optimizer.batch2, optimizer.period
        self.indices = _backend.IndexStream(generators, problem.n_samples or 1, xp, device)
        self.step_index = 0
        self.drawn = 0
        self.full_cost = problem.n_samples or 1

    def start_step(self, index: int) -> None:
        """Begin step ``index``: reset the count of samples drawn in it."""
        self.step_index = index
        self.drawn = 0

    def gradient(self, w):
        """The method's gradient estimate: a fresh minibatch, or the full gradient."""
        if self.batch is None:
            return self.full_gradient(w)
        return self.problem.grad(w, self._indices(self.batch))

    def full_gradient(self, w):
        """Full gradient; counts ``n`` samples (1 for a deterministic problem)."""
        self.drawn += self.full_cost
        return self.problem.grad(w)

    def independent_gradient(self, w):
        """Minibatch gradient on a second, independent batch of size ``batch2``."""
        return self.problem.grad(w, self._indices(self.batch2))

    def gradients_same_batch(self, points):
        """Minibatch gradients at several points on one fresh batch (counted once)."""
        idx = self._indices(self.batch)
        return tuple(self.problem.grad(w, idx) for w in points)

    def _indices(self, size):
        self.drawn += size
        return self.indices.draw(size)
