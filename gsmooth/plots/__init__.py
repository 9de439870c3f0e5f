"""Figures of gsmooth.  Plot data is built by plain NumPy functions (testable
without pixels); drawing imports matplotlib inside the functions that draw,
with the non-interactive Agg backend, so ``import gsmooth`` stays light.
"""

from gsmooth.plots.curves import Band, band, draw_bands
from gsmooth.plots.style import new_figure, save_figure

__all__ = ["Band", "band", "draw_bands", "new_figure", "save_figure"]
