"""The problem interface shared by every objective in gsmooth.

A problem evaluates, for a batch of ``k`` runs at once,

* ``value(w)``: the full objective ``F(w_r)`` for every run, shape (k,);
* ``grad(w)``: the full gradient, shape (k, d);
* ``grad(w, idx)``: the minibatch gradient ``(1/B) sum_{i in idx_r} grad f_i(w_r)``
  on per-run sample indices ``idx`` of shape (k, B) (finite-sum problems only);
* ``hvp(w, v)``: Hessian-vector products ``hess F(w_r) v_r``, shape (k, d): a
  closed form where the problem states :attr:`Problem.hvp_exact`, else central
  differences of gradients (:func:`gsmooth.problems.curvature.central_difference_hvp`),
  whose error estimate :meth:`Problem.hvp_and_error` returns.

Iterates may live in any array-API namespace (NumPy, CuPy, array-api-strict)
and in float32 or float64; a problem keeps its data on the host and makes one
cached copy per namespace, device and dtype the first time it meets them.

Subclasses implement ``_value``, ``_grad`` and, when they are finite sums,
``_sample_grad``; each receives the iterate and a dict of data arrays already
in the iterate's namespace and dtype.  A subclass with a closed-form Hessian
implements ``_hvp`` the same way and sets ``hvp_exact = True``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from gsmooth._backend import namespace, scratch, take_into
from gsmooth._checks import check_memory
from gsmooth.problems.curvature import central_difference_hvp


@dataclass(frozen=True)
class Constants:
    """Constants of a problem known in closed form (``None`` where unknown).

    Attributes
    ----------
    f_star : float or None
        The minimum value ``F*``.
    rho, mu : float or None
        Generalized PL: ``||grad F(w)||^rho >= 2 mu (F(w) - F*)``.
    alpha, L0, L1 : float or None
        Local generalized smoothness: ``||hess F(w)|| <= L0 + L1 ||grad F(w)||^alpha``.

    Examples
    --------
    >>> Constants(f_star=0.0, rho=2.0, mu=1.0).as_dict()["mu"]
    1.0
    """

    f_star: float | None = None
    rho: float | None = None
    mu: float | None = None
    alpha: float | None = None
    L0: float | None = None
    L1: float | None = None

    def as_dict(self) -> dict:
        """Return the constants as a plain dict (JSON-ready)."""
        return asdict(self)


class Problem:
    """Base class of batched objectives; see the module docstring.

    Attributes
    ----------
    hvp_exact : bool
        Whether :meth:`hvp` is a closed form (exact up to rounding) rather
        than central differences of gradients.

    Parameters
    ----------
    name : str
        Short name used in reports.
    dim : int
        Dimension ``d`` of one iterate.
    start : array_like, shape (d,)
        The problem's own starting point.
    n_samples : int or None
        Number of component functions of a finite sum; ``None`` for a
        deterministic objective without minibatch gradients.
    constants : Constants
        What is known exactly about the problem.
    data : dict of str to ndarray
        Host arrays the objective needs (moved to the iterate's namespace on use).

    Examples
    --------
    A problem implements ``_value`` and ``_grad`` on (k, d) batches (and
    ``_hvp``, ``_sample_grad`` where it has them); here ``F(w) = ||w||^2 / 2``:

    >>> import numpy as np
    >>> class Half(Problem):
    ...     def _value(self, w, data):
    ...         return 0.5 * (w * w).sum(axis=-1)
    ...     def _grad(self, w, data):
    ...         return w
    >>> p = Half("half", 2, [1.0, 2.0], constants=Constants(f_star=0.0))
    >>> p.value(np.array([[1.0, 2.0]])).tolist(), p.hvp_exact
    ([2.5], False)
    """

    hvp_exact = False

    def __init__(self, name, dim, start, n_samples=None, constants=None, data=None):
        self.name = name
        self.dim = int(dim)
        self.start = np.asarray(start, dtype=np.float64).reshape(self.dim)
        self.n_samples = None if n_samples is None else int(n_samples)
        self.constants = constants if constants is not None else Constants()
        self._host_data = dict(data or {})
        self._device_data = {}

    @property
    def f_star(self) -> float | None:
        """Minimum value ``F*`` when known exactly, else ``None``."""
        return self.constants.f_star

    @property
    def stochastic(self) -> bool:
        """Whether the problem offers minibatch gradients."""
        return self.n_samples is not None

    def value(self, w):
        """Full objective for every run: ``w`` (k, d) -> (k,)."""
        self._check_iterate(w)
        return self._value(w, self._data_like(w))

    def grad(self, w, idx=None):
        """Full gradient, or the minibatch gradient on indices ``idx`` (k, B)."""
        self._check_iterate(w)
        if idx is None:
            return self._grad(w, self._data_like(w))
        self._check_indices(w, idx)
        return self._sample_grad(w, idx, self._data_like(w))

    def gradient_functions(self, like):
        """``(grad, sample_grad)``: :meth:`grad` without its per-call checks, for iterates
        of ``like``'s namespace, device and dtype.

        ``grad(w)`` is the full gradient and ``sample_grad(w, idx)`` the
        minibatch gradient, each on this problem's data converted once.  They
        are for a caller that has checked its iterates and indices itself, once
        (the run engine calls them on every step, where the checks of
        :meth:`grad` would cost as much as a small problem's arithmetic).

        Examples
        --------
        >>> import numpy as np, gsmooth as gs
        >>> p = gs.problems.quadratic([1.0, 3.0])
        >>> grad, _ = p.gradient_functions(np.ones((1, 2)))
        >>> bool((grad(np.ones((2, 2))) == p.grad(np.ones((2, 2)))).all())
        True
        """
        data, full, sample = self._data_like(like), self._grad, self._sample_grad
        return (lambda w: full(w, data)), (lambda w, idx: sample(w, idx, data))

    def value_and_grad(self, w):
        """Return ``(value(w), grad(w))``; subclasses may share work between the two."""
        return self.value(w), self.grad(w)

    def value_and_metric(self, w, metric):
        """Return ``(value(w), metric(w))`` for a callable ``metric`` (k, d) -> (k,); a
        subclass whose own metric shares work with its objective (DRO's ``psi``) shares it."""
        return self.value(w), metric(w)

    def hvp(self, w, v):
        """Hessian-vector products ``hess F(w_r) v_r`` for every run: (k, d), (k, d) -> (k, d).

        Exact for a problem with ``hvp_exact``; central differences of
        gradients otherwise (see :meth:`hvp_and_error` for their error).

        Examples
        --------
        >>> import numpy as np, gsmooth as gs
        >>> p = gs.problems.quadratic([1.0, 3.0])
        >>> p.hvp(np.ones((1, 2)), np.array([[1.0, 1.0]])).tolist()
        [[1.0, 3.0]]
        """
        self._check_iterate(w)
        self._check_direction(w, v)
        return self._hvp(w, v, self._data_like(w))

    def hvp_and_error(self, w, v):
        """``(hvp(w, v), error)``, ``error`` (k,) estimating ``||hvp - hess F v||`` per run.

        The error is zero where :attr:`hvp_exact`; for central differences it
        is the estimate of :func:`gsmooth.problems.curvature.central_difference_hvp`.
        """
        self._check_iterate(w)
        self._check_direction(w, v)
        if self.hvp_exact:
            hv = self._hvp(w, v, self._data_like(w))
            return hv, namespace(hv).zeros(hv.shape[0], dtype=hv.dtype)
        return central_difference_hvp(self.grad, w, v)

    def __repr__(self) -> str:
        samples = "" if self.n_samples is None else f", n_samples={self.n_samples}"
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim}{samples})"

    def _value(self, w, data):
        raise TypeError(f"{type(self).__name__} does not define its objective")

    def _grad(self, w, data):
        raise TypeError(f"{type(self).__name__} does not define its gradient")

    def _sample_grad(self, w, idx, data):
        raise TypeError(f"{type(self).__name__} does not define its minibatch gradient")

    def _hvp(self, w, v, data):
        return central_difference_hvp(self.grad, w, v, error=False)[0]

    def _check_iterate(self, w) -> None:
        shape = tuple(w.shape)
        if len(shape) != 2 or shape[1] != self.dim:
            raise ValueError(
                f"w must have shape (k, {self.dim}) for problem {self.name!r}, got {shape}"
            )

    def _check_direction(self, w, v) -> None:
        if tuple(v.shape) != tuple(w.shape):
            raise ValueError(
                f"v must have the shape of w, {tuple(w.shape)}, for problem {self.name!r}, "
                f"got {tuple(v.shape)}"
            )

    def _check_indices(self, w, idx) -> None:
        if not self.stochastic:
            raise ValueError(
                f"problem {self.name!r} is deterministic (n_samples is None) and has no "
                "minibatch gradients; wrap it with gs.problems.finite_sum(...) for stochastic methods"
            )
        shape = tuple(idx.shape)
        if len(shape) != 2 or shape[0] != w.shape[0] or shape[1] < 1:
            raise ValueError(
                f"idx must have shape (k, B) with k = {w.shape[0]} and B >= 1, got {shape}"
            )

    @staticmethod
    def _gather(data, idx, *names):
        """The samples ``idx`` (k, B) of each data array ``names``, shaped (k, B, ...).

        One flat gather per array: row ``i`` of the sample axis of ``data[name]``
        for every index, reshaped to the runs' batches.  On NumPy the rows land
        in a scratch array (:func:`gsmooth._backend.scratch`), since a fresh one
        of every step's minibatches can cost more in page faults than the gather.
        """
        xp = namespace(idx)
        k, batch = idx.shape
        flat = xp.reshape(idx, (-1,))
        return tuple(xp.reshape(take_into(data[name], flat, scratch(f"gather.{name}", (
            k * batch, *data[name].shape[1:]), data[name])), (k, batch, *data[name].shape[1:]))
                     for name in names)

    def _data_like(self, w) -> dict:
        """Data arrays in ``w``'s namespace, device and floating dtype (cached)."""
        device = getattr(w, "device", None)
        key = (type(w), repr(device), w.dtype)  # CuPy's Device is not hashable
        data = self._device_data.get(key)
        if data is None:
            xp = namespace(w)
            data = self._device_data[key] = {
                name: _convert(array, xp, device, w.dtype)
                for name, array in self._host_data.items()
            }
        return data


def check_start(start, d, default) -> np.ndarray:
    """A finite start point of shape (d,), or the constant ``default`` when ``start`` is None."""
    check_memory(f"d = {d}", d)
    if start is None:
        return np.full(d, default, dtype=np.float64)
    start = np.asarray(start, dtype=np.float64)
    if start.shape != (d,):
        raise ValueError(f"start must have shape ({d},), got {start.shape}")
    if not np.all(np.isfinite(start)):
        raise ValueError("start must be finite, got non-finite entries")
    return start


def _convert(array, xp, device, float_dtype):
    array = np.asarray(array)
    dtype = float_dtype if np.issubdtype(array.dtype, np.floating) else None
    if device is None:
        return xp.asarray(array, dtype=dtype)
    return xp.asarray(array, dtype=dtype, device=device)

