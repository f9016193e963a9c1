r"""Deep networks and what their gradients do: the lecture's scalar chain, per-layer gradient norms,
activation statistics, and a side-by-side trainer for comparisons over seeds.

The lecture's chain (梯度消失) is :math:`h_0 = x`, :math:`z_j = w_j h_{j-1}`, :math:`h_j = \sigma(z_j)`,
:math:`p = h_n`, :math:`L = \tfrac12 (p - y)^2`. By the chain rule

.. math:: \frac{\partial L}{\partial w_1} = \frac{\partial L}{\partial p}
          \prod_{j=2}^{n} w_j\,\sigma'(z_j)\;\cdot\;\sigma'(z_1)\,x ,

a product of factors :math:`w_j\sigma'(z_j)` that shrinks geometrically when each is small.

The deep networks of chapter 04 are :class:`course_lib.network.MLP` (``residual=True`` and
``batchnorm=True`` for two of the remedies) trained by :func:`course_lib.training.fit`;
:func:`layer_gradient_norms` is the measurement the chapter takes after every epoch, in fit's callback.
:func:`variance_through_depth` checks the Xavier and He variance rules on a deep, wide stack.
"""
import functools

import numpy as np
from threadpoolctl import threadpool_limits

from .._validate import as_array, as_number, as_seeds, as_targets
from .activation_experiments import DERIVATIVE_FROM_OUTPUT
from ..activations import ACTIVATIONS
from ..layers import Residual
from ..losses import softmax, softmax_cross_entropy
from ..network import INITIALISATIONS, MLP
from ..training import batches

__all__ = ["ScalarChain", "layer_gradient_norms", "activation_statistics", "activation_histograms",
           "train_sgd_seeds", "measure_network", "gradient_survey", "variance_through_depth"]


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


def layer_gradient_norms(net, X, y, param="W"):
    r"""How fast each layer learns: :math:`\lVert \partial L/\partial W_\ell \rVert` for ℓ = 1 … L.

    Runs one forward and backward pass of ``net`` (a :class:`~course_lib.network.Network` of
    Affine layers, such as an :class:`~course_lib.network.MLP`) on (X, y), in its current mode,
    and returns the Frobenius norm of each layer's weight gradient, shape (L,), input layer
    first, output layer last. ``param="b"`` gives the bias gradients
    :math:`\lVert \partial L/\partial b_\ell \rVert = \lVert \sum_i \delta^\ell_i \rVert`,
    Nielsen's "speed of learning" of layer ℓ. (The pass fills ``net.grads``; in training mode it
    also moves batch norm's running statistics, as any training batch would.)
    """
    if not (callable(getattr(net, "gradients", None)) and hasattr(net, "weights") and hasattr(net, "grads")):
        raise TypeError(f"net must be a course Network such as MLP(...); got {type(net).__name__}")
    if param not in ("W", "b"):
        raise ValueError(f"param must be 'W' (weights) or 'b' (biases); got {param!r}")
    net.gradients(X, y)
    # params list each affine map's W and then its b (network.Network)
    at_W = [i for i, p in enumerate(net.params) if any(p is W for W in net.weights)]
    return np.array([np.linalg.norm(net.grads[i if param == "W" else i + 1]) for i in at_W])


def activation_statistics(activations):
    """Mean, standard deviation and fraction of exact zeros of each layer's activations.

    Parameters
    ----------
    activations : list of (N, M) arrays, e.g. ``net.hidden(X)``.

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


def train_sgd_seeds(layer_sizes, activation, init, seeds, X, y, epochs=10, lr=0.1, batch_size=10,
                    evaluate_on=None, record_every=1, callback=None, residual=False):
    r"""A side-by-side trainer: one network per seed, trained together by mini-batch SGD.

    Network k is ``MLP(layer_sizes, activation, seed=seeds[k], init=init, residual=residual)``
    and takes exactly the steps of ``fit(net_k, X, y, SGD(net_k.params, lr), epochs=epochs,
    batch_size=batch_size, seed=seeds[k])`` (its own shuffles, the last smaller batch kept;
    ``tests/test_deep_nets.py`` checks that the parameters agree to rounding). It exists for
    the time budget only: the K networks are stacked — layer ℓ's weights form one
    (K, fan-in, fan-out) array — so every step is one batched ``matmul`` per layer for all of
    them, and K small networks cost little more than one, because numpy's per-call overhead
    dominates on arrays this small.

    Forward: :math:`Z_\ell = A_{\ell-1}W_\ell + b_\ell`, :math:`A_\ell = f(Z_\ell)` (plus :math:`A_{\ell-1}`
    in a residual layer); backward, for the mean cross-entropy of a batch of B:
    :math:`dZ_L = (P - Y)/B`, :math:`dW_\ell = A_{\ell-1}^\top dZ_\ell`, :math:`db_\ell = \sum_i dZ_{\ell,i}`,
    :math:`dA_{\ell-1} = dZ_\ell W_\ell^\top` (plus :math:`dA_\ell` through a residual layer's identity
    path), :math:`dZ_{\ell-1} = dA_{\ell-1} \odot f'(Z_{\ell-1})`.

    Parameters
    ----------
    layer_sizes : list of int, [inputs, hidden..., classes]
    activation, init, residual : as for :class:`~course_lib.network.MLP`
    seeds : sequence of K ints, the initialisation and shuffling seed of each network
    X : (N, D) array; y : (N,) class indices
    epochs, lr, batch_size : as for :func:`~course_lib.training.fit` with ``SGD(params, lr)``
    evaluate_on : (X_eval, y_eval), default (X, y): where loss and accuracy are recorded
    record_every : int, record before training and after every ``record_every``-th epoch (and the last)
    callback : ``callback(epoch, accuracy)`` at each record, accuracy of shape (K,), e.g. to print progress

    Returns
    -------
    dict with ``epoch`` (T,), ``loss`` and ``accuracy`` (T, K) on ``evaluate_on``, and ``params``:
    the final stacked [W1, b1, ...], shapes (K, D_ℓ, D_ℓ₊₁) and (K, 1, D_ℓ₊₁).
    """
    seeds = as_seeds(seeds)
    nets = [MLP(layer_sizes, activation, seed=s, init=init, residual=residual) for s in seeds]   # validates
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != nets[0].layer_sizes[0]:
        raise ValueError(f"X must have {nets[0].layer_sizes[0]} columns; got shape {X.shape}")
    Y = as_targets(y, X.shape[0], nets[0].layer_sizes[-1], "y")
    X_eval, y_eval = (X, Y.argmax(axis=1)) if evaluate_on is None else evaluate_on
    X_eval = as_array(X_eval, "evaluate_on[0]", ndim=2)
    Y_eval = as_targets(y_eval, X_eval.shape[0], nets[0].layer_sizes[-1], "evaluate_on[1]")
    epochs = as_number(epochs, "epochs", low=0, integer=True)
    lr = as_number(lr, "lr", low=0)
    batch_size = as_number(batch_size, "batch_size", low=1, high=X.shape[0], integer=True)
    record_every = as_number(record_every, "record_every", low=1, integer=True)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch, accuracy) or None; got {type(callback).__name__}")

    params = [np.stack([net.params[i] for net in nets]) for i in range(len(nets[0].params))]
    f, df = ACTIVATIONS[activation]
    f_prime = DERIVATIVE_FROM_OUTPUT.get(activation)           # f'(Z) from f(Z) where that is cheaper
    n_layers = len(params) // 2
    skip = [isinstance(nodes[0], Residual) for nodes in nets[0].hidden_layers] + [False]
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
        history["loss"].append(np.array([softmax_cross_entropy(z, Y_eval)[0] for z in logits]))
        history["accuracy"].append(np.mean(logits.argmax(axis=2) == Y_eval.argmax(axis=1), axis=1))
        history["epoch"].append(epoch)
        if callback is not None:
            callback(epoch, history["accuracy"][-1])

    with threadpool_limits(1):              # BLAS on small matrices is faster single-threaded
        record(0)
        for epoch in range(1, epochs + 1):
            # each network's own batches, as fit draws them: row k of `batch` is network k's
            for batch in map(np.stack, zip(*(batches(X.shape[0], batch_size, rng) for rng in rngs))):
                As, Zs, Fs = forward(X[batch])
                dZ = (softmax(Zs[-1]) - Y[batch]) / batch.shape[1]
                for l in reversed(range(n_layers)):
                    W = params[2 * l]
                    dW = np.matmul(np.swapaxes(As[l], 1, 2), dZ)
                    db = dZ.sum(axis=1, keepdims=True)
                    if l > 0:                   # back into hidden layer l − 1, whose output is As[l]
                        dA = np.matmul(dZ, np.swapaxes(W, 1, 2)) + (dA if skip[l] else 0)
                        dZ = dA * (f_prime(Fs[l - 1]) if f_prime else df(Zs[l - 1]))
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
        histograms = activation_histograms(net.hidden(X), bins)
    return norms, histograms


def gradient_survey(X, y, depths, activations, inits, width=30, bins=None, seed=0):
    """:func:`measure_network` for every (depth, activation, init), so a widget can look answers up.

    Returns
    -------
    dict (depth, activation, init) → (norms, histograms)
    """
    return {(depth, activation, init): measure_network(X, y, depth, activation, init, width, bins, seed)
            for depth in depths for activation in activations for init in inits}



def _stack_pass(X, weights, G, activation, scale=1.0):
    r"""Forward and backward through a stack without biases, the probe loss :math:`L = \sum G \odot h_D`.

    X : (K, N, n) inputs :math:`h_0`; weights : D arrays (K, n, n), :math:`W_1 \dots W_D`, each
    multiplied by ``scale`` (applied to the products, which are smaller than the weights);
    G : (K, N, n). Returns ``(zs, deltas)``: the pre-activations :math:`z_\ell = h_{\ell-1}W_\ell`
    and :math:`\delta_\ell = \partial L/\partial z_\ell`, each a list of D arrays (K, N, n), ℓ = 1 … D.
    """
    f, df = ACTIVATIONS[activation]
    zs, h = [], X
    for W in weights:
        zs.append(np.matmul(h, W) * scale)
        h = f(zs[-1])
    deltas, dh = [None] * len(weights), G                       # ∂L/∂h_D = G
    for l in reversed(range(len(weights))):
        deltas[l] = dh * df(zs[l])                              # δ_ℓ = ∂L/∂h_ℓ ⊙ f'(z_ℓ)
        dh = np.matmul(deltas[l], np.swapaxes(weights[l], 1, 2)) * scale   # ∂L/∂h_{ℓ−1} = δ_ℓ W_ℓᵀ
    return zs, deltas


@functools.lru_cache(maxsize=2)
def _standard_draws(seeds, depth, width, n_samples):
    """Each seed's inputs X (N, n), weights (D, n, n) and probe G (N, n), all N(0, 1), read-only;
    stacked over seeds. Cached: a widget asks for the same draws at many scales."""
    X, G = np.empty((2, len(seeds), n_samples, width))
    W = np.empty((len(seeds), depth, width, width))             # W[k, ℓ − 1]: seed k's W_ℓ
    for k, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        rng.standard_normal(out=X[k])
        rng.standard_normal(out=W[k])
        rng.standard_normal(out=G[k])
    for a in (X, W, G):
        a.flags.writeable = False
    return X, W, G


def variance_through_depth(activation, init="he", gain=1.0, depth=20, width=256, n_samples=32,
                           seeds=(0, 1, 2, 3, 4)):
    r"""The variance of the signal, forward and backward, layer by layer through a deep stack.

    The stack is the one of the Xavier and He derivations: D layers of width n, no biases,
    :math:`z_\ell = h_{\ell-1}W_\ell`, :math:`h_\ell = f(z_\ell)`, weights
    :math:`W_\ell \sim \mathcal N(0, s^2)` with ``s = gain · INITIALISATIONS[init](n, n)``,
    a batch of N inputs :math:`h_0 \sim \mathcal N(0, 1)`. The backward pass starts from a probe
    loss :math:`L = \sum G \odot h_D` with :math:`G \sim \mathcal N(0, 1)`, so that, like the
    inputs, the gradient arriving at the top has variance 1; it runs
    :math:`\delta_\ell = \partial L/\partial z_\ell = f'(z_\ell) \odot (\delta_{\ell+1} W_{\ell+1}^\top)`.

    The derivation predicts, for independent zero-mean weights,
    :math:`\operatorname{Var} z_{\ell+1} = n\,s^2\,E[h_\ell^2]` and
    :math:`\operatorname{Var}\delta_\ell = n\,s^2\,E[f'(z_\ell)^2]\operatorname{Var}\delta_{\ell+1}`:
    with ReLU (:math:`E[h^2] = \operatorname{Var} z / 2`) both stay constant for :math:`s^2 = 2/n`
    (He) and halve at every layer for :math:`s^2 = 1/n` (Xavier on square layers).

    Each seed draws its own inputs, weights and G (``np.random.default_rng(seed)``, the same
    draws for every activation, init and gain); the K seeds run side by side in the same numpy calls.

    Parameters
    ----------
    activation : str, a name of :data:`course_lib.activations.ACTIVATIONS`
    init : str, a name of :data:`course_lib.network.INITIALISATIONS` ("naive", "lecture", "xavier", "he")
    gain : float > 0, multiplies the rule's standard deviation (so :math:`s^2` by gain²)
    depth, width, n_samples : D, n and N
    seeds : sequence of K ints

    Returns
    -------
    dict with ``forward`` (K, D): :math:`\operatorname{Var} z_\ell`, estimated as the mean of
    :math:`z_\ell^2` over the N·n entries (z has mean 0 over the weights' draw), ℓ = 1 … D;
    ``backward`` (K, D): :math:`\operatorname{Var}\delta_\ell`, the mean of :math:`\delta_\ell^2`;
    and ``std``: s.
    """
    _check_activation(activation)
    if not isinstance(init, str) or init not in INITIALISATIONS:
        raise ValueError(f"init must be one of {sorted(INITIALISATIONS)}; got {init!r}")
    gain = as_number(gain, "gain", low=0, low_inclusive=False)
    depth = as_number(depth, "depth", low=1, integer=True)
    width = as_number(width, "width", low=1, integer=True)
    n_samples = as_number(n_samples, "n_samples", low=1, integer=True)
    seeds = as_seeds(seeds)
    std = gain * float(INITIALISATIONS[init](width, width))
    X, W, G = _standard_draws(tuple(seeds), depth, width, n_samples)
    with threadpool_limits(1):
        zs, deltas = _stack_pass(X, [W[:, l] for l in range(depth)], G, activation, scale=std)
    return {"forward": np.stack([np.mean(z ** 2, axis=(1, 2)) for z in zs], axis=1),
            "backward": np.stack([np.mean(d ** 2, axis=(1, 2)) for d in deltas], axis=1),
            "std": std}
