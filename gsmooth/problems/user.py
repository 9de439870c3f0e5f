r"""A user's own objective, given as a function returning ``(value, grad)``.

Two calling conventions are accepted:

* **batched**: ``value_and_grad(w)`` takes ``w`` of shape (k, d) in the
  iterate's namespace and returns values (k,) and gradients (k, d) in it;
  ``sample_grad(w, idx)`` takes indices (k, B) and returns (k, d).
* **single**: ``value_and_grad(x)`` takes one NumPy point (d,) and returns a
  scalar and a gradient (d,); ``sample_grad(x, idx)`` takes indices (B,).
  gsmooth moves the batch to the host, loops over the ``k`` runs and moves the
  results back to the iterate's namespace, device and dtype.

With ``batched=None`` the convention is detected once, at construction, by
calling the function on ``x0[None, :]``: values of shape (1,) and gradients
(1, d) mean batched; otherwise it is called on ``x0`` and must give shapes
() and (d,).  The problem is deterministic (``n_samples`` is ``None``) unless
both ``sample_grad`` and ``n_samples`` are given; ``sample_grad`` must then
return the minibatch mean ``(1/B) sum_{i in idx} grad f_i``.
"""

from __future__ import annotations

import numpy as np

from gsmooth._backend import namespace, to_device, to_host
from gsmooth._checks import positive_int
from gsmooth.problems.base import Constants, Problem


class UserProblem(Problem):
    """A problem built from user functions; see the module docstring.

    Attributes
    ----------
    batched : bool
        Whether the functions take a batch of runs.
    """

    def __init__(self, value_and_grad, x0, f_star, batched, name, sample_grad, n_samples):
        if not callable(value_and_grad):
            raise TypeError(f"value_and_grad must be callable, got {type(value_and_grad).__name__}")
        x0 = np.asarray(x0, dtype=np.float64)
        if x0.ndim != 1 or x0.size == 0:
            raise ValueError(f"x0 must be a non-empty 1-D array (d,), got shape {x0.shape}")
        if not np.all(np.isfinite(x0)):
            raise ValueError("x0 must be finite, got non-finite entries")
        if (sample_grad is None) != (n_samples is None):
            raise ValueError(
                "sample_grad and n_samples go together: give both for a finite sum or neither, "
                f"got sample_grad={sample_grad!r}, n_samples={n_samples!r}"
            )
        if n_samples is not None:
            n_samples = positive_int("n_samples", n_samples)
        if batched not in (None, True, False):
            raise ValueError(f"batched must be None, True or False, got {batched!r}")
        self._function, self._sample_function = value_and_grad, sample_grad
        self.batched = _detect_batched(value_and_grad, x0) if batched is None else batched
        constants = Constants(f_star=None if f_star is None else float(f_star))
        super().__init__(name, x0.size, x0, n_samples, constants)

    def value_and_grad(self, w):
        """The user's values (k,) and gradients (k, d), in ``w``'s namespace and dtype."""
        self._check_iterate(w)
        if self.batched:
            value, grad = self._function(w)
            return _checked(value, grad, w)
        rows = [_single_output(self._function(x), self.dim) for x in to_host(w)]
        values = np.array([value for value, _ in rows])
        grads = np.stack([grad for _, grad in rows])
        return _like(values, w), _like(grads, w)

    def _value(self, w, data):
        return self.value_and_grad(w)[0]

    def _grad(self, w, data):
        return self.value_and_grad(w)[1]

    def _sample_grad(self, w, idx, data):
        if self.batched:
            grad = self._sample_function(w, idx)
            if tuple(grad.shape) != tuple(w.shape):
                raise ValueError(
                    f"sample_grad must return shape {tuple(w.shape)}, got {tuple(grad.shape)}"
                )
            return grad
        host_idx = to_host(idx)
        grads = [
            np.asarray(self._sample_function(x, i), dtype=np.float64)
            for x, i in zip(to_host(w), host_idx)
        ]
        for grad in grads:
            if grad.shape != (self.dim,):
                raise ValueError(f"sample_grad must return shape ({self.dim},), got {grad.shape}")
        return _like(np.stack(grads), w)


def _like(host, w):
    return to_device(host, namespace(w), getattr(w, "device", None), dtype=w.dtype)


def _checked(value, grad, w):
    k, d = w.shape
    if tuple(value.shape) != (k,) or tuple(grad.shape) != (k, d):
        raise ValueError(
            f"a batched value_and_grad must return shapes ({k},) and ({k}, {d}), "
            f"got {tuple(value.shape)} and {tuple(grad.shape)}"
        )
    return value, grad


def _single_output(output, d):
    value, grad = (np.asarray(part, dtype=np.float64) for part in output)
    if value.shape != () or grad.shape != (d,):
        raise ValueError(
            f"value_and_grad on one point must return shapes () and ({d},), "
            f"got {value.shape} and {grad.shape}"
        )
    return float(value), grad


def _shapes(output):
    value, grad = output
    return tuple(np.shape(value)), tuple(np.shape(grad))


def _detect_batched(function, x0):
    """True if ``function`` maps (1, d) to (1,), (1, d); False if (d,) to (), (d,)."""
    d = x0.size
    try:
        got_batched = _shapes(function(x0[None, :]))
    except (TypeError, ValueError, IndexError) as error:
        got_batched = f"an error ({type(error).__name__}: {error})"
    if got_batched == ((1,), (1, d)):
        return True
    got_single = _shapes(function(x0))
    if got_single == ((), (d,)):
        return False
    raise ValueError(
        f"value_and_grad must return shapes (k,) and (k, {d}) on a batch (k, {d}) or "
        f"() and ({d},) on one point ({d},); on x0[None, :] it gave {got_batched}, "
        f"on x0 it gave {got_single}"
    )


def from_function(
    value_and_grad, x0, f_star=None, batched=None, name="user", sample_grad=None, n_samples=None
) -> UserProblem:
    """Wrap a user's ``value_and_grad`` as a problem; see :class:`UserProblem`.

    Parameters
    ----------
    value_and_grad : callable
        Returns ``(value, grad)``, batched or for one point (module docstring).
    x0 : array_like, shape (d,)
        Starting point; fixes the dimension ``d``.
    f_star : float, optional
        The minimum value, when known.
    batched : bool, optional
        The calling convention; detected from one call on ``x0`` when omitted.
    name : str
    sample_grad : callable, optional
        Minibatch gradient ``sample_grad(w, idx)``, in the same convention.
    n_samples : int, optional
        Number of component functions; required with ``sample_grad``.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.from_function(lambda x: (x @ x / 2, x), np.ones(3), f_star=0.0)
    >>> p.batched, p.dim, p.f_star
    (False, 3, 0.0)
    >>> p.value(np.array([[1.0, 2.0, 2.0]])).tolist()
    [4.5]
    """
    return UserProblem(value_and_grad, x0, f_star, batched, name, sample_grad, n_samples)
