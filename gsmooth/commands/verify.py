"""``gsmooth verify``: the built-in verification suite, one problem of it, or the user's own."""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    """Add the ``verify`` sub-command."""
    parser = subparsers.add_parser(
        "verify", help="check predicted AN-GD rates against runs; write a report",
        description="Run the verification suite (or one problem, or path/to/file.py:name), "
        "print the verdict table, write a report folder; exit 0 when every check passes, 1 otherwise.",
    )
    parser.add_argument("target", nargs="?", default=None,
                        help="a suite problem (power, quadratic, cosh, phase_retrieval, dro) "
                        "or path/to/file.py:name (a Problem or a value_and_grad function)")
    parser.add_argument("--beta", default=None, help="AN-GD power in [0, 1], e.g. 2/3")
    parser.add_argument("--quick", action="store_true", help="a faster subset covering every regime")
    parser.add_argument("--out", default="gsmooth-report", help="report folder (default ./gsmooth-report)")
    parser.add_argument("--device", default="numpy", choices=("numpy", "cupy", "array-api-strict"))
    parser.add_argument("--runs", type=int, default=8, help="runs per case (default 8)")
    parser.add_argument("--lr", type=float, default=None, help="fixed step size (own problem)")
    parser.add_argument("--steps", type=int, default=None, help="steps (own problem)")
    parser.add_argument("--eps", default=None, help="eps-sweep targets, comma-separated, e.g. 1e-2,1e-4")
    parser.add_argument("--x0", default=None, help="starting point of a function, comma-separated")
    parser.add_argument("--f-star", type=float, default=None, help="minimum value of the own problem")
    parser.set_defaults(func=main)


def _floats(text: str | None, name: str):
    if text is None:
        return None
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--{name} must be comma-separated numbers, got {text!r}") from None


def main(args) -> int:
    """Run the verification; print the table; return 0 (all pass) or 1."""
    from gsmooth.verification import verify

    report = verify(
        args.target, beta=args.beta, quick=args.quick, out=args.out, device=args.device,
        runs=args.runs, lr=args.lr, steps=args.steps, eps_grid=_floats(args.eps, "eps"),
        x0=_floats(args.x0, "x0"), f_star=args.f_star,
    )
    print(report.table())
    verdict = "PASS" if report.passed else f"FAIL ({report.n_failed} failed)"
    print(f"\n{verdict}: {len(report.cases)} cases in {report.seconds:.1f} s; report in {args.out}")
    sys.stdout.flush()
    return 0 if report.passed else 1
