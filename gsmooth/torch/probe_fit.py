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
from gsmooth.estimate.envelope import Envelope, fit_envelope
from gsmooth.estimate.resampling import (
    bootstrap_over_runs,
    format_value,
    interval_notes,
    named_intervals,
)

__all__ = ["BlockSmoothness", "block_smoothness"]

QUANTITIES = ("hessian_norm", "directional")
NAMES = ("L0", "L1", "alpha")


@dataclass
class BlockSmoothness:
    """One envelope per block, with intervals over runs.

    Attributes
    ----------
    quantity : str
        The smoothness fitted (``"hessian_norm"`` or ``"directional"``).
    envelopes : dict of str to Envelope
        Per block; a block whose fit failed is missing and named in ``notes``.
    intervals : dict of str to (dict or None)
        Per block ``{"L0": (low, high), ...}``; ``None`` with fewer than two runs.
    pairs : dict of str to PairData
        The pairs fitted per block.
    confidence : float
    notes : dict of str to list of str
    """

    quantity: str
    envelopes: dict
    intervals: dict
    pairs: dict
    confidence: float
    notes: dict = field(default_factory=dict)

    @property
    def blocks(self) -> list[str]:
        """Blocks with a fitted envelope, in table order."""
        return list(self.envelopes)

    def summary(self) -> str:
        """One line per block: constants with intervals, pairs and runs."""
        lines = [f"{self.quantity} <= L0 + L1 ||grad||^alpha per block "
                 f"(intervals {self.confidence:.0%} over runs)"]
        for block, env in self.envelopes.items():
            iv = self.intervals.get(block) or {}
            values = "  ".join(f"{n} {format_value(getattr(env, n), iv.get(n))}" for n in NAMES)
            data = self.pairs[block]
            lines.append(f"  {block:<8}{values}  ({len(data)} pairs, {data.runs.size} runs)")
        for block, notes in self.notes.items():
            lines += [f"  note ({block}): {n}" for n in notes]
        return "\n".join(lines)

    __str__ = summary


def _pairs(table, block, quantity) -> PairData:
    rows = table["block"] == block
    g, r = table["grad_norm"][rows], table[quantity][rows]
    keep = np.isfinite(g) & np.isfinite(r) & (r > 0)
    return PairData(g[keep], r[keep], table["run"][rows][keep],
                    table["iteration"][rows][keep], quantity)


def block_smoothness(table: dict, quantity: str = "hessian_norm", alpha: float | None = None,
                     quantile: float = 1.0, n_resamples: int = 199, confidence: float = 0.9,
                     seed: int = 0) -> BlockSmoothness:
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

    Examples
    --------
    >>> import numpy as np
    >>> g = np.tile(np.geomspace(0.1, 10, 8), 3)
    >>> table = {"block": np.array(["all"] * 24, dtype=object), "grad_norm": g,
    ...          "hessian_norm": 2.0 + 3.0 * g ** 0.5, "run": np.repeat([0, 1, 2], 8),
    ...          "iteration": np.tile(np.arange(8), 3)}
    >>> fit = block_smoothness(table, n_resamples=20)
    >>> env = fit.envelopes["all"]
    >>> round(env.L0, 4), round(env.L1, 4), round(env.alpha, 3)
    (2.0, 3.0, 0.5)
    """
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {QUANTITIES}, got {quantity!r}")
    envelopes, intervals, pairs, notes = {}, {}, {}, {}
    for block in dict.fromkeys(table["block"].tolist()):
        data = _pairs(table, block, quantity)
        try:
            envelopes[block] = fit_envelope(data.g, data.r, alpha, quantile)
        except GSmoothError as error:
            notes[block] = [f"not fitted: {error}"]
            continue

        def refit(runs, data=data):
            drawn = data.subset(runs)
            env: Envelope = fit_envelope(drawn.g, drawn.r, alpha, quantile)
            return [env.L0, env.L1, env.alpha]

        boot = bootstrap_over_runs(data.runs, refit, n_resamples, confidence, seed)
        intervals[block] = named_intervals(boot, NAMES)
        pairs[block] = data
        if interval_notes(boot):
            notes[block] = interval_notes(boot)
    return BlockSmoothness(quantity, envelopes, intervals, pairs, confidence, notes)
