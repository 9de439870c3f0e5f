"""Build a unit's problem and optimizer; check every unit of a sweep before any runs.

:func:`check_units` constructs what each unit will run, the way a worker will
(every distinct problem instance once, every unit's optimizer with its
per-run values), checks that the method suits the problem (a minibatch method
needs a finite sum), that the record grid fits the step count, and that the
device is there.  Construction is cheap (data sets are read and drawn, nothing
is run), so a bad value anywhere in the grid is a one-line error naming its
table and value before the first unit starts, never a failed unit later.

Examples
--------
>>> from gsmooth.sweep.expand import expand
>>> from gsmooth.sweep.spec import parse_spec
>>> check_units(expand(parse_spec('''
... [sweep]
... steps = 10
... [problems.power]
... d = [3, -4]
... [optimizers.gd]
... lr = 0.1
... ''')))
Traceback (most recent call last):
...
ValueError: sweep spec: 'problems.power' with d = -4: d must be a positive integer, got -4
"""

from __future__ import annotations

from gsmooth import optim, problems
from gsmooth._backend import namespace_for
from gsmooth.engine.recorder import record_grid
from gsmooth.errors import GSmoothError
from gsmooth.sweep.expand import Unit, canonical_json

BUILD_ERRORS = (ValueError, TypeError, GSmoothError, OSError, MemoryError, ImportError)
"""What building a problem or optimizer raises on a bad value (a data file that
cannot be read, an instance too large for memory, a missing optional extra included)."""


def build_problem(description: dict):
    """Build a problem from ``{"name": factory, **params}`` (``base`` nested)."""
    params = dict(description)
    name = params.pop("name")
    if "base" in params:
        params["base"] = build_problem(params["base"])
    return getattr(problems, name)(**params)


def build_optimizer(method: dict, runs: list[dict]):
    """The unit's optimizer: batch sizes as given, each per-run hyperparameter as a list."""
    params = dict(method)
    name = params.pop("name")
    hyper_names = [key for key in runs[0] if key != "seed"]
    per_run = {key: [r[key] for r in runs] for key in hyper_names}
    return getattr(optim, name)(**params, **per_run)


def _values(config: dict) -> str:
    """``d = -4, m = 50`` for the parameters of a problem or method description."""
    shown = [f"{k} = {canonical_json(v) if isinstance(v, (dict, list)) else v!r}"
             for k, v in config.items() if k != "name"]
    return f" with {', '.join(shown)}" if shown else ""


def _fail(unit: Unit, table: str, error: BaseException):
    config = unit.config["problem" if table == "problems" else "method"]
    label = unit.problem_label if table == "problems" else unit.method_label
    reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
    reason = reason or f"{type(error).__name__} while building it"
    raise ValueError(f"sweep spec: '{table}.{label}'{_values(config)}: {reason}") from error


def check_units(units: list[Unit], *, device: bool = True) -> None:
    """Build every unit's problem and optimizer; raise on the first that cannot run.

    Parameters
    ----------
    units : list of Unit
        All units of a spec (see :func:`gsmooth.sweep.expand.expand`).
    device : bool
        Also check that the spec's device is present here; ``False`` where the
        units run elsewhere (a remote dask cluster).

    Raises
    ------
    ValueError
        One line naming the table, its values and the reason.
    """
    built = {}
    for unit in units:
        key = canonical_json(unit.config["problem"])
        if key not in built:
            try:
                built[key] = build_problem(unit.config["problem"])
            except BUILD_ERRORS as error:
                _fail(unit, "problems", error)
        problem = built[key]
        try:
            optimizer = build_optimizer(unit.config["method"], [r.as_dict() for r in unit.runs])
        except BUILD_ERRORS as error:
            _fail(unit, "optimizers", error)
        if optimizer.stochastic and not problem.stochastic:
            _fail(unit, "optimizers", ValueError(
                f"method {optimizer.name!r} draws minibatches but 'problems.{unit.problem_label}' "
                f"({problem.name}) is deterministic; use a finite_sum problem or restrict the "
                f"method with problems = [...]"))
        _check_record(unit)
    if units and device:
        _check_device(units[0].config["settings"]["device"])


def _check_record(unit: Unit) -> None:
    record, steps = unit.config["settings"]["record"], unit.config["steps"]
    try:
        record_grid(steps, record)
    except ValueError as error:
        raise ValueError(f"sweep spec: 'sweep.record' = {record!r} with steps = {steps}: "
                         f"{error}") from None


def _check_device(device: str) -> None:
    try:
        namespace_for(device)
    except GSmoothError as error:
        raise ValueError(f"sweep spec: 'sweep.device' = {device!r}: {error}") from None
