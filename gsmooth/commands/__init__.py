"""Sub-commands of the ``gsmooth`` command line.

Each module here defines ``register(subparsers)``, which adds one sub-command
whose parser sets ``func``: a callable taking the parsed arguments and
returning the exit code.  :mod:`gsmooth.cli` discovers the modules, so adding a
command is adding a file.
"""
