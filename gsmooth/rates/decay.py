r"""Fit the decay law of a suboptimality sequence: polynomial, geometric, two-phase or plateau.

The kinds, and the laws of :mod:`gsmooth.rates.laws` that report each:

* polynomial :math:`\Delta_t \approx C (t + s)^{-p}` (AN-GD's sublinear regime),
  with or without a floor;
* geometric :math:`\Delta_t \approx C r^t` (the linear regime), with or without a floor;
* two-phase :math:`C (1 - t/\tau)_+^m` then a floor (the regime
  :math:`\rho + \beta > 2` with a fixed step reaches the :math:`\gamma`-level in
  finite time and stays there);
* plateau: no decay worth the name;
* increasing: the tail grows (a diverging or unstable method).

**Model-selection rule.**  On :math:`y_t = \log\Delta_t` (the median over runs
of the log-gaps; records at or below 0 are left out), every law is fitted by
least squares and scored by the Bayesian information criterion
:math:`\mathrm{BIC} = n\log(\mathrm{RSS}/n) + k\log n`, the penalized Gaussian
likelihood of the log-gap with ``k`` parameters.  The law with the smallest
BIC is chosen, with two stated exceptions checked first and last: the tail is
*increasing* when the Theil-Sen slope of :math:`y` against :math:`\log t` over
its last half exceeds ``flat_slope``; and a chosen law whose fitted curve falls
by less than ``min_drop`` over the records is a *plateau*.  The evidence is
reported: every law's BIC, the best law of another kind and the BIC
difference :math:`\Delta` to it, described on the scale of Kass and Raftery
(1995): :math:`\Delta < 2` weak, 2-6 positive, 6-10 strong, above 10 very
strong.

**Values and intervals** (at level ``confidence``).  A geometric law has no
term for the transients of the first iterations (a quadratic's large
eigenvalues decay first; fitted over every record, the rate mixes both), so
its rate is fitted on the *tail window*, the last ``tail`` fraction of the
decades of ``t``; when a floor leaves fewer than :data:`MIN_POINTS` decaying
records there, the whole range is used.  The polynomial law's shift is the
transient of the comparison ODE's solution, and the end of a first phase is
where it is, so their numbers come from the whole range.

* several runs: the chosen law is fitted to each run alone; the value is the
  mean of the runs' values (``log r`` for a rate) and the interval Student's
  :math:`t` interval over runs, :math:`\bar v \pm t_{k-1} s/\sqrt k`.  It
  cannot be formed when fewer than two runs can be fitted or the runs agree
  exactly (copies of one run);
* one run: the interval of the least-squares fit,
  :math:`\hat v \pm t_{n-k}\,\mathrm{se}`, with
  :math:`\mathrm{se}^2` from :math:`\hat\sigma^2 (J^\top J)^{-1}`.  That
  interval assumes independent noise; it is not formed when the residuals
  are systematic (lag-1 autocorrelation above :math:`3/\sqrt n`, the case of a
  deterministic run whose law is only approximate) or vanish.

When an interval cannot be formed, ``interval`` is None and
``interval_method`` says why.  ``analysis/decay_replicates.py`` measures the
rule's choices and the intervals' coverage on seeded noisy replicates.

Examples
--------
>>> import numpy as np
>>> t = np.arange(0, 2001)
>>> fit_decay(t, 5.0 * (1.0 + t) ** -2.0).kind
'polynomial'
>>> fit = fit_decay(t[:300], 0.9 ** t[:300])
>>> fit.kind, round(fit.rate, 6)
('geometric', 0.9)
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import stats

from gsmooth.engine.result import failed
from gsmooth.rates.laws import KIND_OF, LAWS, PARAMS, fit_law, law_curve

KINDS = ("polynomial", "geometric", "two-phase", "plateau", "increasing")
"""Decay kinds :func:`fit_decay` distinguishes."""

MIN_POINTS = 6
"""Fewest records (at ``t >= 1``) a fit accepts."""

WHITENESS = 3.0
"""A one-run interval needs lag-1 residual autocorrelation below ``WHITENESS / sqrt(n)``."""

EVIDENCE_SCALE = ((2.0, "weak"), (6.0, "positive"), (10.0, "strong"), (np.inf, "very strong"))
"""Kass-Raftery description of a BIC difference (upper ends)."""


@dataclass(frozen=True)
class DecayFit:
    """The fitted decay law of one sequence or of a batch of runs.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    exponent, rate, switch : float or None
        ``p`` of ``t^-p`` (polynomial), ``r`` of ``r^t`` (geometric), the end
        ``tau`` of the first phase (two-phase).
    floor : float or None
        Fitted floor level (laws with a floor, two-phase, plateau).
    interval : tuple of float or None
        Interval of the exponent, rate or switch; None when it cannot be formed.
    interval_method : str
        How the interval was formed, or why it could not be.
    window : tuple of int
        First and last iteration the value was fitted on.
    span : tuple of int
        First and last iteration of the records the law was chosen on.
    rms_residual : float
        Root-mean-square residual of ``log10`` gap around the fitted law, in decades.
    n_runs : int
        Runs used (finite ones).
    law : str
        The law of :mod:`gsmooth.rates.laws` chosen (e.g. ``"geometric+floor"``).
    params : dict
        Its parameters fitted to the median curve over every record (what a plot draws).
    evidence : dict
        ``rule``, ``bic`` per law, ``runner_up``, ``delta_bic``, ``strength``.
    confidence : float
    notes : list of str
    """

    kind: str
    exponent: float | None
    rate: float | None
    switch: float | None
    floor: float | None
    interval: tuple | None
    interval_method: str
    window: tuple
    rms_residual: float
    n_runs: int
    law: str = ""
    span: tuple = ()
    params: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)
    confidence: float = 0.95
    notes: list = field(default_factory=list)

    @property
    def value(self) -> float | None:
        """The number the kind reports: exponent, rate, switch (or floor for a plateau)."""
        return {"polynomial": self.exponent, "geometric": self.rate, "two-phase": self.switch,
                "plateau": self.floor}.get(self.kind)

    def as_dict(self) -> dict:
        """JSON-ready dict of every field."""
        out = asdict(self)
        out["interval"] = None if self.interval is None else [float(v) for v in self.interval]
        out["window"] = [int(v) for v in self.window]
        out["span"] = [int(v) for v in self.span]
        return out

    def summary(self) -> str:
        """One line: kind, value with interval, evidence, window and goodness."""
        names = {"polynomial": "t^-p, p", "geometric": "r^t, r", "two-phase": "first phase ends at t",
                 "plateau": "floor"}
        text = self.kind
        if self.value is not None:
            text += f": {names[self.kind]} = {self.value:.4g}"
        if self.interval is not None:
            text += f" [{self.interval[0]:.4g}, {self.interval[1]:.4g}]"
        elif self.kind in ("polynomial", "geometric", "two-phase"):
            text += f" (no interval: {self.interval_method})"
        if self.evidence.get("runner_up"):
            text += (f"; BIC {self.evidence['strength']} over {self.evidence['runner_up']} "
                     f"(difference {self.evidence['delta_bic']:.3g})")
        return f"{text} (t in [{self.window[0]}, {self.window[1]}], rms {self.rms_residual:.2g} decades)"


def fit_decay(iters, gaps, *, status=None, kind=None, tail=0.5, min_drop=4.0, flat_slope=0.1,
              confidence=0.95) -> DecayFit:
    """Decide the decay law of ``gaps`` and fit it (see the module docstring).

    Parameters
    ----------
    iters : array_like, shape (n,) or (n, k)
        Iterations of the records (shared by the runs; ``RunResult.iters`` works).
    gaps : array_like, shape (n,) or (n, k)
        Suboptimality ``F(w_t) - F*`` per record and run.
    status : array_like of int, shape (k,), optional
        The runs' statuses (``RunResult.status``).  A run that diverged or
        turned non-finite is frozen at its last finite iterate, so its later
        records are a flat line, not a decay: such runs are left out, with a
        note.  Without ``status`` every run with finite gaps is fitted.
    kind : str, optional
        Fit this kind instead of deciding it: "polynomial", "geometric" or
        "two-phase" (the BIC then chooses only among that kind's laws).
    tail : float in (0, 1]
        Fraction of the decades of ``t`` (the last ones) a geometric rate is fitted on.
    min_drop : float > 1
        Factor the fitted curve must fall by for a decay; less is a plateau.
    flat_slope : float > 0
        Slope of ``log gap`` against ``log t`` above which the tail is increasing.
    confidence : float in (0, 1)
        Level of the interval.

    Returns
    -------
    DecayFit

    Raises
    ------
    ValueError
        Shapes that disagree, fewer than :data:`MIN_POINTS` usable records at
        ``t >= 1``, no finite run that did not fail, a negative gap, a
        ``status`` of another length than the runs, or out-of-range options.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0, 400)
    >>> two = np.maximum((1 - t / 200.0), 0.0) ** 4 + 1e-9
    >>> fit = fit_decay(t, two)
    >>> fit.kind, round(fit.switch, 3)
    ('two-phase', 200.0)
    >>> fit_decay(t, 1.0 + 0.01 * np.cos(t)).kind
    'plateau'

    A diverged run, frozen at a large gap, is left out given the statuses:

    >>> gaps = np.column_stack([5.0 * (1.0 + t) ** -2.0, np.full(t.shape, 1e20)])
    >>> fit = fit_decay(t, gaps, status=[0, 2])
    >>> round(fit.exponent, 6), fit.n_runs, fit.notes
    (2.0, 1, ['1 runs that diverged or turned non-finite left out'])
    """
    _check_options(kind, tail, min_drop, flat_slope, confidence)
    t, log_gaps, notes = _prepare(iters, gaps, status)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(log_gaps, axis=1)
    used = np.isfinite(median)
    if used.sum() < MIN_POINTS:
        raise ValueError(f"need at least {MIN_POINTS} records with a positive gap at t >= 1, "
                         f"got {int(used.sum())}")
    t_used, y = t[used], median[used]
    law, fits = _choose(t_used, y, kind, np.log(min_drop), flat_slope)
    window, value_law = _value_window(law, fits.get(law), t, used, tail)
    chosen = None if law not in fits else fit_law(value_law, t[window], median[window])
    value, interval, method = _value_and_interval(value_law, chosen, t[window], log_gaps[window], confidence)
    reported = KIND_OF.get(law, law)
    floor = _floor(law, fits.get(law))
    rms = 0.0 if law not in fits else float(np.sqrt(fits[law].rss / fits[law].n) / np.log(10.0))
    return DecayFit(
        kind=reported,
        exponent=value if reported == "polynomial" else None,
        rate=value if reported == "geometric" else None,
        switch=value if reported == "two-phase" else None,
        floor=floor, interval=interval, interval_method=method,
        window=(int(t[window][0]), int(t[window][-1])), rms_residual=rms, n_runs=log_gaps.shape[1],
        law=law, span=(int(t_used[0]), int(t_used[-1])), params={} if law not in fits else fits[law].named(),
        evidence=_evidence(law, fits), confidence=confidence, notes=notes,
    )


def _check_options(kind, tail, min_drop, flat_slope, confidence):
    if kind is not None and kind not in ("polynomial", "geometric", "two-phase"):
        raise ValueError(f"kind must be None, 'polynomial', 'geometric' or 'two-phase', got {kind!r}")
    if not 0 < tail <= 1:
        raise ValueError(f"tail must be in (0, 1], got {tail}")
    if not min_drop > 1:
        raise ValueError(f"min_drop must be > 1, got {min_drop}")
    if not flat_slope > 0:
        raise ValueError(f"flat_slope must be > 0, got {flat_slope}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def _prepare(iters, gaps, status=None):
    """Records at ``t >= 1`` and the log-gaps of the finite runs that did not fail (NaN where
    the gap is 0)."""
    gaps = np.asarray(gaps, dtype=np.float64)
    gaps = gaps[:, None] if gaps.ndim == 1 else gaps
    iters = np.asarray(iters)
    t = iters if iters.ndim == 1 else iters[:, 0]
    if gaps.ndim != 2 or t.shape != (gaps.shape[0],):
        raise ValueError(
            f"iters (n,) or (n, k) and gaps (n,) or (n, k) must share n, got {iters.shape} and {gaps.shape}"
        )
    ok = np.ones(gaps.shape[1], dtype=bool) if status is None else ~_failed_runs(status, gaps.shape[1])
    finite = np.all(np.isfinite(gaps), axis=0)
    if not (finite & ok).any():
        raise ValueError("no run has finite gaps" + ("" if ok.all() else " and a status that did not fail")
                         + "; nothing to fit")
    gaps = gaps[:, finite & ok]
    if np.any(gaps < 0):
        raise ValueError(f"gaps must be >= 0, got a minimum of {gaps.min():g}")
    usable = t >= 1
    if usable.sum() < MIN_POINTS:
        raise ValueError(f"need at least {MIN_POINTS} records at t >= 1, got {int(usable.sum())}")
    gaps = gaps[usable]
    notes = []
    zeros = int(np.sum(gaps == 0))
    if zeros:
        notes.append(f"{zeros} records with gap 0 (no log) left out")
    if not ok.all():
        notes.append(f"{int((~ok).sum())} runs that diverged or turned non-finite left out")
    if not finite[ok].all():
        notes.append(f"{int((~finite[ok]).sum())} runs with non-finite gaps left out")
    with np.errstate(divide="ignore"):
        log_gaps = np.where(gaps > 0, np.log(gaps), np.nan)
    return t[usable].astype(np.float64), log_gaps, notes


def _failed_runs(status, k: int) -> np.ndarray:
    """Mask of the runs whose ``status`` (k,) says they failed."""
    status = np.asarray(status)
    if status.shape != (k,):
        raise ValueError(f"status must have one entry per run, shape ({k},), got {status.shape}")
    return failed(status)


def _choose(t, y, kind, log_drop, flat_slope):
    """The chosen law and every law's fit (see the module docstring for the rule)."""
    if kind is None:
        half = t >= np.sqrt(t[0] * t[-1])
        if half.sum() >= 3 and stats.theilslopes(y[half], np.log(t[half])).slope > flat_slope:
            return "increasing", {}
    laws = [law for law in LAWS if kind is None or KIND_OF[law] == kind]
    fits = {law: fit_law(law, t, y) for law in laws}
    best = min(fits, key=lambda law: fits[law].bic)
    if kind is None and best != "plateau":
        curve = fits[best].curve(t)
        if curve[0] - np.min(curve) < log_drop:
            best = "plateau"
    return best, fits


def _value_window(law, fit, t, used, tail):
    """Records the value is fitted on, and the law fitted there (module docstring).

    A geometric rate comes from the tail window; with a floor, from the records
    of the window where the fitted decay is 100 times above the floor, by the
    law without a floor.
    """
    if KIND_OF.get(law) != "geometric" or fit is None:
        return used, law
    log_t = np.log(t)
    window = used & (log_t >= log_t[used][-1] - tail * (log_t[used][-1] - log_t[used][0]))
    if "f" in fit.named():
        decaying = np.zeros_like(used)
        decaying[used] = fit.curve(t[used]) > fit.named()["f"] + np.log(100.0)
        window &= decaying
    if window.sum() >= MIN_POINTS:
        return window, "geometric"
    return used, law


def _evidence(law, fits) -> dict:
    if not fits:
        return {"rule": "increasing tail (Theil-Sen slope in log t above flat_slope)"}
    bic = {name: fit.bic for name, fit in fits.items()}
    kind = KIND_OF[law]
    others = [name for name in bic if KIND_OF[name] != kind]
    evidence = {"rule": "smallest BIC of log-gap", "bic": bic, "runner_up": None,
                "delta_bic": None, "strength": None}
    if others:
        runner_up = min(others, key=bic.get)
        delta = bic[runner_up] - bic[law]
        evidence.update(runner_up=runner_up, delta_bic=float(delta),
                        strength=next(name for top, name in EVIDENCE_SCALE if abs(delta) < top))
    return evidence


def _floor(law, fit):
    if fit is None:
        return None
    named = fit.named()
    if "f" in named:
        return float(np.exp(named["f"]))
    return float(np.exp(named["a"])) if law == "plateau" else None


REPORTED_INDEX = {"polynomial": 1, "geometric": 1, "two-phase": 2}
"""Position, in a law's parameters, of the number its kind reports (exponent, log-rate, switch)."""


def _reported(law, params) -> float | None:
    """The kind's number from a law's parameters (``log r`` for a rate, on the log scale)."""
    index = REPORTED_INDEX.get(KIND_OF.get(law))
    return None if index is None else float(params[index])


def _value_and_interval(law, fit, t, log_gaps, confidence):
    if fit is None or _reported(law, fit.params) is None:
        return None, None, "none"
    k = log_gaps.shape[1]
    if k > 1:
        value, interval, method = _over_runs(law, t, log_gaps, confidence, _reported(law, fit.params))
    else:
        value = _reported(law, fit.params)
        interval, method = _one_run(law, fit, confidence)
    if KIND_OF[law] == "geometric":
        value = float(np.exp(value))
        interval = None if interval is None else tuple(float(v) for v in np.exp(interval))
    return value, interval, method


def _over_runs(law, t, log_gaps, confidence, fallback):
    values = []
    for run in range(log_gaps.shape[1]):
        keep = np.isfinite(log_gaps[:, run])
        if keep.sum() >= MIN_POINTS:
            values.append(_reported(law, fit_law(law, t[keep], log_gaps[keep, run]).params))
    if len(values) < 2:
        return fallback, None, f"cannot be formed: {len(values)} of {log_gaps.shape[1]} runs could be fitted"
    values = np.asarray(values)
    spread = float(np.std(values, ddof=1))
    mean = float(np.mean(values))
    if spread <= 1e-12 * max(1.0, abs(mean)):
        return mean, None, (f"cannot be formed: the {values.size} runs give the same value (copies of one "
                            "run, or a law that does not depend on the start)")
    half = stats.t.ppf(0.5 + confidence / 2, values.size - 1) * spread / np.sqrt(values.size)
    return mean, (mean - half, mean + half), f"Student t over {values.size} runs"


def _one_run(law, fit, confidence):
    index = REPORTED_INDEX[KIND_OF[law]]
    e = fit.residuals
    n, k = fit.n, fit.k
    if n - k < 2 or fit.rss <= n * (1e-9) ** 2:
        return None, "cannot be formed from one run: the law fits exactly (no noise to measure)"
    lag1 = float(e[1:] @ e[:-1] / (e @ e))
    if lag1 > WHITENESS / np.sqrt(n):
        return None, (f"cannot be formed from one run: the residuals are systematic (lag-1 "
                      f"autocorrelation {lag1:.2f}), not noise; several runs give an interval over runs")
    if not fit.free[index]:
        return None, "cannot be formed from one run: the parameter sits at its bound"
    jac = fit.jac[:, fit.free]
    try:
        cov = np.linalg.inv(jac.T @ jac) * fit.rss / (n - k)
    except np.linalg.LinAlgError:
        return None, "cannot be formed from one run: the fit is degenerate"
    position = int(np.sum(fit.free[:index]))
    se = float(np.sqrt(max(cov[position, position], 0.0)))
    half = stats.t.ppf(0.5 + confidence / 2, n - k) * se
    centre = float(fit.params[index])
    return (centre - half, centre + half), f"least squares, one run ({n - k} degrees of freedom)"


def decay_curve(fit: dict, t) -> np.ndarray:
    """The fitted law of a :meth:`DecayFit.as_dict` at iterations ``t`` (gap scale, not log).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(0, 300)
    >>> fit = fit_decay(t, 0.9 ** t).as_dict()
    >>> bool(np.allclose(decay_curve(fit, [10, 20]), [0.9**10, 0.9**20]))
    True
    """
    params = [fit["params"][name] for name in PARAMS[fit["law"]]]
    return np.exp(law_curve(fit["law"], np.asarray(t, dtype=float), params))
