"""The run engine: ``k`` runs of one or several methods on one problem, in lockstep.

* :func:`run`, :func:`run_many` -- the batched run (:mod:`gsmooth.engine.loop`) and its
  lockstep loop (:mod:`gsmooth.engine.lockstep`);
* :mod:`gsmooth.engine.oracle` -- each run's samples and count, and the answers to the
  gradient requests of every optimizer of a step at once;
* :mod:`gsmooth.engine.recorder` -- traces, statuses and captures on the record grid;
* :class:`RunResult` and the status table (:mod:`gsmooth.engine.result`).
"""

from gsmooth.engine.loop import run, run_many
from gsmooth.engine.result import (
    CONVERGED,
    DIVERGED,
    MAX_STEPS,
    NONFINITE,
    STATUS_MESSAGES,
    RunResult,
    failed,
)

__all__ = [
    "CONVERGED",
    "DIVERGED",
    "MAX_STEPS",
    "NONFINITE",
    "STATUS_MESSAGES",
    "RunResult",
    "failed",
    "run",
    "run_many",
]
