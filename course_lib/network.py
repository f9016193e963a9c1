r"""The lecture's two-layer network, generalised: any layer sizes, any activation, built from layers.

``MLP([2, 3, 2], activation="tanh")`` is the lecture's network: Affine → tanh → Affine →
Softmax-with-Loss, initialised as the lecture does (:math:`W \sim \mathcal{N}(0, 1)/\sqrt{\text{fan-in}}`,
b = 0, drawn from seed 0), trained by full-batch gradient descent on

.. math:: L = \frac{1}{N}\sum_i -\log p_{i, y_i} + \frac{\lambda}{2}\sum_\ell \lVert W_\ell \rVert^2 .

The lecture sums the gradient over the N samples with step ε and adds λ_lecture·W; that is the
same update as the mean loss above with ``lr = ε·N`` and ``reg = λ_lecture / N``
(:func:`lecture_settings` converts).
"""
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from ._validate import as_array, as_number, as_seeds, as_targets
from .activations import ACTIVATIONS
from .layers import Activation, Affine, ReLU, Sigmoid, SoftmaxWithLoss, Tanh
from .losses import log_softmax, softmax

__all__ = ["MLP", "FlatParameters", "INITIALISATIONS", "lecture_settings", "train_hidden_sizes", "HiddenSizeRuns"]

ACTIVATION_LAYERS = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid}  # the rest use layers.Activation

INITIALISATIONS = {
    # name: standard deviation of W as a function of (fan_in, fan_out); biases start at 0
    "lecture": lambda fan_in, fan_out: 1 / np.sqrt(fan_in),            # the lecture's randn / sqrt(fan-in)
    "naive": lambda fan_in, fan_out: 0.01,                             # "small random numbers"
    "xavier": lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out)),  # Glorot & Bengio (2010), normal
    "he": lambda fan_in, fan_out: np.sqrt(2 / fan_in),                 # He et al. (2015), normal
}


def lecture_settings(epsilon=0.01, reg_lambda=0.01, n_samples=200):
    """Convert the lecture's (ε, λ) on summed gradients to (lr, reg) on the mean loss."""
    epsilon = as_number(epsilon, "epsilon", low=0)
    reg_lambda = as_number(reg_lambda, "reg_lambda", low=0)
    n_samples = as_number(n_samples, "n_samples", low=1, integer=True)
    return {"lr": epsilon * n_samples, "reg": reg_lambda / n_samples}


def _check_data(X, y, n_inputs, n_classes):
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != n_inputs:
        raise ValueError(f"X must have {n_inputs} columns (the network's input size); got shape {X.shape}")
    Y = as_targets(y, X.shape[0], n_classes, "y")
    return X, Y


class FlatParameters:
    """θ as one vector, for a network with lists ``params`` and ``grads`` (same shapes, same order).

    Gradient checks, Hessians and loss-landscape slices treat a network as a function of one
    vector; these three methods convert. Parameters are set in place, so layers that hold them
    by reference see the change.
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


class MLP(FlatParameters):
    r"""A fully connected classifier: (Affine → activation) × (L−1) → Affine → Softmax-with-Loss.

    Parameters
    ----------
    layer_sizes : list of int
        [inputs, hidden..., classes]; the lecture's network is [2, nn_hdim, 2].
    activation : str
        Any name of :data:`course_lib.activations.ACTIVATIONS` ("tanh", "relu", "sigmoid",
        "leaky_relu", "elu", "swish", "gelu", "softplus"), with PyTorch's default parameters.
    init : {"lecture", "naive", "xavier", "he"}
        How W is drawn: :math:`W = \sigma \cdot \mathcal{N}(0, 1)` with σ = 1/√fan-in (the lecture),
        0.01, √(2/(fan-in + fan-out)) (Xavier/Glorot) or √(2/fan-in) (He). Biases start at 0.
    seed : int
        The weights are drawn in order W1, W2, ... from ``np.random.RandomState(seed)``,
        which gives the lecture's initialisation for seed 0.

    Attributes
    ----------
    params : list of arrays [W1, b1, W2, b2, ...], shapes (D_l, D_{l+1}) and (1, D_{l+1}).
    grads : list of arrays of the same shapes, filled by :meth:`gradients`.
    """

    def __init__(self, layer_sizes, activation="tanh", seed=0, init="lecture"):
        if not isinstance(layer_sizes, (list, tuple)) or len(layer_sizes) < 2:
            raise TypeError(f"layer_sizes must be a list of at least two ints, e.g. [2, 3, 2]; got {layer_sizes!r}")
        sizes = [as_number(s, f"layer_sizes[{i}]", low=1, integer=True) for i, s in enumerate(layer_sizes)]
        if sizes[-1] < 2:
            raise ValueError(f"the last layer must have at least 2 classes; got layer_sizes={list(layer_sizes)}")
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}")
        if not isinstance(init, str) or init not in INITIALISATIONS:
            raise ValueError(f"init must be one of {sorted(INITIALISATIONS)}; got {init!r}")
        seed = as_number(seed, "seed", low=0, integer=True)
        rng = np.random.RandomState(seed)
        self.layer_sizes, self.activation, self.init = sizes, activation, init
        self.params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            std = INITIALISATIONS[init](fan_in, fan_out)
            self.params.append(rng.randn(fan_in, fan_out) / np.sqrt(fan_in) if init == "lecture"
                               else rng.randn(fan_in, fan_out) * std)
            self.params.append(np.zeros((1, fan_out)))
        self._build_layers()

    @classmethod
    def from_params(cls, params, activation="tanh"):
        """An MLP with the given [W1, b1, W2, b2, ...] (copied)."""
        if not isinstance(params, (list, tuple)) or len(params) < 2 or len(params) % 2:
            raise TypeError(f"params must be a list [W1, b1, W2, b2, ...]; got {params!r:.80}")
        params = [as_array(p, f"params[{i}]", ndim=2 if i % 2 == 0 else (1, 2)) for i, p in enumerate(params)]
        for i in range(0, len(params), 2):
            fan_in = params[0].shape[0] if i == 0 else params[i - 2].shape[1]
            m = params[i].shape[1]
            if params[i].shape[0] != fan_in or params[i + 1].shape not in ((m,), (1, m)):
                raise ValueError(f"params[{i}] and params[{i + 1}] must have shapes ({fan_in}, M) and (1, M); "
                                 f"got {params[i].shape} and {params[i + 1].shape}")
            params[i + 1] = params[i + 1].reshape(1, m)
        sizes = [params[0].shape[0]] + [W.shape[1] for W in params[0::2]]
        net = cls(sizes, activation)
        net.params = [as_array(p, f"params[{i}]").copy() for i, p in enumerate(params)]
        net._build_layers()
        return net

    def _build_layers(self):
        self.layers = []
        n = len(self.params) // 2
        for i in range(n):
            self.layers.append(Affine(self.params[2 * i], self.params[2 * i + 1]))
            if i < n - 1:
                node = ACTIVATION_LAYERS.get(self.activation)
                self.layers.append(node() if node else Activation(self.activation))
        self.loss_layer = SoftmaxWithLoss()
        self.grads = [np.zeros_like(p) for p in self.params]

    def forward(self, X):
        """Logits z, shape (N, classes), for inputs X of shape (N, inputs)."""
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have {self.layer_sizes[0]} columns; got shape {X.shape}")
        out = X
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def predict_proba(self, X):
        """Class probabilities, shape (N, classes)."""
        return softmax(self.forward(X))

    def predict(self, X):
        """Predicted class index for each row of X."""
        return self.forward(X).argmax(axis=1)

    def _penalty(self, reg):
        return 0.5 * reg * sum(float(np.sum(W * W)) for W in self.params[0::2])

    def loss(self, X, y, reg=0.0):
        r"""Mean cross-entropy plus :math:`\frac{\lambda}{2}\sum\lVert W\rVert^2`."""
        X, Y = _check_data(X, y, self.layer_sizes[0], self.layer_sizes[-1])
        reg = as_number(reg, "reg", low=0)
        return -float(np.sum(Y * log_softmax(self.forward(X)))) / X.shape[0] + self._penalty(reg)

    def gradients(self, X, y, reg=0.0):
        """Forward and backward pass: returns the loss and fills ``self.grads`` (same order as ``params``)."""
        X, Y = _check_data(X, y, self.layer_sizes[0], self.layer_sizes[-1])
        reg = as_number(reg, "reg", low=0)
        loss = self.loss_layer.forward(self.forward(X), Y) + self._penalty(reg)
        dout = self.loss_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        for i, layer in enumerate(self.layers[0::2]):
            self.grads[2 * i] = layer.dW + reg * layer.W
            self.grads[2 * i + 1] = layer.db
        return loss

    def train(self, X, y, num_passes=1000, lr=1.0, reg=0.0, record_every=100, callback=None):
        """Full-batch gradient descent: ``num_passes`` times, θ ← θ − lr · ∂L/∂θ.

        Records the loss before the update at passes 0, record_every, 2·record_every, ...
        ``callback(step, loss)`` is called at each record (e.g. to print or update a plot).
        Returns a dict with arrays ``step`` and ``loss``.
        """
        X, Y = _check_data(X, y, self.layer_sizes[0], self.layer_sizes[-1])
        num_passes = as_number(num_passes, "num_passes", low=0, integer=True)
        lr = as_number(lr, "lr", low=0)
        reg = as_number(reg, "reg", low=0)
        record_every = as_number(record_every, "record_every", low=1, integer=True)
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be a function callback(step, loss) or None; got {type(callback).__name__}")
        steps, losses = [], []
        for i in range(num_passes):
            loss = self.gradients(X, Y, reg)
            if i % record_every == 0:
                steps.append(i)
                losses.append(loss)
                if callback is not None:
                    callback(i, loss)
            for p, g in zip(self.params, self.grads):
                p -= lr * g
        return {"step": np.array(steps), "loss": np.array(losses)}


@dataclass
class HiddenSizeRuns:
    """What :func:`train_hidden_sizes` returns.

    Attributes
    ----------
    hidden_sizes : list of int
    steps : (T,) passes at which the losses were recorded
    losses : (T, K) loss of each network at each recorded pass
    snapshots : dict pass → list of K parameter lists [W1, b1, W2, b2]
    seeds : list of int, the seed of each network's initial weights (None: all the same)
    """

    hidden_sizes: list
    steps: np.ndarray
    losses: np.ndarray
    snapshots: dict = field(default_factory=dict)
    seeds: list = None

    def model(self, hidden_size, at_pass=None, seed=None):
        """The network of this hidden size (and seed) as an :class:`MLP`, at a snapshot pass (default: the last)."""
        seeds = self.seeds or [None] * len(self.hidden_sizes)
        matches = [k for k, (h, s) in enumerate(zip(self.hidden_sizes, seeds))
                   if h == hidden_size and (seed is None or s == seed)]
        if not matches:
            raise ValueError(f"hidden_size and seed must be those of a trained network, one of "
                             f"{list(zip(self.hidden_sizes, seeds))}; got {hidden_size!r} and seed {seed!r}")
        if len(matches) > 1:
            raise ValueError(f"{len(matches)} networks have hidden size {hidden_size}; name one with seed=, "
                             f"one of {[seeds[k] for k in matches]}")
        if at_pass is None:
            at_pass = max(self.snapshots)
        if at_pass not in self.snapshots:
            raise ValueError(f"at_pass must be one of the snapshot passes {sorted(self.snapshots)}; got {at_pass!r}")
        return MLP.from_params(self.snapshots[at_pass][matches[0]], "tanh")


def train_hidden_sizes(X, y, hidden_sizes, num_passes=20000, lr=2.0, reg=5e-5, snapshot_at=(),
                       record_every=100, seed=0, seeds=None, callback=None):
    r"""Train one lecture network [2, h, 2] per hidden size h, all in the same numpy calls.

    The K networks are independent, so gradient descent on the sum of their losses is gradient
    descent on each one. Their hidden units are laid side by side, :math:`H = \sum_k h_k` columns,
    and their output weights form a block-diagonal (H, 2K) matrix. The off-diagonal blocks start
    at zero and their gradient is masked, so they stay exactly zero: each network sees only its
    own units. One pass then costs about as much as one pass of a network with H hidden units,
    instead of K separate passes (the lecture's figure takes ~40 s one network at a time).

    Two rewritings that change only rounding make it faster still: :math:`\tanh t = 1 - 2/(1 + e^{2t})`
    (numpy's ``tanh`` is several times slower than ``exp`` on CPUs without AVX-512), and the
    two-class softmax as :math:`p_1 = \sigma(z_1 - z_0)`. BLAS runs single-threaded, which is faster
    for matrices this small. Each network is initialised exactly like ``MLP([2, h, 2], seed=seed)``
    (and the lecture); results agree with training the networks one at a time up to rounding
    (``tests/test_network.py`` checks it).

    Parameters
    ----------
    snapshot_at : iterable of int
        Passes after which to keep a copy of every network's parameters (0 = before training);
        ``num_passes`` is always kept.
    seeds : list of int, optional
        One seed per network, to train the same hidden size from several initialisations side by
        side (``hidden_sizes=[3, 3, 3], seeds=[0, 1, 2]``); default: ``seed`` for every network.
    callback : callable, optional
        ``callback(step, losses)`` at every recorded pass (losses: one per network), e.g. to
        show progress.

    Returns
    -------
    HiddenSizeRuns
    """
    if not isinstance(hidden_sizes, (list, tuple, np.ndarray)):
        raise TypeError(f"hidden_sizes must be a list of ints; got {type(hidden_sizes).__name__}")
    if not isinstance(snapshot_at, (list, tuple, set, range, np.ndarray)):
        raise TypeError(f"snapshot_at must be a list of pass numbers; got {type(snapshot_at).__name__}")
    sizes = [as_number(h, f"hidden_sizes[{i}]", low=1, integer=True) for i, h in enumerate(hidden_sizes)]
    if not sizes:
        raise ValueError("hidden_sizes must list at least one hidden size; got an empty list")
    X = as_array(X, "X", ndim=2)
    n, d = X.shape
    Y = as_targets(y, n, 2, "y")
    num_passes = as_number(num_passes, "num_passes", low=0, integer=True)
    lr = as_number(lr, "lr", low=0)
    reg = as_number(reg, "reg", low=0)
    record_every = as_number(record_every, "record_every", low=1, integer=True)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function (step, losses); got {type(callback).__name__}")
    snapshot_at = {as_number(s, "snapshot_at", low=0, high=num_passes, integer=True) for s in snapshot_at}
    if seeds is None:
        seeds = [as_number(seed, "seed", low=0, integer=True)] * len(sizes)
    else:
        seeds = as_seeds(seeds)
        if len(seeds) != len(sizes):
            raise ValueError(f"seeds must list one seed per hidden size ({len(sizes)}); got {seeds}")
    snapshot_at.add(num_passes)

    K, H = len(sizes), sum(sizes)
    starts = np.cumsum([0] + sizes)
    blocks = [(slice(starts[k], starts[k + 1]), slice(2 * k, 2 * k + 2)) for k in range(K)]
    W1, b1 = np.zeros((d, H)), np.zeros((1, H))
    W2, b2 = np.zeros((H, 2 * K)), np.zeros((1, 2 * K))
    mask = np.zeros_like(W2)
    for k, (rows, cols) in enumerate(blocks):
        net = MLP([d, sizes[k], 2], "tanh", seeds[k])
        W1[:, rows], W2[rows, cols], mask[rows, cols] = net.params[0], net.params[2], 1.0
    Y = np.repeat(Y[:, None, :], K, axis=1).reshape(n, 2 * K)

    def unstack():
        return [[W1[:, r].copy(), b1[:, r].copy(), W2[r, c].copy(), b2[:, c].copy()] for r, c in blocks]

    def losses_now(p1):
        p_true = np.where(Y[:, 1::2] == 1, p1, 1.0 - p1)
        data = -np.log(np.maximum(p_true, 1e-300)).mean(axis=0)
        penalty = [0.5 * reg * (np.sum(W1[:, r] ** 2) + np.sum(W2[r, c] ** 2)) for r, c in blocks]
        return data + np.array(penalty)

    steps, losses, snapshots = [], [], {}
    a1, tmp, delta3 = np.empty((n, H)), np.empty((n, H)), np.empty((n, 2 * K))
    with threadpool_limits(1):
        for i in range(num_passes + 1):
            if i in snapshot_at:
                snapshots[i] = unstack()
            if i == num_passes:
                break
            # forward: a1 = tanh(X W1 + b1), computed as 1 - 2 / (1 + exp(2 t))
            np.matmul(X, W1, out=tmp)
            tmp += b1
            np.multiply(tmp, 2.0, out=a1)
            np.clip(a1, -700.0, 700.0, out=a1)
            np.exp(a1, out=a1)
            a1 += 1.0
            np.divide(-2.0, a1, out=a1)
            a1 += 1.0
            z2 = a1 @ W2 + b2
            p1 = 1.0 / (1.0 + np.exp(z2[:, 0::2] - z2[:, 1::2]))   # softmax of two scores
            if i % record_every == 0:
                steps.append(i)
                losses.append(losses_now(p1))
                if callback is not None:
                    callback(i, losses[-1])
            # backward: the lecture's delta3, delta2 for the mean loss
            delta3[:, 1::2] = p1
            delta3[:, 0::2] = 1.0 - p1
            delta3 -= Y
            delta3 /= n
            dW2 = (a1.T @ delta3) * mask + reg * W2
            db2 = delta3.sum(axis=0, keepdims=True)
            delta2 = delta3 @ W2.T
            np.multiply(a1, a1, out=tmp)
            np.subtract(1.0, tmp, out=tmp)
            delta2 *= tmp
            dW1 = X.T @ delta2 + reg * W1
            db1 = delta2.sum(axis=0, keepdims=True)
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
    return HiddenSizeRuns(sizes, np.array(steps), np.array(losses).reshape(len(steps), K), snapshots, seeds)
