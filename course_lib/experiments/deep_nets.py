r"""Deep networks and what their gradients do: the lecture's scalar chain, per-layer gradient norms,
activation statistics, and a deep MLP with optional residual connections and batch normalisation.

The lecture's chain (梯度消失) is :math:`h_0 = x`, :math:`z_j = w_j h_{j-1}`, :math:`h_j = \sigma(z_j)`,
:math:`p = h_n`, :math:`L = \tfrac12 (p - y)^2`. By the chain rule

.. math:: \frac{\partial L}{\partial w_1} = \frac{\partial L}{\partial p}
          \prod_{j=2}^{n} w_j\,\sigma'(z_j)\;\cdot\;\sigma'(z_1)\,x ,

a product of factors :math:`w_j\sigma'(z_j)` that shrinks geometrically when each is small.
"""
import numpy as np
from threadpoolctl import threadpool_limits

from .._validate import as_array, as_number, as_seeds, as_targets
from .activation_experiments import DERIVATIVE_FROM_OUTPUT
from ..activations import ACTIVATIONS
from ..layers import Activation, Affine, BatchNorm, SoftmaxWithLoss
from ..losses import log_softmax
from ..network import ACTIVATION_LAYERS, INITIALISATIONS, MLP, FlatParameters

__all__ = ["ScalarChain", "DenseBlock", "DeepMLP", "layer_gradient_norms", "hidden_activations",
           "activation_statistics", "activation_histograms", "train_sgd", "train_sgd_seeds",
           "measure_network", "gradient_survey"]


def _activation_node(name):
    node = ACTIVATION_LAYERS.get(name)
    return node() if node else Activation(name)


def _check_activation(activation):
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}")
    return activation


class ScalarChain:
    r"""The lecture's chain of one-neuron layers: :math:`h_j = f(w_j h_{j-1})`, :math:`h_0 = x`, :math:`p = h_n`.

    Parameters
    ----------
    weights : (n,) array
        :math:`w_1, \dots, w_n`; the lecture's five-layer network (x, h₁, h₂, h₃, p) has n = 4.
    activation : str
        A name of :data:`course_lib.activations.ACTIVATIONS`; the lecture's is "sigmoid".

    ``forward(x)`` returns p and caches every :math:`z_j` and :math:`h_j`; ``backward(dp)``, given
    :math:`\partial L/\partial p`, returns :math:`\partial L/\partial w_j` for every j, shape (n,).
    """

    def __init__(self, weights, activation="sigmoid"):
        self.w = as_array(weights, "weights", ndim=1).copy()
        if self.w.size < 1:
            raise ValueError("weights must hold at least one weight; got an empty array")
        self.activation = _check_activation(activation)
        self.f, self.df = ACTIVATIONS[activation]

    def forward(self, x):
        """p = h_n for the scalar input x; caches ``z`` (n,) and ``h`` (n + 1,) with h[0] = x."""
        x = as_number(x, "x")
        h = np.empty(self.w.size + 1)
        z = np.empty(self.w.size)
        h[0] = x
        for j, w in enumerate(self.w):
            z[j] = w * h[j]
            h[j + 1] = self.f(z[j])
        self.z, self.h = z, h
        return float(h[-1])

    def factors(self):
        r""":math:`\partial h_j/\partial h_{j-1} = w_j f'(z_j)` for j = 1..n, shape (n,)."""
        if not hasattr(self, "z"):
            raise RuntimeError("ScalarChain.factors called before forward")
        return self.w * self.df(self.z)

    def backward(self, dp):
        r""":math:`\partial L/\partial w_j = \partial L/\partial h_j \cdot f'(z_j)\,h_{j-1}`, from j = n down to 1."""
        dp = as_number(dp, "dp")
        if not hasattr(self, "z"):
            raise RuntimeError("ScalarChain.backward called before forward")
        local = self.df(self.z)
        dw = np.empty_like(self.w)
        dh = dp                                   # ∂L/∂h_n
        for j in reversed(range(self.w.size)):
            dz = dh * local[j]                    # ∂L/∂z_j
            dw[j] = dz * self.h[j]                # z_j = w_j h_{j-1}
            dh = dz * self.w[j]                   # ∂L/∂h_{j-1}
        return dw


class DenseBlock:
    r"""One hidden layer: :math:`h = f(\mathrm{BN}(h_{in} W + b))`, plus :math:`h_{in}` when residual.

    A residual block adds its input to its output, :math:`h = h_{in} + f(h_{in}W + b)`, so its
    backward pass adds the upstream gradient to the gradient through the layer:
    :math:`\partial L/\partial h_{in} = \partial L/\partial h + (\text{the layer's backward})`.
    The identity path carries the gradient back however small the layer's own factor is.

    Shapes: h_in (N, D) → h (N, M); residual needs D = M.
    """

    def __init__(self, W, b, activation, residual=False, batchnorm=None):
        self.affine = Affine(W, b)
        self.batchnorm = batchnorm
        self.act = _activation_node(activation)
        self.residual = bool(residual)
        if self.residual and W.shape[0] != W.shape[1]:
            raise ValueError(f"a residual block needs as many outputs as inputs; got W of shape {W.shape}")
        self.nodes = [self.affine] + ([batchnorm] if batchnorm is not None else []) + [self.act]

    def forward(self, h_in):
        out = h_in
        for node in self.nodes:
            out = node.forward(out)
        return h_in + out if self.residual else out

    def backward(self, dout):
        d = dout
        for node in reversed(self.nodes):
            d = node.backward(d)
        return d + dout if self.residual else d


class DeepMLP(FlatParameters):
    r"""A deep classifier: DenseBlock × (L−1) → Affine → Softmax-with-Loss.

    With ``residual=False, batchnorm=False`` it is exactly :class:`course_lib.network.MLP` (same
    initial weights for the same seed, same outputs and gradients). ``residual=True`` makes every
    hidden layer whose input and output widths agree a residual block
    :math:`h_\ell = h_{\ell-1} + f(h_{\ell-1}W_\ell + b_\ell)`; ``batchnorm=True`` puts a
    :class:`course_lib.layers.BatchNorm` between each hidden affine map and its activation.

    Parameters
    ----------
    layer_sizes : list of int
        [inputs, hidden..., classes].
    activation, init, seed
        As for :class:`course_lib.network.MLP`.

    Attributes
    ----------
    params : [W1, b1, ..., WL, bL] followed, with batch normalisation, by [γ1, β1, ..., γL−1, βL−1].
    grads : the same shapes, filled by :meth:`gradients`.
    """

    def __init__(self, layer_sizes, activation="sigmoid", init="xavier", seed=0, residual=False, batchnorm=False):
        base = MLP(layer_sizes, activation, seed=seed, init=init)   # validates and draws the weights
        self.layer_sizes, self.activation, self.init = base.layer_sizes, activation, init
        self.residual, self.uses_batchnorm = bool(residual), bool(batchnorm)
        self.params = base.params
        n = len(self.params) // 2
        self.blocks = []
        bn_params = []
        for i in range(n - 1):
            W, b = self.params[2 * i], self.params[2 * i + 1]
            bn = None
            if batchnorm:
                bn = BatchNorm(W.shape[1])
                bn_params += [bn.gamma, bn.beta]
            self.blocks.append(DenseBlock(W, b, activation, residual and W.shape[0] == W.shape[1], bn))
        self.output = Affine(self.params[-2], self.params[-1])
        self.params = self.params + bn_params
        self.loss_layer = SoftmaxWithLoss()
        self.grads = [np.zeros_like(p) for p in self.params]

    def set_training(self, training):
        """Switch batch normalisation between batch statistics (True) and running statistics (False)."""
        for block in self.blocks:
            if block.batchnorm is not None:
                block.batchnorm.training = bool(training)

    def hidden(self, X):
        """The hidden layers' outputs h₁ … h_{L−1}, a list of (N, M) arrays."""
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have {self.layer_sizes[0]} columns; got shape {X.shape}")
        hs, h = [], X
        for block in self.blocks:
            h = block.forward(h)
            hs.append(h)
        return hs

    def forward(self, X):
        """Logits, shape (N, classes)."""
        hs = self.hidden(X)
        return self.output.forward(hs[-1] if hs else as_array(X, "X", ndim=2))

    def predict(self, X):
        return self.forward(X).argmax(axis=1)

    def loss(self, X, y):
        """Mean cross-entropy (no regularisation)."""
        X = as_array(X, "X", ndim=2)
        Y = as_targets(y, X.shape[0], self.layer_sizes[-1], "y")
        return -float(np.sum(Y * log_softmax(self.forward(X)))) / X.shape[0]

    def gradients(self, X, y):
        """Forward and backward pass: returns the loss and fills ``self.grads``."""
        X = as_array(X, "X", ndim=2)
        Y = as_targets(y, X.shape[0], self.layer_sizes[-1], "y")
        loss = self.loss_layer.forward(self.forward(X), Y)
        d = self.output.backward(self.loss_layer.backward())
        for block in reversed(self.blocks):
            d = block.backward(d)
        affines = [block.affine for block in self.blocks] + [self.output]
        for i, layer in enumerate(affines):
            self.grads[2 * i], self.grads[2 * i + 1] = layer.dW, layer.db
        k = 2 * len(affines)
        for block in self.blocks:
            if block.batchnorm is not None:
                self.grads[k], self.grads[k + 1] = block.batchnorm.dgamma, block.batchnorm.dbeta
                k += 2
        return loss


def _check_net(net):
    if not (hasattr(net, "gradients") and hasattr(net, "grads") and hasattr(net, "layer_sizes")):
        raise TypeError(f"net must be an MLP or a DeepMLP; got {type(net).__name__}")


def layer_gradient_norms(net, X, y, param="W"):
    r"""How fast each layer learns: :math:`\lVert \partial L/\partial W_\ell \rVert` for ℓ = 1 … L.

    Runs one forward and backward pass of ``net`` (an :class:`~course_lib.network.MLP` or a
    :class:`DeepMLP`) on (X, y) and returns the Frobenius norm of each layer's weight gradient,
    shape (L,), input layer first, output layer last. ``param="b"`` gives the bias gradients
    :math:`\lVert \partial L/\partial b_\ell \rVert = \lVert \sum_i \delta^\ell_i \rVert`,
    Nielsen's "speed of learning" of layer ℓ.
    """
    _check_net(net)
    if param not in ("W", "b"):
        raise ValueError(f"param must be 'W' (weights) or 'b' (biases); got {param!r}")
    net.gradients(X, y)
    n_layers = len(net.layer_sizes) - 1
    start = 0 if param == "W" else 1
    return np.array([np.linalg.norm(net.grads[2 * i + start]) for i in range(n_layers)])


def hidden_activations(net, X):
    """The output of every hidden layer of ``net`` for inputs X: a list of (N, width) arrays."""
    _check_net(net)
    if isinstance(net, DeepMLP):
        return net.hidden(X)
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != net.layer_sizes[0]:
        raise ValueError(f"X must have {net.layer_sizes[0]} columns; got shape {X.shape}")
    outs, h = [], X
    for i, layer in enumerate(net.layers[:-1]):
        h = layer.forward(h)
        if i % 2 == 1:                      # Affine, activation, Affine, activation, ...
            outs.append(h)
    return outs


def activation_statistics(activations):
    """Mean, standard deviation and fraction of exact zeros of each layer's activations.

    Parameters
    ----------
    activations : list of (N, M) arrays, e.g. from :func:`hidden_activations`.

    Returns
    -------
    dict with arrays ``mean``, ``std``, ``zero_fraction``, each of shape (layers,).
    """
    if not isinstance(activations, (list, tuple)) or not activations:
        raise TypeError(f"activations must be a non-empty list of arrays; got {type(activations).__name__}")
    acts = [as_array(a, f"activations[{i}]") for i, a in enumerate(activations)]
    return {"mean": np.array([a.mean() for a in acts]), "std": np.array([a.std() for a in acts]),
            "zero_fraction": np.array([np.mean(a == 0) for a in acts])}


def activation_histograms(activations, bins):
    """Each layer's activations as a histogram over the same ``bins``, normalised to sum 1: (layers, B)."""
    if not isinstance(activations, (list, tuple)) or not activations:
        raise TypeError(f"activations must be a non-empty list of arrays; got {type(activations).__name__}")
    bins = as_array(bins, "bins", ndim=1)
    counts = [np.histogram(np.clip(as_array(a, "activation"), bins[0], bins[-1]), bins)[0] for a in activations]
    return np.array([c / max(c.sum(), 1) for c in counts])


def train_sgd(net, X, y, epochs=10, lr=0.1, batch_size=10, seed=0, measure_on=None, callback=None):
    r"""Mini-batch stochastic gradient descent, measuring every layer's gradient norm after each epoch.

    Each epoch shuffles (X, y) with ``np.random.RandomState(seed)`` and takes one step
    θ ← θ − lr · ∂L/∂θ per mini-batch. Before training and after every epoch it records the loss
    and :func:`layer_gradient_norms` (weights and biases) on ``measure_on`` (default: (X, y)).
    ``callback(epoch, loss)`` is called at each record, e.g. to print progress. A
    :class:`DeepMLP` with batch normalisation is measured in training mode (batch statistics),
    so the measurements also nudge its running statistics, as any training batch would.

    Returns
    -------
    dict with ``epoch`` (E+1,), ``loss`` (E+1,), ``grad_W`` and ``grad_b`` (E+1, L).
    """
    _check_net(net)
    X = as_array(X, "X", ndim=2)
    Y = as_targets(y, X.shape[0], net.layer_sizes[-1], "y")
    epochs = as_number(epochs, "epochs", low=0, integer=True)
    lr = as_number(lr, "lr", low=0)
    batch_size = as_number(batch_size, "batch_size", low=1, integer=True)
    rng = np.random.RandomState(as_number(seed, "seed", low=0, integer=True))
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch, loss) or None; got {type(callback).__name__}")
    Xm, Ym = (X, Y) if measure_on is None else measure_on
    history = {"epoch": [], "loss": [], "grad_W": [], "grad_b": []}

    def record(epoch):
        if hasattr(net, "set_training"):
            net.set_training(True)
        history["grad_W"].append(layer_gradient_norms(net, Xm, Ym, "W"))
        history["grad_b"].append(np.array([np.linalg.norm(g) for g in net.grads[1:2 * (len(net.layer_sizes) - 1):2]]))
        history["loss"].append(net.loss(Xm, Ym))
        history["epoch"].append(epoch)
        if callback is not None:
            callback(epoch, history["loss"][-1])

    with threadpool_limits(1):              # BLAS on small matrices is faster single-threaded
        record(0)
        for epoch in range(1, epochs + 1):
            order = rng.permutation(X.shape[0])
            for start in range(0, X.shape[0], batch_size):
                batch = order[start:start + batch_size]
                net.gradients(X[batch], Y[batch])
                for p, g in zip(net.params, net.grads):
                    p -= lr * np.reshape(g, p.shape)
            record(epoch)
    return {k: np.array(v) for k, v in history.items()}


def train_sgd_seeds(layer_sizes, activation, init, seeds, X, y, epochs=10, lr=0.1, batch_size=10,
                    evaluate_on=None, record_every=1, callback=None, residual=False):
    r"""Train one network per seed, side by side, by mini-batch SGD: a comparison over seeds.

    Network k starts as ``MLP(layer_sizes, activation, seed=seeds[k], init=init)`` (with
    ``residual=True``: ``DeepMLP(..., residual=True)``, the same weights) and takes exactly the
    steps of ``train_sgd(that_net, X, y, epochs, lr, batch_size, seed=seeds[k])`` (its own
    shuffles). The K networks are stacked — layer ℓ's weights form one (K, fan-in, fan-out) array —
    so every step is one batched ``matmul`` per layer for all of them: K small networks cost little
    more than one, because numpy's per-call overhead dominates on arrays this small.

    Forward: :math:`Z_\ell = A_{\ell-1}W_\ell + b_\ell`, :math:`A_\ell = f(Z_\ell)` (plus :math:`A_{\ell-1}`
    in a residual layer, one whose input and output widths agree); backward, for the mean
    cross-entropy of a batch of B: :math:`dZ_L = (P - Y)/B`, :math:`dW_\ell = A_{\ell-1}^\top dZ_\ell`,
    :math:`db_\ell = \sum_i dZ_{\ell,i}`, :math:`dA_{\ell-1} = dZ_\ell W_\ell^\top` (plus :math:`dA_\ell` through a
    residual layer's identity path), :math:`dZ_{\ell-1} = dA_{\ell-1} \odot f'(Z_{\ell-1})`.

    Parameters
    ----------
    layer_sizes : list of int, [inputs, hidden..., classes]
    activation, init : as for :class:`~course_lib.network.MLP`
    seeds : sequence of K ints, the initialisation and shuffling seed of each network
    X : (N, D) array; y : (N,) class indices
    epochs, lr, batch_size : as for :func:`train_sgd`
    evaluate_on : (X_eval, y_eval), default (X, y): where loss and accuracy are recorded
    record_every : int, record before training and after every ``record_every``-th epoch (and the last)
    callback : ``callback(epoch, accuracy)`` at each record, accuracy of shape (K,), e.g. to print progress
    residual : bool, residual connections in every hidden layer whose input and output widths agree

    Returns
    -------
    dict with ``epoch`` (T,), ``loss`` and ``accuracy`` (T, K) on ``evaluate_on``, and ``params``:
    the final stacked [W1, b1, ...], shapes (K, D_ℓ, D_ℓ₊₁) and (K, 1, D_ℓ₊₁).
    """
    seeds = as_seeds(seeds)
    nets = [MLP(layer_sizes, activation, seed=s, init=init) for s in seeds]   # validates sizes, activation, init
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != nets[0].layer_sizes[0]:
        raise ValueError(f"X must have {nets[0].layer_sizes[0]} columns; got shape {X.shape}")
    Y = as_targets(y, X.shape[0], nets[0].layer_sizes[-1], "y")
    X_eval, y_eval = (X, Y.argmax(axis=1)) if evaluate_on is None else evaluate_on
    X_eval = as_array(X_eval, "evaluate_on[0]", ndim=2)
    Y_eval = as_targets(y_eval, X_eval.shape[0], nets[0].layer_sizes[-1], "evaluate_on[1]")
    epochs = as_number(epochs, "epochs", low=0, integer=True)
    lr = as_number(lr, "lr", low=0)
    batch_size = as_number(batch_size, "batch_size", low=1, integer=True)
    record_every = as_number(record_every, "record_every", low=1, integer=True)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch, accuracy) or None; got {type(callback).__name__}")

    params = [np.stack([net.params[i] for net in nets]) for i in range(len(nets[0].params))]
    f, df = ACTIVATIONS[activation]
    n_layers = len(params) // 2
    skip = [bool(residual) and l < n_layers - 1 and params[2 * l].shape[1] == params[2 * l].shape[2]
            for l in range(n_layers)]            # which hidden layers add their input to their output
    rngs = [np.random.RandomState(s) for s in seeds]
    history = {"epoch": [], "loss": [], "accuracy": []}

    def forward(A):
        """Inputs of every layer As, pre-activations Zs, activations Fs = f(Zs) of the hidden layers."""
        As, Zs, Fs = [A], [], []
        for l in range(n_layers):
            Z = np.matmul(As[-1], params[2 * l]) + params[2 * l + 1]
            Zs.append(Z)
            if l < n_layers - 1:
                Fs.append(f(Z))
                As.append(As[-1] + Fs[-1] if skip[l] else Fs[-1])
        return As, Zs, Fs

    def record(epoch):
        logits = forward(X_eval)[1][-1]                                     # (K, N_eval, classes)
        history["loss"].append(-np.sum(Y_eval * log_softmax(logits), axis=(1, 2)) / X_eval.shape[0])
        history["accuracy"].append(np.mean(logits.argmax(axis=2) == Y_eval.argmax(axis=1), axis=1))
        history["epoch"].append(epoch)
        if callback is not None:
            callback(epoch, history["accuracy"][-1])

    with threadpool_limits(1):              # BLAS on small matrices is faster single-threaded
        record(0)
        for epoch in range(1, epochs + 1):
            orders = np.stack([rng.permutation(X.shape[0]) for rng in rngs])    # (K, N)
            for start in range(0, X.shape[0], batch_size):
                batch = orders[:, start:start + batch_size]
                As, Zs, Fs = forward(X[batch])
                dZ = (np.exp(log_softmax(Zs[-1])) - Y[batch]) / batch.shape[1]
                for l in reversed(range(n_layers)):
                    W = params[2 * l]
                    dW = np.matmul(np.swapaxes(As[l], 1, 2), dZ)
                    db = dZ.sum(axis=1, keepdims=True)
                    if l > 0:                   # back into hidden layer l − 1, whose output is As[l]
                        dA = np.matmul(dZ, np.swapaxes(W, 1, 2)) + (dA if skip[l] else 0)
                        local = (DERIVATIVE_FROM_OUTPUT[activation](Fs[l - 1]) if activation in DERIVATIVE_FROM_OUTPUT
                                 else df(Zs[l - 1]))         # f'(Z) from f(Z) where that is cheaper
                        dZ = dA * local
                    W -= lr * dW
                    params[2 * l + 1] -= lr * db
            if epoch % record_every == 0 or epoch == epochs:
                record(epoch)
    return {"epoch": np.array(history["epoch"]), "loss": np.array(history["loss"]),
            "accuracy": np.array(history["accuracy"]), "params": params}


def measure_network(X, y, depth, activation, init, width=30, bins=None, seed=0):
    """Gradient norms and activation histograms of a fresh ``MLP([D] + [width] * depth + [C])``.

    Returns ``(norms, histograms)``: :func:`layer_gradient_norms` on (X, y), shape (depth + 1,),
    and :func:`activation_histograms` of the hidden layers over ``bins`` (default 40 bins on
    [−1, 1]), shape (depth, B).
    """
    X = as_array(X, "X", ndim=2)
    depth = as_number(depth, "depth", low=1, integer=True)
    width = as_number(width, "width", low=1, integer=True)
    _check_activation(activation)
    if init not in INITIALISATIONS:
        raise ValueError(f"init must be one of {sorted(INITIALISATIONS)}; got {init!r}")
    bins = np.linspace(-1, 1, 41) if bins is None else as_array(bins, "bins", ndim=1)
    n_classes = int(np.max(y)) + 1
    net = MLP([X.shape[1]] + [width] * depth + [n_classes], activation, seed=seed, init=init)
    with threadpool_limits(1):
        norms = layer_gradient_norms(net, X, y)
        histograms = activation_histograms(hidden_activations(net, X), bins)
    return norms, histograms


def gradient_survey(X, y, depths, activations, inits, width=30, bins=None, seed=0):
    """:func:`measure_network` for every (depth, activation, init), so a widget can look answers up.

    Returns
    -------
    dict (depth, activation, init) → (norms, histograms)
    """
    return {(depth, activation, init): measure_network(X, y, depth, activation, init, width, bins, seed)
            for depth in depths for activation in activations for init in inits}
