"""The batched run loop: ``k`` runs of one method on one problem, in lockstep.

One loop serves every method.  Each step the optimizer's rule asks the oracle
for gradients; a run whose iterate turns non-finite is frozen at its last
finite iterate (``w = where(active, w_new, w)``) while the others go on.  Full
objectives are evaluated only at the record grid.
"""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from gsmooth import _backend
from gsmooth.oracle import Oracle
from gsmooth.recorder import Recorder, record_grid
from gsmooth.result import RunResult


def run(problem, optimizer, steps, seeds=None, w0=None, *, record="geometric", gap_tol=None,
        capture=False, keep_iterates=False, track_grad_norm=True, metric=None, device="numpy",
        dtype="float64", root_seed=0, diverge_factor=1e10, progress=None) -> RunResult:
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
        Record grid, see :func:`gsmooth.recorder.record_grid`.
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
    steps = _check_steps(steps)
    k = _n_runs(seeds, optimizer, w0)
    seed_values = _backend.seed_list(seeds if seeds is not None else k)
    w = _initial_iterates(problem, w0, k, device, dtype)
    xp, where = _backend.namespace(w), getattr(w, "device", None)
    hp = optimizer.columns(k, xp, w.dtype, where)
    oracle = Oracle(problem, optimizer, _backend.run_generators(seed_values, root_seed), xp, where)
    recorder = Recorder(problem, k, gap_tol, diverge_factor, capture, keep_iterates,
                        track_grad_norm, metric)
    grid = record_grid(steps, record)
    timing = {}
    with _backend.timed(xp, timing):
        w = _loop(w, optimizer, hp, oracle, recorder, grid, steps, progress)
    traces, captured = recorder.arrays(k)
    return RunResult(
        **traces, status=recorder.status, converged_at=recorder.converged_at,
        w=_backend.to_host(w), seeds=seed_values,
        problem={"name": problem.name, "dim": problem.dim, **problem.constants.as_dict()},
        optimizer=optimizer.describe(), f_star=problem.f_star, capture=captured,
        seconds=timing["seconds"],
    )


def _loop(w, optimizer, hp, oracle, recorder, grid, steps, progress):
    xp = _backend.namespace(w)
    k = w.shape[0]
    on_grid = set(grid.tolist())
    active = xp.ones((k, 1), dtype=xp.bool)
    finite = xp.ones((k, 1), dtype=xp.bool)
    samples = xp.zeros((k,), dtype=xp.int64)
    state = optimizer.init(w, hp)
    bar = tqdm(total=steps, disable=None if progress is None else not progress, leave=False)
    for t in range(steps + 1):
        if t in on_grid:
            active = recorder.record(t, w, samples, active, finite)
            if not bool(xp.any(active)):
                recorder.pad(grid)
                break
        if t == steps:
            break
        oracle.start_step(t)
        w_new, state_new = optimizer.rule(w, state, oracle, hp)
        samples = samples + xp.astype(active[:, 0], xp.int64) * oracle.drawn
        step_finite = xp.all(xp.isfinite(w_new), axis=-1, keepdims=True)
        finite = finite & (step_finite | ~active)
        keep = active & step_finite
        if recorder.capture_pairs and t in on_grid:
            recorder.capture(w, xp.where(keep, w_new, w))
        w = xp.where(keep, w_new, w)
        state = type(state)(*(xp.where(keep, new, old) for new, old in zip(state_new, state, strict=True)))
        active = keep
        bar.update(1)
    bar.close()
    return w


def _check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    return int(steps)


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


def _initial_iterates(problem, w0, k, device, dtype):
    """``w0`` (or the problem's start) as (k, d) iterates; a (1, d) start is shared by all runs."""
    if w0 is None:
        w0 = problem.start[None, :]
    if isinstance(w0, np.ndarray):
        xp = _backend.namespace_for(device)
        w0 = _backend.to_device(np.array(w0), xp, dtype=_backend.resolve_dtype(xp, dtype))
    xp = _backend.namespace(w0)
    shape = tuple(w0.shape)
    if shape not in ((k, problem.dim), (1, problem.dim)):
        raise ValueError(f"w0 must have shape ({k}, {problem.dim}), got {shape}")
    if not bool(xp.all(xp.isfinite(w0))):
        raise ValueError("w0 must be finite, got non-finite entries")
    return w0 if shape[0] == k else xp.broadcast_to(w0, (k, problem.dim))
