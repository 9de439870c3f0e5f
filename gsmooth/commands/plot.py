"""``gsmooth plot DIR``: redraw the figures of an output folder from its saved results."""

from __future__ import annotations

import importlib
import json
import pathlib

WRITERS = {"verify": "gsmooth.verification", "reproduce": "gsmooth.reproduction",
           "sweep": "gsmooth.sweep", "estimate": "gsmooth.estimate"}
"""The module whose ``redraw(folder)`` draws each kind of results.json."""


def register(subparsers) -> None:
    """Add the ``plot`` sub-command."""
    parser = subparsers.add_parser("plot", help="redraw the figures of an output folder",
                                   description="Read DIR/results.json and redraw its figures.")
    parser.add_argument("folder", metavar="DIR", help="a folder written by gsmooth verify/reproduce/sweep/estimate")
    parser.set_defaults(func=main)


def redraw(folder) -> list:
    """Dispatch on the ``"kind"`` of ``folder/results.json``; return the files drawn."""
    results = pathlib.Path(folder) / "results.json"
    if not results.is_file():
        raise FileNotFoundError(f"{folder} has no results.json; give a folder written by gsmooth")
    try:
        kind = json.loads(results.read_text()).get("kind")
    except (json.JSONDecodeError, AttributeError):
        raise ValueError(f"{results} is not a gsmooth results file") from None
    if kind not in WRITERS:
        raise ValueError(f"unknown results kind {kind!r} in {results}; expected one of {', '.join(WRITERS)}")
    return importlib.import_module(WRITERS[kind]).redraw(folder)


def main(args) -> int:
    """Redraw and list the files."""
    from gsmooth._io import check_output_dir

    check_output_dir(args.folder, "DIR")
    for path in redraw(args.folder):
        print(path)
    return 0
