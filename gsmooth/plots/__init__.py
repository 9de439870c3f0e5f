"""Every figure of gsmooth.  Plot data is built by plain NumPy functions (testable
without pixels); drawing imports matplotlib inside the functions that draw, so
``import gsmooth`` stays light.

* :mod:`~gsmooth.plots.curves` -- median and quantile band over runs;
* :mod:`~gsmooth.plots.rates` -- decay and T(eps) panels of the verification;
* :mod:`~gsmooth.plots.estimate` -- the estimators' data and fitted laws;
* :mod:`~gsmooth.plots.reproduction` -- the paper's experiments;
* :mod:`~gsmooth.plots.sweep` -- a sweep's curves;
* :func:`rate_comparison` -- T(eps) of every applicable bound beside the observed T(eps);
* :func:`regime_map` -- the (rho, beta) plane of AN-GD (loads SymPy on first use).
"""

import importlib

from gsmooth.plots.curves import Band, band, draw_bands
from gsmooth.plots.rate_comparison import rate_comparison, rate_comparison_data
from gsmooth.plots.style import new_figure, save_figure

__all__ = ["Band", "band", "draw_bands", "new_figure", "rate_comparison", "rate_comparison_data",
           "regime_map", "save_figure"]


def __getattr__(name):
    if name == "regime_map":
        return importlib.import_module("gsmooth.plots.regime_map").regime_map
    raise AttributeError(f"module 'gsmooth.plots' has no attribute {name!r}")
