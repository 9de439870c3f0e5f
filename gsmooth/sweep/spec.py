"""Read and check a sweep spec (TOML); see :mod:`gsmooth.sweep` for the schema.

Every value is checked before anything runs.  A problem is one line that names
the key: ``sweep spec: unknown key 'optimizers.an_gd.lrr' (allowed: ...)``,
``sweep spec: 'sweep.steps' must be an integer, got '100'``,
``sweep spec: 'optimizers.an_gd.lr' is an empty grid``.  This module checks
types, names and ranges; :func:`gsmooth.sweep.build.check_units` then builds
every unit's problem and optimizer (``d = -4``, an unreadable data file, a
minibatch method on a deterministic problem, a missing device).
"""

from __future__ import annotations

import inspect
import itertools
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from gsmooth import optim
from gsmooth._backend import DEVICES
from gsmooth._checks import instance_of

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SHAPE_PARAMETERS = ("batch", "batch2", "period")
METHODS = tuple(name for name in optim.__all__ if name != "Optimizer")
INT, FLOAT, STR, VECTOR, PROBLEM = "integer", "number", "string", "list of numbers", "table"
PROBLEM_PARAMETERS = {
    "quadratic": {"eigs": VECTOR},
    "power": {"d": INT, "p": FLOAT},
    "cosh": {"d": INT, "scale": FLOAT},
    "least_squares": {"n": INT, "d": INT, "seed": INT},
    "finite_sum": {"base": PROBLEM, "n": INT, "tau1": FLOAT, "tau2": FLOAT, "seed": INT},
    "phase_retrieval": {"m": INT, "d": INT, "seed": INT, "noise_std": FLOAT, "signal_std": FLOAT,
                        "kernels": STR},
    "dro": {"data": STR, "lam": FLOAT, "seed": INT, "n": INT, "d": INT, "preprocessing": STR},
    "mlp": {"hidden": INT, "seed": INT, "n_train": INT, "activation": STR, "l2": FLOAT},
}
SWEEP_KEYS = ("steps", "seeds", "record", "device", "dtype", "gap_tol", "root_seed",
              "diverge_factor", "description")


@dataclass(frozen=True)
class ProblemSpec:
    """One ``[problems.LABEL]`` table: a factory of :mod:`gsmooth.problems` and a grid.

    ``grid`` maps each given parameter to its values (one value: a fixed
    parameter); ``finite_sum``'s ``base`` is a fixed problem description.
    """

    label: str
    name: str
    grid: dict


@dataclass(frozen=True)
class OptimizerSpec:
    """One ``[optimizers.LABEL]`` table: a method of :mod:`gsmooth.optim` and its grids.

    ``per_run`` grids are batched inside one run of the engine; ``shape``
    grids (batch sizes, periods) fix array shapes and split units.
    """

    label: str
    name: str
    per_run: dict
    shape: dict
    problems: tuple


@dataclass(frozen=True)
class Spec:
    """A checked sweep spec; ``text`` is the TOML it was read from."""

    problems: tuple
    optimizers: tuple
    steps: tuple
    seeds: tuple
    settings: dict
    text: str


def _fail(key: str, message: str):
    raise ValueError(f"sweep spec: {key!r} {message}")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scalar(key: str, value, kind: str):
    """Check one value of ``kind`` and return it normalized (floats as float)."""
    if kind == INT and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == FLOAT and _is_number(value) and math.isfinite(value):
        return float(value)
    if kind == STR and isinstance(value, str):
        return value
    if kind == VECTOR and isinstance(value, list) and value and all(map(_is_number, value)):
        return [float(v) for v in value]
    _fail(key, f"must be a{'n' if kind[0] in 'aeiou' else ''} {kind}, got {value!r}")


def _grid(key: str, value, kind: str) -> list:
    """A value or a list of values (a grid) of ``kind``; a vector's grid is a list of lists."""
    is_grid = isinstance(value, list) and (kind != VECTOR or not value or isinstance(value[0], list))
    if not is_grid:
        return [_scalar(key, value, kind)]
    if not value:
        _fail(key, "is an empty grid (give at least one value)")
    values = [_scalar(key, v, kind) for v in value]
    if len({repr(v) for v in values}) != len(values):
        _fail(key, f"repeats a value, got {value!r}")
    return values


def _check_keys(prefix: str, table: dict, allowed, required=()) -> None:
    def full(name):
        return f"{prefix}.{name}" if prefix else name

    for name in table:
        if name not in allowed:
            raise ValueError(f"sweep spec: unknown key {full(name)!r} "
                             f"(allowed: {', '.join(sorted(allowed))})")
    for name in required:
        if name not in table:
            raise ValueError(f"sweep spec: missing key {full(name)!r}")


def _table(key: str, value) -> dict:
    if not isinstance(value, dict):
        _fail(key, f"must be a table, got {value!r}")
    if not value:
        _fail(key, "is an empty table")
    return value


def _factory_name(key: str, given, label: str, allowed) -> str:
    name = label if given is None else given
    if name not in allowed:
        _fail(key, f"must name one of ({', '.join(allowed)}), got {name!r}")
    return name


def _problem_parameters(prefix: str, table: dict, *, grids: bool) -> tuple[str, dict]:
    name = _factory_name(f"{prefix}.problem", table.get("problem"), prefix.split(".")[-1],
                         tuple(PROBLEM_PARAMETERS))
    schema = PROBLEM_PARAMETERS[name]
    _check_keys(prefix, table, ("problem", *schema))
    params = {}
    for key, value in table.items():
        if key == "problem":
            continue
        where = f"{prefix}.{key}"
        if schema[key] == PROBLEM:
            base_name, base = _problem_parameters(where, _table(where, value), grids=False)
            params[key] = [{"name": base_name, **base}]
        elif grids:
            params[key] = _grid(where, value, schema[key])
        else:
            params[key] = _scalar(where, value, schema[key])
    return name, params


def _problem(label: str, table) -> ProblemSpec:
    prefix = f"problems.{label}"
    name, grid = _problem_parameters(prefix, _table(prefix, table), grids=True)
    return ProblemSpec(label, name, grid)


def _optimizer(label: str, table, problem_labels) -> OptimizerSpec:
    prefix = f"optimizers.{label}"
    table = dict(_table(prefix, table))
    name = _factory_name(f"{prefix}.method", table.pop("method", None), label, METHODS)
    targets = table.pop("problems", list(problem_labels))
    if not isinstance(targets, list) or not targets or any(t not in problem_labels for t in targets):
        _fail(f"{prefix}.problems", f"must be a non-empty list of problem labels "
              f"({', '.join(problem_labels)}), got {targets!r}")
    parameters = inspect.signature(getattr(optim, name)).parameters
    required = [p for p, v in parameters.items() if v.default is inspect.Parameter.empty]
    _check_keys(prefix, table, (*parameters, "method", "problems"), required)
    shape = {k: _grid(f"{prefix}.{k}", v, INT) for k, v in table.items() if k in SHAPE_PARAMETERS}
    per_run = {k: _grid(f"{prefix}.{k}", v, FLOAT) for k, v in table.items()
               if k not in SHAPE_PARAMETERS}
    _check_values(prefix, name, per_run, shape)
    return OptimizerSpec(label, name, per_run, shape, tuple(targets))


def _check_values(prefix: str, name: str, per_run: dict, shape: dict) -> None:
    """Let the optimizer's own checks see every value of the grids."""
    for combo in itertools.product(*shape.values()):
        try:
            getattr(optim, name)(**per_run, **dict(zip(shape, combo)))
        except ValueError as error:
            raise ValueError(f"sweep spec: {prefix!r}: {error}") from None


def _seeds(value) -> tuple:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            _fail("sweep.seeds", f"must be a positive count or a list of seeds, got {value!r}")
        return tuple(range(value))
    seeds = _grid("sweep.seeds", value if isinstance(value, list) else [value], INT)
    if min(seeds) < 0:
        _fail("sweep.seeds", f"must be non-negative, got {value!r}")
    return tuple(seeds)


def _settings(table: dict) -> dict:
    record = table.get("record", "geometric")
    if isinstance(record, list):
        record = _grid("sweep.record", record, INT)
    elif record != "geometric":
        if not (isinstance(record, int) and not isinstance(record, bool) and record >= 1):
            _fail("sweep.record", f"must be 'geometric', a positive interval or a list of "
                  f"iterations, got {record!r}")
    device = table.get("device", "numpy")
    if device not in DEVICES:
        _fail("sweep.device", f"must be one of {DEVICES}, got {device!r}")
    dtype = table.get("dtype", "float64")
    if dtype not in ("float32", "float64"):
        _fail("sweep.dtype", f"must be 'float32' or 'float64', got {dtype!r}")
    gap_tol = table.get("gap_tol")
    if gap_tol is not None and not (_scalar("sweep.gap_tol", gap_tol, FLOAT) > 0):
        _fail("sweep.gap_tol", f"must be positive, got {gap_tol!r}")
    root_seed = _scalar("sweep.root_seed", table.get("root_seed", 0), INT)
    diverge_factor = _scalar("sweep.diverge_factor", table.get("diverge_factor", 1e10), FLOAT)
    if root_seed < 0:
        _fail("sweep.root_seed", f"must be non-negative, got {root_seed!r}")
    if diverge_factor <= 1:
        _fail("sweep.diverge_factor", f"must be greater than 1, got {diverge_factor!r}")
    _scalar("sweep.description", table.get("description", ""), STR)
    return {"record": record, "device": device, "dtype": dtype,
            "gap_tol": None if gap_tol is None else float(gap_tol),
            "root_seed": root_seed, "diverge_factor": diverge_factor}


def parse_spec(text: str) -> Spec:
    """Check the TOML ``text`` of a sweep spec and return a :class:`Spec`.

    Examples
    --------
    >>> spec = parse_spec('''
    ... [sweep]
    ... steps = 50
    ... seeds = 2
    ... [problems.power]
    ... d = [4, 8]
    ... [optimizers.an_gd]
    ... lr = [0.01, 0.1]
    ... beta = 0.5
    ... ''')
    >>> spec.steps, spec.seeds, spec.problems[0].grid, spec.optimizers[0].per_run
    ((50,), (0, 1), {'d': [4, 8]}, {'lr': [0.01, 0.1], 'beta': [0.5]})
    >>> parse_spec('[sweep]\\nsteps = 5\\nsteeps = 3')
    Traceback (most recent call last):
    ...
    ValueError: sweep spec: unknown key 'sweep.steeps' (allowed: ...)
    """
    instance_of("text", text, str, "the TOML text of a sweep spec (a str; for a file, "
                "gs.sweep.load_spec(path))")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"sweep spec: not valid TOML: {error}") from None
    sections = ("sweep", "problems", "optimizers")
    _check_keys("", data, sections, ("sweep",))
    sweep = _table("sweep", data["sweep"])
    _check_keys("sweep", sweep, SWEEP_KEYS, ("steps",))
    steps = _grid("sweep.steps", sweep["steps"], INT)
    if min(steps) < 1:
        _fail("sweep.steps", f"must be positive (at least one step), got {sweep['steps']!r}")
    _check_keys("", data, sections, sections)
    problems = tuple(_problem(label, table)
                     for label, table in _table("problems", data["problems"]).items())
    labels = [p.label for p in problems]
    optimizers = tuple(_optimizer(label, table, labels)
                       for label, table in _table("optimizers", data["optimizers"]).items())
    return Spec(problems, optimizers, tuple(steps), _seeds(sweep.get("seeds", 1)),
                _settings(sweep), text)


def load_spec(path) -> Spec:
    """Read and check the sweep spec at ``path``; see :func:`parse_spec`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"sweep spec not found: {path}")
    return parse_spec(path.read_text(encoding="utf-8"))
