"""Reproduce the paper's experiments: every method over many seeds, in one lockstep loop.

``reproduce("phase-retrieval")`` builds the problem, computes the warm start
once, runs every method of :mod:`gsmooth.reproduction.experiments` over all seeds in one
lockstep loop (:func:`gsmooth.run_many`, recording every step), cuts all curves
at a common sample budget and summarizes final values and samples to a
target.  ``ablation=`` runs the IAN-SGD variants of one ablation instead,
batching variants that share batch sizes into one optimizer.  ``out=`` writes
``results.json`` (``"kind": "reproduce"``), ``curves.npz`` and the figures;
:func:`redraw` draws the figures again from those files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gsmooth import _backend, _tables
from gsmooth._checks import positive_int
from gsmooth._io import (
    RESULTS,
    check_no_other_result,
    check_output_dir,
    read_npz,
    read_results,
    staged_folder,
    unstaged,
    write_json_atomic,
    write_npz_atomic,
)
from gsmooth.plots.style import check_format
from gsmooth.reproduction import experiments
from gsmooth.reproduction.experiments.ablations import Variant, run_groups, variants
from gsmooth.reproduction.experiments.settings import batched_optimizer
from gsmooth.reproduction.summary import Curves, final_values, sample_cut, summarize, table

CURVES = "curves.npz"
_ARRAYS = ("iters", "samples", "metric", "loss", "status")


@dataclass
class Reproduction:
    """Curves of every method (or ablation variant) and what the report says of them.

    Attributes
    ----------
    experiment, title : str
    ablation : str or None
    released : bool
    seeds : list of int
    curves : list of Curves
    metric, metric_label : str
    target : float
    target_rule : str
    sample_cut : float
        Common sample budget of every curve.
    reference_lines : list of dict
        Horizontal lines (value, label, style) drawn on the figures.
    info : dict
        Problem, settings, device and timings, for ``results.json``.
    """

    experiment: str
    title: str
    ablation: str | None
    released: bool
    seeds: list
    curves: list
    metric: str
    metric_label: str
    target: float
    target_rule: str
    sample_cut: float
    reference_lines: list
    info: dict

    def summaries(self) -> list[tuple[str, dict]]:
        """``(label, summary)`` per curve; see :func:`gsmooth.reproduction.summary.summarize`."""
        return [(c.label if c.panel is None else f"{c.panel}, {c.label}",
                 summarize(c, self.target, self.sample_cut)) for c in self.curves]

    def table(self) -> str:
        """The report table: final metric and samples to target per method, over seeds."""
        head = (f"{self.title}{'' if self.ablation is None else f', ablation {self.ablation}'}: "
                f"{len(self.seeds)} seeds, budget {self.sample_cut:.0f} samples, "
                f"target {self.target:.4g} ({self.target_rule})")
        return head + "\n" + table(self.summaries(), self.metric_label, self.target)

    __str__ = table

    def to_json(self) -> dict:
        """The content of ``results.json``."""
        methods = []
        for c, (_, summary) in zip(self.curves, self.summaries()):
            methods.append({"key": c.key, "label": c.label, "panel": c.panel, "paper": c.paper,
                            "gsmooth": c.optimizer, **summary})
        return {
            "kind": "reproduce", "experiment": self.experiment, "title": self.title,
            "ablation": self.ablation, "released": self.released, "seeds": self.seeds,
            "metric": self.metric, "metric_label": self.metric_label,
            "target": {"value": self.target, "rule": self.target_rule},
            "sample_cut": self.sample_cut, "reference_lines": self.reference_lines,
            **self.info, "methods": methods,
        }

    def save(self, folder, format: str = "png") -> list[Path]:
        """Write ``results.json``, ``curves.npz`` and the figures (``format``: png, pdf or svg)
        into ``folder``."""
        from gsmooth.plots import reproduction as reproduction_figures

        names = reproduction_figures.figure_names(self.ablation, format)
        arrays = {_npz_key(c.key, name): getattr(c, name) for c in self.curves for name in _ARRAYS}
        data = self.to_json()
        data["files"] = {"curves": CURVES,
                         "figures": list(names)}
        with staged_folder(folder) as stage:  # a failed figure leaves the folder's old result whole
            write_npz_atomic(stage / CURVES, arrays)
            write_json_atomic(stage / RESULTS, data)
            figures = reproduction_figures.draw(self, stage, format)
            written = [stage / RESULTS, stage / CURVES, *figures]
        return unstaged(written, stage, folder)

    def to_pandas(self):
        """Long form: one row per method (or variant), record and seed.

        Columns ``run, record, iteration, samples, metric, loss``, then per
        run ``seed`` and ``status``, then ``method`` (the key), ``label`` and
        ``panel``.

        Examples
        --------
        >>> import gsmooth as gs
        >>> rep = gs.reproduce("phase-retrieval", seeds=2, steps=4,
        ...                    problem_options={"m": 100, "d": 5})
        >>> table = rep.to_pandas()
        >>> len(table) == 7 * 5 * 2, sorted(set(table["method"]))[:2]
        (True, ['an_sgd', 'clipped_sgd'])
        """
        pd = _tables.pandas()
        return pd.concat([c.to_pandas() for c in self.curves], ignore_index=True)

    @classmethod
    def load(cls, folder) -> Reproduction:
        """Read a reproduction written by :meth:`save` (JSON and ``.npz``, no pickle)."""
        folder = Path(folder)
        data = read_results(folder, "reproduce")
        npz = read_npz(folder / CURVES)
        curves = [
            Curves(m["key"], m["label"], m["paper"], m["gsmooth"],
                   [s["seed"] for s in m["per_seed"]],
                   **{name: npz[_npz_key(m["key"], name)] for name in _ARRAYS},
                   panel=m["panel"])
            for m in data["methods"]
        ]
        info = {k: data[k] for k in ("problem", "settings", "device", "dtype", "seconds")}
        return cls(data["experiment"], data["title"], data["ablation"], data["released"],
                   data["seeds"], curves, data["metric"], data["metric_label"],
                   data["target"]["value"], data["target"]["rule"], data["sample_cut"],
                   data["reference_lines"], info)


def _npz_key(method: str, name: str) -> str:
    """Name of one curve's array in ``curves.npz``: ``"ian_sgd/iters"``."""
    return f"{method}/{name}"


def reproduce(experiment: str = "phase-retrieval", *, seeds=10, out=None, device: str = "numpy",
              data=None, released: bool = False, ablation: str | None = None,
              steps: int | None = None, problem_options: dict | None = None,
              dtype: str = "float64", overlap: bool = False, progress=None,
              format: str = "png") -> Reproduction:
    """Run one of the paper's experiments (or one of its ablations) over many seeds.

    Parameters
    ----------
    experiment : {"phase-retrieval", "dro"}
    seeds : int or sequence of int
        Seeds of the minibatch streams (a count ``k`` means ``0..k-1``).  All
        seeds start from the same warm start, as the released scripts do.
        Ablation variants batched into one run use the seeds shifted by
        multiples of ``max(seeds) + 1``, so every run keeps its own stream.
    out : path, optional
        Folder for ``results.json``, ``curves.npz`` and the figures.
    device : {"numpy", "cupy", "array-api-strict"}
    data : path, optional
        DRO: the WHO life-expectancy CSV; synthetic data when omitted.
    released : bool
        Keep the released script's behaviour where it differs from the
        paper's formulas (DRO: the label-leaking preprocessing and, on the
        WHO data without ``problem_options``, the released random draws).
    ablation : {"beta", "batch2", "delta", "tau"}, optional
        Run the IAN-SGD variants of one ablation instead of the methods;
        see :mod:`gsmooth.reproduction.experiments.ablations`.
    steps : int, optional
        Stochastic steps (default: the paper's budget).
    problem_options : dict, optional
        Overrides for the problem (e.g. ``{"m": 200, "d": 10}``) for small runs.
    dtype : {"float64", "float32"}
    overlap : bool
        Evaluate each step's record beside the step (see :func:`gsmooth.run`);
        fastest on a small machine with BLAS on one thread.
    progress : bool or None
        Progress bars of the runs.
    format : {"png", "pdf", "svg"}
        File format of the figures written to ``out``.

    Returns
    -------
    Reproduction

    Examples
    --------
    >>> import gsmooth as gs
    >>> rep = gs.reproduce("phase-retrieval", seeds=2, steps=20,
    ...                    problem_options={"m": 200, "d": 10})
    >>> [c.key for c in rep.curves][-1], rep.curves[-1].metric.shape
    ('ian_sgd', (21, 2))
    """
    check_format(format)
    if out is not None:
        check_no_other_result(check_output_dir(out, "out"), "reproduce", "out")
    spec = experiments.get(experiment)
    steps = spec.steps if steps is None else positive_int("steps", steps)
    seed_values = _backend.seed_list(seeds)
    problem = spec.make_problem(data, released, **(problem_options or {}))
    start = spec.warm_start.point(problem, spec.grad_scale)
    if ablation is None:
        items = [Variant(setting) for setting in spec.methods]
        groups = [[i] for i in range(len(items))]
    else:
        items = variants(ablation, spec.method("ian_sgd"))
        groups = run_groups(items)
    curves: list = [None] * len(items)
    seconds = {"runs": 0.0}
    for same_size in _by_size(groups):
        run_seeds = _group_seeds(seed_values, len(same_size[0]))
        opts = [batched_optimizer([items[j].setting for j in group], spec.grad_scale,
                                  repeats=len(seed_values)) for group in same_size]
        results = _run(problem, opts, steps, run_seeds, start, spec,
                       {"device": device, "dtype": dtype, "overlap": overlap, "progress": progress})
        seconds["runs"] += results[0].seconds
        for group, result in zip(same_size, results, strict=True):
            metric = result.loss if result.metric is None else result.metric
            for position, j in enumerate(group):
                cols = slice(position * len(seed_values), (position + 1) * len(seed_values))
                curves[j] = _curves(items[j], result, metric, cols, run_seeds[cols])
    rep = _assemble(spec, problem, curves, seed_values, ablation, released,
                    {"device": device, "dtype": dtype, "seconds": seconds, "start": start})
    if out is not None:
        rep.save(out, format)
    return rep


def redraw(folder, format: str = "png") -> list[Path]:
    """Draw the figures of the reproduction saved in ``folder`` again (``format``: png, pdf or
    svg); return their paths."""
    from gsmooth.plots import reproduction as reproduction_figures

    return reproduction_figures.draw(Reproduction.load(folder), folder, format)


def _by_size(groups: list[list[int]]) -> list[list[list[int]]]:
    """Groups of one size together: each such set is one lockstep loop of :func:`run_many`."""
    sizes: dict[int, list[list[int]]] = {}
    for group in groups:
        sizes.setdefault(len(group), []).append(group)
    return list(sizes.values())


def _group_seeds(seed_values: list[int], n_variants: int) -> list[int]:
    """Seeds of a batched group: variant ``p`` gets the seeds shifted past every other's."""
    stride = max(seed_values) + 1
    return [s + p * stride for p in range(n_variants) for s in seed_values]


def _run(problem, opts, steps, run_seeds, start, spec, options):
    """One lockstep loop of ``opts`` recording, at every step, the objective and the
    reported metric (``problem.psi`` on the device for DRO); the full gradient norm is
    not needed."""
    from gsmooth.engine import run_many

    w0 = np.broadcast_to(start, (len(run_seeds), problem.dim)).copy()
    metric = problem.psi if spec.metric == "psi" else None
    return run_many(problem, opts, steps, seeds=run_seeds, w0=w0, record=1,
                    track_grad_norm=False, metric=metric, **options)


def _curves(item, result, metric, cols, seeds):
    setting = item.setting
    optimizer = {k: (v[cols][0] if isinstance(v, list) else v)
                 for k, v in result.optimizer.items()}
    return Curves(setting.key, setting.label, setting.paper_notation(), optimizer,
                  list(seeds), result.iters[:, cols], result.samples[:, cols],
                  metric[:, cols], result.loss[:, cols], result.status[cols], item.panel)


def _assemble(spec, problem, curves, seeds, ablation, released, run_info):
    cut = sample_cut(curves) if spec.budget is None else min(sample_cut(curves), spec.budget)
    finals = {c.key: float(np.median(final_values(c, cut))) for c in curves}
    target, rule = spec.target(problem, finals)
    lines = [{"value": target, "label": f"target ({rule})", "style": "--"}]
    info = {"name": problem.name, "dim": problem.dim, "n_samples": problem.n_samples}
    if hasattr(problem, "noise_floor"):
        info["noise_floor"] = problem.noise_floor
        info["value_at_w_true"] = float(problem.value(problem.w_true[None, :])[0])
        lines.append({"value": problem.noise_floor, "label": "noise floor", "style": ":"})
    start = run_info.pop("start")
    info["warm_start_value"] = float(problem.value(start[None, :])[0])
    return Reproduction(
        spec.name, spec.title, ablation, released, seeds, curves, spec.metric,
        spec.metric_label, float(target), rule, cut, lines,
        {"problem": info, "settings": spec.describe(), **run_info},
    )
