"""The gradient oracle: each run's sample indices from its own stream, the sample
count, and the answers to the gradient requests of every method of a step.

An optimizer's direction (:mod:`gsmooth.optim.directions`) names the
gradients its step needs, as ``(points, batch)`` requests.  The run loop
collects the requests of every optimizer of a :func:`gsmooth.run_many` batch
and :func:`answer` computes them together: every minibatch request of one size,
whatever the method, in one problem call (one gather of rows, one batched
product), and full gradients per optimizer.
"""

from __future__ import annotations

from gsmooth import _backend


class Oracle:
    """One optimizer's sample streams, sample count and gradient functions.

    ``drawn`` counts the samples each of its runs has drawn so far (every run
    of an optimizer draws as many): ``n`` per full gradient, ``batch`` per
    minibatch however many points share it.

    Every run draws its indices from its own generator, on the host, through
    an :class:`~gsmooth._backend.IndexStream`; runs therefore never share
    samples, and run ``r`` draws the same indices whatever the batch.  The
    sizes come with each request (a direction reads them from its ``hp``), so the
    oracle knows no method.  The gradients are the problem's own, bound once
    to the iterates' namespace, device and dtype
    (:meth:`~gsmooth.problems.Problem.gradient_functions`): the engine checked
    its iterates when it built them.

    Parameters
    ----------
    problem : Problem
        The objective.
    optimizer : Optimizer
        Checked against the problem: a method that draws minibatches needs a
        finite sum.
    generators : list of numpy.random.Generator
        One stream per run; none for a method that draws no minibatches.
    like : array (k, d)
        Iterates of the namespace, device and dtype the runs use.
    """

    def __init__(self, problem, optimizer, generators, like):
        if optimizer.stochastic and not problem.stochastic:
            raise ValueError(
                f"optimizer {optimizer.name!r} draws minibatches but problem {problem.name!r} "
                "is deterministic; use a finite-sum problem (e.g. gs.problems.finite_sum)"
            )
        xp = _backend.namespace(like)
        self.indices = _backend.IndexStream(generators, problem.n_samples or 1, xp,
                                            getattr(like, "device", None))
        self.drawn = 0
        self.full_cost = problem.n_samples or 1
        self.full_gradient, self.sample_gradient = problem.gradient_functions(like)

    def full_gradients(self, points) -> tuple:
        """Full gradients at ``points``, each counting ``n`` samples (1 for a deterministic problem)."""
        self.drawn += self.full_cost * len(points)
        return tuple(map(self.full_gradient, points))

    def gradients(self, request) -> tuple:
        """The answer to ``request`` on this optimizer's runs alone (no other method asks)."""
        points, batch = request
        if len(points) != 1:
            return answer([(self, request)])[0]
        return (self.gradient(points[0], batch),)

    def gradient(self, w, batch):
        """The gradient at ``w`` of one request of one point on this optimizer's runs alone:
        full (``batch = None``, counting ``n``) or on one fresh minibatch per run."""
        if batch is None:
            self.drawn += self.full_cost
            return self.full_gradient(w)
        return self.sample_gradient(w, self.draw(batch))

    def draw(self, batch: int):
        """Indices (k, batch) of one fresh minibatch per run, counted once however many
        points share it."""
        self.drawn += batch
        return self.indices.draw(batch)


def answer(asks) -> list[tuple]:
    """The gradients of one round of requests: one tuple of (k, d) gradients per ask.

    ``asks`` is a list of ``(oracle, request)``.  Full gradients are computed
    per request, on that optimizer's runs alone.  Minibatch requests of one
    size are stacked, points and indices, into one minibatch-gradient call: a
    problem's minibatch gradient of a run is a product over that run's own
    rows, so stacking changes nothing in any run's arithmetic.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> from gsmooth import _backend
    >>> p = gs.problems.least_squares(n=20, d=3)
    >>> opt = gs.optim.sgd(0.1, batch=4)
    >>> points = [np.zeros((1, 3)), np.ones((2, 3))]
    >>> oracles = [Oracle(p, opt, _backend.run_generators(seeds), w)
    ...            for seeds, w in zip(([0], [1, 2]), points)]
    >>> asks = [(o, ((w,), 4)) for o, w in zip(oracles, points)]
    >>> [g[0].shape for g in answer(asks)], [o.drawn for o in oracles]
    ([(1, 3), (2, 3)], [4, 4])
    """
    answers: list = [None] * len(asks)
    by_size: dict = {}
    for position, (oracle, (points, batch)) in enumerate(asks):
        if batch is None:
            answers[position] = oracle.full_gradients(points)
        else:
            by_size.setdefault(batch, []).append((position, points, oracle.draw(batch), oracle))
    for group in by_size.values():
        _answer_minibatches(group, answers)
    return answers


def _answer_minibatches(group, answers) -> None:
    """Minibatch gradients of every ``(position, points, idx, oracle)`` of one batch size,
    in one call (the oracles share the problem and its data)."""
    sample_gradient = group[0][3].sample_gradient
    if len(group) == 1 and len(group[0][1]) == 1:
        position, (w,), idx, _ = group[0]
        answers[position] = (sample_gradient(w, idx),)
        return
    points = [w for _, ws, _, _ in group for w in ws]
    xp = _backend.namespace(points[0])
    idx = xp.concat([i for _, ws, i, _ in group for _ in ws], axis=0)
    grads = sample_gradient(xp.concat(points, axis=0), idx)
    start = 0
    for position, ws, _, _ in group:
        parts = []
        for w in ws:
            parts.append(grads[start : start + w.shape[0], ...])
            start += w.shape[0]
        answers[position] = tuple(parts)
