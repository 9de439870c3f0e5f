"""Atomic file writes: a temporary file in the target folder, then ``os.replace``.

A reader therefore sees either the old file or the complete new one, never a
partial write, and an interrupted write leaves no stray file behind.

Examples
--------
>>> import json, pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_json_atomic(folder / "a.json", {"x": 1}).name
'a.json'
>>> json.loads((folder / "a.json").read_text())
{'x': 1}
"""

from __future__ import annotations

import json
import os
import pathlib
import tempfile
from collections.abc import Callable

import numpy as np

FILE_MODE = 0o644


def write_atomic(path, write: Callable[[str], None]) -> pathlib.Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then move it into place.

    Parameters
    ----------
    path : path-like
        Destination; its folder must exist.
    write : callable
        Writes the whole content to the temporary path it is given.
    """
    path = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def write_text_atomic(path, text: str) -> pathlib.Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_atomic(path, lambda tmp: pathlib.Path(tmp).write_text(text, encoding="utf-8"))


def write_json_atomic(path, data, indent: int = 1) -> pathlib.Path:
    """Write ``data`` as JSON to ``path`` atomically."""
    return write_text_atomic(path, json.dumps(data, indent=indent) + "\n")


def write_npz_atomic(path, arrays: dict) -> pathlib.Path:
    """Write ``arrays`` to ``path`` (.npz, no pickled objects) atomically."""

    def write(tmp):
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    return write_atomic(path, write)
