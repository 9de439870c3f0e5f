"""What defines one of the paper's experiments: problem, warm start, methods, target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gsmooth.reproduction.experiments.settings import MethodSetting, normalized_lr


@dataclass(frozen=True)
class WarmStart:
    """Normalized GD from the problem's start, shared by every method and seed.

    The released scripts compute one warm start and hand it to every
    stochastic method; gsmooth does the same for every seed, so the seeds
    vary the sampling only.

    Attributes
    ----------
    gamma, beta : float
        Released step ``gamma g / ||g||^beta`` (full batch).
    steps : int
    """

    gamma: float
    beta: float
    steps: int

    def describe(self) -> dict:
        """JSON-ready description."""
        return {"method": "normalized GD", "gamma": self.gamma, "beta": self.beta,
                "steps": self.steps}

    def point(self, problem, grad_scale: float) -> np.ndarray:
        """The warm start (d,), computed on the host in float64."""
        from gsmooth import optim
        from gsmooth.engine import run

        lr = normalized_lr(self.gamma, self.beta, grad_scale)
        result = run(problem, optim.an_gd(lr, beta=self.beta), self.steps,
                     w0=problem.start[None, :], record=[0], progress=False)
        return result.w[0]


@dataclass(frozen=True)
class Experiment:
    """One experiment of the paper.

    Attributes
    ----------
    name, title : str
        Command-line name (``"phase-retrieval"``) and figure title.
    steps : int
        Stochastic iterations (records ``0..steps``).
    grad_scale : float
        gsmooth's gradient over the released script's gradient.
    methods : tuple of MethodSetting
        The compared methods; the one keyed ``"ian_sgd"`` is the base of the ablations.
    warm_start : WarmStart
    make_problem : callable
        ``make_problem(data, released, **options) -> Problem``.
    metric : {"loss", "psi"}
        The reported metric: the recorded objective, or ``problem.psi`` of the iterates.
    metric_label : str
    target : callable
        ``target(problem, finals) -> (value, rule)`` from the problem and the
        median final metric of every curve.
    reference : dict
        Published numbers (read off the released figures), for the report.
    notes : tuple of str
        Where gsmooth's run departs from the released script, and why.
    budget : float or None
        Sample budget of the released figure's x-axis when it is smaller than
        the smallest total of the compared methods (``None``: that total).
    """

    name: str
    title: str
    steps: int
    grad_scale: float
    methods: tuple[MethodSetting, ...]
    warm_start: WarmStart
    make_problem: Callable
    metric: str
    metric_label: str
    target: Callable
    reference: dict
    notes: tuple[str, ...]
    budget: float | None = None

    def method(self, key: str) -> MethodSetting:
        """The method setting named ``key``."""
        for setting in self.methods:
            if setting.key == key:
                return setting
        raise ValueError(f"method must be one of {[m.key for m in self.methods]}, got {key!r}")

    def describe(self) -> dict:
        """JSON-ready description of the experiment's fixed settings."""
        return {"name": self.name, "steps": self.steps, "grad_scale": self.grad_scale,
                "warm_start": self.warm_start.describe(), "metric": self.metric,
                "reference": self.reference, "notes": list(self.notes), "budget": self.budget}
