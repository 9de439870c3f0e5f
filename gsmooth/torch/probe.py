r"""Exact smoothness of a PyTorch model along its training, globally and per layer.

:class:`SmoothnessProbe` watches the optimizer steps of a user's loop and, at
every ``every``-th step :math:`t`, measures on one fixed probe batch, i.e. on
the one fixed function :math:`f_P(w)` = ``loss_fn(model(inputs), targets)``
(in evaluation mode: dropout off, batch-norm running statistics used and
left unchanged), at the point :math:`w_t` before the step:

``grad_norm``
    :math:`\|\nabla f_P(w_t)\|`, and :math:`\|\nabla_b f_P(w_t)\|` per block;
``hessian_norm``
    :math:`\|\nabla^2 f_P(w_t)\|` and :math:`\|\nabla^2_{bb} f_P(w_t)\|` per block,
    by power iteration on exact Hessian-vector products
    (:mod:`gsmooth.torch.hessian`), warm-started from the previous record:
    **the quantity of the local condition** :math:`\|\nabla^2 f\| \le L_0 +
    L_1\|\nabla f\|^\alpha`;
``directional``
    Zhang et al.'s (ICLR 2020) midpoint ratio along the step
    :math:`d = w_{t+1} - w_t`, :math:`\|\nabla f_P(w_t + d/2) - \nabla f_P(w_t)\|
    / (\|d\|/2)`, and per block the same for :math:`f_P` as a function of
    block :math:`b` alone, :math:`\|\nabla_b f_P(w_t + d_b/2) - \nabla_b
    f_P(w_t)\| / (\|d_b\|/2)` (block :math:`b` moved by its part of the step,
    the others held at :math:`w_t`).  A *proxy*: the Hessian in the step's
    direction averaged over half the step, which can lie far below the
    Hessian norm; recorded because published studies of networks fit it
    (``midpoint=False`` skips it);
``step_norm``, ``loss``
    :math:`\|d\|` (:math:`\|d_b\|` per block) and :math:`f_P(w_t)`.

Blocks are the model's layers (the parameters of each module that owns
some) or groups the user names; the row ``"all"`` is the whole vector.

**Cost per recorded step** (measured: :meth:`SmoothnessProbe.cost`): one
forward and backward pass with graph on the probe batch, then for every row
(whole vector and each block) one Hessian-vector product per power
iteration (about one forward-and-backward pass for the whole vector, less
for a block), and with ``midpoint=True`` one more forward and backward pass
per row (the whole vector, and each block moved alone).  Memory: nothing
copies the model; with ``midpoint=True`` one copy of the parameter tensors is held between ``before_step`` and
``after_step`` (the step :math:`d` is not known otherwise), and the
midpoint is evaluated through ``torch.func.functional_call`` without
touching the model's parameters.  Steps not recorded cost nothing.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import time

import numpy as np
import torch

from gsmooth._checks import positive_int
from gsmooth.torch.hessian import GLOBAL, hessian_norms, parameter_blocks
from gsmooth.torch.norms import global_norm

__all__ = ["SmoothnessProbe", "block_smoothness", "probe_result", "probe_table"]

#: Columns of :meth:`SmoothnessProbe.table`, one row per record and block.
COLUMNS = ("run", "block", "iteration", "grad_norm", "hessian_norm", "directional", "step_norm",
           "loss", "hessian_vector_products", "converged", "seconds")
#: The smoothness columns :func:`block_smoothness` fits.
QUANTITIES = ("hessian_norm", "directional")


@contextlib.contextmanager
def _evaluation_mode(model: torch.nn.Module):
    """Every submodule in eval mode inside, each restored to its own mode after."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.train(training)


class SmoothnessProbe:
    r"""Record exact Hessian norms and directional ratios along a training loop.

    Call :meth:`before_step` and :meth:`after_step` around every
    ``optimizer.step()`` (or wrap it in ``with probe.observe():``); the probe
    counts steps and records every ``every``-th one.  The module docstring
    says what is measured and what it costs.

    Parameters
    ----------
    model : torch.nn.Module
        The model being trained; its parameters with ``requires_grad`` are :math:`w`.
    probe_batch : tuple (inputs, targets)
        The fixed batch defining :math:`f_P`.
    loss_fn : callable
        ``loss_fn(model(inputs), targets) -> scalar tensor``.
    every : int
        Record steps ``0, every, 2 every, ...``.
    blocks : dict of str to list of str, optional
        Named groups of parameter names (default: one block per layer).
    midpoint : bool
        Also record the directional (midpoint) ratio.
    run : int
        Label of this run (e.g. the seed) in the table; runs are the unit of
        resampling for intervals.
    iterations, tol : int, float
        Most power-iteration steps per row and their stopping tolerance.
    seed : int
        Seed of the power iteration's random start.

    Examples
    --------
    On :math:`f(w) = \frac12 w^\top H w` the Hessian norm is the top eigenvalue:

    >>> import torch
    >>> from gsmooth.torch import SmoothnessProbe
    >>> h = torch.diag(torch.tensor([1.0, 4.0], dtype=torch.float64))
    >>> class Quadratic(torch.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
    ...     def forward(self, h):
    ...         return 0.5 * self.w @ h @ self.w
    >>> model = Quadratic()
    >>> probe = SmoothnessProbe(model, (h, None), lambda value, _: value)
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     model(h).backward()
    ...     with probe.observe():
    ...         opt.step()
    >>> table = probe.table()
    >>> [round(float(v), 3) for v in table["hessian_norm"][table["block"] == "all"]]
    [4.0, 4.0, 4.0]
    """

    def __init__(self, model: torch.nn.Module, probe_batch, loss_fn, *, every: int = 1,
                 blocks=None, midpoint: bool = True, run: int = 0, iterations: int = 100,
                 tol: float = 1e-4, seed: int = 0):
        if not callable(loss_fn):
            raise ValueError(f"loss_fn must be callable, got {loss_fn!r}")
        if not isinstance(probe_batch, (tuple, list)) or len(probe_batch) != 2:
            raise ValueError(f"probe_batch must be (inputs, targets), got {probe_batch!r:.60}")
        if not 0 < tol < 1:
            raise ValueError(f"tol must be in (0, 1), got {tol}")
        self.model, self.probe_batch, self.loss_fn = model, tuple(probe_batch), loss_fn
        self.every, self.iterations, self.tol = (positive_int("every", every),
                                                 positive_int("iterations", iterations), tol)
        self.midpoint, self.run = bool(midpoint), int(run)
        self.named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
        self.blocks = parameter_blocks(self.named, blocks)
        index = {name: i for i, (name, _) in enumerate(self.named)}
        self._rows = [list(range(len(self.named)))] + [
            [index[name] for name in members] for members in self.blocks.values()]
        self.records: list[dict] = []
        self._step, self._pending, self._vectors = 0, None, None
        self._generator = torch.Generator().manual_seed(int(seed))

    @property
    def params(self) -> list[torch.Tensor]:
        """The parameters watched, in ``model.named_parameters()`` order."""
        return [p for _, p in self.named]

    def _loss(self, parameters=None) -> torch.Tensor:
        inputs, targets = self.probe_batch
        if parameters is None:
            outputs = self.model(inputs)
        else:
            outputs = torch.func.functional_call(self.model, parameters, (inputs,))
        return self.loss_fn(outputs, targets)

    def before_step(self) -> None:
        """Call just before ``optimizer.step()``: measures at :math:`w_t` when step ``t`` is recorded."""
        self._pending = None
        if self._step % self.every:
            return
        start = time.perf_counter()
        with _evaluation_mode(self.model):
            measured = hessian_norms(self._loss, self.params, self._rows[1:], self.iterations,
                                     self.tol, self._vectors, self._generator, list(self.blocks))
        self._vectors = measured.vectors
        saved = [p.detach().clone() for p in self.params] if self.midpoint else None
        self._pending = (measured, saved, time.perf_counter() - start)

    def after_step(self) -> None:
        """Call just after ``optimizer.step()``: the step and the midpoint ratio, then the record."""
        if self._pending is not None:
            measured, saved, seconds = self._pending
            start = time.perf_counter()
            directional, step_norm = self._directional(measured.grads, saved)
            seconds += time.perf_counter() - start
            for j, block in enumerate(measured.rows):
                self.records.append({
                    "run": self.run, "block": block, "iteration": self._step,
                    "grad_norm": measured.grad_norm[j], "hessian_norm": measured.hessian_norm[j],
                    "directional": directional[j], "step_norm": step_norm[j],
                    "loss": measured.loss, "hessian_vector_products": measured.iterations[j],
                    "converged": measured.converged[j], "seconds": seconds,
                })
            self._pending = None
        self._step += 1

    def _directional(self, grads, saved) -> tuple[list[float], list[float]]:
        """Midpoint ratios and step norms per row (NaN without ``midpoint``).

        Row ``"all"`` moves every parameter by ``d/2``; a block's row moves
        that block alone by ``d_b/2`` and differentiates with respect to it.
        """
        if saved is None:
            return [math.nan] * len(self._rows), [math.nan] * len(self._rows)
        with torch.no_grad():
            steps = [s.neg_().add_(p) for s, p in zip(saved, self.params)]   # d = w_{t+1} - w_t
        ratios, norms = [], []
        for row in self._rows:
            step = float(global_norm([steps[i] for i in row]))
            norms.append(step)
            if step == 0:
                ratios.append(math.nan)
                continue
            inside = set(row)
            with torch.no_grad():     # w_t + d/2 on the row, w_t = w_{t+1} - d elsewhere
                point = {name: p.detach() - steps[i] * (0.5 if i in inside else 1.0)
                         for i, (name, p) in enumerate(self.named)}
            moved = [point[self.named[i][0]].requires_grad_(True) for i in row]
            with _evaluation_mode(self.model), torch.enable_grad():
                found = torch.autograd.grad(self._loss(point), moved, allow_unused=True)
            change = [(torch.zeros_like(grads[i]) if g is None else g.detach()) - grads[i]
                      for g, i in zip(found, row)]
            ratios.append(float(global_norm(change)) / (step / 2))
        return ratios, norms

    @contextlib.contextmanager
    def observe(self):
        """``with probe.observe(): optimizer.step()`` calls :meth:`before_step` and
        :meth:`after_step` around the block."""
        self.before_step()
        yield self
        self.after_step()

    def table(self) -> dict[str, np.ndarray]:
        """The records as a long table: one row per recorded step and block (``COLUMNS``)."""
        return probe_table([self])

    def cost(self) -> dict:
        """Measured cost per recorded step: seconds (min, median) and Hessian-vector products."""
        per_record = {}
        for r in self.records:
            seconds, products = per_record.get(r["iteration"], (r["seconds"], 0))
            per_record[r["iteration"]] = (seconds, products + r["hessian_vector_products"])
        if not per_record:
            return {"records": 0}
        seconds = [s for s, _ in per_record.values()]
        products = [p for _, p in per_record.values()]
        return {"records": len(per_record), "seconds_min": min(seconds),
                "seconds_median": statistics.median(seconds),
                "hessian_vector_products_median": statistics.median(products),
                "rows": len(self._rows),
                "extra_forward_backward": 1 + len(self._rows) * int(self.midpoint)}

    def smoothness(self, *others, quantity: str = "hessian_norm", **options) -> dict:
        """Envelopes per block over this probe and ``others`` (other runs, e.g. seeds), with
        intervals over runs; see :func:`block_smoothness`."""
        return block_smoothness(probe_table([self, *others]), quantity=quantity, **options)

    def pl(self, f_star: float, **options):
        """``gs.estimate.pl`` on (``loss - f_star``, ``grad_norm``) of the whole vector."""
        from gsmooth.estimate import pl

        return pl(None, probe_result([self]), f_star=f_star, **options)


def probe_table(probes) -> dict[str, np.ndarray]:
    """The long tables of several probes (runs), stacked; run labels must differ.

    Examples
    --------
    >>> sorted(probe_table([]))[:3]
    ['block', 'converged', 'directional']
    """
    probes = list(probes)
    runs = [p.run for p in probes]
    if len(set(runs)) != len(runs):
        raise ValueError(f"probes must have distinct run labels, got {runs}")
    rows = [r for p in probes for r in p.records]
    kinds = {"run": np.int64, "iteration": np.int64, "hessian_vector_products": np.int64,
             "block": object, "converged": bool}
    return {name: np.array([r[name] for r in rows], dtype=kinds.get(name, np.float64))
            for name in COLUMNS}


def block_smoothness(table: dict, quantity: str = "hessian_norm", **options) -> dict:
    r"""Envelopes :math:`r_b \le L_{0,b} + L_{1,b}\|\nabla_b f\|^{\alpha_b}` per block of a probe table.

    The pairs (``grad_norm``, ``quantity``) of every block (``"all"`` is the
    whole vector) go to :func:`gsmooth.estimate.smoothness_from_pairs`, which
    fits each block apart with intervals from resampling the runs (points of
    one run are not independent, runs are).  ``quantity`` is the Hessian norm
    by default, the quantity of the local condition; the directional ratio
    is fitted only when asked for by name.

    Parameters
    ----------
    table : dict of str to ndarray
        A probe table (:func:`probe_table`).
    quantity : {"hessian_norm", "directional"}
    **options
        Passed on (``fit``, ``alpha``, ``quantile``, ``n_resamples``,
        ``confidence``, ``seed``).

    Returns
    -------
    dict of str to SmoothnessEstimate
        One estimate per block, in table order.

    Examples
    --------
    >>> import numpy as np
    >>> g, run = np.tile(np.geomspace(0.1, 10, 8), 3), np.repeat([0, 1, 2], 8)
    >>> table = {"block": np.array(["all"] * 24, dtype=object), "grad_norm": g, "run": run,
    ...          "hessian_norm": (2.0 + 3.0 * g ** 0.5) * (1 - 0.1 * run),
    ...          "iteration": np.tile(np.arange(8), 3)}
    >>> est = block_smoothness(table, n_resamples=20)["all"]
    >>> round(est.L0, 4), round(est.L1, 4), round(est.alpha, 3), est.intervals is not None
    (2.0, 3.0, 0.5, True)
    """
    from gsmooth.estimate import smoothness_from_pairs

    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {QUANTITIES}, got {quantity!r}")
    options.setdefault("progress", False)
    return smoothness_from_pairs(table["grad_norm"], table[quantity], run=table["run"],
                                 block=table["block"], iteration=table["iteration"],
                                 source=quantity, **options)


def probe_result(probes, name: str = "torch model"):
    r"""The whole-vector rows of several probes (runs) as one RunResult.

    Run ``j`` holds probe ``j``'s records, padded with NaN to the longest;
    ``iters`` and ``samples`` are the recorded step indices, ``loss`` is
    :math:`f_P(w_t)`, ``grad_norm`` :math:`\|\nabla f_P(w_t)\|`, and ``capture``
    holds ``step_norm`` and ``midpoint_diff_norm``, the input of
    ``gs.estimate.smoothness(None, res, source="midpoint")`` and
    ``gs.estimate.pl(None, res, f_star=...)``.  ``w`` is empty (shape (k, 0)).
    """
    from gsmooth.engine.result import RunResult

    probes = list(probes)
    if not probes:
        raise ValueError("probe_result needs at least one probe, got none")
    tables = []
    for probe in probes:
        t = probe.table()
        keep = t["block"] == GLOBAL
        tables.append({key: value[keep] for key, value in t.items()})
    n_records, k = max(len(t["iteration"]) for t in tables), len(tables)

    def column(key, fill, values=None):
        out = np.full((n_records, k), fill, dtype=np.asarray(fill).dtype)
        for j, t in enumerate(tables):
            v = t[key] if values is None else values[j]
            out[: len(v), j] = v
        return out

    steps = column("iteration", np.int64(-1))
    midpoint = [t["directional"] * t["step_norm"] / 2 for t in tables]
    capture = {"step_norm": column("step_norm", np.nan),
               "midpoint_diff_norm": column("directional", np.nan, midpoint),
               "grad_diff_norm": np.full((n_records, k), np.nan)}
    return RunResult(
        iters=steps, samples=steps.copy(), loss=column("loss", np.nan),
        grad_norm=column("grad_norm", np.nan), status=np.zeros(k, dtype=np.int64),
        converged_at=np.full(k, -1), w=np.zeros((k, 0)), seeds=[p.run for p in probes],
        problem={"name": name}, optimizer={"name": "torch"}, capture=capture,
    )
