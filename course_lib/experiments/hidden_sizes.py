r"""Chapter 02's experiment: lecture networks of several hidden sizes (and seeds), trained side by side.

A side-by-side trainer, kept for the chapter's time budget: :func:`train_hidden_sizes` takes exactly
the steps of full-batch gradient descent (:func:`course_lib.training.fit` with ``SGD``) on each
network, all in the same numpy calls (``tests/test_hidden_sizes.py`` checks that they agree).
"""
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from .._validate import as_array, as_number, as_seeds, as_targets
from ..network import MLP

__all__ = ["train_hidden_sizes", "HiddenSizeRuns"]


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
