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

**The user's code is reported as such.**  gsmooth counts the calls of each
user function.  An exception it raises becomes a
:class:`~gsmooth.errors.UserCodeError` naming the function, its file and
line, the exception, the call and the run (the row of the batch; none for a
batched call): ``your function f in f.py line 3 raised ZeroDivisionError:
division by zero (call 31, run 2)``.  So does a ``sys.exit()`` in it (any
``BaseException`` but ``KeyboardInterrupt``, which stays an interruption).
A value or gradient that is not real (a string, a complex number) is such an
error too, and so is a non-finite one at the start point.  Later, a
non-finite output at a finite point ends that run (the engine marks it ``nonfinite`` and freezes it), so
whatever is computed from it covers only the calls before: the problem warns
(:class:`~gsmooth.errors.GSmoothWarning`, once per run, with the call) and
keeps ``nonfinite``, a dict from each such run to the first call.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from gsmooth._backend import namespace, to_device, to_host
from gsmooth._checks import positive_int
from gsmooth.errors import GSmoothWarning, UserCodeError, describe_source
from gsmooth.problems.base import Constants, Problem

SHAPE_ERRORS = (TypeError, ValueError, IndexError)
"""What a one-point function typically raises on a batch, when the convention is detected."""
REAL_KINDS = "biuf"
"""NumPy dtype kinds of real numbers (booleans and integers included); an object array
counts as real when its entries convert to floats."""
SHOWN_CHARACTERS = 40
"""How much of a bad value's ``repr`` an error message shows."""


class UserFunction:
    """A user's function that counts its calls and reports its exceptions as the user's.

    Parameters
    ----------
    function : callable
    nonfinite : dict, optional
        Where :meth:`watch` records ``{run: first call}`` of the runs whose
        output turned non-finite at a finite point (shared by a problem's functions).

    Examples
    --------
    >>> def f(x):
    ...     return 1 / x
    >>> g = UserFunction(f)
    >>> g(2), g.calls
    (0.5, 1)
    >>> g(0, run=3)
    Traceback (most recent call last):
    ...
    gsmooth.errors.UserCodeError: your function f in ... line 2 raised ZeroDivisionError: division by zero (call 2, run 3)
    """

    def __init__(self, function, nonfinite: dict | None = None):
        self.function = function
        self.calls = 0
        self.nonfinite = {} if nonfinite is None else nonfinite

    @property
    def name(self) -> str:
        """``your function f in f.py``."""
        return describe_source(self.function)[0]

    def __call__(self, *args, run=None):
        self.calls += 1
        try:
            return self.function(*args)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # sys.exit() too: it is the user's code that stopped
            raise UserCodeError.from_exception(error, self.function, call=self.calls,
                                               run=run) from error

    def watch_batch(self, w, value, grad) -> None:
        """:meth:`watch` the batched call just made (one device sync when all is finite)."""
        xp = namespace(w)
        finite = xp.all(xp.isfinite(grad), axis=-1)
        if value is not None:
            finite = finite & xp.isfinite(value)
        if not bool(xp.all(finite)):
            self.watch(to_host(w), [(self.calls, ok) for ok in to_host(finite)])

    def watch(self, points, finite) -> None:
        """Warn about the runs whose output (``finite[run] = (call, ok)``) turned non-finite
        at a finite point (``points[run]``), each run once; record them in :attr:`nonfinite`."""
        new = {run: call for run, ((call, ok), x) in enumerate(zip(finite, points))
               if not ok and run not in self.nonfinite and np.all(np.isfinite(x))}
        if not new:
            return
        self.nonfinite.update(new)
        (run, call), *others = new.items()
        more = ""
        if others:
            runs = ", ".join(str(r) for r, _ in others[:5]) + (", ..." if len(others) > 5 else "")
            calls = {c for _, c in others}
            when = "in the same call" if calls == {call} else f"at calls {min(calls)}-{max(calls)}"
            more = f" (and runs {runs} {when})"
        warnings.warn(
            f"{self.name} returned a non-finite value at a finite point at call {call} "
            f"(run {run}){more}: such a run stops there (status nonfinite), and whatever is "
            "estimated or fitted from it covers only the steps before", GSmoothWarning,
            stacklevel=4)



class UserProblem(Problem):
    """A problem built from user functions; see the module docstring.

    Attributes
    ----------
    batched : bool
        Whether the functions take a batch of runs.

    Examples
    --------
    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.from_function(lambda w: ((w * w).sum(-1) / 2, w), np.ones(2))
    >>> p.batched, p.value(np.array([[3.0, 4.0]])).tolist()
    (True, [12.5])
    """

    def __init__(self, value_and_grad, x0, f_star, batched, name, sample_grad, n_samples):
        if not callable(value_and_grad):
            raise TypeError(f"value_and_grad must be callable, got {type(value_and_grad).__name__}")
        x0 = real_array("x0", x0)
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
        self.nonfinite: dict[int, int] = {}
        self._function = UserFunction(value_and_grad, self.nonfinite)
        self._sample_function = None if sample_grad is None else UserFunction(sample_grad,
                                                                              self.nonfinite)
        self.batched = _detect_batched(self._function, x0) if batched is None else batched
        f_star = None if f_star is None else float(real_array("f_star", f_star))
        constants = Constants(f_star=f_star)
        super().__init__(name, x0.size, x0, n_samples, constants)

    def value_and_grad(self, w):
        """The user's values (k,) and gradients (k, d), in ``w``'s namespace and dtype."""
        self._check_iterate(w)
        if self.batched:
            value, grad = _checked(*self._function(w), w)
            self._function.watch_batch(w, value, grad)
            return value, grad
        rows, finite, points = [], [], to_host(w)
        for run, x in enumerate(points):
            value, grad = _single_output(self._function, self._function(x, run=run), self.dim,
                                         run)
            finite.append((self._function.calls, math.isfinite(value) and np.all(np.isfinite(grad))))
            rows.append((value, grad))
        self._function.watch(points, finite)
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
            self._sample_function.watch_batch(w, None, grad)
            return grad
        host_idx = to_host(idx)
        grads, finite, points = [], [], to_host(w)
        for run, (x, i) in enumerate(zip(points, host_idx)):
            grad = np.asarray(self._sample_function(x, i, run=run), dtype=np.float64)
            if grad.shape != (self.dim,):
                raise ValueError(f"sample_grad must return shape ({self.dim},), got {grad.shape}")
            finite.append((self._sample_function.calls, np.all(np.isfinite(grad))))
            grads.append(grad)
        self._sample_function.watch(points, finite)
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


def _single_output(function, output, d, run=None):
    """The value (a float) and gradient (d,) of ``function``'s ``output`` on one point, or
    the error naming what it returned instead: not a pair, not real numbers, wrong shapes."""
    try:
        value, grad = output
    except (TypeError, ValueError):
        raise ValueError(f"value_and_grad must return a pair (value, grad), got "
                         f"{type(output).__name__}") from None
    value, grad = _real_output(function, (value, grad), f"a pair (value, grad) of a real number and "
                                  f"an array of shape ({d},)", run)
    if value.shape != () or grad.shape != (d,):
        raise ValueError(
            f"value_and_grad on one point must return shapes () and ({d},), "
            f"got {value.shape} and {grad.shape}"
        )
    return float(value), grad


def _real_output(function, output, expected, run=None):
    """The pair ``output`` as float64 arrays; a :class:`UserCodeError` saying what
    ``function`` returned and what was ``expected`` where either part is not real."""
    parts = tuple(_real(part) for part in output)
    if any(part is None for part in parts):
        got = f"({', '.join(_shown(part) for part in output)})"
        raise UserCodeError.from_output(function.function, got, expected, call=function.calls,
                                        run=run)
    return parts


def real_array(label: str, value) -> np.ndarray:
    """``value`` as a float64 NumPy array; a ``ValueError`` naming ``label`` (``"x0"``,
    ``"f_x0 in f.py"``) where it holds anything but real numbers (a string, a complex number).

    Examples
    --------
    >>> real_array("x0", [1, 2]).tolist()
    [1.0, 2.0]
    >>> real_array("x0", "abc")
    Traceback (most recent call last):
    ...
    ValueError: x0 must be real numbers, got 'abc'
    """
    array = _real(value)
    if array is None:
        raise ValueError(f"{label} must be real numbers, got {_shown(value)}")
    return array


def _real(part):
    """``part`` as a float64 NumPy array, or ``None`` where it does not hold real numbers."""
    try:
        array = np.asarray(part)
        if array.dtype.kind not in REAL_KINDS + "O":
            return None
        return array.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        return None


def _shown(part) -> str:
    """``part`` in a message: an array by dtype and shape, anything else by its ``repr``."""
    if hasattr(part, "shape") and hasattr(part, "dtype"):
        return f"a {part.dtype} array of shape {tuple(part.shape)}"
    shown = repr(part)
    return shown if len(shown) <= SHOWN_CHARACTERS else f"{shown[:SHOWN_CHARACTERS]}..."


def _shapes(output):
    try:
        value, grad = output
    except (TypeError, ValueError):
        return f"a {type(output).__name__}, not a pair (value, grad)"
    return tuple(np.shape(value)), tuple(np.shape(grad))


def _finite(output) -> bool:
    return all(np.all(np.isfinite(np.asarray(part, dtype=np.float64))) for part in output)


def _detect_batched(function, x0):
    """True if ``function`` maps (1, d) to (1,), (1, d); False if (d,) to (), (d,).

    Its output at ``x0`` must be finite: nothing can start from there otherwise.
    """
    d = x0.size
    try:
        output = function(x0[None, :])
        got_batched = _shapes(output)
    except UserCodeError as error:
        if not isinstance(error.__cause__, SHAPE_ERRORS):
            raise
        got_batched = f"an error ({type(error.__cause__).__name__}: {error.__cause__})"
    if got_batched == ((1,), (1, d)):
        _real_output(function, output, f"a pair (values, grads) of real arrays of shapes (1,) "
                     f"and (1, {d})")
        return _finite_at_start(function, output, True)
    output = function(x0)
    got_single = _shapes(output)
    if got_single == ((), (d,)):
        _single_output(function, output, d)
        return _finite_at_start(function, output, False)
    raise ValueError(
        f"value_and_grad must return shapes (k,) and (k, {d}) on a batch (k, {d}) or "
        f"() and ({d},) on one point ({d},); on x0[None, :] it gave {got_batched}, "
        f"on x0 it gave {got_single}"
    )


def _finite_at_start(function, output, batched: bool) -> bool:
    if not _finite(output):
        raise UserCodeError(f"{function.name} returned a non-finite value or gradient at the "
                            f"start point x0 (call {function.calls}); gsmooth needs finite "
                            "ones there")
    return batched


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
