"""The batched run loop: ``k`` runs of one or several methods on one problem, in lockstep.

One loop serves every method.  Each step the optimizer's rule asks the oracle
for gradients; a run whose iterate turns non-finite is frozen at its last
finite iterate (``w = where(active, w_new, w)``) while the others go on.  Full
objectives are evaluated only at the record grid.  :func:`run_many` stacks the
runs of several optimizers into one such loop, each with its own oracle.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np
from tqdm.auto import tqdm

from gsmooth import _backend
from gsmooth._checks import nonnegative_int
from gsmooth.engine.oracle import Oracle
from gsmooth.engine.recorder import Recorder, record_grid
from gsmooth.engine.result import RunResult


def run(problem, optimizer, steps, seeds=None, w0=None, *, record="geometric", gap_tol=None,
        capture=False, keep_iterates=False, track_grad_norm=True, metric=None, device="numpy",
        dtype="float64", root_seed=0, diverge_factor=1e10, overlap=False,
        progress=None) -> RunResult:
    """Advance ``k`` runs of ``optimizer`` on ``problem`` for ``steps`` steps.

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
        samples from its own stream (see :func:`gsmooth._backend.seed_sequences`),
        so it gives the same result alone or in any batch.  Default: as many
        runs as the hyperparameters or ``w0`` ask for.
    w0 : array, shape (k, d) or (1, d), optional
        Starting points (a single row is shared by all runs); default the
        problem's ``start`` for every run.  Its namespace (NumPy, CuPy, ...)
        selects where the run happens.
    record : "geometric", int or sequence of int
        Record grid, see :func:`gsmooth.engine.recorder.record_grid`.
    gap_tol : float, optional
        Stop a run (status ``CONVERGED``) once ``F - F* <= gap_tol`` at a record.
    capture, keep_iterates : bool
        Keep the smoothness pairs the estimators need; keep iterates at records.
    track_grad_norm : bool
        Record ``||grad F||`` (a full gradient per record); ``False`` halves the
        cost of dense recording and leaves ``grad_norm`` NaN.
    metric : callable, optional
        ``metric(w) -> (k,)`` evaluated on the device at every record and kept
        in ``RunResult.metric`` (e.g. ``problem.psi`` for DRO).
    device : {"numpy", "cupy", "array-api-strict"}
        Namespace when ``w0`` is not given (or is a NumPy array).
    dtype : {"float64", "float32"}
    root_seed : int
        Root of the per-run seed sequences.
    diverge_factor : float
        A run whose loss exceeds ``diverge_factor * max(1, |F(w_0)|)`` is marked
        diverged and frozen.
    overlap : bool
        Evaluate each record in a helper thread while the step's gradients
        are computed; the results are identical.  It pays when records are
        dense and each costs well over a thread handoff (about 0.1 ms), with
        BLAS on one thread so that the two threads do not oversubscribe a
        small machine (``threadpoolctl.threadpool_limits(1)``); on small
        problems the handoffs cost more than they save.  Measured numbers are
        in ``analysis/bench_engine.py``.
    progress : bool or None
        Progress bar; ``None`` shows it only on a terminal.

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
    return run_many(problem, [optimizer], steps, seeds, w0, record=record, gap_tol=gap_tol,
                    capture=capture, keep_iterates=keep_iterates,
                    track_grad_norm=track_grad_norm, metric=metric, device=device, dtype=dtype,
                    root_seed=root_seed, diverge_factor=diverge_factor, overlap=overlap,
                    progress=progress)[0]


def run_many(problem, optimizers, steps, seeds=None, w0=None, *, record="geometric",
             gap_tol=None, capture=False, keep_iterates=False, track_grad_norm=True,
             metric=None, device="numpy", dtype="float64", root_seed=0, diverge_factor=1e10,
             overlap=False, progress=None) -> list[RunResult]:
    """Run several optimizers on one problem in one lockstep loop.

    Each optimizer's runs are exactly those of ``run(problem, optimizer,
    steps, seeds, w0, ...)``: the same seeds, streams and updates.  The loop
    stacks every method's iterates, so each record evaluates the objective of
    all runs of all methods in one batched call, and the host decisions
    (status, divergence) are taken once per record for all of them: the
    cheapest way to compare methods.  The keyword arguments are those of
    :func:`run`.

    Parameters
    ----------
    problem : Problem
    optimizers : sequence of Optimizer
        The methods; each has as many runs as :func:`run` would give it.
    steps, seeds, w0
        As in :func:`run`, applied to every optimizer.

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
    steps = nonnegative_int("steps", steps)
    optimizers = list(optimizers)
    if not optimizers:
        raise ValueError("optimizers must hold at least one Optimizer, got none")
    counts = [_n_runs(seeds, opt, w0) for opt in optimizers]
    seed_values = [_backend.seed_list(seeds if seeds is not None else k) for k in counts]
    w = _initial_iterates(problem, w0, counts, device, dtype)
    xp, where = _backend.namespace(w), getattr(w, "device", None)
    members = _members(problem, optimizers, counts, seed_values, root_seed, xp, w.dtype, where)
    recorder = Recorder(problem, w.shape[0], gap_tol, diverge_factor, capture, keep_iterates,
                        track_grad_norm, metric)
    grid = record_grid(steps, record)
    timing = {}
    with _backend.timed(xp, timing):
        w = _loop(w, members, recorder, grid, steps, overlap, progress)
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


class _Member:
    """One optimizer's block of rows in the stacked iterates, with its own oracle."""

    def __init__(self, optimizer, rows, hp, oracle):
        self.optimizer, self.rows, self.hp, self.oracle = optimizer, rows, hp, oracle
        self.state = None

    def step(self, t, w):
        """The rule's next iterates and state for this member's rows of ``w``."""
        self.oracle.start_step(t)
        return self.optimizer.rule(w[self.rows, ...], self.state, self.oracle, self.hp)


def _members(problem, optimizers, counts, seed_values, root_seed, xp, dtype, where):
    members, first = [], 0
    for opt, k, values in zip(optimizers, counts, seed_values, strict=True):
        hp = opt.columns(k, xp, dtype, where)
        oracle = Oracle(problem, opt, _backend.run_generators(values, root_seed), xp, where)
        members.append(_Member(opt, slice(first, first + k), hp, oracle))
        first += k
    return members


def _loop(w, members, recorder, grid, steps, overlap, progress):
    """The lockstep loop; with ``overlap`` a record runs beside the step it precedes.

    A step's proposals depend on ``w`` alone; the record decides which runs
    keep theirs, so the two meet before the proposals are applied.
    """
    xp = _backend.namespace(w)
    k = w.shape[0]
    on_grid = set(grid.tolist())
    active = xp.ones((k, 1), dtype=xp.bool)
    finite = xp.ones((k, 1), dtype=xp.bool)
    samples = xp.zeros((k,), dtype=xp.int64)
    drawn_columns = {}
    for m in members:
        m.state = m.optimizer.init(w[m.rows, ...], m.hp)
    bar = tqdm(total=steps, disable=None if progress is None else not progress, leave=False)
    with ThreadPoolExecutor(max_workers=1) if overlap else nullcontext() as helper:
        for t in range(steps + 1):
            record = None
            if t in on_grid:
                record = _call(helper, recorder.record, t, w, samples, active, finite)
            proposals = [m.step(t, w) for m in members] if t < steps else None
            if record is not None:
                active = record()
                if not bool(xp.any(active)):
                    recorder.pad(grid)
                    break
            if t == steps:
                break
            w_new = _stack([p[0] for p in proposals], xp)
            drawn = _drawn(members, drawn_columns, xp, getattr(w, "device", None))
            samples = samples + xp.astype(active[:, 0], xp.int64) * drawn
            step_finite = xp.all(xp.isfinite(w_new), axis=-1, keepdims=True)
            finite = finite & (step_finite | ~active)
            keep = active & step_finite
            if recorder.capture_pairs and t in on_grid:
                recorder.capture(w, xp.where(keep, w_new, w))
            w = xp.where(keep, w_new, w)
            for m, (_, state_new) in zip(members, proposals, strict=True):
                rows = keep[m.rows, ...]
                m.state = type(m.state)(*(xp.where(rows, new, old)
                                          for new, old in zip(state_new, m.state, strict=True)))
            active = keep
            bar.update(1)
    bar.close()
    return w


def _call(helper, fn, *args):
    """Start ``fn(*args)`` in the helper thread, or run it now without one; return a
    function that gives its result."""
    if helper is None:
        result = fn(*args)
        return lambda: result
    return helper.submit(fn, *args).result


def _stack(parts, xp):
    return parts[0] if len(parts) == 1 else xp.concat(parts, axis=0)


def _drawn(members, cache, xp, device):
    """Samples drawn this step by each run: an int for one member, else a cached (k,) column."""
    counts = tuple(m.oracle.drawn for m in members)
    if len(counts) == 1:
        return counts[0]
    if counts not in cache:
        sizes = [m.rows.stop - m.rows.start for m in members]
        cache[counts] = _backend.to_device(np.repeat(counts, sizes), xp, device)
    return cache[counts]


def _columns(arrays, rows):
    """The columns ``rows`` (axis 1) of every array in ``arrays``; ``None`` stays."""
    return {name: None if a is None else a[:, rows] for name, a in arrays.items()}


def _n_runs(seeds, optimizer, w0):
    counts = {"hyperparameters": optimizer.n_runs}
    if seeds is not None:
        counts["seeds"] = len(_backend.seed_list(seeds))
    if w0 is not None:
        if len(w0.shape) != 2:
            raise ValueError(f"w0 must have shape (k, d), got {tuple(w0.shape)}")
        counts["w0"] = int(w0.shape[0])
    sizes = {n for n in counts.values() if n != 1}
    if len(sizes) > 1:
        raise ValueError(f"the number of runs must agree, got {counts}")
    return sizes.pop() if sizes else 1


def _initial_iterates(problem, w0, counts, device, dtype):
    """Stacked (sum(counts), d) starting iterates: ``w0`` (or the problem's start) per member;
    a (1, d) start is shared by all runs."""
    if w0 is None:
        w0 = problem.start[None, :]
    if isinstance(w0, np.ndarray):
        xp = _backend.namespace_for(device)
        w0 = _backend.to_device(np.array(w0), xp, dtype=_backend.resolve_dtype(xp, dtype))
    xp = _backend.namespace(w0)
    shape = tuple(w0.shape)
    if shape not in ((counts[0], problem.dim), (1, problem.dim)):
        raise ValueError(f"w0 must have shape ({counts[0]}, {problem.dim}), got {shape}")
    if not bool(xp.all(xp.isfinite(w0))):
        raise ValueError("w0 must be finite, got non-finite entries")
    if len(counts) == 1 and shape[0] == counts[0]:
        return w0
    return xp.concat([xp.broadcast_to(w0, (k, problem.dim)) for k in counts], axis=0)
