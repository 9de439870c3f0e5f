"""Array namespaces, per-run random streams, host transfer and timing.

Numeric code in gsmooth is written once against the array API standard and
runs on NumPy (CPU) or CuPy (GPU).  This module is the one place that knows
about the concrete libraries: everything else asks it for a namespace, for
random indices on the right device, or for a host copy of a result.

Examples
--------
>>> import numpy as np
>>> from gsmooth import _backend as B
>>> xp = B.namespace_for("numpy")
>>> w = xp.zeros((2, 3))
>>> B.namespace(w) is xp
True
>>> B.to_host(w).shape
(2, 3)
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import contextmanager

import numpy as np
from array_api_compat import array_namespace, is_cupy_namespace

from gsmooth._checks import describe, nonnegative_int
from gsmooth.errors import GSmoothError

DEVICES = ("numpy", "cupy", "array-api-strict")


_NAMESPACES: dict = {}


def namespace(*arrays):
    """Return the array-API namespace shared by ``arrays``.

    The namespace follows from the array types alone, so it is looked up
    once per combination of types and cached: this sits on every hot path.
    """
    key = type(arrays[0]) if len(arrays) == 1 else tuple(type(a) for a in arrays)
    try:
        return _NAMESPACES[key]
    except KeyError:
        xp = _NAMESPACES[key] = array_namespace(*arrays)
        return xp


def namespace_for(device: str):
    """Return the array-API namespace named by ``device``.

    Parameters
    ----------
    device : {"numpy", "cupy", "array-api-strict"}
        ``"cupy"`` needs CuPy and a CUDA device; it is imported only here.

    Raises
    ------
    ValueError
        An unknown device name.
    GSmoothError
        ``"cupy"`` without CuPy or without a usable GPU (one line, with what
        to install), or ``"array-api-strict"`` without that package.
    """
    if device == "numpy":
        import array_api_compat.numpy as xp
    elif device == "cupy":
        xp = _cupy_namespace()
    elif device == "array-api-strict":
        try:
            import array_api_strict as xp
        except ImportError:
            raise GSmoothError("device 'array-api-strict' needs the array-api-strict package: "
                               "pip install array-api-strict") from None
    else:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
    return xp


def _cupy_namespace():
    """CuPy's array-API namespace, once a GPU has answered (asked once per process)."""
    try:
        import array_api_compat.cupy as xp

        if _cuda_device_count() < 1:
            raise RuntimeError("no CUDA device found")
    except ImportError as error:
        raise GSmoothError(f"device 'cupy' needs CuPy and a CUDA GPU ({error}): "
                           "pip install 'gsmooth[gpu-cuda12]' or 'gsmooth[gpu-cuda13]'") from None
    except Exception as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise GSmoothError(f"device 'cupy': CuPy is installed but no GPU is usable ({reason}); "
                           "use device 'numpy'") from None
    return xp


@functools.cache
def _cuda_device_count() -> int:
    import cupy

    return cupy.cuda.runtime.getDeviceCount()


def resolve_dtype(xp, dtype):
    """Return ``xp``'s floating dtype named by ``dtype`` ("float32" or "float64")."""
    name = dtype if isinstance(dtype, str) else np.dtype(dtype).name
    if name not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return getattr(xp, name)


def seed_sequences(seeds: int | Sequence[int], root: int = 0) -> list[np.random.SeedSequence]:
    """Return one independent ``SeedSequence`` per run.

    Run seed ``s`` gets ``SeedSequence(root, spawn_key=(s,))``, which is the
    ``s``-th child of ``SeedSequence(root).spawn(...)``.  A run's stream
    therefore depends on its own seed alone, not on how many runs share the
    batch or in which position it sits.

    Parameters
    ----------
    seeds : int or sequence of int
        ``k`` means seeds ``0, ..., k - 1``.
    root : int
        Entropy of the root sequence.

    Examples
    --------
    >>> a = seed_sequences(3)[2].generate_state(1)
    >>> b = seed_sequences([2])[0].generate_state(1)
    >>> bool((a == b).all())
    True
    """
    return [np.random.SeedSequence(root, spawn_key=(s,)) for s in seed_list(seeds)]


def seed_list(seeds: int | Sequence[int]) -> list[int]:
    """Expand ``seeds`` (a count or a sequence) into a list of non-negative ints.

    A seed may repeat: runs with the same seed draw the same samples, which is
    what a batch over hyperparameters with shared seeds needs.

    Examples
    --------
    >>> seed_list(3), seed_list([5, 5])
    ([0, 1, 2], [5, 5])
    >>> seed_list("a")
    Traceback (most recent call last):
    ...
    TypeError: seeds must be a positive count or a sequence of non-negative integer seeds, got str 'a'
    """
    if isinstance(seeds, np.ndarray) and seeds.ndim == 0:
        seeds = seeds.item()
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be a positive count or a sequence of seeds, got {seeds}")
        return list(range(int(seeds)))
    if isinstance(seeds, (str, bytes, bool)) or not hasattr(seeds, "__iter__"):
        raise TypeError("seeds must be a positive count or a sequence of non-negative integer seeds, "
                        f"got {describe(seeds)}")
    values = [nonnegative_int("seeds", s) for s in seeds]
    if not values:
        raise ValueError("seeds must be a positive count or a non-empty sequence, got []")
    return values


def run_generators(seeds: int | Sequence[int], root: int = 0) -> list[np.random.Generator]:
    """Return one NumPy ``Generator`` per run, spawned as in :func:`seed_sequences`."""
    return [np.random.default_rng(s) for s in seed_sequences(seeds, root)]


class IndexStream:
    """Per-run i.i.d. uniform sample indices in ``[0, n)``, drawn on the host in blocks.

    Each run draws from its own generator, ``block`` draws of one size at a
    time (one call per run per block instead of one per step), and the block
    moves to the device in one transfer.  Run ``r``'s indices depend only on
    its own generator and on the sequence of sizes asked for, so a run draws
    the same samples alone or in any batch.

    Parameters
    ----------
    generators : sequence of numpy.random.Generator
        One stream per run.
    n : int
        Number of samples.
    xp, device
        Where :meth:`draw` returns its indices.
    block : int
        Draws of one size taken from a generator at once.

    Examples
    --------
    >>> import numpy as np
    >>> stream = IndexStream(run_generators(3), n=10, xp=np, block=4)
    >>> [stream.draw(5).shape for _ in range(5)]
    [(3, 5), (3, 5), (3, 5), (3, 5), (3, 5)]
    >>> alone = IndexStream(run_generators([2]), n=10, xp=np, block=4)
    >>> fresh = IndexStream(run_generators(3), n=10, xp=np, block=4)
    >>> bool((fresh.draw(5)[2] == alone.draw(5)[0]).all())
    True
    """

    def __init__(self, generators, n: int, xp, device=None, block: int = 64):
        self.generators, self.n, self.block = list(generators), int(n), int(block)
        self.xp, self.device = xp, device
        self._blocks = {}

    def draw(self, size: int):
        """Indices of shape (k, size) in the stream's namespace."""
        blocks, position = self._blocks.get(size, (None, self.block))
        if position == self.block:
            if not self.generators:
                raise ValueError("minibatch indices asked of a stream without generators: "
                                 "the method has no batch size (a deterministic method)")
            host = np.stack([g.integers(0, self.n, size=(self.block, size)) for g in self.generators])
            blocks, position = to_device(host, self.xp, self.device), 0
        self._blocks[size] = (blocks, position + 1)
        return blocks[:, position, :]


_VECDOTS: dict = {}


def vecdot_of(xp):
    """``vecdot`` for namespace ``xp``, chosen once per namespace (cached).

    NumPy's and array-api-strict's ``vecdot`` are one native call.  CuPy has
    no ``vecdot`` of its own, and array-api-compat's stands in with a complex
    conjugate copy and a batched matrix product: 64 us of host time per call
    in the paper experiment on an H200 machine, the largest host cost of its
    step (``analysis/profile_gpu_step.py``).  There it is ``sum(x1 * x2)``
    along the last axis, one product and one reduction, the same sum to rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from array_api_compat import numpy as xp
    >>> vecdot_of(xp)(np.array([[3.0, 4.0]]), np.array([[1.0, 2.0]])).tolist()
    [11.0]
    """
    dot = _VECDOTS.get(xp)
    if dot is None:
        dot = _VECDOTS[xp] = _summed_products if is_cupy_namespace(xp) else xp.vecdot
    return dot


def _summed_products(x1, x2):
    return namespace(x1).sum(x1 * x2, axis=-1)


def sum_of_squares(x):
    """``x . x`` along the last axis: each run's sum of squares, shape (k,) for ``x`` (k, n),
    through :func:`vecdot_of`.

    Examples
    --------
    >>> import numpy as np
    >>> sum_of_squares(np.array([[3.0, 4.0], [0.0, 1.0]])).tolist()
    [25.0, 1.0]
    """
    return vecdot_of(namespace(x))(x, x)


def row_norm(g):
    """Euclidean norm of each run's vector ``g`` (k, d), as a (k, 1) column.

    ``sqrt(g . g)``, as ``vector_norm`` computes it, without that function's
    per-call overhead: it sits on every step of every rule.  NumPy arrays take
    NumPy's own functions without a namespace lookup (the same functions
    array-api-compat hands out), other arrays the ``vecdot`` of :func:`vecdot_of`.

    Examples
    --------
    >>> import numpy as np
    >>> row_norm(np.array([[3.0, 4.0], [0.0, 1.0]])).tolist()
    [[5.0], [1.0]]
    """
    if type(g) is np.ndarray:
        return np.sqrt(np.vecdot(g, g)[:, None])
    xp = namespace(g)
    return xp.sqrt(vecdot_of(xp)(g, g)[:, None])


_NORM_FLOORS: dict = {}


def norm_floor(x) -> float:
    """The smallest nonzero norm ``sqrt(v . v)`` can take in ``x``'s dtype, rounded down to a
    power of two: ``2**-537`` in float64, ``2**-75`` in float32 (a Python float, cached).

    A sum of squares is 0 or at least the smallest subnormal number
    (``smallest_normal * eps``), so a norm computed from one is 0 or at least
    the square root of that: flooring norms here changes no nonzero norm,
    and a direction whose sum of squares underflowed to 0 has a true norm below
    the floor.

    Examples
    --------
    >>> import numpy as np
    >>> norm_floor(np.ones(2)) == 2.0**-537, norm_floor(np.ones(2, dtype=np.float32)) == 2.0**-75
    (True, True)
    >>> v = np.array([2.0**-537])
    >>> float(np.sqrt(np.vecdot(v, v))) == norm_floor(v)
    True
    """
    key = (type(x), x.dtype)  # the type first: dtypes of two libraries never meet in ==
    value = _NORM_FLOORS.get(key)
    if value is None:
        info = namespace(x).finfo(x.dtype)
        subnormal = float(info.smallest_normal) * float(info.eps)
        value = _NORM_FLOORS[key] = math.ldexp(1.0, math.floor(math.log2(subnormal) / 2))
    return value


def all_finite(x) -> bool:
    """Whether every entry of ``x`` is finite, from one reduction (a scalar on the host).

    A non-finite entry makes the reduction NaN or infinite; one that overflows
    although every entry is finite (entries beyond the square root of the
    largest float for NumPy's sum of squares, near the largest float for a
    sum) is told apart by an exact check, so the answer is exact.  On NumPy
    the reduction is the sum of squares ``vdot(x, x)``, one BLAS pass, which
    costs a half to a quarter of ``sum``; elsewhere it is ``sum``.

    Examples
    --------
    >>> import numpy as np
    >>> all_finite(np.ones((2, 3))), all_finite(np.array([[1.0, np.nan]]))
    (True, False)
    >>> all_finite(np.array([[1e300, -1e300]]))  # the squares overflow, the entries are finite
    True
    """
    total = np.vdot(x, x) if type(x) is np.ndarray else namespace(x).sum(x)
    if math.isfinite(total):
        return True
    xp = namespace(x)
    return bool(xp.all(xp.isfinite(x)))


SCRATCH_SLOTS = 16
"""Scratch arrays kept per thread (least recently used ones are dropped)."""

_LOCAL = threading.local()


def scratch(name: str, shape, like):
    """A reusable array for a temporary of ``shape`` in ``like``'s dtype, or ``None``.

    Large temporaries allocated afresh at every step cost page faults (the C
    allocator hands them back to the system and faults them in again), which
    on phase retrieval took longer than the products filling them.  NumPy
    functions can write into a given array (``out=``), so for NumPy inputs this
    returns one kept per thread, ``name``, shape and dtype (uninitialized, or
    holding a previous call's values); other namespaces get ``None`` and
    allocate as usual.  Results handed to callers must never be scratch
    arrays; each thread has its own, so a record evaluated in a helper thread
    (``overlap``) never shares one with the step.

    Examples
    --------
    >>> import numpy as np
    >>> a = scratch("example", (2, 3), np.ones(1))
    >>> a is scratch("example", (2, 3), np.ones(1)), a.dtype
    (True, dtype('float64'))
    >>> release_scratch()
    """
    if type(like) is not np.ndarray:
        return None
    buffers = getattr(_LOCAL, "buffers", None)
    if buffers is None:
        buffers = _LOCAL.buffers = OrderedDict()
    key = (name, tuple(shape), like.dtype)
    array = buffers.pop(key, None)
    if array is None:
        array = np.empty(shape, dtype=like.dtype)
    buffers[key] = array
    while len(buffers) > SCRATCH_SLOTS:
        buffers.popitem(last=False)
    return array


def release_scratch() -> None:
    """Drop this thread's scratch arrays (the run engine does at the end of a run)."""
    _LOCAL.buffers = None


def matmul_into(x, y, out=None):
    """``x @ y``, written into ``out`` (a :func:`scratch` array) when one is given.

    The same product either way (NumPy calls the same BLAS routine); ``out``
    only saves the allocation.
    """
    return x @ y if out is None else np.matmul(x, y, out=out)


def take_into(x, indices, out=None):
    """``take(x, indices, axis=0)`` for indices known to lie in range, written into ``out``
    (a :func:`scratch` array) when one is given; NumPy writes it directly only when told
    not to check bounds (``mode="clip"``), which in-range indices make the same gather."""
    if out is None:
        return namespace(x).take(x, indices, axis=0)
    return np.take(x, indices, axis=0, out=out, mode="clip")


def multiply_into(x, y, out=None):
    """``x * y``, written into ``out`` (a :func:`scratch` array) when one is given."""
    return x * y if out is None else np.multiply(x, y, out=out)


def subtract_into(x, y, out=None):
    """``x - y``, written into ``out`` (a :func:`scratch` array) when one is given."""
    return x - y if out is None else np.subtract(x, y, out=out)


def square_into(x, out=None):
    """``x * x``, written into ``out`` (a :func:`scratch` array) when one is given."""
    return multiply_into(x, x, out)


def clip_below(x, low):
    """``max(x, low)`` elementwise (NaN stays NaN), in place for a NumPy ``x``: ``xp.clip``
    computes it with the same ``maximum``."""
    if type(x) is np.ndarray:
        return np.maximum(x, low, out=x)
    return namespace(x).clip(x, min=low)


def to_device(array, xp, device=None, dtype=None):
    """Copy a host (NumPy) array into namespace ``xp`` (on ``device`` if given)."""
    if device is None:
        return xp.asarray(array, dtype=dtype)
    return xp.asarray(array, dtype=dtype, device=device)


def to_host(array) -> np.ndarray:
    """Return ``array`` as a NumPy array: itself on the host, a copy from a device, else a DLPack view."""
    if isinstance(array, np.ndarray):
        return array
    xp = array_namespace(array)
    if is_cupy_namespace(xp):
        return array.get()
    return np.from_dlpack(array)


def synchronize(xp) -> None:
    """Wait until all queued device work of namespace ``xp`` has finished."""
    if is_cupy_namespace(xp):
        import cupy

        cupy.cuda.Device().synchronize()


@contextmanager
def timed(xp, out: dict, key: str = "seconds"):
    """Measure wall-clock seconds of a block, synchronizing the device at both ends.

    Examples
    --------
    >>> import numpy as np
    >>> t = {}
    >>> with timed(np, t):
    ...     _ = np.ones(10).sum()
    >>> t["seconds"] >= 0
    True
    """
    synchronize(xp)
    start = time.perf_counter()
    try:
        yield out
    finally:
        synchronize(xp)
        out[key] = time.perf_counter() - start
