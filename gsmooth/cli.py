"""The ``gsmooth`` command line: one sub-command per module of :mod:`gsmooth.commands`.

Exit codes: 0 success; 1 the command ran but its answer is negative (a check
failed, some sweep units failed, nothing could be estimated); 2 a user error;
130 interrupted (Ctrl-C).

A user error (a bad value, a missing file, an unknown name, an output folder
that cannot be written, a device that is not there, an exception in the
user's own code) ends in one line on standard error, without a traceback:
``gsmooth: error: ...``.  Warnings of gsmooth (:class:`~gsmooth.errors.GSmoothWarning`)
print as one line too: ``gsmooth: warning: ...``.

Before a command starts, the options that commands share by name are checked
(:data:`PREFLIGHT`): ``--out`` must be a folder that can be written and
holds no result of another command,
``--map`` a file that can be written, ``--device`` a device that is present.
A new command gets these checks by naming its options the same way.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import warnings
from contextlib import contextmanager

from gsmooth import __version__, commands
from gsmooth._backend import namespace_for
from gsmooth._io import check_no_other_result, check_output_dir, check_output_file
from gsmooth.commands._shared import check_export
from gsmooth.errors import GSmoothError, GSmoothWarning

USER_ERRORS = (GSmoothError, ValueError, TypeError, OSError, ImportError)
"""Errors printed as one line with exit code 2 (a missing optional extra included)."""
INTERRUPTED = 130

PREFLIGHT = {
    "out": lambda value, args: check_no_other_result(check_output_dir(value, "--out"), args.command, "--out"),
    "map": lambda value, args: check_output_file(value, "--map"),
    "device": lambda value, args: namespace_for(value),
    "export": lambda value, args: check_export(value, needs_pandas=getattr(args, "table_needs_pandas", True)),
}
"""Checks run before any command, keyed by the option's destination name, called
with the value and the parsed arguments; each raises a one-line user error.  An
option left at ``None`` is not checked."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (argparse's usage block can wrap)."""

    def error(self, message: str):
        self.exit(2, f"gsmooth: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every sub-command registered."""
    parser = Parser(
        prog="gsmooth",
        description="Generalized-smooth optimization: theory, estimators, verification.",
    )
    parser.add_argument("--version", action="version", version=f"gsmooth {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in pkgutil.iter_modules(commands.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"gsmooth.commands.{module.name}").register(subparsers)
    return parser


def preflight(args: argparse.Namespace) -> None:
    """Fill in the command's default ``--out`` (its ``default_out`` rule), then run every
    check of :data:`PREFLIGHT` whose option the command has and was given."""
    if getattr(args, "out", "") is None and hasattr(args, "default_out"):
        args.out = args.default_out(args)
    for name, check in PREFLIGHT.items():
        value = getattr(args, name, None)
        if value is not None:
            check(value, args)


@contextmanager
def _one_line_warnings():
    """Format gsmooth's warnings as ``gsmooth: warning: ...`` (one line) while the command runs."""
    previous = warnings.formatwarning

    def formatwarning(message, category, filename, lineno, line=None):
        if issubclass(category, GSmoothWarning):
            return f"gsmooth: warning: {message}\n"
        return previous(message, category, filename, lineno, line)

    warnings.formatwarning = formatwarning
    try:
        yield
    finally:
        warnings.formatwarning = previous


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Set ``GSMOOTH_TRACEBACK=1`` to see the traceback of a user error.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a one-line usage error (code 2)
        return int(stop.code or 0)
    with _one_line_warnings():
        try:
            preflight(args)
            return int(args.func(args))
        except USER_ERRORS as error:
            if os.environ.get("GSMOOTH_TRACEBACK"):
                raise
            print(f"gsmooth: error: {_message(error)}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("gsmooth: interrupted", file=sys.stderr)
            return INTERRUPTED


def _message(error: BaseException) -> str:
    """The message of ``error`` in at most two lines (its type where it has none)."""
    lines = str(error).strip().splitlines()
    return "\n".join(lines[:2]) if lines else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
