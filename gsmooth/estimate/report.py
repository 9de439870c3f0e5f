"""Output folders of ``gsmooth estimate``: ``results.json`` and the figures.

``results.json`` has ``"kind": "estimate"``, a ``"meta"`` dict (problem,
method, steps, seeds) and one entry per estimate (``"smoothness"``, ``"pl"``,
``"noise"``) holding its ``as_dict()``, data included, so :func:`redraw`
rebuilds every figure from the JSON alone; a fit of external pairs
(``gsmooth estimate --pairs``) writes ``"pairs"``, a dict of block label to
smoothness estimate, drawn one figure per block, ``pairs_<block>.<format>``
with the characters a file name cannot hold replaced by ``_``; block names
that give the same file name (``"a b"`` and ``"a_b"``, or ``"A"`` and ``"a"``
on a case-insensitive disk) get ``-2``, ``-3``, ... in order of the blocks,
so every figure has its own file.  It is written atomically.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

from gsmooth._io import (
    RESULTS,
    check_no_other_result,
    check_output_dir,
    read_results,
    staged_folder,
    unstaged,
    write_json_atomic,
)
from gsmooth._tables import pandas
from gsmooth.estimate.noise import NoiseEstimate
from gsmooth.estimate.pl import PLEstimate
from gsmooth.estimate.resampling import jsonable
from gsmooth.estimate.smoothness import SmoothnessEstimate
from gsmooth.plots.style import check_format

KIND = "estimate"
PAIRS = "pairs"
ESTIMATES = {"smoothness": SmoothnessEstimate, "pl": PLEstimate, "noise": NoiseEstimate}
TABLE_CONSTANTS = {"smoothness": ("L0", "L1", "alpha"), "pl": ("rho", "mu"),
                   "noise": ("tau1", "tau2", "A", "delta")}


def write_report(folder, estimates: dict, meta: dict | None = None, *,
                 format: str = "png") -> list[pathlib.Path]:
    """Write ``results.json`` and the figures of ``estimates`` into ``folder``.

    Parameters
    ----------
    folder : path
        Created if missing.
    estimates : dict
        Any of ``"smoothness"``, ``"pl"``, ``"noise"`` mapped to the estimate.
    meta : dict, optional
        JSON-ready description of how the estimates were made.
    format : {"png", "pdf", "svg"}
        File format of the figures.

    Returns
    -------
    list of pathlib.Path
        ``results.json`` and the figures.
    """
    unknown = set(estimates) - set(ESTIMATES) - {PAIRS}
    if unknown:
        raise ValueError(f"estimates must be among {sorted(ESTIMATES)}, got {sorted(unknown)}")
    check_format(format)
    not_estimates = {name: type(est).__name__ for name, est in estimates.items()
                     if name != PAIRS and not hasattr(est, "as_dict")}
    if not_estimates:
        raise TypeError(f"estimates must map names to estimates (gs.estimate.smoothness(...) and "
                        f"the like), got {not_estimates}")
    check_no_other_result(check_output_dir(folder, "folder"), KIND, "folder")
    payload = {"kind": KIND, "meta": jsonable(meta or {})}
    payload.update({name: est.as_dict() for name, est in estimates.items() if name != PAIRS})
    if PAIRS in estimates:
        payload[PAIRS] = {str(block): est.as_dict() for block, est in estimates[PAIRS].items()}
    with staged_folder(folder) as stage:  # a failed figure leaves the folder's old report whole
        write_json_atomic(stage / RESULTS, payload)
        written = [stage / RESULTS] + _draw(stage, estimates, format)
    return unstaged(written, stage, folder)


@dataclass
class EstimateReport:
    """What ``gsmooth estimate`` wrote into a folder: the estimates and how they were made.

    Attributes
    ----------
    estimates : dict
        Any of ``"smoothness"``, ``"pl"``, ``"noise"`` mapped to the estimate,
        and ``"pairs"`` mapped to ``{block: SmoothnessEstimate}``.
    meta : dict
        Problem, method, steps, seeds and the options of the command.
    """

    estimates: dict
    meta: dict = field(default_factory=dict)

    @classmethod
    def load(cls, folder) -> EstimateReport:
        """Read the ``results.json`` of ``folder``."""
        return cls(*load_report(folder))

    def to_pandas(self):
        """Every estimate's data in long form, one row per point, with an ``estimate``
        column (``smoothness``, ``pl``, ``noise`` or ``pairs``) and a ``block`` column."""
        pd = pandas()
        parts = []
        for name, est in self.estimates.items():
            blocks = est if name == PAIRS else {None: est}
            for block, one in blocks.items():
                table = one.to_pandas()
                table.insert(0, "block", block)
                table.insert(0, "estimate", name)
                parts.append(table)
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        """The table of constants with intervals."""
        return table({k: v for k, v in self.estimates.items() if k != PAIRS})


def load_report(folder) -> tuple[dict, dict]:
    """Read ``results.json`` of ``folder``: ``(estimates, meta)``."""
    payload = read_results(folder, KIND)
    estimates = {name: cls.from_dict(payload[name]) for name, cls in ESTIMATES.items()
                 if name in payload}
    if PAIRS in payload:
        estimates[PAIRS] = {block: SmoothnessEstimate.from_dict(d)
                            for block, d in payload[PAIRS].items()}
    return estimates, payload.get("meta", {})


def redraw(folder, format: str = "png") -> list[pathlib.Path]:
    """Draw again the figures (``format``: png, pdf or svg) of a folder written by :func:`write_report`."""
    check_format(format)
    estimates, _ = load_report(folder)
    return _draw(pathlib.Path(folder), estimates, format)


def _draw(folder: pathlib.Path, estimates: dict, format: str) -> list[pathlib.Path]:
    from gsmooth.plots import estimate as plots

    figures = {"smoothness": plots.smoothness_figure, "pl": plots.pl_figure,
               "noise": plots.noise_figure}
    paths = [pathlib.Path(figures[name](est, folder / f"{name}.{format}"))
             for name, est in estimates.items() if name != PAIRS]
    blocks = estimates.get(PAIRS, {})
    for name, est in zip(block_file_names(blocks), blocks.values(), strict=True):
        paths.append(pathlib.Path(plots.smoothness_figure(est, folder / f"{name}.{format}")))
    return paths


def block_file_names(blocks) -> list[str]:
    """File names (without suffix) of the blocks' figures, distinct even ignoring case.

    Examples
    --------
    >>> block_file_names(["a b", "a_b", "A_B", "fc1"])
    ['pairs_a_b', 'pairs_a_b-2', 'pairs_A_B-3', 'pairs_fc1']
    """
    names, taken = [], set()
    for block in blocks:
        stem = f"{PAIRS}_{_slug(block)}"
        name, copy = stem, 1
        while name.lower() in taken:
            copy += 1
            name = f"{stem}-{copy}"
        taken.add(name.lower())
        names.append(name)
    return names


def _slug(text) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(text)) or "all"


def table(estimates: dict) -> str:
    """One line per constant: name, estimate and interval, as an aligned text table.

    Examples
    --------
    >>> print(table({}))
    constant        estimate                     interval
    """
    rows = [("constant", "estimate", "interval")]
    for name, est in estimates.items():
        if name == PAIRS:
            continue
        intervals = est.intervals or {}
        for constant in TABLE_CONSTANTS[name]:
            value = getattr(est, constant)
            interval = intervals.get(constant)
            rows.append((constant, "n/a" if value is None else f"{value:.5g}",
                         "none" if interval is None
                         else f"[{interval[0]:.5g}, {interval[1]:.5g}]"))
    return "\n".join(f"{a:<16}{b:<29}{c}".rstrip() for a, b, c in rows)
