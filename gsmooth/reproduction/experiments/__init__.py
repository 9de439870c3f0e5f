"""The paper's experiments as data: settings per method, problem, warm start, ablations.

:mod:`gsmooth.reproduction` runs them; :mod:`gsmooth.reproduction.experiments.settings`
translates the released scripts' settings into gsmooth's optimizers.
"""

from __future__ import annotations

from gsmooth.reproduction.experiments.spec import Experiment

NAMES = ("phase-retrieval", "dro")


def get(name: str) -> Experiment:
    """The experiment named ``name`` (one of :data:`NAMES`).

    Examples
    --------
    >>> get("dro").steps
    1000
    """
    if name == "phase-retrieval":
        from gsmooth.reproduction.experiments.phase_retrieval import EXPERIMENT
    elif name == "dro":
        from gsmooth.reproduction.experiments.dro import EXPERIMENT
    else:
        raise ValueError(f"experiment must be one of {NAMES}, got {name!r}")
    return EXPERIMENT


__all__ = ["NAMES", "Experiment", "get"]
