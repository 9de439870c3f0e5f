"""Sweep specs: strict one-line errors naming the key, grid expansion, content keys."""

import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gsmooth as gs
from gsmooth.cli import main as cli_main
from gsmooth.sweep import expand, parse_spec
from gsmooth.sweep.spec import METHODS, PROBLEM_PARAMETERS

GOOD = """
[sweep]
steps = 20
seeds = 2
[problems.power]
d = [3, 4]
[optimizers.an_gd]
lr = [0.01, 0.1]
beta = [0.5, 1.0]
"""


MALFORMED = [
    (GOOD.replace("lr = ", "lrr = "), "optimizers.an_gd.lrr", "unknown key"),
    (GOOD.replace("d = [3, 4]", "dd = 3"), "problems.power.dd", "unknown key"),
    (GOOD.replace("seeds = 2", "seeds = 2\nsteeps = 3"), "sweep.steeps", "unknown key"),
    (GOOD + "\n[extra]\nx = 1\n", "extra", "unknown key"),
    (GOOD.replace("steps = 20", 'steps = "20"'), "sweep.steps", "must be"),
    (GOOD.replace("seeds = 2", "seeds = 1.5"), "sweep.seeds", "must be"),
    (GOOD.replace("lr = [0.01, 0.1]", 'lr = "fast"'), "optimizers.an_gd.lr", "must be"),
    (GOOD.replace("d = [3, 4]", "d = [3, 4.5]"), "problems.power.d", "must be"),
    (GOOD.replace("lr = [0.01, 0.1]", "lr = []"), "optimizers.an_gd.lr", "empty grid"),
    (GOOD.replace("d = [3, 4]", "d = []"), "problems.power.d", "empty grid"),
    (GOOD.replace("steps = 20", "steps = []"), "sweep.steps", "empty grid"),
    (GOOD.replace("lr = [0.01, 0.1]", "lr = [0.1, 0.1]"), "optimizers.an_gd.lr", "repeats"),
    (GOOD.replace("beta = [0.5, 1.0]", "beta = [0.5, 1.5]"), "optimizers.an_gd", "beta"),
    (GOOD.replace("[optimizers.an_gd]", "[optimizers.fancy]"), "optimizers.fancy.method",
     "must name one of"),
    (GOOD.replace("[problems.power]", '[problems.power]\nproblem = "sphere"'),
     "problems.power.problem", "must name one of"),
    (GOOD.replace("steps = 20\n", ""), "sweep.steps", "missing key"),
    (GOOD.replace("lr = [0.01, 0.1]\n", ""), "optimizers.an_gd.lr", "missing key"),
    (GOOD.replace("beta = [0.5, 1.0]", 'beta = 1.0\nproblems = ["pr"]'),
     "optimizers.an_gd.problems", "problem labels"),
    (GOOD.replace("seeds = 2", 'device = "tpu"'), "sweep.device", "must be one of"),
    (GOOD.replace("seeds = 2", "record = 0"), "sweep.record", "must be"),
    (GOOD.replace("seeds = 2", "root_seed = -1"), "sweep.root_seed", "must be non-negative, got -1"),
    (GOOD.replace("seeds = 2", "diverge_factor = 0.5"), "sweep.diverge_factor",
     "must be greater than 1, got 0.5"),
    ("[sweep\nsteps = 1", "not valid TOML", "TOML"),
]


@pytest.mark.parametrize("text, key, words", MALFORMED)
def test_malformed_spec_gives_one_line_naming_the_key(text, key, words):
    with pytest.raises(ValueError) as info:
        parse_spec(text)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("sweep spec:")
    assert key in message and words in message


def test_cli_exit_code_2_on_a_bad_spec(tmp_path, capsys):
    spec = tmp_path / "bad.toml"
    spec.write_text(GOOD.replace("lr = ", "lrr = "))
    code = cli_main(["sweep", str(spec), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and "'optimizers.an_gd.lrr'" in err and "allowed:" in err


def test_schema_matches_the_factories():
    for name, schema in PROBLEM_PARAMETERS.items():
        assert set(schema) <= set(inspect.signature(getattr(gs.problems, name)).parameters)
    assert set(METHODS) == {n for n in gs.optim.__all__ if n != "Optimizer"}


def test_per_run_hyperparameters_batch_and_shapes_split():
    text = GOOD.replace("beta = [0.5, 1.0]", "beta = [0.5, 1.0]\n[optimizers.sgd]\nlr = 0.1\n"
                        "batch = [2, 4, 8]\nproblems = [\"noisy\"]")
    text += '[problems.noisy]\nproblem = "finite_sum"\nn = 30\nbase = { problem = "power", d = 3 }\n'
    units = expand(parse_spec(text))
    an_gd = [u for u in units if u.method_label == "an_gd"]
    sgd = [u for u in units if u.method_label == "sgd"]
    assert [u.problem_label for u in an_gd] == ["power", "power", "noisy"]
    assert [len(u.runs) for u in an_gd] == [8, 8, 8]
    assert sorted(u.config["method"]["batch"] for u in sgd) == [2, 4, 8]
    assert all(u.problem_label == "noisy" and len(u.runs) == 2 for u in sgd)
    assert sgd[0].config["problem"]["base"] == {"name": "power", "d": 3}


def test_keys_ignore_labels_and_key_order():
    a = expand(parse_spec(GOOD))
    b = expand(parse_spec(GOOD.replace("[problems.power]", '[problems.P]\nproblem = "power"')))
    assert [u.key for u in a] == [u.key for u in b]
    assert [u.problem_label for u in b] == ["P", "P"]
    swapped = expand(parse_spec(GOOD.replace("lr = [0.01, 0.1]\nbeta = [0.5, 1.0]",
                                             "beta = [0.5, 1.0]\nlr = [0.01, 0.1]")))
    assert sorted(a[0].run_keys) == sorted(swapped[0].run_keys)
    changed = expand(parse_spec(GOOD.replace("steps = 20", "steps = 21")))
    assert not set(a[0].run_keys) & set(changed[0].run_keys)


@settings(max_examples=25, deadline=None)
@given(n_d=st.integers(1, 3), n_lr=st.integers(1, 4), n_beta=st.integers(1, 3),
       seeds=st.integers(1, 4), n_steps=st.integers(1, 2))
def test_expansion_counts_and_distinct_keys(n_d, n_lr, n_beta, seeds, n_steps):
    text = f"""
[sweep]
steps = {list(range(5, 5 + n_steps))}
seeds = {seeds}
[problems.power]
d = {list(range(2, 2 + n_d))}
[optimizers.an_gd]
lr = {[0.01 * (i + 1) for i in range(n_lr)]}
beta = {[0.25 * i for i in range(n_beta)]}
"""
    units = expand(parse_spec(text))
    assert len(units) == n_d * n_steps
    assert all(len(u.runs) == n_lr * n_beta * seeds for u in units)
    keys = [k for u in units for k in u.run_keys]
    assert len(set(keys)) == len(keys)
    assert len({u.key for u in units}) == len(units)


@pytest.mark.parametrize("kernels, code", [("c", 2), ("numpy", 0)])
def test_phase_retrieval_kernels_are_a_problem_key(tmp_path, capsys, kernels, code):
    spec = tmp_path / "spec.toml"
    spec.write_text('[sweep]\nsteps = 3\nseeds = 1\n[problems.pr]\nproblem = "phase_retrieval"\n'
                    f'm = 40\nd = 4\nkernels = "{kernels}"\n[optimizers.sgd]\nlr = 0.01\nbatch = 4\n')
    assert cli_main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == code
    if code:
        assert "kernels must be one of 'numpy', 'numba', got 'c'" in capsys.readouterr().err
