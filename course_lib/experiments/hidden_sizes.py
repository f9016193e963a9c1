r"""Chapter 02's experiment: lecture networks of several hidden sizes (and seeds), trained side by side.

**A side-by-side trainer**, kept for the chapter's time budget. :func:`train_hidden_sizes` takes
exactly the steps that the course's one training loop takes on each network alone,

.. code-block:: python

    net = MLP([2, h, 2], seed=seed)
    fit(net, X, y, SGD(net.params, lr=lr), epochs=epochs, l2=l2)     # full batch: an epoch is a pass

but for all K networks in the same numpy calls: the lecture's figure (seven hidden sizes, 20 000
passes each) takes about 40 s one network at a time and a few seconds side by side. It is not a
second way to train a network: only the order of the floating-point operations differs from
:func:`course_lib.training.fit`, and ``tests/test_hidden_sizes.py`` checks that the two agree
(to about 1e-10 over a few hundred passes) and that a network trains the same alone or beside others.
"""
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from .._validate import as_array, as_number, as_seeds, as_targets
from ..activations import sigmoid
from ..network import MLP

__all__ = ["train_hidden_sizes", "HiddenSizeRuns"]


@dataclass
class HiddenSizeRuns:
    """What :func:`train_hidden_sizes` returns.

    Attributes
    ----------
    hidden_sizes : list of int, one per network
    epochs : (T,) the epochs (passes) at which the losses were recorded, before that epoch's step
    losses : (T, K) the loss J (mean cross-entropy plus the L2 penalty) of each network at those epochs
    snapshots : dict epoch → list of K parameter lists [W1, b1, W2, b2] after that many epochs
    seeds : list of int, the seed of each network's initial weights
    """

    hidden_sizes: list
    epochs: np.ndarray
    losses: np.ndarray
    snapshots: dict = field(default_factory=dict)
    seeds: list = None

    def model(self, hidden_size, epoch=None, seed=None):
        """The network of this hidden size (and seed) as an :class:`MLP`, at a snapshot epoch (default: the last)."""
        seeds = self.seeds or [None] * len(self.hidden_sizes)
        matches = [k for k, (h, s) in enumerate(zip(self.hidden_sizes, seeds))
                   if h == hidden_size and (seed is None or s == seed)]
        if not matches:
            raise ValueError(f"hidden_size and seed must be those of a trained network, one of "
                             f"{list(zip(self.hidden_sizes, seeds))}; got {hidden_size!r} and seed {seed!r}")
        if len(matches) > 1:
            raise ValueError(f"{len(matches)} networks have hidden size {hidden_size}; name one with seed=, "
                             f"one of {[seeds[k] for k in matches]}")
        if epoch is None:
            epoch = max(self.snapshots)
        if epoch not in self.snapshots:
            raise ValueError(f"epoch must be one of the snapshot epochs {sorted(self.snapshots)}; got {epoch!r}")
        return MLP.from_params(self.snapshots[epoch][matches[0]], "tanh")


def train_hidden_sizes(X, y, hidden_sizes, epochs=20000, lr=2.0, l2=5e-5, snapshot_at=(), record_every=100,
                       seed=0, seeds=None, callback=None):
    r"""Train one lecture network [2, h, 2] per hidden size h by full-batch gradient descent, side by side.

    The K networks are independent, so gradient descent on the sum of their losses is gradient
    descent on each one. Their hidden units are laid side by side, :math:`H = \sum_k h_k` columns of
    one W1 (D, H); unit j belongs to network k(j) and keeps its own two output weights, a row of
    W2 (H, 2). A network's scores are then a **segment sum** over its own units,
    :math:`z_{ik} = \sum_{j:\,k(j)=k} a_{ij} W_{2,j} + b_{2,k}`, so no unit ever reaches another
    network, and one pass costs about as much as one pass of a network with H hidden units.

    With two classes only the difference of the scores matters, :math:`p_1 = \sigma(z_1 - z_0)`,
    and the output error of class 0 is minus that of class 1, :math:`g = (p_1 - y_1)/N`; so the
    forward pass sums :math:`a_{ij}\,(W_{2,j1} - W_{2,j0})` and the backward pass reuses g for both
    columns. :math:`\tanh t` is computed as :math:`1 - 2/(1 + e^{2t})` (numpy's ``tanh`` is several
    times slower than ``exp`` on CPUs without AVX-512). These change only rounding. BLAS runs
    single-threaded, which is faster for matrices this small. Each network starts exactly as
    ``MLP([2, h, 2], seed=seed)`` (the lecture's initialisation for seed 0).

    Parameters
    ----------
    X : (N, 2) inputs; y : (N,) labels 0/1
    hidden_sizes : list of int, one network per entry (a size may repeat, with ``seeds``)
    epochs : int, passes over the data (one step each)
    lr, l2 : the step η and the L2 penalty λ₂ of :func:`course_lib.training.fit` (see
        :func:`course_lib.network.lecture_settings` for the lecture's ε and λ)
    snapshot_at : iterable of int
        Epochs after which to keep a copy of every network's parameters (0 = before training);
        ``epochs`` is always kept.
    record_every : record the losses before every ``record_every``-th step (and at epoch 0)
    seed : the seed of every network's initial weights, unless
    seeds : list of int, one per network, to train the same hidden size from several initialisations
        side by side (``hidden_sizes=[3, 3, 3], seeds=[0, 1, 2]``)
    callback : callable, optional
        ``callback(epoch, losses)`` at every record (losses: one per network), e.g. to show progress.

    Returns
    -------
    HiddenSizeRuns
    """
    if not isinstance(hidden_sizes, (list, tuple, np.ndarray)):
        raise TypeError(f"hidden_sizes must be a list of ints; got {type(hidden_sizes).__name__}")
    if not isinstance(snapshot_at, (list, tuple, set, range, np.ndarray)):
        raise TypeError(f"snapshot_at must be a list of epochs; got {type(snapshot_at).__name__}")
    sizes = [as_number(h, f"hidden_sizes[{i}]", low=1, integer=True) for i, h in enumerate(hidden_sizes)]
    if not sizes:
        raise ValueError("hidden_sizes must list at least one hidden size; got an empty list")
    X = as_array(X, "X", ndim=2)
    n, d = X.shape
    Y1 = as_targets(y, n, 2, "y")[:, 1:]                          # (N, 1): 1 where the class is 1
    epochs = as_number(epochs, "epochs", low=0, integer=True)
    lr = as_number(lr, "lr", low=0)
    l2 = as_number(l2, "l2", low=0)
    record_every = as_number(record_every, "record_every", low=1, integer=True)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function (epoch, losses); got {type(callback).__name__}")
    snapshot_at = {as_number(s, "snapshot_at", low=0, high=epochs, integer=True) for s in snapshot_at}
    if seeds is None:
        seeds = [as_number(seed, "seed", low=0, integer=True)] * len(sizes)
    else:
        seeds = as_seeds(seeds)
        if len(seeds) != len(sizes):
            raise ValueError(f"seeds must list one seed per hidden size ({len(sizes)}); got {seeds}")
    snapshot_at.add(epochs)

    K, H = len(sizes), sum(sizes)
    starts = np.cumsum([0] + sizes)
    units = [slice(starts[k], starts[k + 1]) for k in range(K)]       # network k's hidden units
    network_of = np.repeat(np.arange(K), sizes)                        # k(j) for every unit j
    nets = [MLP([d, h, 2], "tanh", s) for h, s in zip(sizes, seeds)]
    W1 = np.concatenate([net.params[0] for net in nets], axis=1)       # (D, H)
    b1 = np.concatenate([net.params[1] for net in nets], axis=1)       # (1, H)
    W2 = np.concatenate([net.params[2] for net in nets], axis=0)       # (H, 2)
    b2 = np.concatenate([net.params[3] for net in nets], axis=0)       # (K, 2)

    def unstack():
        return [[W1[:, u].copy(), b1[:, u].copy(), W2[u].copy(), b2[k:k + 1].copy()] for k, u in enumerate(units)]

    def losses_now(p1):
        p_true = np.where(Y1 == 1, p1, 1.0 - p1)
        data = -np.log(np.maximum(p_true, 1e-300)).mean(axis=0)
        penalty = [0.5 * l2 * (np.sum(W1[:, u] ** 2) + np.sum(W2[u] ** 2)) for u in units]
        return data + np.array(penalty)

    recorded, losses, snapshots = [], [], {}
    a1, tmp = np.empty((n, H)), np.empty((n, H))
    with threadpool_limits(1), np.errstate(over="ignore"):          # exp(2t) = inf gives tanh t = 1 exactly
        for i in range(epochs + 1):
            if i in snapshot_at:
                snapshots[i] = unstack()
            if i == epochs:
                break
            # forward: a1 = tanh(X W1 + b1), computed as 1 - 2 / (1 + exp(2 t))
            np.matmul(X, W1, out=tmp)
            tmp += b1
            np.multiply(tmp, 2.0, out=a1)
            np.exp(a1, out=a1)
            a1 += 1.0
            np.divide(-2.0, a1, out=a1)
            a1 += 1.0
            # z1 - z0 of every network: a segment sum over its own units
            v = W2[:, 1] - W2[:, 0]
            np.multiply(a1, v, out=tmp)
            p1 = sigmoid(np.add.reduceat(tmp, starts[:-1], axis=1) + (b2[:, 1] - b2[:, 0]))   # (N, K)
            if i % record_every == 0:
                recorded.append(i)
                losses.append(losses_now(p1))
                if callback is not None:
                    callback(i, losses[-1])
            # backward: ∂J/∂z1 = g = (p1 - y1)/N and ∂J/∂z0 = -g, for the mean loss
            g = (p1 - Y1) / n                                          # (N, K)
            G = g[:, network_of]                                       # (N, H): each unit's network's g
            s = np.einsum("ij,ij->j", a1, G)                           # Σ_i a1 · g, per unit
            dW2 = np.stack([-s, s], axis=1) + l2 * W2
            db2 = g.sum(axis=0)
            np.multiply(G, v, out=G)                                   # ∂J/∂a1 = g · (W2[:, 1] - W2[:, 0])
            np.multiply(a1, a1, out=tmp)
            np.subtract(1.0, tmp, out=tmp)
            G *= tmp                                                   # ∂J/∂(X W1 + b1)
            dW1 = X.T @ G + l2 * W1
            db1 = G.sum(axis=0, keepdims=True)
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2[:, 0] += lr * db2
            b2[:, 1] -= lr * db2
    return HiddenSizeRuns(sizes, np.array(recorded), np.array(losses).reshape(len(recorded), K), snapshots, seeds)
