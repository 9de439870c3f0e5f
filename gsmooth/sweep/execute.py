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

from gsmooth import optim, problems
from gsmooth._checks import positive_int
from gsmooth.engine import run
from gsmooth.errors import GSmoothError

EXECUTORS = ("local", "dask")


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
def open_executor(kind: str = "local", workers: int | None = None, scheduler: str | None = None):
    """Yield an ``Executor``: a spawn process pool, or a dask.distributed client's.

    Parameters
    ----------
    kind : {"local", "dask"}
        ``"local"``: ``ProcessPoolExecutor`` with the spawn start method (safe
        with GPUs).  ``"dask"``: ``Client(scheduler).get_executor()``, or a
        ``LocalCluster`` of ``workers`` single-threaded processes when no
        scheduler is given.
    workers : int, optional
        Worker processes (default: the CPU count); not with ``scheduler``.
    scheduler : str, optional
        Address of a running dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    """
    if kind not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {kind!r}")
    if workers is not None:
        workers = positive_int("workers", workers)
    if scheduler is not None and (kind != "dask" or workers is not None):
        raise ValueError("a scheduler address needs executor 'dask' and no worker count "
                         f"(the cluster has its own), got executor {kind!r}, workers {workers!r}")
    workers = workers or os.cpu_count() or 1
    if kind == "local":
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield pool
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise GSmoothError("executor 'dask' needs dask.distributed: "
                           "pip install 'gsmooth[dask]'") from None
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client.get_executor()
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client.get_executor()


def execute(units: list, executor: Executor, store, progress: bool | None = None) -> dict:
    """Submit every unit, write each result (or failure) to ``store`` as it arrives.

    An exception inside a unit becomes a failure record (the next run of the
    sweep retries it); it never stops the other units.  Returns counts
    ``{"done": n, "failed": n}``.
    """
    counts = {"done": 0, "failed": 0}
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
                    store.record_failure(unit, f"{type(error).__name__}: {error}")
                    counts["failed"] += 1
                bar.update(1)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return counts
