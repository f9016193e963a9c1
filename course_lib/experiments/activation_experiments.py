r"""The experiments of chapter 03: many small networks trained side by side, dead units, zig-zags.

:func:`train_side_by_side` is a side-by-side trainer, there for the chapter's time budget: it
trains K copies of the same architecture — each with its own seed and learning rate — by
full-batch gradient descent on the mean cross-entropy, all in the same numpy calls: the weights
of layer ℓ are stacked into one (K, fan-in, fan-out) array and every matrix product is a batched
``matmul``. Each network starts as ``MLP(layer_sizes, activation, seed=seed, init=init)`` and
takes the steps ``fit(net, X, y, SGD(net.params, lr), epochs=num_passes)`` takes
(``tests/test_activation_experiments.py`` checks it); training K networks costs about as much
as training one, because the arrays are small and numpy's per-call overhead dominates. ``activation="maxout"`` trains maxout networks the same way: each hidden unit has
``pieces`` affine pieces and outputs the largest.

:func:`activation_race` uses it to compare activations fairly: each one at the learning rate of a
small grid that suits it best, over several seeds, and reports the spread.

:func:`dead_unit_fraction` counts the hidden ReLU units that output 0 for every training input
(their incoming weights then receive no gradient from any sample: they are dead).

:func:`descent_path` runs gradient descent on one linear neuron with two weights, to show the
zig-zag that inputs of one sign (such as sigmoid outputs) force on the updates.
"""
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from .._validate import as_array, as_number, as_targets
from ..activations import ACTIVATIONS
from ..losses import log_softmax
from ..network import INITIALISATIONS, MLP

__all__ = ["SideBySideRuns", "train_side_by_side", "dead_unit_fraction", "descent_path", "RaceResult",
           "activation_race"]

# f′ from the output a = f(z), where that saves evaluating the exponentials again (as the Sigmoid and
# Tanh nodes of course_lib.layers do); the other activations use their _derivative on z. The side-by-side
# trainers of this module and of deep_nets use it.
DERIVATIVE_FROM_OUTPUT = {"sigmoid": lambda a: a * (1.0 - a), "tanh": lambda a: 1.0 - a * a}
HIDDEN_ACTIVATIONS = sorted(ACTIVATIONS) + ["maxout"]      # what train_side_by_side accepts


def _finite(a):
    """``a`` itself, or with inf/NaN replaced by finite numbers (only a diverged network has them)."""
    return a if np.isfinite(a).all() else np.nan_to_num(a)


def _as_list(values, name, integer=False, low=None):
    """A scalar or a sequence of numbers as a list of checked numbers."""
    if isinstance(values, (list, tuple, range, np.ndarray)):
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
        (for maxout, a hidden layer's arrays have D_ℓ₊₁ · pieces columns)
    pieces : int, the affine pieces per maxout unit (1 for the element-wise activations)
    """

    activation: str
    layer_sizes: list
    lrs: np.ndarray
    seeds: np.ndarray
    steps: np.ndarray
    losses: np.ndarray
    params: list
    pieces: int = 1

    def model(self, k):
        """Network number k (0 ≤ k < K) as an :class:`~course_lib.network.MLP` (not for maxout)."""
        if self.activation == "maxout":
            raise ValueError("model(k) builds an MLP, which has element-wise activations only; "
                             "a maxout network's weights are in params")
        k = as_number(k, "k", low=0, high=len(self.lrs) - 1, integer=True)
        return MLP.from_params([p[k] for p in self.params], self.activation)


def _check_sizes(layer_sizes):
    if not isinstance(layer_sizes, (list, tuple)) or len(layer_sizes) < 2:
        raise TypeError(f"layer_sizes must be a list of at least two ints, e.g. [2, 16, 2]; got {layer_sizes!r}")
    return [as_number(s, f"layer_sizes[{i}]", low=1, integer=True) for i, s in enumerate(layer_sizes)]


def _initial_params(sizes, activation, seed, init, pieces):
    """[W1, b1, ...] of one network: ``MLP(...).params``; for maxout (which MLP does not build), W drawn
    in the same order with the same standard deviation (:data:`~course_lib.network.INITIALISATIONS`,
    fan-out in units), each hidden layer with ``pieces`` × its units' columns."""
    if activation != "maxout":
        return MLP(sizes, activation, seed=seed, init=init).params
    rng, params = np.random.RandomState(seed), []
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        columns = fan_out * pieces if l < len(sizes) - 2 else fan_out
        params += [rng.randn(fan_in, columns) * INITIALISATIONS[init](fan_in, fan_out), np.zeros((1, columns))]
    return params


def _maxout_stacked(Z, pieces):
    r"""Maxout on stacked pre-activations: (K, N, units·pieces) → (K, N, units), :math:`h_i = \max_j z_{ij}`.

    The same function as :func:`course_lib.activations.maxout` (the tests check it), written for speed:
    piece j of every unit is the strided slice ``Z[..., j::pieces]``, and ``pieces − 1`` element-wise
    maxima replace a reduction over a tiny last axis, which numpy does slowly.
    """
    h = Z[..., 0::pieces]
    for j in range(1, pieces):
        h = np.maximum(h, Z[..., j::pieces])
    return h


def _maxout_stacked_backward(Z, pieces, h, dh):
    """∂L/∂Z through :func:`_maxout_stacked`: each unit's ∂L/∂h goes to its winning piece (the first, on a tie),
    as :func:`course_lib.activations.maxout_backward`."""
    dZ = np.empty_like(Z)                         # every column is written below
    unclaimed = np.ones(h.shape, dtype=bool)
    for j in range(pieces):
        wins = unclaimed & (Z[..., j::pieces] == h)
        dZ[..., j::pieces] = dh * wins
        unclaimed &= ~wins
    return dZ


def train_side_by_side(X, y, layer_sizes, activation="relu", lrs=1.0, seeds=0, num_passes=1000,
                       init="xavier", record_every=10, pieces=2):
    r"""Train K networks of the same shape side by side by full-batch gradient descent.

    Each network k minimises the mean cross-entropy :math:`L_k = -\frac{1}{N}\sum_i \log p_{i, y_i}`
    (no regularisation) with :math:`\theta_k \leftarrow \theta_k - \eta_k \nabla L_k`.

    Parameters
    ----------
    X : (N, D) array; y : (N,) class indices
    layer_sizes : list of int, [D, hidden..., classes]
    activation : str
        A name of :data:`course_lib.activations.ACTIVATIONS` (default parameters), or "maxout":
        hidden unit i computes ``pieces`` affine pieces :math:`z_{ij}` and outputs
        :math:`h_i = \max_j z_{ij}`, so a hidden layer of U units has U·pieces columns of weights.
    lrs, seeds : number or sequence
        The learning rate and the initialisation seed of each network; a scalar is repeated,
        sequences must have the same length K.
    num_passes : int
    init : {"lecture", "naive", "xavier", "he"}, as in :class:`~course_lib.network.MLP`
        (for maxout the standard deviation uses the fan-out in units, not in pieces)
    record_every : int
        Losses are recorded at passes 0, record_every, 2·record_every, ...
    pieces : int
        Affine pieces per maxout unit (used only when ``activation="maxout"``).

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
    if not isinstance(activation, str) or activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"activation must be one of {HIDDEN_ACTIVATIONS}; got {activation!r}")
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
    pieces = as_number(pieces, "pieces", low=1, integer=True) if activation == "maxout" else 1

    nets = [_initial_params(sizes, activation, int(s), init, pieces) for s in seeds]
    params = [np.stack([net[i] for net in nets]) for i in range(len(nets[0]))]
    if activation == "maxout":
        f = lambda Z: _maxout_stacked(Z, pieces)                                  # noqa: E731
        backward = lambda Z, A, dA: _maxout_stacked_backward(Z, pieces, A, dA)     # noqa: E731
    elif activation in DERIVATIVE_FROM_OUTPUT:
        f = ACTIVATIONS[activation][0]
        backward = lambda Z, A, dA: dA * DERIVATIVE_FROM_OUTPUT[activation](A)    # noqa: E731
    else:
        f, df = ACTIVATIONS[activation]
        backward = lambda Z, A, dA: dA * df(Z)                                    # noqa: E731
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
                if l < L - 1:
                    Z = _finite(Z)
                    A = f(Z)
                    As.append(A)
                Zs.append(Z)
            logits = Zs[-1]
            diverged |= ~np.isfinite(logits).all(axis=(1, 2))
            log_p = log_softmax(_finite(logits))
            loss = -(Y * log_p).sum(axis=(1, 2)) / n      # the mean cross-entropy of each network
            diverged |= ~np.isfinite(loss)
            loss[diverged] = np.nan
            eta[diverged] = 0.0                     # a diverged network stays where it is
            if i % record_every == 0:
                steps.append(i)
                losses.append(loss)
            # backward: dZ_L = (p − y)/N, then dW_ℓ = A_{ℓ-1}ᵀ dZ_ℓ, dA_{ℓ-1} = dZ_ℓ W_ℓᵀ, dZ = dA ⊙ f′(Z)
            # (for maxout, dZ routes dA to the winning piece of each unit)
            dZ = _finite((np.exp(log_p) - Y) / n)
            for l in reversed(range(L)):
                W, b = params[2 * l], params[2 * l + 1]
                dW = np.matmul(np.swapaxes(As[l], -1, -2), dZ)
                db = dZ.sum(axis=1, keepdims=True)
                if l > 0:
                    dZ = _finite(backward(Zs[l - 1], As[l], np.matmul(dZ, np.swapaxes(W, 1, 2))))
                W -= eta * _finite(dW)
                b -= eta * _finite(db)
    return SideBySideRuns(activation, sizes, lrs, seeds, np.array(steps), np.array(losses).reshape(len(steps), K),
                          params, pieces)


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
    if runs.activation == "maxout":
        raise ValueError("dead_unit_fraction counts units of an element-wise activation; a maxout unit has "
                         "no single pre-activation (use the runs of another activation)")
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



@dataclass
class RaceResult:
    """What :func:`activation_race` returns: for each activation, its learning rates × S seeds.

    Attributes
    ----------
    inits : dict, activation name → the initialisation it was trained with
    lrs : dict, activation name → (R,) increasing array of the rates it was trained at
    seeds : (S,) array, the same for every activation
    steps : (T,) passes at which the losses were recorded
    losses : dict, activation name → (T, R, S) training loss; NaN once a network has diverged
    """

    inits: dict
    lrs: dict
    seeds: np.ndarray
    steps: np.ndarray
    losses: dict

    def _name(self, name):
        if name not in self.losses:
            raise ValueError(f"name must be one of {list(self.losses)}; got {name!r}")
        return name

    def score(self, name):
        """(R, S) the mean of the recorded training losses of each run — the area under its loss
        curve divided by its length, so lower means it got low sooner; inf for a run that diverged."""
        mean = self.losses[self._name(name)].mean(axis=0)
        return np.where(np.isfinite(mean), mean, np.inf)

    def best_lr_index(self, name):
        """Index into ``lrs[name]`` of the rate with the lowest score averaged over the seeds."""
        return int(np.argmin(self.score(name).mean(axis=1)))

    def best_lr(self, name):
        """The learning rate that suits ``name`` best (see :meth:`best_lr_index`)."""
        return float(self.lrs[self._name(name)][self.best_lr_index(name)])

    def at_best(self, name):
        """(T, S) loss curves of every seed at the best rate."""
        return self.losses[self._name(name)][:, self.best_lr_index(name), :]


def activation_race(X, y, layer_sizes, inits, lrs, seeds, num_passes=300, record_every=5, pieces=2, callback=None):
    r"""Train the same network with each activation, fairly: at every rate of a grid and every seed,
    so that each activation can be compared at the rate that suits it best.

    For each activation, :func:`train_side_by_side` trains the R·S networks (rate, seed) in one
    call, from the initialisation given for it (He for the ReLU family, Xavier for sigmoid and
    tanh, ...). :meth:`RaceResult.best_lr` picks, per activation, the rate whose training loss,
    averaged over the run and over the seeds, is lowest. If that is the largest (smallest) rate
    of the grid, the activation is also trained one grid step beyond it, once, so that a best
    rate at the edge is not merely where the grid stopped.

    Parameters
    ----------
    X : (N, D) array; y : (N,) class indices
    layer_sizes : list of int, [D, hidden..., classes] (hidden sizes in units, also for maxout)
    inits : dict, activation name → init, e.g. ``{"relu": "he", "tanh": "xavier"}``
    lrs : increasing sequence of at least 2 learning rates, the grid (best evenly spaced in log)
    seeds : sequence of S seeds, the same for every activation
    num_passes, record_every, pieces : as in :func:`train_side_by_side`
    callback : function ``callback(name)`` or None, called when an activation has been trained (to show progress)

    Returns
    -------
    RaceResult
    """
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(name) or None; got {type(callback).__name__}")
    if not isinstance(inits, dict) or not inits:
        raise TypeError(f"inits must be a non-empty dict activation → initialisation, e.g. "
                        f"{{'relu': 'he'}}; got {inits!r:.80}")
    grid = np.array(_as_list(lrs, "lrs", low=0), dtype=float)
    if len(grid) < 2 or np.any(np.diff(grid) <= 0) or grid[0] <= 0:
        raise ValueError(f"lrs must be at least 2 increasing positive rates; got {grid.tolist()}")
    seeds = np.array(_as_list(seeds, "seeds", integer=True, low=0), dtype=int)

    def train(name, rates):
        runs = train_side_by_side(X, y, layer_sizes, name, lrs=np.repeat(rates, len(seeds)),
                                  seeds=np.tile(seeds, len(rates)), num_passes=num_passes, init=inits[name],
                                  record_every=record_every, pieces=pieces)
        return runs.steps, runs.losses.reshape(len(runs.steps), len(rates), len(seeds))

    rates, losses = {}, {}
    for name in inits:
        steps, losses[name] = train(name, grid)
        rates[name] = grid
        race = RaceResult(inits, rates, seeds, steps, losses)
        best = race.best_lr_index(name)
        if best in (0, len(grid) - 1):                # one step beyond the edge of the grid
            beyond = grid[0] ** 2 / grid[1] if best == 0 else grid[-1] ** 2 / grid[-2]
            _, extra = train(name, [beyond])
            rates[name] = np.append(grid, beyond) if best else np.insert(grid, 0, beyond)
            losses[name] = np.concatenate([losses[name], extra] if best else [extra, losses[name]], axis=1)
        if callback is not None:
            callback(name)
    return RaceResult(dict(inits), rates, seeds, steps, losses)
