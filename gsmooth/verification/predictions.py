r"""What the theory predicts for a hypothesis: the derived bounds of every candidate constant set.

A hypothesis whose constants are all claimed has one candidate; one with
estimated constants has several (:meth:`gsmooth.verification.constants.Hypothesis.candidates`).
:class:`Prediction` gives the regimes they fall in (decided from exact
exponents, so the boundary :math:`\rho + \beta = 2` is recognized exactly),
the exponents of :math:`1/\epsilon`, and the most lenient bound over them,
evaluated in log space (:mod:`gsmooth.rates.logspace`).  The shape
predictions of an exact (single-candidate) prediction come from the symbolic
derivation, :func:`gsmooth.theory.an_gd_bound`.

Examples
--------
>>> from gsmooth.rates import TheoryConstants
>>> p = Prediction.of("2/3", [TheoryConstants.of("4/3", "2/3", 2.0, 0.0, 3.0)])
>>> p.regime, p.exponents, p.exact
('linear', (0.0, 0.0), True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from gsmooth.rates.logspace import KIND, log_decay_bound
from gsmooth.theory.exact import DELTA0, GAMMA, MU

PREDICTED_KIND = {"polynomial": "polynomial", "geometric": "geometric", "finite-time": "two-phase"}
"""The :func:`gsmooth.rates.fit_decay` kind of each fixed-step decay of the theory."""


@dataclass(frozen=True)
class Prediction:
    """The derived bounds of every candidate constant set for AN-GD with ``beta``."""

    beta: Fraction
    candidates: tuple

    @classmethod
    def of(cls, beta, candidates) -> Prediction:
        return cls(Fraction(str(beta)), tuple(candidates))

    @property
    def exact(self) -> bool:
        """One candidate: every constant claimed."""
        return len(self.candidates) == 1

    @property
    def regimes(self) -> list[str]:
        return sorted({c.regime(self.beta) for c in self.candidates})

    @property
    def regime(self) -> str:
        return " or ".join(self.regimes)

    @property
    def exponents(self) -> tuple[float, float]:
        """Smallest and largest exponent of ``1/eps`` over the candidates the theorem covers (all if none)."""
        covered = [c for c in self.candidates if c.alpha <= self.beta] or list(self.candidates)
        values = [c.exponent(self.beta) for c in covered]
        return min(values), max(values)

    @property
    def log_factor(self) -> bool:
        return all(c.log_factor(self.beta) for c in self.candidates)

    @property
    def decay_kind(self) -> str:
        """The predicted :func:`gsmooth.rates.fit_decay` kind, or the kinds joined by " or "."""
        return " or ".join(sorted({PREDICTED_KIND[KIND[c.regime(self.beta)]] for c in self.candidates}))

    @property
    def below_alpha(self) -> bool:
        """Some candidate has ``beta < alpha`` (outside the theorem)."""
        return any(self.beta < c.alpha for c in self.candidates)

    def log_bound(self, t, gamma: float, delta0: float) -> np.ndarray:
        """The largest ``log`` bound on ``Delta_t`` over the candidates (raises ``NotCovered``)."""
        return np.max([log_decay_bound(c, self.beta, t, gamma=gamma, delta0=delta0)
                       for c in self.candidates], axis=0)

    def c_values(self, gamma: float) -> list[float]:
        """``c = (gamma/2)(2 mu)^q`` of the recurrence for each candidate."""
        return [math.exp(c.log_c(self.beta, math.log(gamma))) for c in self.candidates]

    def first_phase(self, gamma: float, delta0: float) -> float:
        """The derived first-phase length ``t1`` (exact prediction, two-phase regime)."""
        (c,) = self.candidates
        return float(c.bound(self.beta).decay.first_phase.subs({GAMMA: gamma, DELTA0: delta0, MU: c.mu}))

    def polynomial_exponent(self) -> float:
        """``p`` of ``t^-p`` (exact prediction, sublinear regime)."""
        (c,) = self.candidates
        return float(c.bound(self.beta).decay.exponent)

    def rho_beta(self) -> tuple[float, float, float]:
        """Smallest and largest ``rho`` over the candidates, and ``beta``: the tested point of the regime map."""
        rhos = [float(c.rho) for c in self.candidates]
        return min(rhos), max(rhos), float(self.beta)
