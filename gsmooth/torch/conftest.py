"""Leave the torch modules out of doctest collection where torch is not installed."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("torch") else [
    "batches.py", "optimizers.py", "probe.py"
]
