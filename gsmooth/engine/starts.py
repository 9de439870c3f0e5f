"""Where runs start: the stacked starting iterates, on the namespace and dtype asked for."""

from __future__ import annotations

import numpy as np

from gsmooth import _backend

HOST_DTYPE = "float64"
"""Dtype of runs started from host (NumPy) points when none is given."""


def initial_iterates(problem, w0, counts, device=None, dtype=None):
    """Stacked (sum(counts), d) starting iterates: ``w0`` (or the problem's start) per member.

    A (1, d) start is shared by all runs.  A host start (the problem's, a
    NumPy array or a nested list) goes to ``device`` (default NumPy) in
    ``dtype`` (default float64); a device array stays where it is, and a
    ``device`` or ``dtype`` that contradicts it raises.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.quadratic([1.0, 2.0])
    >>> initial_iterates(p, None, [3]).shape
    (3, 2)
    >>> initial_iterates(p, [[1.0, 1.0]], [2], dtype="float32").dtype
    dtype('float32')
    """
    if w0 is None:
        w0 = problem.start[None, :]
    if isinstance(w0, (list, tuple)):
        w0 = np.asarray(w0, dtype=np.float64)
    if isinstance(w0, np.ndarray):
        xp = _backend.namespace_for("numpy" if device is None else device)
        w0 = _backend.to_device(np.array(w0), xp,
                                dtype=_backend.resolve_dtype(xp, dtype or HOST_DTYPE))
    else:
        _check_agrees(w0, device, dtype)
    xp = _backend.namespace(w0)
    shape = tuple(w0.shape)
    if shape not in ((counts[0], problem.dim), (1, problem.dim)):
        raise ValueError(f"w0 must have shape ({counts[0]}, {problem.dim}), got {shape}")
    if not bool(xp.all(xp.isfinite(w0))):
        raise ValueError("w0 must be finite, got non-finite entries")
    if len(counts) == 1 and shape[0] == counts[0]:
        return w0
    return xp.concat([xp.broadcast_to(w0, (k, problem.dim)) for k in counts], axis=0)


def _check_agrees(w0, device, dtype) -> None:
    """Refuse a ``device`` or ``dtype`` that names another namespace or dtype than ``w0``'s."""
    xp = _backend.namespace(w0)
    if device is not None and _backend.namespace_for(device) is not xp:
        raise ValueError(f"device={device!r} contradicts w0, an array of {xp.__name__}; "
                         "give w0 on that device or leave device out")
    if dtype is not None and _backend.resolve_dtype(xp, dtype) != w0.dtype:
        raise ValueError(f"dtype={dtype!r} contradicts w0 of dtype {w0.dtype}; "
                         "convert w0 or leave dtype out")
