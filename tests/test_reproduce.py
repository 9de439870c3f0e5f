"""The reproduction job at toy size: files, results.json, redraw, ablations, the command."""

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gsmooth as gs
from gsmooth import cli
from gsmooth.reproduction import Reproduction, redraw
from gsmooth.reproduction.experiments import ablations, get, phase_retrieval
from gsmooth.reproduction.summary import Curves, sample_cut, samples_to_target
from tests.conftest import WHO_CSV as WHO
from tests.conftest import needs_who

TOY_PR = {"m": 120, "d": 6}
TOY_DRO = {"n": 120, "d": 4}
STEPS = 12


@pytest.fixture(scope="module")
def pr_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pr")
    gs.reproduce("phase-retrieval", seeds=3, steps=STEPS, problem_options=TOY_PR, out=folder)
    return folder


def test_writes_its_files(pr_folder):
    names = {p.name for p in pr_folder.iterdir()}
    assert {"results.json", "curves.npz", "loss_vs_samples.png", "loss_vs_iterations.png"} <= names
    assert (pr_folder / "results.json").stat().st_mode & 0o777 == 0o644  # readable by all


def test_results_json_lists_settings_and_seeds(pr_folder):
    data = json.loads((pr_folder / "results.json").read_text())
    assert data["kind"] == "reproduce" and data["experiment"] == "phase-retrieval"
    keys = [m["key"] for m in data["methods"]]
    assert keys == [m.key for m in phase_retrieval.METHODS]
    for method in data["methods"]:
        assert method["paper"]["gamma"] > 0 and "step" in method["paper"]
        assert [s["seed"] for s in method["per_seed"]] == [0, 1, 2]
        for seed in method["per_seed"]:
            assert seed["final"] is None or np.isfinite(seed["final"])
            hit = seed["samples_to_target"]
            assert hit is None or 0 <= hit <= data["sample_cut"]
    assert data["target"]["value"] == pytest.approx(1.25 * 8.0)


def test_final_and_target_agree_with_the_saved_curves(pr_folder):
    rep = Reproduction.load(pr_folder)
    data = json.loads((pr_folder / "results.json").read_text())
    for curves, method in zip(rep.curves, data["methods"]):
        keep = np.max(curves.samples, axis=1) <= rep.sample_cut
        for r, seed in enumerate(method["per_seed"]):
            if curves.status[r] in (2, 3):
                assert seed["final"] is None
                continue
            assert seed["final"] == pytest.approx(curves.metric[keep][-1, r])
            below = np.flatnonzero(curves.metric[keep][:, r] <= rep.target)
            expected = curves.samples[keep][below[0], r] if below.size else None
            assert seed["samples_to_target"] == expected


def test_same_sample_budget_for_every_method(pr_folder):
    rep = Reproduction.load(pr_folder)
    assert rep.sample_cut == 64 * STEPS  # SGD, NSGD, ... draw the fewest samples
    finals = {c.key: int(c.samples[-1, 0]) for c in rep.curves}
    assert finals["ian_sgd"] == (64 + 4) * STEPS
    assert finals["spider"] == 120 * 1 + 64 * (STEPS - 1)  # one refresh of n = 120 at t = 0


def test_redraw_rewrites_the_figures(pr_folder):
    figure = pr_folder / "loss_vs_samples.png"
    figure.unlink()
    paths = redraw(pr_folder)
    assert figure in paths and figure.stat().st_size > 0


def test_plot_command_finds_the_redraw(pr_folder):
    pytest.importorskip("gsmooth.commands.plot")
    assert cli.main(["plot", str(pr_folder)]) == 0


@pytest.mark.parametrize("ablation", ablations.ABLATIONS)
def test_ablation_varies_only_its_parameter(ablation):
    rep = gs.reproduce("phase-retrieval", seeds=2, steps=4, problem_options=TOY_PR,
                       ablation=ablation)
    base = gs.reproduction.experiments.settings.translate(phase_retrieval.EXPERIMENT.method("ian_sgd"), 2.0)
    changed = {"beta": {"beta", "lr"}, "batch2": {"batch2"}, "delta": {"delta"},
               "tau": {"A", "delta"}}[ablation]
    values = {name: {c.optimizer[name] for c in rep.curves} for name in base}
    for name, seen in values.items():
        if name in changed:
            assert len(seen) == len(rep.curves) or ablation == "tau", name
        else:
            assert seen == {base[name]}, name
    if ablation == "batch2":
        per_step = sorted(int(c.samples[-1, 0]) // 4 for c in rep.curves)
        assert per_step == [64 + b for b in ablations.BATCH2]
    if ablation == "tau":
        assert len({(c.optimizer["A"], c.optimizer["delta"]) for c in rep.curves}) == 12
        assert {c.panel for c in rep.curves} == {f"tau2 = {t:.3g}" for t in (0.75, 7.5, 75)}


def test_beta_ablation_is_one_batched_run_with_distinct_streams():
    rep = gs.reproduce("phase-retrieval", seeds=2, steps=3, problem_options=TOY_PR,
                       ablation="beta")
    seeds = [s for c in rep.curves for s in c.seeds]
    assert len(set(seeds)) == len(seeds) == 10
    assert [c.paper["beta"] for c in rep.curves] == ["2/3", "13/20", "7/10", "4/5", "1"]


def test_overlap_reproduces_the_same_curves():
    serial, overlapped = (gs.reproduce("phase-retrieval", seeds=2, steps=6, problem_options=TOY_PR,
                                       overlap=overlap) for overlap in (False, True))
    for a, b in zip(serial.curves, overlapped.curves, strict=True):
        np.testing.assert_array_equal(a.metric, b.metric)
        np.testing.assert_array_equal(a.samples, b.samples)


def test_dro_reports_psi_not_the_dual_objective(tmp_path):
    rep = gs.reproduce("dro", seeds=2, steps=STEPS, problem_options=TOY_DRO, out=tmp_path)
    problem = gs.problems.dro(n=120, d=4)
    for curves in rep.curves:
        assert np.all(curves.metric <= curves.loss + 1e-9)  # Psi = min over eta of L
    w = problem.start[None, :]
    assert rep.curves[0].metric[0, 0] <= problem.psi(w)[0] + 1e-9  # after the warm start
    assert json.loads((tmp_path / "results.json").read_text())["metric"] == "psi"


@needs_who
def test_command_dro_released_uses_the_leaking_preprocessing(tmp_path, capsys):
    args = ["reproduce", "dro", "--seeds", "2", "--steps", "3", "--data", str(WHO)]
    assert cli.main([*args, "--out", str(tmp_path / "clean")]) == 0
    assert cli.main([*args, "--released", "--out", str(tmp_path / "released")]) == 0
    clean = json.loads((tmp_path / "clean" / "results.json").read_text())["problem"]
    released = json.loads((tmp_path / "released" / "results.json").read_text())["problem"]
    assert clean["name"].endswith("clean)") and "released" in released["name"]
    assert released["dim"] == clean["dim"] + 2  # the leaked target copy and the row number
    assert "IAN-SGD" in capsys.readouterr().out


def test_command_rejects_bad_input(capsys):
    assert cli.main(["reproduce", "phase-retrieval", "--seeds", "0", "--steps", "1"]) == 2
    assert "seeds" in capsys.readouterr().err
    assert cli.main(["reproduce", "phase-retrieval", "--data", "x.csv", "--steps", "1"]) == 2
    assert "--data must be omitted, got 'x.csv'" in capsys.readouterr().err


def test_command_choices_match_the_experiments_and_ablations():
    from gsmooth.commands import reproduce as command  # stdlib-only copies, kept in step here

    assert command.EXPERIMENTS == gs.reproduction.experiments.NAMES
    assert command.ABLATIONS == ablations.ABLATIONS


def curves_of(metric, samples):
    metric = np.asarray(metric, dtype=float)
    return Curves("c", "c", {}, {}, list(range(metric.shape[1])),
                  np.arange(metric.shape[0])[:, None].repeat(metric.shape[1], 1),
                  np.asarray(samples), metric, metric, np.zeros(metric.shape[1], dtype=int))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 10.0), min_size=2, max_size=30), st.floats(0.0, 10.0),
       st.integers(1, 64))
def test_samples_to_target_is_the_first_hit(values, target, batch):
    samples = np.arange(len(values))[:, None] * batch
    curves = curves_of(np.asarray(values)[:, None], samples)
    cut = sample_cut([curves])
    hit = samples_to_target(curves, target, cut)[0]
    below = [s for v, s in zip(values, samples[:, 0]) if v <= target]
    assert hit == (below[0] if below else np.inf)


def test_sample_cut_ignores_curves_whose_runs_all_diverged():
    alive = curves_of(np.ones((3, 2)), np.array([[0, 0], [10, 10], [20, 20]]))
    dead = curves_of(np.ones((3, 2)), np.array([[0, 0], [5, 5], [5, 5]]))
    dead.status[:] = 2
    assert sample_cut([alive, dead]) == 20
    assert sample_cut([dead]) == 5


def test_figures_survive_a_method_whose_runs_all_diverged(pr_folder, tmp_path):
    from gsmooth.plots import reproduction as reproduction_figures

    rep = Reproduction.load(pr_folder)
    rep.curves[0].status[:] = 2
    rep.curves[0].metric[1:] = np.nan
    paths = reproduction_figures.draw(rep, tmp_path)
    assert all(p.stat().st_size > 0 for p in paths)


def test_command_problem_seed_changes_the_instance(tmp_path):
    base = ["reproduce", "phase-retrieval", "--seeds", "1", "--steps", "1"]
    assert cli.main([*base, "--out", str(tmp_path / "a")]) == 0
    assert cli.main([*base, "--problem-seed", "7", "--out", str(tmp_path / "b")]) == 0
    a, b = (json.loads((tmp_path / f / "results.json").read_text())["problem"] for f in "ab")
    assert a["warm_start_value"] != b["warm_start_value"]


def test_experiment_budget_caps_the_common_sample_cut(monkeypatch):
    budget = 5 * 64 + 1  # inside SGD's 12 x 64 samples: the curves are cut after step 5
    monkeypatch.setattr(phase_retrieval, "EXPERIMENT",
                        replace(phase_retrieval.EXPERIMENT, budget=budget))
    rep = gs.reproduce("phase-retrieval", seeds=2, steps=STEPS, problem_options=TOY_PR)
    assert rep.sample_cut == budget
    sgd = rep.curves[0]
    assert sgd.within(rep.sample_cut).sum() == 6  # records 0..5


def test_dro_metric_is_psi_of_the_iterates_every_step():
    rep = gs.reproduce("dro", seeds=2, steps=1, problem_options=TOY_DRO)
    problem = gs.problems.dro(**TOY_DRO)
    warm = get("dro").warm_start.point(problem, 1.0)
    for curves in rep.curves:
        np.testing.assert_allclose(curves.metric[0], problem.psi(warm[None, :])[0], rtol=1e-12)
        assert np.all(curves.metric[1] < curves.loss[1])  # eta_1 is not the minimizer
