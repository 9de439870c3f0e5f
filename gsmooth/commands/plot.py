"""``gsmooth plot DIR``: redraw the figures of an output folder from its saved results."""

from __future__ import annotations

import importlib
import pathlib

from gsmooth.commands._shared import add_shared

WRITERS = {"verify": "gsmooth.verification", "reproduce": "gsmooth.reproduction",
           "sweep": "gsmooth.sweep", "estimate": "gsmooth.estimate"}
"""The module whose ``redraw(folder)`` draws each kind of results.json."""


def register(subparsers) -> None:
    """Add the ``plot`` sub-command."""
    parser = subparsers.add_parser("plot", help="redraw the figures of an output folder",
                                   description="Read DIR/results.json and redraw its figures.")
    parser.add_argument("folder", metavar="DIR", help="a folder written by gsmooth verify/reproduce/sweep/estimate")
    add_shared(parser, "plot")
    parser.set_defaults(func=main)


def redraw(folder, format: str = "png") -> list:
    """Dispatch on the ``"kind"`` of ``folder/results.json``; return the files drawn (in ``format``)."""
    from gsmooth._io import RESULTS
    from gsmooth.results import results_kind

    results = pathlib.Path(folder) / RESULTS
    if not results.is_file():
        raise FileNotFoundError(f"{folder} has no {RESULTS}; give a folder written by gsmooth")
    kind = results_kind(results)
    if kind not in WRITERS:
        raise ValueError(f"a {kind!r} result has no figures to redraw; kinds with figures: "
                         f"{', '.join(WRITERS)}")
    try:
        drawn = importlib.import_module(WRITERS[kind]).redraw(folder, format=format)
    except (KeyError, TypeError, IndexError, AttributeError) as error:  # a field missing or of the wrong type
        raise ValueError(f"{results} is not a complete {kind} result ({type(error).__name__}: {error}); "
                         "was it edited, or written by another program?") from None
    if not drawn:
        raise ValueError(f"{results} holds a {kind!r} result with nothing to draw")
    return drawn


def main(args) -> int:
    """Redraw and list the files."""
    from gsmooth._io import check_output_dir

    check_output_dir(args.folder, "DIR")
    for path in redraw(args.folder, format=args.format):
        print(path)
    return 0
