"""The verification report folder: outcome, hypothesis, check table, results.json, curves.npz, figures.

``results.json`` (``"kind": "verify"``) holds every case without its curves;
``curves.npz`` (read with ``allow_pickle=False``) holds the gap traces and the
log of the bounds; :func:`write_figures` redraws the figures from these two
files alone.  The figures are the entries of :data:`FIGURES`: a figure is one
more ``(file name, draw function)`` pair, where the function takes
``(results, curves, path)`` and returns the path written or None.
"""

from __future__ import annotations

import pathlib
import re

import numpy as np

from gsmooth._io import (
    RESULTS,
    read_npz,
    read_results,
    staged_folder,
    unstaged,
    write_json_atomic,
    write_npz_atomic,
    write_text_atomic,
)
from gsmooth.plots.style import check_format
from gsmooth.verification.constants import Constant

COLUMNS = ("problem", "method", "constants", "regime, T exponent", "check", "predicted",
           "observed [interval]", "verdict")

OUTCOME_HELP = (
    "PASS: every judged check passed and at least one rate check (a derived bound or a predicted shape) "
    "was judged. FAIL: a judged check failed (its row says which). NOT VERIFIED: nothing failed, but no "
    "rate check could be judged; the reasons and what to change are listed."
)


def table_rows(cases: list[dict]) -> list[tuple]:
    """One row per check of every case (dicts as in ``results.json``)."""
    rows = []
    for case in cases:
        exponent = "-" if not case["T_exponent"] else _exponent_text(case)
        regime = f"{case['regime']}, {exponent}"
        for check in case["checks"]:
            rows.append((case["problem"], case["method"], _constants_text(case), regime,
                         check["quantity"], check["predicted"], check["observed"], _verdict_text(check)))
    return rows


def _exponent_text(case: dict) -> str:
    low, high = case["T_exponent"]
    text = f"{low:.3g}" if low == high else f"{low:.3g}-{high:.3g}"
    return text + (" + log" if case["log_factor"] else "")


def _constants_text(case: dict) -> str:
    constants = case["hypothesis"].get("constants", {})
    parts = []
    for name, data in constants.items():
        c = Constant.from_dict(data)
        shown = c.exact if c.exact is not None else f"{c.value:.3g}"
        mark = {"claimed": " (claimed)", "problem": "", "estimated": " (est.)"}[c.source]
        parts.append(f"{name}={shown}{mark}")
    return " ".join(parts) or "-"


def _verdict_text(check: dict) -> str:
    return check["verdict"] + (f" ({check['note']})" if check["note"] else "")


def markdown_table(rows: list[tuple]) -> str:
    """A GitHub-markdown table of ``rows`` under :data:`COLUMNS`."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(rows: list[tuple]) -> str:
    """A plain-text table for the terminal (without the constants column)."""
    keep = [i for i, name in enumerate(COLUMNS) if name != "constants"]
    cells = [[COLUMNS[i] for i in keep]] + [[str(row[i]) for i in keep] for row in rows]
    widths = [max(len(line[j]) for line in cells) for j in range(len(keep))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in cells)


def write_folder(folder, results: dict, curves: list[dict], format: str = "png") -> list[pathlib.Path]:
    """Write results.json, curves.npz, the figures (``format``: png, pdf or svg) and report.md
    into ``folder``."""
    check_format(format)
    arrays = {curve_key(case["label"], name): np.asarray(value)
              for case, c in zip(results["cases"], curves, strict=True) for name, value in c.items()}
    with staged_folder(folder) as stage:  # a failed figure leaves the folder's old report whole
        write_npz_atomic(stage / "curves.npz", arrays)
        write_json_atomic(stage / RESULTS, results)
        figures = write_figures(stage, format)
        write_text_atomic(stage / "report.md", report_markdown(results, figures))
        written = [stage / "report.md", stage / RESULTS, stage / "curves.npz", *figures]
    return unstaged(written, stage, folder)


def read_folder(folder) -> tuple[dict, list[dict]]:
    """Read ``results.json`` and ``curves.npz`` back."""
    folder = pathlib.Path(folder)
    results = read_results(folder, "verify")
    position = {case["label"]: i for i, case in enumerate(results["cases"])}
    curves = [{} for _ in results["cases"]]
    for key, array in read_npz(folder / "curves.npz").items():
        label, name = key.rsplit("/", 1)
        if label not in position:
            raise ValueError(f"{folder / 'curves.npz'} holds case {label!r}, which {RESULTS} does not "
                             "have: the two files are from different runs")
        curves[position[label]][name] = array
    return results, curves


def curve_key(label: str, name: str) -> str:
    """Name of one case's array in ``curves.npz``: ``"power(p=4) beta=2/3/gap"`` (case label, then array)."""
    return f"{label}/{name}"


def write_figures(folder, format: str = "png") -> list[pathlib.Path]:
    """Draw every figure of :data:`FIGURES` (``format``: png, pdf or svg) from the saved files of ``folder``."""
    check_format(format)
    folder = pathlib.Path(folder)
    results, curves = read_folder(folder)
    paths = []
    for name, draw in FIGURES:
        drawn = draw(results, curves, folder / f"{name}.{format}")
        paths += [] if drawn is None else drawn if isinstance(drawn, list) else [drawn]
    return [pathlib.Path(path) for path in paths]


def _title(case: dict) -> str:
    from gsmooth.plots.rates import case_title

    return case_title(case["problem"], case["method"])


def _sweep_title(case: dict) -> str:
    """The title of an eps-sweep panel: the sweep runs at the theory's gamma(eps), not the case's lr."""
    from gsmooth.plots.rates import case_title

    method = case["method"].split(", lr=")[0]
    return case_title(case["problem"], method) + r", $\gamma = \gamma(\epsilon)$"


def decay_figure(results, curves, path):
    """Gap traces of every case with its derived bound and fitted law."""
    from gsmooth.plots.rates import decay_figure as draw
    from gsmooth.plots.rates import decay_plot_data

    panels = []
    for case, c in zip(results["cases"], curves):
        if case["decay"] is None:
            continue
        with np.errstate(over="ignore"):
            bound = np.exp(c["log_bound"]) if "log_bound" in c else None
        panels.append((_title(case), decay_plot_data(c["iters"], c["gap"], case["decay"], bound)))
    return draw(panels, path) if panels else None


def teps_figure(results, curves, path):
    """Observed and derived T(eps) of every case with an eps-sweep."""
    from gsmooth.plots.rates import teps_figure as draw

    sweeps = [(_sweep_title(case), case["sweep"]) for case in results["cases"] if case["sweep"]]
    return draw(sweeps, path) if sweeps else None


def regime_figure(results, curves, path):
    """The (rho, beta) plane with the tested points (a bar over an estimated rho's interval)."""
    from gsmooth.plots.rates import tested_regime_figure

    points = sorted({(*case["rho_beta"], case["problem"]) for case in results["cases"] if case["rho_beta"]})
    return tested_regime_figure(points, path)


def comparison_figures(results, curves, path):
    """Per case with an eps-sweep: the published bounds and the derived one on its constants,
    beside the observed T(eps) (:func:`gsmooth.plots.rate_comparison`); one file per case."""
    from gsmooth.plots.rate_comparison import rate_comparison

    path = pathlib.Path(path)
    drawn = []
    for case in results["cases"]:
        if case.get("comparison") and case["sweep"]:
            target = path.with_name(f"{path.stem}-{_slug(case['label'])}{path.suffix}")
            rate_comparison(case["comparison"], case["sweep"], title=_sweep_title(case), path=target)
            drawn.append(target)
    return drawn


def _slug(label: str) -> str:
    """``power(p=4) beta=2/3`` -> ``power_p4_beta2-3``: a case label as part of a file name."""
    return re.sub(r"[^A-Za-z0-9-]+", "_", label.replace("/", "-").replace("=", "")).strip("_")


FIGURES = [("decay", decay_figure), ("teps", teps_figure), ("regime-map", regime_figure),
           ("rate-comparison", comparison_figures)]
"""The report's figures, in order: ``(file stem, draw(results, curves, path) -> path, paths or None)``."""


def report_markdown(results: dict, figures: list) -> str:
    """The report: outcome with reasons, hypothesis per case, check table, notes, figures."""
    cases = results["cases"]
    lines = [
        "# gsmooth verify", "",
        (f"Outcome: **{results['outcome']}** (exit code {results['exit_code']}; {results['n_failed']} failed "
         f"of {results['n_checks']} judged checks; {results['seconds']:.1f} s, device {results['device']}, "
         f"{results['runs']} runs per case)."), "",
    ]
    lines += [f"- because {reason}" for reason in results["reasons"]]
    lines += [f"- to get a judged check: {remedy}" for remedy in results["remedies"]]
    lines += [f"- note: {note}" for note in results["options"].get("notes", [])]
    lines += ["", OUTCOME_HELP, "", "## Constants", ""]
    for case in cases:
        constants = case["hypothesis"].get("constants", {})
        text = "; ".join(Constant.from_dict(c).text() for c in constants.values()) or "none (see notes)"
        lines.append(f"- {case['label']} ({case['outcome']['outcome']}): {text}")
    lines += ["", "## Checks", "", markdown_table(table_rows(cases)), "",
              ("Assumption checks test the claimed constants on the runs' points; bound checks compare with "
               "the derived, guaranteed bounds (over the estimates' intervals where constants are "
               "estimated); shape checks compare with predictions made with PL as an equality and the full "
               "first-order decrease (judged on the analytic cases, exact there for small steps). "
               "'info' rows are reported, not judged; 'n/a' rows say why they do not apply."), ""]
    notes = [f"- {case['label']}: {'; '.join(case['notes'])}" for case in cases if case["notes"]]
    if notes:
        lines += ["## Notes", "", *notes, ""]
    lines += ["## Figures", ""] + [f"![{path.stem}]({path.name})" for path in figures]
    return "\n".join(lines) + "\n"
