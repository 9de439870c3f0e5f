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

from gsmooth.commands._shared import add_shared, export_table, out_folder, positive_int, progress

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
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="local spawn process pool (default) or dask.distributed")
    parser.add_argument("--workers", type=positive_int, default=None,
                        help="worker processes (default: CPU count)")
    parser.add_argument("--threads-per-worker", type=positive_int, default=None,
                        help="BLAS threads of each local worker (default: cores // workers, "
                             "so that workers x threads <= cores)")
    parser.add_argument("--scheduler", default=None,
                        help="address of a running dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--connect-timeout", type=float, default=10.0,
                        help="seconds to wait for --scheduler to answer (default 10)")
    add_shared(parser, "sweep", out_help="results folder (created; rerun with the same one to resume)")
    parser.set_defaults(func=main, default_out=lambda args: out_folder("sweep", args.spec),
                        table_needs_pandas=False)


def main(args) -> int:
    """Run the sweep; print a summary (with every failed unit); return the exit code."""
    from gsmooth.sweep import export, run_sweep

    report = run_sweep(args.spec, args.out, executor=args.executor, workers=args.workers,
                       scheduler=args.scheduler, threads_per_worker=args.threads_per_worker,
                       connect_timeout=args.connect_timeout,
                       progress=progress(args))
    print(report.summary())
    print(export_table(lambda fmt: export(args.out, fmt), args.out, args.export,
                       needs_pandas=args.table_needs_pandas))
    return 1 if report.failed else 0
