"""The closed-form solutions of the worst-case recurrence dominate its iterates."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gsmooth.theory.exact import DELTA0, EPS, T
from gsmooth.theory.recurrence import decay_law, first_phase, hitting_time, iterate

S = sp.Symbol("s", positive=True)
C = sp.Symbol("c", positive=True)
Q_OF = {"sublinear": 1 + S, "linear": sp.Integer(1), "two-phase": 1 - S}
STEPS = 200


def _numeric(expr):
    return sp.lambdify((S, C, DELTA0, T), expr, modules="numpy")


LAWS = {name: _numeric(decay_law(q, C)) for name, q in Q_OF.items()}
TIMES = {name: sp.lambdify((S, C, DELTA0, EPS), hitting_time(q, C), modules="numpy") for name, q in Q_OF.items()}

constants = st.fixed_dictionaries(
    {
        "s": st.floats(0.05, 0.95),
        "c": st.floats(1e-3, 0.9),
        "delta0": st.floats(1e-2, 10.0),
    }
)


@pytest.mark.parametrize("regime", list(Q_OF))
@settings(max_examples=40, deadline=None)
@given(values=constants)
def test_iterates_never_exceed_closed_form(regime, values):
    s, c, delta0 = values["s"], values["c"], values["delta0"]
    q = float(Q_OF[regime].subs(S, s))
    gaps = iterate(delta0, c, q, STEPS)
    with np.errstate(invalid="ignore"):
        bound = LAWS[regime](s, c, delta0, np.arange(STEPS + 1, dtype=float))
    assert np.all(gaps <= bound * (1 + 1e-9) + 1e-300)


@pytest.mark.parametrize("regime", list(Q_OF))
@settings(max_examples=25, deadline=None)
@given(values=constants.filter(lambda v: v["c"] >= 0.02), fraction=st.floats(0.01, 0.9))
def test_hitting_time_reaches_the_level(regime, values, fraction):
    s, c, delta0 = values["s"], values["c"], values["delta0"]
    q = float(Q_OF[regime].subs(S, s))
    level = fraction * delta0
    steps = int(np.ceil(TIMES[regime](s, c, delta0, level)))
    assert iterate(delta0, c, q, steps)[-1] <= level * (1 + 1e-9)


def test_hitting_time_has_a_log_exactly_at_q_equal_one():
    assert sp.simplify(hitting_time(sp.Integer(1), C) - sp.log(DELTA0 / EPS) / C) == 0
    assert not hitting_time(sp.Rational(3, 2), C).has(sp.log)


def test_two_phase_law_is_zero_after_the_first_phase():
    q = sp.Rational(1, 2)
    phase = first_phase(q, C)
    assert sp.simplify(phase - 2 * sp.sqrt(DELTA0) / C) == 0
    assert decay_law(q, C).subs(T, phase + 1) == 0


def test_linear_law_is_the_geometric_sequence():
    assert sp.simplify(decay_law(sp.Integer(1), C) - DELTA0 * (1 - C) ** T) == 0


def test_sublinear_law_tends_to_the_ode_solution_at_q_one():
    law = decay_law(1 + S, C)
    assert sp.simplify(sp.limit(law, S, 0) - DELTA0 * sp.exp(-C * T)) == 0
