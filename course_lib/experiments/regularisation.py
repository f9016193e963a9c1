r"""Remedies for overfitting (过拟合): penalties, noise, early stopping, and a small network to try them on.

A :class:`Network` is a list of layers of :mod:`course_lib.layers` (and :mod:`course_lib.conv`)
ending in Softmax-with-Loss. :func:`fit` trains it by mini-batch SGD on

.. math:: J(\theta) = \frac{1}{N}\sum_i -\log p_{i, y_i}
          \;+\; \lambda_1 \sum_\ell \lVert W_\ell \rVert_1
          \;+\; \frac{\lambda_2}{2} \sum_\ell \lVert W_\ell \rVert_2^2

(biases and batch-norm parameters are not penalised), optionally with Gaussian noise on the
inputs or on the weights, and records the loss and accuracy on the training and validation sets
after every epoch. :func:`early_stopping_epoch` is the patience rule; :func:`constrained_minimum`
computes the lecture's picture of L1 and L2 as constraints (the diamond and the circle).

One run is one draw of data and initial weights, so remedies are compared over seeds:
:func:`compare_over_seeds` trains one network per remedy and seed, all stacked in the same numpy
calls, and :func:`fit_over_seeds` fits any models (trees, ensembles, :func:`prune_by_validation`,
networks) seed by seed; both report mean ± spread.
"""
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .. import layers
from .._validate import as_array, as_number, as_seeds, as_targets
from ..data import moons_split
from ..losses import log_softmax

__all__ = ["l1_penalty", "l2_penalty", "Network", "mlp", "History", "fit", "early_stopping_epoch",
           "constrained_minimum", "compare_over_seeds", "SeedComparison",
           "prune_by_validation", "PruningPath", "fit_over_seeds", "SeedScores"]


def l1_penalty(W, lam):
    r"""L1 penalty :math:`\lambda_1\lVert W\rVert_1 = \lambda_1\sum|w|` and its (sub)gradient :math:`\lambda_1\,\mathrm{sign}(W)`.

    Returns ``(value, grad)``; grad has W's shape (0 where w = 0, the subgradient PyTorch uses).
    """
    W = as_array(W, "W")
    lam = as_number(lam, "lam", low=0)
    return lam * float(np.abs(W).sum()), lam * np.sign(W)


def l2_penalty(W, lam):
    r"""L2 penalty :math:`\frac{\lambda_2}{2}\lVert W\rVert_2^2` and its gradient :math:`\lambda_2 W` ("weight decay").

    Returns ``(value, grad)``; grad has W's shape.
    """
    W = as_array(W, "W")
    lam = as_number(lam, "lam", low=0)
    return 0.5 * lam * float(np.sum(W * W)), lam * W


def _slots(layer):
    """The (parameter, gradient) attribute names of a layer, weights first."""
    if hasattr(layer, "gamma") and hasattr(layer, "beta"):
        return [("gamma", "dgamma"), ("beta", "dbeta")]
    if hasattr(layer, "W") and hasattr(layer, "b"):
        return [("W", "dW"), ("b", "db")]
    return []


class Network:
    """A stack of layers ending in Softmax-with-Loss, with L1/L2 penalties on its weights.

    Parameters
    ----------
    layers : list of layer objects
        Each has ``forward(x)`` and ``backward(dout)``; parameters are found by name (``W``/``b``
        with gradients ``dW``/``db``, or ``gamma``/``beta`` with ``dgamma``/``dbeta``).
    input_shape : tuple of int, optional
        The shape of one sample that the first layer expects, e.g. (1, 8, 8) for a convolution
        over 8×8 images: inputs (N, 64) are reshaped to (N, 1, 8, 8). None: used as given.

    Attributes
    ----------
    params : list of arrays, the layers' own arrays (updated in place by :func:`fit`)
    grads : list of arrays of the same shapes, filled by :meth:`gradients`
    weights : the arrays called ``W``, the only ones L1 and L2 penalise
    """

    def __init__(self, layer_list, input_shape=None):
        if input_shape is not None:
            if not isinstance(input_shape, (list, tuple)) or not input_shape:
                raise TypeError(f"input_shape must be a tuple of ints such as (1, 8, 8) or None; got {input_shape!r}")
            input_shape = tuple(as_number(d, "input_shape", low=1, integer=True) for d in input_shape)
        self.input_shape = input_shape
        if not isinstance(layer_list, (list, tuple)) or not layer_list:
            raise TypeError(f"layer_list must be a non-empty list of layers; got {layer_list!r:.80}")
        for i, layer in enumerate(layer_list):
            if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
                raise TypeError(f"layer_list[{i}] must have forward and backward methods; got {type(layer).__name__}")
        self.layers = list(layer_list)
        self.loss_layer = layers.SoftmaxWithLoss()
        self.params = [getattr(layer, p) for layer in self.layers for p, _ in _slots(layer)]
        self.weights = [layer.W for layer in self.layers if _slots(layer) and _slots(layer)[0][0] == "W"]
        self.grads = [np.zeros_like(p) for p in self.params]

    def train(self, mode=True):
        """Put dropout and batch-norm layers in training mode (``mode=False``: evaluation mode)."""
        for layer in self.layers:
            if hasattr(layer, "training"):
                layer.training = bool(mode)
        return self

    def eval(self):
        """Evaluation mode: dropout off, batch norm uses its running statistics."""
        return self.train(False)

    def forward(self, X):
        """Logits z (N, classes) for inputs X (N, ...), in the current mode."""
        out = as_array(X, "X")
        if self.input_shape is not None:
            out = out.reshape(len(out), *self.input_shape)
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def predict(self, X):
        """Predicted class of each sample, in the current mode."""
        return self.forward(X).argmax(axis=1)

    def score(self, X, y):
        """Accuracy on (X, y) in the current mode (as scikit-learn's ``score``)."""
        y = as_array(y, "y", ndim=1, dtype=np.int64)
        return float(np.mean(self.predict(X) == y))

    def penalty(self, l1=0.0, l2=0.0):
        """λ₁ Σ‖W‖₁ + λ₂/2 Σ‖W‖₂² over the weights."""
        total = 0.0
        for W in self.weights:
            total += (l1_penalty(W, l1)[0] if l1 else 0.0) + (l2_penalty(W, l2)[0] if l2 else 0.0)
        return total

    def loss(self, X, y):
        """Mean cross-entropy on (X, y) in the current mode, without the penalty."""
        z = self.forward(X)
        Y = as_targets(y, z.shape[0], z.shape[1], "y")
        return -float(np.sum(Y * log_softmax(z))) / z.shape[0]

    def gradients(self, X, y, l1=0.0, l2=0.0):
        """Forward and backward pass on (X, y): returns the penalised loss J and fills ``self.grads``."""
        l1 = as_number(l1, "l1", low=0)
        l2 = as_number(l2, "l2", low=0)
        z = self.forward(X)
        loss = self.loss_layer.forward(z, y) + self.penalty(l1, l2)
        dout = self.loss_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        i = 0
        for layer in self.layers:
            for p, g in _slots(layer):
                grad = getattr(layer, g)
                if p == "W" and l1:
                    grad = grad + l1_penalty(layer.W, l1)[1]
                if p == "W" and l2:
                    grad = grad + l2_penalty(layer.W, l2)[1]
                self.grads[i] = grad
                i += 1
        return loss

    def copy_params(self):
        """A copy of every parameter (to restore later with :meth:`set_params`)."""
        return [p.copy() for p in self.params]

    def set_params(self, values):
        """Overwrite every parameter in place with ``values`` (as returned by :meth:`copy_params`)."""
        if len(values) != len(self.params):
            raise ValueError(f"values must hold {len(self.params)} arrays, one per parameter; got {len(values)}")
        for p, v in zip(self.params, values):
            p[...] = v


def mlp(layer_sizes, dropout=0.0, batchnorm=False, seed=0):
    r"""A fully connected ReLU network as a :class:`Network`.

    Each hidden layer is Affine → [BatchNorm] → ReLU → [Dropout(p)]; the last is Affine.
    Weights are drawn with He's scale :math:`W \sim \mathcal{N}(0, 2/\text{fan-in})` from
    ``np.random.RandomState(seed)``, biases start at 0; the i-th dropout layer draws its masks from
    seed + i, so the same arguments give the same network and the same masks.
    """
    if not isinstance(layer_sizes, (list, tuple)) or len(layer_sizes) < 2:
        raise TypeError(f"layer_sizes must be a list of at least two ints, e.g. [64, 100, 10]; got {layer_sizes!r}")
    sizes = [as_number(s, f"layer_sizes[{i}]", low=1, integer=True) for i, s in enumerate(layer_sizes)]
    dropout = as_number(dropout, "dropout", low=0, high=1)
    rng = np.random.RandomState(as_number(seed, "seed", low=0, integer=True))
    stack = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        stack.append(layers.Affine(rng.randn(fan_in, fan_out) * np.sqrt(2.0 / fan_in), np.zeros(fan_out)))
        if i < len(sizes) - 2:
            if batchnorm:
                stack.append(layers.BatchNorm(fan_out))
            stack.append(layers.ReLU())
            if dropout > 0:
                stack.append(layers.Dropout(dropout, seed=seed + i))
    return Network(stack)


@dataclass
class History:
    """What :func:`fit` records, one entry per epoch (entry 0 is before training).

    ``train_loss``/``val_loss`` are the mean cross-entropies without the penalty, in evaluation
    mode; ``train_acc``/``val_acc`` the accuracies. ``stopped`` is the last epoch trained and
    ``best`` the epoch whose parameters the network holds at the end (the last one, unless early
    stopping restored the best).
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    stopped: int = 0
    best: int = 0

    def as_arrays(self):
        """The four curves as numpy arrays, in a dict."""
        return {k: np.array(getattr(self, k)) for k in ("train_loss", "val_loss", "train_acc", "val_acc")}


def _record(net, history, X, y, X_val, y_val):
    net.eval()
    for X_, y_, loss, acc in ((X, y, history.train_loss, history.train_acc),
                              (X_val, y_val, history.val_loss, history.val_acc)):
        z = net.forward(X_)
        loss.append(-float(np.mean(log_softmax(z)[np.arange(len(y_)), y_])))
        acc.append(float(np.mean(z.argmax(axis=1) == y_)))
    net.train()


def fit(net, X, y, X_val, y_val, epochs=100, lr=0.1, batch_size=32, momentum=0.0, l1=0.0, l2=0.0,
        input_noise=0.0, weight_noise=0.0, patience=None, seed=0, callback=None):
    r"""Train ``net`` by mini-batch SGD with momentum and record both sets after every epoch.

    The update is PyTorch's ``SGD(momentum=μ)``: v ← μ·v + ∂J/∂θ, θ ← θ − lr·v (plain SGD for μ = 0).

    Parameters
    ----------
    X, y : training inputs (N, ...) and class indices (N,); X_val, y_val : validation set
    l1, l2 : λ₁ and λ₂ of the penalty on the weights
    input_noise : σ of Gaussian noise added to every mini-batch's inputs (a fresh draw each time)
    weight_noise : σ of Gaussian noise added to the weights for each step's forward and backward
        pass (removed before the update)
    patience : early stopping: stop when the validation loss has not improved on its best for
        this many epochs, and restore the parameters of the best epoch (None: train all epochs;
        batch-norm running statistics are not parameters and are not restored)
    seed : seeds the shuffling and the noise (``np.random.RandomState(seed)``); dropout layers
        draw from their own generators
    callback : ``callback(epoch, history)`` after each epoch (a progress print or a live plot)

    Returns
    -------
    History; the network is left in evaluation mode. With batch norm, pick a batch size that
    leaves no mini-batch of a single sample (a variance needs two).
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network (e.g. from mlp(...)); got {type(net).__name__}")
    X = as_array(X, "X")
    X_val = as_array(X_val, "X_val")
    y = as_array(y, "y", ndim=1, dtype=np.int64)
    y_val = as_array(y_val, "y_val", ndim=1, dtype=np.int64)
    if len(y) != len(X) or len(y_val) != len(X_val):
        raise ValueError(f"X and y, X_val and y_val must have one label per sample; got {len(X)} and {len(y)}, "
                         f"{len(X_val)} and {len(y_val)}")
    epochs = as_number(epochs, "epochs", low=0, integer=True)
    lr = as_number(lr, "lr", low=0)
    momentum = as_number(momentum, "momentum", low=0, high=1, high_inclusive=False)
    batch_size = as_number(batch_size, "batch_size", low=1, integer=True)
    l1, l2 = as_number(l1, "l1", low=0), as_number(l2, "l2", low=0)
    input_noise = as_number(input_noise, "input_noise", low=0)
    weight_noise = as_number(weight_noise, "weight_noise", low=0)
    if patience is not None:
        patience = as_number(patience, "patience", low=1, integer=True)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch, history) or None; got {type(callback).__name__}")
    rng = np.random.RandomState(as_number(seed, "seed", low=0, integer=True))

    history = History()
    _record(net, history, X, y, X_val, y_val)
    best_params = net.copy_params()
    velocity = [np.zeros_like(p) for p in net.params]
    net.train()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            xb = X[batch]
            if input_noise:
                xb = xb + input_noise * rng.randn(*xb.shape)
            clean = [W.copy() for W in net.weights] if weight_noise else []
            for W in net.weights if weight_noise else []:
                W += weight_noise * rng.randn(*W.shape)
            net.gradients(xb, y[batch], l1, l2)       # the gradient at the noisy weights ...
            for W, W_clean in zip(net.weights, clean):
                W[...] = W_clean                      # ... applied to the clean ones
            for p, g, v in zip(net.params, net.grads, velocity):
                v *= momentum
                v += g
                p -= lr * v
        _record(net, history, X, y, X_val, y_val)
        history.stopped = epoch
        if history.val_loss[-1] < history.val_loss[history.best]:
            history.best, best_params = epoch, net.copy_params()
        if callback is not None:
            callback(epoch, history)
        if patience is not None and epoch - history.best >= patience:
            break
    if patience is None:
        history.best = history.stopped
    else:
        net.set_params(best_params)
    net.eval()
    return history


def early_stopping_epoch(val_losses, patience):
    """The patience rule: the epoch at which training stops, and the best epoch it goes back to.

    Training stops at the first epoch t whose validation loss has not improved on the best so far
    for ``patience`` epochs (t − best = patience), and keeps the parameters of the best epoch.
    "Improved" means strictly lower. If that never happens, it stops at the last epoch.

    Returns ``(stop, best)``, indices into ``val_losses``.
    """
    losses = as_array(val_losses, "val_losses", ndim=1)
    if losses.size == 0:
        raise ValueError("val_losses must hold at least one loss; got an empty array")
    patience = as_number(patience, "patience", low=1, integer=True)
    best = 0
    for t in range(1, len(losses)):
        if losses[t] < losses[best]:
            best = t
        elif t - best >= patience:
            return t, best
    return len(losses) - 1, best


def constrained_minimum(A, w_star, radius, norm, n_points=20001):
    r"""Minimise the quadratic :math:`\frac12 (w - w^*)^\top A (w - w^*)` over the 2-D ball :math:`\lVert w\rVert_p \le r`.

    This is the lecture's picture of regularisation as a constraint: the contours of the loss
    (ellipses around the unconstrained minimum w*) first touch the L2 ball (a circle) somewhere
    on its round edge, but the L1 ball (a diamond) usually at a corner, where one weight is 0.

    If w* lies inside the ball it is the answer. Otherwise the minimum lies on the boundary, which
    is searched on ``n_points`` points (corners included) and refined by golden-section search
    between the neighbours of the best one.

    Parameters
    ----------
    A : (2, 2) symmetric positive-definite array; w_star : (2,) array
    radius : r > 0; norm : 1 or 2

    Returns
    -------
    (2,) array, the constrained minimiser.
    """
    A = as_array(A, "A", ndim=2)
    w_star = as_array(w_star, "w_star", ndim=1)
    if A.shape != (2, 2) or w_star.shape != (2,):
        raise ValueError(f"A must be 2×2 and w_star have 2 entries; got {A.shape} and {w_star.shape}")
    if not np.allclose(A, A.T) or np.linalg.eigvalsh(A)[0] <= 0:
        raise ValueError("A must be symmetric positive definite (the loss must be a bowl)")
    radius = as_number(radius, "radius", low=0, low_inclusive=False)
    if norm not in (1, 2):
        raise ValueError(f"norm must be 1 or 2; got {norm!r}")
    n_points = as_number(n_points, "n_points", low=8, integer=True)
    if np.linalg.norm(w_star, ord=norm) <= radius:
        return w_star.copy()

    def boundary(t):                      # the point of the ball's edge at angle t
        d = np.stack([np.cos(t), np.sin(t)], axis=-1)
        return radius * d / np.linalg.norm(d, ord=norm, axis=-1, keepdims=True)

    def loss(t):
        e = boundary(t) - w_star
        return 0.5 * np.einsum("...i,ij,...j->...", e, A, e)

    t = np.linspace(0, 2 * np.pi, 4 * ((n_points - 1) // 4) + 1)   # includes the corners at kπ/2
    k = int(np.argmin(loss(t)))
    lo, hi = t[max(k - 1, 0)], t[min(k + 1, len(t) - 1)]
    golden = (np.sqrt(5) - 1) / 2
    for _ in range(45):                   # golden-section search: the bracket shrinks to 4e-10 of its size
        a, b = hi - golden * (hi - lo), lo + golden * (hi - lo)
        if loss(a) < loss(b):
            hi = b
        else:
            lo = a
    candidates = np.array([t[k], (lo + hi) / 2])
    return boundary(candidates[np.argmin(loss(candidates))])



_REMEDY_KEYS = {"l1", "l2", "dropout", "input_noise", "weight_noise", "batchnorm"}
_METRICS = ("train_loss", "val_loss", "train_acc", "val_acc")


@dataclass
class SeedComparison:
    """What :func:`compare_over_seeds` measured: every remedy on every seed.

    ``curves[metric]`` has shape (remedies, seeds, epochs + 1), entry 0 before training;
    ``params`` holds the trained parameters, stacked the same way (see :meth:`network`).
    """

    names: list
    seeds: list
    settings: dict
    sizes: list
    curves: dict
    params: dict
    data: dict = field(default_factory=lambda: {"n_train": 50, "n_val": 200, "noise": 0.4})

    def split(self, k=0):
        """The data of seed index ``k``: ``X, y, X_val, y_val``, as the networks saw them."""
        k = as_number(k, "k", low=0, high=len(self.seeds) - 1, integer=True)
        return moons_split(**self.data, seed=1 + 2 * self.seeds[k])

    def _row(self, name):
        if name not in self.names:
            raise ValueError(f"name must be one of {self.names}; got {name!r}")
        return self.names.index(name)

    def final(self, name, patience=None):
        """The numbers of remedy ``name`` at the end of training, one per seed: a dict of (seeds,)
        arrays, the four metrics and ``gap`` = training accuracy − validation accuracy.

        With ``patience``, early stopping: the numbers of the epoch the patience rule
        (:func:`early_stopping_epoch`) goes back to, which are those of ``fit(..., patience=patience)``.
        """
        r = self._row(name)
        if patience is None:
            epoch = np.full(len(self.seeds), self.curves["val_loss"].shape[2] - 1)
        else:
            epoch = np.array([early_stopping_epoch(curve, patience)[1] for curve in self.curves["val_loss"][r]])
        out = {m: self.curves[m][r, np.arange(len(self.seeds)), epoch] for m in _METRICS}
        out["gap"] = out["train_acc"] - out["val_acc"]
        out["epoch"] = epoch
        return out

    def summary(self, rows=None):
        """A table, one line per remedy (``rows``: name → :meth:`final`'s dict; default every remedy
        at the end of training): mean ± standard deviation over the seeds, and min – max."""
        rows = rows if rows is not None else {name: self.final(name) for name in self.names}
        lines = [f"{len(self.seeds)} seeds, mean ± std{'':9}{'val accuracy (min – max)':>26}  {'val loss':>13}  "
                 f"{'train − val acc.':>16}"]
        for name, f in rows.items():
            acc, loss, gap = f["val_acc"], f["val_loss"], f["gap"]
            lines.append(f"{name:32} {acc.mean():6.1%} ± {acc.std():4.1%} ({acc.min():4.0%} – {acc.max():4.0%})  "
                         f"{loss.mean():5.3f} ± {loss.std():5.3f}  {gap.mean():7.1%} ± {gap.std():4.1%}")
        return "\n".join(lines)

    def curve(self, name, metric="val_loss"):
        """One curve of remedy ``name`` on every seed: a (seeds, epochs + 1) array."""
        if metric not in _METRICS:
            raise ValueError(f"metric must be one of {_METRICS}; got {metric!r}")
        return self.curves[metric][self._row(name)].copy()

    def run(self, name, k=0):
        """The curves of remedy ``name`` on seed index ``k``, as :meth:`History.as_arrays` gives them."""
        r = self._row(name)
        k = as_number(k, "k", low=0, high=len(self.seeds) - 1, integer=True)
        return {m: self.curves[m][r, k].copy() for m in _METRICS}

    def network(self, name, k=0):
        """The trained network of remedy ``name`` on seed index ``k``, as a :class:`Network` in evaluation mode."""
        r = self._row(name)
        k = as_number(k, "k", low=0, high=len(self.seeds) - 1, integer=True)
        s = self.settings[name]
        net = mlp(self.sizes, dropout=s.get("dropout", 0.0), batchnorm=s.get("batchnorm", False), seed=self.seeds[k])
        affine = [layer for layer in net.layers if isinstance(layer, layers.Affine)]
        for layer, W, b in zip(affine, self.params["W"], self.params["b"]):
            layer.W[...], layer.b[...] = W[r, k], b[r, k].ravel()
        for i, layer in enumerate(layer for layer in net.layers if isinstance(layer, layers.BatchNorm)):
            for attr in ("gamma", "beta", "running_mean", "running_var"):
                getattr(layer, attr)[...] = self.params[attr][i][r, k].ravel()
        return net.eval()


def compare_over_seeds(remedies, seeds=range(8), sizes=(2, 50, 50, 2), n_train=50, n_val=200, noise=0.4,
                       epochs=150, lr=0.1, batch_size=None, momentum=0.9, seed=0, callback=None):
    r"""Train one network per remedy and per seed, all in the same numpy calls, to compare remedies fairly.

    Seed k fixes the data, ``moons_split(n_train, n_val, noise, seed=1 + 2k)`` (k = 0 is the
    chapter's data set), and the initial weights, those of ``mlp(sizes, seed=k)``. At a given seed
    every remedy sees the same data and starts from the same weights, so remedies can be compared
    seed by seed; the spread over seeds shows how much of a difference is luck.

    Each network is the :func:`mlp` with the remedy's settings, trained as :func:`fit` trains it
    (SGD with momentum; the penalty's gradient added to the weights'; noise drawn afresh every step;
    inverted dropout; batch norm with batch statistics in training and running ones in evaluation;
    the curves recorded after every epoch in evaluation mode). The R·S networks are stacked along a
    leading axis, so each layer is one batched ``matmul``, (R·S, batch, fan-in) @ (R·S, fan-in, fan-out).
    Without noise or dropout the results equal :func:`fit`'s up to rounding (tests/test_regularisation.py
    checks it); each network draws its shuffles, noise and dropout masks from a generator of its own,
    seeded by (``seed``, k, the remedy's name), so they do not change when other remedies or seeds are
    added (they are not fit's draws).
    Early stopping needs no run of its own: see :meth:`SeedComparison.final`.

    Parameters
    ----------
    remedies : dict
        name → settings, a dict with any of ``l1``, ``l2``, ``dropout``, ``input_noise``,
        ``weight_noise`` (numbers, as in :func:`fit` and :func:`mlp`) and ``batchnorm`` (bool);
        ``{}`` is no remedy.
    seeds : list of int, the seeds k (at least 2)
    sizes, n_train, n_val, noise : the network's layer sizes and the data
    epochs, lr, batch_size, momentum : training, as in :func:`fit` (``batch_size=None``: full batch)
    seed : seeds the shuffling, the noise and the dropout masks
    callback : ``callback(epoch)`` after each epoch (a progress print)

    Returns
    -------
    SeedComparison
    """
    if not isinstance(remedies, dict) or not remedies:
        raise TypeError(f"remedies must be a non-empty dict name -> settings; got {remedies!r:.80}")
    for name, s in remedies.items():
        if not isinstance(s, dict) or not set(s) <= _REMEDY_KEYS:
            raise ValueError(f"remedies[{name!r}] must be a dict with keys from {sorted(_REMEDY_KEYS)}; got {s!r:.80}")
    seeds = as_seeds(seeds, at_least=2)              # a spread needs two
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 3:
        raise TypeError(f"sizes must be a list of at least three ints (a hidden layer), e.g. [2, 50, 2]; got {sizes!r}")
    sizes = [as_number(s, "sizes", low=1, integer=True) for s in sizes]
    epochs = as_number(epochs, "epochs", low=1, integer=True)
    lr = as_number(lr, "lr", low=0)
    momentum = as_number(momentum, "momentum", low=0, high=1, high_inclusive=False)
    n_train = as_number(n_train, "n_train", low=2, integer=True)
    batch_size = n_train if batch_size is None else as_number(batch_size, "batch_size", low=1, integer=True)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch) or None; got {type(callback).__name__}")
    names, S = list(remedies), len(seeds)
    R, L = len(names), len(sizes) - 1
    B = R * S

    def setting(key, high=None):          # (B, 1, 1): each network's value of one setting
        values = [as_number(remedies[n].get(key, 0.0), f"remedies[{n!r}][{key!r}]", low=0, high=high) for n in names]
        return np.repeat(values, S)[:, None, None]

    l1, l2 = setting("l1"), setting("l2")
    p_drop, sigma_x, sigma_w = setting("dropout", high=0.99), setting("input_noise"), setting("weight_noise")
    use_bn = np.repeat([bool(remedies[n].get("batchnorm", False)) for n in names], S)[:, None, None]
    if use_bn.any() and (batch_size < 2 or n_train % batch_size == 1):
        raise ValueError(f"batch_size must leave no mini-batch of one sample with batch norm; got {batch_size}")
    dropping = np.flatnonzero(p_drop)     # the networks that need random numbers of each kind
    noisy_x, noisy_w = np.flatnonzero(sigma_x), np.flatnonzero(sigma_w)
    penalised = np.flatnonzero(l1 + l2)

    data = {"n_train": n_train, "n_val": n_val, "noise": noise}
    splits = [moons_split(**data, seed=1 + 2 * k) for k in seeds]
    X, y, X_val, y_val = (np.stack([split[i] for _ in names for split in splits]) for i in range(4))
    inits = [mlp(sizes, seed=k).weights for k in seeds]
    W = [np.stack([inits[j][i] for _ in names for j in range(S)]) for i in range(L)]
    b = [np.zeros((B, 1, h)) for h in sizes[1:]]
    gamma, beta = [np.ones((B, 1, h)) for h in sizes[1:-1]], [np.zeros((B, 1, h)) for h in sizes[1:-1]]
    run_mean, run_var = [np.zeros((B, 1, h)) for h in sizes[1:-1]], [np.ones((B, 1, h)) for h in sizes[1:-1]]
    params = W + b + (gamma + beta if use_bn.any() else [])
    velocity = [np.zeros_like(p) for p in params]
    seed = as_number(seed, "seed", low=0, integer=True)
    # each network draws from its own generator, keyed by (seed, k, its remedy's name): its masks and
    # noise do not depend on which other networks share the batch
    streams = [np.random.default_rng([seed, k, zlib.crc32(n.encode())]) for n in names for k in seeds]

    def draw(members, shape, normal):     # (len(members), *shape): one draw per network
        return np.stack([streams[j].standard_normal(shape) if normal else streams[j].random(shape) for j in members])
    rows = np.arange(B)[:, None]

    def forward(x, weights, training):
        """Logits, and what the backward pass needs; dropout and batch statistics only in training."""
        cache = []
        for i in range(L - 1):
            a = x @ weights[i]
            a += b[i]
            x_hat = inv_std = keep = None
            if use_bn.any():
                if training:
                    mean, var, m = a.mean(axis=1, keepdims=True), a.var(axis=1, keepdims=True), a.shape[1]
                    run_mean[i][...] = 0.9 * run_mean[i] + 0.1 * mean        # momentum 0.1, as BatchNorm
                    run_var[i][...] = 0.9 * run_var[i] + 0.1 * var * m / (m - 1)
                else:
                    mean, var = run_mean[i], run_var[i]
                inv_std = 1.0 / np.sqrt(var + 1e-5)
                x_hat = (a - mean) * inv_std
                a = np.where(use_bn, gamma[i] * x_hat + beta[i], a)
            h = np.maximum(a, 0.0) if training else np.maximum(a, 0.0, out=a)
            if training and dropping.size:
                keep = np.ones_like(h)
                p = p_drop[dropping]
                keep[dropping] = (draw(dropping, h.shape[1:], normal=False) >= p) / (1.0 - p)
                h = h * keep
            cache.append((x, a, x_hat, inv_std, keep))
            x = h
        cache.append((x,))
        return x @ weights[-1] + b[-1], cache

    both, labels = np.concatenate([X, X_val], axis=1), np.concatenate([y, y_val], axis=1)
    history = {m: [] for m in _METRICS}

    def record():                         # both sets in one forward pass, in evaluation mode
        log_p = log_softmax(forward(both, W, training=False)[0])
        loss = -np.take_along_axis(log_p, labels[..., None], axis=2)[..., 0]
        right = log_p.argmax(axis=2) == labels
        for part, sl in (("train", slice(0, n_train)), ("val", slice(n_train, None))):
            history[part + "_loss"].append(loss[:, sl].mean(axis=1))
            history[part + "_acc"].append(right[:, sl].mean(axis=1))

    record()
    for epoch in range(1, epochs + 1):
        if batch_size < n_train:                                        # a permutation per network
            order = np.stack([stream.permutation(n_train) for stream in streams])
        for start in range(0, n_train, batch_size):
            if batch_size < n_train:
                idx = order[:, start:start + batch_size]
                xb, yb = X[rows, idx], y[rows, idx]
            else:
                xb, yb = X, y
            if noisy_x.size:
                xb = xb.copy()
                xb[noisy_x] += sigma_x[noisy_x] * draw(noisy_x, xb.shape[1:], normal=True)
            weights = W
            if noisy_w.size:
                weights = [w.copy() for w in W]
                for w in weights:
                    w[noisy_w] += sigma_w[noisy_w] * draw(noisy_w, w.shape[1:], normal=True)
            z, cache = forward(xb, weights, training=True)
            m = z.shape[1]
            dout = np.exp(log_softmax(z))                   # Softmax-with-Loss: (p − one-hot) / m
            np.put_along_axis(dout, yb[..., None], np.take_along_axis(dout, yb[..., None], axis=2) - 1.0, axis=2)
            dout /= m
            grads = [None] * len(params)
            for i in reversed(range(L)):
                grads[i] = cache[i][0].swapaxes(1, 2) @ dout
                grads[i][penalised] += l1[penalised] * np.sign(weights[i][penalised]) + l2[penalised] * weights[i][penalised]
                grads[L + i] = dout.sum(axis=1, keepdims=True)
                if i == 0:
                    break
                _, a, x_hat, inv_std, keep = cache[i - 1]
                dout = dout @ weights[i].swapaxes(1, 2)
                if keep is not None:
                    dout = dout * keep
                dout = dout * (a > 0)
                if x_hat is not None:
                    g = i - 1
                    dbeta, dgamma = dout.sum(axis=1, keepdims=True), (dout * x_hat).sum(axis=1, keepdims=True)
                    grads[2 * L + g], grads[3 * L - 1 + g] = dgamma * use_bn, dbeta * use_bn
                    dout = np.where(use_bn, (gamma[g] * inv_std / m) * (m * dout - dbeta - x_hat * dgamma), dout)
            for p, g, v in zip(params, grads, velocity):
                v *= momentum
                v += g
                p -= lr * v
        record()
        if callback is not None:
            callback(epoch)

    curves = {m: np.array(h).T.reshape(R, S, epochs + 1) for m, h in history.items()}
    stacked = lambda arrays: [a.reshape(R, S, *a.shape[1:]) for a in arrays]
    return SeedComparison(names, seeds, {n: dict(remedies[n]) for n in names}, sizes, curves,
                          {"W": stacked(W), "b": stacked(b), "gamma": stacked(gamma), "beta": stacked(beta),
                           "running_mean": stacked(run_mean), "running_var": stacked(run_var)}, data)


class PruningPath(NamedTuple):
    """One tree per α of the cost-complexity path, scored; ``best`` indexes the best on validation."""
    alphas: np.ndarray
    trees: list
    train_acc: np.ndarray
    val_acc: np.ndarray
    leaves: np.ndarray
    best: int

    @property
    def best_tree(self):
        return self.trees[self.best]


def prune_by_validation(X, y, X_val, y_val, seed=0):
    r"""Cost-complexity pruning (CART), with α chosen on the validation set.

    Grows the full tree, computes the α values at which a branch is cut
    (:math:`R_\alpha(T) = R(T) + \alpha|T|`; scikit-learn's ``cost_complexity_pruning_path``), trains
    one tree per α (the last α, which leaves only the root, is left out) and keeps the one with the
    best validation accuracy (the first, i.e. the largest tree, on a tie). ``trees[0]`` is the full tree.
    """
    from sklearn.tree import DecisionTreeClassifier
    X, X_val = as_array(X, "X", ndim=2), as_array(X_val, "X_val", ndim=2)
    y, y_val = as_array(y, "y", ndim=1, dtype=np.int64), as_array(y_val, "y_val", ndim=1, dtype=np.int64)
    seed = as_number(seed, "seed", low=0, integer=True)
    full = DecisionTreeClassifier(random_state=seed).fit(X, y)
    alphas = full.cost_complexity_pruning_path(X, y).ccp_alphas[:-1]
    trees = [full] + [DecisionTreeClassifier(random_state=seed, ccp_alpha=a).fit(X, y) for a in alphas[1:]]
    train_acc = np.array([t.score(X, y) for t in trees])
    val_acc = np.array([t.score(X_val, y_val) for t in trees])
    leaves = np.array([t.get_n_leaves() for t in trees])
    return PruningPath(alphas, trees, train_acc, val_acc, leaves, int(np.argmax(val_acc)))


@dataclass
class SeedScores:
    """What :func:`fit_over_seeds` measured: ``train_acc`` and ``val_acc`` of shape (models, seeds),
    and ``first``, the models fitted on the first seed (for pictures)."""

    names: list
    seeds: list
    train_acc: np.ndarray
    val_acc: np.ndarray
    first: dict

    def final(self, name):
        """Accuracies of model ``name``, one per seed: a dict of (seeds,) arrays ``train_acc``,
        ``val_acc`` and ``gap`` (their difference)."""
        if name not in self.names:
            raise ValueError(f"name must be one of {self.names}; got {name!r}")
        r = self.names.index(name)
        return {"train_acc": self.train_acc[r], "val_acc": self.val_acc[r],
                "gap": self.train_acc[r] - self.val_acc[r]}

    def summary(self):
        """A table, one line per model: mean ± standard deviation over the seeds, and min – max."""
        lines = [f"{len(self.seeds)} seeds, mean ± std{'':9}{'train accuracy':>15}  {'val accuracy (min – max)':>26}"]
        for name in self.names:
            f = self.final(name)
            tr, va = f["train_acc"], f["val_acc"]
            lines.append(f"{name:32} {tr.mean():6.1%} ± {tr.std():4.1%}  "
                         f"{va.mean():6.1%} ± {va.std():4.1%} ({va.min():4.0%} – {va.max():4.0%})")
        return "\n".join(lines)


def fit_over_seeds(models, seeds=range(5), n_train=300, n_val=300, noise=0.4, data=None):
    """Fit every model on the data of every seed and score it on both sets.

    Seed k draws ``moons_split(n_train, n_val, noise, seed=1 + 2k)``, as in :func:`compare_over_seeds`
    (k = 0 is the chapter's data set), or ``data(k)`` when given, four arrays ``X, y, X_val, y_val``
    (e.g. ``lambda k: digits_split(100, 300, seed=k, stratify=True)[:4]``), and is passed on to the
    models so that randomised ones draw differently.

    Parameters
    ----------
    models : dict
        name → ``make(X, y, X_val, y_val, k)`` returning a fitted model with ``score(X, y)``
        (accuracy), e.g. ``lambda X, y, X_val, y_val, k: RandomForestClassifier(random_state=k).fit(X, y)``.
        The validation set is there for models that choose something on it (pruning); a model
        must not train on it.
    seeds : list of int, at least 2
    data : ``data(k)`` returning ``X, y, X_val, y_val``, optional

    Returns
    -------
    SeedScores
    """
    if data is not None and not callable(data):
        raise TypeError(f"data must be a function data(k) -> (X, y, X_val, y_val) or None; got {type(data).__name__}")
    if not isinstance(models, dict) or not models or not all(callable(m) for m in models.values()):
        raise TypeError(f"models must be a non-empty dict name -> make(X, y, X_val, y_val, k); got {models!r:.80}")
    seeds = as_seeds(seeds, at_least=2)              # a spread needs two
    names = list(models)
    train_acc, val_acc = np.zeros((len(names), len(seeds))), np.zeros((len(names), len(seeds)))
    first = {}
    for j, k in enumerate(seeds):
        X, y, X_val, y_val = moons_split(n_train, n_val, noise, seed=1 + 2 * k) if data is None else data(k)
        for r, name in enumerate(names):
            model = models[name](X, y, X_val, y_val, k)
            train_acc[r, j], val_acc[r, j] = model.score(X, y), model.score(X_val, y_val)
            if j == 0:
                first[name] = model
    return SeedScores(names, seeds, train_acc, val_acc, first)
