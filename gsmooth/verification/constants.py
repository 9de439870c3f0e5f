r"""The constants a verification predicts with, and where each came from.

A verification judges a **hypothesis**: the constants of (6) and (9),
:math:`(\rho, \mu, \alpha, L_0, L_1, F^*)`.  Each constant has a source:

* ``claimed`` -- given by the user (``gs.verify(rho=...)``, ``gsmooth verify --rho``);
* ``problem`` -- stated by the problem itself (``Problem.constants``), a claim too;
* ``estimated`` -- measured by :mod:`gsmooth.verification.estimation` on runs
  independent of the judged ones, with an interval.

Claimed and problem constants are exact: exponents are read by
:func:`gsmooth.theory.exact.check_exponent` (``"4/3"`` stays 4/3).  An
estimated constant enters the prediction through its interval: the prediction
is evaluated at every **candidate** set of :meth:`Hypothesis.candidates` and
the most lenient value is kept, so that a check fails only where every
constant set in the intervals fails.  The candidates take the lower end of
``mu``'s interval and the upper ends of ``L0``'s and ``L1``'s (weaker
conditions, larger bounds: the bounds decrease in ``mu`` and increase in
``L0, L1``), and both ends of the exponents' intervals (and the boundary
:math:`\rho = 2 - \beta` when it lies inside), the ends rounded outward to
hundredths, which keeps each exact derivation under a second.

Examples
--------
>>> claims = parse_claims(rho="4/3", mu=2)
>>> claims["rho"].text(), claims["mu"].text()
('rho = 4/3 (claimed)', 'mu = 2 (claimed)')
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from fractions import Fraction

from gsmooth.rates.logspace import TheoryConstants

NAMES = ("rho", "mu", "alpha", "L0", "L1", "f_star")
"""The constants of a hypothesis, in report order."""

EXPONENTS = ("rho", "alpha")
SCALES = ("mu", "L0", "L1")
GRID = 100
"""Estimated exponents' interval ends are rounded outward to multiples of ``1/GRID``."""


@dataclass(frozen=True)
class Constant:
    """One constant of the hypothesis.

    Attributes
    ----------
    name : str
    value : float
        The claimed value or the point estimate.
    source : str
        "claimed", "problem" or "estimated".
    exact : str or None
        The exact value of a claimed exponent ("4/3").
    interval : tuple of float or None
        Interval of an estimate (None with one estimation run).
    note : str
    """

    name: str
    value: float
    source: str
    exact: str | None = None
    interval: tuple | None = None
    note: str = ""

    def text(self) -> str:
        """``name = value [interval] (source)``."""
        shown = self.exact if self.exact is not None else f"{self.value:.4g}"
        interval = "" if self.interval is None else f" [{self.interval[0]:.4g}, {self.interval[1]:.4g}]"
        return f"{self.name} = {shown}{interval} ({self.source})"

    def as_dict(self) -> dict:
        out = asdict(self)
        out["interval"] = None if self.interval is None else [float(v) for v in self.interval]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Constant:
        """Inverse of :meth:`as_dict`, also after JSON (where a non-finite number is ``null``)."""
        def number(value):
            return math.nan if value is None else float(value)

        interval = data["interval"]
        return cls(data["name"], number(data["value"]), data["source"], data["exact"],
                   None if interval is None else tuple(number(v) for v in interval), data.get("note", ""))


def parse_claims(**given) -> dict[str, Constant]:
    """Claimed constants from user input (None is not claimed), checked and exact.

    Raises
    ------
    ValueError
        An unknown name or a value out of range (rho in (0, 2], alpha in [0, 1],
        mu > 0, L0 and L1 >= 0 and not both 0, a finite f_star).

    Examples
    --------
    >>> parse_claims(alpha="2/3", L0=0, L1=3)["alpha"].exact
    '2/3'
    >>> parse_claims(rho=3)
    Traceback (most recent call last):
    ...
    ValueError: rho must be in (0, 2], got 3
    """
    unknown = set(given) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown constants {sorted(unknown)}; allowed: {', '.join(NAMES)}")
    return _read({name: value for name, value in given.items() if value is not None}, "claimed")


def problem_claims(problem) -> dict[str, Constant]:
    """The constants a problem states (``Problem.constants``), as claims with source "problem"."""
    stated = {name: getattr(problem.constants, name, None) for name in NAMES}
    return _read({name: value for name, value in stated.items() if value is not None}, "problem")


def _read(values: dict, source: str) -> dict[str, Constant]:
    from gsmooth.theory.exact import check_constants, check_exponent, exact

    out = {}
    for name in EXPONENTS:
        if name in values:
            low_open = name == "rho"
            parsed = check_exponent(name, values[name], low=0, high=2 if name == "rho" else 1, open_low=low_open)
            out[name] = Constant(name, float(parsed), source, exact=str(parsed))
    scales = {name: values[name] for name in SCALES if name in values}
    for symbol, parsed in check_constants(scales).items():
        name = next(n for n in SCALES if symbol.name.replace("_", "") == n)
        out[name] = Constant(name, float(parsed), source)
    if "f_star" in values:
        f_star = float(exact(values["f_star"], "f_star"))
        if not math.isfinite(f_star):
            raise ValueError(f"f_star must be finite, got {values['f_star']}")
        out["f_star"] = Constant("f_star", f_star, source)
    return out


@dataclass
class Hypothesis:
    """All six constants, each with its source, and the interval of ``F*``.

    Attributes
    ----------
    constants : dict of str to Constant
    f_star_interval : (float, float)
        Equal ends for a claimed ``F*``; for an estimated one, a lower bound
        and the lowest loss seen (see :mod:`gsmooth.verification.estimation`).
    confidence : float
        Level of the estimated intervals.
    notes : list of str
    reference : (float, float) or None
        Value and gradient norm at the end of the reference minimization, when one ran.
    """

    constants: dict
    f_star_interval: tuple
    confidence: float = 0.9
    notes: list = field(default_factory=list)
    reference: tuple | None = None

    def source(self, name: str) -> str:
        return self.constants[name].source

    def all_given(self, names) -> bool:
        """Whether every constant in ``names`` is claimed or stated by the problem."""
        return all(self.constants[name].source != "estimated" for name in names)

    def candidates(self, beta) -> list[TheoryConstants]:
        """The constant sets the prediction is evaluated at (module docstring)."""
        boundary = 2 - Fraction(str(beta))
        rhos = _exponent_values(self.constants["rho"], Fraction(1, GRID), Fraction(2), boundary)
        mu = _end(self.constants["mu"], low=True)
        l0, l1 = _end(self.constants["L0"], low=False), _end(self.constants["L1"], low=False)
        alphas = [Fraction(0)] if l1 == 0 else _exponent_values(self.constants["alpha"], Fraction(0),
                                                                 Fraction(1), None)
        return [TheoryConstants(rho, alpha, mu, l0, l1) for rho in rhos for alpha in alphas]

    def point(self) -> TheoryConstants:
        """The claimed values and point estimates (exponents to hundredths where estimated)."""
        c = self.constants
        return TheoryConstants(_exact(c["rho"]), _exact(c["alpha"]), c["mu"].value, c["L0"].value,
                               c["L1"].value)

    def as_dict(self) -> dict:
        return {"constants": {name: self.constants[name].as_dict() for name in NAMES},
                "f_star_interval": list(self.f_star_interval), "confidence": self.confidence,
                "notes": self.notes, "reference": None if self.reference is None else list(self.reference)}


def _exact(constant: Constant) -> Fraction:
    if constant.exact is not None:
        return Fraction(constant.exact)
    return Fraction(round(constant.value * GRID), GRID)


def _exponent_values(constant: Constant, low: Fraction, high: Fraction, boundary) -> list[Fraction]:
    if constant.source != "estimated":
        return [Fraction(constant.exact)]
    lo, hi = constant.interval or (constant.value, constant.value)
    lo = min(max(Fraction(math.floor(lo * GRID), GRID), low), high)
    hi = min(max(Fraction(math.ceil(hi * GRID), GRID), low), high)
    values = {lo, hi}
    if boundary is not None and lo < boundary < hi:
        values.add(boundary)
    return sorted(values)


def _end(constant: Constant, low: bool) -> float:
    if constant.source != "estimated" or constant.interval is None:
        return constant.value
    value = constant.interval[0] if low else constant.interval[1]
    if low and not value > 0:
        return constant.value
    return max(float(value), 0.0)
