r"""Chapter 05's training experiments: many networks side by side, range-test steps, snapshot ensembles.

The chapter trains with :func:`course_lib.training.fit` and plain mini-batch SGD (no momentum:
chapter 07 is about optimizers, this chapter is about the rate), the rate of step t given by a
schedule of :mod:`course_lib.schedules`. Copies of the parameters kept after chosen steps
(``fit(..., snapshot_at=...)``), taken at the ends of the cycles of a warm-restart schedule, are the
members of a **snapshot ensemble** (Huang et al., "Snapshot Ensembles: Train 1, get M for free",
ICLR 2017), whose prediction is the mean of the members' predicted probabilities
(:func:`ensemble_proba`).

:func:`train_side_by_side` is a **side-by-side trainer**: it runs that same ``fit`` for K networks
(one per seed, or per schedule) in the same numpy calls, so that a comparison can be repeated over
seeds within the chapter's time budget. ``tests/test_lr_training.py`` checks that each of its
networks equals ``fit`` on that network alone.

:func:`range_test_step` turns a network and a data set into the ``train_step(lr)`` that
:func:`course_lib.schedules.lr_range_test` needs: one mini-batch per call.
"""
from dataclasses import dataclass, field

import numpy as np

from .._validate import as_array, as_number, as_seeds, as_targets
from ..activations import ACTIVATIONS
from ..losses import log_softmax
from ..network import MLP
from ..optim import SGD
from ..training import BLOWN_UP, batches

__all__ = ["train_side_by_side", "SideBySideRuns", "train_over_seeds", "range_test_step", "ensemble_proba"]


def _check_net(net):
    for name in ("params", "grads", "gradients", "predict_proba", "flat_params", "set_flat_params"):
        if not hasattr(net, name):
            raise TypeError(f"net must be a course Network such as MLP(...) (it has no `{name}`); "
                            f"got {type(net).__name__}")
    return net


def _endless_batches(n, batch_size, rng):
    """The mini-batches of :func:`course_lib.training.batches`, epoch after epoch (as ``fit`` draws them)."""
    while True:
        yield from batches(n, batch_size, rng)


@dataclass
class SideBySideRuns:
    """What :func:`train_side_by_side` returns: K runs, network k in row k.

    Attributes
    ----------
    nets : list of K trained :class:`~course_lib.network.MLP`
    lr : (K, T) the rate each network used at each step (``History.lr`` of each)
    step_loss : (K, T) each network's mini-batch loss at each step, before its update
        (``History.step_loss``); NaN after the step at which it diverged
    snapshots : dict step → list of K flat parameter vectors θ after that many steps (a network
        that diverged keeps the parameters it stopped with)
    diverged : (K,) bool, True where a loss or gradient stopped being finite (that network stopped
        there, before the update) or an update took a weight past ``training.BLOWN_UP`` (stopped
        after it), as ``fit`` stops
    """

    nets: list
    lr: np.ndarray
    step_loss: np.ndarray
    snapshots: dict = field(default_factory=dict)
    diverged: np.ndarray = None

    def rows(self, start, stop):
        """The runs of networks start … stop − 1, as a SideBySideRuns of their own."""
        part = slice(start, stop)
        return SideBySideRuns(self.nets[part], self.lr[part], self.step_loss[part],
                              {step: thetas[part] for step, thetas in self.snapshots.items()}, self.diverged[part])


def train_side_by_side(layer_sizes, X, y, schedule, steps, seeds, activation="relu", init="he", batch_size=32,
                       l2=0.0, snapshot_at=()):
    r"""A side-by-side trainer: K networks trained by ``fit``'s mini-batch SGD in the same numpy calls.

    Network k is ``net = MLP(layer_sizes, activation, seed=seeds[k], init=init)`` trained as ::

        fit(net, X, y, SGD(net.params, lr=...), steps=steps, batch_size=batch_size,
            schedule=schedule[k], l2=l2, snapshot_at=snapshot_at, seed=seeds[k])

    The K networks share nothing: each has its own initial weights, its own order of mini-batches
    (both from its seed; every epoch a fresh permutation, the last smaller batch kept) and its own
    schedule. Their weights are stacked into (K, D, M) arrays and one batched matrix product per
    layer does the work of K, so K = 20 networks cost a few times one network, not twenty. The
    results equal K separate ``fit`` runs up to rounding (``tests/test_lr_training.py`` checks it).

    Parameters
    ----------
    layer_sizes : list of int, [inputs, hidden..., classes]
    X : (N, D) array; y : (N,) class indices
    schedule : a rate or a function step → rate (shared by all), or a list of K of those
    steps : int ≥ 0, the number of updates
    seeds : list of K ints ≥ 0 (repeats allowed: the same start under different schedules)
    activation, init : as for :class:`~course_lib.network.MLP`
    batch_size : int, 1 ≤ batch_size ≤ N
    l2 : float ≥ 0, λ₂ of the penalty on the weights
    snapshot_at : iterable of int in [0, steps], steps after which every θ is copied

    Returns
    -------
    SideBySideRuns
    """
    seeds = as_seeds(seeds)                          # one per network
    K = len(seeds)
    nets = [MLP(layer_sizes, activation=activation, seed=s, init=init) for s in seeds]
    X = as_array(X, "X", ndim=2)
    Y = as_targets(y, X.shape[0], nets[0].layer_sizes[-1], "y")
    if X.shape[1] != nets[0].layer_sizes[0]:
        raise ValueError(f"X must have {nets[0].layer_sizes[0]} columns (the first layer size); got shape {X.shape}")
    steps = as_number(steps, "steps", low=0, integer=True)
    batch_size = as_number(batch_size, "batch_size", low=1, high=X.shape[0], integer=True)
    l2 = as_number(l2, "l2", low=0.0)
    snapshot_at = {as_number(s, "snapshot_at", low=0, high=steps, integer=True) for s in snapshot_at}
    if not isinstance(schedule, (list, tuple)):
        schedule = [schedule] * K
    if len(schedule) != K:
        raise ValueError(f"schedule must be one rate/schedule or a list of {K}, one per seed; "
                         f"got a list of {len(schedule)}")
    rates = np.empty((K, steps))
    for k, rate in enumerate(schedule):
        if callable(rate):
            rates[k] = [as_number(rate(t), f"schedule[{k}]({t})", low=0.0) for t in range(steps)]
        else:
            rates[k] = as_number(rate, f"schedule[{k}]", low=0.0)
    f, f_prime = ACTIVATIONS[activation]
    params = [np.stack([net.params[i] for net in nets]) for i in range(len(nets[0].params))]  # (K, D, M), (K, 1, M)
    Ws = params[0::2]
    orders = [_endless_batches(X.shape[0], batch_size, np.random.RandomState(s)) for s in seeds]
    losses = np.full((K, steps), np.nan)
    running = np.ones(K, dtype=bool)                # False once a network has diverged: it is frozen

    def thetas():
        return [np.concatenate([p[k].ravel() for p in params]) for k in range(K)]

    snapshots = {0: thetas()} if 0 in snapshot_at else {}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(steps):
            idx = np.stack([next(order) for order in orders])               # (K, B); B is the same for all
            a, Yb = X[idx], Y[idx]                                         # (K, B, D), (K, B, C)
            inputs, pre = [], []
            for i, (W, b) in enumerate(zip(Ws, params[1::2])):
                inputs.append(a)
                z = a @ W + b
                if i < len(Ws) - 1:
                    pre.append(z)
                    a = f(z)
            log_p = log_softmax(z)
            B = idx.shape[1]
            penalty = 0.5 * l2 * sum(np.sum(W * W, axis=(1, 2)) for W in Ws) if l2 else 0.0
            loss = -np.sum(Yb * log_p, axis=(1, 2)) / B + penalty           # (K,) mean cross-entropy
            dz = (np.exp(log_p) - Yb) / B                                    # ∂L/∂z = (p − y)/B
            grads = [None] * len(params)
            for i in reversed(range(len(Ws))):
                grads[2 * i] = inputs[i].transpose(0, 2, 1) @ dz + (l2 * Ws[i] if l2 else 0.0)
                grads[2 * i + 1] = dz.sum(axis=1, keepdims=True)
                if i > 0:
                    dz = (dz @ Ws[i].transpose(0, 2, 1)) * f_prime(pre[i - 1])
            losses[running, t] = loss[running]
            finite = np.isfinite(loss) & np.all([np.all(np.isfinite(g), axis=(1, 2)) for g in grads], axis=0)
            running &= finite                                                # diverged: no update, frozen
            lr = rates[:, t] * running
            for p, g in zip(params, grads):
                p[running] -= lr[running, None, None] * g[running]
            blown = ~np.all([np.max(np.abs(p), axis=(1, 2)) < BLOWN_UP for p in params], axis=0)
            running &= ~blown                                                # updated, then frozen
            if t + 1 in snapshot_at:
                snapshots[t + 1] = thetas()
    trained = [MLP.from_params([p[k] for p in params], activation) for k in range(K)]
    return SideBySideRuns(trained, rates, losses, snapshots, ~running)


def train_over_seeds(layer_sizes, X, y, schedules, steps, seeds, **options):
    """Every schedule of ``schedules`` (a dict name → rate or function step → rate) from every seed.

    All ``len(schedules) · len(seeds)`` networks are trained in one :func:`train_side_by_side` call
    (``options``: its ``activation``, ``init``, ``batch_size``, ``l2``, ``snapshot_at``). Returns a
    dict name → :class:`SideBySideRuns` whose row j is the network of ``seeds[j]``, so schedule A's
    row j and schedule B's row j start from the same weights and see the same mini-batches.
    """
    if not isinstance(schedules, dict) or not schedules:
        raise TypeError(f"schedules must be a non-empty dict name → rate or schedule; got {schedules!r:.60}")
    seeds = as_seeds(seeds)
    names, k = list(schedules), len(seeds)
    runs = train_side_by_side(layer_sizes, X, y, [schedules[name] for name in names for _ in seeds], steps,
                              list(seeds) * len(names), **options)
    return {name: runs.rows(i * k, (i + 1) * k) for i, name in enumerate(names)}


def range_test_step(net, X, y, batch_size=32, seed=0):
    """A function ``train_step(lr)`` that takes one SGD step on the next mini-batch and returns its loss.

    For :func:`course_lib.schedules.lr_range_test`; the network is trained in place. The
    mini-batches are those ``fit(..., batch_size=batch_size, seed=seed)`` would draw
    (:func:`course_lib.training.batches`, epoch after epoch). Once the weights have blown up
    (|w| ≥ 1e100, on the way to inf) a step returns inf: the test has diverged.
    """
    _check_net(net)
    X = as_array(X, "X", ndim=2)
    batch_size = as_number(batch_size, "batch_size", low=1, high=X.shape[0], integer=True)
    y = np.asarray(y)
    seed = as_number(seed, "seed", low=0, integer=True)
    order = _endless_batches(X.shape[0], batch_size, np.random.RandomState(seed))
    opt = SGD(net.params, lr=0.0)

    def train_step(lr):
        idx = next(order)
        if not all(np.all(np.abs(p) < 1e100) for p in net.params):
            return np.inf
        with np.errstate(over="ignore", invalid="ignore"):
            loss = net.gradients(X[idx], y[idx])
            if np.isfinite(loss):
                opt.lr = lr
                opt.step([np.nan_to_num(g) for g in net.grads])
        return loss

    return train_step


def ensemble_proba(net, snapshots, X):
    """The mean of the predicted probabilities of the network at each parameter vector; shape (N, C).

    ``snapshots`` is a list of flat parameter vectors (e.g. ``list(history.snapshots.values())``).
    The network's own parameters are restored afterwards.
    """
    _check_net(net)
    if not isinstance(snapshots, (list, tuple)) or len(snapshots) == 0:
        raise ValueError(f"snapshots must be a non-empty list of parameter vectors; got {snapshots!r:.60}")
    theta = net.flat_params()
    try:
        total = 0.0
        for i, s in enumerate(snapshots):
            net.set_flat_params(as_array(s, f"snapshots[{i}]", ndim=1))
            total = total + net.predict_proba(X)
    finally:
        net.set_flat_params(theta)
    return total / len(snapshots)
