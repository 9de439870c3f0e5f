r"""The paper's method settings, and their translation into gsmooth's optimizers.

The released scripts of the paper (``ynyang94/Gemsmooth-IAN-SGD``) run every
method through one step,

.. math::

    w_{t+1} = w_t - \gamma\, v_t / \max\{A \|u_t\| + o,\ c\}^{\beta},

with ``v_t`` the method's direction (a minibatch gradient, a momentum average
or a SPIDER estimate), ``u_t = v_t`` except for IAN-SGD, where ``u_t = g'_t``
comes from an independent minibatch, and ``beta = 0`` meaning no
normalization (SGD).  The released code passes the clipping floor as its
square root and squares it (``grad_max *= grad_max``): :class:`MethodSetting`
stores the floor ``c`` that acts (2025, not 45).  Its IAN-SGD multiplies
``||g'||`` by two: that is ``A = 2 = 1/(1 - tau1)`` with ``tau1 = 1/2``.

**Gradient scale.**  When gsmooth's gradient is ``s`` times the released one
(``s = 2`` for phase retrieval, whose released gradient is half the exact
gradient of ``F``; ``s = 1`` for DRO), substituting ``v = v_gs / s`` and
``u = u_gs / s`` and factoring gives the exact translations:

* no normalization (``beta = 0``): ``lr = gamma / s``;
* pure normalization (``o = c = 0``, ``A = 1``): ``lr = gamma s^(beta - 1)``;
* clipping (``c > 0``, ``u = v``): :func:`gsmooth.optim.clipped_sgd` with
  ``lr = gamma / (s c^beta)``, ``clip = s c / A``, ``offset = s o / A``, because
  ``max(A x / s + o, c)^(-beta) = c^(-beta) min(1, (s c / A) / (x + s o / A))^beta``;
* IAN-SGD: :func:`gsmooth.optim.ian_sgd` with ``lr = gamma / (s c^beta)``,
  ``A``, ``delta = s o``, ``Gamma = 1 / (s c)``, since
  ``max(A x / s + o, c) = c max(1, (A x + s o) / (s c))``.

In the paper's notation (released gradient scale) the IAN-SGD step size is
``gamma / c^beta``, ``delta = o`` and ``Gamma = 1 / c``.  AN-SGD here is the
same rule with ``xi' = xi`` (same-sample normalization), which is the
clipping translation above: the ablation that shows what independent
sampling buys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from gsmooth import optim

FAMILIES = ("sgd", "nsgd", "nsgd_momentum", "clipped_sgd", "spider", "an_sgd", "ian_sgd")
_CLIPPED = ("clipped_sgd", "an_sgd", "ian_sgd")


@dataclass(frozen=True)
class MethodSetting:
    """One method of an experiment in the released step's notation.

    Attributes
    ----------
    key, label : str
        Identifier (``"ian_sgd"``) and legend label (``"IAN-SGD"``).
    family : str
        One of :data:`FAMILIES`.
    gamma : float
        Released step size.
    batch : int
        Main minibatch size ``B``.
    beta : float
        Normalization power (0: none).
    offset, threshold : float
        ``o`` and the acting floor ``c`` of the released step.
    A : float
        Factor on the normalizer's norm (2 in the released IAN-SGD).
    batch2 : int or None
        Independent batch ``B'`` of IAN-SGD.
    period : int or None
        SPIDER's full-gradient period.
    momentum : float or None
        ``mu`` in ``m = mu m_old + (1 - mu) g``.
    """

    key: str
    label: str
    family: str
    gamma: float
    batch: int
    beta: float = 0.0
    offset: float = 0.0
    threshold: float = 0.0
    A: float = 1.0
    batch2: int | None = None
    period: int | None = None
    momentum: float | None = None

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}, got {self.family!r}")
        if self.family in _CLIPPED and not self.threshold > 0:
            raise ValueError(f"{self.family} needs a positive threshold c, got {self.threshold}")
        if self.family == "ian_sgd" and self.batch2 is None:
            raise ValueError("ian_sgd needs batch2 (the independent batch B', a positive "
                             "integer), got None")

    def with_values(self, **changes) -> MethodSetting:
        """A copy with some fields changed (used by the ablations)."""
        return replace(self, **changes)

    def released_step(self) -> str:
        """The step in the released code's form, e.g. ``gamma g / max(2||g'|| + 15, 2025)^(2/3)``."""
        direction = {"nsgd_momentum": "m", "spider": "v"}.get(self.family, "g")
        if self.beta == 0:
            return f"{self.gamma:g} {direction}"
        normalizer = "g'" if self.family == "ian_sgd" else direction
        scale = "" if self.A == 1 else f"{self.A:g}"
        norm = f"{scale}||{normalizer}||"
        if self.threshold > 0:
            norm = f"max({norm} + {self.offset:g}, {self.threshold:g})"
        return f"{self.gamma:g} {direction} / {norm}^({fraction(self.beta)})"

    def paper_notation(self) -> dict:
        """Settings in the paper's notation (released gradient scale), JSON-ready."""
        out = {"step": self.released_step(), "gamma": self.gamma, "batch": self.batch}
        if self.beta:
            out["beta"] = fraction(self.beta)
        if self.family in ("ian_sgd", "an_sgd"):
            out.update(paper_gamma=self.gamma / self.threshold**self.beta, A=self.A,
                       tau1=1.0 - 1.0 / self.A if self.A >= 1 else None,
                       delta=self.offset, Gamma=1.0 / self.threshold)
        elif self.family == "clipped_sgd":
            out.update(clip=self.threshold, offset=self.offset)
        for name in ("batch2", "period", "momentum"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


def fraction(value: float) -> str:
    """A short exact-looking form of a power: ``2/3``, ``13/20``, ``1``."""
    return str(Fraction(value).limit_denominator(100))


def translate(setting: MethodSetting, grad_scale: float = 1.0) -> dict:
    """gsmooth hyperparameters of ``setting`` when gsmooth's gradient is ``grad_scale`` times
    the released one; see the module docstring for the derivation.

    Returns a dict of keyword arguments for the gsmooth constructor named by
    :func:`constructor_name`.

    Examples
    --------
    >>> ian = MethodSetting("ian_sgd", "IAN-SGD", "ian_sgd", 0.3, 64, beta=2 / 3,
    ...                     offset=15, threshold=2025, A=2, batch2=4)
    >>> t = translate(ian, grad_scale=2)
    >>> round(t["lr"], 8), t["A"], t["delta"], t["Gamma"] == 1 / 4050
    (0.00093715, 2.0, 30.0, True)
    """
    s, gamma, beta = float(grad_scale), setting.gamma, setting.beta
    if not (np.isfinite(s) and s > 0):
        raise ValueError(f"grad_scale must be positive and finite, got {grad_scale!r}")
    sizes = {"batch": setting.batch}
    if setting.family == "sgd":
        return {"lr": gamma / s, **sizes}
    if setting.family in _CLIPPED:
        lr = gamma / (s * setting.threshold**beta)
        if setting.family == "ian_sgd":
            return {"lr": lr, "beta": beta, "A": float(setting.A), "delta": s * setting.offset,
                    "Gamma": 1.0 / (s * setting.threshold), "batch2": setting.batch2, **sizes}
        return {"lr": lr, "clip": s * setting.threshold / setting.A,
                "offset": s * setting.offset / setting.A, "beta": beta, **sizes}
    if setting.offset or setting.threshold or setting.A != 1:
        raise ValueError(f"{setting.family} has no offset, floor or factor A; got {setting}")
    out = {"lr": normalized_lr(gamma, beta, s), "beta": beta, **sizes}
    if setting.family == "nsgd_momentum":
        out["momentum"] = setting.momentum
    if setting.family == "spider":
        out["period"] = setting.period
    return out


def normalized_lr(gamma: float, beta: float, grad_scale: float) -> float:
    """Step size of ``w - lr g / ||g||^beta`` equal to the released ``gamma g_r / ||g_r||^beta``
    when ``g = grad_scale * g_r``: ``lr = gamma grad_scale^(beta - 1)``.

    Examples
    --------
    >>> round(normalized_lr(0.1, 2 / 3, 2.0), 6)
    0.07937
    """
    return gamma * grad_scale ** (beta - 1)


def constructor_name(setting: MethodSetting) -> str:
    """Name of the :mod:`gsmooth.optim` constructor :func:`translate` targets."""
    return "clipped_sgd" if setting.family == "an_sgd" else setting.family


def optimizer(setting: MethodSetting, grad_scale: float = 1.0, repeats: int = 1):
    """The gsmooth optimizer of one setting (hyperparameters repeated ``repeats`` times)."""
    return batched_optimizer([setting], grad_scale, repeats)


def batched_optimizer(settings, grad_scale: float = 1.0, repeats: int = 1):
    """One optimizer running every setting ``repeats`` times, as per-run hyperparameters.

    Settings must share their constructor and their sizes (batch, batch2,
    period): those fix array shapes.  Run ``j * repeats + r`` is setting ``j``.

    Examples
    --------
    >>> base = MethodSetting("nsgd", "NSGD", "nsgd", 0.2, 64, beta=1.0)
    >>> opt = batched_optimizer([base, base.with_values(beta=0.5)], repeats=2)
    >>> opt.hyper["beta"], opt.sizes["batch"]
    ((1.0, 1.0, 0.5, 0.5), 64)
    """
    settings = list(settings)
    names = {constructor_name(s) for s in settings}
    translated = [translate(s, grad_scale) for s in settings]
    shapes = {tuple(t.get(k) for k in ("batch", "batch2", "period")) for t in translated}
    if len(names) != 1 or len(shapes) != 1:
        raise ValueError(
            f"settings batched in one run must share method and sizes, got {sorted(names)} "
            f"with sizes {sorted(shapes, key=str)}"
        )
    sizes = {k: translated[0][k] for k in ("batch", "batch2", "period") if k in translated[0]}
    hyper = {}
    for name in translated[0]:
        if name in sizes:
            continue
        values = [t[name] for t in translated for _ in range(repeats)]
        hyper[name] = values[0] if len(values) == 1 else values
    return getattr(optim, names.pop())(**hyper, **sizes)
