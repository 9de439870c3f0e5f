"""The ``gsmooth`` command line: one sub-command per module of :mod:`gsmooth.commands`.

User errors (bad values, missing files, unknown names) end in one line on
standard error and exit code 2, without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from gsmooth import commands
from gsmooth.errors import GSmoothError

USER_ERRORS = (GSmoothError, ValueError, FileNotFoundError)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="gsmooth",
        description="Generalized-smooth optimization: theory, estimators, verification.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"gsmooth.commands.{module.name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except USER_ERRORS as error:
        print(f"gsmooth: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
