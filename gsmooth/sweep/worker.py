"""What each worker of the local process pool does first: limit its BLAS threads, watch its parent.

**BLAS threads.**  NumPy's BLAS (OpenBLAS, MKL) starts one thread per core in
every process, so ``w`` workers on ``c`` cores would run ``w * c`` threads
and slow each other down, badly so on a busy machine.  Each worker therefore
limits its BLAS and OpenMP pools to ``threads`` threads, by default
``max(1, cores // workers)``, so that workers x threads <= cores: with the
default one worker per core that is one thread each, with 1 worker on 8
cores 8 threads.  The limit is set with threadpoolctl for the libraries
already loaded and through the ``*_NUM_THREADS`` variables for those loaded
later.  ``threads_per_worker`` overrides it.

**Parent watch.**  A worker blocks on its task queue, and every worker holds
that queue's write end, so none of them sees the parent die: after a
``kill -9`` of ``gsmooth sweep`` they would run forever (and keep
multiprocessing's resource tracker alive).  Each worker therefore starts a
daemon thread that waits on the parent's sentinel
(``multiprocessing.parent_process()``, a pipe the parent alone holds open, so
it fires the moment the parent is gone, on every platform) and ends the
worker at once with :func:`os._exit`.  Where no sentinel exists it polls
``os.getppid()`` instead.  The resource tracker exits by itself once the
parent and the workers are gone.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

from gsmooth._checks import positive_int

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
ORPHAN_EXIT_CODE = 70
POLL_SECONDS = 0.5


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def blas_threads(workers: int, threads_per_worker: int | None = None) -> int:
    """BLAS threads per worker: ``threads_per_worker``, or ``max(1, cores // workers)``.

    Examples
    --------
    >>> blas_threads(2, threads_per_worker=3)
    3
    >>> blas_threads(available_cores()) == 1
    True
    """
    if threads_per_worker is not None:
        return positive_int("threads_per_worker", threads_per_worker)
    return max(1, available_cores() // positive_int("workers", workers))


def start_worker(threads: int, parent_pid: int) -> None:
    """Initializer of every local pool worker: limit threads, start the parent watch."""
    limit_threads(threads)
    watch_parent(parent_pid)


def limit_threads(threads: int) -> None:
    """Limit this process's BLAS and OpenMP pools to ``threads`` threads."""
    from threadpoolctl import threadpool_limits

    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    threadpool_limits(limits=threads)


def watch_parent(parent_pid: int) -> threading.Thread:
    """Start the daemon thread that ends this process when its parent is gone."""
    parent = multiprocessing.parent_process()

    def wait_for_parent():
        if parent is not None:
            parent.join()
        else:
            while os.getppid() == parent_pid:
                time.sleep(POLL_SECONDS)
        os._exit(ORPHAN_EXIT_CODE)

    thread = threading.Thread(target=wait_for_parent, name="gsmooth-parent-watch", daemon=True)
    thread.start()
    return thread
