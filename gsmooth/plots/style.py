"""One style for every gsmooth figure, and the one way figures are saved.

* :data:`STYLE` holds the rc settings (8 pt legends and ticks, 9 pt labels,
  10 pt titles, 150 dpi PNG, text kept as text in PDF and SVG:
  ``pdf.fonttype = 42``, ``svg.fonttype = "none"``).  :func:`styled` applies
  them to the whole build of a figure, so every artist (legends and titles
  created after the axes included) gets them; matplotlib's global settings
  are restored afterwards.
* :func:`new_figure` builds a :class:`matplotlib.figure.Figure` on its own
  Agg canvas (the object API, so text can be measured): pyplot is never imported and the backend never switched, so a
  notebook user's session is left as it was.
* :func:`save_figure` writes PNG, PDF or SVG atomically, the format checked
  by :func:`check_format`.

Sizes: one panel is :data:`PANEL_WIDTH` = 3.4 in wide (one column of a
two-column paper); a row of panels is at most :data:`MAX_WIDTH` = 7 in
(the full text width).

Examples
--------
>>> import matplotlib.figure
>>> fig, axes = new_figure(ncols=2)
>>> isinstance(fig, matplotlib.figure.Figure), len(axes), fig.get_size_inches().tolist()
(True, 2, [6.8, 2.6])
>>> check_format("tiff")
Traceback (most recent call last):
...
ValueError: format must be one of 'png', 'pdf', 'svg', got 'tiff'
"""

from __future__ import annotations

import functools
import pathlib

from gsmooth._checks import one_of
from gsmooth._io import write_atomic

FORMATS = ("png", "pdf", "svg")
PANEL_WIDTH, PANEL_HEIGHT = 3.4, 2.6
MAX_WIDTH = 7.0

STYLE = {
    "figure.dpi": 150,
    "savefig.dpi": 150,
    "savefig.facecolor": "white",
    "font.size": 8,
    "axes.titlesize": 10,
    "figure.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "legend.frameon": False,
    "legend.handlelength": 2.2,
    "legend.handletextpad": 0.5,
    "legend.borderaxespad": 0.3,
    "legend.columnspacing": 1.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.titlepad": 4.0,
    "axes.formatter.useoffset": False,
    "axes.formatter.use_mathtext": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.3,
    "lines.markersize": 3.5,
    "mathtext.fontset": "dejavusans",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
}


def check_format(format: str) -> str:
    """Return ``format`` if it is one of :data:`FORMATS`, else raise ``ValueError``."""
    return one_of("format", format, FORMATS)


def style_context():
    """A context in which matplotlib's rc settings are :data:`STYLE` (restored on exit)."""
    import matplotlib

    return matplotlib.rc_context(STYLE)


def styled(build):
    """Decorate a figure builder so that the whole build (and the save) runs in :data:`STYLE`."""

    @functools.wraps(build)
    def in_style(*args, **kwargs):
        with style_context():
            return build(*args, **kwargs)

    return in_style


def new_figure(ncols: int = 1, nrows: int = 1, width: float = PANEL_WIDTH,
               height: float = PANEL_HEIGHT, *, sharex: bool = False, sharey: bool = False):
    """Return ``(fig, axes)``: a constrained-layout :class:`~matplotlib.figure.Figure`, axes flat.

    Parameters
    ----------
    ncols, nrows : int
        Grid of panels.
    width, height : float
        Size of one panel in inches; a row wider than :data:`MAX_WIDTH` is
        narrowed to it.
    sharex, sharey : bool
        Share the axes of all panels.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    total = min(width * ncols, MAX_WIDTH)
    with style_context():
        fig = Figure(figsize=(total, height * nrows), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=sharex, sharey=sharey)
    return fig, list(axes.ravel())


def figure_path(path, format: str | None = None) -> pathlib.Path:
    """The file a figure is written to: ``path`` with the suffix of ``format``.

    ``format=None`` takes the format from the suffix of ``path`` (PNG when it
    has none); a given format is appended to a path without a suffix and must
    agree with a suffix that is there.

    Examples
    --------
    >>> figure_path("out/map", "svg").name, figure_path("map.pdf").name
    ('map.svg', 'map.pdf')
    >>> figure_path("map.png", "svg")
    Traceback (most recent call last):
    ...
    ValueError: path map.png does not end in .svg, the format given
    """
    path = pathlib.Path(path)
    suffix = path.suffix[1:].lower()
    if format is None:
        return path if suffix else path.with_suffix(".png")
    check_format(format)
    if not suffix:
        return path.with_suffix(f".{format}")
    if suffix != format:
        raise ValueError(f"path {path} does not end in .{format}, the format given")
    return path


def save_figure(fig, path, format: str | None = None) -> str:
    """Write ``fig`` to ``path`` (see :func:`figure_path`) atomically; return the path written."""
    path = figure_path(path, format)
    kind = check_format(path.suffix[1:].lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    with style_context():
        write_atomic(path, lambda tmp: fig.savefig(tmp, format=kind))
    return str(path)
