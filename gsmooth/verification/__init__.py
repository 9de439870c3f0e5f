"""The main job: derive what the theory predicts, run the method, fit the rate, judge.

:func:`verify` runs the built-in suite (:mod:`gsmooth.verification.cases`), a
part of it (a problem name), or a user's own problem (a
:class:`~gsmooth.problems.Problem`, or ``"path/to/file.py:name"`` naming a
problem or a ``value_and_grad`` function); each case is judged by
:mod:`gsmooth.verification.checks`.  With ``out`` it writes a report folder
(:mod:`gsmooth.verification.report`) that :func:`redraw` draws again.

Examples
--------
>>> import gsmooth as gs
>>> report = gs.verify("quadratic", beta="0")
>>> report.passed, report.cases[0].regime
(True, 'linear')
"""

from __future__ import annotations

import pathlib
import time
from dataclasses import dataclass, replace

from gsmooth._checks import positive_int
from gsmooth.rates.teps import check_eps_grid, exact_exponent
from gsmooth.verification.cases import Case, suite
from gsmooth.verification.checks import run_case
from gsmooth.verification.report import table_rows, text_table, write_folder

PROBLEM_NAMES = {"power": "power(p=4)", "quadratic": "quadratic(1, 4)", "cosh": "cosh",
                 "phase_retrieval": "phase retrieval", "dro": "DRO"}
"""Names accepted as ``target``, and the suite problem each selects."""

USER_STEPS = 1000
USER_LR = 0.01


@dataclass
class VerifyReport:
    """Results of a verification: cases, their checks, the verdict and the files written."""

    cases: list
    seconds: float
    device: str
    runs: int
    files: list

    @property
    def checks(self) -> list:
        """Every check of every case."""
        return [check for case in self.cases for check in case.checks]

    @property
    def n_failed(self) -> int:
        return sum(check.verdict == "fail" for check in self.checks)

    @property
    def passed(self) -> bool:
        """No judged check failed."""
        return self.n_failed == 0

    def as_dict(self) -> dict:
        """``results.json`` content (``"kind": "verify"``)."""
        judged = [c for c in self.checks if c.verdict in ("pass", "fail")]
        return {"kind": "verify", "passed": self.passed, "n_failed": self.n_failed,
                "n_checks": len(judged), "seconds": self.seconds, "device": self.device,
                "runs": self.runs, "cases": [case.as_dict() for case in self.cases]}

    def table(self) -> str:
        """The verdict table as plain text."""
        return text_table(table_rows([case.as_dict() for case in self.cases]))


def verify(target=None, *, beta=None, quick: bool = False, out=None, device: str = "numpy",
           runs: int = 8, lr: float | None = None, steps: int | None = None, eps_grid=None,
           x0=None, f_star: float | None = None, seed: int = 0, progress=None) -> VerifyReport:
    """Verify AN-GD's predicted rates on the built-in suite or on a given problem.

    Parameters
    ----------
    target : None, str or Problem
        None: the built-in suite.  A name in :data:`PROBLEM_NAMES`: that
        problem's cases.  A Problem or ``"file.py:name"`` (a problem, or a
        ``value_and_grad`` function with ``x0``): its constants are estimated,
        then predicted, run and judged.
    beta : float or str, optional
        Keep the suite cases with this beta; for a user problem the AN-GD
        power (default 1).
    quick : bool
        A faster subset of the suite that still covers every regime.
    out : path, optional
        Write report.md, results.json, curves.npz and figures there.
    device : {"numpy", "cupy", "array-api-strict"}
    runs : int
        Runs per case, from starting points spread around the problem's start.
    lr, steps, eps_grid, x0, f_star
        For a user problem: fixed step size, steps, eps-sweep targets (needs a
        known ``f_star``), starting point of a function, its minimum value.
    seed : int
    progress : bool or None

    Raises
    ------
    ValueError
        Unknown problem name, a file without the named object, beta outside
        [0, 1], an empty or non-positive eps grid, fewer than one run.
    """
    runs = positive_int("runs", runs)
    if beta is not None:
        exact_exponent("beta", beta, 0.0, 1.0)
    if eps_grid is not None:
        eps_grid = tuple(check_eps_grid(eps_grid).tolist())
    cases = _select(target, beta, quick, lr, steps, eps_grid, x0, f_star)
    start = time.perf_counter()
    results = [run_case(case, runs=runs, device=device, seed=seed, progress=progress) for case in cases]
    report = VerifyReport(results, time.perf_counter() - start, device, runs, [])
    if out is not None:
        curves = [case.curves for case in results]
        report.files = write_folder(out, report.as_dict(), curves)
    return report


def redraw(folder) -> list[pathlib.Path]:
    """Redraw the figures of a report folder from its results.json and curves.npz."""
    from gsmooth.verification.report import write_figures

    return write_figures(folder)


def _select(target, beta, quick, lr, steps, eps_grid, x0, f_star) -> tuple[Case, ...]:
    if target is None or (isinstance(target, str) and ":" not in target and not target.endswith(".py")):
        cases = suite(quick)
        if target is not None:
            if target not in PROBLEM_NAMES:
                raise ValueError(f"unknown problem {target!r}; choose one of {', '.join(PROBLEM_NAMES)}, "
                                 "or give path/to/file.py:name")
            cases = tuple(case for case in suite(False) if case.name == PROBLEM_NAMES[target])
        if beta is not None:
            wanted = exact_exponent("beta", beta, 0.0, 1.0)
            kept = tuple(c for c in cases if exact_exponent("beta", c.beta, 0.0, 1.0) == wanted)
            if not kept:
                offered = sorted({c.beta for c in cases})
                raise ValueError(f"no suite case has beta = {beta}; the cases have beta in {offered}")
            cases = kept
        return tuple(replace(c, eps_grid=eps_grid) if eps_grid else c for c in cases)
    problem = target if not isinstance(target, str) else load_target(target, x0, f_star)
    beta_text = str(exact_exponent("beta", 1 if beta is None else beta, 0.0, 1.0))
    return (Case(problem.name, lambda: problem, beta_text, USER_LR if lr is None else float(lr),
                 USER_STEPS if steps is None else int(steps), eps_grid=eps_grid or (),
                 estimated=True, tight=False),)


def load_target(target: str, x0=None, f_star=None):
    """Load ``"path/to/file.py:name"`` (see :mod:`gsmooth.problems.loading`)."""
    from gsmooth.problems.loading import load_problem

    return load_problem(target, x0=x0, f_star=f_star)
