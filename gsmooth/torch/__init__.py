"""PyTorch side of gsmooth (optional extra ``gsmooth[torch]``).

Normalized and clipped optimizers as ``torch.optim.Optimizer`` classes
(:class:`IANSGD`, :class:`NSGD`, :class:`NSGDMomentum`, :class:`ClippedSGD`),
the index sampler :class:`IndependentBatches` for IAN-SGD's two minibatches,
and :class:`SmoothnessProbe`, which records along a training loop what the
estimators of :mod:`gsmooth.estimate` read.  ``import gsmooth`` never loads
this package; import it explicitly as ``gsmooth.torch``.  Its names load
torch on first access.
"""

import importlib

_HOMES = {
    "IndependentBatches": "gsmooth.torch.batches",
    "IANSGD": "gsmooth.torch.ian_sgd",
    "NSGD": "gsmooth.torch.optimizers",
    "NSGDMomentum": "gsmooth.torch.optimizers",
    "ClippedSGD": "gsmooth.torch.optimizers",
    "global_norm": "gsmooth.torch.norms",
    "SmoothnessProbe": "gsmooth.torch.probe",
    "probe_result": "gsmooth.torch.probe",
    "probe_table": "gsmooth.torch.probe",
    "block_smoothness": "gsmooth.torch.probe_fit",
    "hessian_norms": "gsmooth.torch.hessian",
}

__all__ = sorted(_HOMES)


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module 'gsmooth.torch' has no attribute {name!r}")
    try:
        module = importlib.import_module(_HOMES[name])
    except ImportError as error:
        raise ImportError(
            f"gsmooth.torch.{name} needs PyTorch (pip install 'gsmooth[torch]'): {error}"
        ) from error
    return getattr(module, name)


def __dir__():
    return __all__
