"""``gsmooth estimate PROBLEM`` or ``gsmooth estimate --pairs FILE.csv``: measure constants.

PROBLEM is a built-in name (``power``, ``quadratic``, ``cosh``, ``least_squares``,
``phase_retrieval``, ``dro``, ``mlp``, each with its defaults) or
``path/to/file.py:name``, where the file defines ``name`` as one of

* a :class:`gsmooth.problems.Problem` object;
* a tuple ``(value_and_grad, x0)`` or ``(value_and_grad, x0, f_star)``;
* a function ``value_and_grad`` (one point ``(d,) -> (value, grad)``, or a
  batch ``(k, d) -> ((k,), (k, d))``); the file then also defines
  ``name_x0`` (the start) and may define ``name_f_star``.

Functions become problems through :func:`gsmooth.problems.from_function`.

The command runs ``--seeds`` runs of the method with ``capture=True`` (the
Hessian norm at every record point, the directional pairs of the steps) and
iterates kept, from the seeded starts of :func:`gsmooth.estimate.spread_starts`
(run 0 at the problem's start, the others spread by ``--spread``): a
deterministic method needs distinct starts for its runs to be independent,
which the intervals (resampling over runs) rely on.  It then estimates
``(L0, L1, alpha)`` of the Hessian norm (``--source`` for another quantity),
with the directional smoothness beside it, ``(rho, mu)`` (``f*`` the problem's
or ``--f-star``, else estimated from a run of ``--reference-steps`` steps and
flagged) and, for
finite sums, ``(tau1, tau2)``; an estimate that cannot be made is reported as
skipped with its reason.  It prints a table with intervals and writes
``results.json`` (kind ``"estimate"``) and the figures to ``--out``.

With ``--pairs FILE.csv`` (columns ``grad_norm``, ``smoothness``, optional
``run``, ``block``, ``iteration``) it fits the pairs of the file instead, each
block apart (:func:`gsmooth.estimate.smoothness_from_pairs`), and prints the
fits side by side per block.
"""

from __future__ import annotations

import argparse
import math
import pathlib
from fractions import Fraction

from gsmooth._exact import number_argument
from gsmooth.commands._shared import (
    add_shared,
    export_table,
    options_of,
    out_folder,
    positive_int,
    progress,
)

BUILT_IN = ("power", "quadratic", "cosh", "least_squares", "phase_retrieval", "dro", "mlp")
OPTIMIZERS = ("gd", "an_gd", "sgd", "an_sgd", "nsgd")
SOURCES = ("hessian", "midpoint", "successive", "region")
FITS = ("envelope", "quantile", "asymmetric")


def register(subparsers) -> None:
    """Add the ``estimate`` sub-command."""
    parser = subparsers.add_parser(
        "estimate", help="estimate (L0, L1, alpha), (rho, mu) and (tau1, tau2) of a problem",
        description="Run a method with smoothness captures, fit the generalized-smoothness, "
                    "PL and noise constants with intervals, and write figures and results.json.",
    )
    parser.add_argument("problem", nargs="?", default=None,
                        help=f"one of {', '.join(BUILT_IN)}, or path/to/file.py:name")
    parser.add_argument("--pairs", default=None, metavar="FILE.csv",
                        help="fit the pairs of a CSV (grad_norm, smoothness[, run, block, "
                             "iteration]) instead of running a problem")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="the method run (default an_gd)")
    parser.add_argument("--lr", type=float, help="step size (default 0.05)")
    parser.add_argument("--beta", type=number_argument,
                        help="normalization exponent in [0, 1], exact (2/3) or decimal, of an_gd, "
                             "an_sgd and nsgd (default 1)")
    parser.add_argument("--batch", type=positive_int, help="minibatch of sgd, an_sgd and nsgd (default 64)")
    parser.add_argument("--steps", type=positive_int, help="steps of each run (default 300)")
    parser.add_argument("--spread", type=float, help="spread of the starts (default 0.5)")
    parser.add_argument("--source", choices=SOURCES,
                        help="smoothness data (default: hessian, the Hessian norm at the record points)")
    parser.add_argument("--fit", choices=FITS, default="envelope",
                        help="the fit reported (all are shown side by side)")
    parser.add_argument("--weight", type=float, default=0.0,
                        help="w of the asymmetric least-squares fit (0: plain least squares)")
    parser.add_argument("--alpha", type=number_argument, default=None,
                        help="fix the exponent alpha in [0, 1] (2/3 or a decimal)")
    parser.add_argument("--quantile", type=float, default=1.0, help="robust level in (0, 1]")
    parser.add_argument("--noise-batch", type=positive_int,
                        help="batch of the noise estimate of a finite sum (default 1)")
    parser.add_argument("--draws", type=positive_int,
                        help="stochastic gradients per point of the noise estimate (default 64)")
    parser.add_argument("--resamples", type=positive_int, default=99, help="bootstrap resamples")
    parser.add_argument("--reference-steps", type=positive_int, default=None,
                        help="steps of the run estimating an unknown f* (default 4 x steps)")
    parser.add_argument("--f-star", type=_finite_float, default=None,
                        help="the minimum value f*, when you know it: the PL estimate then uses it "
                             "instead of a reference run's lowest loss (which biases rho and mu)")
    add_shared(parser, "estimate", seeds=4, seeds_help="runs from seeded spread starts",
               out_help="report folder: results.json and the figures")
    parser.set_defaults(func=main, default_out=lambda args: out_folder(
        "estimate", args.problem or (args.pairs and f"pairs-{pathlib.Path(args.pairs).stem}")))


RUN_DEFAULTS = {"optimizer": "an_gd", "lr": 0.05, "beta": Fraction(1), "batch": 64, "steps": 300,
                "spread": 0.5, "source": "hessian", "noise_batch": 1, "draws": 64, "reference_steps": None,
                "f_star": None}
"""The options of a run of a problem, and their defaults (set once the options given are checked)."""

NORMALIZED, STOCHASTIC = ("an_gd", "an_sgd", "nsgd"), ("sgd", "an_sgd", "nsgd")


def _refuse_given(args, names, why: str) -> None:
    """Refuse, before any work, the options of ``names`` that were given: not used ``why``."""
    given = [name for name in names if getattr(args, name) is not None]
    if given:
        options = ", ".join(f"--{name.replace('_', '-')} {getattr(args, name)}" for name in given)
        raise ValueError(f"{options}: not used {why}")


def _refuse_unused(args, problem) -> None:
    """Refuse options the run would ignore: a method's sizes it does not have, noise options on a
    deterministic problem, ``--reference-steps`` where ``f*`` is known."""
    method = args.optimizer or RUN_DEFAULTS["optimizer"]
    if method not in NORMALIZED:
        _refuse_given(args, ["beta"], f"by --optimizer {method}, which has no beta "
                                      f"(the normalized methods: {', '.join(NORMALIZED)})")
    if method not in STOCHASTIC:
        _refuse_given(args, ["batch"], f"by --optimizer {method}, which takes full gradients "
                                       f"(the stochastic methods: {', '.join(STOCHASTIC)})")
    if not problem.stochastic:
        _refuse_given(args, ["noise_batch", "draws"], f"on {problem.name}, which is not a finite "
                                                      "sum: no noise is estimated")
    if problem.f_star is not None:
        _refuse_given(args, ["reference_steps", "f_star"], f"on {problem.name}, which states its f*")
    if args.f_star is not None:
        _refuse_given(args, ["reference_steps"], "with --f-star: no reference run is needed")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def load_problem(spec: str):
    """The problem named by ``spec``: a built-in name or ``path/to/file.py:name``."""
    from gsmooth.problems.loading import load_problem as load

    return load(spec, built_in=BUILT_IN)


def make_optimizer(args):
    """The method named by ``--optimizer`` with ``--lr``, ``--beta``, ``--batch``."""
    import gsmooth as gs

    beta = float(args.beta)
    kwargs = {"gd": {}, "an_gd": {"beta": beta}, "sgd": {"batch": args.batch},
              "an_sgd": {"beta": beta, "batch": args.batch},
              "nsgd": {"beta": beta, "batch": args.batch}}[args.optimizer]
    return getattr(gs.optim, args.optimizer)(args.lr, **kwargs)


def estimate_all(problem, args) -> tuple[dict, dict]:
    """Run, estimate; return ``(estimates, skipped reasons)``."""
    import gsmooth as gs

    optimizer = make_optimizer(args)
    w0 = gs.estimate.spread_starts(problem, args.seeds, args.spread)
    res = gs.run(problem, optimizer, args.steps, seeds=args.seeds, w0=w0, capture=True,
                 device=args.device, dtype=args.dtype, progress=progress(args),
                 keep_iterates=True)
    estimates, skipped = {}, {}
    jobs = {
        "smoothness": lambda: gs.estimate.smoothness(
            problem, res, source=args.source, quantile=args.quantile, fit=args.fit,
            weight=args.weight, alpha=_float(args.alpha), n_resamples=args.resamples,
            progress=progress(args)),
        "pl": lambda: gs.estimate.pl(problem, res, f_star=args.f_star,
                                     reference=_reference(problem, optimizer, args),
                                     n_resamples=args.resamples),
    }
    if problem.stochastic:
        jobs["noise"] = lambda: gs.estimate.noise(
            problem, res, batch=args.noise_batch, draws=args.draws, quantile=args.quantile,
            n_resamples=args.resamples)
    for name, job in jobs.items():
        try:
            estimates[name] = job()
        except gs.GSmoothError as error:
            skipped[name] = str(error)
    return estimates, skipped


def _reference(problem, optimizer, args):
    import gsmooth as gs

    if problem.f_star is not None or args.f_star is not None:
        return None
    steps = args.reference_steps or 4 * args.steps
    return gs.run(problem, optimizer, steps, seeds=1, device=args.device, dtype=args.dtype,
                  progress=progress(args))


def main(args) -> int:
    """Run the estimates (or fit the pairs), print the table, write the report; exit code."""
    if (args.problem is None) == (args.pairs is None):
        raise ValueError("give a problem or --pairs FILE.csv, exactly one of them")
    if args.pairs is not None:
        _refuse_given(args, RUN_DEFAULTS, "with --pairs, which fits a file's pairs instead of running a problem")
        return pairs_main(args)
    from gsmooth.estimate.report import table

    problem = load_problem(args.problem)
    _refuse_unused(args, problem)
    for name, value in RUN_DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    estimates, skipped = estimate_all(problem, args)
    print(f"gsmooth estimate: {problem.name}, {args.optimizer} (lr {args.lr:g}), "
          f"{args.steps} steps, {args.seeds} runs")
    print(table(estimates))
    directional = getattr(estimates.get("smoothness"), "directional", None)
    if directional is not None:
        print(f"directional smoothness ({directional.data.source} ratio along the steps, not "
              f"the Hessian norm): L0 {directional.L0:.5g}, L1 {directional.L1:.5g}, "
              f"alpha {directional.alpha:.5g}")
    for est in estimates.values():
        for note in est.notes:
            print(f"note: {note}")
    for name, reason in skipped.items():
        print(f"{name}: not estimated: {reason}")
    meta = {"problem": problem.name, "spec": args.problem, "skipped": skipped,
            **options_of(args, "problem")}
    paths, table = _write(args, estimates, meta)
    print("wrote " + ", ".join(str(p) for p in paths))
    print(table)
    return 0 if estimates else 1


def _write(args, estimates: dict, meta: dict) -> tuple[list, str]:
    """Write the report and its table into ``--out`` together; return the report's files and the
    table's line."""
    from gsmooth._io import staged_folder, unstaged
    from gsmooth.estimate.report import EstimateReport, write_report

    with staged_folder(args.out) as stage:
        paths = write_report(stage, estimates, meta, format=args.format)
        table = export_table(EstimateReport(estimates, meta), args.out, args.export, stage=stage)
    return unstaged(paths, stage, args.out), table


def pairs_main(args) -> int:
    """``--pairs FILE.csv``: fit each block of the file, print the fits, write the report."""
    import gsmooth as gs
    from gsmooth.estimate.report import PAIRS

    columns = gs.estimate.read_pairs(args.pairs)
    fitted = gs.estimate.smoothness_from_pairs(
        **columns, fit=args.fit, alpha=_float(args.alpha), quantile=args.quantile, weight=args.weight,
        n_resamples=args.resamples)
    by_block = fitted if isinstance(fitted, dict) else {"all": fitted}
    print(f"gsmooth estimate --pairs {args.pairs}: {len(by_block)} block(s)")
    for est in by_block.values():
        print(est.summary())
    meta = {"pairs": str(args.pairs), **options_of(args, "problem", "pairs")}
    paths, table = _write(args, {PAIRS: by_block}, meta)
    print("wrote " + ", ".join(str(p) for p in paths))
    print(table)
    return 0


def _float(value):
    return None if value is None else float(value)
