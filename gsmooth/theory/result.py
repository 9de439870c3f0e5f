"""What ``gsmooth theory --out DIR`` writes: the inputs, the derived bound and the comparison.

``results.json`` has ``"kind": "theory"``, the exact inputs as strings
(``"4/3"``), the bound's :meth:`~gsmooth.theory.AnGdBound.as_dict` and, with
``--compare``, the comparison table's :meth:`~gsmooth.theory.ComparisonTable.as_dict`.
:meth:`TheoryResult.load` derives the bound again from the stored inputs (a
fraction of a second) and checks that it reproduces the stored expressions,
so a file is never trusted over the mathematics.

Examples
--------
>>> import tempfile
>>> result = TheoryResult.derive({"rho": "4/3", "beta": "2/3"})
>>> folder = tempfile.mkdtemp()
>>> _ = result.save(folder)
>>> again = TheoryResult.load(folder)
>>> again.bound.regime, again.bound.exponent
('linear', 1/2)
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from gsmooth._io import RESULTS, read_results, write_json_atomic

KIND = "theory"
BOUND_INPUTS = ("rho", "beta", "alpha")


@dataclass
class TheoryResult:
    """Inputs of a derivation and what came out: the AN-GD bound and/or a comparison.

    Attributes
    ----------
    inputs : dict of str to str
        The exact inputs (``rho``, ``beta``, ``alpha`` and the constants), as given.
    bound : AnGdBound or None
    comparison : ComparisonTable or None
    snap : bool
        Whether near-simple decimals were read as fractions (``--no-snap``: not).
    """

    inputs: dict
    bound: object = None
    comparison: object = None
    snap: bool = True

    @classmethod
    def derive(cls, inputs: dict, snap: bool = True) -> TheoryResult:
        """Derive the bound of ``inputs`` (``rho``, ``beta``, optional ``alpha`` and constants)."""
        from gsmooth.theory import an_gd_bound

        inputs = {name: str(value) for name, value in inputs.items() if value is not None}
        exponents = [inputs.get(name) for name in BOUND_INPUTS]
        constants = {k: v for k, v in inputs.items() if k not in BOUND_INPUTS}
        return cls(inputs, an_gd_bound(*exponents, snap=snap, **constants), snap=snap)

    def as_dict(self) -> dict:
        """The content of ``results.json``."""
        return {"kind": KIND, "inputs": self.inputs, "snap": self.snap,
                "bound": None if self.bound is None else self.bound.as_dict(),
                "comparison": None if self.comparison is None else self.comparison.as_dict()}

    def save(self, folder) -> pathlib.Path:
        """Write ``results.json`` into ``folder`` (created) atomically; return its path."""
        folder = pathlib.Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        return write_json_atomic(folder / RESULTS, self.as_dict())

    @classmethod
    def load(cls, folder) -> TheoryResult:
        """Read ``results.json`` of ``folder``; the bound is derived again and checked."""
        from gsmooth.theory.compare import ComparisonTable

        data = read_results(folder, KIND)
        result = cls(dict(data["inputs"]), snap=data.get("snap", True))
        if data["bound"] is not None:
            result.bound = cls.derive(result.inputs, snap=result.snap).bound
            stored, derived = data["bound"]["iterations"], result.bound.as_dict()["iterations"]
            if stored != derived:
                raise ValueError(f"{folder}: the stored T(eps) {stored} is not what the inputs "
                                 f"derive ({derived}); the file was edited or is from another version")
        if data["comparison"] is not None:
            result.comparison = ComparisonTable.from_dict(data["comparison"])
        return result

    def to_pandas(self):
        """The comparison in long form (one row per entry and eps), or the bound as one row."""
        if self.comparison is not None:
            return self.comparison.to_pandas()
        from gsmooth._tables import pandas

        bound = self.bound.as_dict()
        return pandas().DataFrame([{**self.inputs, **{k: v for k, v in bound.items()
                                                      if not isinstance(v, (dict, list))}}])

    def summary(self) -> str:
        """The bound's summary and the comparison table, whichever exist."""
        parts = [] if self.bound is None else [self.bound.summary()]
        return "\n\n".join(parts + ([] if self.comparison is None else [str(self.comparison)]))
