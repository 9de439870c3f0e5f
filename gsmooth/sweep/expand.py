"""Expand a sweep spec into units of work.

A *run* is one trajectory: a problem, a method, its hyperparameters, a seed.
A *unit* is the set of runs one call of :func:`gsmooth.run` advances together:
runs that differ only in per-run hyperparameters (step sizes, betas, momenta,
...) and seeds share a unit, because the engine batches them; a different
problem, problem parameter, batch size, period or step count makes a new unit.

Keys are content hashes: ``sha256`` of the canonical JSON (sorted keys, no
spaces) of a run's or a unit's configuration.  Labels are left out, so
renaming a table in the spec reuses what is stored.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, replace

from gsmooth.sweep.spec import Spec

STORE_FORMAT = "gsmooth-sweep-1"


def canonical_json(data) -> str:
    """JSON with sorted keys and no spaces: the text that keys hash.

    Examples
    --------
    >>> canonical_json({"b": 1, "a": [0.5, None]})
    '{"a":[0.5,null],"b":1}'
    """
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def content_hash(data) -> str:
    """``sha256`` hex digest of :func:`canonical_json` of ``data``."""
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


@dataclass(frozen=True)
class Run:
    """One run of a unit: its per-run hyperparameters and its seed."""

    hyper: tuple
    seed: int

    def as_dict(self) -> dict:
        """Hyperparameters and seed as one JSON-ready dict."""
        return {**dict(self.hyper), "seed": self.seed}


@dataclass(frozen=True)
class Unit:
    """Runs advanced by one batched call of :func:`gsmooth.run`.

    Attributes
    ----------
    problem_label, method_label : str
        Table labels in the spec (for tables and plots; not hashed).
    config : dict
        ``{"problem": {"name": ..., params}, "method": {"name": ..., batch sizes},
        "steps": int, "settings": {...}}``; everything but the runs.
    runs : tuple of Run
    """

    problem_label: str
    method_label: str
    config: dict
    runs: tuple

    def run_key(self, run: Run) -> str:
        """Content hash of one run's full configuration."""
        return content_hash({"format": STORE_FORMAT, **self.config, "run": run.as_dict()})

    @property
    def run_keys(self) -> list[str]:
        """Keys of the unit's runs, in run order."""
        return [self.run_key(run) for run in self.runs]

    @property
    def key(self) -> str:
        """Content hash of the unit: its configuration and its runs."""
        return content_hash({"format": STORE_FORMAT, **self.config,
                             "runs": [run.as_dict() for run in self.runs]})

    @property
    def label(self) -> str:
        """A short name for messages: ``power(d=3) / sgd(batch=4), 500 steps``.

        Examples
        --------
        >>> unit = Unit("pr", "sgd", {"problem": {"name": "phase_retrieval", "d": 20},
        ...             "method": {"name": "sgd", "batch": 4}, "steps": 500}, ())
        >>> unit.label
        'pr(d=20) / sgd(batch=4), 500 steps'
        """
        def named(label, params):
            shown = ", ".join(f"{k}={v}" for k, v in params.items()
                              if k != "name" and not isinstance(v, (dict, list)))
            return f"{label}({shown})" if shown else label

        return (f"{named(self.problem_label, self.config['problem'])} / "
                f"{named(self.method_label, self.config['method'])}, {self.config['steps']} steps")

    def subset(self, keep) -> Unit:
        """The same unit with only the runs whose index is in ``keep``."""
        return replace(self, runs=tuple(run for i, run in enumerate(self.runs) if i in keep))

    def payload(self) -> dict:
        """What a worker needs (plain JSON-ready data, cheap to send)."""
        return {"config": self.config, "runs": [run.as_dict() for run in self.runs]}


def _product(grid: dict) -> list[dict]:
    return [dict(zip(grid, values)) for values in itertools.product(*grid.values())]


def expand(spec: Spec) -> list[Unit]:
    """All units of ``spec``, each with all of its runs, in a fixed order.

    Order: problems, problem-parameter grid, optimizers, batch-size grid,
    steps; inside a unit, the per-run hyperparameter grid, then seeds.

    Examples
    --------
    >>> from gsmooth.sweep.spec import parse_spec
    >>> spec = parse_spec('''
    ... [sweep]
    ... steps = [10, 20]
    ... seeds = 3
    ... [problems.power]
    ... d = 4
    ... [optimizers.an_gd]
    ... lr = [0.01, 0.1]
    ... beta = [0.5, 1.0]
    ... ''')
    >>> units = expand(spec)
    >>> len(units), len(units[0].runs), units[0].runs[1].as_dict()
    (2, 12, {'lr': 0.01, 'beta': 0.5, 'seed': 1})
    """
    units = []
    for problem in spec.problems:
        for params in _product(problem.grid):
            for optimizer in spec.optimizers:
                if problem.label not in optimizer.problems:
                    continue
                runs = tuple(Run(tuple(hyper.items()), seed)
                             for hyper in _product(optimizer.per_run) for seed in spec.seeds)
                for shape, steps in itertools.product(_product(optimizer.shape), spec.steps):
                    config = {
                        "problem": {"name": problem.name, **params},
                        "method": {"name": optimizer.name, **shape},
                        "steps": steps,
                        "settings": spec.settings,
                    }
                    units.append(Unit(problem.label, optimizer.label, config, runs))
    return units
