"""Publication style for gsmooth figures, and atomic saving."""

from __future__ import annotations

import pathlib

from gsmooth._io import write_atomic

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.5,
}


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 3.6, height: float = 2.8):
    """Return ``(fig, axes)`` in gsmooth's style; ``axes`` is a flat list.

    Parameters
    ----------
    ncols, nrows : int
        Grid of panels.
    width, height : float
        Size of one panel in inches.

    Examples
    --------
    >>> fig, axes = new_figure(ncols=2)
    >>> len(axes)
    2
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
            layout="constrained",
        )
    for ax in axes.ravel():
        for key, value in STYLE.items():
            if key.startswith("axes.spines."):
                ax.spines[key.rsplit(".", 1)[1]].set_visible(value)
        ax.grid(True, alpha=STYLE["grid.alpha"])
    return fig, list(axes.ravel())


def save_figure(fig, path) -> str:
    """Save ``fig`` to ``path`` atomically (temporary file, then ``os.replace``) and close it."""
    import matplotlib.pyplot as plt

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, format=path.suffix[1:] or "png"))
    finally:
        plt.close(fig)
    return str(path)
