"""The main job: state a hypothesis, derive what the theory predicts, run the method, judge.

:func:`verify` runs the built-in suite (:mod:`gsmooth.verification.cases`), a
part of it (a problem name), or a user's own problem (a
:class:`~gsmooth.problems.Problem`, or ``"path/to/file.py:name"`` naming a
problem or a ``value_and_grad`` function).  The constants it predicts with
are the **hypothesis** (:mod:`gsmooth.verification.constants`): those the
user claims (``rho=, mu=, alpha=, L0=, L1=, f_star=``), then those the problem
states, and the rest estimated on runs independent of the judged ones.  Each
case is judged by :mod:`gsmooth.verification.checks` and ends in one of three
outcomes (:mod:`gsmooth.verification.outcome`): PASS, FAIL or NOT VERIFIED.
With ``out`` it writes a report folder (:mod:`gsmooth.verification.report`)
that :func:`redraw` draws again.

Examples
--------
>>> import gsmooth as gs
>>> report = gs.verify("quadratic", beta="0")
>>> report.outcome.outcome, report.cases[0].regime
('PASS', 'linear')
>>> gs.verify("quadratic", beta="0", mu=3).outcome.outcome
'FAIL'
"""

from __future__ import annotations

import pathlib
import time
from dataclasses import dataclass, field, replace

import numpy as np
from tqdm.auto import tqdm

from gsmooth._checks import describe, flag, nonnegative_int, positive_int
from gsmooth._exact import read_exact
from gsmooth._io import check_no_other_result, check_output_dir
from gsmooth.plots.style import check_format
from gsmooth.problems.base import Problem
from gsmooth.problems.user import from_function
from gsmooth.rates.teps import check_eps_grid, exact_exponent
from gsmooth.verification.cases import Case, suite
from gsmooth.verification.checks import run_case
from gsmooth.verification.constants import parse_claims
from gsmooth.verification.outcome import EXIT_CODES, Outcome, overall
from gsmooth.verification.report import table_rows, text_table, write_folder

PROBLEM_NAMES = {"power": "power(p=4)", "quadratic": "quadratic(1, 4)", "cosh": "cosh",
                 "phase_retrieval": "phase retrieval", "dro": "DRO"}
"""Names accepted as ``target``, and the suite problem each selects."""

USER_STEPS = 1000
USER_LR = 0.01

__all__ = ["EXIT_CODES", "PROBLEM_NAMES", "VerifyReport", "redraw", "verify"]


@dataclass
class VerifyReport:
    """Results of a verification: cases, their checks, the outcome and the files written."""

    cases: list
    seconds: float
    device: str
    runs: int
    files: list
    options: dict = field(default_factory=dict)

    @property
    def checks(self) -> list:
        """Every check of every case."""
        return [check for case in self.cases for check in case.checks]

    @property
    def outcome(self) -> Outcome:
        """PASS, FAIL or NOT VERIFIED, with the reasons and what the user can change."""
        return overall(case.outcome for case in self.cases)

    @property
    def n_failed(self) -> int:
        return sum(check.verdict == "fail" for check in self.checks)

    @property
    def n_judged(self) -> int:
        return sum(check.judged for check in self.checks)

    @property
    def passed(self) -> bool:
        """The outcome is PASS."""
        return self.outcome.outcome == "PASS"

    def as_dict(self) -> dict:
        """``results.json`` content (``"kind": "verify"``)."""
        outcome = self.outcome
        return {"kind": "verify", "outcome": outcome.outcome, "exit_code": outcome.exit_code,
                "reasons": outcome.reasons, "remedies": outcome.remedies, "passed": self.passed,
                "n_failed": self.n_failed, "n_checks": self.n_judged, "seconds": self.seconds,
                "device": self.device, "runs": self.runs, "options": self.options,
                "cases": [case.as_dict() for case in self.cases]}

    @classmethod
    def load(cls, folder) -> VerifyReport:
        """Read a report folder written by :func:`verify` (``results.json`` and ``curves.npz``)."""
        from gsmooth.verification.checks import CaseResult
        from gsmooth.verification.report import read_folder

        results, curves = read_folder(folder)
        cases = [CaseResult.from_dict(case, c) for case, c in zip(results["cases"], curves,
                                                                   strict=True)]
        files = sorted(str(p) for p in pathlib.Path(folder).iterdir() if p.is_file())
        return cls(cases, results["seconds"], results["device"], results["runs"], files,
                   results.get("options", {}))

    def to_pandas(self):
        """Every case's gap traces in long form (one row per case, record and run), with the
        case's ``case``, ``problem``, ``method``, ``regime`` and ``outcome`` columns;
        :meth:`checks_to_pandas` gives the checks."""
        from gsmooth._tables import pandas

        return pandas().concat([case.to_pandas() for case in self.cases], ignore_index=True)

    def checks_to_pandas(self):
        """One row per check: the case's label, then the check's fields and ``judged``."""
        from dataclasses import asdict

        from gsmooth._tables import pandas

        rows = [{"case": case.label, **asdict(check), "judged": check.judged}
                for case in self.cases for check in case.checks]
        return pandas().DataFrame(rows)

    def table(self) -> str:
        """The verdict table as plain text."""
        return text_table(table_rows([case.as_dict() for case in self.cases]))

    def summary(self) -> str:
        """The outcome line, its reasons and what can be changed."""
        outcome = self.outcome
        lines = [(f"{outcome.outcome}: {self.n_judged} judged checks, {self.n_failed} failed, "
                  f"{len(self.cases)} case(s) in {self.seconds:.1f} s")]
        lines += [f"  because {reason}" for reason in outcome.reasons]
        lines += [f"  to get a judged check: {remedy}" for remedy in outcome.remedies]
        lines += [f"  note: {note}" for note in self.options.get("notes", [])]
        return "\n".join(lines)


def verify(target=None, *, beta=None, quick: bool = False, out=None, device: str = "numpy",
           runs: int = 8, lr: float | None = None, steps: int | None = None, eps_grid=None,
           x0=None, seed: int = 0, progress=None, rho=None, mu=None, alpha=None, L0=None, L1=None,
           f_star=None, reference_steps: int | None = None, format: str = "png") -> VerifyReport:
    """Verify AN-GD's predicted rates on the built-in suite or on a given problem.

    Parameters
    ----------
    target : None, str, Problem or callable
        None: the built-in suite.  A name in :data:`PROBLEM_NAMES`: that
        problem's cases.  A Problem or ``"file.py:name"`` (a problem, or a
        ``value_and_grad`` function with ``x0``).  A ``value_and_grad``
        function itself, with its start point ``x0=``, is verified as
        ``gs.problems.from_function(f, x0)`` (wrap it yourself for the other
        options of :func:`~gsmooth.problems.from_function`, e.g. ``f_star``).
    beta : float or str, optional
        Keep the suite cases with this beta; for a user problem the AN-GD
        power (default 1).
    quick : bool
        A faster subset of the suite that still covers every regime (suite only).
    out : path, optional
        Write report.md, results.json, curves.npz and figures there.
    device : {"numpy", "cupy", "array-api-strict"}
    runs : int
        Judged runs per case, from starting points spread around the problem's
        start; as many independent runs estimate what is not claimed.
    lr, steps, x0
        For a user problem: fixed step size, steps, starting point of a function.
    eps_grid : sequence of float, optional
        Targets of an eps-sweep (replaces the suite's grids).
    seed : int
    progress : bool or None
    rho, mu, alpha, L0, L1, f_star : optional
        Claimed constants (exponents stay exact: ``"4/3"``); they override the
        problem's own, and a wrong one makes the check that tests it fail.
        Suite problems must be named to take claims.
    reference_steps : int, optional
        Iteration limit of the reference minimization that estimates an
        unknown ``F*`` (default :data:`gsmooth.verification.estimation.REFERENCE_STEPS`).
    format : {"png", "pdf", "svg"}
        File format of the figures written to ``out``.

    Raises
    ------
    TypeError
        Before any run: a ``target`` of another kind (a number, a tuple ``(f, x0)``).
    ValueError
        Before any run: an unknown problem name, a file without the named
        object, a function without ``x0``, beta outside [0, 1], a bad eps grid,
        fewer than one run, a negative seed, a claimed constant out of range, or
        an option that does not apply to the target (named, with what to do instead).
    GSmoothError
        Before any run: an ``out`` that cannot be written.
    """
    _check_target(target)
    runs = positive_int("runs", runs)
    seed = nonnegative_int("seed", seed)
    progress = flag("progress", progress, none=True)
    check_format(format)
    if out is not None:
        check_no_other_result(check_output_dir(out, "out"), "verify", "out")
    if beta is not None:
        exact_exponent("beta", beta, 0.0, 1.0)
    if eps_grid is not None:
        eps_grid = tuple(check_eps_grid(eps_grid).tolist())
    if reference_steps is not None:
        reference_steps = positive_int("reference_steps", reference_steps)
    given = {"beta": beta, "rho": rho, "mu": mu, "alpha": alpha, "L0": L0, "L1": L1, "f_star": f_star}
    claims = parse_claims(**{name: value for name, value in given.items() if name != "beta"})
    cases = _select(target, beta, quick, lr, steps, eps_grid, x0, claims)
    start = time.perf_counter()
    bar = tqdm(cases, desc="verify: cases", unit="case", leave=False,
               disable=None if progress is None else not progress)
    results = [run_case(case, runs=runs, device=device, seed=seed, progress=progress, claims=claims,
                        reference_steps=reference_steps) for case in bar]
    options = {"claimed": {name: c.as_dict() for name, c in claims.items()}, "eps_grid": eps_grid,
               "reference_steps": reference_steps, "seed": seed,
               "notes": _read_as(given) + _unused(results, reference_steps)}
    report = VerifyReport(results, time.perf_counter() - start, device, runs, [], options)
    if out is not None:
        report.files = write_folder(out, report.as_dict(), [case.curves for case in results], format)
    return report


def _read_as(given: dict) -> list[str]:
    """What snapped inputs were read as (:mod:`gsmooth._exact`), said in the outcome and the report."""
    notes = (read_exact(value, name).note for name, value in given.items() if value is not None)
    return [note for note in notes if note is not None]


def _unused(results, reference_steps) -> list[str]:
    """Options given but used by no case, said rather than skipped silently."""
    estimated = any(case.hypothesis.get("reference") is not None for case in results)
    if reference_steps is not None and not estimated:
        return ["reference_steps not used: no case ran a reference minimization (F* and PL constants known)"]
    return []


def redraw(folder, format: str = "png") -> list[pathlib.Path]:
    """Redraw the figures (``format``: png, pdf or svg) of a report folder from its results.json
    and curves.npz."""
    from gsmooth.verification.report import write_figures

    return write_figures(folder, format)


def _is_suite(target) -> bool:
    return target is None or (isinstance(target, str) and ":" not in target and not target.endswith(".py"))


def _select(target, beta, quick, lr, steps, eps_grid, x0, claims) -> tuple[Case, ...]:
    if _is_suite(target):
        _refuse_user_options(target, lr, steps, x0, claims)
        return _suite_cases(target, beta, quick, eps_grid)
    if quick:
        raise ValueError("quick selects a subset of the built-in suite; it does not apply to your own problem")
    problem = _user_problem(target, x0)
    if x0 is not None and not np.array_equal(problem.start, np.asarray(x0, dtype=float)):
        raise ValueError(f"x0 applies to a function; {problem.name!r} is a Problem with its own start "
                         f"{problem.start.tolist()}")
    beta_text = str(exact_exponent("beta", 1 if beta is None else beta, 0.0, 1.0))
    return (Case(problem.name, lambda: problem, beta_text, USER_LR if lr is None else float(lr),
                 USER_STEPS if steps is None else positive_int("steps", steps), eps_grid=eps_grid or (),
                 tight=None),)


def _check_target(target) -> None:
    """Refuse a ``target`` that is none of the kinds :func:`verify` takes."""
    if target is None or isinstance(target, (str, Problem)) or callable(target):
        return
    hint = (" (for a function and its start point, gs.verify(f, x0=x0))"
            if isinstance(target, tuple) else "")
    raise TypeError("target must be None, a problem name, 'path/to/file.py:name', a gsmooth Problem "
                    f"or a value_and_grad function with x0=, got {describe(target)}{hint}")


def _user_problem(target, x0):
    """The Problem that ``target`` (a Problem, ``file.py:name`` or a function with ``x0``) names."""
    if isinstance(target, str):
        return load_target(target, x0)
    if isinstance(target, Problem):
        return target
    if x0 is None:
        raise ValueError(f"target is a function ({describe(target)}): give its start point, "
                         "gs.verify(f, x0=...), or wrap it with gs.problems.from_function(f, x0)")
    name = getattr(target, "__name__", "")
    return from_function(target, x0, name=name if name.isidentifier() else "user")


def _refuse_user_options(target, lr, steps, x0, claims):
    given = {name: value for name, value in (("lr", lr), ("steps", steps), ("x0", x0)) if value is not None}
    if given:
        verb = "applies" if len(given) == 1 else "apply"
        raise ValueError(f"{', '.join(given)} {verb} only to your own problem (path/to/file.py:name); "
                         "the suite cases have their own, got "
                         + ", ".join(f"{name}={value!r}" for name, value in given.items()))
    if claims and target is None:
        raise ValueError(f"constants ({', '.join(claims)}) can be claimed for one problem: name it "
                         f"({', '.join(PROBLEM_NAMES)}) or give path/to/file.py:name")


def _suite_cases(target, beta, quick, eps_grid):
    if target is not None and quick:
        raise ValueError("quick selects a subset of the whole suite; with a problem name all its cases run")
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


def load_target(target: str, x0=None):
    """Load ``"path/to/file.py:name"`` (see :mod:`gsmooth.problems.loading`)."""
    from gsmooth.problems.loading import load_problem

    return load_problem(target, x0=x0)

