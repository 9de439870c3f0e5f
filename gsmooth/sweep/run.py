"""Run a sweep: expand the spec, skip what the store holds, execute the rest."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gsmooth._io import (
    RESULTS,
    check_no_other_result,
    check_output_dir,
    prepare_output_dir,
    write_json_atomic,
    write_text_atomic,
)
from gsmooth.engine.result import failed
from gsmooth.sweep.build import check_units
from gsmooth.sweep.execute import CONNECT_TIMEOUT, check_executor_options, execute, open_executor
from gsmooth.sweep.expand import expand
from gsmooth.sweep.spec import Spec, load_spec
from gsmooth.sweep.store import Store

SPEC_FILE = "spec.toml"
LISTED_FAILURES = 10
"""Failed units the summary names one by one; the rest are counted."""


@dataclass
class SweepReport:
    """What one call of :func:`run_sweep` did.

    Attributes
    ----------
    units, runs : int
        Units and runs in the spec.
    skipped : int
        Units whose every run the store already held.
    done, failed : int
        Units run now that finished, and that raised (retried next time).
    diverged : int
        Runs of the spec whose stored status is diverged or non-finite.
    folder : str
    failures : list of str
        One line per unit that failed now: the unit and its error.
    """

    units: int
    runs: int
    skipped: int
    done: int
    failed: int
    diverged: int
    folder: str
    failures: list = field(default_factory=list)

    def summary(self) -> str:
        """A line for the terminal, then one line per failed unit with its reason.

        Examples
        --------
        >>> print(SweepReport(2, 4, 0, 1, 1, 0, "out", ["power(d=3) gd: ValueError: bad"]).summary())
        sweep: 2 units (4 runs): 0 already stored, 1 run now, 1 failed, 0 runs diverged; results in out
          failed: power(d=3) gd: ValueError: bad
        """
        lines = [f"sweep: {self.units} units ({self.runs} runs): {self.skipped} already stored, "
                 f"{self.done} run now, {self.failed} failed, {self.diverged} runs diverged; "
                 f"results in {self.folder}"]
        lines += [f"  failed: {line}" for line in self.failures[:LISTED_FAILURES]]
        if len(self.failures) > LISTED_FAILURES:
            lines.append(f"  ... and {len(self.failures) - LISTED_FAILURES} more failed units "
                         f"(every message is in {Path(self.folder) / 'index.jsonl'})")
        return "\n".join(lines)


def run_sweep(spec, out, *, executor: str | Executor = "local", workers: int | None = None,
              scheduler: str | None = None, threads_per_worker: int | None = None,
              connect_timeout: float = CONNECT_TIMEOUT,
              progress: bool | None = None) -> SweepReport:
    """Run the units of ``spec`` that ``out`` does not hold yet.

    Every unit's problem and optimizer is built first (:func:`gsmooth.sweep.build.check_units`),
    so a value that cannot run is an error before any unit starts; so is a
    missing device, where gsmooth starts the workers on this machine (with a
    scheduler or an executor passed in, the workers have their own devices).  A unit
    that raises while running is a failure: recorded, reported in the
    summary with its reason, retried by the next call; the other units go on.

    Parameters
    ----------
    spec : path or Spec
        A TOML sweep spec (see :mod:`gsmooth.sweep`).
    out : path
        The results folder; rerunning into it resumes.
    executor : {"local", "dask"} or concurrent.futures.Executor
        Where units run; see :func:`gsmooth.sweep.execute.open_executor`.
        An ``Executor`` instance is used as given (and left open).
    workers : int, optional
        Number of worker processes.
    scheduler : str, optional
        Address of a running dask scheduler.
    threads_per_worker : int, optional
        BLAS threads of each local worker (default: cores // workers).
    connect_timeout : float
        Seconds to wait for ``scheduler``.
    progress : bool or None
        Progress bar over units; ``None`` shows it only on a terminal.

    Returns
    -------
    SweepReport

    Raises
    ------
    ValueError, GSmoothError
        A spec that cannot run, a folder that cannot be written, a scheduler
        that does not answer: before any unit runs.

    Examples
    --------
    >>> import tempfile
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from gsmooth.sweep import parse_spec
    >>> spec = parse_spec('''
    ... [sweep]
    ... steps = 20
    ... seeds = 2
    ... [problems.power]
    ... d = [3, 6]
    ... [optimizers.an_gd]
    ... lr = [0.05, 0.1]
    ... ''')
    >>> folder = tempfile.mkdtemp()
    >>> with ThreadPoolExecutor(1) as pool:
    ...     first = run_sweep(spec, folder, executor=pool, progress=False)
    ...     again = run_sweep(spec, folder, executor=pool, progress=False)
    >>> first.units, first.runs, first.done, again.skipped, again.done
    (2, 8, 2, 2, 0)
    """
    if not isinstance(executor, Executor):
        check_executor_options(executor, workers, scheduler, threads_per_worker, connect_timeout)
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    units = expand(spec)
    on_this_machine = not isinstance(executor, Executor) and scheduler is None
    check_units(units, device=on_this_machine)
    check_no_other_result(check_output_dir(out, "out"), "sweep", "out")
    store = Store(prepare_output_dir(out, "out"))
    check_output_dir(store.units, "out")
    todo = store.plan(units)
    opened = (nullcontext(executor) if isinstance(executor, Executor)
              else open_executor(executor, workers, scheduler, threads_per_worker=threads_per_worker,
                                 connect_timeout=connect_timeout))
    counts = {"done": 0, "failed": 0, "errors": []}
    if todo:
        with opened as pool:
            if not (store.folder / SPEC_FILE).exists():  # a new folder reads as a sweep while it runs
                write_text_atomic(store.folder / SPEC_FILE, spec.text)
            counts = execute(todo, pool, store, progress)
    # the spec of a folder that holds results changes only once its units have run: a sweep that
    # cannot start leaves the folder's results readable under the spec they were run for
    write_text_atomic(store.folder / SPEC_FILE, spec.text)
    report = SweepReport(
        units=len(units), runs=sum(len(u.runs) for u in units),
        skipped=len(units) - len(todo), done=counts["done"], failed=counts["failed"],
        diverged=_count_diverged(store, units), folder=str(store.folder),
        failures=[f"{unit.label}: {message}" for unit, message in counts["errors"]],
    )
    _write_manifest(store, units, report)
    return report


def _count_diverged(store: Store, units) -> int:
    """Runs of ``units`` whose stored status is diverged or non-finite."""
    done = store.done_runs()
    columns = defaultdict(list)
    for unit in units:
        for key in unit.run_keys:
            if key in done:
                columns[done[key][0]].append(done[key][1])
    return sum(int(failed(store.arrays(key)["status"][cols]).sum())
               for key, cols in columns.items())


def _write_manifest(store: Store, units, report: SweepReport) -> None:
    manifest = {
        "kind": "sweep",
        "spec": SPEC_FILE,
        "index": store.index.name,
        "units": [{"problem": u.problem_label, "method": u.method_label, "config": u.config,
                   "run_keys": u.run_keys} for u in units],
        "report": asdict(report),
    }
    write_json_atomic(store.folder / RESULTS, manifest)


def sweep_spec_file(folder) -> Path:
    """The ``spec.toml`` of the sweep in ``folder``; checked before a reader opens the store, which
    would otherwise make its folders in any folder it is given."""
    path = Path(folder) / SPEC_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no sweep in {folder}: {SPEC_FILE} is missing")
    return path


def load_units(folder) -> list:
    """The units of the spec last run into ``folder`` (read from its ``spec.toml``)."""
    return expand(load_spec(sweep_spec_file(folder)))


def stored_runs(folder):
    """Yield ``(unit, run, key, stored)`` for every run of the sweep in ``folder``.

    ``stored`` is ``(unit_key, arrays, column, f_star)`` for a run in the
    store, ``unit_key`` naming the stored unit that holds it (each
    unit's arrays are read once) and ``None`` for a run not stored (not yet
    run, or failed).
    """
    units = load_units(folder)
    store = Store(folder)
    done, loaded = store.done_runs(), {}
    for unit in units:
        for run, key in zip(unit.runs, unit.run_keys, strict=True):
            if key not in done:
                yield unit, run, key, None
                continue
            unit_key, column = done[key]
            if unit_key not in loaded:
                loaded[unit_key] = store.arrays_and_f_star(unit_key)
            arrays, f_star = loaded[unit_key]
            yield unit, run, key, (unit_key, arrays, column, f_star)
