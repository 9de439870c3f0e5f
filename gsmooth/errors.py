"""Exceptions and warnings of gsmooth.

Examples
--------
>>> def f(x):
...     return 1 / x
>>> try:
...     f(0)
... except ZeroDivisionError as error:
...     print(UserCodeError.from_exception(error, f, call=31, run=2))
your function f in <doctest gsmooth.errors[0]> line 2 raised ZeroDivisionError: division by zero (call 31, run 2)
>>> print(UserCodeError.from_output(f, "'hello'", "a real number", call=1))
your function f in <doctest gsmooth.errors[0]> returned 'hello' where a real number was expected (call 1)
"""

from __future__ import annotations

import os
import traceback


class GSmoothError(Exception):
    """A user-facing error that the command line reports in one line (exit code 2)."""


class UserCodeError(GSmoothError):
    """An exception raised (or a bad value returned) by the user's own code.

    The message says whose code it is, where (file and line) and what it
    raised, in one line: ``your function f in f.py line 3 raised
    ZeroDivisionError: division by zero (call 31, run 2)``.  The original
    exception is kept as ``__cause__``.
    """

    @classmethod
    def from_exception(cls, error: BaseException, source, *, call: int | None = None,
                       run: int | None = None, when: str = "") -> UserCodeError:
        """The error for ``error`` raised by ``source`` (a function, or the path of a file).

        Parameters
        ----------
        error : exception
            What the user's code raised.
        source : callable or str
            The user's function (its file is looked up in the traceback), or
            the path of the user's file (``"your file f.py"``).
        call, run : int, optional
            Which call of the function (1-based) and which run (row of the
            batch) it was; ``run=None`` for a call on a whole batch.
        when : str
            Extra context, e.g. ``"on import"``.
        """
        name, filename = describe_source(source)
        line = _line_in(error, filename)
        where = f" line {line}" if line is not None else ""
        reason = error.msg if isinstance(error, SyntaxError) else str(error)
        reason = reason.strip().splitlines()[0] if reason.strip() else ""
        detail = f"{type(error).__name__}: {reason}" if reason else type(error).__name__
        return cls(f"{name}{where} raised {detail}{_context(call, run, when)}")

    @classmethod
    def from_output(cls, source, got: str, expected: str, *, call: int | None = None,
                    run: int | None = None) -> UserCodeError:
        """The error for a value the user's function ``source`` returned that gsmooth cannot use.

        ``got`` and ``expected`` describe what it returned and what was expected:
        ``your function f in f.py returned 'hello' where a real number was expected (call 1)``.
        """
        name, _ = describe_source(source)
        return cls(f"{name} returned {got} where {expected} was expected{_context(call, run, '')}")


def describe_source(source) -> tuple[str, str | None]:
    """``("your function f in f.py", "f.py")`` for a function, ``("your file f.py", "f.py")``
    for a path; the file is ``None`` where Python does not know it."""
    if isinstance(source, (str, os.PathLike)):
        return f"your file {_shown(os.fspath(source))}", os.fspath(source)
    name = getattr(source, "__qualname__", None) or type(source).__name__
    code = getattr(source, "__code__", None) or getattr(
        getattr(source, "__call__", None), "__code__", None)
    filename = code.co_filename if code is not None else None
    return (f"your function {name}" + (f" in {_shown(filename)}" if filename else "")), filename


def _shown(filename: str) -> str:
    """``filename`` relative to the working folder when it lies inside it."""
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith("..") else relative


def _same_file(a: str, b: str) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def _line_in(error: BaseException, filename: str | None) -> int | None:
    """The line of ``filename`` where ``error`` arose: its innermost traceback frame in
    that file (a syntax error carries its own line); ``None`` if the file is unknown."""
    if filename is None:
        return None
    if isinstance(error, SyntaxError) and error.filename and _same_file(error.filename, filename):
        return error.lineno
    lines = [f.lineno for f in traceback.extract_tb(error.__traceback__)
             if _same_file(f.filename, filename)]
    return lines[-1] if lines else None


def _context(call, run, when) -> str:
    parts = [p for p in (when, None if call is None else f"call {call}",
                         None if run is None else f"run {run}") if p]
    return f" ({', '.join(parts)})" if parts else ""


class GSmoothWarning(UserWarning):
    """A departure from a theorem's assumptions: the result is computed, but not covered."""
