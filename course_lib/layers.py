r"""Computational-graph nodes as small layer classes (as in *Deep Learning from Scratch*).

Each node's ``forward(...)`` computes its output and caches what the backward pass needs
on ``self``; ``backward(dout)`` takes :math:`\partial L/\partial \text{out}` and returns the
gradient of the loss with respect to each input (a tuple when there are several).
Parameter gradients are stored as attributes (``dW``, ``db``).
"""
import numpy as np

from ._validate import as_array, as_targets
from .activations import ACTIVATIONS, sigmoid
from .losses import log_softmax, softmax

__all__ = ["Add", "Multiply", "ReLU", "Sigmoid", "Tanh", "Activation", "Affine", "SoftmaxWithLoss"]


def _cached(layer, *names):
    """Return cached attributes, or explain that forward must come first."""
    try:
        return tuple(getattr(layer, n) for n in names)
    except AttributeError:
        raise RuntimeError(f"{type(layer).__name__}.backward called before forward") from None


def _dout(dout, shape):
    dout = as_array(dout, "dout")
    if dout.shape != shape:
        raise ValueError(f"dout must have the shape of the node's output {shape}; got {dout.shape}")
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
            raise ValueError(f"x and y must be broadcastable; got shapes {x.shape} and {y.shape}") from None
        self.x, self.y, self.out_shape = x, y, z.shape
        return z

    def backward(self, dout):
        x, y, out_shape = _cached(self, "x", "y", "out_shape")
        dout = _dout(dout, out_shape)
        return _unbroadcast(dout * y, x.shape), _unbroadcast(dout * x, y.shape)


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
