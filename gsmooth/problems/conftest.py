"""Doctests of gsmooth.problems: the numba kernels' module is left out where numba is not installed."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("numba") else ["_phase_retrieval_numba.py"]
