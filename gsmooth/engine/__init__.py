"""The run engine: ``k`` runs of one or several methods on one problem, in lockstep.

* :func:`run`, :func:`run_many` -- the batched loop (:mod:`gsmooth.engine.loop`);
* :class:`~gsmooth.engine.oracle.Oracle` -- what a rule asks for, and the sample count;
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
