r"""Envelopes :math:`r_b \le L_{0,b} + L_{1,b} \|\nabla_b f\|^{\alpha_b}` per block, from probe tables.

For every block of a probe table (:func:`gsmooth.torch.probe_table`; the
row ``"all"`` is the whole vector) the pairs (``grad_norm``, ``quantity``)
with a finite, positive ``quantity`` are fitted by
:func:`gsmooth.estimate.fit_envelope`, and intervals come from refitting on
runs drawn with replacement (:func:`gsmooth.estimate.resampling.bootstrap_over_runs`:
points of one run are not independent, runs are).  ``quantity`` is the
Hessian norm by default, the quantity of the local condition; the
directional ratio is fitted only when asked for by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gsmooth.errors import GSmoothError
from gsmooth.estimate.data import PairData
from gsmooth.estimate.envelope import fit_envelope
from gsmooth.estimate.resampling import (
    bootstrap_over_runs,
    format_value,
    interval_notes,
    named_intervals,
)

__all__ = ["BlockEstimate", "block_smoothness", "summary"]

QUANTITIES = ("hessian_norm", "directional")
NAMES = ("L0", "L1", "alpha")


@dataclass
class BlockEstimate:
    """The envelope of one block, with intervals over runs and the pairs it fitted.

    Attributes
    ----------
    L0, L1, alpha : float
    intervals : dict of str to (float, float), or None
        ``{"L0": (low, high), ...}``; ``None`` with fewer than two runs.
    data : PairData
    confidence : float
    notes : list of str
    """

    L0: float
    L1: float
    alpha: float
    intervals: dict | None
    data: PairData
    confidence: float
    notes: list = field(default_factory=list)

    def envelope(self, g):
        """Height ``L0 + L1 g^alpha`` of the fitted envelope."""
        return self.L0 + self.L1 * np.asarray(g, dtype=float) ** self.alpha

    def summary(self) -> str:
        """One line: constants with intervals, pairs and runs."""
        iv = self.intervals or {}
        values = "  ".join(f"{n} {format_value(getattr(self, n), iv.get(n))}" for n in NAMES)
        notes = "".join(f"; {n}" for n in self.notes)
        return f"{values}  ({len(self.data)} pairs, {self.data.runs.size} runs{notes})"


def summary(estimates: dict, quantity: str = "hessian_norm") -> str:
    """The estimates of :func:`block_smoothness`, one line per block."""
    first = next(iter(estimates.values()))
    head = (f"{quantity} <= L0 + L1 ||grad||^alpha per block "
            f"(intervals {first.confidence:.0%} over runs)")
    return "\n".join([head] + [f"  {block:<8}{est.summary()}" for block, est in estimates.items()])


def _pairs(table, block, quantity) -> PairData:
    rows = table["block"] == block
    g, r = table["grad_norm"][rows], table[quantity][rows]
    keep = np.isfinite(g) & np.isfinite(r) & (r > 0)
    return PairData(g[keep], r[keep], table["run"][rows][keep],
                    table["iteration"][rows][keep], quantity)


def _fit_block(data: PairData, alpha, quantile, n_resamples, confidence, seed) -> BlockEstimate:
    env = fit_envelope(data.g, data.r, alpha, quantile)

    def refit(runs):
        drawn = data.subset(runs)
        e = fit_envelope(drawn.g, drawn.r, alpha, quantile)
        return [e.L0, e.L1, e.alpha]

    boot = bootstrap_over_runs(data.runs, refit, n_resamples, confidence, seed)
    return BlockEstimate(env.L0, env.L1, env.alpha, named_intervals(boot, NAMES), data,
                         confidence, interval_notes(boot))


def block_smoothness(table: dict, quantity: str = "hessian_norm", alpha: float | None = None,
                     quantile: float = 1.0, n_resamples: int = 199, confidence: float = 0.9,
                     seed: int = 0) -> dict[str, BlockEstimate]:
    """Fit an envelope per block of a probe table, with intervals over runs (module docstring).

    Parameters
    ----------
    table : dict of str to ndarray
        A probe table (:func:`gsmooth.torch.probe_table`).
    quantity : {"hessian_norm", "directional"}
    alpha : float, optional
        Fix the exponent for every block instead of choosing it.
    quantile : float in (0, 1]
        Robust level of the envelope (1 covers every pair).
    n_resamples, confidence, seed
        Resampling over runs.

    Returns
    -------
    dict of str to BlockEstimate
        One estimate per block, in table order.

    Raises
    ------
    GSmoothError
        When a block's pairs cannot be fitted (too few, constant gradient norms), naming the block.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.tile(np.geomspace(0.1, 10, 8), 3)
    >>> table = {"block": np.array(["all"] * 24, dtype=object), "grad_norm": g,
    ...          "hessian_norm": 2.0 + 3.0 * g ** 0.5, "run": np.repeat([0, 1, 2], 8),
    ...          "iteration": np.tile(np.arange(8), 3)}
    >>> est = block_smoothness(table, n_resamples=20)["all"]
    >>> round(est.L0, 4), round(est.L1, 4), round(est.alpha, 3), est.intervals is not None
    (2.0, 3.0, 0.5, True)
    """
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {QUANTITIES}, got {quantity!r}")
    out = {}
    for block in dict.fromkeys(table["block"].tolist()):
        try:
            out[block] = _fit_block(_pairs(table, block, quantity), alpha, quantile,
                                    n_resamples, confidence, seed)
        except GSmoothError as error:
            raise GSmoothError(f"block {block!r}: {error}") from error
    return out
