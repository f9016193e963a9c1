r"""Loss landscapes of small networks, with and without residual connections (chapter 05).

Li, Xu, Taylor, Studer and Goldstein, "Visualizing the Loss Landscape of Neural Nets" (NeurIPS 2018)
look at a trained network's loss along random directions in weight space,

.. math:: f(\alpha) = L(\theta^* + \alpha\,\delta), \qquad f(\alpha, \beta) = L(\theta^* + \alpha\,\delta + \beta\,\eta),

with each direction **filter-normalised**: every filter of δ (here: the incoming weights of one
unit, a column of W) is rescaled to the norm of the same filter of θ*, and biases get no
direction. Without that, a network whose weights are simply larger looks flatter, because the
same step α is a smaller change relative to its weights.

:class:`ResidualMLP` is the small network to look at: a stem layer, ``depth`` blocks of width
``width``, an output layer. With ``residual=True`` each block adds its input back
(:math:`h \leftarrow h + \phi(hW + b)`, a **skip connection**); with ``residual=False`` it does not
(:math:`h \leftarrow \phi(hW + b)`). Everything else, including the initial weights, is the same.

:func:`sharpness` measures the largest eigenvalue λ_max of the Hessian, the curvature that sets
the largest stable learning rate 2/λ_max.
"""
import numpy as np

from .._validate import as_array, as_number, as_targets
from ..layers import Activation, Affine, ReLU, SoftmaxWithLoss, Tanh
from ..losses import log_softmax, softmax
from ..network import FlatParameters

__all__ = ["ResidualBlock", "ResidualMLP", "filter_normalized_direction", "loss_along_line",
           "loss_surface", "sharpness"]

ACTIVATION_LAYERS = {"tanh": Tanh, "relu": ReLU}


def _activation_layer(name):
    node = ACTIVATION_LAYERS.get(name)
    return node() if node else Activation(name)


class ResidualBlock:
    r"""One block of width M: :math:`y = h + \phi(hW + b)` (residual) or :math:`y = \phi(hW + b)` (plain).

    Backward: with :math:`a = hW + b` and upstream :math:`\partial L/\partial y`,

    .. math:: \frac{\partial L}{\partial h} = \underbrace{\frac{\partial L}{\partial y}}_{\text{skip}}
              + \Big(\frac{\partial L}{\partial y} \odot \phi'(a)\Big) W^\top ,

    the first term only with the skip connection: the gradient has a path that no weight and no
    activation can shrink. Shapes: h (N, M) → y (N, M); W (M, M), b (1, M).
    """

    def __init__(self, W, b, activation="tanh", residual=True):
        self.affine = Affine(W, b)
        self.act = _activation_layer(activation)
        self.residual = bool(residual)

    def forward(self, h):
        out = self.act.forward(self.affine.forward(h))
        return h + out if self.residual else out

    def backward(self, dout):
        dh = self.affine.backward(self.act.backward(dout))
        return dh + dout if self.residual else dh


class ResidualMLP(FlatParameters):
    r"""A classifier: Affine → φ → ``depth`` × ResidualBlock → Affine → Softmax-with-Loss.

    Parameters
    ----------
    n_inputs, width, depth, n_classes : int
        Input size D, block width M, number of blocks, number of classes C (≥ 2).
    residual : bool
        With skip connections (True) or without (False); the weights drawn are the same.
    activation : str
        "tanh", "relu" or any name of :data:`course_lib.activations.ACTIVATIONS`.
    gain : float > 0
        Weights are :math:`W \sim \text{gain}\cdot\mathcal{N}(0, 1)/\sqrt{\text{fan-in}}`, biases 0.
    seed : int
        The weights are drawn in order (stem, blocks, output) from ``np.random.RandomState(seed)``.

    Attributes
    ----------
    params : list of arrays [W_in (D, M), b_in (1, M), W_1, b_1, ..., W_out (M, C), b_out (1, C)]
    grads : list of arrays of the same shapes, filled by :meth:`gradients`.
    """

    def __init__(self, n_inputs, width, depth, n_classes, residual=True, activation="tanh", gain=1.0, seed=0):
        n_inputs = as_number(n_inputs, "n_inputs", low=1, integer=True)
        width = as_number(width, "width", low=1, integer=True)
        depth = as_number(depth, "depth", low=0, integer=True)
        n_classes = as_number(n_classes, "n_classes", low=2, integer=True)
        gain = as_number(gain, "gain", low=0.0, low_inclusive=False)
        seed = as_number(seed, "seed", low=0, integer=True)
        if not isinstance(residual, (bool, np.bool_)):
            raise TypeError(f"residual must be True or False; got {residual!r}")
        if not isinstance(activation, str):
            raise TypeError(f"activation must be a name such as 'tanh'; got {activation!r}")
        _activation_layer(activation)  # raises ValueError for an unknown name
        self.n_inputs, self.width, self.depth, self.n_classes = n_inputs, width, depth, n_classes
        self.residual, self.activation = bool(residual), activation
        rng = np.random.RandomState(seed)
        sizes = [(n_inputs, width)] + [(width, width)] * depth + [(width, n_classes)]
        self.params = []
        for fan_in, fan_out in sizes:
            self.params += [gain * rng.randn(fan_in, fan_out) / np.sqrt(fan_in), np.zeros((1, fan_out))]
        self._build()

    def _build(self):
        p = self.params
        self.stem = Affine(p[0], p[1])
        self.stem_act = _activation_layer(self.activation)
        self.blocks = [ResidualBlock(p[2 + 2 * i], p[3 + 2 * i], self.activation, self.residual)
                       for i in range(self.depth)]
        self.head = Affine(p[-2], p[-1])
        self.loss_layer = SoftmaxWithLoss()
        self.grads = [np.zeros_like(q) for q in self.params]

    def _check(self, X, y=None):
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.n_inputs:
            raise ValueError(f"X must have {self.n_inputs} columns (the network's input size); got shape {X.shape}")
        if y is None:
            return X
        return X, as_targets(y, X.shape[0], self.n_classes, "y")

    def forward(self, X):
        """Logits, shape (N, C), for inputs X of shape (N, D)."""
        h = self.stem_act.forward(self.stem.forward(self._check(X)))
        for block in self.blocks:
            h = block.forward(h)
        return self.head.forward(h)

    def predict_proba(self, X):
        """Class probabilities, shape (N, C)."""
        return softmax(self.forward(X))

    def predict(self, X):
        """The most probable class of each row, shape (N,)."""
        return self.forward(X).argmax(axis=1)

    def loss(self, X, y, reg=0.0):
        r"""Mean cross-entropy :math:`-\frac1N\sum_i \log p_{i,y_i}` plus :math:`\frac{\lambda}{2}\sum\lVert W\rVert^2`."""
        X, Y = self._check(X, y)
        reg = as_number(reg, "reg", low=0.0)
        return -float(np.sum(Y * log_softmax(self.forward(X)))) / X.shape[0] + self._penalty(reg)

    def _penalty(self, reg):
        return 0.5 * reg * sum(float(np.sum(W * W)) for W in self.params[0::2])

    def gradients(self, X, y, reg=0.0):
        """Forward and backward pass: returns the loss and fills ``self.grads`` (order of ``params``)."""
        X, Y = self._check(X, y)
        reg = as_number(reg, "reg", low=0.0)
        loss = self.loss_layer.forward(self.forward(X), Y) + self._penalty(reg)
        dh = self.head.backward(self.loss_layer.backward())
        for block in reversed(self.blocks):
            dh = block.backward(dh)
        self.stem.backward(self.stem_act.backward(dh))
        affines = [self.stem] + [block.affine for block in self.blocks] + [self.head]
        for i, layer in enumerate(affines):
            self.grads[2 * i] = layer.dW + reg * layer.W
            self.grads[2 * i + 1] = layer.db
        return loss


def _params_of(model):
    params = getattr(model, "params", None)
    if not isinstance(params, list) or not all(isinstance(p, np.ndarray) for p in params):
        raise TypeError(f"model must have a list of arrays `params` (an MLP or ResidualMLP); got {type(model).__name__}")
    return params


def filter_normalized_direction(model, seed=0):
    r"""A random direction δ in weight space, filter-normalised (Li et al. 2018), as a flat vector.

    Each weight matrix W (fan-in, fan-out) gets a Gaussian direction D of its shape whose every
    column (the incoming weights of one unit, a "filter") is rescaled to that column's norm in W:
    :math:`D_{:,j} \leftarrow D_{:,j}\,\lVert W_{:,j}\rVert / \lVert D_{:,j}\rVert`. Biases get 0
    (as Li et al. do for biases and batch-norm parameters). Laid out like ``model.flat_params()``.
    """
    params = _params_of(model)
    seed = as_number(seed, "seed", low=0, integer=True)
    rng = np.random.RandomState(seed)
    parts = []
    for p in params:
        if p.ndim == 2 and p.shape[0] > 1:  # a weight matrix; biases are (1, M)
            d = rng.randn(*p.shape)
            d *= np.linalg.norm(p, axis=0, keepdims=True) / np.linalg.norm(d, axis=0, keepdims=True)
        else:
            d = np.zeros_like(p)
        parts.append(d.ravel())
    return np.concatenate(parts)


def _direction(model, direction, name):
    direction = as_array(direction, name, ndim=1)
    size = sum(p.size for p in _params_of(model))
    if direction.size != size:
        raise ValueError(f"{name} must have {size} entries, one per parameter (see filter_normalized_direction); "
                         f"got {direction.size}")
    return direction


def loss_along_line(model, X, y, direction, alphas):
    r"""The 1-D slice :math:`f(\alpha) = L(\theta + \alpha\,\delta)` for each α; shape (K,).

    The model's parameters are restored afterwards.
    """
    direction = _direction(model, direction, "direction")
    alphas = as_array(alphas, "alphas", ndim=1)
    theta = model.flat_params()
    try:
        out = []
        for a in alphas:
            model.set_flat_params(theta + a * direction)
            out.append(model.loss(X, y))
    finally:
        model.set_flat_params(theta)
    return np.array(out)


def loss_surface(model, X, y, direction1, direction2, alphas, betas):
    r"""The 2-D slice :math:`f(\alpha, \beta) = L(\theta + \alpha\,\delta + \beta\,\eta)`; shape (len(betas), len(alphas)).

    Row i is β = betas[i], column j is α = alphas[j] (ready for ``contour(alphas, betas, Z)``).
    The model's parameters are restored afterwards.
    """
    d1 = _direction(model, direction1, "direction1")
    d2 = _direction(model, direction2, "direction2")
    alphas = as_array(alphas, "alphas", ndim=1)
    betas = as_array(betas, "betas", ndim=1)
    theta = model.flat_params()
    Z = np.empty((betas.size, alphas.size))
    try:
        for i, b in enumerate(betas):
            for j, a in enumerate(alphas):
                model.set_flat_params(theta + a * d1 + b * d2)
                Z[i, j] = model.loss(X, y)
    finally:
        model.set_flat_params(theta)
    return Z


def sharpness(model, X, y, reg=0.0, iterations=50, eps=1e-4, seed=0):
    r"""λ_max, the largest eigenvalue of the Hessian of the loss at the model's parameters.

    Power iteration :math:`v \leftarrow Hv/\lVert Hv\rVert` with the Hessian-vector product by
    central differences of the backpropagated gradient,
    :math:`Hv \approx (\nabla L(\theta + \epsilon v) - \nabla L(\theta - \epsilon v))/2\epsilon`.
    Returns the Rayleigh quotient :math:`v^\top H v` of the last v (the eigenvalue of largest
    magnitude; near a minimum that is λ_max). Gradient descent at a fixed rate η is stable along
    the sharpest direction only if η < 2/λ_max.
    """
    iterations = as_number(iterations, "iterations", low=1, integer=True)
    eps = as_number(eps, "eps", low=0.0, low_inclusive=False)
    seed = as_number(seed, "seed", low=0, integer=True)
    theta = model.flat_params()

    def grad_at(t):
        model.set_flat_params(t)
        model.gradients(X, y, reg=reg)
        return model.flat_grads()

    v = np.random.RandomState(seed).randn(theta.size)
    v /= np.linalg.norm(v)
    value = 0.0
    try:
        for _ in range(iterations):
            hv = (grad_at(theta + eps * v) - grad_at(theta - eps * v)) / (2 * eps)
            value = float(v @ hv)
            norm = np.linalg.norm(hv)
            if norm == 0:
                break
            v = hv / norm
    finally:
        model.set_flat_params(theta)
    return value
