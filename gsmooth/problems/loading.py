"""Problems named on the command line: a built-in name or ``path/to/file.py:name``.

In ``path/to/file.py:name``, ``name`` may be

* a :class:`~gsmooth.problems.base.Problem` object;
* a tuple ``(value_and_grad, x0)`` or ``(value_and_grad, x0, f_star)``;
* a ``value_and_grad`` function, with its start point given by the caller
  (``x0=``) or defined beside it as ``name_x0`` (and optionally ``name_f_star``).

Functions are wrapped with :func:`gsmooth.problems.from_function`.  A file
that does not compile or raises when imported is reported as the user's
(:class:`~gsmooth.errors.UserCodeError`: file, line, exception, in one line),
as are later exceptions of its functions (see :mod:`gsmooth.problems.user`).
"""

from __future__ import annotations

import importlib.util
import pathlib

from gsmooth.errors import UserCodeError
from gsmooth.problems.base import Problem
from gsmooth.problems.user import from_function, real_array


def load_problem(spec: str, *, built_in=(), x0=None, f_star=None) -> Problem:
    """Return the problem named by ``spec``.

    Parameters
    ----------
    spec : str
        One of ``built_in`` (a name in :mod:`gsmooth.problems`, built with its
        defaults) or ``path/to/file.py:name`` (see the module docstring).
    built_in : sequence of str
        The built-in names this caller accepts.
    x0 : array_like, optional
        Start point of a function named by ``spec``; overrides ``name_x0``.
    f_star : float, optional
        Known minimum of a function named by ``spec``; overrides ``name_f_star``.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    UserCodeError
        The file has a syntax error or raises when imported.
    ValueError
        Anything else: an unknown name, a missing object, a function without a
        start point, an object of the wrong type.
    """
    import gsmooth.problems as problems

    if spec in built_in:
        return getattr(problems, spec)()
    path, sep, name = spec.rpartition(":")
    if not sep or not path.endswith(".py") or not name:
        choices = ", ".join(built_in)
        raise ValueError(f"problem must be one of {choices} or path/to/file.py:name, got {spec!r}")
    module = _load_module(path)
    if not hasattr(module, name):
        public = sorted(k for k in vars(module) if not k.startswith("_"))
        raise ValueError(f"{path} has no object named {name!r}; it defines {public}")
    return _as_problem(module, path, name, getattr(module, name), x0, f_star)


def _load_module(path: str):
    file = pathlib.Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    spec = importlib.util.spec_from_file_location(f"gsmooth_user_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # sys.exit() too, as in the file's functions (UserFunction)
        raise UserCodeError.from_exception(error, path, when="on import") from error
    return module


def _as_problem(module, path, name, obj, x0, f_star):
    if isinstance(obj, Problem):
        return obj
    if isinstance(obj, tuple) and len(obj) in (2, 3) and callable(obj[0]):
        function, start, *minimum = obj
        minimum = [None if m is None else real_array(f"the f_star of {name} in {path}", m)
                   for m in minimum]
        return from_function(function, real_array(f"the x0 of {name} in {path}", start),
                             *minimum, name=name)
    if not callable(obj):
        raise ValueError(f"{name!r} must be a Problem, a (value_and_grad, x0[, f_star]) tuple or "
                         f"a function, got {type(obj).__name__}")
    if x0 is None:
        x0 = _defined_beside(module, path, f"{name}_x0")
    if x0 is None:
        raise ValueError(f"{name!r} is a function: give its start point (--x0 1,2) "
                         f"or define {name}_x0 beside it")
    if f_star is None:
        f_star = _defined_beside(module, path, f"{name}_f_star")
    return from_function(obj, x0, f_star=f_star, name=name)


def _defined_beside(module, path, variable):
    """The module's ``variable`` as real numbers (``None`` where it has none), naming the
    variable and the file where it holds something else."""
    value = getattr(module, variable, None)
    return None if value is None else real_array(f"{variable} in {path}", value)
