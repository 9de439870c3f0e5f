r"""A one-hidden-layer perceptron classifier on scikit-learn's digits.

The paper's neural-network experiment (ResNets on CIFAR-10) needs a download;
this problem keeps its character (a nonconvex finite sum with a network's
curvature) on a data set that ships inside scikit-learn: 1797 images of 8x8
pixels, 10 classes, pixels scaled to ``[0, 1]``.

**Model.** Parameters ``W1`` (64, H), ``b1`` (H), ``W2`` (H, 10), ``b2`` (10),
flattened in that order into ``w`` of dimension ``d = 64 H + H + 10 H + 10``.
For an image ``x_i`` with one-hot label ``y_i``:

.. math::

    z_i = W_1^T x_i + b_1, \quad h_i = \sigma(z_i), \quad
    o_i = W_2^T h_i + b_2, \quad
    f_i(w) = \mathrm{logsumexp}(o_i) - y_i^T o_i + \tfrac{\ell_2}{2} \|w\|^2 ,

and ``F`` is the mean of the ``f_i``.

**Backpropagation.** With ``q_i = softmax(o_i)``: ``d f_i / d o_i = q_i - y_i``;
``grad_{W2} = h_i (q_i - y_i)^T``, ``grad_{b2} = q_i - y_i``;
``delta_i = (W_2 (q_i - y_i)) * sigma'(z_i)``; ``grad_{W1} = x_i delta_i^T``,
``grad_{b1} = delta_i``; plus ``l2 w``.  For ``k`` runs and ``N`` samples these
are batched matrix products: ``(k, N, H)^T (k, N, 10)`` and so on.
"""

from __future__ import annotations

import numpy as np

from gsmooth._backend import namespace
from gsmooth._checks import nonnegative_int, positive_int
from gsmooth.problems.base import Problem

ACTIVATIONS = ("tanh", "relu")
SPLITS = ("train", "test")
N_PIXELS = 64
N_CLASSES = 10
PIXEL_MAX = 16.0


class MLP(Problem):
    """Softmax cross-entropy of a one-hidden-layer network; see the module docstring.

    Attributes
    ----------
    hidden : int
    activation : str
    l2 : float
    n_test : int
        Number of held-out images (0 when every image trains).

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.mlp(hidden=4, n_train=300)
    >>> p.dim, p.n_samples, p.hvp_exact
    (310, 300, True)
    """

    def __init__(self, hidden, seed, n_train, activation, l2):
        hidden = positive_int("hidden", hidden)
        seed = nonnegative_int("seed", seed)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        if not (np.isfinite(l2) and l2 >= 0):
            raise ValueError(f"l2 must be finite and >= 0, got {l2!r}")
        features, labels = _digits()
        n_total = labels.size
        if n_train is not None:
            n_train = positive_int("n_train", n_train)
            if n_train > n_total:
                raise ValueError(f"n_train must be at most {n_total}, got {n_train}")
        split_seed, init_seed = np.random.SeedSequence(seed).spawn(2)
        order = np.random.default_rng(split_seed).permutation(n_total)
        n_train = n_total if n_train is None else n_train
        train, test = order[:n_train], order[n_train:]
        onehot = np.eye(N_CLASSES)[labels]
        data = {
            "x": features[train],
            "y": onehot[train],
            "x_test": features[test],
            "y_test": onehot[test],
        }
        self.hidden, self.activation, self.l2 = hidden, activation, float(l2)
        self.n_test = test.size
        self._shapes = ((N_PIXELS, hidden), (hidden,), (hidden, N_CLASSES), (N_CLASSES,))
        dim = sum(int(np.prod(shape)) for shape in self._shapes)
        start = _glorot(self._shapes, np.random.default_rng(init_seed))
        name = f"mlp(hidden={hidden}, {activation})"
        super().__init__(name, dim, start, n_train, None, data)

    def _unpack(self, w):
        xp = namespace(w)
        k, parts, offset = w.shape[0], [], 0
        for shape in self._shapes:
            size = int(np.prod(shape))
            parts.append(xp.reshape(w[:, offset : offset + size], (k, *shape)))
            offset += size
        return parts

    def _forward(self, w, x):
        """Hidden pre-activations, hidden units and logits for inputs ``x`` (N or k,N, 64)."""
        xp = namespace(w)
        w1, b1, w2, b2 = self._unpack(w)
        z = x @ w1 + b1[:, None, :]
        h = xp.tanh(z) if self.activation == "tanh" else xp.clip(z, min=0.0)
        return z, h, h @ w2 + b2[:, None, :]

    def _loss_terms(self, w, x, y):
        """Mean cross-entropy (k,) and ``q - y`` (k, N, 10) on inputs ``x``, labels ``y``."""
        xp = namespace(w)
        z, h, logits = self._forward(w, x)
        top = xp.max(logits, axis=-1, keepdims=True)
        lse = top + xp.log(xp.sum(xp.exp(logits - top), axis=-1, keepdims=True))
        loss = xp.mean(xp.sum(y * (lse - logits), axis=-1), axis=-1)
        return loss, xp.exp(logits - lse) - y, z, h

    def _value_and_grad_on(self, w, x, y):
        xp = namespace(w)
        loss, dlogits, z, h = self._loss_terms(w, x, y)
        _, _, w2, _ = self._unpack(w)
        k, count = w.shape[0], dlogits.shape[1]
        dlogits = dlogits / count
        slope = 1.0 - h * h if self.activation == "tanh" else xp.astype(z > 0, w.dtype)
        delta = (dlogits @ xp.matrix_transpose(w2)) * slope
        grads = (
            xp.matrix_transpose(x) @ delta,
            xp.sum(delta, axis=1),
            xp.matrix_transpose(h) @ dlogits,
            xp.sum(dlogits, axis=1),
        )
        flat = xp.concat([xp.reshape(g, (k, -1)) for g in grads], axis=-1)
        penalty = 0.5 * self.l2 * xp.sum(w * w, axis=-1)
        return loss + penalty, flat + self.l2 * w

    def _value(self, w, data):
        xp = namespace(w)
        loss = self._loss_terms(w, data["x"], data["y"])[0]
        return loss + 0.5 * self.l2 * xp.sum(w * w, axis=-1)

    def _grad(self, w, data):
        return self._value_and_grad_on(w, data["x"], data["y"])[1]

    def value_and_grad(self, w):
        """Objective and gradient from one forward and one backward pass."""
        self._check_iterate(w)
        data = self._data_like(w)
        return self._value_and_grad_on(w, data["x"], data["y"])

    def _sample_grad(self, w, idx, data):
        x, y = self._gather(data, idx, "x", "y")
        return self._value_and_grad_on(w, x, y)[1]

    hvp_exact = True

    def _hvp(self, w, v, data):
        r"""Hessian-vector product by the R-operator (forward-over-backward).

        ``R{.}`` is the directional derivative along ``v = (V1, c1, V2, c2)``
        (Pearlmutter 1994).  Applied to the forward pass: ``R z = x V1 + c1``,
        ``R h = sigma'(z) R z``, ``R o = R h W2 + h V2 + c2``, and with
        ``q = softmax(o)``, ``R q = q * (R o - <q, R o>)``.  Applied to the
        backward pass of the module docstring (``e = (q - y)/N``,
        ``delta = (e W2^T) sigma'(z)``):
        ``R grad_W2 = R h^T e + h^T R e``, ``R grad_b2 = sum R e``,
        ``R delta = (R e W2^T + e V2^T) sigma'(z) + (e W2^T) sigma''(z) R z``,
        ``R grad_W1 = x^T R delta``, ``R grad_b1 = sum R delta``; plus ``l2 v``.
        For tanh ``sigma' = 1 - h^2``, ``sigma'' = -2 h (1 - h^2)``; for relu
        ``sigma' = 1[z > 0]`` and ``sigma'' = 0`` away from the kink.
        """
        xp = namespace(w)
        x = data["x"]
        _, dlogits, z, h = self._loss_terms(w, x, data["y"])
        _, _, w2, _ = self._unpack(w)
        v1, c1, v2, c2 = self._unpack(v)
        k, count = w.shape[0], dlogits.shape[1]
        softmax = dlogits + data["y"]
        tanh = self.activation == "tanh"
        slope = 1.0 - h * h if tanh else xp.astype(z > 0, w.dtype)
        rz = x @ v1 + c1[:, None, :]
        rh = slope * rz
        ro = rh @ w2 + h @ v2 + c2[:, None, :]
        r_err = softmax * (ro - xp.sum(softmax * ro, axis=-1, keepdims=True)) / count
        err = dlogits / count
        r_delta = (r_err @ xp.matrix_transpose(w2) + err @ xp.matrix_transpose(v2)) * slope
        if tanh:
            r_delta = r_delta + (err @ xp.matrix_transpose(w2)) * (-2.0 * h * slope) * rz
        parts = (
            xp.matrix_transpose(x) @ r_delta,
            xp.sum(r_delta, axis=1),
            xp.matrix_transpose(rh) @ err + xp.matrix_transpose(h) @ r_err,
            xp.sum(r_err, axis=1),
        )
        return xp.concat([xp.reshape(g, (k, -1)) for g in parts], axis=-1) + self.l2 * v

    def accuracy(self, w, split="train"):
        """Fraction of images classified correctly by every run, shape (k,).

        ``split`` is ``"train"`` or ``"test"`` (the images left out by ``n_train``).
        """
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        if split == "test" and self.n_test == 0:
            raise ValueError("split='test' needs held-out images: pass n_train < 1797")
        self._check_iterate(w)
        xp = namespace(w)
        data = self._data_like(w)
        x, y = (data["x"], data["y"]) if split == "train" else (data["x_test"], data["y_test"])
        logits = self._forward(w, x)[2]
        hits = xp.argmax(logits, axis=-1) == xp.argmax(y, axis=-1)
        return xp.mean(xp.astype(hits, w.dtype), axis=-1)


def _digits():
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError(
            "the mlp problem needs scikit-learn's digits data: pip install gsmooth[mlp]"
        ) from error
    digits = load_digits()
    return digits.data / PIXEL_MAX, digits.target


def _glorot(shapes, rng):
    """Glorot-uniform weights ``U(-sqrt(6/(fan_in+fan_out)), +...)``, zero biases, flattened."""
    parts = []
    for shape in shapes:
        if len(shape) == 2:
            bound = np.sqrt(6.0 / sum(shape))
            parts.append(rng.uniform(-bound, bound, size=shape).ravel())
        else:
            parts.append(np.zeros(shape))
    return np.concatenate(parts)


def mlp(hidden=32, seed=0, n_train=None, activation="tanh", l2=1e-4) -> MLP:
    """One-hidden-layer classifier on the digits; see :class:`MLP`.

    Parameters
    ----------
    hidden : int
        Hidden units ``H``.
    seed : int
        Seed of the train/test split and (independently) of the Glorot start.
    n_train : int, optional
        Train on a random ``n_train`` of the 1797 images and hold out the rest
        (see :meth:`MLP.accuracy`); all images when omitted.
    activation : {"tanh", "relu"}
    l2 : float
        Weight of ``l2/2 ||w||^2`` in every ``f_i``.

    Examples
    --------
    >>> import gsmooth as gs
    >>> p = gs.problems.mlp(hidden=8, n_train=500)
    >>> p.dim, p.n_samples, p.n_test
    (610, 500, 1297)
    >>> float(p.accuracy(p.start[None, :])[0]) < 0.5
    True
    """
    return MLP(hidden, seed, n_train, activation, l2)
