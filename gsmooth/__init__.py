"""gsmooth: generalized-smooth optimization, from theory to checked experiments.

The numerics (problems, optimizers, the batched run engine) load with the
package; the heavier layers (``theory`` with SymPy, ``estimate``, ``rates``,
``plots``, jobs) load on first use, so ``import gsmooth`` stays light.

Examples
--------
>>> import gsmooth as gs
>>> res = gs.run(gs.problems.power(d=4, p=4), gs.optim.gd(lr=0.1), steps=50, seeds=2)
>>> res.loss.shape[1], bool(res.loss[-1, 0] < res.loss[0, 0])
(2, True)
"""

import importlib

from gsmooth import optim, problems
from gsmooth.engine import RunResult, run, run_many
from gsmooth.errors import GSmoothError, GSmoothWarning

__version__ = "0.1.0"

_LAZY = ("theory", "estimate", "rates", "plots", "sweep")
_LAZY_FUNCTIONS = {"verify": "gsmooth.verification", "reproduce": "gsmooth.reproduction",
                   "load": "gsmooth.results"}

__all__ = ["GSmoothError", "GSmoothWarning", "RunResult", "optim", "problems", "run", "run_many"]


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"gsmooth.{name}")
    if name in _LAZY_FUNCTIONS:
        return getattr(importlib.import_module(_LAZY_FUNCTIONS[name]), name)
    raise AttributeError(f"module 'gsmooth' has no attribute {name!r}")
