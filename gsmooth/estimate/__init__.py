"""Estimators of a problem's constants: smoothness, generalized PL and noise.

* :func:`smoothness`: ``(L0, L1, alpha)`` of ``||hess F|| <= L0 + L1 ||grad F||^alpha``
  from the Hessian norm at points of the runs, with the directional
  smoothness along the steps beside it;
* :func:`smoothness_from_pairs`: the same fits on pairs gsmooth did not
  collect (logs of training runs, per block or layer);
* :func:`pl`: ``(rho, mu)`` of ``||grad F||^rho >= 2 mu (F - F*)``;
* :func:`noise`: ``(tau1, tau2)`` of ``||grad f_xi - grad F|| <= tau1 ||grad F|| + tau2``
  and the IAN-SGD constants ``A, delta``;
* :func:`configure_ian_sgd`: a ready IAN-SGD optimizer from those estimates;
* :func:`spread_starts`: seeded starts that make runs of a deterministic method independent;
* :func:`redraw`: the figures of an output folder written by ``gsmooth estimate``.

Each returns a dataclass with intervals (resampling over independent runs),
the data it fitted, ``summary()`` and a JSON-ready ``as_dict()``.
"""

from gsmooth.estimate.configure import IANSGDConfiguration, configure_ian_sgd
from gsmooth.estimate.data import PairData, collect_pairs, hessian_pairs, pairs_from_run, region_pairs
from gsmooth.estimate.envelope import Envelope, envelope_at, envelope_frontier, fit_envelope
from gsmooth.estimate.fits import asymmetric_fit, side_by_side
from gsmooth.estimate.noise import NoiseEstimate, noise
from gsmooth.estimate.pairs import read_pairs, smoothness_from_pairs
from gsmooth.estimate.pl import PLEstimate, pl
from gsmooth.estimate.report import EstimateReport, redraw, write_report
from gsmooth.estimate.smoothness import SmoothnessEstimate, smoothness
from gsmooth.estimate.starts import spread_starts

__all__ = [
    "Envelope",
    "EstimateReport",
    "IANSGDConfiguration",
    "NoiseEstimate",
    "PLEstimate",
    "PairData",
    "SmoothnessEstimate",
    "asymmetric_fit",
    "collect_pairs",
    "configure_ian_sgd",
    "envelope_at",
    "envelope_frontier",
    "fit_envelope",
    "hessian_pairs",
    "noise",
    "pairs_from_run",
    "pl",
    "read_pairs",
    "redraw",
    "region_pairs",
    "side_by_side",
    "smoothness",
    "smoothness_from_pairs",
    "spread_starts",
    "write_report",
]
