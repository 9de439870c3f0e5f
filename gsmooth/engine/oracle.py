"""The gradient oracle: each run's sample indices from its own stream, the sample
count, and the answers to the gradient requests of every method of a step.

A rule (:meth:`gsmooth.optim.Optimizer.rule`) yields
:class:`~gsmooth.optim.directions.Gradients` requests.  The run loop collects
one request from every optimizer of a :func:`gsmooth.run_many` batch and
:func:`answer` computes them together: every minibatch request of one size,
whatever the method, in one problem call (one gather of rows, one batched
product), and full gradients per optimizer.
"""

from __future__ import annotations

from gsmooth import _backend


class Oracle:
    """One optimizer's sample streams and sample count.

    Every run draws its indices from its own generator, on the host, through
    an :class:`~gsmooth._backend.IndexStream`; runs therefore never share
    samples, and run ``r`` draws the same indices whatever the batch.  The
    sizes come with each request (a rule reads them from its ``hp``), so the
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
        self.indices = _backend.IndexStream(generators, problem.n_samples or 1, xp, device)
        self.drawn = 0
        self.full_cost = problem.n_samples or 1

    def start_step(self) -> None:
        """Begin a step: reset the count of samples drawn in it."""
        self.drawn = 0

    def draw(self, request):
        """Indices (k, batch) for ``request``, or ``None`` for full gradients; counts the samples.

        A full gradient counts ``n`` samples per point (1 for a deterministic
        problem); a minibatch counts its size once, however many points share it.
        """
        if request.batch is None:
            self.drawn += self.full_cost * len(request.points)
            return None
        self.drawn += request.batch
        return self.indices.draw(request.batch)


def answer(problem, asks) -> list[tuple]:
    """The gradients of one round of requests: one tuple of (k, d) gradients per ask.

    ``asks`` is a list of ``(oracle, request)``.  Full gradients are computed
    per request, on that optimizer's runs alone.  Minibatch requests of one
    size are stacked, points and indices, into one ``problem.grad(w, idx)``
    call: a problem's minibatch gradient of a run is a product over that
    run's own rows, so stacking changes nothing in any run's arithmetic.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> from gsmooth import _backend
    >>> from gsmooth.optim.directions import gradients_at
    >>> p = gs.problems.least_squares(n=20, d=3)
    >>> opt = gs.optim.sgd(0.1, batch=4)
    >>> oracles = [Oracle(p, opt, _backend.run_generators(seeds), np) for seeds in ([0], [1, 2])]
    >>> points = [np.zeros((1, 3)), np.ones((2, 3))]
    >>> asks = [(o, gradients_at(w, batch=4)) for o, w in zip(oracles, points)]
    >>> [g[0].shape for g in answer(p, asks)], [o.drawn for o in oracles]
    ([(1, 3), (2, 3)], [4, 4])
    """
    answers: list = [None] * len(asks)
    by_size: dict = {}
    for position, (oracle, request) in enumerate(asks):
        idx = oracle.draw(request)
        if idx is None:
            points = request.points
            answers[position] = ((problem.grad(points[0]),) if len(points) == 1
                                 else tuple(problem.grad(w) for w in points))
        else:
            by_size.setdefault(request.batch, []).append((position, request.points, idx))
    for group in by_size.values():
        _answer_minibatches(problem, group, answers)
    return answers


def _answer_minibatches(problem, group, answers) -> None:
    """Minibatch gradients of every ``(position, points, idx)`` of one batch size, in one call."""
    if len(group) == 1 and len(group[0][1]) == 1:
        position, (w,), idx = group[0]
        answers[position] = (problem.grad(w, idx),)
        return
    points = [w for _, ws, _ in group for w in ws]
    xp = _backend.namespace(points[0])
    idx = xp.concat([i for _, ws, i in group for _ in ws], axis=0)
    grads = problem.grad(xp.concat(points, axis=0), idx)
    start = 0
    for position, ws, _ in group:
        parts = []
        for w in ws:
            parts.append(grads[start : start + w.shape[0], ...])
            start += w.shape[0]
        answers[position] = tuple(parts)
