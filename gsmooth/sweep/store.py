"""The results store of a sweep: one folder, safe to kill at any moment.

Layout::

    DIR/units/<unit key>.npz    arrays of a finished unit (loaded with allow_pickle=False)
    DIR/units/<unit key>.json   its metadata: configuration, runs, run keys, sha256 of the .npz
    DIR/index.jsonl             append-only index, one JSON line per finished or failed unit

Every file is written to a temporary name and moved into place with
``os.replace``; each index line is flushed and fsynced.  A unit counts as done
only when its metadata parses and the checksum of its ``.npz`` matches, so a
truncated or half-written file is found and the unit redone.  A unit whose
files are complete but whose index line was lost (a kill in between) is
adopted without recomputing.  A failed unit (an exception in the worker) is
indexed with status ``"failed"`` and is retried by the next run; diverged runs
inside a finished unit are results, with their status codes.

The index is checked when the store opens.  A line cut short by a kill
(always the last one) is dropped.  A damaged index (bytes that are not
UTF-8, a line that is not JSON or not an index entry, such as ``[1, 2, 3]``)
is set aside as ``index.jsonl.damaged-<time>`` with a warning and rebuilt
from the unit files, as is a missing index beside stored units: every unit
whose files are intact counts as done again, nothing is recomputed, and
failure records (which only mean "retry") are dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import warnings
from pathlib import Path

import numpy as np

from gsmooth import __version__
from gsmooth._io import read_npz, write_npz_atomic, write_text_atomic
from gsmooth.errors import GSmoothWarning
from gsmooth.sweep.expand import STORE_FORMAT, Unit

STATUSES = ("done", "failed")


def _is_entry(entry) -> bool:
    """Whether ``entry`` has the shape of an index line."""
    return (isinstance(entry, dict) and isinstance(entry.get("unit"), str)
            and entry.get("status") in STATUSES
            and isinstance(entry.get("runs"), list) and all(isinstance(r, str) for r in entry["runs"])
            and (entry["status"] == "done" or isinstance(entry.get("error"), str)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Store:
    """A sweep's results folder; see the module docstring.

    Parameters
    ----------
    folder : path
        Created if missing.

    Examples
    --------
    >>> import tempfile
    >>> store = Store(tempfile.mkdtemp())
    >>> store.entries(), store.done_runs()
    ([], {})
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.units = self.folder / "units"
        self.index = self.folder / "index.jsonl"
        self.units.mkdir(parents=True, exist_ok=True)
        self._drop_cut_line()
        self._repair_index()

    def _drop_cut_line(self) -> None:
        """After a kill mid-append, drop the incomplete last line (its unit is
        adopted from its files, or rerun)."""
        if not self.index.is_file():
            return
        data = self.index.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(self.index, "rb+") as handle:
                handle.truncate(data.rfind(b"\n") + 1)

    def _repair_index(self) -> None:
        """Set a damaged (or missing) index aside and rebuild it from the unit files."""
        if self.index.is_file():
            damage = next((f"line {number}: {problem}" for number, (_, problem)
                           in enumerate(self._lines(), start=1) if problem), None)
        else:
            damage = "it is missing" if any(self.units.glob("*.json")) else None
        if damage is None:
            return
        aside = self._set_aside() if self.index.is_file() else None
        rebuilt = self._rebuild()
        where = f"set aside as {aside.name} and " if aside is not None else ""
        warnings.warn(f"sweep index {self.index} is damaged ({damage}); {where}rebuilt from "
                      f"the unit files ({rebuilt} intact units)", GSmoothWarning, stacklevel=3)

    def _set_aside(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.index.with_name(f"{self.index.name}.damaged-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = self.index.with_name(f"{self.index.name}.damaged-{stamp}-{number}")
        shutil.copyfile(self.index, aside)
        return aside

    def _rebuild(self) -> int:
        """Write a fresh index: one done line per unit whose files are intact."""
        lines = []
        for path in sorted(self.units.glob("*.json")):
            meta = self.metadata(path.stem)
            runs = meta.get("run_keys") if meta is not None else None
            if isinstance(runs, list) and all(isinstance(r, str) for r in runs):
                lines.append({"unit": path.stem, "status": "done", "runs": runs})
        write_text_atomic(self.index, "".join(json.dumps(e, sort_keys=True) + "\n" for e in lines))
        return len(lines)

    def _lines(self):
        """Yield ``(entry, problem)`` per complete index line; ``problem`` is ``None``
        for a sound entry, else what is wrong with the line."""
        for raw in self.index.read_bytes().split(b"\n")[:-1]:
            try:
                entry = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield None, "not UTF-8 text"
                continue
            except json.JSONDecodeError:
                yield None, f"not JSON: {raw.decode('utf-8')[:40]!r}"
                continue
            yield (entry, None) if _is_entry(entry) else (None, f"not an index entry: {entry!r:.40}")

    def entries(self) -> list[dict]:
        """Index entries in order (the index was checked when the store opened)."""
        if not self.index.is_file():
            return []
        return [entry for entry, problem in self._lines() if problem is None]

    def _append(self, entry: dict) -> None:
        with open(self.index, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def metadata(self, key: str) -> dict | None:
        """Metadata of unit ``key`` if its files are complete and match; else ``None``."""
        meta_path, data_path = self.units / f"{key}.json", self.units / f"{key}.npz"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            intact = meta.get("sha256") == _sha256(data_path)
        except (OSError, ValueError, AttributeError):
            return None
        return meta if intact else None

    def arrays(self, key: str) -> dict[str, np.ndarray]:
        """The arrays of finished unit ``key`` (no pickle involved)."""
        return read_npz(self.units / f"{key}.npz")

    def arrays_and_f_star(self, key: str) -> tuple[dict[str, np.ndarray], float | None]:
        """The arrays of finished unit ``key`` and its problem's ``f_star`` (``None`` if unknown)."""
        meta = json.loads((self.units / f"{key}.json").read_text(encoding="utf-8"))
        return self.arrays(key), meta["f_star"]

    def done_runs(self) -> dict[str, tuple[str, int]]:
        """Map each run key with an intact result to ``(unit key, column)``."""
        found, checked = {}, {}
        for entry in self.entries():
            key = entry["unit"]
            if entry.get("status") != "done" or checked.get(key) is False:
                continue
            if key not in checked:
                checked[key] = self.metadata(key) is not None
            if checked[key]:
                found.update({run: (key, column) for column, run in enumerate(entry["runs"])})
        return found

    def failures(self) -> dict[str, str]:
        """Map each run key whose latest unit failed to the error message."""
        out = {}
        for entry in self.entries():
            for run in entry["runs"]:
                if entry.get("status") == "failed":
                    out[run] = entry["error"]
                else:
                    out.pop(run, None)
        return out

    def plan(self, units: list[Unit]) -> list[Unit]:
        """Units still to run: each with only its runs that have no intact result.

        A planned unit whose files are already complete (written, but killed
        before its index line) is indexed now instead of being rerun.
        """
        done = self.done_runs()
        todo = []
        for unit in units:
            missing = {i for i, key in enumerate(unit.run_keys) if key not in done}
            if not missing:
                continue
            pending = unit.subset(missing)
            if self.metadata(pending.key) is not None:
                self._append({"unit": pending.key, "status": "done", "runs": pending.run_keys})
            else:
                todo.append(pending)
        return todo

    def write(self, unit: Unit, outcome: dict) -> None:
        """Store a finished unit: ``.npz``, then its metadata, then the index line."""
        data_path = self.units / f"{unit.key}.npz"
        write_npz_atomic(data_path, outcome["arrays"])
        meta = {
            "format": STORE_FORMAT, "gsmooth": __version__, "unit": unit.key,
            "config": unit.config, "runs": [run.as_dict() for run in unit.runs],
            "run_keys": unit.run_keys, "sha256": _sha256(data_path), **outcome["meta"],
        }
        write_text_atomic(self.units / f"{unit.key}.json", json.dumps(meta, indent=1))
        self._append({"unit": unit.key, "status": "done", "runs": unit.run_keys})

    def record_failure(self, unit: Unit, error: str) -> None:
        """Index a unit whose worker raised; its runs stay to do."""
        self._append({"unit": unit.key, "status": "failed", "error": error,
                      "runs": unit.run_keys, "config": unit.config})
