"""The verification report folder: verdict table, results.json, curves.npz and figures.

``results.json`` (``"kind": "verify"``) holds every case without its curves;
``curves.npz`` (read with ``allow_pickle=False``) holds the gap traces and
bounds; :func:`write_figures` redraws the figures from these two files alone.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np

from gsmooth._io import write_json_atomic, write_text_atomic
from gsmooth._io import write_npz_atomic

COLUMNS = ("problem", "method", "constants", "regime, T exponent", "check", "predicted",
           "observed [95% interval]", "verdict")


def table_rows(cases: list[dict]) -> list[tuple]:
    """One row per check of every case (dicts as in ``results.json``)."""
    rows = []
    for case in cases:
        regime = f"{case['regime']}, {case['T_exponent']:.3g}{' + log' if case['log_factor'] else ''}"
        for check in case["checks"]:
            rows.append((case["problem"], case["method"], _constants_text(case), regime,
                         check["quantity"], check["predicted"], check["observed"],
                         _verdict_text(check)))
    return rows


def _constants_text(case: dict) -> str:
    c = case["constants"]
    text = f"rho={c['rho']:.3g} mu={c['mu']:.3g} alpha={c['alpha']:.3g} L0={c['L0']:.3g} L1={c['L1']:.3g}"
    return text + (" (est.)" if case["estimated"] else "")


def _verdict_text(check: dict) -> str:
    return check["verdict"] + (f" ({check['note']})" if check["note"] else "")


def markdown_table(rows: list[tuple]) -> str:
    """A GitHub-markdown table of ``rows`` under :data:`COLUMNS`."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(cell).replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(rows: list[tuple]) -> str:
    """A plain-text table for the terminal (without the constants column)."""
    keep = [i for i, name in enumerate(COLUMNS) if name != "constants"]
    cells = [[COLUMNS[i] for i in keep]] + [[str(row[i]) for i in keep] for row in rows]
    widths = [max(len(line[j]) for line in cells) for j in range(len(keep))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in cells)


def write_folder(folder, results: dict, curves: list[dict]) -> list[pathlib.Path]:
    """Write results.json, curves.npz, the figures and report.md into ``folder``."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(folder / "results.json", results)
    arrays = {f"{i}_{name}": np.asarray(value) for i, c in enumerate(curves) for name, value in c.items()}
    write_npz_atomic(folder / "curves.npz", arrays)
    figures = write_figures(folder)
    write_text_atomic(folder / "report.md", report_markdown(results, figures))
    return [folder / "report.md", folder / "results.json", folder / "curves.npz", *figures]


def read_folder(folder) -> tuple[dict, list[dict]]:
    """Read ``results.json`` and ``curves.npz`` back."""
    folder = pathlib.Path(folder)
    results = json.loads((folder / "results.json").read_text())
    curves = [{} for _ in results["cases"]]
    with np.load(folder / "curves.npz", allow_pickle=False) as data:
        for key in data.files:
            index, name = key.split("_", 1)
            curves[int(index)][name] = data[key]
    return results, curves


def write_figures(folder) -> list[pathlib.Path]:
    """Draw decay.png, teps.png and regime-map.png from the saved files of ``folder``."""
    from gsmooth.plots.rates import decay_figure, decay_plot_data, teps_figure
    from gsmooth.plots.regime_map import regime_map

    folder = pathlib.Path(folder)
    results, curves = read_folder(folder)
    panels = [(case["label"], decay_plot_data(c["iters"], c["gap"], case["decay"], c.get("bound")))
              for case, c in zip(results["cases"], curves)]
    paths = [pathlib.Path(decay_figure(panels, folder / "decay.png"))]
    sweeps = [(case["label"], case["sweep"]) for case in results["cases"] if case["sweep"]]
    if sweeps:
        paths.append(pathlib.Path(teps_figure(sweeps, folder / "teps.png")))
    points = sorted({tuple(case["rho_beta"]) for case in results["cases"]})
    paths.append(_regime_map(regime_map, points, folder / "regime-map.png"))
    return paths


def _regime_map(draw, points, path) -> pathlib.Path:
    from gsmooth.plots.style import new_figure, save_figure

    fig, (ax,) = new_figure(width=4.5, height=3.4)
    draw(points=points, ax=ax)
    ax.set_title("tested (rho, beta)")
    return pathlib.Path(save_figure(fig, path))


def report_markdown(results: dict, figures: list) -> str:
    """The report: verdict, table, notes per case, figures, and what the tolerances mean."""
    cases = results["cases"]
    verdict = "PASS" if results["passed"] else "FAIL"
    lines = [
        "# gsmooth verify", "",
        (f"Verdict: **{verdict}** ({results['n_failed']} failed of {results['n_checks']} judged checks; "
         f"{results['seconds']:.1f} s, device {results['device']}, {results['runs']} runs per case)."), "",
        markdown_table(table_rows(cases)), "",
        ("Shape checks compare with predictions made with PL as an equality and the full first-order "
         "decrease (exact on the analytic zoo for small steps); bound checks compare with the derived, "
         "guaranteed bounds. 'info' rows (estimated constants) are reported, not judged."), "",
    ]
    notes = [f"- {case['label']}: {'; '.join(case['notes'])}" for case in cases if case["notes"]]
    if notes:
        lines += ["## Notes", "", *notes, ""]
    lines += ["## Figures", ""] + [f"![{path.stem}]({path.name})" for path in figures]
    return "\n".join(lines) + "\n"
