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
"""
from dataclasses import dataclass, field

import numpy as np

from . import layers
from ._validate import as_array, as_number, as_targets
from .losses import log_softmax

__all__ = ["l1_penalty", "l2_penalty", "Network", "mlp", "History", "fit", "early_stopping_epoch",
           "constrained_minimum", "moons_split", "digits_split"]


def moons_split(n_train=50, n_val=200, noise=0.4, seed=1):
    """A small, noisy training set of moons and a validation set from the same distribution.

    The two sets are drawn independently (seeds ``seed`` and ``seed + 1``), so the validation set
    measures how well a model does on points it has never seen. Returns ``X, y, X_val, y_val``.
    """
    from .data import make_moons
    seed = as_number(seed, "seed", low=0, integer=True)
    X, y = make_moons(n_train, noise=noise, seed=seed)
    X_val, y_val = make_moons(n_val, noise=noise, seed=seed + 1)
    return X, y, X_val, y_val


def digits_split(n_train=100, n_val=300, seed=0):
    """scikit-learn's 8×8 digits (offline), pixels scaled to [0, 1], split into stratified
    training and validation sets of the given sizes. Returns ``X, y, X_val, y_val`` with X (N, 64)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    n_train = as_number(n_train, "n_train", low=10, high=1000, integer=True)
    n_val = as_number(n_val, "n_val", low=10, high=797, integer=True)
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target.astype(np.int64)
    X, X_rest, y, y_rest = train_test_split(X, y, train_size=n_train, random_state=seed, stratify=y)
    X_val, _, y_val, _ = train_test_split(X_rest, y_rest, train_size=n_val, random_state=seed, stratify=y_rest)
    return X, y, X_val, y_val


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

    Attributes
    ----------
    params : list of arrays, the layers' own arrays (updated in place by :func:`fit`)
    grads : list of arrays of the same shapes, filled by :meth:`gradients`
    weights : the arrays called ``W``, the only ones L1 and L2 penalise
    """

    def __init__(self, layer_list):
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
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def predict(self, X):
        """Predicted class of each sample, in the current mode."""
        return self.forward(X).argmax(axis=1)

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
