r"""The course's network: layers of :mod:`course_lib.layers` in a stack, ending in Softmax-with-Loss.

:class:`Network` is any stack of nodes (Affine, activations, BatchNorm, Dropout, Residual, the
convolution nodes of :mod:`course_lib.conv`): ``forward`` runs them in order, ``gradients`` runs
Softmax-with-Loss and every ``backward`` in reverse and collects the parameter gradients. It
minimises the mean cross-entropy plus optional penalties on the weights W (not on biases or the
batch-norm parameters):

.. math:: J(\theta) = \frac{1}{N}\sum_i -\log p_{i, y_i}
          \;+\; \frac{\lambda_2}{2} \sum_\ell \lVert W_\ell \rVert_2^2
          \;+\; \lambda_1 \sum_\ell \lVert W_\ell \rVert_1 .

:class:`MLP` builds the fully connected one: ``MLP([2, 3, 2])`` is the lecture's network
(Affine → tanh → Affine → Softmax-with-Loss, :math:`W \sim \mathcal{N}(0, 1)/\sqrt{\text{fan-in}}`,
b = 0, drawn from seed 0); options add residual connections, batch normalisation and dropout.

As in PyTorch, ``train()`` and ``eval()`` set the mode of the layers that have one (dropout, batch
norm) and training is a separate verb: :func:`course_lib.training.fit`.

The lecture sums the gradient over the N samples with step ε and adds λ_lecture·W; that is the
same update as the mean loss above with ``lr = ε·N`` and ``λ₂ = λ_lecture / N``
(:func:`lecture_settings` converts).
"""
import numpy as np

from ._validate import as_array, as_flag, as_number, as_targets
from .activations import ACTIVATIONS
from .layers import (Activation, Affine, BatchNorm, Dropout, Identity, ReLU, Residual, Sigmoid, SoftmaxWithLoss,
                     Tanh)
from .losses import l1_penalty, l2_penalty, softmax, softmax_cross_entropy

__all__ = ["Network", "MLP", "FlatParameters", "INITIALISATIONS", "activation_node", "lecture_settings"]

INITIALISATIONS = {
    # name: standard deviation of W as a function of (fan_in, fan_out); biases start at 0
    "lecture": lambda fan_in, fan_out: 1 / np.sqrt(fan_in),            # the lecture's randn / sqrt(fan-in)
    "naive": lambda fan_in, fan_out: 0.01,                             # "small random numbers"
    "xavier": lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out)),  # Glorot & Bengio (2010), normal
    "he": lambda fan_in, fan_out: np.sqrt(2 / fan_in),                 # He et al. (2015), normal
}


def activation_node(name):
    """The layer for an activation name: ``Tanh``, ``ReLU`` and ``Sigmoid`` have their own
    (their backward reuses the output), "linear" is the :class:`~course_lib.layers.Identity`; every
    other name of :data:`course_lib.activations.ACTIVATIONS` is an :class:`~course_lib.layers.Activation`."""
    if not isinstance(name, str) or (name not in ACTIVATIONS and name != "linear"):
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS) + ['linear']}; got {name!r}")
    node = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid, "linear": Identity}.get(name)
    return node() if node else Activation(name)


def lecture_settings(epsilon=0.01, reg_lambda=0.01, n_samples=200):
    """Convert the lecture's (ε, λ) on summed gradients to (lr, l2) on the mean loss."""
    epsilon = as_number(epsilon, "epsilon", low=0)
    reg_lambda = as_number(reg_lambda, "reg_lambda", low=0)
    n_samples = as_number(n_samples, "n_samples", low=1, integer=True)
    return {"lr": epsilon * n_samples, "l2": reg_lambda / n_samples}



class FlatParameters:
    """θ as one vector, for a network with lists ``params`` and ``grads`` (same shapes, same order).

    Gradient checks, Hessians and loss-landscape slices treat a network as a function of one
    vector; these methods convert. Parameters are set in place, so layers that hold them by
    reference see the change.
    """

    def flat_params(self):
        """All parameters in one vector θ (each array flattened, in the order of ``params``)."""
        return np.concatenate([p.ravel() for p in self.params])

    def set_flat_params(self, theta):
        """Set every parameter from a vector θ laid out as :meth:`flat_params` returns it (in place)."""
        theta = as_array(theta, "theta", ndim=1)
        size = sum(p.size for p in self.params)
        if theta.size != size:
            raise ValueError(f"theta must have {size} entries, one per parameter; got {theta.size}")
        start = 0
        for p in self.params:
            p[...] = theta[start:start + p.size].reshape(p.shape)
            start += p.size

    def flat_grads(self):
        """The gradients of the last ``gradients`` call as one vector, laid out like θ."""
        return np.concatenate([np.ravel(g) for g in self.grads])

    def loss_at(self, theta, X, y, **penalty):
        """J(θ): the loss with the parameters set to θ; the parameters are left as they were."""
        saved = self.flat_params()
        try:
            self.set_flat_params(theta)
            return self.loss(X, y, **penalty)
        finally:
            self.set_flat_params(saved)

    def gradient_at(self, theta, X, y, **penalty):
        """∇J(θ) as a vector laid out like θ; the parameters are left as they were."""
        saved = self.flat_params()
        try:
            self.set_flat_params(theta)
            self.gradients(X, y, **penalty)
            return self.flat_grads()
        finally:
            self.set_flat_params(saved)


def _nodes(layers):
    """Every node of ``layers`` in order, looking inside the nodes that hold others (Residual)."""
    for layer in layers:
        if isinstance(layer, Residual):
            yield from _nodes(layer.layers)
        else:
            yield layer


def _slots(node):
    """The (parameter, gradient) attribute names of a node, weights first."""
    if isinstance(node, BatchNorm):
        return [("gamma", "dgamma"), ("beta", "dbeta")]
    if hasattr(node, "W") and hasattr(node, "b"):
        return [("W", "dW"), ("b", "db")]
    return []


class Network(FlatParameters):
    """A stack of layers ending in Softmax-with-Loss.

    Parameters
    ----------
    layers : list of nodes
        Each has ``forward(x)`` and ``backward(dout)``. Parameters are found by name: ``W``/``b``
        with gradients ``dW``/``db`` (Affine, Conv2D), ``gamma``/``beta`` with ``dgamma``/``dbeta``
        (BatchNorm), also inside a :class:`~course_lib.layers.Residual`.
    input_shape : tuple of int, optional
        The shape of one sample that the first layer expects, e.g. (1, 8, 8) for a convolution
        over 8×8 images: inputs (N, 64) are reshaped to (N, 1, 8, 8). None: used as given.

    Attributes
    ----------
    params : list of arrays, the layers' own arrays in layer order (an optimizer updates them in place)
    grads : list of arrays of the same shapes, filled by :meth:`gradients`
    weights : the arrays called ``W``, the only ones the penalties reach
    training : bool, the mode set by :meth:`train` / :meth:`eval`
    """

    def __init__(self, layers, input_shape=None):
        if input_shape is not None:
            if not isinstance(input_shape, (list, tuple)) or not input_shape:
                raise TypeError(f"input_shape must be a tuple of ints such as (1, 8, 8) or None; got {input_shape!r}")
            input_shape = tuple(as_number(d, "input_shape", low=1, integer=True) for d in input_shape)
        if not isinstance(layers, (list, tuple)) or not layers:
            raise TypeError(f"layers must be a non-empty list of layers; got {layers!r:.80}")
        for i, layer in enumerate(layers):
            if not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
                raise TypeError(f"layers[{i}] must have forward and backward methods; got {type(layer).__name__}")
        self.input_shape = input_shape
        self.layers = list(layers)
        self.loss_layer = SoftmaxWithLoss()
        slots = [(node, p, g) for node in _nodes(self.layers) for p, g in _slots(node)]
        self.params = [getattr(node, p) for node, p, _ in slots]
        self.weights = [getattr(node, p) for node, p, _ in slots if p == "W"]
        self.grads = [np.zeros_like(p) for p in self.params]
        self._slots = slots
        self.training = True

    def train(self, mode=True):
        """Training mode for every layer that has one (``mode=False``: evaluation mode). Returns the network."""
        self.training = as_flag(mode, "mode")
        for node in _nodes(self.layers):
            if callable(getattr(node, "train", None)):
                node.train(self.training)
        return self

    def eval(self):
        """Evaluation mode: dropout is the identity, batch norm uses its running statistics."""
        return self.train(False)

    def forward(self, X):
        """Logits z, shape (N, classes), for inputs X of shape (N, ...), in the current mode."""
        out = as_array(X, "X")
        if self.input_shape is not None:
            out = out.reshape(len(out), *self.input_shape)
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def predict_proba(self, X):
        """Class probabilities, shape (N, classes)."""
        return softmax(self.forward(X))

    def predict(self, X):
        """Predicted class index for each sample of X."""
        return self.forward(X).argmax(axis=1)

    def score(self, X, y):
        """Accuracy on (X, y) in the current mode (as scikit-learn's ``score``)."""
        y = as_array(y, "y", ndim=1, dtype=np.int64)
        return float(np.mean(self.predict(X) == y))

    def penalty(self, l2=0.0, l1=0.0):
        r""":math:`\frac{\lambda_2}{2}\sum\lVert W\rVert_2^2 + \lambda_1\sum\lVert W\rVert_1` over the weights."""
        l2, l1 = as_number(l2, "l2", low=0), as_number(l1, "l1", low=0)
        total = 0.0
        for W in self.weights:
            total += (l2_penalty(W, l2)[0] if l2 else 0.0) + (l1_penalty(W, l1)[0] if l1 else 0.0)
        return total

    def loss(self, X, y, l2=0.0, l1=0.0):
        """J: the mean cross-entropy on (X, y) in the current mode, plus the penalty."""
        z = self.forward(X)
        return softmax_cross_entropy(z, as_targets(y, z.shape[0], z.shape[1], "y"))[0] + self.penalty(l2, l1)

    def gradients(self, X, y, l2=0.0, l1=0.0):
        r"""Forward and backward pass on (X, y): returns J and fills ``self.grads`` (same order as ``params``).

        The penalties add :math:`\lambda_2 W + \lambda_1 \operatorname{sign}(W)` to each weight's gradient
        (sign(0) = 0, the subgradient PyTorch uses).
        """
        penalty = self.penalty(l2, l1)
        z = self.forward(X)
        loss = self.loss_layer.forward(z, as_targets(y, z.shape[0], z.shape[1], "y")) + penalty
        dout = self.loss_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        for i, (node, p, g) in enumerate(self._slots):
            grad = getattr(node, g)
            if p == "W" and l2:
                grad = grad + l2_penalty(node.W, l2)[1]
            if p == "W" and l1:
                grad = grad + l1_penalty(node.W, l1)[1]
            self.grads[i] = grad
        return loss

    def copy_params(self):
        """A copy of every parameter (to restore later with :meth:`set_params`)."""
        return [p.copy() for p in self.params]

    def set_params(self, values):
        """Overwrite every parameter in place with ``values`` (as returned by :meth:`copy_params`)."""
        if not isinstance(values, (list, tuple)) or len(values) != len(self.params):
            raise ValueError(f"values must be a list of {len(self.params)} arrays, one per parameter; "
                             f"got {type(values).__name__} of {len(values) if hasattr(values, '__len__') else '?'}")
        for i, (p, v) in enumerate(zip(self.params, values)):
            v = as_array(v, f"values[{i}]")
            if v.size != p.size:
                raise ValueError(f"values[{i}] must have {p.size} entries like params[{i}] {p.shape}; got {v.shape}")
            p[...] = v.reshape(p.shape)


class MLP(Network):
    r"""The fully connected network: L − 1 hidden layers, then Affine → Softmax-with-Loss.

    Hidden layer ℓ is :math:`h_\ell = \mathrm{drop}(f(\mathrm{BN}(h_{\ell-1} W_\ell + b_\ell)))`, with
    batch norm and dropout only if asked for; with ``residual=True`` a hidden layer whose input and
    output widths agree adds its input back, :math:`h_\ell = h_{\ell-1} + \dots` (a
    :class:`~course_lib.layers.Residual`).

    Parameters
    ----------
    layer_sizes : list of int
        [inputs, hidden..., classes]; the lecture's network is [2, nn_hdim, 2].
    activation : str
        Any name of :data:`course_lib.activations.ACTIVATIONS` ("tanh", "relu", "sigmoid",
        "leaky_relu", "elu", "swish", "gelu", "softplus"), with PyTorch's default parameters, or
        "linear" (no activation: the network is one affine map).
    seed : int
        The weights are drawn in order W1, W2, ... from ``np.random.RandomState(seed)``, which
        gives the lecture's initialisation for seed 0; the ℓ-th dropout layer draws its masks from
        seed + ℓ − 1.
    init : {"lecture", "naive", "xavier", "he"}
        How W is drawn: :math:`W = \sigma \cdot \mathcal{N}(0, 1)` with σ = 1/√fan-in (the lecture),
        0.01, √(2/(fan-in + fan-out)) (Xavier/Glorot) or √(2/fan-in) (He). Biases start at 0.
    residual : bool
        Skip connections around every hidden layer whose input and output widths agree.
    batchnorm : bool
        A :class:`~course_lib.layers.BatchNorm` between each hidden affine map and its activation.
    dropout : float in [0, 1)
        The drop probability of a :class:`~course_lib.layers.Dropout` after each hidden activation (0: none).

    Attributes
    ----------
    params : [W1, b1, (γ1, β1,) W2, b2, ...], shapes (D_ℓ, D_ℓ₊₁), (1, D_ℓ₊₁) (and (D_ℓ₊₁,) for γ, β)
    grads : the same shapes, filled by :meth:`gradients`
    hidden_layers : the nodes of each hidden layer, a list of lists
    """

    def __init__(self, layer_sizes, activation="tanh", seed=0, init="lecture", residual=False, batchnorm=False,
                 dropout=0.0):
        if not isinstance(layer_sizes, (list, tuple)) or len(layer_sizes) < 2:
            raise TypeError(f"layer_sizes must be a list of at least two ints, e.g. [2, 3, 2]; got {layer_sizes!r}")
        sizes = [as_number(s, f"layer_sizes[{i}]", low=1, integer=True) for i, s in enumerate(layer_sizes)]
        if sizes[-1] < 2:
            raise ValueError(f"the last layer must have at least 2 classes; got layer_sizes={list(layer_sizes)}")
        activation_node(activation)                                  # checks the name
        if not isinstance(init, str) or init not in INITIALISATIONS:
            raise ValueError(f"init must be one of {sorted(INITIALISATIONS)}; got {init!r}")
        seed = as_number(seed, "seed", low=0, integer=True)
        dropout = as_number(dropout, "dropout", low=0, high=1, high_inclusive=False)
        residual, batchnorm = as_flag(residual, "residual"), as_flag(batchnorm, "batchnorm")
        rng = np.random.RandomState(seed)
        weights = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            std = INITIALISATIONS[init](fan_in, fan_out)
            weights.append(rng.randn(fan_in, fan_out) / np.sqrt(fan_in) if init == "lecture"
                           else rng.randn(fan_in, fan_out) * std)
        self.layer_sizes, self.activation, self.init = sizes, activation, init
        self.residual, self.batchnorm, self.dropout = bool(residual), bool(batchnorm), dropout
        self.hidden_layers = []
        for i, W in enumerate(weights[:-1]):
            nodes = [Affine(W, np.zeros((1, W.shape[1])))]
            if batchnorm:
                nodes.append(BatchNorm(W.shape[1]))
            nodes.append(activation_node(activation))
            if dropout:
                nodes.append(Dropout(dropout, seed=seed + i))
            self.hidden_layers.append([Residual(*nodes)] if residual and W.shape[0] == W.shape[1] else nodes)
        output = Affine(weights[-1], np.zeros((1, sizes[-1])))
        super().__init__([node for nodes in self.hidden_layers for node in nodes] + [output])

    @classmethod
    def from_params(cls, params, activation="tanh"):
        """An MLP (no batch norm, dropout or skips) with the given [W1, b1, W2, b2, ...] (copied)."""
        if not isinstance(params, (list, tuple)) or len(params) < 2 or len(params) % 2:
            raise TypeError(f"params must be a list [W1, b1, W2, b2, ...]; got {params!r:.80}")
        params = [as_array(p, f"params[{i}]", ndim=2 if i % 2 == 0 else (1, 2)) for i, p in enumerate(params)]
        for i in range(0, len(params), 2):
            fan_in = params[0].shape[0] if i == 0 else params[i - 2].shape[1]
            m = params[i].shape[1]
            if params[i].shape[0] != fan_in or params[i + 1].shape not in ((m,), (1, m)):
                raise ValueError(f"params[{i}] and params[{i + 1}] must have shapes ({fan_in}, M) and (1, M); "
                                 f"got {params[i].shape} and {params[i + 1].shape}")
        sizes = [params[0].shape[0]] + [W.shape[1] for W in params[0::2]]
        net = cls(sizes, activation)
        net.set_params(params)
        return net

    def _inputs(self, X):
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have {self.layer_sizes[0]} columns (the network's input size); got shape {X.shape}")
        return X

    def hidden(self, X):
        """The output of every hidden layer for inputs X (in the current mode): a list of (N, width) arrays."""
        outs, h = [], self._inputs(X)
        for nodes in self.hidden_layers:
            for node in nodes:
                h = node.forward(h)
            outs.append(h)
        return outs

    def forward(self, X):
        """Logits z, shape (N, classes), for inputs X of shape (N, inputs), in the current mode."""
        return super().forward(self._inputs(X))
