"""The rate-comparison figure: data from saved dicts, what is drawn and what is counted as left out."""

import json

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.plots.rate_comparison import observed_t, rate_comparison, rate_comparison_data
from gsmooth.theory import compare

EPS = [1e-2, 1e-4, 1e-6]
QUADRATIC = {"L0": 4, "L1": 0, "rho": 2, "mu": 1, "alpha": 0, "beta": 0, "Delta0": 1}


def _table(**kwargs):
    return compare({**QUADRATIC, **kwargs}, EPS, methods=["GD"], target="gap")


def test_lines_styles_and_left_out_counts_follow_the_table():
    table = _table()
    data = rate_comparison_data(json.loads(json.dumps(table.as_dict())))      # through JSON: saved results
    assert [line.style for line in data.lines] == ["derived", "explicit", "explicit", "order"]
    assert data.lines[0].values.tolist() == pytest.approx(list(table.row("gsmooth-derived-an-gd").values))
    not_read = sum(row.basis.startswith("not evaluable") for row in table.rows)
    assert data.left_out == {"whose statement could not be read": not_read} and not_read == 3
    outside = rate_comparison_data(compare({**QUADRATIC, "L1": 1}, EPS, methods=["GD"]))
    assert outside.left_out["outside its assumptions"] == 2                 # Karimi, Abbaszadehpeivasti


def test_observed_band_over_runs_leaves_out_unreached_eps():
    obs = observed_t({"eps": EPS, "T": [[10, 12, 14], [20, 22, 90], [30, -1, 34]], "steps": 100})
    assert obs.eps.tolist() == EPS[:2] and obs.median.tolist() == [12, 22] and obs.n_runs == 3
    assert obs.low[0] == pytest.approx(10.4) and obs.high[1] == pytest.approx(76.4)
    assert (obs.unreached, obs.steps) == (1, 100)
    single = observed_t({"eps": EPS, "T": [5, 9, 13]})
    assert single.n_runs == 1 and single.median.tolist() == single.low.tolist() == [5, 9, 13]
    with pytest.raises(ValueError, match="sweep T must have one row per eps"):
        observed_t({"eps": EPS, "T": [1, 2]})


def test_interval_constants_become_a_band():
    table = compare({**QUADRATIC, "L0": (3, 5)}, EPS, methods=["GD"], target="gap", point={"L0": 4})
    derived = rate_comparison_data(table).lines[0]
    assert np.all(derived.low <= derived.values) and np.all(derived.values <= derived.high)
    assert np.all(derived.low < derived.high)


def test_figure_from_an_eps_sweep_dict(tmp_path):
    problem = gs.problems.quadratic([1.0, 4.0])
    sweep = gs.rates.eps_sweep(problem, beta=0, eps_grid=EPS)
    table = compare({**QUADRATIC, "Delta0": sweep.delta0}, EPS, methods=["GD"], target="gap")
    path = tmp_path / "rate.png"
    ax = rate_comparison(table, sweep.as_dict(), title="quadratic", path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    labels = [" ".join(text.get_text().split()) for text in ax.figure.legends[0].get_texts()]
    assert labels[0] == r"AN-GD derived (gsmooth), $\beta = 0$ (GD)"
    assert any(label.startswith("observed (1 run)") for label in labels)
    assert any(label.startswith("not drawn: 3 entries whose statement could not be read") for label in labels)
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.xaxis_inverted()
    derived = np.asarray(table.row("gsmooth-derived-an-gd").values)
    assert np.all(sweep.T <= derived)                                      # the derived bound holds here
