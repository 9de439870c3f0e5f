"""The batched run: ``k`` runs of one or several methods on one problem, in lockstep.

One loop serves every method (:mod:`gsmooth.engine.lockstep`).  Each step the
optimizers' rules ask for gradients, and the requests of all of them are
answered together (:mod:`gsmooth.engine.oracle`); a run whose iterate turns
non-finite is frozen at its last finite iterate while the others go on.  Full
objectives are evaluated only at the record grid.  :func:`run_many` stacks the
runs of several optimizers into one such loop, each with its own sample streams.
"""

from __future__ import annotations

import numpy as np

from gsmooth import _backend
from gsmooth._checks import flag, nonnegative_int
from gsmooth.engine.lockstep import Member, lockstep
from gsmooth.engine.oracle import Oracle
from gsmooth.engine.recorder import Recorder, Recording, record_grid
from gsmooth.engine.result import RunResult
from gsmooth.engine.starts import initial_iterates
from gsmooth.optim.base import Optimizer
from gsmooth.problems.base import Problem


def run(problem, optimizer, steps, seeds=None, w0=None, **options) -> RunResult:
    """Advance ``k`` runs of ``optimizer`` on ``problem`` for ``steps`` steps.

    ``run(problem, optimizer, ...)`` is ``run_many(problem, [optimizer], ...)[0]``;
    see :func:`run_many` for every option.

    Parameters
    ----------
    problem : Problem
        The objective (see :mod:`gsmooth.problems`).
    optimizer : Optimizer
        The method (see :mod:`gsmooth.optim`); sequence hyperparameters give
        one value per run.
    steps : int
        Number of steps.
    seeds : int or sequence of int, optional
        A count ``k`` (seeds ``0..k-1``) or the seeds themselves; run ``r``
        samples from its own stream (see :func:`gsmooth._backend.seed_sequences`).
        Default: as many runs as the hyperparameters or ``w0`` ask for.
    w0 : array, shape (k, d) or (1, d), optional
        Starting points (a single row is shared by all runs); default the
        problem's ``start`` for every run.
    **options
        ``record``, ``gap_tol``, ``capture``, ``keep_iterates``,
        ``track_grad_norm``, ``metric``, ``diverge_factor`` (see
        :class:`~gsmooth.engine.recorder.Recording`), ``device``, ``dtype``,
        ``root_seed``, ``overlap``, ``progress`` (see :func:`run_many`).

    Returns
    -------
    RunResult

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.quadratic([1.0, 2.0])
    >>> res = gs.run(p, gs.optim.gd(lr=[0.1, 0.5]), steps=100, gap_tol=1e-8, record=1)
    >>> res.status.tolist(), res.converged_at.tolist()
    ([1, 1], [85, 13])
    """
    return run_many(problem, [optimizer], steps, seeds, w0, **options)[0]


def run_many(problem, optimizers, steps, seeds=None, w0=None, *, device=None, dtype=None,
             root_seed=0, overlap=False, progress=None, **recording) -> list[RunResult]:
    """Run several optimizers on one problem in one lockstep loop.

    Each optimizer's runs are exactly those of ``run(problem, optimizer,
    steps, seeds, w0, ...)``: the same seeds, streams and updates.  The loop
    stacks every method's iterates, so each record evaluates the objective of
    all runs of all methods in one batched call, and the host decisions
    (status, divergence) are taken once per record for all of them: the
    cheapest way to compare methods.

    Parameters
    ----------
    problem : Problem
    optimizers : sequence of Optimizer
        The methods; each has as many runs as :func:`run` would give it.
    steps, seeds, w0
        As in :func:`run`, applied to every optimizer.
    device : {"numpy", "cupy", "array-api-strict"}, optional
        Where the runs happen.  Default: the namespace of ``w0`` when it is a
        device array, else NumPy; a ``device`` that contradicts ``w0``'s
        namespace raises.
    dtype : {"float64", "float32"}, optional
        Default: ``w0``'s dtype when it is a device array, else float64; a
        ``dtype`` that contradicts a device ``w0`` raises.
    root_seed : int
        Root of the per-run seed sequences.
    overlap : bool
        Evaluate each record in a helper thread while the step's gradients
        are computed; the results are identical.  It pays when records are
        dense and each costs well over a thread handoff (about 0.1 ms), with
        BLAS on one thread so that the two threads do not oversubscribe a
        small machine (``threadpoolctl.threadpool_limits(1)``); on small
        problems the handoffs cost more than they save, and on CuPy, where
        both threads launch onto one stream, it does not pay (the paper's
        phase retrieval on an H200: 1.61 s against 1.20 s).  Measured numbers
        are in ``analysis/bench_engine.py``.
    progress : bool or None
        Progress bar; ``None`` shows it only on a terminal.
    **recording
        What to record and when to stop a run: the fields of
        :class:`~gsmooth.engine.recorder.Recording` (``record``, ``gap_tol``,
        ``capture``, ``keep_iterates``, ``track_grad_norm``, ``metric``,
        ``diverge_factor``).

    Returns
    -------
    list of RunResult
        One per optimizer, in order.  ``seconds`` is the time of the shared
        loop.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.quadratic([1.0, 2.0])
    >>> gd, normalized = gs.optim.gd(lr=0.1), gs.optim.an_gd(lr=0.1, beta=1.0)
    >>> both = gs.run_many(p, [gd, normalized], steps=50, seeds=2, record=10)
    >>> [r.loss.shape for r in both]
    [(6, 2), (6, 2)]
    >>> bool((both[0].loss == gs.run(p, gd, steps=50, seeds=2, record=10).loss).all())
    True
    """
    options = Recording.from_options(recording)
    optimizers = _check_inputs(problem, optimizers)
    steps = nonnegative_int("steps", steps)
    root_seed = nonnegative_int("root_seed", root_seed)
    overlap, progress = flag("overlap", overlap), flag("progress", progress, none=True)
    counts = [_n_runs(seeds, opt, w0) for opt in optimizers]
    seed_values = [_backend.seed_list(seeds if seeds is not None else k) for k in counts]
    w = initial_iterates(problem, w0, counts, device, dtype)
    xp = _backend.namespace(w)
    members = _members(problem, optimizers, counts, seed_values, root_seed, w)
    recorder = Recorder(problem, w.shape[0], options)
    grid = record_grid(steps, options.record)
    timing = {}
    try:
        with _backend.timed(xp, timing):
            w = lockstep(w, members, recorder, grid, steps, overlap, progress)
    finally:
        _backend.release_scratch()
    traces, captured = recorder.arrays(w.shape[0])
    host_w = _backend.to_host(w)
    problem_info = {"name": problem.name, "dim": problem.dim, **problem.constants.as_dict()}
    return [
        RunResult(
            **_columns(traces, m.rows), status=recorder.status[m.rows],
            converged_at=recorder.converged_at[m.rows], w=host_w[m.rows], seeds=values,
            problem=dict(problem_info), optimizer=m.optimizer.describe(), f_star=problem.f_star,
            capture=_columns(captured, m.rows), seconds=timing["seconds"],
        )
        for m, values in zip(members, seed_values, strict=True)
    ]


def _check_inputs(problem, optimizers) -> list[Optimizer]:
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a gsmooth Problem (e.g. gs.problems.power()), "
                        f"got {type(problem).__name__}")
    if isinstance(optimizers, Optimizer):
        raise TypeError("run_many takes a sequence of optimizers; for one, use gs.run "
                        "or pass [optimizer]")
    optimizers = list(optimizers)
    if not optimizers:
        raise ValueError("optimizers must hold at least one Optimizer, got none")
    for opt in optimizers:
        if not isinstance(opt, Optimizer):
            raise TypeError(f"optimizer must be a gsmooth Optimizer (e.g. gs.optim.gd(0.1)), "
                            f"got {type(opt).__name__} {opt!r}")
    return optimizers


def _members(problem, optimizers, counts, seed_values, root_seed, w):
    members, first = [], 0
    xp, where = _backend.namespace(w), getattr(w, "device", None)
    for opt, k, values in zip(optimizers, counts, seed_values, strict=True):
        hp = opt.columns(k, xp, w.dtype, where)
        # streams only for a method that draws: 4096 of them take 35 ms to make
        generators = _backend.run_generators(values, root_seed) if opt.stochastic else []
        oracle = Oracle(problem, opt, generators, w)
        members.append(Member(opt, slice(first, first + k), hp, oracle, whole=len(optimizers) == 1))
        first += k
    return members


def _columns(arrays, rows):
    """The columns ``rows`` (axis 1) of every array in ``arrays``; ``None`` stays."""
    return {name: None if a is None else a[:, rows] for name, a in arrays.items()}


def _n_runs(seeds, optimizer, w0):
    counts = {"hyperparameters": optimizer.n_runs}
    if seeds is not None:
        counts["seeds"] = len(_backend.seed_list(seeds))
    if w0 is not None:
        shape = tuple(np.shape(w0)) if not hasattr(w0, "shape") else tuple(w0.shape)
        if len(shape) != 2:
            raise ValueError(f"w0 must have shape (k, d), got {shape}")
        counts["w0"] = int(shape[0])
    sizes = {n for n in counts.values() if n != 1}
    if len(sizes) > 1:
        raise ValueError(f"the number of runs must agree, got {counts}")
    return sizes.pop() if sizes else 1
