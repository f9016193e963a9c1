r"""Computational-graph nodes as small layer classes (as in *Deep Learning from Scratch*).

Each node's ``forward(...)`` computes its output and caches what the backward pass needs
on ``self``; ``backward(dout)`` takes :math:`\partial L/\partial \text{out}` and returns the
gradient of the loss with respect to each input (a tuple when there are several).
Parameter gradients are stored as attributes (``dW``, ``db``).
"""
import numpy as np

from ._validate import as_array, as_flag, as_number, as_targets
from .activations import ACTIVATIONS, sigmoid
from .losses import log_softmax, softmax

__all__ = ["Add", "Multiply", "Branch", "Identity", "ReLU", "Sigmoid", "Tanh", "Activation", "Affine", "SoftmaxWithLoss"]


def _cached(layer, *names):
    """Return cached attributes, or explain that forward must come first."""
    try:
        return tuple(getattr(layer, n) for n in names)
    except AttributeError:
        raise RuntimeError(f"{type(layer).__name__}.backward called before forward") from None


def _dout(dout, shape, name="dout"):
    dout = as_array(dout, name)
    if dout.shape != shape:
        raise ValueError(f"{name} must have the shape of the node's output {shape}; got {dout.shape}")
    return dout


def _unbroadcast(grad, shape):
    """Sum a gradient over the axes along which an input of ``shape`` was broadcast."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Add:
    r"""z = x + y.

    Backward passes the upstream gradient through unchanged to both inputs:
    :math:`\partial L/\partial x = \partial L/\partial y = \partial L/\partial z`.
    Shapes: x and y broadcastable to z; dout has z's shape.
    """

    def forward(self, x, y):
        x, y = as_array(x, "x"), as_array(y, "y")
        try:
            z = x + y
        except ValueError:
            raise ValueError(f"x and y must be broadcastable; got shapes {x.shape} and {y.shape}") from None
        self.x_shape, self.y_shape, self.out_shape = x.shape, y.shape, z.shape
        return z

    def backward(self, dout):
        x_shape, y_shape, out_shape = _cached(self, "x_shape", "y_shape", "out_shape")
        dout = _dout(dout, out_shape)
        return _unbroadcast(dout, x_shape), _unbroadcast(dout, y_shape)


class Multiply:
    r"""z = x · y (element-wise).

    Backward swaps the inputs: :math:`\partial L/\partial x = \partial L/\partial z \cdot y`
    and :math:`\partial L/\partial y = \partial L/\partial z \cdot x`.
    (The lecture says the gradient passes through unchanged, as for Add: it does not.)
    Shapes: x and y broadcastable to z; dout has z's shape.
    """

    def forward(self, x, y):
        x, y = as_array(x, "x"), as_array(y, "y")
        try:
            z = x * y
        except ValueError:
            raise ValueError(f"x and y must be broadcastable; got shapes {x.shape} and {y.shape}"
                             ) from None
        self.x, self.y, self.out_shape = x, y, z.shape
        return z

    def backward(self, dout):
        x, y, out_shape = _cached(self, "x", "y", "out_shape")
        dout = _dout(dout, out_shape)
        return _unbroadcast(dout * y, x.shape), _unbroadcast(dout * x, y.shape)


class Branch:
    r"""Fan-out: one value x used by two nodes, (x₁, x₂) = (x, x).

    Backward adds the gradients that come back along the two branches:

    .. math:: \frac{\partial L}{\partial x} = \frac{\partial L}{\partial x_1}
              + \frac{\partial L}{\partial x_2},

    the multivariable chain rule, which sums over every path from x to L. It is the add node's
    mirror image: the add node copies one gradient to two inputs, the branch node adds two
    gradients into one input. Shapes: x any shape; x₁, x₂, dout1 and dout2 have x's shape.
    """

    def forward(self, x):
        x = as_array(x, "x")
        self.shape = x.shape
        return x, x

    def backward(self, dout1, dout2):
        (shape,) = _cached(self, "shape")
        return _dout(dout1, shape, "dout1") + _dout(dout2, shape, "dout2")


class Identity:
    r"""y = x, the "linear" activation: a network of such layers is one affine map of its input.

    Backward passes the gradient through unchanged. Shapes: x any shape; y and dx the same.
    """

    def forward(self, x):
        x = as_array(x, "x")
        self.shape = x.shape
        return x

    def backward(self, dout):
        (shape,) = _cached(self, "shape")
        return _dout(dout, shape)


class ReLU:
    r"""y = max(0, x). Backward lets the gradient through where x > 0 and blocks it elsewhere."""

    def forward(self, x):
        x = as_array(x, "x")
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)

    def backward(self, dout):
        (mask,) = _cached(self, "mask")
        return _dout(dout, mask.shape) * mask


class Sigmoid:
    r"""y = σ(x). Backward: :math:`\partial L/\partial x = \partial L/\partial y \cdot y(1 - y)`."""

    def forward(self, x):
        self.out = sigmoid(as_array(x, "x"))
        return self.out

    def backward(self, dout):
        (out,) = _cached(self, "out")
        return _dout(dout, out.shape) * out * (1.0 - out)


class Tanh:
    r"""y = tanh(x). Backward: :math:`\partial L/\partial x = \partial L/\partial y \cdot (1 - y^2)`."""

    def forward(self, x):
        self.out = np.tanh(as_array(x, "x"))
        return self.out

    def backward(self, dout):
        (out,) = _cached(self, "out")
        return _dout(dout, out.shape) * (1.0 - out * out)


class Activation:
    r"""Any element-wise activation of :mod:`course_lib.activations` as a node: y = f(x).

    Backward: :math:`\partial L/\partial x = \partial L/\partial y \cdot f'(x)`, with f' the
    function's ``_derivative`` partner. ``Activation("leaky_relu", negative_slope=0.1)`` passes
    its parameters to both.
    """

    def __init__(self, name, **params):
        if name not in ACTIVATIONS:
            raise ValueError(f"name must be one of {sorted(ACTIVATIONS)}; got {name!r}")
        self.name, self.params = name, params
        self.function, self.derivative = ACTIVATIONS[name]
        self.function(np.zeros(1), **params)  # checks the parameters now, not at the first forward

    def forward(self, x):
        self.x = as_array(x, "x")
        return self.function(self.x, **self.params)

    def backward(self, dout):
        (x,) = _cached(self, "x")
        return _dout(dout, x.shape) * self.derivative(x, **self.params)


class Affine:
    r"""H = X W + b, the fully connected layer.

    Backward (shapes matter; the lecture's "derivative with respect to X is W" is missing a transpose):

    .. math:: \frac{\partial L}{\partial X} = \frac{\partial L}{\partial H} W^\top,\quad
              \frac{\partial L}{\partial W} = X^\top \frac{\partial L}{\partial H},\quad
              \frac{\partial L}{\partial b} = \sum_{\text{rows}} \frac{\partial L}{\partial H}

    Parameters
    ----------
    W : (D, M) array
    b : (M,) or (1, M) array

    Shapes: X (N, D) → H (N, M). ``W`` and ``b`` are kept by reference, so an optimizer
    that updates them in place updates the layer.
    """

    def __init__(self, W, b):
        W = as_array(W, "W", ndim=2)
        b = as_array(b, "b", ndim=(1, 2))
        if b.shape not in ((W.shape[1],), (1, W.shape[1])):
            raise ValueError(f"b must have shape ({W.shape[1]},) or (1, {W.shape[1]}) to match W {W.shape}; got {b.shape}")
        self.W, self.b = W, b

    def forward(self, X):
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.W.shape[0]:
            raise ValueError(f"X must have {self.W.shape[0]} columns to multiply W {self.W.shape}; got X {X.shape}")
        self.X = X
        return X @ self.W + self.b

    def backward(self, dout):
        (X,) = _cached(self, "X")
        dout = _dout(dout, (X.shape[0], self.W.shape[1]))
        self.dW = X.T @ dout
        self.db = dout.sum(axis=0).reshape(self.b.shape)
        return dout @ self.W.T


class SoftmaxWithLoss:
    r"""Softmax followed by cross-entropy loss, as one node.

    Forward returns the mean loss :math:`L = -\frac{1}{N}\sum_i\sum_c y_{ic}\log p_{ic}`;
    backward returns :math:`\partial L/\partial z = (p - y)/N` times ``dout`` (default 1).
    Shapes: logits z (N, C); targets (N,) class indices or (N, C).
    """

    def forward(self, z, targets):
        z = as_array(z, "z", ndim=2)
        self.y = as_targets(targets, z.shape[0], z.shape[1])
        self.p = softmax(z)
        return float(-(self.y * log_softmax(z)).sum() / z.shape[0])

    def backward(self, dout=1.0):
        p, y = _cached(self, "p", "y")
        dout = as_array(dout, "dout")
        if dout.ndim:
            raise ValueError(f"dout must be a scalar (the loss is a scalar); got shape {dout.shape}")
        return float(dout) * (p - y) / p.shape[0]


# --- Dropout and batch normalisation (chapter 08) ---------------------------------------------------

__all__ += ["Dropout", "BatchNorm"]

_DROPOUT_SEEDS = np.random.SeedSequence(0)  # parent of the generators of Dropout layers built without a seed


class TrainEvalMode:
    """The ``training`` flag of layers that behave differently in training and evaluation, as in PyTorch."""

    training = True

    def train(self, mode=True):
        """Training mode (``mode=False``: evaluation mode). Returns the layer."""
        self.training = as_flag(mode, "mode")
        return self

    def eval(self):
        """Evaluation mode (dropout: the identity; batch norm: the running statistics). Returns the layer."""
        return self.train(False)


class Dropout(TrainEvalMode):
    r"""Inverted dropout: in training, zero each unit with probability p and scale the rest by 1/(1 − p).

    .. math:: y = \frac{m \odot x}{1 - p}, \quad m_i \sim \text{Bernoulli}(1 - p)\ \text{independently}

    so that :math:`\mathbb{E}[y] = x` and evaluation needs no rescaling: there y = x. Backward uses
    the mask of the last forward pass: :math:`\partial L/\partial x = \partial L/\partial y \odot m/(1 - p)`.
    p = 1 drops everything (y = 0, as in PyTorch); p = 0 keeps everything.

    Parameters
    ----------
    p : float in [0, 1], the probability of dropping a unit
    seed : int, optional
        Seeds this layer's generator ``np.random.default_rng(seed)``. Without it, the k-th Dropout
        built in the process gets the k-th independent stream of a fixed seed sequence: Restart & Run
        All repeats the same masks, and two layers never share a mask.

    Attributes
    ----------
    training : bool, True when built; set it (or call ``train()`` / ``eval()``) as in PyTorch.
    rng : numpy.random.Generator that draws the masks; replace it to control them.
    mask : the last forward pass's m/(1 − p) (ones in evaluation), shape of x.

    Shapes: x any shape; y and dx the same.
    """

    def __init__(self, p=0.5, seed=None):
        self.p = as_number(p, "p", low=0.0, high=1.0)
        if seed is None:
            self.rng = np.random.default_rng(_DROPOUT_SEEDS.spawn(1)[0])
        else:
            self.rng = np.random.default_rng(as_number(seed, "seed", low=0, integer=True))
        self.training = True

    def forward(self, x):
        x = as_array(x, "x")
        if not self.training or self.p == 0.0:
            self.mask = np.ones_like(x)
        elif self.p == 1.0:
            self.mask = np.zeros_like(x)
        else:
            keep = self.rng.random(x.shape) >= self.p  # kept with probability 1 − p
            self.mask = keep / (1.0 - self.p)
        return x * self.mask

    def backward(self, dout):
        (mask,) = _cached(self, "mask")
        return _dout(dout, mask.shape) * mask


class BatchNorm(TrainEvalMode):
    r"""Batch normalisation (Ioffe & Szegedy) of each feature over the mini-batch, as ``torch.nn.BatchNorm1d``.

    In training, with the batch mean μ and biased variance σ² of each column:

    .. math:: \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}}, \quad y = \gamma \odot \hat x + \beta

    and the running statistics move towards the batch's, with the *unbiased* variance:

    .. math:: \mu_{\text{run}} \leftarrow (1 - m)\,\mu_{\text{run}} + m\,\mu, \quad
              \sigma^2_{\text{run}} \leftarrow (1 - m)\,\sigma^2_{\text{run}} + m\,\frac{N}{N - 1}\sigma^2

    (``momentum=None``: m = 1/k at the k-th training batch, a plain average). In evaluation the
    running statistics replace μ and σ². Backward, in training (the batch statistics depend on x):

    .. math:: \frac{\partial L}{\partial x} = \frac{\gamma}{N\sqrt{\sigma^2 + \varepsilon}}
              \Big(N\,\frac{\partial L}{\partial y} - \sum_n \frac{\partial L}{\partial y}
              - \hat x \odot \sum_n \frac{\partial L}{\partial y} \odot \hat x\Big),
              \quad \frac{\partial L}{\partial \gamma} = \sum_n \frac{\partial L}{\partial y} \odot \hat x,
              \quad \frac{\partial L}{\partial \beta} = \sum_n \frac{\partial L}{\partial y}

    and in evaluation, where the statistics are constants, simply
    :math:`\partial L/\partial x = \gamma\,\partial L/\partial y / \sqrt{\sigma^2_{\text{run}} + \varepsilon}`.

    Parameters
    ----------
    num_features : int, D
    eps : float > 0, default 1e-5
    momentum : float in [0, 1] or None, default 0.1

    Attributes
    ----------
    gamma, beta : (D,) arrays, 1 and 0 at first (updated in place by an optimizer)
    running_mean, running_var : (D,) arrays, 0 and 1 at first
    num_batches_tracked : int, training forward passes so far
    training : bool, True when built; set it (or call ``train()`` / ``eval()``) as in PyTorch.
    dgamma, dbeta : (D,) arrays, set by ``backward``

    Shapes: x (N, D) → y (N, D); training needs N ≥ 2.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        self.num_features = as_number(num_features, "num_features", low=1, integer=True)
        self.eps = as_number(eps, "eps", low=0.0, low_inclusive=False)
        self.momentum = None if momentum is None else as_number(momentum, "momentum", low=0.0, high=1.0)
        self.gamma = np.ones(self.num_features)
        self.beta = np.zeros(self.num_features)
        self.running_mean = np.zeros(self.num_features)
        self.running_var = np.ones(self.num_features)
        self.num_batches_tracked = 0
        self.training = True

    def forward(self, x):
        x = as_array(x, "x", ndim=2)
        n, d = x.shape
        if d != self.num_features:
            raise ValueError(f"x must have num_features = {self.num_features} columns; got shape {x.shape}")
        if self.training:
            if n < 2:
                raise ValueError(f"x must hold at least 2 samples in training mode (a variance needs two); got {n}")
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self._update_running_stats(mean, var, n)
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        self.used_batch_stats = self.training
        return self.gamma * self.x_hat + self.beta

    def _update_running_stats(self, mean, var, n):
        self.num_batches_tracked += 1
        m = 1.0 / self.num_batches_tracked if self.momentum is None else self.momentum
        self.running_mean *= 1 - m
        self.running_mean += m * mean
        self.running_var *= 1 - m
        self.running_var += m * var * n / (n - 1)

    def backward(self, dout):
        x_hat, inv_std, used_batch_stats = _cached(self, "x_hat", "inv_std", "used_batch_stats")
        dout = _dout(dout, x_hat.shape)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * x_hat).sum(axis=0)
        if not used_batch_stats:
            return dout * self.gamma * inv_std
        n = x_hat.shape[0]
        return (self.gamma * inv_std / n) * (n * dout - self.dbeta - x_hat * self.dgamma)


# --- Residual connection (chapters 04 and 05) -------------------------------------------------------

__all__ += ["Residual"]


class Residual:
    r"""A skip connection around a few nodes: :math:`h = x + F(x)`, with F the nodes in order.

    Backward adds the upstream gradient, carried unchanged by the identity path, to the gradient
    back through F (gradients add where a value is used twice):

    .. math:: \frac{\partial L}{\partial x} = \frac{\partial L}{\partial h}
              + \frac{\partial L}{\partial h}\frac{\partial F}{\partial x} .

    However small F's own factor is, the gradient arrives. Parameters and the training flag are
    those of the inner nodes, listed in ``layers``.

    Shapes: x (N, D) → h (N, D); F must keep the shape.
    """

    def __init__(self, *nodes):
        if not nodes:
            raise ValueError("Residual needs at least one node to skip around; got none")
        for i, node in enumerate(nodes):
            if not (callable(getattr(node, "forward", None)) and callable(getattr(node, "backward", None))):
                raise TypeError(f"nodes[{i}] must have forward and backward methods; got {type(node).__name__}")
        self.layers = list(nodes)

    def forward(self, x):
        x = as_array(x, "x")
        out = x
        for node in self.layers:
            out = node.forward(out)
        if out.shape != x.shape:
            raise ValueError(f"the nodes inside Residual must keep the shape {x.shape}; they give {out.shape}")
        return x + out

    def backward(self, dout):
        d = dout
        for node in reversed(self.layers):
            d = node.backward(d)
        return dout + d
