"""Fits of external pairs: per block, intervals over runs, copies, gaps in logs, the CSV reader
and ``gsmooth estimate --pairs``."""

import json

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.cli import main


def layer_log(rng, runs=4, n=30):
    """Two layers: ``fc1`` under ``1 + 2 g``, ``fc2`` under ``3 g^0.5``, per run one trajectory."""
    g = np.concatenate([np.geomspace(0.01, 10, n) * rng.uniform(0.8, 1.25) for _ in range(runs)])
    run = np.repeat(np.arange(runs), n)
    fc1 = (1 + 2 * g) * rng.uniform(0.6, 1.0, g.size)
    fc2 = 3 * g**0.5 * rng.uniform(0.6, 1.0, g.size)
    return {"grad_norm": np.concatenate([g, g]), "smoothness": np.concatenate([fc1, fc2]),
            "run": np.concatenate([run, run]), "block": ["fc1"] * g.size + ["fc2"] * g.size}


def test_each_block_is_fitted_apart_with_intervals_over_runs(rng):
    log = layer_log(rng)
    fits = gs.estimate.smoothness_from_pairs(**log, n_resamples=999)
    assert list(fits) == ["fc1", "fc2"]
    fc1, fc2 = fits["fc1"], fits["fc2"]
    assert fc1.alpha == pytest.approx(1.0, abs=0.1) and fc2.alpha == pytest.approx(0.5, abs=0.1)
    for est in fits.values():
        assert est.intervals is not None and est.data.runs.size == 4
        assert est.distinct_resamples == 35 and est.covered == 1.0
        assert [row["fit"] for row in est.fits] == ["envelope", "quantile", "asymmetric"]
        g, r = est.data.g, est.data.r
        alone = gs.estimate.fit_envelope(g, r)
        assert (est.L0, est.L1, est.alpha) == (alone.L0, alone.L1, alone.alpha)


def test_one_block_without_runs_is_one_estimate_without_interval(rng):
    g = np.geomspace(0.1, 10, 40)
    est = gs.estimate.smoothness_from_pairs(g, (2 + g) * rng.uniform(0.5, 1, 40))
    assert isinstance(est, gs.estimate.SmoothnessEstimate) and est.intervals is None
    assert est.data.source == "pairs"


def test_gaps_in_a_log_are_left_out_with_a_note_and_copies_flagged(rng):
    g = np.tile(np.geomspace(0.1, 10, 20), 3)
    r = np.tile(1 + np.geomspace(0.1, 10, 20), 3)
    r[5] = np.nan
    est = gs.estimate.smoothness_from_pairs(g, r, run=np.repeat(["a", "b", "c"], 20),
                                            n_resamples=9)
    assert any("1 pair(s) with a non-finite value" in n for n in est.notes)
    assert any("identical runs (runs 2 copy run 1)" in n for n in est.notes)


def test_chosen_fit_and_its_level(rng):
    g = np.geomspace(0.1, 10, 50)
    r = (1 + 2 * g) * rng.uniform(0.5, 1, 50)
    asym = gs.estimate.smoothness_from_pairs(g, r, fit="asymmetric", weight=4.0, n_resamples=9)
    assert asym.fit == "asymmetric" and asym.alpha == 1.0 and asym.covered < 1
    assert asym.fits[2]["L0"] == pytest.approx(asym.L0)
    q = gs.estimate.smoothness_from_pairs(g, r, fit="quantile", n_resamples=9)
    assert q.fits[1]["level"] == 0.95 and 0.9 <= q.covered < 1


def test_an_envelope_below_level_one_carries_its_level(rng):
    """With quantile < 1 the envelope fit is the quantile envelope at that level: it leaves
    pairs above it, and its row says at which level."""
    g = np.geomspace(0.1, 10, 50)
    r = (1 + 2 * g) * rng.uniform(0.5, 1, 50)
    est = gs.estimate.smoothness_from_pairs(g, r, quantile=0.9, n_resamples=9)
    envelope, quantile = est.fits[0], est.fits[1]
    assert envelope["fit"] == "envelope" and envelope["level"] == 0.9
    assert envelope["above"] == quantile["above"] > 0
    assert "envelope (q = 0.9)" in est.summary()
    full = gs.estimate.smoothness_from_pairs(g, r, n_resamples=9).fits[0]
    assert full["level"] is None and full["above"] == 0


def test_figures_of_blocks_whose_names_give_the_same_file_are_all_kept(tmp_path, rng):
    log = layer_log(rng)
    fits = gs.estimate.smoothness_from_pairs(**log, n_resamples=9)
    estimates = {"pairs": {"a b": fits["fc1"], "a_b": fits["fc2"], "A_B": fits["fc1"]}}
    paths = gs.estimate.write_report(tmp_path, estimates)
    names = [p.name for p in paths[1:]]
    assert names == ["pairs_a_b.png", "pairs_a_b-2.png", "pairs_A_B-3.png"]
    assert all(p.stat().st_size > 0 for p in paths)
    assert [p.name for p in gs.estimate.redraw(tmp_path)] == names


def test_a_csv_row_with_an_extra_field_is_an_error_naming_its_line(tmp_path, capsys):
    path = tmp_path / "extra.csv"
    path.write_text("grad_norm,smoothness\n1.0,2.0\n2.0,3.5,7\n")
    with pytest.raises(ValueError, match=r"line 3: 3 fields, expected 2 \(columns \['grad_norm', "
                                         r"'smoothness'\]\)"):
        gs.estimate.read_pairs(path)
    assert main(["estimate", "--pairs", str(path)]) == 2
    assert "line 3" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"smoothness": np.ones(3)}, ValueError, "one value per pair"),
        ({"smoothness": -np.ones(10)}, ValueError, ">= 0"),
        ({"fit": "lsq"}, ValueError, "fit must be one of"),
        ({"weight": -1.0}, ValueError, "weight must be"),
        ({"run": [0, 1]}, ValueError, "run must have one value per pair"),
    ],
)
def test_bad_pairs_are_clear_errors(kwargs, error, match):
    args = {"grad_norm": np.geomspace(0.1, 10, 10), "smoothness": np.ones(10), **kwargs}
    with pytest.raises(error, match=match):
        gs.estimate.smoothness_from_pairs(**args)


def write_csv(path, log, iteration=True):
    header = "grad_norm,smoothness,run,block" + (",iteration" if iteration else "")
    lines = [header]
    for i, (g, r, run, block) in enumerate(zip(log["grad_norm"], log["smoothness"], log["run"],
                                               log["block"], strict=True)):
        lines.append(f"{float(g)!r},{float(r)!r},{run},{block}" + (f",{i % 30}" if iteration else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_fits_the_blocks_of_a_csv_and_writes_a_report(tmp_path, rng, capsys):
    log = layer_log(rng)
    path = write_csv(tmp_path / "layers.csv", log)
    out = tmp_path / "report"
    assert main(["estimate", "--pairs", str(path), "--resamples", "9", "--fit", "asymmetric",
                 "--weight", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 block(s)" in printed and "fc1" in printed and "asymmetric (w = 2)" in printed
    payload = json.loads((out / "results.json").read_text())
    assert set(payload["pairs"]) == {"fc1", "fc2"} and payload["meta"]["fit"] == "asymmetric"
    direct = gs.estimate.smoothness_from_pairs(**log, fit="asymmetric", weight=2.0,
                                               n_resamples=9)
    assert payload["pairs"]["fc1"]["L0"] == pytest.approx(direct["fc1"].L0, rel=1e-12)
    paths = gs.estimate.redraw(out)
    assert sorted(p.name for p in paths) == ["pairs_fc1.png", "pairs_fc2.png"]


def test_cli_pairs_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("g,smoothness\n1,2\n")
    assert main(["estimate", "--pairs", str(bad)]) == 2
    assert "must have columns" in capsys.readouterr().err
    assert main(["estimate"]) == 2
    assert "exactly one" in capsys.readouterr().err
    text = tmp_path / "text.csv"
    text.write_text("grad_norm,smoothness\n1,abc\n")
    assert main(["estimate", "--pairs", str(text)]) == 2
    assert "must hold numbers" in capsys.readouterr().err
