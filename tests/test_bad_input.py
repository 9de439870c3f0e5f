"""Every bad input is one clear error before any work: a table of cases.

Each row is a bad input tried as a new user would: an ``argv`` of the ``gsmooth``
command (expected: exit code 2, at most two lines on stderr, no traceback) or a
call of the public API (expected: the exception type, a message of at most two
lines).  Either way the message must contain each of the row's ``names``: the
offending option or key and the value given.

To add a case, add one row: ``cli(id, argv, *names)`` or
``api(id, callable, ExceptionType, *names)``.  In ``argv`` (and in the files
of :data:`FILES`), ``{ws}`` stands for a workspace folder holding those files.
A case not handled yet is marked ``xfail(strict=True)`` with the file where it
is to be fixed, so that fixing it turns the row red until the mark is removed.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import gsmooth as gs
from gsmooth._backend import namespace_for
from gsmooth._io import check_output_dir, check_output_file, prepare_output_dir
from gsmooth.cli import main
from gsmooth.errors import GSmoothError, UserCodeError
from gsmooth.sweep import open_executor, parse_spec, run_sweep

UNWRITABLE = "/proc/gsmooth-out"
"""A folder nobody can create, root included (Linux); rows using it are skipped elsewhere."""
HAS_CUPY = importlib.util.find_spec("cupy") is not None


def toml(sweep: str = "", problems: str = "[problems.power]\nd = 4",
         optimizers: str = "[optimizers.gd]\nlr = 0.1") -> str:
    """A small sweep spec with one section replaced."""
    return f"[sweep]\nsteps = 10\n{sweep}\n{problems}\n{optimizers}\n"


FILES = {
    "good.toml": toml(),
    "steps0.toml": toml().replace("steps = 10", "steps = 0"),
    "seeds0.toml": toml("seeds = 0"),
    "d-4.toml": toml(problems="[problems.power]\nd = -4"),
    "d-grid.toml": toml(problems="[problems.power]\nd = [3, 5, -1]"),
    "gap.toml": toml("gap_tol = -1"),
    "cupy.toml": toml('device = "cupy"'),
    "float16.toml": toml('dtype = "float16"'),
    "record.toml": toml("record = [0, 5, 50]"),
    "sgd.toml": toml(optimizers="[optimizers.sgd]\nlr = 0.1\nbatch = 4"),
    "lr.toml": toml(optimizers="[optimizers.gd]\nlr = -0.1"),
    "lrr.toml": toml(optimizers="[optimizers.gd]\nlrr = 0.1"),
    "dro.toml": toml(problems='[problems.dro]\ndata = "{ws}/empty.csv"'),
    "dro-missing.toml": toml(problems='[problems.dro]\ndata = "{ws}/absent.csv"'),
    "pr.toml": toml(problems="[problems.phase_retrieval]\nm = 0"),
    "broken.toml": "[sweep\nsteps = 1\n",
    "empty.csv": "",
    "regular": "a regular file, not a folder\n",
    "syntax.py": "def f(x)\n    return x\n",
    "raises.py": "import math\nraise RuntimeError('no data here')\n",
    "call31.py": ("calls = [0]\n\n\ndef f(x):\n    calls[0] += 1\n    if calls[0] == 31:\n"
                  "        return 1 / 0\n    return float(x @ x / 2), x\n\n\nf_x0 = [1.0, 2.0]\n"),
    "allnan.py": "import numpy as np\n\n\ndef f(x):\n    return float('nan'), x\n\n\nf_x0 = [1.0]\n",
    "nox0.py": "def f(x):\n    return float(x @ x), 2 * x\n",
    "number.py": "f = 3\n",
    "notpair.py": "def f(x):\n    return float(x @ x)\n\n\nf_x0 = [1.0, 2.0]\n",
    "results/results.json": "[1, 2]",
}
FAST = ("--steps", "20", "--seeds", "2", "--resamples", "9")
OUT = ("--out", "{ws}/out")


def cli(case_id: str, argv, *names, marks=()):
    """A row: ``gsmooth *argv`` exits 2 with one or two lines naming ``names``."""
    return pytest.param(tuple(argv), 2, names, id=f"cli-{case_id}", marks=marks)


def api(case_id: str, call, error: type[BaseException], *names, marks=()):
    """A row: ``call(ws)`` raises ``error`` with a message naming ``names``."""
    return pytest.param(call, error, names, id=f"api-{case_id}", marks=marks)


def remaining(where: str):
    """The mark of a case still to be fixed, in ``where``."""
    return pytest.mark.xfail(strict=True, reason=f"to be fixed in {where}")


unwritable = pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc (Linux)")
no_cupy = pytest.mark.skipif(HAS_CUPY, reason="CuPy is installed here")

SWEEP = [
    cli("sweep-steps-0", ["sweep", "{ws}/steps0.toml", *OUT], "sweep.steps", "got 0"),
    cli("sweep-seeds-0", ["sweep", "{ws}/seeds0.toml", *OUT], "sweep.seeds", "got 0"),
    cli("sweep-d-negative", ["sweep", "{ws}/d-4.toml", *OUT], "problems.power", "d = -4"),
    cli("sweep-d-in-a-grid", ["sweep", "{ws}/d-grid.toml", *OUT], "problems.power", "d = -1"),
    cli("sweep-gap-tol", ["sweep", "{ws}/gap.toml", *OUT], "sweep.gap_tol", "-1"),
    cli("sweep-device-cupy", ["sweep", "{ws}/cupy.toml", *OUT], "sweep.device", "cupy",
        "pip install", marks=no_cupy),
    cli("sweep-dtype", ["sweep", "{ws}/float16.toml", *OUT], "sweep.dtype", "float16"),
    cli("sweep-record-past-steps", ["sweep", "{ws}/record.toml", *OUT], "sweep.record", "50"),
    cli("sweep-sgd-deterministic", ["sweep", "{ws}/sgd.toml", *OUT], "optimizers.sgd",
        "problems.power", "deterministic"),
    cli("sweep-lr-negative", ["sweep", "{ws}/lr.toml", *OUT], "optimizers.gd", "-0.1"),
    cli("sweep-unknown-key", ["sweep", "{ws}/lrr.toml", *OUT], "optimizers.gd.lrr"),
    cli("sweep-dro-empty-csv", ["sweep", "{ws}/dro.toml", *OUT], "problems.dro", "empty.csv"),
    cli("sweep-dro-missing-csv", ["sweep", "{ws}/dro-missing.toml", *OUT], "problems.dro",
        "absent.csv"),
    cli("sweep-m-0", ["sweep", "{ws}/pr.toml", *OUT], "problems.phase_retrieval", "m = 0"),
    cli("sweep-not-toml", ["sweep", "{ws}/broken.toml", *OUT], "TOML"),
    cli("sweep-spec-missing", ["sweep", "{ws}/absent.toml", *OUT], "absent.toml"),
    cli("sweep-out-under-file", ["sweep", "{ws}/good.toml", "--out", "{ws}/regular/out"],
        "--out", "regular", "not a folder"),
    cli("sweep-out-is-file", ["sweep", "{ws}/good.toml", "--out", "{ws}/regular"],
        "--out", "regular"),
    cli("sweep-out-unwritable", ["sweep", "{ws}/good.toml", "--out", UNWRITABLE],
        "--out", UNWRITABLE, marks=unwritable),
    cli("sweep-workers-0", ["sweep", "{ws}/good.toml", *OUT, "--workers", "0"], "--workers", "0"),
    cli("sweep-threads-0", ["sweep", "{ws}/good.toml", *OUT, "--threads-per-worker", "0"],
        "--threads-per-worker", "0"),
    cli("sweep-threads-with-dask", ["sweep", "{ws}/good.toml", *OUT, "--executor", "dask",
                                    "--threads-per-worker", "2"], "threads_per_worker", "dask"),
    cli("sweep-scheduler-unreachable", ["sweep", "{ws}/good.toml", *OUT, "--executor", "dask",
                                        "--scheduler", "tcp://127.0.0.1:1",
                                        "--connect-timeout", "1"],
        "scheduler", "tcp://127.0.0.1:1", "1 s"),
    cli("sweep-scheduler-not-an-address", ["sweep", "{ws}/good.toml", *OUT, "--executor", "dask",
                                           "--scheduler", "nonsense"], "scheduler", "nonsense"),
    cli("sweep-scheduler-local", ["sweep", "{ws}/good.toml", *OUT, "--scheduler", "tcp://h:1"],
        "scheduler", "local"),
    cli("sweep-connect-timeout", ["sweep", "{ws}/good.toml", *OUT, "--executor", "dask",
                                  "--scheduler", "tcp://h:1", "--connect-timeout", "-1"],
        "connect_timeout", "-1"),
    cli("sweep-executor", ["sweep", "{ws}/good.toml", *OUT, "--executor", "ray"],
        "--executor", "ray"),
]
USER_CODE = [
    cli("estimate-syntax-error", ["estimate", "{ws}/syntax.py:f"], "syntax.py", "line 1",
        "SyntaxError"),
    cli("estimate-raises-on-import", ["estimate", "{ws}/raises.py:f"], "raises.py", "line 2",
        "RuntimeError: no data here", "on import"),
    cli("estimate-raises-at-call-31", ["estimate", "{ws}/call31.py:f", *FAST],
        "your function f", "call31.py", "line 7", "ZeroDivisionError", "call 31", "run"),
    cli("estimate-nan-at-start", ["estimate", "{ws}/allnan.py:f"], "allnan.py", "start point"),
    cli("estimate-no-pair", ["estimate", "{ws}/notpair.py:f"], "not a pair"),
    cli("estimate-no-x0", ["estimate", "{ws}/nox0.py:f"], "f_x0", "--x0"),
    cli("estimate-not-callable", ["estimate", "{ws}/number.py:f"], "'f'", "int"),
    cli("estimate-no-such-object", ["estimate", "{ws}/number.py:g"], "no object named 'g'"),
    cli("estimate-no-such-file", ["estimate", "{ws}/absent.py:f"], "absent.py"),
    cli("verify-syntax-error", ["verify", "{ws}/syntax.py:f", *OUT], "syntax.py", "SyntaxError"),
    cli("verify-raises-at-call-31", ["verify", "{ws}/call31.py:f", *OUT, "--seeds", "2"],
        "call31.py", "ZeroDivisionError", "call 31"),
]
OUTPUTS_AND_DEVICES = [
    cli("estimate-out-under-file", ["estimate", "power", "--out", "{ws}/regular/x"],
        "--out", "regular"),
    cli("estimate-out-unwritable", ["estimate", "power", "--out", UNWRITABLE], "--out",
        UNWRITABLE, marks=unwritable),
    cli("verify-out-under-file", ["verify", "power", "--out", "{ws}/regular/x"], "--out",
        "regular"),
    cli("verify-out-unwritable", ["verify", "power", "--out", UNWRITABLE], "--out", UNWRITABLE,
        marks=unwritable),
    cli("verify-device-cupy", ["verify", "power", *OUT, "--device", "cupy"], "cupy",
        "pip install", marks=no_cupy),
    cli("reproduce-out-under-file", ["reproduce", "dro", "--out", "{ws}/regular/x"], "--out",
        "regular"),
    cli("reproduce-out-unwritable", ["reproduce", "dro", "--out", UNWRITABLE], "--out",
        UNWRITABLE, marks=unwritable),
    cli("reproduce-device-cupy", ["reproduce", "dro", *OUT, "--device", "cupy"], "cupy",
        marks=no_cupy),
    cli("theory-map-under-file", ["theory", "--map", "{ws}/regular/map.png"], "--map", "regular"),
    cli("theory-map-is-folder", ["theory", "--map", "{ws}"], "--map", "is a folder"),
    cli("theory-map-unwritable", ["theory", "--map", f"{UNWRITABLE}/map.png"], "--map",
        UNWRITABLE, marks=unwritable),
    cli("plot-dir-under-file", ["plot", "{ws}/regular/x"], "DIR", "regular"),
]
VALUES = [
    cli("no-command", [], "COMMAND"),
    cli("unknown-command", ["fly"], "fly"),
    cli("unknown-option", ["theory", "--rhoo", "1"], "--rhoo"),
    cli("estimate-unknown-problem", ["estimate", "nonsense"], "nonsense"),
    cli("estimate-steps-0", ["estimate", "power", "--steps", "0"], "--steps", "0"),
    cli("estimate-steps-text", ["estimate", "power", "--steps", "many"], "--steps", "many"),
    cli("estimate-quantile", ["estimate", "power", *FAST, "--quantile", "2"], "quantile", "2"),
    cli("estimate-spread", ["estimate", "power", *FAST, "--spread", "-1"], "spread", "-1"),
    cli("estimate-lr", ["estimate", "power", *FAST, "--lr", "-1"], "lr", "-1"),
    cli("estimate-optimizer", ["estimate", "power", "--optimizer", "adam"], "--optimizer", "adam"),
    cli("verify-unknown-problem", ["verify", "nonsense", *OUT], "nonsense"),
    cli("verify-beta", ["verify", "power", *OUT, "--beta", "1.5"], "beta", "1.5"),
    cli("verify-seeds", ["verify", "power", *OUT, "--seeds", "0"], "seeds", "0"),
    cli("verify-eps", ["verify", "power", *OUT, "--eps", "1e-3,-1"], "eps"),
    cli("verify-x0", ["verify", "power", *OUT, "--x0", "a,b"], "--x0", "a,b"),
    cli("theory-rho-range", ["theory", "--rho", "3", "--beta", "1"], "rho", "3"),
    cli("theory-rho-missing", ["theory", "--beta", "1"], "--rho"),
    cli("theory-out-with-map", ["theory", "--map", "{ws}/map.png", "--out", "{ws}/t"], "--out", "--map"),
    cli("theory-export-without-out", ["theory", "--rho", "1", "--beta", "1", "--export", "csv"], "--export", "--out"),
    cli("theory-beta-text", ["theory", "--rho", "1", "--beta", "abc"], "abc"),
    cli("theory-rho-zero-denominator", ["theory", "--rho", "1/0", "--beta", "1"], "1/0"),
    cli("reproduce-seeds-0", ["reproduce", "dro", *OUT, "--seeds", "0"], "seeds", "0"),
    cli("reproduce-steps-0", ["reproduce", "phase-retrieval", *OUT, "--seeds", "1", "--steps", "0"],
        "steps", "0"),
    cli("reproduce-dro-empty-csv", ["reproduce", "dro", *OUT, "--data", "{ws}/empty.csv"],
        "empty.csv"),
    cli("reproduce-unknown", ["reproduce", "mnist"], "mnist"),
    cli("reproduce-problem-seed-negative", ["reproduce", "dro", *OUT, "--problem-seed", "-1"],
        "seed", "-1"),
    cli("reproduce-kernels-dro", ["reproduce", "dro", *OUT, "--kernels", "numba"], "--kernels",
        "dro"),
    cli("reproduce-kernels-unknown", ["reproduce", "phase-retrieval", *OUT, "--kernels", "c"],
        "--kernels", "c"),
    cli("plot-no-results", ["plot", "{ws}"], "no results.json"),
    cli("plot-bad-results", ["plot", "{ws}/results"], "results.json"),
]


def _spec(text):
    return parse_spec(text)


def _raises_at(call: int):
    """A one-point quadratic that raises ZeroDivisionError at its ``call``-th call."""
    calls = []

    def f(x):
        calls.append(1)
        if len(calls) == call:
            return 1 / 0, x
        return float(x @ x / 2), x

    return f


@functools.cache
def _runs(stochastic: bool = False):
    """A problem and three distinct captured runs on it (copies would hide the resampling)."""
    problem = gs.problems.power(d=3)
    if stochastic:
        problem = gs.problems.finite_sum(gs.problems.power(d=2), n=50, tau1=0.3, tau2=0.5)
    res = gs.run(problem, gs.optim.gd(0.05), 30, w0=gs.estimate.spread_starts(problem, 3),
                 capture=True, keep_iterates=True, progress=False)
    return problem, res


def _smoothness(**options):
    return gs.estimate.smoothness(*_runs(), progress=False, **options)


def _pl(**options):
    return gs.estimate.pl(*_runs(), **options)


def _noise(**options):
    return gs.estimate.noise(*_runs(stochastic=True), **options)


def _configure(steps=10, **options):
    return gs.estimate.configure_ian_sgd(*_runs(stochastic=True), steps, **options)


def _run(**options):
    return gs.run(gs.problems.power(d=3), gs.optim.gd(0.1), 10, **options)


def _quadratic(x):
    return float(x @ x / 2), x


API = [
    api("phase-retrieval-seed-2-32", lambda ws: gs.problems.phase_retrieval(seed=2**32), ValueError,
        "seed", "2**32", "4294967296"),
    api("pairs-iteration-empty", lambda ws: gs.estimate.smoothness_from_pairs(
        grad_norm=[1.0, 2.0, 3.0], smoothness=[1.0, 2.0, 3.0], iteration=[0, float("nan"), 2]),
        ValueError, "iteration", "nan", "row 1"),
    api("pairs-negative", lambda ws: gs.estimate.smoothness_from_pairs(
        grad_norm=[1.0, 2.0, 3.0], smoothness=[1.0, -2.0, 3.0]), ValueError, "smoothness", "-2", "row 1"),
    api("run-sweep-steps-0", lambda ws: _spec(FILES["steps0.toml"]), ValueError, "sweep.steps"),
    api("run-sweep-d-negative", lambda ws: run_sweep(_spec(FILES["d-4.toml"]), ws / "o"),
        ValueError, "problems.power", "d = -4"),
    api("run-sweep-threads", lambda ws: run_sweep(_spec(FILES["good.toml"]), ws / "o",
                                                  threads_per_worker=0),
        ValueError, "threads_per_worker", "0"),
    api("open-executor-kind", lambda ws: open_executor("threads").__enter__(), ValueError,
        "executor", "threads"),
    api("check-output-dir", lambda ws: check_output_dir(ws / "regular" / "x", "--out"),
        GSmoothError, "--out", "regular"),
    api("prepare-output-dir", lambda ws: prepare_output_dir(ws / "regular", "out"), GSmoothError,
        "regular", "not a folder"),
    api("check-output-file", lambda ws: check_output_file(ws, "--map"), GSmoothError, "--map"),
    api("namespace-cupy", lambda ws: namespace_for("cupy"), GSmoothError, "cupy", "pip install",
        marks=no_cupy),
    api("namespace-unknown", lambda ws: namespace_for("tpu"), ValueError, "device", "tpu"),
    api("user-function-raises", lambda ws: gs.problems.from_function(
        lambda x: (1 / 0, x), np.ones(2)), UserCodeError, "your function", "ZeroDivisionError",
        "call 1"),
    api("user-function-nan-at-start", lambda ws: gs.problems.from_function(
        lambda x: (float("nan"), x), np.ones(2)), UserCodeError, "start point"),
    api("user-x0-not-finite", lambda ws: gs.problems.from_function(
        lambda x: (0.0, x), np.array([np.nan])), ValueError, "x0", "finite"),
    api("run-problem-none", lambda ws: gs.run(None, gs.optim.gd(0.1), 10), TypeError, "problem",
        "None"),
    api("run-optimizer-string", lambda ws: gs.run(gs.problems.power(d=3), "gd", 10), TypeError,
        "optimizer", "'gd'"),
    api("run-w0-wrong-shape", lambda ws: gs.run(gs.problems.power(d=3), gs.optim.gd(0.1), 10,
                                                w0=[[1.0, 2.0]]), ValueError, "w0", "(1, 2)"),
    api("run-w0-not-finite", lambda ws: gs.run(gs.problems.power(d=3), gs.optim.gd(0.1), 10,
                                               w0=[[1.0, 2.0, float("nan")]]), ValueError, "w0",
        "finite"),
    api("run-gap-tol-negative", lambda ws: gs.run(gs.problems.power(d=3), gs.optim.gd(0.1), 10,
                                                  gap_tol=-1), ValueError, "gap_tol", "-1"),
    api("run-user-function-raises-at-call-31", lambda ws: gs.run(
        gs.problems.from_function(_raises_at(31), np.ones(2), batched=False), gs.optim.gd(0.1), 40,
        seeds=2, w0=np.ones((2, 2)), progress=False), UserCodeError, "your function", "line",
        "ZeroDivisionError", "call 31", "run 0"),
    api("an-gd-lr-none", lambda ws: gs.optim.an_gd(lr=None), TypeError, "lr", "None"),
    api("an-gd-bound-zero-denominator", lambda ws: gs.theory.an_gd_bound("1/0", 1), ValueError,
        "1/0"),
    api("pl-result-of-another-problem", lambda ws: gs.estimate.pl(
        gs.problems.cosh(d=3), gs.run(gs.problems.power(d=3), gs.optim.gd(0.1), 10, capture=True)),
        ValueError, "problem"),
    api("power-too-large", lambda ws: gs.problems.power(d=10**15), ValueError, "d",
        "1000000000000000"),
    api("smoothness-n-resamples-0", lambda ws: _smoothness(n_resamples=0), ValueError,
        "n_resamples", "positive integer", "got 0"),
    api("smoothness-n-resamples-negative", lambda ws: _smoothness(n_resamples=-5), ValueError,
        "n_resamples", "got -5"),
    api("pl-n-resamples-0", lambda ws: _pl(n_resamples=0), ValueError, "n_resamples", "got 0"),
    api("noise-n-resamples-0", lambda ws: _noise(n_resamples=0), ValueError, "n_resamples",
        "got 0"),
    api("configure-n-resamples-0", lambda ws: _configure(n_resamples=0), ValueError,
        "n_resamples", "got 0"),
    api("smoothness-seed-negative", lambda ws: _smoothness(seed=-1), ValueError, "seed",
        "non-negative integer", "got -1"),
    api("spread-starts-seed-negative", lambda ws: gs.estimate.spread_starts(
        gs.problems.power(d=3), 4, seed=-1), ValueError, "seed", "got -1"),
    api("least-squares-seed-negative", lambda ws: gs.problems.least_squares(seed=-1), ValueError,
        "seed", "got -1"),
    api("finite-sum-seed-negative", lambda ws: gs.problems.finite_sum(gs.problems.power(d=2),
                                                                      seed=-1),
        ValueError, "seed", "got -1"),
    api("dro-seed-negative", lambda ws: gs.problems.dro(n=20, d=2, seed=-1), ValueError, "seed",
        "got -1"),
    api("verify-seed-negative", lambda ws: gs.verify("quadratic", seed=-1), ValueError, "seed",
        "got -1"),
    api("run-root-seed-negative", lambda ws: _run(root_seed=-1), ValueError, "root_seed",
        "got -1"),
    api("smoothness-unknown-keyword", lambda ws: _smoothness(foo=1), TypeError, "foo",
        "max_iterations", "rtol"),
    api("smoothness-keyword-of-another-source", lambda ws: _smoothness(radius=0.1), TypeError,
        "radius", "'region'"),
    api("smoothness-keyword-on-captured-pairs", lambda ws: _smoothness(max_iterations=5),
        ValueError, "max_iterations", "captured"),
    api("smoothness-res-string", lambda ws: gs.estimate.smoothness(gs.problems.power(d=3), "abc"),
        TypeError, "res", "RunResult", "'abc'"),
    api("verify-number", lambda ws: gs.verify(42), TypeError, "target", "Problem", "42"),
    api("verify-tuple", lambda ws: gs.verify((_quadratic, np.ones(2))), TypeError, "target",
        "tuple", "x0="),
    api("verify-function-without-x0", lambda ws: gs.verify(_quadratic), ValueError, "_quadratic",
        "x0", "from_function"),
    api("finite-sum-base-none", lambda ws: gs.problems.finite_sum(base=None), TypeError, "base",
        "Problem", "None"),
    api("parse-spec-number", lambda ws: parse_spec(42), TypeError, "text", "load_spec", "42"),
    api("pl-f-star-string", lambda ws: _pl(f_star="a"), TypeError, "f_star", "real number",
        "'a'"),
    api("an-gd-lr-2d", lambda ws: gs.optim.an_gd(lr=np.ones((2, 2))), ValueError, "lr", "1-D",
        "one per run", "(2, 2)"),
    api("run-seeds-string", lambda ws: _run(seeds="a"), TypeError, "seeds", "'a'"),
    api("run-progress-string", lambda ws: _run(progress="x"), TypeError, "progress", "None",
        "'x'"),
    api("run-overlap-string", lambda ws: _run(overlap="x"), TypeError, "overlap", "'x'"),
    api("run-many-progress-string", lambda ws: gs.run_many(
        gs.problems.power(d=3), [gs.optim.gd(0.1)], 10, progress="x"), TypeError, "progress",
        "'x'"),
    api("configure-steps-0", lambda ws: _configure(steps=0), ValueError, "steps", "got 0"),
]


CONFIGURE_BAD = [{"steps": 0}, {"beta": 2}, {"batch": 0}, {"batch2": 0}, {"gamma_constant": -1},
                 {"noise_batch": 0}, {"draws": 1}, {"quantile": 2}, {"n_resamples": 0},
                 {"seed": -1}, {"source": "bogus"}]
"""One bad argument each (the rest good) of :func:`gsmooth.estimate.configure_ian_sgd`."""


@pytest.mark.parametrize("bad", CONFIGURE_BAD, ids=lambda bad: next(iter(bad)))
def test_configure_ian_sgd_refuses_bad_arguments_before_the_pilot_estimates(bad, monkeypatch):
    """Was: checked after the pilot's smoothness and noise estimates (``steps=0`` warned of a
    division by zero and was named ``T``)."""
    def pilot_estimate(*args, **kwargs):
        raise AssertionError("the pilot estimates ran before the arguments were checked")

    monkeypatch.setattr("gsmooth.estimate.configure.smoothness", pilot_estimate)
    monkeypatch.setattr("gsmooth.estimate.configure.noise", pilot_estimate)
    options = {"steps": 10, **bad}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as info:
            gs.estimate.configure_ian_sgd(*_runs(stochastic=True), options.pop("steps"), **options)
    name = next(iter(bad))
    assert_short_and_named(str(info.value), [name, str(bad[name])])


def test_verify_takes_a_function_with_its_start_point():
    """Was: ``'function' object has no attribute 'start'``; a bare function with ``x0=`` is
    verified as ``gs.problems.from_function(f, x0)``."""
    report = gs.verify(_quadratic, x0=[1.0, 2.0], runs=2, steps=50, progress=False)
    assert report.cases[0].problem == "_quadratic"
    assert report.outcome.outcome in ("PASS", "FAIL", "NOT VERIFIED")


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    """A workspace holding :data:`FILES`."""
    root = tmp_path_factory.mktemp("bad-input")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text.replace("{ws}", str(root)))
    return root


def assert_short_and_named(message: str, names) -> None:
    lines = message.strip().splitlines()
    assert 1 <= len(lines) <= 2, f"{len(lines)} lines: {message!r}"
    assert "Traceback" not in message
    missing = [name for name in names if name not in message]
    assert not missing, f"{missing} not in {message!r}"


@pytest.mark.filterwarnings("ignore::UserWarning")  # errors are the subject here
@pytest.mark.parametrize(("argv", "code", "names"), SWEEP + USER_CODE + OUTPUTS_AND_DEVICES + VALUES)
def test_command_line(argv, code, names, ws, capsys):
    argv = [arg.replace("{ws}", str(ws)) for arg in argv]
    try:
        got = main(argv)
    except SystemExit as exit_:
        got = exit_.code
    captured = capsys.readouterr()
    assert got == code, captured.err
    assert_short_and_named(captured.err, [name.replace("{ws}", str(ws)) for name in names])


@pytest.mark.parametrize(("call", "error", "names"), API)
def test_public_api(call, error, names, ws):
    with pytest.raises(error) as info:
        call(ws)
    assert_short_and_named(str(info.value), names)


def test_the_table_is_large_and_its_ids_distinct():
    rows = SWEEP + USER_CODE + OUTPUTS_AND_DEVICES + VALUES + API
    ids = [row.id for row in rows]
    assert len(ids) == len(set(ids)) and len(ids) >= 60


def test_a_row_can_fail(ws, capsys):
    """The check itself: a message lacking a name, or three lines, is refused."""
    with pytest.raises(AssertionError, match="not in"):
        assert_short_and_named("gsmooth: error: something", ["--out"])
    with pytest.raises(AssertionError, match="3 lines"):
        assert_short_and_named("a\nb\nc", [])
    with pytest.raises(AssertionError):
        test_command_line(("theory", "--rho", "1", "--beta", "1"), 2, (), ws, capsys)


@pytest.mark.parametrize(
    ("argv", "module", "names"),
    [(["theory", "--pep", "--L0", "1", "--mu", "0.2", "--gamma", "1"], "PEPit", ["pip install", "gsmooth[pep]"]),
     (["estimate", "mlp", "--steps", "2", "--out", "{ws}/mlp"], "sklearn", ["pip install", "gsmooth[mlp]"])],
    ids=["theory-pep-without-PEPit", "estimate-mlp-without-scikit-learn"],
)
def test_a_missing_optional_extra_is_one_line_and_exit_2(argv, module, names, ws, capsys, monkeypatch):
    """Was: an ImportError traceback (ImportError is no OSError, so it was not a user error)."""
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *rest: None if name == module else find_spec(name, *rest))
    monkeypatch.setitem(sys.modules, module, None)  # importing it raises ImportError
    monkeypatch.setitem(sys.modules, f"{module}.datasets", None)
    got = main([arg.replace("{ws}", str(ws)) for arg in argv])
    captured = capsys.readouterr()
    assert got == 2, captured.err
    assert_short_and_named(captured.err, names)
