r"""Chi-square distributionally robust regression in dual form, the paper's second experiment.

Over ``z = (x, eta)`` with ``x`` in ``R^d`` and ``eta`` in ``R``, minimize

.. math::

    L(x, \eta) = \frac1n \sum_{i=1}^n f_i(x, \eta), \qquad
    f_i(x, \eta) = \lambda\, \psi^*\!\Bigl(\frac{\ell_i(x) - \eta}{\lambda}\Bigr) + \eta,

with ``psi*(t) = max(t/2 + 1, 0)^2 - 1`` (the conjugate of ``phi(t) = (t - 1)^2``)
and the per-sample loss of a linear model with a log penalty,

.. math::

    \ell_i(x) = \tfrac12 (a_i^T x - b_i)^2 + c \sum_j \log(1 + |x_j|), \qquad c = 0.1 .

**Gradient.** Write ``r_i = a_i^T x - b_i`` and ``p_i = psi*'(t_i) = max(u_i, 0)``
with ``u_i = (l_i - eta) / (2 lambda) + 1``; then ``lambda psi*(t_i) = lambda (p_i^2 - 1)``
and ``d/d eta`` of it is ``-p_i``, ``d/dx`` is ``p_i grad l_i``:

.. math::

    \nabla_x f_i = p_i \bigl(r_i a_i + c\, \mathrm{sign}(x) / (1 + |x|)\bigr), \qquad
    \partial_\eta f_i = 1 - p_i ,

(``sign(0) = 0``, the choice of the released code where ``|x_j|`` has a kink).
``L`` is the mean of the ``f_i``, so the minibatch gradient is the batch mean.

**The reported metric** ``Psi(x) = min_eta L(x, eta)`` is exact: for fixed ``x``,
``L`` is convex and piecewise quadratic in ``eta`` with derivative
``g(eta) = 1 - mean_i max(u_i, 0)``, nondecreasing from ``-inf`` to 1.  Sort the
losses in decreasing order, ``l_(1) >= ... >= l_(n)``, with partial sums ``c_j``.
If the active set ``{i : u_i > 0}`` is the top ``j``, ``g = 0`` gives

.. math::

    \eta_j = \bigl(c_j - 2\lambda (n - j)\bigr) / j ,

and it is consistent when ``l_(j) > eta_j - 2 lambda``, i.e. ``c_j - j l_(j) < 2 lambda n``.
The left side ``sum_{i <= j} (l_(i) - l_(j))`` is nondecreasing in ``j`` and
zero at ``j = 1``, so the consistent ``j`` form a prefix ``1..j*``; ``eta* = eta_{j*}``
and ``Psi(x) = L(x, eta*)``.  Since ``c_{j+1} - (j+1) l_(j+1) = c_j - j l_(j+1)``, the
first inconsistent ``j* + 1`` has ``l_(j*+1) <= eta* - 2 lambda``: every sample past the
prefix has ``p_i = 0``, so only the top ``j*`` losses matter,

.. math::

    \Psi(x) = \frac{\lambda}{n} \sum_{i \le j^*} p_{(i)}^2 - \lambda + \eta^* .

They are found by selection (a partition of each row, then a sort of the few
largest), not by sorting every loss; the selection grows until it holds every
run's prefix.
"""

from __future__ import annotations

import math
import os

import numpy as np

from gsmooth._backend import (
    clip_below,
    matmul_into,
    multiply_into,
    namespace,
    scratch,
    square_into,
    subtract_into,
)
from gsmooth._checks import nonnegative_int, positive_int
from gsmooth.problems.base import Problem, check_start
from gsmooth.problems.life_expectancy import PREPROCESSINGS, load_life_expectancy

PENALTY = 0.1
ETA0 = 0.1
SYNTHETIC_N = 2000
SYNTHETIC_D = 20
#: Degrees of freedom of the Student-t noise of the synthetic target.
NOISE_DF = 4
#: The first selection of Psi takes ``max(TOP_MIN, TOP_FACTOR * 2 lambda n)`` of the largest losses.
TOP_MIN = 64
TOP_FACTOR = 4


class DRO(Problem):
    r"""Chi-square DRO dual ``L(x, eta)`` over ``z = (x, eta)``; see the module docstring.

    Parameters
    ----------
    features : ndarray, shape (n, d)
    target : ndarray, shape (n,)
    lam : float
        The robustness parameter ``lambda > 0``.
    start : ndarray, shape (d + 1,)
        Default start ``(x0, eta0)``.
    name : str
    feature_names : list of str

    Attributes
    ----------
    lam : float
    n_features : int
        ``d``, the length of ``x``; the problem's ``dim`` is ``d + 1``.
    feature_names : list of str

    Examples
    --------
    ``Psi(x) = min_eta L(x, eta)`` is attained at :meth:`best_eta`:

    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.dro(n=300, d=4, seed=1)
    >>> z = p.start[None, :].copy()
    >>> z[0, -1] = p.best_eta(z)[0]
    >>> bool(np.isclose(p.value(z)[0], p.psi(z)[0]))
    True
    """

    def __init__(self, features, target, lam, start, name, feature_names):
        n, d = features.shape
        super().__init__(name, d + 1, start, n, None, {"a": features, "b": target})
        self.lam = lam
        self.n_features = d
        self.feature_names = list(feature_names)

    def _terms(self, x, r, eta):
        """Per-sample residuals ``r`` (k, n) -> ``p_i`` and ``lambda psi*(t_i)``."""
        return self._dual_terms(self._losses(x, r), eta)

    def _losses(self, x, r):
        """Per-sample losses ``l_i = r_i^2 / 2 + c sum_j log(1 + |x_j|)`` from the residuals ``r``."""
        xp = namespace(x)
        losses = multiply_into(r, 0.5, self._scratch("losses", r))
        losses *= r
        losses += PENALTY * xp.sum(xp.log1p(xp.abs(x)), axis=-1, keepdims=True)
        return losses

    def _dual_terms(self, losses, eta):
        """``p_i = max(u_i, 0)``, ``u_i = (l_i - eta) / (2 lambda) + 1``, and ``lambda psi*(t_i) =
        lambda (p_i^2 - 1)``, from the losses (left unchanged); in place after the first copy."""
        u = subtract_into(losses, eta, self._scratch("p", losses))
        u /= 2.0 * self.lam
        u += 1.0
        p = clip_below(u, 0.0)
        scaled = square_into(p, self._scratch("scaled", p))
        scaled -= 1.0
        scaled *= self.lam
        return p, scaled

    def _scratch(self, name, like):
        """A scratch array shaped like ``like`` when it holds every sample of each run (k, n),
        else ``None`` (see :func:`gsmooth._backend.scratch`); none outlives an evaluation."""
        shape = tuple(like.shape)
        if shape[-1] != self.n_samples:
            return None
        return scratch(f"dro.{name}", shape, like)

    def _assemble(self, x, p, weighted_rows):
        """Gradient ``(mean p_i grad l_i, 1 - mean p_i)`` from ``mean p_i r_i a_i``."""
        xp = namespace(x)
        p_mean = xp.mean(p, axis=-1, keepdims=True)
        gx = weighted_rows + PENALTY * p_mean * xp.sign(x) / (1.0 + xp.abs(x))
        return xp.concat([gx, 1.0 - p_mean], axis=-1)

    def _value(self, w, data):
        xp = namespace(w)
        x, eta = w[:, :-1], w[:, -1:]
        _, scaled = self._terms(x, self._residuals(x, data), eta)
        return xp.mean(scaled, axis=-1) + eta[:, 0]

    def _residuals(self, x, data):
        """``r = A x - b`` for every run, (k, n)."""
        r = matmul_into(x, data["a"].T, scratch("dro.r", (x.shape[0], self.n_samples), x))
        r -= data["b"]
        return r

    def _grad(self, w, data):
        return self._value_and_grad(w, data)[1]

    def value_and_grad(self, w):
        """Objective and gradient sharing the residuals ``A x - b``."""
        self._check_iterate(w)
        return self._value_and_grad(w, self._data_like(w))

    def _value_and_grad(self, w, data):
        xp = namespace(w)
        x, eta = w[:, :-1], w[:, -1:]
        r = self._residuals(x, data)
        p, scaled = self._terms(x, r, eta)
        value = xp.mean(scaled, axis=-1) + eta[:, 0]
        return value, self._assemble(x, p, (p * r) @ data["a"] / self.n_samples)

    def value_and_metric(self, w, metric):
        """Objective and ``metric``; :meth:`psi` (or :meth:`loss_metric`) shares the residuals
        and the per-sample losses with the objective."""
        if metric != self.psi and metric != self.loss_metric:
            return super().value_and_metric(w, metric)
        self._check_iterate(w)
        xp = namespace(w)
        x, eta = w[:, :-1], w[:, -1:]
        losses = self._losses(x, self._residuals(x, self._data_like(w)))
        _, scaled = self._dual_terms(losses, eta)
        return xp.mean(scaled, axis=-1) + eta[:, 0], self._best_eta_and_psi(losses)[1]

    def _sample_grad(self, w, idx, data):
        batch = idx.shape[1]
        rows, b = self._gather(data, idx, "a", "b")
        x, eta = w[:, :-1], w[:, -1:]
        r = (rows @ x[:, :, None])[:, :, 0] - b
        p, _ = self._terms(x, r, eta)
        return self._assemble(x, p, ((p * r)[:, None, :] @ rows)[:, 0, :] / batch)

    hvp_exact = True

    def _hvp(self, w, v, data):
        r"""Hessian-vector product of ``L`` along ``(v_x, v_eta)``, almost everywhere.

        With ``q = c sign(x) / (1 + |x|)``, ``grad l_i = r_i a_i + q`` and
        ``hess l_i = a_i a_i^T - c diag(sign(x)^2 / (1 + |x|)^2)``; where
        ``u_i > 0``, ``grad_x p_i = grad l_i / (2 lambda)`` and
        ``d p_i / d eta = -1 / (2 lambda)`` (zero elsewhere).  Differentiating
        the gradient of the module docstring along the direction, with
        ``t_i = 1[u_i > 0] (grad l_i . v_x - v_eta) / (2 lambda)``:

        .. math::

            (H v)_x = \frac1n \sum_i \bigl(t_i r_i + p_i\, a_i^T v_x\bigr) a_i
                      + \bar t\, q - \bar p\, c \frac{\mathrm{sign}(x)^2}{(1 + |x|)^2} v_x,
            \qquad (H v)_\eta = -\bar t .
        """
        xp = namespace(w)
        x, eta = w[:, :-1], w[:, -1:]
        vx, veta = v[:, :-1], v[:, -1:]
        r = x @ data["a"].T - data["b"]
        p, _ = self._terms(x, r, eta)
        q = PENALTY * xp.sign(x) / (1.0 + xp.abs(x))
        av = vx @ data["a"].T
        along = r * av + xp.sum(q * vx, axis=-1, keepdims=True) - veta
        t = xp.where(p > 0, along, xp.zeros_like(along)) / (2.0 * self.lam)
        t_mean, p_mean = xp.mean(t, axis=-1, keepdims=True), xp.mean(p, axis=-1, keepdims=True)
        curvature = PENALTY * xp.sign(x) ** 2 / (1.0 + xp.abs(x)) ** 2
        hx = (t * r + p * av) @ data["a"] / self.n_samples + t_mean * q - p_mean * curvature * vx
        return xp.concat([hx, -t_mean], axis=-1)

    def best_eta(self, w):
        """The exact minimizer ``eta*(x)`` of ``L(x, .)`` for every run, shape (k,).

        ``w`` is ``z`` (k, d + 1), whose ``eta`` is ignored, or ``x`` (k, d).
        """
        return self._eta_and_psi(w)[0]

    def psi(self, w):
        """The metric ``Psi(x) = min_eta L(x, eta)``, exactly, shape (k,).

        ``w`` is ``z`` (k, d + 1), whose ``eta`` is ignored, or ``x`` (k, d).
        """
        return self._eta_and_psi(w)[1]

    def loss_metric(self, w):
        """The paper's reported loss, :meth:`psi`."""
        return self.psi(w)

    def _eta_and_psi(self, w):
        shape = tuple(w.shape)
        d = self.n_features
        if len(shape) != 2 or shape[1] not in (d, d + 1):
            raise ValueError(f"w must have shape (k, {d + 1}) or (k, {d}), got {shape}")
        x = w[:, :d]
        return self._best_eta_and_psi(self._losses(x, self._residuals(x, self._data_like(w))))

    def _best_eta_and_psi(self, losses):
        """``eta*`` and ``Psi`` (each (k,)) from the per-sample losses (k, n); see the module docstring.

        Only the active samples (the top ``j*``) enter: the largest losses are
        selected (:func:`top_losses`), ``eta*`` comes from their partial sums, and
        ``Psi = lambda / n sum_{active} p_i^2 - lambda + eta*`` (``p_i = 0`` elsewhere).
        """
        xp = namespace(losses)
        n, two_lam = self.n_samples, 2.0 * self.lam
        ordered, active = _active_prefix(losses, two_lam * n, _first_count(n, self.lam), xp)
        count = xp.sum(xp.astype(active, losses.dtype), axis=-1, keepdims=True)
        total = xp.sum(xp.where(active, ordered, xp.zeros_like(ordered)), axis=-1, keepdims=True)
        eta = (total - two_lam * (n - count)) / count
        p, _ = self._dual_terms(ordered, eta)
        psi = self.lam / n * xp.sum(p * p, axis=-1) - self.lam + eta[:, 0]
        return eta[:, 0], psi


def _first_count(n, lam):
    """How many of the largest losses the first selection takes: a few times ``2 lambda n``,
    about the share of active samples on the paper's data."""
    return min(n, max(TOP_MIN, math.ceil(TOP_FACTOR * 2.0 * lam * n)))


def top_losses(losses, count):
    """The ``count`` largest values of every row of ``losses``, in decreasing order.

    Namespaces with ``partition`` (NumPy, CuPy) select them in linear time and
    sort only those; others sort the whole row.  The values, and their order,
    are those of a full sort's first ``count`` entries either way.

    Examples
    --------
    >>> import numpy as np
    >>> top_losses(np.array([[3.0, 9.0, 1.0, 7.0]]), 2).tolist()
    [[9.0, 7.0]]
    """
    xp = namespace(losses)
    n = losses.shape[-1]
    if count < n:
        work = scratch("dro.partition", tuple(losses.shape), losses)
        if work is None:
            work = xp.partition(losses, n - count, axis=-1)
        else:
            work[...] = losses
            work.partition(n - count, axis=-1)
        losses = work[:, n - count :]
    return xp.sort(losses, axis=-1, descending=True)


def _active_prefix(losses, bound, count, xp):
    """The largest losses in decreasing order and the mask of the consistent prefix
    ``{j : c_j - j l_(j) < bound}``, each (k, count) for a ``count`` that holds every run's prefix.

    The prefix of a run is complete once its last selected entry is inconsistent;
    until every run's is, the selection grows fourfold (up to every sample).
    """
    n = losses.shape[-1]
    if not hasattr(xp, "partition"):
        count = n
    while True:
        ordered = top_losses(losses, count)
        ranks = xp.arange(1, count + 1, dtype=losses.dtype)
        active = xp.cumulative_sum(ordered, axis=-1) - ranks * ordered < bound
        if count == n or not bool(xp.any(active[:, -1])):
            return ordered, active
        count = min(n, 4 * count)


def synthetic_regression(n, d, rng):
    r"""Built-in regression data: ``(features, target)`` of shapes (n, d) and (n,).

    Features are i.i.d. Gaussian columns, standardized; the target is
    ``b = s + e`` where ``s = A x_true`` (``x_true ~ N(0, I)``) is standardized
    and ``e = t_4 / sqrt(2)`` is Student-t noise with 4 degrees of freedom
    scaled to unit variance: heavy-tailed like the WHO target's outliers,
    signal-to-noise 1 like its standardized target plus ``N(0, 1)``.
    """
    a = rng.standard_normal((n, d))
    a = (a - a.mean(axis=0)) / a.std(axis=0)
    signal = a @ rng.standard_normal(d)
    signal = (signal - signal.mean()) / signal.std()
    noise = rng.standard_t(NOISE_DF, size=n) / np.sqrt(NOISE_DF / (NOISE_DF - 2))
    return a, signal + noise


def dro(data=None, lam=0.01, seed=0, n=None, d=None, preprocessing="clean", start=None) -> DRO:
    r"""Chi-square DRO dual problem over ``z = (x, eta)``; see :class:`DRO`.

    Parameters
    ----------
    data : None, path, or (features, target)
        ``None``: :func:`synthetic_regression` with ``n`` rows (default 2000)
        and ``d`` features (default 20).  A path: the WHO life-expectancy CSV,
        prepared by :func:`gsmooth.problems.life_expectancy.load_life_expectancy`
        (2313 rows).  A pair of arrays: used as given.
    lam : float
        ``lambda > 0`` (the paper: 0.01).
    seed : int
        Seed of the synthetic data or of the WHO target noise, and (from an
        independent stream) of the default start.
    n, d : int, optional
        Size of the synthetic data; only with ``data=None``.
    preprocessing : {"clean", "released"}
        For the WHO data: ``"released"`` keeps the released script's label
        leak (a winsorized copy of the target) and its row-number feature.
    start : array_like, shape (d + 1,), optional
        ``(x0, eta0)``; the paper's ``x0 ~ N(0, I)``, ``eta0 = 0.1`` when omitted.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.dro(n=200, d=5)
    >>> p.dim, p.n_samples, p.f_star
    (6, 200, None)
    >>> z = p.start[None, :]
    >>> bool(p.psi(z)[0] <= p.value(z)[0])
    True
    """
    lam = float(lam)
    if not (np.isfinite(lam) and lam > 0):
        raise ValueError(f"lam must be finite and positive, got {lam!r}")
    if preprocessing not in PREPROCESSINGS:
        raise ValueError(f"preprocessing must be one of {PREPROCESSINGS}, got {preprocessing!r}")
    data_seed, start_seed = np.random.SeedSequence(nonnegative_int("seed", seed)).spawn(2)
    data_rng = np.random.default_rng(data_seed)
    if data is not None and (n is not None or d is not None):
        raise ValueError(f"n and d size the synthetic data only (data=None), got n={n!r}, d={d!r}")
    if data is None:
        n = positive_int("n", SYNTHETIC_N if n is None else n)
        d = positive_int("d", SYNTHETIC_D if d is None else d)
        features, target = synthetic_regression(n, d, data_rng)
        names, name = [f"x{j}" for j in range(d)], f"dro(synthetic, n={n}, d={d})"
    elif isinstance(data, (str, os.PathLike)):
        features, target, names = load_life_expectancy(data, preprocessing, data_rng)
        name = f"dro(life_expectancy, {preprocessing})"
    else:
        features, target = _check_arrays(data)
        names, name = [f"x{j}" for j in range(features.shape[1])], "dro(arrays)"
    dim = features.shape[1] + 1
    if start is None:
        x0 = np.random.default_rng(start_seed).standard_normal(dim - 1)
        start = np.append(x0, ETA0)
    return DRO(features, target, lam, check_start(start, dim, 0.0), name, names)


def _check_arrays(data):
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(
            "data must be None, a path to the WHO CSV or a pair (features, target), "
            f"got {type(data).__name__}"
        )
    features = np.asarray(data[0], dtype=np.float64)
    target = np.asarray(data[1], dtype=np.float64)
    if features.ndim != 2 or target.shape != features.shape[:1] or features.shape[0] < 1:
        raise ValueError(
            f"data must be (features (n, d), target (n,)), got shapes "
            f"{features.shape} and {target.shape}"
        )
    if not (np.all(np.isfinite(features)) and np.all(np.isfinite(target))):
        raise ValueError("data must be finite, got non-finite entries")
    return features, target
