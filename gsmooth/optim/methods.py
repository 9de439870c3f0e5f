r"""The ten optimizers of gsmooth: a direction times a scaling, with checked hyperparameters.

=================  ==============  ==========================  =====================
method             direction       scaling                     sizes
=================  ==============  ==========================  =====================
``gd``             gradient        none                        --
``an_gd``          gradient        :math:`\|v\|^{-\beta}`      --
``clipped_gd``     gradient        clipping                    --
``sgd``            minibatch       none                        ``batch``
``an_sgd``         minibatch       :math:`\|v\|^{-\beta}`      ``batch``
``nsgd``           minibatch       :math:`\|v\|^{-\beta}`      ``batch``
``nsgd_momentum``  momentum        :math:`\|v\|^{-\beta}`      ``batch``
``clipped_sgd``    minibatch       clipping                    ``batch``
``ian_sgd``        minibatch       independent :math:`h^{-\beta}`  ``batch, batch2``
``spider``         SPIDER          :math:`\|v\|^{-\beta}`      ``batch, period``
=================  ==============  ==========================  =====================

Hyperparameters marked "per run" accept a scalar or one value per run; sizes
fix array shapes and are single integers.  Sample counts: a full gradient
counts ``n`` samples (1 for a deterministic problem), a minibatch counts its
size, IAN-SGD counts both of its batches, and SPIDER counts one minibatch per
step (shared by its two gradient evaluations) and ``n`` at each refresh.
"""

from __future__ import annotations

from gsmooth._checks import check_interval, check_nonnegative, check_positive, positive_int
from gsmooth.optim import rules
from gsmooth.optim.base import Optimizer
from gsmooth.optim.directions import MOMENTUM, SPIDER


def _beta(beta):
    return check_interval("beta", beta, 0.0, 1.0)


def _clipping(lr, clip, beta, offset) -> dict:
    return {
        "lr": check_positive("lr", lr),
        "clip": check_positive("clip", clip),
        "beta": _beta(beta),
        "offset": check_nonnegative("offset", offset),
    }


def gd(lr) -> Optimizer:
    r"""Gradient descent: :math:`w_{t+1} = w_t - \gamma \nabla F(w_t)`.

    Parameters
    ----------
    lr : float or sequence of float
        Step size :math:`\gamma > 0` (per run).

    Examples
    --------
    >>> import gsmooth as gs
    >>> res = gs.run(gs.problems.quadratic([1.0, 4.0]), gs.optim.gd(0.2), steps=40)
    >>> bool(res.gap[-1, 0] < 1e-6 * res.gap[0, 0])
    True
    """
    return Optimizer("gd", rules.unscaled, {"lr": check_positive("lr", lr)})


def an_gd(lr, beta=1.0) -> Optimizer:
    r"""Adaptively normalized GD (Chen et al., ICML 2023; Yang et al., TMLR 2025).

    :math:`w_{t+1} = w_t - \gamma \nabla F(w_t) / \|\nabla F(w_t)\|^\beta`, with
    :math:`\beta \in [0, 1]`; ``beta = 0`` is GD and ``beta = 1`` normalized GD.

    Parameters
    ----------
    lr, beta : float or sequence of float
        Step size and normalization power (per run).

    Examples
    --------
    >>> import gsmooth as gs
    >>> opt = gs.optim.an_gd(0.02, beta=[0, 2 / 3])
    >>> res = gs.run(gs.problems.power(d=4, p=4), opt, steps=500)
    >>> opt.n_runs, bool((res.gap[-1] < 1e-2 * res.gap[0]).all())
    (2, True)
    """
    hyper = {"lr": check_positive("lr", lr), "beta": _beta(beta)}
    return Optimizer("an_gd", rules.normalized, hyper)


def clipped_gd(lr, clip, beta=1.0, offset=0.0) -> Optimizer:
    r"""Clipped GD (Zhang, He, Sra, Jadbabaie, ICLR 2020).

    :math:`w_{t+1} = w_t - \gamma \min\{1, c / (\|\nabla F(w_t)\| + o)\}^\beta \nabla F(w_t)`.
    With ``beta = 1`` and ``offset = 0`` this is Zhang et al.'s
    :math:`\min\{\eta, \eta c / \|g\|\} g`; ``lr`` is the step for small gradients.

    Parameters
    ----------
    lr, clip : float or sequence of float
        Step size :math:`\gamma` and clipping threshold :math:`c` (per run).
    beta : float or sequence of float
        Power of the clipping factor (per run).
    offset : float or sequence of float
        Non-negative offset :math:`o` added to the norm (per run).

    Examples
    --------
    A step from ``w = (3, 4)`` on ``||w||^2 / 2`` has norm ``min(lr ||g||, lr c)``:

    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.quadratic([1.0, 1.0])
    >>> res = gs.run(p, gs.optim.clipped_gd(lr=1.0, clip=2.0), steps=1, w0=np.array([[3.0, 4.0]]))
    >>> res.w.round(6).tolist()
    [[1.8, 2.4]]
    """
    return Optimizer("clipped_gd", rules.clipped, _clipping(lr, clip, beta, offset))


def sgd(lr, batch) -> Optimizer:
    r"""Minibatch SGD: :math:`w_{t+1} = w_t - \gamma \nabla f_{\xi_t}(w_t)`, :math:`|\xi_t| = B`.

    Parameters
    ----------
    lr : float or sequence of float
        Step size (per run).
    batch : int
        Minibatch size ``B``.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.least_squares(n=200, d=5)
    >>> res = gs.run(p, gs.optim.sgd(0.05, batch=10), steps=300, seeds=2)
    >>> res.samples[-1].tolist(), bool((res.gap[-1] < 1e-3 * res.gap[0]).all())
    ([3000, 3000], True)
    """
    return Optimizer("sgd", rules.unscaled, {"lr": check_positive("lr", lr)},
                     sizes={"batch": positive_int("batch", batch)})


def an_sgd(lr, beta, batch) -> Optimizer:
    r"""AN-SGD, same-sample normalization (Yang et al., TMLR 2025, eq. 14).

    :math:`w_{t+1} = w_t - \gamma \nabla f_\xi(w_t) / \|\nabla f_\xi(w_t)\|^\beta`:
    the numerator and the normalizer come from the same minibatch, which
    biases the direction; compare :func:`ian_sgd`.

    Parameters
    ----------
    lr, beta : float or sequence of float
        Step size and normalization power (per run).
    batch : int
        Minibatch size.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.least_squares(n=200, d=5)
    >>> res = gs.run(p, gs.optim.an_sgd(0.05, beta=0.5, batch=10), steps=300)
    >>> bool(res.gap[-1, 0] < 0.1 * res.gap[0, 0])
    True
    """
    hyper = {"lr": check_positive("lr", lr), "beta": _beta(beta)}
    return Optimizer("an_sgd", rules.normalized, hyper, sizes={"batch": positive_int("batch", batch)})


def nsgd(lr, batch, beta=1.0) -> Optimizer:
    r"""Normalized SGD (Hazan, Levy, Shalev-Shwartz 2015):
    :math:`w_{t+1} = w_t - \gamma g / \|g\|^\beta`, ``g`` a minibatch gradient.

    ``beta = 1`` is the classical method; other powers equal :func:`an_sgd`.

    Parameters
    ----------
    lr : float or sequence of float
        Step size (per run).
    batch : int
        Minibatch size.
    beta : float or sequence of float
        Normalization power (per run).

    Examples
    --------
    Every step has length ``lr`` exactly:

    >>> import numpy as np, gsmooth as gs
    >>> p = gs.problems.least_squares(n=200, d=5)
    >>> res = gs.run(p, gs.optim.nsgd(0.01, batch=10), steps=1, record=1, keep_iterates=True)
    >>> steps = np.diff(res.capture["iterates"][:, 0], axis=0)
    >>> np.linalg.norm(steps, axis=1).round(12).tolist()
    [0.01]
    """
    hyper = {"lr": check_positive("lr", lr), "beta": _beta(beta)}
    return Optimizer("nsgd", rules.normalized, hyper, sizes={"batch": positive_int("batch", batch)})


def nsgd_momentum(lr, momentum, batch, beta=1.0) -> Optimizer:
    r"""Normalized SGD with momentum (Cutkosky and Mehta, ICML 2020).

    :math:`m_{t+1} = \mu m_t + (1 - \mu) g_t`,
    :math:`w_{t+1} = w_t - \gamma m_{t+1} / \|m_{t+1}\|^\beta`, :math:`m_0 = 0`.

    Parameters
    ----------
    lr : float or sequence of float
        Step size (per run).
    momentum : float or sequence of float
        :math:`\mu \in [0, 1)` (per run).
    batch : int
        Minibatch size.
    beta : float or sequence of float
        Normalization power (per run).

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.least_squares(n=200, d=5)
    >>> res = gs.run(p, gs.optim.nsgd_momentum(0.01, momentum=0.5, batch=10), steps=500)
    >>> bool(res.gap[-1, 0] < 0.01 * res.gap[0, 0])
    True
    """
    hyper = {
        "lr": check_positive("lr", lr),
        "momentum": check_interval("momentum", momentum, 0.0, 1.0, high_open=True),
        "beta": _beta(beta),
    }
    return Optimizer("nsgd_momentum", rules.normalized, hyper, direction=MOMENTUM,
                     sizes={"batch": positive_int("batch", batch)})


def clipped_sgd(lr, clip, batch, beta=1.0, offset=0.0) -> Optimizer:
    r"""Clipped SGD (Zhang et al. 2020; Koloskova, Hendrikx, Stich, ICML 2023).

    :math:`w_{t+1} = w_t - \gamma \min\{1, c / (\|g\| + o)\}^\beta g` with ``g`` a
    minibatch gradient; see :func:`clipped_gd` for the parameters.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.least_squares(n=200, d=5)
    >>> res = gs.run(p, gs.optim.clipped_sgd(0.05, clip=1.0, batch=10), steps=300)
    >>> bool(res.gap[-1, 0] < 1e-3 * res.gap[0, 0])
    True
    """
    return Optimizer("clipped_sgd", rules.clipped, _clipping(lr, clip, beta, offset),
                     sizes={"batch": positive_int("batch", batch)})


def ian_sgd(lr, beta, batch, batch2, A=1.0, delta=0.0, Gamma=1.0) -> Optimizer:
    r"""Independently-and-adaptively normalized SGD (Yang et al., TMLR 2025, eq. 17).

    :math:`w_{t+1} = w_t - \gamma \nabla f_\xi(w_t) / h_t^\beta`,
    :math:`h_t = \max\{1, \Gamma (A \|\nabla f_{\xi'}(w_t)\| + \delta)\}`, with
    :math:`\xi` (size ``batch``) and :math:`\xi'` (size ``batch2``) drawn
    independently.  Theory: :math:`A = 1/(1-\tau_1)`, :math:`\delta = \tau_2/(1-\tau_1)`,
    :math:`\Gamma = (4 L_1 \gamma (2\tau_1^2 + 1))^{1/\beta}`.

    Parameters
    ----------
    lr, beta, A, delta, Gamma : float or sequence of float
        Hyperparameters of the update (per run); ``A, delta >= 0``, ``Gamma > 0``.
    batch, batch2 : int
        Sizes of the two independent minibatches; both count as samples.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.phase_retrieval(m=200, d=10)
    >>> opt = gs.optim.ian_sgd(0.3 / 2025 ** (2 / 3), 2 / 3, 64, 4, A=2, delta=15, Gamma=1 / 2025)
    >>> res = gs.run(p, opt, steps=5)
    >>> opt.sizes, int(res.samples[-1, 0])
    ({'batch': 64, 'batch2': 4}, 340)
    """
    hyper = {
        "lr": check_positive("lr", lr),
        "beta": _beta(beta),
        "A": check_nonnegative("A", A),
        "delta": check_nonnegative("delta", delta),
        "Gamma": check_positive("Gamma", Gamma),
    }
    sizes = {"batch": positive_int("batch", batch), "batch2": positive_int("batch2", batch2)}
    return Optimizer("ian_sgd", rules.independently_normalized, hyper, sizes=sizes)


def spider(lr, batch, period, beta=1.0) -> Optimizer:
    r"""Normalized SPIDER (Fang et al., NeurIPS 2018; Chen et al., ICML 2023).

    Every ``period`` steps :math:`v_t = \nabla F(w_t)`; otherwise
    :math:`v_t = v_{t-1} + \nabla f_\xi(w_t) - \nabla f_\xi(w_{t-1})` on one fresh
    minibatch; :math:`w_{t+1} = w_t - \gamma v_t / \|v_t\|^\beta`.

    Parameters
    ----------
    lr, beta : float or sequence of float
        Step size and normalization power (per run).
    batch : int
        Minibatch size of the corrections.
    period : int
        Steps between full-gradient refreshes.

    Examples
    --------
    Two refreshes (``n = 200`` each) and eight corrections of 10 samples:

    >>> import gsmooth as gs
    >>> p = gs.problems.least_squares(n=200, d=5)
    >>> res = gs.run(p, gs.optim.spider(0.01, batch=10, period=5), steps=10)
    >>> int(res.samples[-1, 0])
    480
    """
    hyper = {"lr": check_positive("lr", lr), "beta": _beta(beta)}
    sizes = {"batch": positive_int("batch", batch), "period": positive_int("period", period)}
    return Optimizer("spider", rules.normalized, hyper, direction=SPIDER, sizes=sizes)
