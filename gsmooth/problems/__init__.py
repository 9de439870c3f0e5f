"""Objectives with batched values, full gradients and minibatch gradients.

See :class:`gsmooth.problems.base.Problem` for the interface every problem
implements.
"""

from gsmooth.problems.analytic import (
    Cosh,
    FiniteSum,
    LeastSquares,
    Power,
    Quadratic,
    cosh,
    finite_sum,
    least_squares,
    power,
    quadratic,
)
from gsmooth.problems.base import Constants, Problem
from gsmooth.problems.dro import DRO, dro
from gsmooth.problems.exponential import Exponential, exponential
from gsmooth.problems.mlp import MLP, mlp
from gsmooth.problems.phase_retrieval import PhaseRetrieval, phase_retrieval
from gsmooth.problems.user import UserProblem, from_function

__all__ = [
    "DRO",
    "MLP",
    "Constants",
    "Cosh",
    "Exponential",
    "FiniteSum",
    "LeastSquares",
    "PhaseRetrieval",
    "Power",
    "Problem",
    "Quadratic",
    "UserProblem",
    "cosh",
    "dro",
    "exponential",
    "finite_sum",
    "from_function",
    "least_squares",
    "mlp",
    "phase_retrieval",
    "power",
    "quadratic",
]
