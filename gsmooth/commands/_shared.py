"""The options every sub-command shares: one definition each, so one name means one thing.

==================  =====================================================================
option              meaning (wherever a sub-command takes it)
==================  =====================================================================
``--seeds N``       independent runs: seeds ``0..N-1`` of the runs' streams
``--out DIR``       the folder results go to; default ``./gsmooth-COMMAND[-NAME]``
                    (NAME: the problem, experiment or spec the command ran), see :func:`out_folder`
``--device D``      where the numerics run: ``numpy``, ``cupy`` or ``array-api-strict``
``--dtype T``       floating dtype of the runs: ``float64`` or ``float32``
``--no-progress``   no progress bars (by default they show on a terminal only)
``--format F``      figure files: ``png``, ``pdf`` or ``svg`` (text stays text in PDF and SVG)
``--export F``      the results table (``to_pandas()``) as ``results.parquet`` or
                    ``results.csv``, or ``none``; default Parquet where pyarrow is
                    installed, else none, said in the output
==================  =====================================================================

Which sub-command takes which option is :data:`TAKES`; ``tests/test_cli_options.py``
checks every sub-command's parser against it.
"""

from __future__ import annotations

import argparse
import re
from fractions import Fraction

from gsmooth._backend import DEVICES
from gsmooth.plots.style import FORMATS

DTYPES = ("float64", "float32")
EXPORTS = ("parquet", "csv", "none")

TAKES = {
    "verify": ("seeds", "out", "device", "no_progress", "format", "export"),
    "estimate": ("seeds", "out", "device", "dtype", "no_progress", "format", "export"),
    "reproduce": ("seeds", "out", "device", "dtype", "no_progress", "format", "export"),
    "sweep": ("out", "no_progress", "export"),
    "theory": ("out", "format", "export"),
    "plot": ("format",),
}
"""The shared options of each sub-command.  ``sweep`` reads seeds, device and dtype
from its spec (they are part of what is stored); ``verify`` runs in float64, the
precision its bound checks are stated in; ``plot`` redraws into the folder it reads;
``theory`` writes a folder only when ``--out`` is given."""


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1, or a one-line error naming the value."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def add_shared(parser, command: str, *, seeds: int | None = None, seeds_help: str = "",
               out_help: str = "") -> None:
    """Add the shared options :data:`TAKES` lists for ``command`` to its ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    command : str
        The sub-command's name (a key of :data:`TAKES`).
    seeds : int, optional
        Default of ``--seeds``.
    seeds_help, out_help : str
        What the runs are, and what goes into the folder, for the help text.
    """
    takes = TAKES[command]
    if "seeds" in takes:
        parser.add_argument("--seeds", type=positive_int, default=seeds,
                            help=f"independent runs{': ' + seeds_help if seeds_help else ''} "
                            f"(default {seeds})")
    if "out" in takes:
        default = "" if command == "theory" else f" (default ./gsmooth-{command}-NAME)"
        parser.add_argument("--out", default=None, metavar="DIR",
                            help=f"{out_help or 'results folder'}{default}")
    if "device" in takes:
        parser.add_argument("--device", default="numpy", choices=DEVICES,
                            help="where the numerics run (default numpy)")
    if "dtype" in takes:
        parser.add_argument("--dtype", default="float64", choices=DTYPES,
                            help="floating dtype of the runs (default float64)")
    if "no_progress" in takes:
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    if "format" in takes:
        parser.add_argument("--format", default="png", choices=FORMATS,
                            help="figure file format (default png)")
    if "export" in takes:
        parser.add_argument("--export", default=None, choices=EXPORTS,
                            help="results table: parquet, csv or none (default: parquet where "
                            "pyarrow is installed, else none, said in the output; every command "
                            "but sweep also needs pandas)")


def out_folder(command: str, name: str | None = None) -> str:
    """The default ``--out`` of ``command``: ``gsmooth-COMMAND`` or ``gsmooth-COMMAND-NAME``.

    ``NAME`` is made safe for a folder name (a file spec ``path/f.py:quad`` gives ``quad``).

    Examples
    --------
    >>> out_folder("verify"), out_folder("estimate", "tests/f.py:quad"), out_folder("reproduce", "dro")
    ('gsmooth-verify', 'gsmooth-estimate-quad', 'gsmooth-reproduce-dro')
    """
    if not name:
        return f"gsmooth-{command}"
    name = str(name).rpartition(":")[2] or str(name)
    name = re.sub(r"\.(toml|py|csv)$", "", name.rsplit("/", 1)[-1])
    return f"gsmooth-{command}-{re.sub(r'[^A-Za-z0-9_.=-]+', '_', name)}"


def options_of(args, *leave_out: str) -> dict:
    """The parsed options as JSON-ready values (exact numbers as ``"2/3"``), for a report's
    metadata; the command's own hooks and ``leave_out`` are left out.

    Examples
    --------
    >>> from fractions import Fraction
    >>> options_of(argparse.Namespace(beta=Fraction(2, 3), seeds=4, func=print), "seeds")
    {'beta': '2/3'}
    """
    out = {}
    for name, value in vars(args).items():
        if name in leave_out or callable(value):
            continue
        out[name] = str(value) if isinstance(value, Fraction) else value
    return out


def progress(args) -> bool | None:
    """The ``progress`` argument of the library: ``False`` with ``--no-progress``, else
    ``None`` (a bar on a terminal only)."""
    return False if getattr(args, "no_progress", False) else None


def export_table(result, folder, choice: str | None, *, needs_pandas: bool = True, stage=None) -> str:
    """Write ``result``'s table as the ``--export`` choice asks; return a line saying what.

    With ``stage`` (a :func:`gsmooth._io.staged_folder` of ``folder``) the table
    is written there, to move into ``folder`` with the rest of the result.

    ``None`` (the default) writes Parquet where pyarrow (and pandas, when the
    table comes from ``result.to_pandas()``) is installed, and says why not
    otherwise; an explicit choice that cannot be written was refused before
    any work (:func:`check_export`).  ``result`` is a result object with
    ``to_pandas()``, or a callable ``fmt -> path`` that writes the table itself
    (the sweep, whose table needs no pandas).
    """
    from pathlib import Path

    from gsmooth._tables import parquet_available, write_columns

    if choice == "none":
        return "table: not written (--export none)"
    if choice is None:
        if not (parquet_available() and (_pandas_available() or not needs_pandas)):
            needs = "pyarrow and pandas" if needs_pandas else "pyarrow"
            return f"table: not written (results.parquet needs {needs}; try --export csv)"
        choice = "parquet"
    if callable(result):
        return f"table: {result(choice)}"
    path = write_columns(result.to_pandas(), Path(stage or folder) / f"results.{choice}", choice)
    return f"table: {Path(folder) / path.name}"


def check_export(choice: str | None, *, needs_pandas: bool = True) -> None:
    """Refuse, before any work, an explicit ``--export`` that cannot be written here.

    ``needs_pandas=False`` for a command whose table is written without pandas
    (the sweep: ``table_needs_pandas=False`` in its parser's defaults).
    """
    from gsmooth._tables import check_table_format

    if choice in (None, "none"):
        return
    if needs_pandas and not _pandas_available():
        raise ValueError(f"--export {choice} needs pandas (pip install pandas), got it missing")
    check_table_format(choice)


def _pandas_available() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True
