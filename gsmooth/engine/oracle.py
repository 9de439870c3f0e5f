"""The gradient oracle a rule calls during one step: it draws each run's sample
indices from that run's own stream, on the sizes the rule names, and counts them."""

from __future__ import annotations

from gsmooth import _backend


class Oracle:
    """Hands an update rule the gradients it asks for, and counts samples.

    Every run draws its indices from its own generator, on the host, through
    an :class:`~gsmooth._backend.IndexStream`; runs therefore never share
    samples, and run ``r`` draws the same indices whatever the batch.  The
    sizes come with each call (a rule reads them from its ``hp``), so the
    oracle knows no method.

    Parameters
    ----------
    problem : Problem
        The objective.
    optimizer : Optimizer
        Checked against the problem: a method that draws minibatches needs a
        finite sum.
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
        self.indices = _backend.IndexStream(generators, problem.n_samples or 1, xp, device)
        self.drawn = 0
        self.full_cost = problem.n_samples or 1

    def start_step(self) -> None:
        """Begin a step: reset the count of samples drawn in it."""
        self.drawn = 0

    def gradient(self, w, batch=None):
        """The full gradient (``batch=None``) or the gradient of a fresh minibatch of size ``batch``."""
        if batch is None:
            return self.full_gradient(w)
        return self.problem.grad(w, self._indices(batch))

    def full_gradient(self, w):
        """Full gradient; counts ``n`` samples (1 for a deterministic problem)."""
        self.drawn += self.full_cost
        return self.problem.grad(w)

    def same_batch_gradients(self, points, batch):
        """Minibatch gradients at several points on one fresh batch of size ``batch`` (counted once)."""
        idx = self._indices(batch)
        return tuple(self.problem.grad(w, idx) for w in points)

    def _indices(self, size):
        self.drawn += size
        return self.indices.draw(size)
