"""PyTorch side of gsmooth (optional extra ``gsmooth[torch]``).

* Optimizers as ``torch.optim.Optimizer`` classes, used in the plain
  ``loss.backward(); opt.step()`` loop: :class:`IANSGD` (with four sources
  of its independent normalizer, :mod:`gsmooth.torch.ian_sgd`) and the
  paper's baselines :class:`NSGD`, :class:`NSGDMomentum`, :class:`ClippedSGD`
  (:mod:`gsmooth.torch.optimizers`); weight decay, momentum, ``maximize``,
  ``foreach``, Tensor ``lr``, every lr scheduler, ``state_dict``, GradScaler
  and AMP, DDP and sharded parameters (:mod:`gsmooth.torch.base`,
  :mod:`gsmooth.torch.norms`);
* :class:`IndependentBatches`, the two index streams of IAN-SGD as a
  DataLoader batch sampler, rank-aware;
* :class:`SmoothnessProbe`, exact Hessian norms per layer along training
  (:mod:`gsmooth.torch.hessian`), :func:`probe_table` and
  :func:`block_smoothness` (per-block envelopes with intervals over runs).

``import gsmooth`` never loads this package; import it explicitly as
``gsmooth.torch``.  Its names load torch on first access.
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
    "block_smoothness": "gsmooth.torch.probe",
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
