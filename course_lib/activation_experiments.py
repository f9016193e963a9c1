r"""The experiments of chapter 03: many small networks trained side by side, dead units, zig-zags.

:func:`train_side_by_side` trains K copies of the same architecture — each with its own seed and
learning rate — by full-batch gradient descent on the mean cross-entropy, all in the same numpy
calls: the weights of layer ℓ are stacked into one (K, fan-in, fan-out) array and every matrix
product is a batched ``matmul``. Each network is initialised exactly like
``MLP(layer_sizes, activation, seed=seed, init=init)`` and follows the same updates as
``MLP.train`` (``tests/test_activation_experiments.py`` checks it); training K networks costs
about as much as training one, because the arrays are small and numpy's per-call overhead
dominates.

:func:`dead_unit_fraction` counts the hidden ReLU units that output 0 for every training input
(their incoming weights then receive no gradient from any sample: they are dead).

:func:`descent_path` runs gradient descent on one linear neuron with two weights, to show the
zig-zag that inputs of one sign (such as sigmoid outputs) force on the updates.
"""
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from ._validate import as_array, as_number, as_targets
from .activations import ACTIVATIONS
from .network import INITIALISATIONS, MLP

__all__ = ["SideBySideRuns", "train_side_by_side", "dead_unit_fraction", "descent_path"]

# f′ from the output a = f(z), where that saves evaluating the exponentials again (as the Sigmoid and
# Tanh nodes of course_lib.layers do); the other activations use their _derivative on z.
DERIVATIVE_FROM_OUTPUT = {"sigmoid": lambda a: a * (1.0 - a), "tanh": lambda a: 1.0 - a * a}


def _finite(a):
    """``a`` itself, or with inf/NaN replaced by finite numbers (only a diverged network has them)."""
    return a if np.isfinite(a).all() else np.nan_to_num(a)


def _as_list(values, name, integer=False, low=None):
    """A scalar or a sequence of numbers as a list of checked numbers."""
    if isinstance(values, (list, tuple, np.ndarray)):
        if len(values) == 0:
            raise ValueError(f"{name} must hold at least one value; got an empty sequence")
        return [as_number(v, f"{name}[{i}]", integer=integer, low=low) for i, v in enumerate(values)]
    return [as_number(values, name, integer=integer, low=low)]


@dataclass
class SideBySideRuns:
    """What :func:`train_side_by_side` returns.

    Attributes
    ----------
    activation : str
    layer_sizes : list of int
    lrs, seeds : (K,) arrays, the learning rate and the seed of each network
    steps : (T,) passes at which the losses were recorded (before that pass's update)
    losses : (T, K) mean cross-entropy of each network; NaN once a network has diverged
    params : list [W1, b1, W2, b2, ...] of stacked arrays, shapes (K, D_ℓ, D_ℓ₊₁) and (K, 1, D_ℓ₊₁)
    """

    activation: str
    layer_sizes: list
    lrs: np.ndarray
    seeds: np.ndarray
    steps: np.ndarray
    losses: np.ndarray
    params: list

    def model(self, k):
        """Network number k (0 ≤ k < K) as an :class:`~course_lib.network.MLP`."""
        k = as_number(k, "k", low=0, high=len(self.lrs) - 1, integer=True)
        return MLP.from_params([p[k] for p in self.params], self.activation)


def _check_sizes(layer_sizes):
    if not isinstance(layer_sizes, (list, tuple)) or len(layer_sizes) < 2:
        raise TypeError(f"layer_sizes must be a list of at least two ints, e.g. [2, 16, 2]; got {layer_sizes!r}")
    return [as_number(s, f"layer_sizes[{i}]", low=1, integer=True) for i, s in enumerate(layer_sizes)]


def train_side_by_side(X, y, layer_sizes, activation="relu", lrs=1.0, seeds=0, num_passes=1000,
                       init="xavier", record_every=10):
    r"""Train K networks of the same shape side by side by full-batch gradient descent.

    Each network k minimises the mean cross-entropy :math:`L_k = -\frac{1}{N}\sum_i \log p_{i, y_i}`
    (no regularisation) with :math:`\theta_k \leftarrow \theta_k - \eta_k \nabla L_k`.

    Parameters
    ----------
    X : (N, D) array; y : (N,) class indices
    layer_sizes : list of int, [D, hidden..., classes]
    activation : str, a name of :data:`course_lib.activations.ACTIVATIONS` (default parameters)
    lrs, seeds : number or sequence
        The learning rate and the initialisation seed of each network; a scalar is repeated,
        sequences must have the same length K.
    num_passes : int
    init : {"lecture", "naive", "xavier", "he"}, as in :class:`~course_lib.network.MLP`
    record_every : int
        Losses are recorded at passes 0, record_every, 2·record_every, ...

    A network whose loss stops being finite is frozen and its losses are NaN from then on.

    Returns
    -------
    SideBySideRuns
    """
    X = as_array(X, "X", ndim=2)
    sizes = _check_sizes(layer_sizes)
    if X.shape[1] != sizes[0]:
        raise ValueError(f"X must have {sizes[0]} columns (layer_sizes[0]); got shape {X.shape}")
    n = X.shape[0]
    Y = as_targets(y, n, sizes[-1], "y")
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}")
    if not isinstance(init, str) or init not in INITIALISATIONS:
        raise ValueError(f"init must be one of {sorted(INITIALISATIONS)}; got {init!r}")
    lrs = _as_list(lrs, "lrs", low=0)
    seeds = _as_list(seeds, "seeds", integer=True, low=0)
    if len(lrs) > 1 and len(seeds) > 1 and len(lrs) != len(seeds):
        raise ValueError(f"lrs and seeds must have the same length (or one be a scalar); got {len(lrs)} and {len(seeds)}")
    K = max(len(lrs), len(seeds))
    lrs, seeds = np.broadcast_to(lrs, K).astype(float), np.broadcast_to(seeds, K).astype(int)
    num_passes = as_number(num_passes, "num_passes", low=0, integer=True)
    record_every = as_number(record_every, "record_every", low=1, integer=True)

    nets = [MLP(sizes, activation, seed=int(s), init=init) for s in seeds]
    params = [np.stack([net.params[i] for net in nets]) for i in range(len(nets[0].params))]
    f, df = ACTIVATIONS[activation]
    L = len(params) // 2
    eta = lrs.reshape(K, 1, 1).copy()
    diverged = np.zeros(K, dtype=bool)
    steps, losses = [], []
    with threadpool_limits(1), np.errstate(over="ignore", invalid="ignore"):
        for i in range(num_passes):
            # forward: Z_ℓ = A_{ℓ-1} W_ℓ + b_ℓ, A_ℓ = f(Z_ℓ); the last Z is the logits
            A, Zs, As = X, [], [X]
            for l in range(L):
                Z = np.matmul(A, params[2 * l]) + params[2 * l + 1]
                Zs.append(Z)
                if l < L - 1:
                    A = f(_finite(Z))
                    As.append(A)
            logits = Zs[-1]
            shifted = logits - logits.max(axis=2, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
            loss = -(Y * log_p).sum(axis=(1, 2)) / n
            diverged |= ~np.isfinite(loss)
            loss[diverged] = np.nan
            eta[diverged] = 0.0                     # a diverged network stays where it is
            if i % record_every == 0:
                steps.append(i)
                losses.append(loss)
            # backward: dZ_L = (p − y)/N, then dW_ℓ = A_{ℓ-1}ᵀ dZ_ℓ, dA_{ℓ-1} = dZ_ℓ W_ℓᵀ, dZ = dA ⊙ f′(Z)
            dZ = _finite((np.exp(log_p) - Y) / n)
            for l in reversed(range(L)):
                W, b = params[2 * l], params[2 * l + 1]
                dW = np.matmul(np.swapaxes(As[l], -1, -2), dZ)
                db = dZ.sum(axis=1, keepdims=True)
                if l > 0:
                    local = (DERIVATIVE_FROM_OUTPUT[activation](As[l]) if activation in DERIVATIVE_FROM_OUTPUT
                             else df(_finite(Zs[l - 1])))
                    dZ = np.matmul(dZ, np.swapaxes(W, 1, 2)) * local
                W -= eta * _finite(dW)
                b -= eta * _finite(db)
    return SideBySideRuns(activation, sizes, lrs, seeds, np.array(steps), np.array(losses).reshape(len(steps), K),
                          params)


def dead_unit_fraction(runs, X):
    r"""For each network of ``runs``, the fraction of its hidden units that are dead on X.

    A unit is dead when its pre-activation :math:`z = a W + b` is ≤ 0 for **every** row of X: a
    ReLU then outputs 0 and has derivative 0 on every sample, so no sample sends a gradient to
    its incoming weights. (For other activations this counts units in their negative range
    everywhere; for leaky ReLU, ELU and the like such units still learn.)

    Parameters
    ----------
    runs : SideBySideRuns
    X : (N, D) array, usually the training inputs

    Returns
    -------
    (K,) array of fractions in [0, 1]; NaN for a diverged network.
    """
    if not isinstance(runs, SideBySideRuns):
        raise TypeError(f"runs must be what train_side_by_side returns; got {type(runs).__name__}")
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != runs.layer_sizes[0]:
        raise ValueError(f"X must have {runs.layer_sizes[0]} columns; got shape {X.shape}")
    f, _ = ACTIVATIONS[runs.activation]
    L = len(runs.params) // 2
    A, dead, total = X, 0, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(L - 1):
            Z = np.matmul(A, runs.params[2 * l]) + runs.params[2 * l + 1]
            dead = dead + np.all(Z <= 0, axis=1).sum(axis=1)
            total += Z.shape[2]
            A = f(np.nan_to_num(Z))
    fraction = dead / total
    diverged = ~np.all(np.isfinite(runs.losses[-1:]), axis=0) if len(runs.losses) else np.zeros(len(runs.lrs), bool)
    return np.where(diverged, np.nan, fraction)


def descent_path(inputs, targets, w0, lr, num_steps, batch_size=1):
    r"""Gradient descent on one linear neuron :math:`\hat t = w^\top x` with the squared error.

    The loss of a batch B is :math:`L = \frac{1}{2|B|}\sum_{i \in B} (w^\top x_i - t_i)^2`, and its
    gradient :math:`\frac{1}{|B|}\sum_i (w^\top x_i - t_i)\,x_i`. With ``batch_size=1`` one sample's
    gradient is the residual times :math:`x_i`: when every input is positive (sigmoid outputs),
    all components of that gradient have the residual's sign, and the step can only go towards
    (+, +, …) or (−, −, …).

    Parameters
    ----------
    inputs : (N, D) array; targets : (N,) array
    w0 : (D,) array, the starting weights
    lr : float, the step size
    num_steps : int
    batch_size : int
        Samples per step, taken in order and cycling through the data (1 = one sample a step;
        N = full-batch gradient descent).

    Returns
    -------
    path : (num_steps + 1, D) array of weights, path[0] = w0
    steps : (num_steps, D) array of the updates w_{t+1} − w_t
    """
    inputs = as_array(inputs, "inputs", ndim=2)
    n, d = inputs.shape
    targets = as_array(targets, "targets", ndim=1)
    if targets.shape[0] != n:
        raise ValueError(f"targets must have one entry per row of inputs ({n}); got {targets.shape[0]}")
    w = as_array(w0, "w0", ndim=1).copy()
    if w.shape[0] != d:
        raise ValueError(f"w0 must have {d} entries, one per input column; got {w.shape[0]}")
    lr = as_number(lr, "lr", low=0)
    num_steps = as_number(num_steps, "num_steps", low=0, integer=True)
    batch_size = as_number(batch_size, "batch_size", low=1, high=n, integer=True)
    path = [w.copy()]
    for t in range(num_steps):
        rows = (np.arange(batch_size) + t * batch_size) % n
        x, target = inputs[rows], targets[rows]
        w = w - lr * (x.T @ (x @ w - target)) / batch_size
        path.append(w.copy())
    path = np.array(path)
    return path, np.diff(path, axis=0)
