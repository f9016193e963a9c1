r"""Mini-batch training under a learning-rate schedule, snapshots and their ensemble (chapter 05).

:func:`train_with_schedule` runs plain mini-batch SGD (no momentum: chapter 07 is about
optimizers, this chapter is about the rate) where step t uses the rate ``lr_at(t)`` — any function
of the step, such as those of :mod:`course_lib.schedules`. It can keep copies of the parameters
("snapshots") after chosen steps: taken at the ends of the cycles of a warm-restart schedule they
are the members of a **snapshot ensemble** (Huang et al., "Snapshot Ensembles: Train 1, get M
for free", ICLR 2017), whose prediction is the average of the members' predicted probabilities
(:func:`ensemble_proba`).

:func:`train_side_by_side` trains K such networks — one per seed, or per schedule — in the same
numpy calls, so that a comparison can be repeated over seeds at little more than the cost of one run.

:func:`range_test_step` turns a model and a data set into the ``train_step(lr)`` that
:func:`course_lib.schedules.lr_range_test` needs: one mini-batch per call.
"""
from dataclasses import dataclass, field

import numpy as np

from .._validate import as_array, as_number, as_seeds, as_targets
from ..activations import ACTIVATIONS
from ..losses import log_softmax, softmax
from ..network import MLP
from ..optim import SGD

__all__ = ["train_with_schedule", "TrainingRun", "train_side_by_side", "SideBySideRuns", "train_over_seeds",
           "range_test_step", "ensemble_proba", "accuracy"]


def _check_model(model):
    for name in ("params", "grads", "gradients", "loss", "predict_proba", "flat_params", "set_flat_params"):
        if not hasattr(model, name):
            raise TypeError(f"model must be a network such as MLP or ResidualMLP (it has no `{name}`); "
                            f"got {type(model).__name__}")


def _batches(n, batch_size, rng):
    """Endless mini-batches of indices: a fresh permutation every epoch."""
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start:start + batch_size]


@dataclass
class TrainingRun:
    """What :func:`train_with_schedule` returns.

    Attributes
    ----------
    lrs : (T,) the rate used at each step
    losses : (T,) the mini-batch loss at each step (before its update)
    snapshots : dict step → flat parameter vector θ after that many steps
    diverged : bool, True if the loss became NaN or infinite (training stopped there)
    """

    lrs: np.ndarray
    losses: np.ndarray
    snapshots: dict = field(default_factory=dict)
    diverged: bool = False


def train_with_schedule(model, X, y, lr_at, num_steps, batch_size=32, reg=0.0, snapshot_at=(), seed=0):
    r"""Mini-batch SGD, θ ← θ − η_t ∇L_batch(θ), with η_t = ``lr_at(t)`` for t = 0 … num_steps − 1.

    Parameters
    ----------
    model : MLP or ResidualMLP (trained in place)
    X : (N, D) array; y : (N,) class indices
    lr_at : callable step → rate, or a number (a constant rate)
    num_steps : int ≥ 0, the number of updates (mini-batches)
    batch_size : int, 1 ≤ batch_size ≤ N
    reg : float ≥ 0, L2 strength λ of the loss's :math:`\frac{\lambda}{2}\sum\lVert W\rVert^2`
    snapshot_at : iterable of int in [0, num_steps], steps after which θ is copied (0 = before training)
    seed : int, for the order of the mini-batches

    Returns
    -------
    TrainingRun
    """
    _check_model(model)
    X = as_array(X, "X", ndim=2)
    num_steps = as_number(num_steps, "num_steps", low=0, integer=True)
    batch_size = as_number(batch_size, "batch_size", low=1, high=X.shape[0], integer=True)
    reg = as_number(reg, "reg", low=0.0)
    seed = as_number(seed, "seed", low=0, integer=True)
    if not callable(lr_at):
        rate = as_number(lr_at, "lr_at", low=0.0)
        lr_at = lambda step: rate  # noqa: E731
    snapshot_at = {as_number(s, "snapshot_at", low=0, high=num_steps, integer=True) for s in snapshot_at}
    y = np.asarray(y)
    opt = SGD(model.params, lr=0.0)
    batches = _batches(X.shape[0], batch_size, np.random.RandomState(seed))
    lrs, losses, snapshots = [], [], {}
    if 0 in snapshot_at:
        snapshots[0] = model.flat_params()
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(num_steps):
            idx = next(batches)
            opt.lr = as_number(lr_at(t), f"lr_at({t})", low=0.0)
            loss = model.gradients(X[idx], y[idx], reg=reg)
            lrs.append(opt.lr)
            losses.append(loss)
            if not np.isfinite(loss) or not all(np.all(np.isfinite(g)) for g in model.grads):
                diverged = True
                break
            opt.step(model.grads)
            if not all(np.all(np.abs(p) < 1e100) for p in model.params):  # NaN or on its way to inf
                diverged = True
                break
            if t + 1 in snapshot_at:
                snapshots[t + 1] = model.flat_params()
    return TrainingRun(np.array(lrs), np.array(losses), snapshots, diverged)


@dataclass
class SideBySideRuns:
    """What :func:`train_side_by_side` returns: K runs, network k in row k.

    Attributes
    ----------
    nets : list of K trained :class:`~course_lib.network.MLP`
    lrs : (K, T) the rate each network used at each step
    losses : (K, T) each network's mini-batch loss at each step (before its update); NaN after it diverged
    snapshots : dict step → list of K flat parameter vectors θ after that many steps
    diverged : (K,) bool, True where the loss became NaN/infinite or the weights blew up (that
        network stopped there; its later snapshots repeat the weights it stopped with)
    """

    nets: list
    lrs: np.ndarray
    losses: np.ndarray
    snapshots: dict = field(default_factory=dict)
    diverged: np.ndarray = None

    def rows(self, start, stop):
        """The runs of networks start … stop − 1, as a SideBySideRuns of their own."""
        part = slice(start, stop)
        return SideBySideRuns(self.nets[part], self.lrs[part], self.losses[part],
                              {step: thetas[part] for step, thetas in self.snapshots.items()}, self.diverged[part])


def train_side_by_side(layer_sizes, X, y, lr_at, num_steps, seeds, activation="relu", init="he", batch_size=32,
                       reg=0.0, snapshot_at=()):
    r"""Train K networks side by side: network k is ``MLP(layer_sizes, activation, seed=seeds[k], init=init)``
    trained as ``train_with_schedule(net, X, y, lr_at[k], num_steps, batch_size, reg, snapshot_at, seed=seeds[k])``.

    The K networks share nothing: each has its own initial weights, its own order of mini-batches
    (both from its seed) and its own schedule. Their weights are stacked into (K, D, M) arrays and
    one batched matrix product per layer does the work of K, so K = 20 networks cost a few times
    one network, not twenty. The results equal K separate runs of :func:`train_with_schedule` up
    to rounding (``tests/test_lr_training.py`` checks it).

    Parameters
    ----------
    layer_sizes : list of int, [inputs, hidden..., classes]
    X : (N, D) array; y : (N,) class indices
    lr_at : a rate or a function step → rate (shared by all), or a list of K of those
    num_steps : int ≥ 0
    seeds : list of K ints ≥ 0 (repeats allowed: the same start under different schedules)
    activation, init : as for :class:`~course_lib.network.MLP`
    batch_size : int, 1 ≤ batch_size ≤ N
    reg : float ≥ 0, L2 strength λ
    snapshot_at : iterable of int in [0, num_steps], steps after which every θ is copied

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
    num_steps = as_number(num_steps, "num_steps", low=0, integer=True)
    batch_size = as_number(batch_size, "batch_size", low=1, high=X.shape[0], integer=True)
    reg = as_number(reg, "reg", low=0.0)
    snapshot_at = {as_number(s, "snapshot_at", low=0, high=num_steps, integer=True) for s in snapshot_at}
    if not isinstance(lr_at, (list, tuple)):
        lr_at = [lr_at] * K
    if len(lr_at) != K:
        raise ValueError(f"lr_at must be one rate/schedule or a list of {K}, one per seed; got a list of {len(lr_at)}")
    rates = np.empty((K, num_steps))
    for k, schedule in enumerate(lr_at):
        if callable(schedule):
            rates[k] = [as_number(schedule(t), f"lr_at[{k}]({t})", low=0.0) for t in range(num_steps)]
        else:
            rates[k] = as_number(schedule, f"lr_at[{k}]", low=0.0)
    f, f_prime = ACTIVATIONS[activation]
    params = [np.stack([net.params[i] for net in nets]) for i in range(len(nets[0].params))]  # (K, D, M), (K, 1, M)
    Ws, bs = params[0::2], params[1::2]
    batches = [_batches(X.shape[0], batch_size, np.random.RandomState(s)) for s in seeds]
    losses = np.full((K, num_steps), np.nan)
    stopped = {}                                    # k → the parameters network k stopped with

    def theta(k):
        return np.concatenate([p.ravel() for p in stopped[k]]) if k in stopped else \
            np.concatenate([p[k].ravel() for p in params])

    def stop(k):                                    # keep its weights; zeros keep the shared arrays finite
        stopped[k] = [p[k].copy() for p in params]
        for p in params:
            p[k] = 0.0

    snapshots = {0: [theta(k) for k in range(K)]} if 0 in snapshot_at else {}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(num_steps):
            idx = np.stack([next(b) for b in batches])                    # (K, B)
            a, Yb = X[idx], Y[idx]                                         # (K, B, D), (K, B, C)
            inputs, pre = [], []
            for i, (W, b) in enumerate(zip(Ws, bs)):
                inputs.append(a)
                z = a @ W + b
                if i < len(Ws) - 1:
                    pre.append(z)
                    a = f(z)
            log_p = log_softmax(z)
            penalty = 0.5 * reg * sum(np.sum(W * W, axis=(1, 2)) for W in Ws)
            loss = -np.sum(Yb * log_p, axis=(1, 2)) / batch_size + penalty                # (K,)
            dz = (np.exp(log_p) - Yb) / batch_size                          # ∂L/∂z = (p − y)/B
            grads = [None] * len(params)
            for i in reversed(range(len(Ws))):
                grads[2 * i] = inputs[i].transpose(0, 2, 1) @ dz + reg * Ws[i]
                grads[2 * i + 1] = dz.sum(axis=1, keepdims=True)
                if i > 0:
                    dz = (dz @ Ws[i].transpose(0, 2, 1)) * f_prime(pre[i - 1])
            running = np.array([k not in stopped for k in range(K)])
            losses[running, t] = loss[running]
            finite = np.isfinite(loss) & np.all([np.all(np.isfinite(g), axis=(1, 2)) for g in grads], axis=0)
            for k in np.flatnonzero(running & ~finite):
                stop(k)                                                      # diverged: no update
            lr = np.where(running & finite, rates[:, t], 0.0)[:, None, None]
            for p, g in zip(params, grads):
                p -= lr * np.where(lr > 0, g, 0.0)
            blown = np.any([np.any(np.abs(p) >= 1e100, axis=(1, 2)) for p in params], axis=0)
            for k in np.flatnonzero(blown):
                stop(k)                                                      # NaN or on its way to inf
            if t + 1 in snapshot_at:
                snapshots[t + 1] = [theta(k) for k in range(K)]
    final = [stopped[k] if k in stopped else [p[k] for p in params] for k in range(K)]
    trained = [MLP.from_params(ps, activation) for ps in final]
    return SideBySideRuns(trained, rates, losses, snapshots, np.array([k in stopped for k in range(K)]))


def train_over_seeds(layer_sizes, X, y, schedules, num_steps, seeds, **options):
    """Every schedule of ``schedules`` (a dict name → rate or function step → rate) from every seed.

    All ``len(schedules) · len(seeds)`` networks are trained in one :func:`train_side_by_side` call
    (``options``: its ``activation``, ``init``, ``batch_size``, ``reg``, ``snapshot_at``). Returns a
    dict name → :class:`SideBySideRuns` whose row j is the network of ``seeds[j]``, so schedule A's
    row j and schedule B's row j start from the same weights and see the same mini-batches.
    """
    if not isinstance(schedules, dict) or not schedules:
        raise TypeError(f"schedules must be a non-empty dict name → rate or schedule; got {schedules!r:.60}")
    seeds = as_seeds(seeds)
    names, k = list(schedules), len(seeds)
    runs = train_side_by_side(layer_sizes, X, y, [schedules[name] for name in names for _ in seeds], num_steps,
                              list(seeds) * len(names), **options)
    return {name: runs.rows(i * k, (i + 1) * k) for i, name in enumerate(names)}


def range_test_step(model, X, y, batch_size=32, seed=0):
    """A function ``train_step(lr)`` that takes one SGD step on the next mini-batch and returns its loss.

    For :func:`course_lib.schedules.lr_range_test`; the model is trained in place.
    """
    _check_model(model)
    X = as_array(X, "X", ndim=2)
    batch_size = as_number(batch_size, "batch_size", low=1, high=X.shape[0], integer=True)
    y = np.asarray(y)
    batches = _batches(X.shape[0], batch_size, np.random.RandomState(as_number(seed, "seed", low=0, integer=True)))
    opt = SGD(model.params, lr=0.0)

    def train_step(lr):
        idx = next(batches)
        if not all(np.all(np.abs(p) < 1e100) for p in model.params):
            return np.inf  # the weights have blown up: the test has diverged
        with np.errstate(over="ignore", invalid="ignore"):
            loss = model.gradients(X[idx], y[idx])
            if np.isfinite(loss):
                opt.lr = lr
                opt.step([np.nan_to_num(g) for g in model.grads])
        return loss

    return train_step


def ensemble_proba(model, snapshots, X):
    """The mean of the predicted probabilities of the model at each parameter vector; shape (N, C).

    ``snapshots`` is a list of flat parameter vectors (e.g. ``list(run.snapshots.values())``). The
    model's own parameters are restored afterwards.
    """
    _check_model(model)
    if not isinstance(snapshots, (list, tuple)) or len(snapshots) == 0:
        raise ValueError(f"snapshots must be a non-empty list of parameter vectors; got {snapshots!r:.60}")
    theta = model.flat_params()
    try:
        total = 0.0
        for i, s in enumerate(snapshots):
            model.set_flat_params(as_array(s, f"snapshots[{i}]", ndim=1))
            total = total + model.predict_proba(X)
    finally:
        model.set_flat_params(theta)
    return total / len(snapshots)


def accuracy(probs, y):
    """Fraction of rows whose most probable class is the label."""
    probs = as_array(probs, "probs", ndim=2)
    y = np.asarray(y)
    if y.shape != (probs.shape[0],):
        raise ValueError(f"y must have shape ({probs.shape[0]},), one label per row of probs; got {y.shape}")
    return float(np.mean(probs.argmax(axis=1) == y))
