"""Atomic file writes: a temporary file in the target folder, then ``os.replace``.

A reader therefore sees either the old file or the complete new one, never a
partial write, and an interrupted write leaves no stray file behind.
:func:`check_output_dir` and :func:`check_output_file` check an output
location before any work (:func:`prepare_output_dir` also creates the folder),
so a bad ``--out`` fails at once, not after the computation.

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

import contextlib
import json
import math
import os
import pathlib
import shutil
import tempfile
import zipfile
from collections.abc import Callable

import numpy as np

from gsmooth.errors import GSmoothError

FILE_MODE = 0o644


def check_output_dir(path, option: str = "output folder") -> pathlib.Path:
    """Check, without creating anything, that the folder ``path`` can be created and written.

    An existing folder must accept a new file; a missing one must be creatable
    in its nearest existing parent, which must be a folder.  The check makes
    (and removes) a probe in the folder or that parent, so it holds whatever
    the permissions, the user (root included) or the file system (read-only
    mounts).

    Parameters
    ----------
    path : path-like
        The folder a command will write.
    option : str
        How the caller names it in messages (``"--out"``).

    Raises
    ------
    GSmoothError
        A regular file is in the way, or the folder cannot be created or
        written; the message names ``option`` and ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_dir(base / "a" / "b").exists()
    False
    >>> (base / "file").write_text("x")
    1
    >>> check_output_dir(base / "file" / "out", "--out")
    Traceback (most recent call last):
    ...
    gsmooth.errors.GSmoothError: --out .../file/out: .../file is a file, not a folder
    """
    path = pathlib.Path(path)
    _check_folder(path, f"{option} {path}")
    return path


def _check_folder(path: pathlib.Path, label: str) -> None:
    existing = next(p for p in (path, *path.parents) if p.exists() or p == p.parent)
    if not existing.is_dir():
        raise GSmoothError(f"{label}: {existing} is a file, not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".tmp-probe-"))
    except OSError as error:
        raise GSmoothError(f"{label}: cannot write in {existing} ({error.strerror})") from None


def prepare_output_dir(path, option: str = "output folder") -> pathlib.Path:
    """Check the folder ``path`` as :func:`check_output_dir` does, then create it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> prepare_output_dir(pathlib.Path(tempfile.mkdtemp()) / "a" / "b").is_dir()
    True
    """
    path = check_output_dir(path, option)
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_output_file(path, option: str = "output file") -> pathlib.Path:
    """Check that the file ``path`` can be written: not a folder, its folder as
    :func:`check_output_dir` checks it.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_file(base / "figures" / "map.png").name
    'map.png'
    >>> check_output_file(base, "--map")
    Traceback (most recent call last):
    ...
    gsmooth.errors.GSmoothError: --map ...: is a folder; give a file name
    """
    path = pathlib.Path(path)
    if path.is_dir():
        raise GSmoothError(f"{option} {path}: is a folder; give a file name")
    _check_folder(path.parent, f"{option} {path}")
    return path


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
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError as error:
        raise type(error)(error.errno, error.strerror, str(path)) from None
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


@contextlib.contextmanager
def staged_folder(folder):
    """Write the files of one result into ``folder`` as a whole: in a staging folder first.

    Yields a hidden staging folder inside ``folder`` (created, with
    ``folder``, if missing; :func:`check_output_dir` checks it first) to
    write every file of the result into.  When the block ends normally, each
    staged file replaces its namesake in ``folder`` (``results.json`` last,
    so a reader that finds the new one finds the new figures and arrays with
    it); if it raises, or is interrupted, the staging folder is removed and
    ``folder`` is as it was (removed again if this call created it).  A
    staged name that is a folder in ``folder`` is refused before anything is
    moved.  Stages nest: an inner stage moves its files into the outer one.
    The names moved are kept in :data:`STAGED_FILES`; the next result staged
    into ``folder`` removes those of them it does not write (a figure of a
    case the new run does not have), so the folder holds one result, and
    files of the user's own stay.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_text_atomic(folder / "a.txt", "old")
    >>> try:
    ...     with staged_folder(folder) as stage:
    ...         _ = write_text_atomic(stage / "a.txt", "new")
    ...         raise RuntimeError("the figures failed")
    ... except RuntimeError:
    ...     pass
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('old', ['a.txt'])
    >>> with staged_folder(folder) as stage:
    ...     _ = write_text_atomic(stage / "a.txt", "new")
    >>> (folder / "a.txt").read_text()
    'new'
    """
    folder = check_output_dir(folder)
    created = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    stage = pathlib.Path(tempfile.mkdtemp(dir=folder, prefix=".tmp-stage-"))
    try:
        yield stage
        names = sorted((p.name for p in stage.iterdir() if p.name != STAGED_FILES),
                       key=lambda name: (name == RESULTS, name))
        blocked = [name for name in names if (folder / name).is_dir()]
        if blocked:
            raise GSmoothError(f"{folder}: {', '.join(blocked)} is a folder where the result writes a "
                               "file; move it away (nothing was written)")
        before = _staged_before(folder)
        for name in names:
            os.replace(stage / name, folder / name)
        write_json_atomic(folder / STAGED_FILES, names)
        for name in sorted(set(before) - set(names)):  # the old result's files the new one lacks
            with contextlib.suppress(OSError):
                (folder / name).unlink()
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        for path in created:  # the folders this call made, innermost first, if still empty
            with contextlib.suppress(OSError):
                path.rmdir()
        raise
    shutil.rmtree(stage, ignore_errors=True)


STAGED_FILES = ".gsmooth-files.json"
"""The names of the files :func:`staged_folder` last moved into a folder, kept there."""


def _staged_before(folder: pathlib.Path) -> list[str]:
    """The files the previous staged result of ``folder`` wrote (none if unknown)."""
    try:
        names = json.loads((folder / STAGED_FILES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [n for n in names if isinstance(n, str) and n == pathlib.Path(n).name] if isinstance(names, list) else []


def unstaged(paths, stage, folder) -> list[pathlib.Path]:
    """Where the files ``paths`` written into ``stage`` (:func:`staged_folder`) lie in ``folder``."""
    return [pathlib.Path(folder) / pathlib.Path(p).relative_to(stage) for p in paths]


def write_text_atomic(path, text: str) -> pathlib.Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_atomic(path, lambda tmp: pathlib.Path(tmp).write_text(text, encoding="utf-8"))


RESULTS = "results.json"
"""The file every results folder (verify, estimate, reproduce, sweep, theory) is read by."""


def check_no_other_result(folder, kind: str, option: str = "output folder") -> None:
    """Refuse, before any work, a ``folder`` that holds a result of another kind than ``kind``.

    A verify report written into a sweep's folder would replace the sweep's
    ``results.json`` (and leave its units unreadable); a result of the same
    kind is replaced as a whole (:func:`staged_folder`), which is what a
    rerun asks for.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_json_atomic(folder / RESULTS, {"kind": "sweep"})
    >>> check_no_other_result(folder, "sweep")
    >>> check_no_other_result(folder, "verify", "--out")
    Traceback (most recent call last):
    ...
    gsmooth.errors.GSmoothError: --out ... holds a sweep result, which a verify result would replace; choose another folder
    """
    path = pathlib.Path(folder) / RESULTS
    if not path.is_file():
        return
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("kind")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        found = None
    if found != kind:
        held = f"a {found} result" if isinstance(found, str) else f"a {RESULTS} gsmooth did not write"
        raise GSmoothError(f"{option} {folder} holds {held}, which a {kind} result would replace; "
                           "choose another folder")


def read_results(folder, kind: str) -> dict:
    """The ``results.json`` of ``folder`` (or that file itself), which must say ``"kind": kind``.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file holds another kind of result, naming both.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_json_atomic(folder / RESULTS, {"kind": "sweep"})
    >>> read_results(folder, "sweep")
    {'kind': 'sweep'}
    >>> read_results(folder, "verify")
    Traceback (most recent call last):
    ...
    ValueError: ... has kind 'sweep', expected 'verify'
    """
    path = pathlib.Path(folder)
    path = path if path.is_file() else path / RESULTS
    if not path.is_file():
        raise FileNotFoundError(f"no {RESULTS} in {path.parent}: give a folder written by gsmooth")
    data = json.loads(path.read_text())
    if data.get("kind") != kind:
        raise ValueError(f"{path} has kind {data.get('kind')!r}, expected {kind!r}")
    return data


def write_json_atomic(path, data, indent: int = 1) -> pathlib.Path:
    """Write ``data`` as strict JSON to ``path`` atomically.

    A non-finite float (NaN, an infinite bound) is written as ``null``, since
    ``NaN`` and ``Infinity`` are not JSON and strict readers refuse them.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> path = write_json_atomic(pathlib.Path(tempfile.mkdtemp()) / "r.json", {"a": [1.5, float("nan")]})
    >>> json.loads(path.read_text())
    {'a': [1.5, None]}
    """
    return write_text_atomic(path, json.dumps(_finite_or_null(data), indent=indent, allow_nan=False) + "\n")


def _finite_or_null(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_or_null(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_null(item) for item in value]
    return value


def read_npz(path) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` file ``path``, read without pickle.

    Raises
    ------
    GSmoothError
        The file is missing, or is not a ``.npz`` of plain arrays (NumPy would
        blame pickled data, which no file written by gsmooth holds).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> read_npz(write_npz_atomic(folder / "a.npz", {"x": np.arange(3)}))["x"].tolist()
    [0, 1, 2]
    >>> _ = write_text_atomic(folder / "junk.npz", "not arrays")
    >>> read_npz(folder / "junk.npz")
    Traceback (most recent call last):
    ...
    gsmooth.errors.GSmoothError: .../junk.npz is not a .npz file of arrays written by gsmooth (damaged or replaced)
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise GSmoothError(f"{path} is missing: the folder is incomplete")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, AttributeError):
        raise GSmoothError(f"{path} is not a .npz file of arrays written by gsmooth "
                           "(damaged or replaced)") from None


def write_npz_atomic(path, arrays: dict) -> pathlib.Path:
    """Write ``arrays`` to ``path`` (.npz, no pickled objects) atomically.

    Raises
    ------
    TypeError
        If an array holds Python objects (NumPy would pickle it).
    """
    arrays = {name: np.asarray(array) for name, array in arrays.items()}
    objects = [name for name, array in arrays.items() if array.dtype.hasobject]
    if objects:
        raise TypeError(f"arrays to save must hold numbers, got Python objects in {', '.join(objects)}")

    def write(tmp):
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    return write_atomic(path, write)
