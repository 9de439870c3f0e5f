"""``gsmooth sweep SPEC.toml --out DIR``: run a resumable parameter sweep.

Rerunning the same command resumes: stored units are skipped, corrupt or
failed ones redone.  Every unit's problem and optimizer is built before the
first one runs, so a spec that cannot run stops at once.

Exit codes: 0 every unit is stored; 1 some unit raised while running (each
failed unit is printed with its reason, also kept in DIR/index.jsonl; rerun
to retry them); 2 a user error, before any unit runs (a bad spec or option,
an --out that cannot be written, a scheduler that does not answer).
"""

from __future__ import annotations

import argparse

EXIT_CODES = ("exit codes: 0 every unit stored; 1 some units failed (each printed with its "
              "reason; rerun to retry); 2 a user error (bad spec or option, --out not writable, "
              "scheduler unreachable), before any unit runs")


def register(subparsers) -> None:
    """Add the ``sweep`` sub-command."""
    parser = subparsers.add_parser(
        "sweep", help="run a resumable parameter sweep from a TOML spec",
        description="Run the units of a TOML sweep spec that DIR does not hold yet, on a "
                    "local process pool or a dask.distributed cluster.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("spec", help="sweep spec (TOML); see `python -m pydoc gsmooth.sweep`")
    parser.add_argument("--out", required=True, help="results folder (created; reused to resume)")
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="local spawn process pool (default) or dask.distributed")
    parser.add_argument("--workers", type=_positive_int, default=None,
                        help="worker processes (default: CPU count)")
    parser.add_argument("--threads-per-worker", type=_positive_int, default=None,
                        help="BLAS threads of each local worker (default: cores // workers, "
                             "so that workers x threads <= cores)")
    parser.add_argument("--scheduler", default=None,
                        help="address of a running dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--connect-timeout", type=float, default=10.0,
                        help="seconds to wait for --scheduler to answer (default 10)")
    parser.add_argument("--export", choices=("csv", "parquet"), default=None,
                        help="also write the tidy table as DIR/sweep.csv or DIR/sweep.parquet")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=main)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def main(args) -> int:
    """Run the sweep; print a summary (with every failed unit); return the exit code."""
    from gsmooth.sweep import export, run_sweep

    report = run_sweep(args.spec, args.out, executor=args.executor, workers=args.workers,
                       scheduler=args.scheduler, threads_per_worker=args.threads_per_worker,
                       connect_timeout=args.connect_timeout,
                       progress=False if args.no_progress else None)
    print(report.summary())
    if args.export:
        print(f"table: {export(args.out, args.export)}")
    return 1 if report.failed else 0
