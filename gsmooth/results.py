"""One way back to anything gsmooth wrote: :func:`load`.

=================================  ==============================  ==================================
what was written                   by                              ``load`` returns
=================================  ==============================  ==================================
``run.npz``                        ``RunResult.save``              :class:`~gsmooth.engine.RunResult`
a folder, ``"kind": "verify"``     ``gsmooth verify``              :class:`~gsmooth.verification.VerifyReport`
a folder, ``"kind": "estimate"``   ``gsmooth estimate``            :class:`~gsmooth.estimate.EstimateReport`
a folder, ``"kind": "reproduce"``  ``gsmooth reproduce``           :class:`~gsmooth.reproduction.Reproduction`
a folder, ``"kind": "sweep"``      ``gsmooth sweep``               :class:`~gsmooth.sweep.SweepResults`
a folder, ``"kind": "theory"``     ``gsmooth theory --out``        :class:`~gsmooth.theory.result.TheoryResult`
=================================  ==============================  ==================================

A folder may be given by its path or by the path of its ``results.json``.
Every returned object has ``to_pandas()``: a long-form table, one row per
record and run (or per check, point or table entry), with the settings as
columns.  Nothing is unpickled: arrays come from ``.npz`` read with
``allow_pickle=False`` and everything else from JSON.

Examples
--------
>>> import pathlib, tempfile
>>> import gsmooth as gs
>>> path = pathlib.Path(tempfile.mkdtemp()) / "run.npz"
>>> gs.run(gs.problems.power(d=2), gs.optim.gd(0.1), 5, seeds=2).save(path)
>>> res = gs.load(path)
>>> type(res).__name__, res.to_pandas().shape[0] == 2 * res.loss.shape[0]
('RunResult', True)
"""

from __future__ import annotations

import importlib
import json
import pathlib

from gsmooth._io import RESULTS

LOADERS = {
    "verify": ("gsmooth.verification", "VerifyReport"),
    "estimate": ("gsmooth.estimate.report", "EstimateReport"),
    "reproduce": ("gsmooth.reproduction", "Reproduction"),
    "sweep": ("gsmooth.sweep.results", "SweepResults"),
    "theory": ("gsmooth.theory.result", "TheoryResult"),
}
"""The result class of each ``"kind"`` of ``results.json``, as (module, name)."""


def load(path):
    """Open a result gsmooth wrote (see the module docstring for what each path gives).

    Parameters
    ----------
    path : path-like
        A ``.npz`` written by :meth:`RunResult.save`, a folder written by a
        ``gsmooth`` command, or that folder's ``results.json``.

    Raises
    ------
    FileNotFoundError
        Nothing at ``path``, or a folder without ``results.json``.
    ValueError
        A file gsmooth did not write (its kind is named).
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"nothing at {path}: give a run's .npz or a folder written by gsmooth")
    if path.is_file() and path.suffix == ".npz":
        from gsmooth.engine.result import RunResult

        return RunResult.load(path)
    folder = path.parent if path.name == RESULTS else path
    if not (folder / RESULTS).is_file():
        raise FileNotFoundError(f"{folder} has no {RESULTS}: give a folder written by a gsmooth "
                                "command (verify, estimate, reproduce, sweep, theory --out)")
    kind = results_kind(folder / RESULTS)
    module, name = LOADERS[kind]
    return getattr(importlib.import_module(module), name).load(folder)


def results_kind(path: pathlib.Path) -> str:
    """The ``"kind"`` of a ``results.json``, one of :data:`LOADERS`."""
    try:
        kind = json.loads(path.read_text()).get("kind")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        raise ValueError(f"{path} is not a gsmooth results file (not a JSON object)") from None
    if kind not in LOADERS:
        raise ValueError(f"{path} has kind {kind!r}; gsmooth writes {', '.join(LOADERS)}")
    return kind
