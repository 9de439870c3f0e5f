"""Seeded, spread starting points: what makes runs of a deterministic method independent.

The estimators' intervals resample runs, so the runs must differ: a
deterministic method (GD, AN-GD) started from one point gives copies whatever
the seeds.  :func:`spread_starts` puts run 0 at the problem's start and run
``r > 0`` at

    ``x0 + spread * max(1, ||x0||) * z_r / sqrt(d)``,   ``z_r ~ N(0, I)`` from ``seed``,

a perturbation of relative size about ``spread``; ``gsmooth estimate`` uses
the same starts (``--spread``, seed 0).
"""

from __future__ import annotations

import numpy as np

from gsmooth._checks import check_nonnegative, instance_of, nonnegative_int, positive_int, real_number
from gsmooth.problems.base import Problem


def spread_starts(problem, k: int, spread: float = 0.5, seed: int = 0) -> np.ndarray:
    """``k`` starting points around ``problem.start``, shape (k, d); see the module docstring.

    Examples
    --------
    >>> import gsmooth as gs
    >>> w0 = gs.estimate.spread_starts(gs.problems.power(d=3), 4)
    >>> w0.shape, w0[0].tolist()
    ((4, 3), [1.0, 1.0, 1.0])
    >>> res = gs.run(gs.problems.power(d=3), gs.optim.gd(0.05), 50, w0=w0, capture=True)
    """
    instance_of("problem", problem, Problem, "a gsmooth Problem (e.g. gs.problems.power())")
    k = positive_int("k", k)
    spread = check_nonnegative("spread", real_number("spread", spread))
    seed = nonnegative_int("seed", seed)
    x0 = problem.start
    z = np.random.default_rng(seed).standard_normal((k, problem.dim)) / np.sqrt(problem.dim)
    z[0] = 0.0
    return x0 + spread * max(1.0, float(np.linalg.norm(x0))) * z
