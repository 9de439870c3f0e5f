"""``gsmooth verify``: the built-in verification suite, one problem of it, or the user's own.

Exit codes: 0 PASS, 1 FAIL, 3 NOT VERIFIED (nothing failed, but no rate check
could be judged), 2 a user error (one line on standard error, before any run).
"""

from __future__ import annotations

import argparse
import sys

from gsmooth.commands._shared import add_shared, export_table, out_folder, positive_int, progress

EPILOG = """\
outcomes and exit codes:
  0  PASS          every judged check passed, and at least one rate check was judged
  1  FAIL          a judged check failed (its row says which)
  3  NOT VERIFIED  nothing failed, but no rate check applied; the reasons and what to change are printed
  2  error         bad input (one line, nothing run)
"""


def register(subparsers) -> None:
    """Add the ``verify`` sub-command."""
    parser = subparsers.add_parser(
        "verify", help="check predicted AN-GD rates against runs; write a report",
        description="Run the verification suite (or one problem, or path/to/file.py:name), print the "
        "check table and the outcome, write a report folder. Claimed constants (--rho ... --f-star) are "
        "the hypothesis judged; the others are estimated on independent runs.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", nargs="?", default=None,
                        help="a suite problem (power, quadratic, cosh, phase_retrieval, dro) "
                        "or path/to/file.py:name (a Problem or a value_and_grad function)")
    parser.add_argument("--beta", default=None, help="AN-GD power in [0, 1], e.g. 2/3")
    parser.add_argument("--quick", action="store_true", help="a faster subset of the suite covering every regime")
    add_shared(parser, "verify", seeds=8, seeds_help="judged runs per case",
               out_help="report folder: report.md, results.json, curves.npz, figures")
    parser.add_argument("--lr", type=float, default=None, help="fixed step size (own problem)")
    parser.add_argument("--steps", type=positive_int, default=None, help="steps (own problem)")
    parser.add_argument("--eps", default=None, help="eps-sweep targets, comma-separated, e.g. 1e-2,1e-4")
    parser.add_argument("--x0", default=None, help="starting point of a function, comma-separated")
    claims = parser.add_argument_group("claimed constants (the hypothesis; exponents stay exact, e.g. 4/3)")
    for name, text in (("rho", "PL exponent in (0, 2]"), ("mu", "PL constant > 0"),
                       ("alpha", "smoothness exponent in [0, 1]"), ("L0", "smoothness constant >= 0"),
                       ("L1", "smoothness constant >= 0")):
        claims.add_argument(f"--{name}", default=None, help=text)
    claims.add_argument("--f-star", default=None, help="minimum value F*")
    parser.add_argument("--reference-steps", type=positive_int, default=None,
                        help="iteration limit of the reference minimization that estimates an unknown F* "
                        "(default 10000)")
    parser.set_defaults(func=main, default_out=lambda args: out_folder("verify", args.target))


def _floats(text: str | None, name: str):
    if text is None:
        return None
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"--{name} must be comma-separated numbers, got {text!r}") from None


def main(args) -> int:
    """Run the verification; print the table and the outcome; return its exit code."""
    from gsmooth._io import staged_folder
    from gsmooth.verification import verify

    with staged_folder(args.out) as stage:  # the report and its table replace the old ones together
        report = verify(
            args.target, beta=args.beta, quick=args.quick, out=stage, device=args.device,
            runs=args.seeds, lr=args.lr, steps=args.steps, eps_grid=_floats(args.eps, "eps"),
            x0=_floats(args.x0, "x0"), rho=args.rho, mu=args.mu, alpha=args.alpha, L0=args.L0,
            L1=args.L1, f_star=args.f_star, reference_steps=args.reference_steps,
            progress=progress(args), format=args.format,
        )
        table = export_table(report, args.out, args.export, stage=stage)
    print(report.table())
    print(f"\n{report.summary()}\nreport in {args.out}")
    print(table)
    sys.stdout.flush()
    return report.outcome.exit_code
