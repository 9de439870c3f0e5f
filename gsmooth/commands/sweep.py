"""``gsmooth sweep SPEC.toml --out DIR``: run a resumable parameter sweep.

Rerunning the same command resumes: stored units are skipped, corrupt or
failed ones redone.  Exit code 0 when every unit is stored, 1 when some unit
raised (its message is in DIR/index.jsonl; rerun to retry), 2 for a bad spec.
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    """Add the ``sweep`` sub-command."""
    parser = subparsers.add_parser(
        "sweep", help="run a resumable parameter sweep from a TOML spec",
        description="Run the units of a TOML sweep spec that DIR does not hold yet, on a "
                    "local process pool or a dask.distributed cluster.",
    )
    parser.add_argument("spec", help="sweep spec (TOML); see `python -m pydoc gsmooth.sweep`")
    parser.add_argument("--out", required=True, help="results folder (created; reused to resume)")
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="local spawn process pool (default) or dask.distributed")
    parser.add_argument("--workers", type=_positive_int, default=None,
                        help="worker processes (default: CPU count)")
    parser.add_argument("--scheduler", default=None,
                        help="address of a running dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--export", choices=("csv", "parquet"), default=None,
                        help="also write the tidy table as DIR/sweep.csv or DIR/sweep.parquet")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=main)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def main(args) -> int:
    """Run the sweep; print a summary line; return the exit code."""
    from gsmooth.sweep import export, run_sweep

    report = run_sweep(args.spec, args.out, executor=args.executor, workers=args.workers,
                       scheduler=args.scheduler, progress=False if args.no_progress else None)
    print(report.summary())
    if args.export:
        print(f"table: {export(args.out, args.export)}")
    return 1 if report.failed else 0
