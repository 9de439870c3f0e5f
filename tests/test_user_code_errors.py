"""The user's own code is reported as the user's: a ``sys.exit()`` in it, a value that is
not a real number, a start point that is not numbers, a metric that raises or has the
wrong shape; each is one line naming the user's function (or variable and file), exit 2.
Ctrl-C stays an interruption (exit 130)."""

import sys
import textwrap

import numpy as np
import pytest

import gsmooth as gs
from gsmooth.cli import INTERRUPTED, main
from gsmooth.errors import UserCodeError

COMMANDS = ["verify", "estimate"]


def _file(tmp_path, source: str) -> str:
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent(source))
    return str(path)


def _cli(argv) -> int:
    """``main(argv)``, with a ``SystemExit`` escaping it read as its exit code."""
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


def _one_line_error(capsys, *names) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gsmooth: error: "), err
    assert "Traceback" not in err
    missing = [name for name in names if name not in err]
    assert not missing, f"{missing} not in {err!r}"
    return err


@pytest.mark.parametrize("command", COMMANDS)
def test_a_sys_exit_in_the_users_function_is_the_users_error_not_a_verdict(command, tmp_path, capsys):
    path = _file(tmp_path, """\
        import sys

        def f(x):
            sys.exit(3)

        f_x0 = [1.0, 2.0]
        """)
    assert _cli([command, f"{path}:f", "--out", str(tmp_path / "r")]) == 2
    _one_line_error(capsys, "your function f in", "line 4", "raised SystemExit: 3")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_sys_exit_when_the_file_is_imported_is_the_users_error(command, tmp_path, capsys):
    path = _file(tmp_path, "import sys\nsys.exit(3)\n")
    assert _cli([command, f"{path}:f", "--out", str(tmp_path / "r")]) == 2
    _one_line_error(capsys, "your file", "mine.py line 2 raised SystemExit: 3 (on import)")


def test_a_sys_exit_during_a_run_is_a_user_code_error_naming_the_call():
    calls = []

    def stops_at_third_call(x):
        calls.append(1)
        if len(calls) == 3:
            sys.exit()
        return float(x @ x), 2 * x

    p = gs.problems.from_function(stops_at_third_call, np.ones(2), batched=False)
    with pytest.raises(UserCodeError, match=r"stops_at_third_call in .* raised SystemExit "
                                            r"\(call 3, run 0\)$") as info:
        gs.run(p, gs.optim.gd(0.1), 10, progress=False)
    assert isinstance(info.value.__cause__, SystemExit)


def test_ctrl_c_in_the_users_function_stays_an_interruption(tmp_path, capsys):
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gs.problems.from_function(interrupted, np.ones(2))
    path = _file(tmp_path, """\
        def f(x):
            raise KeyboardInterrupt

        f_x0 = [1.0, 2.0]
        """)
    assert main(["verify", f"{path}:f", "--out", str(tmp_path / "r")]) == INTERRUPTED
    assert "interrupted" in capsys.readouterr().err


@pytest.mark.parametrize(("returned", "shown"), [
    ('"hello"', "('hello', a float64 array of shape (2,))"),
    ("1 + 2j", "((1+2j), a float64 array of shape (2,))"),
    ("np.array(1 + 2j)", "(a complex128 array of shape (), a float64 array of shape (2,))"),
])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_value_that_is_not_a_real_number_names_the_function(command, returned, shown, tmp_path,
                                                               capsys):
    path = _file(tmp_path, f"""\
        import numpy as np

        def f(x):
            return {returned}, 2 * x

        f_x0 = [1.0, 2.0]
        """)
    assert _cli([command, f"{path}:f", "--out", str(tmp_path / "r")]) == 2
    _one_line_error(capsys, "your function f in", "mine.py returned",
                    f"returned {shown} where a pair (value, grad) of a real number and an array "
                    "of shape (2,) was expected")


def test_a_complex_gradient_is_not_cut_to_its_real_part():
    with pytest.raises(UserCodeError, match=r"returned \(a float64 array of shape \(\), a complex128 "
                                            r"array of shape \(2,\)\) where a pair"):
        gs.problems.from_function(lambda x: (np.float64(x @ x), 2 * x + 1j), np.ones(2))
    with pytest.raises(UserCodeError, match=r"a complex128 array of shape \(1, 2\)\) where a pair "
                                            r"\(values, grads\) of real arrays of shapes \(1,\) and "
                                            r"\(1, 2\) was expected \(call 1\)$"):
        gs.problems.from_function(lambda w: ((w * w).sum(-1), 2 * w + 0j), np.ones(2))


def test_a_value_that_turns_into_a_string_later_names_the_call_and_run():
    def later(x):
        return ("hello" if x[0] < 0.5 else float(x @ x)), 2 * x

    p = gs.problems.from_function(later, np.ones(2), batched=False)
    with pytest.raises(UserCodeError, match=r"your function .*later in .* returned \('hello', .*\) "
                                            r"where a pair .* was expected \(call 2, run 1\)$"):
        p.value_and_grad(np.array([[1.0, 1.0], [0.0, 0.0]]))


@pytest.mark.parametrize(("source", "names"), [
    ('f_x0 = "abc"\n', ["f_x0 in", "mine.py must be real numbers, got 'abc'"]),
    ("f_x0 = [1.0, 2.0]\nf_f_star = 'low'\n", ["f_f_star in", "mine.py must be real numbers, got 'low'"]),
    ('g = (f, "abc")\n', ["the x0 of g in", "mine.py must be real numbers, got 'abc'"]),
])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_start_point_in_the_file_that_is_not_numbers_names_the_variable_and_file(
        command, source, names, tmp_path, capsys):
    path = _file(tmp_path, "def f(x):\n    return float(x @ x), 2 * x\n\n" + source)
    target = "g" if source.startswith("g") else "f"
    assert _cli([command, f"{path}:{target}", "--out", str(tmp_path / "r")]) == 2
    _one_line_error(capsys, *names)


def test_a_tuple_without_a_known_minimum_still_loads(tmp_path):
    from gsmooth.problems.loading import load_problem

    path = _file(tmp_path, "def f(x):\n    return float(x @ x), 2 * x\n\ng = (f, [1, 2], None)\n")
    p = load_problem(f"{path}:g")
    assert p.f_star is None and p.start.tolist() == [1.0, 2.0]


def test_a_start_point_that_is_not_numbers_names_x0():
    with pytest.raises(ValueError, match=r"^x0 must be real numbers, got 'abc'$"):
        gs.problems.from_function(lambda x: (float(x @ x), 2 * x), "abc")


@pytest.mark.parametrize("track_grad_norm", [True, False])
def test_a_metric_that_raises_is_the_users(track_grad_norm):
    q = gs.problems.quadratic([1.0, 3.0])
    with pytest.raises(UserCodeError, match=r"your function .*<lambda> in .*test_user_code_errors.py "
                                            r"line \d+ raised ZeroDivisionError: division by zero "
                                            r"\(call 1\)$"):
        gs.run(q, gs.optim.gd(0.1), steps=10, metric=lambda w: 1 / 0,
               track_grad_norm=track_grad_norm, progress=False)


@pytest.mark.parametrize("track_grad_norm", [True, False])
def test_a_metric_of_the_wrong_shape_is_refused_at_the_first_record(track_grad_norm):
    q = gs.problems.quadratic([1.0, 3.0])
    seen = []

    def seven(w):
        seen.append(w.shape)
        return np.ones(7)

    with pytest.raises(UserCodeError, match=r"seven in .* returned shape \(7,\) where an array of "
                                            r"shape \(3,\) \(one value per run\) was expected "
                                            r"\(call 1\)$"):
        gs.run(q, gs.optim.gd([0.1, 0.2, 0.3]), steps=10, metric=seven,
               track_grad_norm=track_grad_norm, progress=False)
    assert seen == [(3, 2)]
    with pytest.raises(UserCodeError, match=r"returned a float where an array of shape \(1,\)"):
        gs.run(q, gs.optim.gd(0.1), steps=10, metric=lambda w: 1.0, progress=False)


def test_a_metric_of_the_right_shape_is_recorded_at_every_record():
    q = gs.problems.quadratic([1.0, 3.0])
    res = gs.run(q, gs.optim.gd([0.1, 0.2, 0.3]), steps=10, record=1, metric=lambda w: w[:, 0],
                 progress=False)
    assert res.metric.shape == (11, 3)
