r"""The paper's ablations of IAN-SGD: each changes one thing of the experiment's IAN-SGD row.

* ``beta``: the power, ``beta in {2/3, 13/20, 7/10, 4/5, 1}`` (released ``gamma``
  and floor kept, so the paper's step ``gamma / c^beta`` follows ``beta``);
* ``batch2``: the independent batch, ``B' in {4, 8, 16, 32, 64}``;
* ``delta``: the offset, ``delta in {1e-8, 1e-7, ..., 10}`` (paper's notation);
* ``tau``: the theory's choice ``A = 1/(1 - tau1)``, ``delta = tau2/(1 - tau1)``
  over ``tau1 in {0, 1/4, 1/2, 3/4}`` and ``tau2`` at a tenth, one and ten
  times the row's own ``tau2 = delta (1 - tau1)``.

Everything else (gamma, floor, batch) stays at the row's values.  The released
script's commented ablation lines used other step sizes (phase retrieval
``gamma = 0.5``, ``B' = 8``); gsmooth keeps the main row so that one thing
changes at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from gsmooth.reproduction.experiments.settings import MethodSetting, fraction

ABLATIONS = ("beta", "batch2", "delta", "tau")
BETAS = (2 / 3, 13 / 20, 7 / 10, 4 / 5, 1.0)
BATCH2 = (4, 8, 16, 32, 64)
DELTAS = tuple(float(10.0**e) for e in range(-8, 2))
TAU1 = (0.0, 0.25, 0.5, 0.75)
TAU2_FACTORS = (0.1, 1.0, 10.0)


@dataclass(frozen=True)
class Variant:
    """One curve of an ablation: a setting, and the panel it is drawn in (or ``None``)."""

    setting: MethodSetting
    panel: str | None = None


def variants(ablation: str, base: MethodSetting) -> list[Variant]:
    """The variants of ``base`` (an IAN-SGD setting) that ``ablation`` compares.

    Examples
    --------
    >>> from gsmooth.reproduction.experiments import phase_retrieval
    >>> ian = phase_retrieval.EXPERIMENT.method("ian_sgd")
    >>> [v.setting.key for v in variants("beta", ian)]
    ['beta=2/3', 'beta=13/20', 'beta=7/10', 'beta=4/5', 'beta=1']
    >>> [v.setting.offset for v in variants("delta", ian)][:2]
    [1e-08, 1e-07]
    """
    if ablation not in ABLATIONS:
        raise ValueError(f"ablation must be one of {ABLATIONS}, got {ablation!r}")
    if base.family != "ian_sgd":
        raise ValueError(f"ablations vary IAN-SGD, got a {base.family} setting")
    return {"beta": _betas, "batch2": _batch2, "delta": _deltas, "tau": _taus}[ablation](base)


def _variant(base, key, label, panel=None, **changes):
    return Variant(base.with_values(key=key, label=label, **changes), panel)


def _betas(base):
    return [_variant(base, f"beta={fraction(b)}", f"beta = {fraction(b)}", beta=b) for b in BETAS]


def _batch2(base):
    return [_variant(base, f"batch2={b}", f"B' = {b}", batch2=b) for b in BATCH2]


def _deltas(base):
    return [_variant(base, f"delta={d:g}", f"delta = {d:g}", offset=d) for d in DELTAS]


def _taus(base):
    tau2_base = tau_of(base)[1]
    out = []
    for factor in TAU2_FACTORS:
        tau2 = tau2_base * factor
        panel = f"tau2 = {tau2:.3g}"
        for tau1 in TAU1:
            out.append(_variant(base, f"tau1={tau1:g},tau2={tau2:.3g}", f"tau1 = {tau1:g}",
                                panel, A=1.0 / (1.0 - tau1), offset=tau2 / (1.0 - tau1)))
    return out


def run_groups(items: list[Variant]) -> list[list[int]]:
    """Indices of ``items`` grouped into batched runs: same sizes (batch, batch2) per run.

    Per-run hyperparameters (beta, A, delta, Gamma, lr) batch together; a
    batch size fixes array shapes, so each ``B'`` needs its own run.

    Examples
    --------
    >>> from gsmooth.reproduction.experiments import phase_retrieval
    >>> ian = phase_retrieval.EXPERIMENT.method("ian_sgd")
    >>> run_groups(variants("beta", ian)), len(run_groups(variants("batch2", ian)))
    ([[0, 1, 2, 3, 4]], 5)
    """
    groups: dict[tuple, list[int]] = {}
    for i, item in enumerate(items):
        s = item.setting
        groups.setdefault((s.family, s.batch, s.batch2, s.period), []).append(i)
    return list(groups.values())


def tau_of(setting: MethodSetting) -> tuple[float, float]:
    """``(tau1, tau2)`` with ``A = 1/(1 - tau1)`` and ``delta = tau2/(1 - tau1)`` (A >= 1)."""
    if not setting.A >= 1:
        raise ValueError(f"A = 1/(1 - tau1) needs A >= 1, got {setting.A}")
    tau1 = 1.0 - 1.0 / setting.A
    return tau1, float(setting.offset) * (1.0 - tau1)
