"""Figures of a sweep: one per problem instance, a median-and-band curve per setting."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from gsmooth.plots.curves import band, draw_bands
from gsmooth.plots.style import new_figure, save_figure


def sweep_figures(figures: dict, folder) -> list[Path]:
    """Draw ``{title: {label: (samples, values, status)}}`` (see :func:`gsmooth.sweep.draw.curves`).

    One PNG per title in ``folder``, the gap (or loss) against samples drawn,
    median and 10-90% band over seeds per curve; returns the paths.
    """
    paths = []
    for number, (title, figure) in enumerate(figures.items()):
        bands = {}
        for label, (samples, values, status) in figure.items():
            try:
                bands[label] = band(samples, np.maximum(values, 1e-300), status)
            except ValueError:
                continue
        fig, (ax,) = new_figure(width=5.0, height=3.6)
        draw_bands(ax, bands, logy=True, xlabel="samples", ylabel="F - F* (or F)", title=title)
        slug = re.sub(r"[^A-Za-z0-9_.=-]+", "_", title)[:80]
        paths.append(Path(save_figure(fig, Path(folder) / f"sweep-{number:02d}-{slug}.png")))
    return paths
