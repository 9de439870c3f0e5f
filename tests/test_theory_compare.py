"""compare(): rows per applicable entry and the derived bound, orders that differ, targets, intervals."""

import json
import math

import numpy as np
import pytest

from gsmooth.theory import an_gd_bound, compare
from gsmooth.theory.catalog import entry
from gsmooth.theory.compare import DERIVED_KEY

PL_CASE = {"L0": 1, "L1": 0, "rho": 2, "mu": "1/2", "alpha": 0, "beta": 0, "Delta0": 1}
EPS_GRID = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]


def _slope(row) -> float:
    values = np.asarray(row.values, dtype=float)
    return float(np.polyfit(np.log(1 / np.asarray(EPS_GRID)), np.log(values), 1)[0])


def test_published_orders_differ_as_their_papers_say():
    table = compare({**PL_CASE, "tau2": 1}, EPS_GRID)
    slopes = {key: _slope(table.row(key)) for key in (
        "karimi2016-gd-pl", "abbaszadehpeivasti2023-gd-pl", DERIVED_KEY, "chen2023-beta-gd", "li2023-gd",
        "chen2023-spider", "li2023-sgd", "koloskova2023-clipped-sgd")}
    assert max(slopes[key] for key in ("karimi2016-gd-pl", "abbaszadehpeivasti2023-gd-pl", DERIVED_KEY)) < 0.2
    assert slopes["chen2023-beta-gd"] == pytest.approx(2) and slopes["li2023-gd"] == pytest.approx(2)
    stochastic = ("chen2023-spider", "li2023-sgd", "koloskova2023-clipped-sgd")
    assert [round(slopes[key]) for key in stochastic] == [3, 4, 5]
    last = {key: table.row(key).values[-1] for key in slopes}
    assert last["chen2023-beta-gd"] / last["karimi2016-gd-pl"] > 1e9               # orders of magnitude apart
    assert table.best(column=4).key == "abbaszadehpeivasti2023-gd-pl"


def test_derived_row_equals_the_derivation_and_bounds_karimi_from_above():
    table = compare(PL_CASE, EPS_GRID, methods=["GD"])
    derived = an_gd_bound(2, 0, alpha=0, L0=1, L1=0, mu="1/2")
    expected = [derived.iterations_value(e, Delta0=1) for e in EPS_GRID]
    assert table.row(DERIVED_KEY).values == pytest.approx(expected)
    assert table.row(DERIVED_KEY).stepsize == pytest.approx([1.0] * 5)
    karimi, tight = table.row("karimi2016-gd-pl"), table.row("abbaszadehpeivasti2023-gd-pl")
    assert all(d >= k >= t for d, k, t in zip(table.row(DERIVED_KEY).values, karimi.values, tight.values))
    assert "chen2023-beta-gd" not in {row.key for row in table.rows}


def test_issue_example_rows_assumptions_and_steps():
    table = compare({"L0": 1, "L1": 10, "rho": 1, "mu": 0.5, "Delta0": 5}, 1e-3)
    assert any("alpha = 1" in note for note in table.notes)
    derived = table.row(DERIVED_KEY)
    bound = an_gd_bound(1, 1, 1, L0=1, L1=10, mu="1/2")
    assert derived.applies and derived.values[0] == pytest.approx(bound.iterations_value(1e-3, Delta0=5))
    assert derived.stepsize[0] == pytest.approx(bound.stepsize_value(1e-3))
    assert table.row("karimi2016-gd-pl").applies is False and table.row("karimi2016-gd-pl").values == (None,)
    boundary = table.row("yang2025-an-gd-11")
    assert boundary.applies and boundary.values[0] == pytest.approx(1000 * math.log(5000))
    assert table.row("yang2025-ian-sgd-19").basis == "n/a: needs tau2"
    assert table.row("zhang2020why-clipped-gd").basis == "not evaluable: statement not read"
    text = str(table)
    assert "T(eps=0.001)" in text and "Abbaszadehpeivasti et al. 2023" in text
    json.dumps(table.as_dict())


def test_beta_range_ends_and_beta_below_alpha():
    constants = {"L0": 1, "L1": 1, "rho": 1, "mu": 1, "alpha": "1/2", "Delta0": 1}
    table = compare(constants, 1e-2, methods=["AN-GD"])
    labels = [row.label for row in table.rows if row.key == DERIVED_KEY]
    assert labels == ["AN-GD derived (gsmooth), beta = 1/2", "AN-GD derived (gsmooth), beta = 1"]
    low = compare({"L0": 1, "L1": 1, "rho": 1, "mu": 1, "alpha": "1/2", "beta": "1/3", "Delta0": 1}, 1e-2)
    assert low.row(DERIVED_KEY).applies is False and low.row(DERIVED_KEY).values == (None,)
    assert compare({"rho": 1, "beta": 1}, 1e-2).row(DERIVED_KEY).basis == "n/a: needs mu, L0, L1, Delta0"


def test_gap_target_converts_gradient_bounds_through_pl():
    constants = {"L0": 1, "L1": 1, "rho": 1, "mu": 2, "alpha": 1, "beta": 1, "Delta0": 1}
    own = compare(constants, 1e-3, methods=["AN-GD"])
    gap = compare(constants, 1e-3, methods=["AN-GD"], target="gap")
    assert own.row("chen2023-beta-gd").values[0] == pytest.approx(1e6)
    at_pl = (2 * 2 * 1e-3) ** -2                                          # at (2 mu eps)^(1/rho)
    assert gap.row("chen2023-beta-gd").values[0] == pytest.approx(at_pl)
    assert "via PL" in gap.row("chen2023-beta-gd").reason
    assert gap.row(DERIVED_KEY).values == own.row(DERIVED_KEY).values                    # already a gap bound
    with pytest.raises(ValueError, match="target must be one of"):
        compare(constants, 1e-3, target="grad")


def test_interval_constants_give_a_band_around_the_point():
    table = compare({**PL_CASE, "L0": (1, 2), "mu": ("1/4", "1/2")}, [1e-2, 1e-4], methods=["GD"],
                    point={"L0": 1, "mu": "1/2"})
    for key in ("karimi2016-gd-pl", DERIVED_KEY):
        row = table.row(key)
        assert all(lo <= value <= hi for lo, value, hi in zip(row.low, row.values, row.high))
    worst = an_gd_bound(2, 0, alpha=0, L0=2, L1=0, mu="1/4").iterations_value(1e-2, Delta0=1)
    assert table.row(DERIVED_KEY).high[0] == pytest.approx(worst)
    assert table.constants["L0"] == "[1, 2]"
    assert compare(PL_CASE, 1e-2).row(DERIVED_KEY).low is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"constants": {"nu": 1}, "eps": 0.1}, "unknown constant 'nu'"),
        ({"constants": {"L0": 1}, "eps": 0.1, "methods": ["Adam"]}, "unknown method 'Adam'"),
        ({"constants": {"L0": 1}, "eps": []}, "eps must be a positive number or a non-empty list"),
        ({"constants": {"L0": 1}, "eps": -1}, "eps must be > 0"),
        ({"constants": {"beta": (0, 1)}, "eps": 0.1}, "beta is the method's normalization"),
        ({"constants": {"L0": (2, 1)}, "eps": 0.1}, "L0 interval must have low <= high"),
        ({"constants": {"L0": "x"}, "eps": 0.1}, "L0 must be a number such as 2/3"),
    ],
)
def test_bad_input_is_refused_naming_it(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compare(**kwargs)


def test_snapped_inputs_are_said_in_the_notes():
    table = compare({**PL_CASE, "mu": "0.3333"}, 1e-2, methods=["GD"])
    assert any("mu = 0.3333 read as 1/3" in note for note in table.notes)
    assert table.constants["mu"] == "1/3"
    exact_table = compare({**PL_CASE, "mu": "0.3333"}, 1e-2, methods=["GD"], snap=False)
    assert exact_table.constants["mu"] == "3333/10000"


def test_convexity_flag_reaches_the_convex_entries():
    assert compare({"L0": 1}, 0.1, methods=["clipped GD"]).row("gorbunov2024-convex").applies is None
    assert compare({"L0": 1, "convex": True}, 0.1, methods=["clipped GD"]).row("gorbunov2024-convex").applies


def test_gd_methods_are_added_for_an_gd_with_beta_zero():
    keys = {row.key for row in compare(PL_CASE, 1e-2, methods=["AN-GD"]).rows}
    assert {"karimi2016-gd-pl", "chen2023-beta-gd", DERIVED_KEY} <= keys
    assert entry("karimi2016-gd-pl").methods == ("GD",)


def test_a_string_eps_is_one_accuracy_read_exactly():
    """Was: '1/100' split into its characters."""
    assert compare(PL_CASE, "1/100", methods=["GD"]).eps == (0.01,)
    assert compare(PL_CASE, ["1/100", "1e-3"], methods=["GD"]).eps == (0.01, 0.001)


def test_best_skips_an_entry_whose_value_is_outside_its_range():
    """mu > L0 makes Karimi's log(1 - mu/L0) complex (NaN): best() must not pick it."""
    table = compare({**PL_CASE, "mu": 2}, [1e-2], methods=["GD"])
    assert math.isnan(table.row("karimi2016-gd-pl").values[0])
    assert table.best().key != "karimi2016-gd-pl" and math.isfinite(table.best().values[0])


def test_estimated_float_constants_are_evaluated_with_their_intervals():
    """Floats from an estimator (2^52-sized denominators) once took minutes in SymPy's exact powers."""
    constants = {"rho": (1.71, 1.7234567), "mu": (0.3456, 0.41), "alpha": (0.7, 0.8123456),
                 "L0": (3.2345, 3.6), "L1": (1.234567, 1.5), "beta": "1", "Delta0": 2.0}
    point = {"rho": 1.7123, "mu": 0.36, "alpha": 0.75, "L0": 3.3, "L1": 1.3}
    row = compare(constants, [1e-2, 1e-3], ["AN-GD"], target="gap", point=point).row(DERIVED_KEY)
    assert all(lo <= value <= hi for lo, value, hi in zip(row.low, row.values, row.high))
    assert row.values[1] > row.values[0] > 1
