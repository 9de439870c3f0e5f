"""Doctests of gsmooth.torch: left out where torch is not installed, on one thread where it is."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("torch") else ["*.py"]

if not collect_ignore_glob:
    import torch

    torch.set_num_threads(1)
