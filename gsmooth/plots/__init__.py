"""Every figure of gsmooth, in one style.  Plot data is built by plain NumPy functions
(testable without pixels); drawing imports matplotlib inside the functions that draw, so
``import gsmooth`` stays light.  Figures are built with the object API
(:class:`matplotlib.figure.Figure`): pyplot is never imported and the backend never switched.

* :mod:`~gsmooth.plots.style` -- the style (:data:`~gsmooth.plots.style.STYLE`), figures and saving
  (PNG, PDF, SVG with text kept as text);
* :mod:`~gsmooth.plots.labels` -- series styles (Okabe-Ito colours, line styles, markers), mathtext
  labels, human titles;
* :mod:`~gsmooth.plots.axes` -- data ranges, log ticks, legends outside the data, notes, labels
  placed clear of each other;
* :mod:`~gsmooth.plots.curves` -- median and quantile band over runs;
* :mod:`~gsmooth.plots.rates` -- decay and T(eps) panels of the verification;
* :mod:`~gsmooth.plots.estimate` -- the estimators' data and fitted laws;
* :mod:`~gsmooth.plots.reproduction` -- the paper's experiments;
* :mod:`~gsmooth.plots.sweep` -- a sweep, faceted by its grid;
* :mod:`~gsmooth.plots.torch_probe` -- a network's smoothness per block;
* :func:`rate_comparison` -- T(eps) of every applicable bound beside the observed T(eps);
* :func:`regime_map` -- the (rho, beta) plane of AN-GD (:mod:`~gsmooth.plots.regimes`; loads
  SymPy on first use).
"""

import importlib

from gsmooth.plots.curves import Band, band, draw_bands
from gsmooth.plots.rate_comparison import rate_comparison, rate_comparison_data
from gsmooth.plots.style import new_figure, save_figure

__all__ = ["Band", "band", "draw_bands", "new_figure", "rate_comparison", "rate_comparison_data",
           "regime_map", "save_figure"]


def __getattr__(name):
    if name == "regime_map":
        return importlib.import_module("gsmooth.plots.regimes").regime_map
    raise AttributeError(f"module 'gsmooth.plots' has no attribute {name!r}")
