"""Checks and the three outcomes of a verification: PASS, FAIL, NOT VERIFIED.

A check is *judged* when its verdict is "pass" or "fail"; "n/a" means it does
not apply (with the reason and what would make it apply), "info" that it is
reported without a verdict (a shape prediction that is not exact for the
case, or a condition tested with estimated constants).

The outcome of a case:

* **FAIL** -- some judged check failed (exit code 1);
* **PASS** -- none failed and at least one *rate* check (a derived bound or a
  predicted shape) was judged and passed (exit code 0);
* **NOT VERIFIED** -- nothing failed, but no rate check was judged: the
  theory made no prediction that the runs could test (exit code 3).  Passing
  assumption checks alone is not a verified rate.

A verification of several cases fails if any case fails, is not verified if
any case is not verified, and passes otherwise.  User errors (bad input) are
exit code 2 and never reach an outcome.

Examples
--------
>>> rate = Check("bound", "Delta_t <= derived bound", "ratio <= 1", "0.9", "pass")
>>> skipped = Check("bound", "T(eps) <= derived T(eps)", "-", "-", "n/a", "beta < alpha", "choose beta >= alpha")
>>> case_outcome([rate, skipped]).outcome, case_outcome([skipped]).outcome
('PASS', 'NOT VERIFIED')
>>> case_outcome([skipped]).remedies
['choose beta >= alpha']
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXIT_CODES = {"PASS": 0, "FAIL": 1, "NOT VERIFIED": 3}
"""Exit code of each outcome (2 is a user error, before any outcome)."""

RATE_KINDS = ("bound", "shape")


@dataclass(frozen=True)
class Check:
    """One comparison.

    Attributes
    ----------
    kind : str
        "assumption" (a condition of the theorem), "bound" (a derived,
        guaranteed bound) or "shape" (a predicted law, exponent or time).
    quantity, predicted, observed : str
    verdict : str
        "pass", "fail", "n/a" or "info".
    note : str
        Why it failed, why it does not apply, or what it was judged with.
    remedy : str
        For "n/a": what the user can change so that it applies.
    """

    kind: str
    quantity: str
    predicted: str
    observed: str
    verdict: str
    note: str = ""
    remedy: str = ""

    @property
    def judged(self) -> bool:
        return self.verdict in ("pass", "fail")


@dataclass(frozen=True)
class Outcome:
    """An outcome with its reasons and what the user can change."""

    outcome: str
    reasons: list = field(default_factory=list)
    remedies: list = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]


def case_outcome(checks) -> Outcome:
    """The outcome of one case's checks (module docstring)."""
    failed = [c for c in checks if c.verdict == "fail"]
    if failed:
        return Outcome("FAIL", [_reason(c) for c in failed])
    if any(c.verdict == "pass" and c.kind in RATE_KINDS for c in checks):
        return Outcome("PASS")
    skipped = [c for c in checks if c.verdict == "n/a"]
    reasons = [_reason(c) for c in skipped if c.kind in RATE_KINDS] or [_reason(c) for c in skipped]
    if any(c.verdict == "pass" for c in checks):
        reasons.append("only the theorem's assumptions were checked; no rate could be compared")
    if not reasons:
        reasons = ["no check applies: the theory made no prediction the runs could test"]
    remedies = list(dict.fromkeys(c.remedy for c in skipped if c.remedy))
    return Outcome("NOT VERIFIED", reasons, remedies)


def overall(outcomes) -> Outcome:
    """The outcome of several cases: FAIL before NOT VERIFIED before PASS."""
    outcomes = list(outcomes)
    for name in ("FAIL", "NOT VERIFIED"):
        picked = [o for o in outcomes if o.outcome == name]
        if picked:
            return Outcome(name, [r for o in picked for r in o.reasons],
                           list(dict.fromkeys(m for o in picked for m in o.remedies)))
    return Outcome("PASS")


def _reason(check: Check) -> str:
    return f"{check.quantity}: {check.note}" if check.note else check.quantity
