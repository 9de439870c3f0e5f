"""Exceptions and warnings of gsmooth."""


class GSmoothError(Exception):
    """A user-facing error that the command line reports in one line (exit code 2)."""


class GSmoothWarning(UserWarning):
    """A departure from a theorem's assumptions: the result is computed, but not covered."""
