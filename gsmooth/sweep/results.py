"""A sweep folder as a result object: what ``gs.load`` returns for a sweep."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gsmooth._io import read_results


@dataclass
class SweepResults:
    """The runs stored in a sweep folder.

    Attributes
    ----------
    folder : Path
    manifest : dict
        ``results.json``: the units, their run keys and the report of the last call.

    Examples
    --------
    >>> import tempfile
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from gsmooth.sweep import parse_spec, run_sweep
    >>> spec = parse_spec('''
    ... [sweep]
    ... steps = 4
    ... record = 2
    ... [problems.power]
    ... d = 3
    ... [optimizers.gd]
    ... lr = [0.1, 0.2]
    ... ''')
    >>> folder = tempfile.mkdtemp()
    >>> with ThreadPoolExecutor(1) as pool:
    ...     _ = run_sweep(spec, folder, executor=pool, progress=False)
    >>> results = SweepResults.load(folder)
    >>> results.to_pandas().shape[0], len(results.manifest["units"])
    (6, 1)
    """

    folder: Path
    manifest: dict = field(default_factory=dict)

    @classmethod
    def load(cls, folder) -> SweepResults:
        """The sweep stored in ``folder`` (its ``results.json`` must say ``"kind": "sweep"``)."""
        folder = Path(folder)
        return cls(folder, read_results(folder, "sweep"))

    def to_pandas(self):
        """The tidy long-form table of :func:`gsmooth.sweep.to_table` as a ``pandas.DataFrame``."""
        from gsmooth._tables import pandas
        from gsmooth.sweep.table import to_table

        return pandas().DataFrame(to_table(self.folder))

    def summary(self) -> str:
        """The summary line of the last call of :func:`gsmooth.sweep.run_sweep` on the folder."""
        report = self.manifest.get("report", {})
        return (f"sweep in {self.folder}: {report.get('units')} units ({report.get('runs')} runs), "
                f"{report.get('failed')} failed, {report.get('diverged')} runs diverged")
