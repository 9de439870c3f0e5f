r"""Measure local smoothness along a PyTorch training loop (Zhang et al., ICLR 2020).

:class:`SmoothnessProbe` watches the optimizer steps of a user's loop and
records, at every ``every``-th step ``t`` (with :math:`d = w_{t+1} - w_t`):

``grad_norm``
    :math:`\|G(w_t)\|`;
``step_norm``
    :math:`\|d\|`;
``grad_diff_norm``
    :math:`\|G(w_{t+1}) - G(w_t)\|`, so ``grad_diff_norm / step_norm`` is the
    secant smoothness along the step;
``midpoint_diff_norm``
    :math:`\|G(w_t + d/2) - G(w_t)\|` (Zhang et al.'s probe, divided by
    :math:`\|d\|/2`), with ``midpoint=True``;
``loss``, ``train_loss``
    :math:`f(w_t)` on the probe batch, and the training loss passed to
    :meth:`SmoothnessProbe.after_step`.

What :math:`G` is depends on ``probe_batch``:

* **with a probe batch** (a fixed ``(inputs, targets)``), :math:`G` is the
  exact gradient of the one fixed function :math:`f_P(w)` = ``loss_fn(model(inputs),
  targets)``, evaluated by the probe with ``torch.autograd.grad`` (the
  ``.grad`` fields the optimizer uses are not touched), in evaluation mode
  (dropout off, batch-norm running statistics used and left unchanged).  Both
  ends of every difference see the same data, so ``grad_diff_norm / step_norm``
  is a true secant of :math:`\nabla f_P` and satisfies (5) for :math:`f_P`.
  **Cost per recorded step:** one forward and backward pass at
  :math:`w_{t+1}` (reused as :math:`G(w_{t+1})` when step ``t + 1`` is also
  recorded, else one more at :math:`w_t`), plus one at the midpoint with
  ``midpoint=True``, plus two copies of the parameter vector.
* **without a probe batch**, :math:`G(w_t) = \nabla f_{\xi_t}(w_t)` is the
  minibatch gradient found in the parameters' ``.grad`` after the optimizer
  step (the gradient the step used; for :class:`~gsmooth.torch.IANSGD` the main
  batch's).  No extra passes, but ``grad_diff_norm`` then compares gradients
  of *different* minibatches, :math:`\|\nabla f_{\xi_{t+1}}(w_{t+1}) - \nabla
  f_{\xi_t}(w_t)\|`, and includes their sampling noise (it is NaN when step
  ``t + 1`` is not watched); ``loss`` is NaN.

The estimators read these records as a :class:`~gsmooth.engine.result.RunResult`
(:func:`probe_result`, one run per probe): ``gs.estimate.smoothness`` fits the
envelope :math:`r \le L_0 + L_1 g^\alpha` to the pairs
(``grad_norm``, ``midpoint_smoothness``) or (``grad_norm``,
``local_smoothness``), with intervals from resampling over probes (runs);
``gs.estimate.pl`` fits :math:`\rho, \mu` to (``loss - f_star``, ``grad_norm``).
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from gsmooth._checks import positive_int

__all__ = ["SmoothnessProbe", "probe_result"]

_FIELDS = ("step", "grad_norm", "step_norm", "grad_diff_norm", "midpoint_diff_norm", "loss",
           "train_loss")


def _norm(vector: torch.Tensor) -> float:
    return float(torch.linalg.vector_norm(vector))


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
    r"""Record gradient norms and smoothness pairs along a training loop.

    Call :meth:`before_step` and :meth:`after_step` around every
    ``optimizer.step()`` (or wrap it in ``with probe.observe(loss):``); the
    probe counts steps and records every ``every``-th one.  The module
    docstring says exactly what is measured and what it costs.

    Parameters
    ----------
    model : torch.nn.Module
        The model being trained; its parameters with ``requires_grad`` are
        the vector :math:`w`.
    every : int
        Record steps ``0, every, 2 every, ...``.
    probe_batch : tuple (inputs, targets), optional
        A fixed batch on which the probe evaluates its own gradients; needs
        ``loss_fn``.
    midpoint : bool
        Also record the midpoint probe (needs ``probe_batch``).
    loss_fn : callable, optional
        ``loss_fn(model(inputs), targets) -> scalar tensor`` on the probe batch.

    Examples
    --------
    On :math:`f(w) = \frac12 w^\top H w` the gradient differences are :math:`H d`:

    >>> import torch
    >>> from gsmooth.torch import SmoothnessProbe
    >>> class Quadratic(torch.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = torch.nn.Parameter(torch.tensor([1.0, 1.0], dtype=torch.float64))
    ...     def forward(self, h):
    ...         return 0.5 * (self.w * h * self.w).sum()
    >>> model = Quadratic()
    >>> h = torch.tensor([1.0, 4.0], dtype=torch.float64)
    >>> probe = SmoothnessProbe(model, probe_batch=(h, None), midpoint=True,
    ...                         loss_fn=lambda value, _: value)
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     model(h).backward()
    ...     with probe.observe():
    ...         opt.step()
    >>> data = probe.data()
    >>> bool(((data["midpoint_smoothness"] > 1) & (data["midpoint_smoothness"] < 4)).all())
    True
    """

    def __init__(self, model: torch.nn.Module, every: int = 1, probe_batch=None,
                 midpoint: bool = False, loss_fn=None):
        self.model = model
        self.every = positive_int("every", every)
        if midpoint and probe_batch is None:
            raise ValueError("midpoint=True needs a probe_batch (inputs, targets), got None")
        if probe_batch is not None and loss_fn is None:
            raise ValueError("a probe_batch needs loss_fn(outputs, targets), got None")
        if probe_batch is not None and len(probe_batch) != 2:
            raise ValueError(f"probe_batch must be (inputs, targets), got {len(probe_batch)} items")
        self.probe_batch, self.loss_fn, self.midpoint = probe_batch, loss_fn, bool(midpoint)
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.records = {name: [] for name in _FIELDS}
        self._step = 0
        self._start = None
        self._start_grad = None
        self._pending = None
        self._cache = None

    def _recording(self) -> bool:
        return self._step % self.every == 0

    def _point(self) -> torch.Tensor:
        return parameters_to_vector(self.params).detach().clone()

    def _training_grad(self) -> torch.Tensor:
        return torch.cat([
            (p.grad if p.grad is not None else torch.zeros_like(p)).detach().reshape(-1)
            for p in self.params
        ])

    def _probe_grad(self) -> tuple[torch.Tensor, float]:
        """Gradient and loss of the probe function at the current parameters."""
        inputs, targets = self.probe_batch
        with torch.enable_grad(), _evaluation_mode(self.model):
            loss = self.loss_fn(self.model(inputs), targets)
            grads = torch.autograd.grad(loss, self.params, allow_unused=True)
        flat = [(g if g is not None else torch.zeros_like(p)).reshape(-1)
                for g, p in zip(grads, self.params)]
        return torch.cat(flat).detach(), float(loss.detach())

    def _probe_grad_at(self, point: torch.Tensor) -> torch.Tensor:
        """Probe gradient at ``point``, the parameters restored afterwards."""
        current = self._point()
        with torch.no_grad():
            vector_to_parameters(point, self.params)
        try:
            return self._probe_grad()[0]
        finally:
            with torch.no_grad():
                vector_to_parameters(current, self.params)

    def before_step(self) -> None:
        """Call just before ``optimizer.step()``: keeps :math:`w_t` when step ``t`` is recorded."""
        if not self._recording():
            self._start = None
            return
        self._start = self._point()
        if self.probe_batch is not None:
            cached = self._cache is not None and torch.equal(self._cache[0], self._start)
            self._start_grad = self._cache[1:] if cached else self._probe_grad()

    def after_step(self, loss=None) -> None:
        """Call just after ``optimizer.step()``; ``loss`` is the training loss, if known."""
        if self.probe_batch is None and self._pending is not None:
            record, previous = self._pending
            self.records["grad_diff_norm"][record] = _norm(self._training_grad() - previous)
            self._pending = None
        if self._start is not None:
            self._record(math.nan if loss is None else float(loss))
        self._step += 1

    def _record(self, train_loss: float) -> None:
        point = self._point()
        step = point - self._start
        row = {"step": self._step, "step_norm": _norm(step), "train_loss": train_loss,
               "midpoint_diff_norm": math.nan}
        if self.probe_batch is None:
            grad = self._training_grad()
            self._pending = (len(self.records["step"]), grad.clone())
            row.update(grad_norm=_norm(grad), grad_diff_norm=math.nan, loss=math.nan)
        else:
            grad, loss = self._start_grad
            next_grad, next_loss = self._probe_grad()
            self._cache = (point, next_grad, next_loss)
            row.update(grad_norm=_norm(grad), grad_diff_norm=_norm(next_grad - grad), loss=loss)
            if self.midpoint:
                midpoint_grad = self._probe_grad_at(self._start + 0.5 * step)
                row["midpoint_diff_norm"] = _norm(midpoint_grad - grad)
        for name in _FIELDS:
            self.records[name].append(row[name])
        self._start = None

    @contextlib.contextmanager
    def observe(self, loss=None):
        """``with probe.observe(loss): optimizer.step()`` calls :meth:`before_step` and
        :meth:`after_step` around the block."""
        self.before_step()
        yield self
        self.after_step(loss)

    def result(self, name: str = "torch model"):
        """The records as a one-run :class:`~gsmooth.engine.result.RunResult`; see :func:`probe_result`."""
        return probe_result([self], name)

    def smoothness(self, source: str | None = None, **options):
        """``gs.estimate.smoothness`` on this probe's pairs.

        ``source`` defaults to ``"midpoint"`` with ``midpoint=True``, else
        ``"successive"``; ``options`` go to the estimator (``alpha``,
        ``quantile``, ...).  One probe is one run, so there is no interval:
        pass several probes (seeds) through :func:`probe_result` for one.
        """
        from gsmooth.estimate import smoothness

        source = source or ("midpoint" if self.midpoint else "successive")
        return smoothness(None, self.result(), source=source, **options)

    def pl(self, f_star: float, **options):
        """``gs.estimate.pl`` on (``loss - f_star``, ``grad_norm``), ``options`` passed on."""
        from gsmooth.estimate import pl

        return pl(None, self.result(), f_star=f_star, **options)

    def data(self) -> dict[str, np.ndarray]:
        """The records as NumPy arrays, one entry per recorded step.

        Returns
        -------
        dict
            ``step`` (int), ``grad_norm``, ``step_norm``, ``grad_diff_norm``,
            ``midpoint_diff_norm``, ``loss``, ``train_loss`` and the derived
            ``local_smoothness = grad_diff_norm / step_norm`` and
            ``midpoint_smoothness = midpoint_diff_norm / (step_norm / 2)``
            (NaN where a quantity was not measured or the step was zero).
        """
        out = {name: np.asarray(values, dtype=np.float64) for name, values in self.records.items()}
        out["step"] = out["step"].astype(np.int64)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(out["step_norm"] > 0, out["step_norm"], np.nan)
            out["local_smoothness"] = out["grad_diff_norm"] / step
            out["midpoint_smoothness"] = out["midpoint_diff_norm"] / (step / 2)
        return out


def probe_result(probes, name: str = "torch model"):
    r"""Records of several probes (independent runs, e.g. seeds) as one RunResult.

    Run ``j`` holds probe ``j``'s records, padded with NaN to the longest:
    ``iters`` and ``samples`` are the recorded step indices (the probe does
    not know batch sizes), ``grad_norm`` is :math:`\|G(w_t)\|`, ``loss`` is the
    probe-batch loss where measured and the training loss passed to
    :meth:`SmoothnessProbe.after_step` otherwise, and ``capture`` holds
    ``step_norm``, ``grad_diff_norm`` and ``midpoint_diff_norm``, the input
    of ``gs.estimate.smoothness(None, res, source=...)`` and
    ``gs.estimate.pl(None, res, f_star=...)``.  ``w`` is empty (shape (k, 0)).
    """
    from gsmooth.engine.result import RunResult

    tables = [probe.data() for probe in probes]
    if not tables:
        raise ValueError("probe_result needs at least one probe, got none")
    n_records, k = max(len(t["step"]) for t in tables), len(tables)

    def column(values, fill):
        out = np.full((n_records, k), fill, dtype=np.asarray(fill).dtype)
        for j, v in enumerate(values):
            out[: len(v), j] = v
        return out

    loss = [np.where(np.isfinite(t["loss"]), t["loss"], t["train_loss"]) for t in tables]
    steps = column([t["step"] for t in tables], np.int64(-1))
    capture = {key: column([t[key] for t in tables], np.nan)
               for key in ("step_norm", "grad_diff_norm", "midpoint_diff_norm")}
    return RunResult(
        iters=steps, samples=steps.copy(), loss=column(loss, np.nan),
        grad_norm=column([t["grad_norm"] for t in tables], np.nan),
        status=np.zeros(k, dtype=np.int64), converged_at=np.full(k, -1), w=np.zeros((k, 0)),
        seeds=list(range(k)), problem={"name": name}, optimizer={"name": "torch"},
        capture=capture,
    )
