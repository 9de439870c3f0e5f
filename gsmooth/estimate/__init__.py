"""Estimators of a problem's constants: smoothness, generalized PL and noise.

* :func:`smoothness`: ``(L0, L1, alpha)`` of ``||hess F|| <= L0 + L1 ||grad F||^alpha``;
* :func:`pl`: ``(rho, mu)`` of ``||grad F||^rho >= 2 mu (F - F*)``;
* :func:`noise`: ``(tau1, tau2)`` of ``||grad f_xi - grad F|| <= tau1 ||grad F|| + tau2``
  and the IAN-SGD constants ``A, delta``;
* :func:`configure_ian_sgd`: a ready IAN-SGD optimizer from those estimates;
* :func:`redraw`: the figures of an output folder written by ``gsmooth estimate``.

Each returns a dataclass with intervals (resampling over independent runs),
the data it fitted, ``summary()`` and a JSON-ready ``as_dict()``.
"""

from gsmooth.estimate.configure import IANSGDConfiguration, configure_ian_sgd
from gsmooth.estimate.data import PairData, collect_pairs, hessian_pairs, pairs_from_run, region_pairs
from gsmooth.estimate.envelope import Envelope, envelope_frontier, fit_envelope
from gsmooth.estimate.noise import NoiseEstimate, noise
from gsmooth.estimate.pl import PLEstimate, pl
from gsmooth.estimate.report import redraw, write_report
from gsmooth.estimate.smoothness import SmoothnessEstimate, smoothness

__all__ = [
    "Envelope",
    "IANSGDConfiguration",
    "NoiseEstimate",
    "PLEstimate",
    "PairData",
    "SmoothnessEstimate",
    "collect_pairs",
    "configure_ian_sgd",
    "envelope_frontier",
    "fit_envelope",
    "hessian_pairs",
    "noise",
    "pairs_from_run",
    "pl",
    "redraw",
    "region_pairs",
    "smoothness",
    "write_report",
]
