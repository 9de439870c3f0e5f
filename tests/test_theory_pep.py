"""PEPit's worst case of GD under PL beside the derived and published contractions (extra gsmooth[pep])."""

import pytest

from gsmooth.theory import pep as pep_module
from gsmooth.theory import pl_worst_case


def test_missing_extra_is_a_clear_import_error(monkeypatch):
    monkeypatch.setattr(pep_module, "pep_available", lambda: False)
    with pytest.raises(ImportError, match=r"pip install 'gsmooth\[pep\]'"):
        pl_worst_case(1, 0.2, 1, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [((1, 2, 1, 1), "mu must be <= L"), ((1, 0.2, 2, 1), "gamma must be < 2/L = 2, got 2"),
     ((1, 0.2, 1, 0), "steps must be a positive integer, got 0"), ((-1, 0.2, 1, 1), "L must be positive")],
)
def test_bad_constants_are_refused_before_any_solve(args, message):
    with pytest.raises(ValueError, match=message):
        pl_worst_case(*args)


@pytest.mark.parametrize(("steps", "pep_value"), [(1, 0.683267), (2, 0.466832)])
def test_derived_bound_is_never_below_pepit_on_l1_mu02_step1(steps, pep_value):
    pytest.importorskip("PEPit")
    case = pl_worst_case(L=1, mu=0.2, gamma=1, steps=steps)
    assert case.pep == pytest.approx(pep_value, abs=2e-4)     # PEPit's documented 1-step value: 0.683267
    assert case.quadratic == pytest.approx(0.8 ** (2 * steps))
    assert case.quadratic <= case.pep                          # a real function cannot beat the certificate
    assert case.derived == pytest.approx(0.8**steps) and case.derived >= case.pep
    assert case.karimi == pytest.approx(0.8**steps) and case.tight == pytest.approx((8 / 11) ** steps)
    assert case.tight >= case.pep
    assert case.looseness["derived"] == pytest.approx(case.derived / case.pep)
    assert case.looseness["derived"] > 1
    assert "x PEPit" in case.summary() and case.as_dict()["looseness"]["tight"] > 1


def test_a_wrong_contraction_is_caught():
    pytest.importorskip("PEPit")
    case = pl_worst_case(L=1, mu=0.2, gamma=1, steps=1)
    claimed = 1 - 2 * 0.2                        # a rate twice as fast as the derivation: false
    assert claimed < case.quadratic <= case.pep  # the quadratic 0.2 x^2/2 already refutes it


def test_bounds_that_do_not_hold_at_the_step_are_left_out():
    pytest.importorskip("PEPit")
    case = pl_worst_case(L=1, mu=0.2, gamma=1.5, steps=1)
    assert case.derived is None and case.karimi is None and case.tight >= case.pep >= case.quadratic
    assert "n/a at this step size" in case.summary()
