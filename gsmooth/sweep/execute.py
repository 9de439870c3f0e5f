"""Run units on any ``concurrent.futures.Executor``: a local process pool or dask.

Workers only compute: :func:`run_unit` takes a unit's plain-data payload and
returns its arrays.  The calling process writes every result to the store,
so workers need no shared file system and the index has a single writer.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager

import numpy as np
from tqdm.auto import tqdm

from gsmooth._checks import check_positive, positive_int
from gsmooth.engine import run
from gsmooth.errors import GSmoothError
from gsmooth.sweep.build import build_optimizer, build_problem
from gsmooth.sweep.worker import available_cores, blas_threads, start_worker

EXECUTORS = ("local", "dask")
CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a dask scheduler to answer before giving up."""


def run_unit(payload: dict) -> dict:
    """Advance the runs of one unit in one batched :func:`gsmooth.run` call.

    Returns ``{"arrays": {name: ndarray}, "meta": {...}}``; what the engine
    marks diverged stays a result with its status code.

    Examples
    --------
    >>> payload = {"config": {"problem": {"name": "power", "d": 3},
    ...            "method": {"name": "an_gd"}, "steps": 5,
    ...            "settings": {"record": 5, "device": "numpy", "dtype": "float64",
    ...                         "gap_tol": None, "root_seed": 0, "diverge_factor": 1e10}},
    ...            "runs": [{"lr": 0.1, "seed": 0}, {"lr": 1e9, "seed": 0}]}
    >>> out = run_unit(payload)
    >>> out["arrays"]["loss"].shape, out["arrays"]["status"].tolist()
    ((2, 2), [0, 2])
    """
    config, runs = payload["config"], payload["runs"]
    settings = config["settings"]
    result = run(
        build_problem(config["problem"]), build_optimizer(config["method"], runs),
        config["steps"], seeds=[r["seed"] for r in runs], record=settings["record"],
        gap_tol=settings["gap_tol"], device=settings["device"], dtype=settings["dtype"],
        root_seed=settings["root_seed"], diverge_factor=settings["diverge_factor"],
        progress=False,
    )
    arrays = {name: np.asarray(getattr(result, name))
              for name in ("iters", "samples", "loss", "grad_norm", "status", "converged_at", "w")}
    meta = {"problem": result.problem, "optimizer": result.optimizer,
            "f_star": result.f_star, "seconds": result.seconds}
    return {"arrays": arrays, "meta": meta}


@contextmanager
def open_executor(kind: str = "local", workers: int | None = None, scheduler: str | None = None,
                  *, threads_per_worker: int | None = None,
                  connect_timeout: float = CONNECT_TIMEOUT):
    """Yield an ``Executor``: a spawn process pool, or a dask.distributed client's.

    Parameters
    ----------
    kind : {"local", "dask"}
        ``"local"``: ``ProcessPoolExecutor`` with the spawn start method (safe
        with GPUs), each worker with its BLAS threads limited and ending when
        this process ends (see :mod:`gsmooth.sweep.worker`).  ``"dask"``:
        ``Client(scheduler).get_executor()``, or a ``LocalCluster`` of
        ``workers`` single-threaded processes when no scheduler is given
        (dask itself starts them with one BLAS thread each).
    workers : int, optional
        Worker processes (default: the cores this process may use); not with
        ``scheduler``.
    scheduler : str, optional
        Address of a running dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    threads_per_worker : int, optional
        BLAS threads of each local worker; default ``max(1, cores // workers)``,
        so that workers x threads <= cores.  Local pool only.
    connect_timeout : float
        Seconds to wait for ``scheduler`` to answer.

    Raises
    ------
    GSmoothError
        dask is missing, or the scheduler does not answer in time.
    """
    workers = check_executor_options(kind, workers, scheduler, threads_per_worker, connect_timeout)
    if kind == "local":
        with _local_pool(workers, blas_threads(workers, threads_per_worker)) as pool:
            yield pool
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise GSmoothError("executor 'dask' needs dask.distributed: "
                           "pip install 'gsmooth[dask]'") from None
    if scheduler is not None:
        with _connect(Client, scheduler, connect_timeout) as client:
            yield client.get_executor()
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client.get_executor()


def check_executor_options(kind, workers, scheduler, threads_per_worker, connect_timeout) -> int:
    """Check the options of :func:`open_executor` (nothing is started); return the worker count."""
    if kind not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {kind!r}")
    if workers is not None:
        workers = positive_int("workers", workers)
    if scheduler is not None and (kind != "dask" or workers is not None):
        raise ValueError("a scheduler address needs executor 'dask' and no worker count "
                         f"(the cluster has its own), got executor {kind!r}, workers {workers!r}")
    if threads_per_worker is not None:
        if kind != "local":
            raise ValueError("threads_per_worker applies to the local pool (dask starts its "
                             f"workers with one BLAS thread each), got executor {kind!r}")
        positive_int("threads_per_worker", threads_per_worker)
    check_positive("connect_timeout", connect_timeout)
    return workers or available_cores()


def _local_pool(workers: int, threads: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=start_worker, initargs=(threads, os.getpid()))


def _connect(client_class, scheduler: str, timeout: float):
    """A client of the scheduler at ``scheduler``, or one line saying why there is none."""
    try:
        return client_class(scheduler, timeout=timeout)
    except (ValueError, TypeError) as error:
        raise GSmoothError(f"scheduler {scheduler!r} is not a dask scheduler address, e.g. "
                           f"tcp://host:8786 ({failure_message(error)})") from None
    except OSError as error:
        raise GSmoothError(f"scheduler {scheduler!r}: no dask scheduler answered within "
                           f"{timeout:g} s ({failure_message(error)})") from None


def execute(units: list, executor: Executor, store, progress: bool | None = None) -> dict:
    """Submit every unit, write each result (or failure) to ``store`` as it arrives.

    An exception inside a unit becomes a failure record (the next run of the
    sweep retries it); it never stops the other units.  Returns
    ``{"done": n, "failed": n, "errors": [(unit, message), ...]}``.
    """
    counts = {"done": 0, "failed": 0, "errors": []}
    futures = {executor.submit(run_unit, unit.payload()): unit for unit in units}
    try:
        with tqdm(total=len(units), unit="unit", desc="sweep",
                  disable=None if progress is None else not progress) as bar:
            for future in as_completed(futures):
                unit, error = futures[future], future.exception()
                if error is None:
                    store.write(unit, future.result())
                    counts["done"] += 1
                else:
                    message = failure_message(error)
                    store.record_failure(unit, message)
                    counts["failed"] += 1
                    counts["errors"].append((unit, message))
                bar.update(1)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return counts


def failure_message(error: BaseException) -> str:
    """``"Type: message"`` of a unit's exception, in one line."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__
