"""The lockstep loop of :func:`gsmooth.run_many`: every run of every optimizer, one step at a time.

Each step collects the gradient requests of every optimizer's direction
(:mod:`gsmooth.optim.directions`), answers them together
(:func:`gsmooth.engine.oracle.answer`), and each direction combines its
answers into ``(v, u, state)``, which :meth:`gsmooth.optim.Optimizer.update`
turns into a step.  The host keeps what the step needs to decide
(:class:`Runs`): which runs still step, which stepped to a non-finite
iterate, and how many samples each has drawn.  While every run steps, the
step costs its rules and one sum: the new iterates replace the old ones as
they are, and the sample counts advance as integers on the host.  A
non-finite sum, or a run stopped at a record, switches to the masked step that
freezes stopped runs (``w = where(keep, w_new, w)``, and the same for each
state).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np
from tqdm.auto import tqdm

from gsmooth import _backend
from gsmooth.engine.oracle import answer
from gsmooth.optim.directions import GRADIENT


class Member:
    """One optimizer's block of rows in the stacked iterates, with its oracle and state."""

    def __init__(self, optimizer, rows, hp, oracle, whole):
        self.optimizer, self.rows, self.hp, self.oracle = optimizer, rows, hp, oracle
        self.whole = whole
        self.size = rows.stop - rows.start
        self.state = None

    def part(self, x):
        """This member's rows of the stacked array ``x``."""
        return x if self.whole else x[self.rows, ...]


class Runs:
    """Host bookkeeping of the runs between records.

    Attributes
    ----------
    active : ndarray of bool, shape (k,)
        Runs that still step.
    finite : ndarray of bool, shape (k,)
        Runs that never stepped to a non-finite iterate while active.
    all_active : bool
        Every run steps (the unmasked step applies).
    """

    def __init__(self, members, k):
        self.members = members
        self.active = np.ones(k, dtype=bool)
        self.finite = np.ones(k, dtype=bool)
        self.all_active = True
        self._frozen = np.zeros(k, dtype=np.int64)

    def samples(self) -> np.ndarray:
        """Samples drawn by each run so far: its oracle's count (every run of an optimizer
        draws as many), or its count when it stopped."""
        counts = np.concatenate([np.full(m.size, m.oracle.drawn, dtype=np.int64)
                                 for m in self.members])
        return np.where(self.active, counts, self._frozen)

    def stop(self, stopped, samples=None) -> None:
        """Stop the runs of mask ``stopped`` (k,), their samples frozen at ``samples``
        (default: their count now)."""
        newly = self.active & stopped
        if newly.any():
            self._frozen[newly] = (self.samples() if samples is None else samples)[newly]
            self.active &= ~newly
            self.all_active = False

    def keep_finite(self, w_new, xp) -> np.ndarray:
        """Runs that stay active after a step to ``w_new``: the active ones whose new iterate is
        finite; the others stop and are marked non-finite."""
        step_finite = _backend.to_host(xp.all(xp.isfinite(w_new), axis=-1))
        self.finite &= step_finite | ~self.active
        self.stop(~step_finite)
        return self.active.copy()


def propose(members, w) -> tuple:
    """Every optimizer's proposed step at the stacked iterates ``w``: ``(w_next, states)``,
    the next iterates stacked in the members' order and one new state per member.

    Each optimizer's direction names the gradients its step needs
    (:mod:`gsmooth.optim.directions`); the requests of every optimizer are
    answered in one :func:`~gsmooth.engine.oracle.answer`, and each
    direction's ``(v, u, state)`` from its answers gives
    ``optimizer.update(w, v, u, hp)`` and ``state``.  A lone optimizer whose
    direction is :data:`~gsmooth.optim.directions.GRADIENT` (GD, SGD, AN-GD,
    AN-SGD, NSGD, clipped methods) has its one request answered directly, as
    ``v = u = g`` with the state unchanged, which is what that direction's
    requests and combine give: on a small problem those calls were 6% of
    the step's instructions (``power(d=10)``, one run).
    """
    if len(members) == 1:  # every gs.run: the requests answered in order on its runs alone
        (m,) = members
        direction, hp = m.optimizer.direction, m.hp
        if direction is GRADIENT:
            g = m.oracle.gradient(w, hp.batch)
            return m.optimizer.update(w, g, g, hp), [m.state]
        answers = tuple(map(m.oracle.gradients, direction.requests(w, m.state, hp)))
        v, u, state = direction.combine(answers, w, m.state, hp)
        return m.optimizer.update(w, v, u, hp), [state]
    parts = [m.part(w) for m in members]
    requests = [m.optimizer.direction.requests(part, m.state, m.hp)
                for m, part in zip(members, parts, strict=True)]
    answers = iter(answer([(m.oracle, r) for m, asked in zip(members, requests, strict=True)
                           for r in asked]))
    w_next, states = [], []
    for m, part, asked in zip(members, parts, requests, strict=True):
        v, u, state = m.optimizer.direction.combine(
            tuple(next(answers) for _ in asked), part, m.state, m.hp)
        w_next.append(m.optimizer.update(part, v, u, m.hp))
        states.append(state)
    return _backend.namespace(w).concat(w_next, axis=0), states


def lockstep(w, members, recorder, grid, steps, overlap=False, progress=None):
    """Advance the stacked iterates ``w`` for ``steps`` steps, recording on ``grid``; return
    the final iterates.  With ``overlap`` a record runs in a helper thread beside the step
    it precedes.

    A step's proposals depend on ``w`` alone; the record decides which runs
    keep theirs, so the two meet before the proposals are applied.
    """
    xp = _backend.namespace(w)
    device = getattr(w, "device", None)
    on_grid = set(grid.tolist())
    runs = Runs(members, w.shape[0])
    for m in members:
        m.state = m.optimizer.init(m.part(w), m.hp)
    methods = ", ".join(dict.fromkeys(m.optimizer.name for m in members))
    bar = tqdm(total=steps, desc=f"{methods}, {w.shape[0]} runs", unit="step", leave=False,
               disable=None if progress is None else not progress)
    with ThreadPoolExecutor(max_workers=1) if overlap else nullcontext() as helper:
        for t in range(steps + 1):
            record = None
            if t in on_grid:
                samples = runs.samples()
                record = _call(helper, recorder.record, t, w, samples, runs.active.copy(),
                               runs.finite.copy())
            if t < steps:
                w_new, states = propose(members, w)
            if record is not None:
                runs.stop(~record(), samples)
                if not runs.active.any():
                    recorder.pad(grid)
                    break
            if t == steps:
                break
            keep = None
            if not (runs.all_active and _backend.all_finite(w_new)):
                keep = _backend.to_device(runs.keep_finite(w_new, xp)[:, None], xp, device)
            if recorder.capture_pairs and t in on_grid:
                recorder.capture(w, w_new if keep is None else xp.where(keep, w_new, w))
            for m, state in zip(members, states, strict=True):
                m.state = state if keep is None else _frozen_where_stopped(state, m.state,
                                                                            m.part(keep), xp)
            w = w_new if keep is None else xp.where(keep, w_new, w)
            if not bar.disable:
                bar.update(1)
    bar.close()
    return w


def _frozen_where_stopped(new, old, keep, xp):
    """The rule's new state where a run keeps its step, the old one where it stopped.

    Array fields carry the run axis first; ``int`` fields (a step count) are
    shared by every run and always advance.
    """
    return type(new)(*(n if isinstance(n, int) else xp.where(keep, n, o)
                       for n, o in zip(new, old, strict=True)))


def _call(helper, fn, *args):
    """Start ``fn(*args)`` in the helper thread, or run it now without one; return a
    function that gives its result."""
    if helper is None:
        result = fn(*args)
        return lambda: result
    return helper.submit(fn, *args).result
