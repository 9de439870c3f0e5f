r"""Resumable parameter sweeps on a local process pool or a dask.distributed cluster.

A sweep is a TOML file.  ``[sweep]`` holds what every run shares;
``[problems.LABEL]`` tables name a factory of :mod:`gsmooth.problems` and its
parameters; ``[optimizers.LABEL]`` tables name a method of :mod:`gsmooth.optim`
and its hyperparameters.  A list is a grid: every combination runs.

.. code-block:: toml

    [sweep]
    steps = 2000              # int, or a list (a grid of step counts)
    seeds = 8                 # a count (seeds 0..7) or a list of seeds
    record = "geometric"      # "geometric", every n steps (int), or a list of iterations
    device = "numpy"          # "numpy", "cupy" or "array-api-strict"
    dtype = "float64"         # or "float32"
    gap_tol = 1e-10           # optional: stop a run once F - F* <= gap_tol
    root_seed = 0             # optional, root of the per-run seed streams
    diverge_factor = 1e10     # optional, see gsmooth.run
    description = "..."       # optional, free text

    [problems.pr]             # LABEL "pr"
    problem = "phase_retrieval"   # factory; default: the label itself
    m = 500
    d = [10, 20]              # a grid of problem parameters: one unit per value

    [problems.noisy]
    problem = "finite_sum"
    n = 1000
    base = { problem = "power", d = 10, p = 4 }   # a fixed inner problem

    [optimizers.an_gd]        # LABEL "an_gd"
    method = "an_gd"          # method; default: the label itself
    lr = [0.01, 0.03, 0.1]    # per-run hyperparameters: batched in one run
    beta = [0.0, 0.5, 1.0]

    [optimizers.ian_sgd]
    lr = 0.01
    beta = 0.5
    batch = [16, 64]          # batch sizes and periods fix shapes: one unit each
    batch2 = 4
    problems = ["noisy"]      # optional: only these problem labels (default: all)

Problem parameters (``start`` is always the problem's own):
quadratic ``eigs`` (a list; a list of lists is a grid); power ``d, p``; cosh
``d, scale``; least_squares ``n, d, seed``; finite_sum ``base, n, tau1, tau2,
seed``; phase_retrieval ``m, d, seed, noise_std, signal_std``; dro ``data, lam,
seed, n, d, preprocessing``; mlp ``hidden, seed, n_train, activation, l2``.
Optimizer keys are the arguments of the method's constructor.

**Units.** Runs that differ only in per-run hyperparameters and seeds form one
*unit*, advanced by one batched call of :func:`gsmooth.run` (the 3 x 3 grid
above with 8 seeds is one unit of 72 runs per problem instance).  A problem
instance, batch size, period or step count makes a new unit.

**Checks.**  Before any unit runs, the spec is checked (types, names, ranges)
and every unit's problem and optimizer is built (:mod:`gsmooth.sweep.build`):
``d = -4``, ``steps = 0``, an unreadable data file, a minibatch method on a
deterministic problem, ``device = "cupy"`` without CuPy are one-line errors
naming the table and value.  ``gsmooth sweep`` exits 0 when every unit is
stored, 1 when some unit raised while running (each printed with its reason;
rerun to retry), 2 on a user error (before any unit runs).

**Store.** ``gsmooth sweep SPEC.toml --out DIR`` writes each finished unit
atomically to ``DIR/units/`` (``.npz`` + JSON, named by a content hash of its
configuration) and appends a line to ``DIR/index.jsonl``.  Rerunning skips
every stored run, redoes units whose files are corrupt or whose worker
raised, and after a change to the spec runs only the new runs.  Diverged runs
are stored results with status ``diverged``; they are not rerun.  A damaged
index is set aside (``index.jsonl.damaged-<time>``) and rebuilt from the unit
files, with a warning.

**Where it runs.** ``--executor local`` (default): a process pool with the
spawn start method, whose workers limit their BLAS threads so that workers x
threads <= cores (``--threads-per-worker`` overrides) and end when the
parent ends, ``kill -9`` included (:mod:`gsmooth.sweep.worker`);
``--executor dask``: a ``LocalCluster``, or an existing cluster with
``--scheduler tcp://HOST:8786`` (``--connect-timeout``, default 10 s),
through ``Client.get_executor()``.

**Results.** :func:`to_table` gives a tidy long-form table (one row per unit,
run and record); :func:`export` writes it as CSV or Parquet; :func:`redraw`
(``gsmooth plot DIR``) draws median-and-band curves per problem.

Examples
--------
>>> import tempfile
>>> from concurrent.futures import ThreadPoolExecutor
>>> import gsmooth as gs
>>> spec = gs.sweep.parse_spec('''
... [sweep]
... steps = 30
... seeds = 2
... [problems.power]
... d = 4
... [optimizers.an_gd]
... lr = [0.05, 0.1]
... beta = [0.5, 1.0]
... ''')
>>> [len(unit.runs) for unit in gs.sweep.expand(spec)]
[8]
>>> folder = tempfile.mkdtemp()
>>> with ThreadPoolExecutor(1) as pool:
...     report = gs.sweep.run_sweep(spec, folder, executor=pool, progress=False)
>>> report.done, sorted(set(gs.sweep.to_table(folder)["status"]))
(1, ['max_steps'])
"""

from gsmooth.sweep.draw import redraw
from gsmooth.sweep.execute import open_executor, run_unit
from gsmooth.sweep.expand import Run, Unit, expand
from gsmooth.sweep.results import SweepResults
from gsmooth.sweep.run import SweepReport, run_sweep
from gsmooth.sweep.spec import Spec, load_spec, parse_spec
from gsmooth.sweep.store import Store
from gsmooth.sweep.table import export, to_table

__all__ = [
    "Run",
    "Spec",
    "Store",
    "SweepReport",
    "SweepResults",
    "Unit",
    "expand",
    "export",
    "load_spec",
    "open_executor",
    "parse_spec",
    "redraw",
    "run_sweep",
    "run_unit",
    "to_table",
]
