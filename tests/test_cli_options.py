"""One vocabulary across the commands: every shared option means the same thing everywhere.

The table :data:`gsmooth.commands._shared.TAKES` says which sub-command takes
which shared option; each parser is read back and every shared option it has
is compared with its definition on every other sub-command (flags, type,
choices, default, action).  A sub-command that drops or redefines a shared
option fails here.
"""

import argparse

import pytest

from gsmooth.cli import build_parser, preflight
from gsmooth.commands._shared import TAKES, out_folder

FLAGS = {"seeds": "--seeds", "out": "--out", "device": "--device", "dtype": "--dtype",
         "no_progress": "--no-progress", "format": "--format", "export": "--export"}


def _subparsers():
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return action.choices


def _shared_actions(sub):
    return {a.dest: a for a in sub._actions if a.dest in FLAGS and FLAGS[a.dest] in a.option_strings}


def _definition(action):
    """What makes an option mean one thing (the default of --seeds may differ by command)."""
    default = None if action.dest == "seeds" else action.default
    return (tuple(action.option_strings), getattr(action.type, "__name__", action.type),
            tuple(action.choices or ()), default, type(action).__name__)


def test_every_sub_command_is_in_the_table():
    assert set(_subparsers()) == set(TAKES)


@pytest.mark.parametrize("command", sorted(TAKES))
def test_each_sub_command_takes_exactly_its_shared_options(command):
    assert set(_shared_actions(_subparsers()[command])) == set(TAKES[command])


@pytest.mark.parametrize("option", sorted(FLAGS))
def test_a_shared_option_is_defined_alike_on_every_sub_command(option):
    definitions = {command: _definition(_shared_actions(sub)[option])
                   for command, sub in _subparsers().items() if option in TAKES[command]}
    assert definitions, f"no sub-command takes {option}"
    assert len(set(definitions.values())) == 1, definitions


@pytest.mark.parametrize(("argv", "expected"), [
    (["verify"], "gsmooth-verify"),
    (["verify", "power"], "gsmooth-verify-power"),
    (["estimate", "my/file.py:quad"], "gsmooth-estimate-quad"),
    (["reproduce", "dro", "--ablation", "tau"], "gsmooth-reproduce-dro-tau"),
    (["sweep", "analysis/sweep_eps.toml"], "gsmooth-sweep-sweep_eps"),
    (["verify", "--out", "mine"], "mine"),
    (["estimate", "--pairs", "pairs-layers.csv"], "gsmooth-estimate-pairs-pairs-layers"),
    (["estimate", "--pairs", "logs/layers.csv"], "gsmooth-estimate-pairs-layers"),
])
def test_one_default_rule_for_out(argv, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(argv)
    preflight(args)
    assert args.out == expected


def test_theory_writes_only_when_asked():
    args = build_parser().parse_args(["theory", "--rho", "1", "--beta", "1"])
    preflight(args)
    assert args.out is None


def test_out_rule_examples_agree_with_the_function():
    assert out_folder("estimate", "pairs.csv") == "gsmooth-estimate-pairs"


@pytest.mark.parametrize(("argv", "fmt"), [
    (["estimate", "power", "--steps", "30", "--seeds", "2", "--resamples", "5"], "svg"),
    (["reproduce", "phase-retrieval", "--seeds", "1", "--steps", "3"], "pdf"),
    (["verify", "quadratic", "--beta", "0", "--seeds", "2"], "pdf"),
])
def test_format_reaches_every_figure_and_plot_redraws_in_another(argv, fmt, tmp_path):
    from gsmooth.cli import main

    out = tmp_path / "out"
    assert main([*argv, "--format", fmt, "--out", str(out), "--no-progress", "--export", "none"]) == 0
    figures = {p.suffix for p in out.iterdir() if p.suffix in (".png", ".pdf", ".svg")}
    assert figures == {f".{fmt}"}
    assert main(["plot", str(out), "--format", "png"]) == 0
    assert {p.suffix for p in out.iterdir() if p.suffix in (".png", ".pdf", ".svg")} == {f".{fmt}", ".png"}
