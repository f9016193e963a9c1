r"""The course's training loop: gradient descent on a :class:`~course_lib.network.Network`, by mini-batches.

Every chapter trains with :func:`fit`. One **step** is one update of the parameters from one
mini-batch :math:`B_t`:

.. math:: \eta_t = \text{schedule}(t), \qquad \theta_{t+1} = \text{optimizer}(\theta_t,\ \nabla_\theta J_{B_t}(\theta_t),\ \eta_t)

with :math:`J_B` the network's mean cross-entropy on the batch plus its penalties
(:meth:`~course_lib.network.Network.gradients`). One **epoch** is one pass over the training set: a
fresh random order of the N samples, cut into mini-batches of ``batch_size``; the last batch keeps
the N mod ``batch_size`` samples left over (as a PyTorch ``DataLoader`` does), unless
``drop_last=True``. ``batch_size=None`` is full-batch gradient descent: every step sees the whole
set, in its own order, and an epoch is one step (the lecture's "pass").

The optimizer is any of :mod:`course_lib.optim` (``SGD(net.params, lr=0.1)`` is plain gradient
descent); a schedule is any function of the step, such as those of :mod:`course_lib.schedules`.

:class:`History` records the loss and rate of every step, and, before training and after every
``record_every``-th epoch, the loss and accuracy on the training set (and a validation set) in
evaluation mode. ``callback(epoch, history)`` is called at each of those records, to print progress,
draw a live plot or take a measurement; returning ``True`` stops training.
"""
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from ._validate import as_array, as_number, as_targets
from .losses import softmax_cross_entropy
from .optim import Optimizer

__all__ = ["BLOWN_UP", "History", "batches", "evaluate", "fit"]


@dataclass
class History:
    """What :func:`fit` records.

    Attributes
    ----------
    step_loss : the mini-batch loss J (penalty included) of every step, before its update
    lr : the learning rate of every step
    epoch : the epochs at which the sets were evaluated (0 = before training)
    train_loss, train_acc : mean cross-entropy (no penalty) and accuracy on the whole training
        set at those epochs, in evaluation mode
    val_loss, val_acc : the same on the validation set (empty without one)
    snapshots : dict step → flat parameter vector θ after that many steps
    steps : the number of steps taken
    stopped : the last epoch trained (or begun, when ``steps`` ends training inside an epoch)
    best : the epoch whose parameters the network holds at the end: the last one, or with
        ``patience`` the one of the lowest validation loss
    diverged : True if a loss or a gradient stopped being finite (training stopped before that update)
        or an update took a weight past ``BLOWN_UP`` = 1e30 (training stopped after it; the sets are
        not evaluated again, their entries are NaN)
    """

    step_loss: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)
    steps: int = 0
    stopped: int = 0
    best: int = 0
    diverged: bool = False

    def as_arrays(self):
        """Every recorded list as a numpy array, in a dict."""
        names = ("step_loss", "lr", "epoch", "train_loss", "train_acc", "val_loss", "val_acc")
        return {name: np.array(getattr(self, name)) for name in names}


def batches(n, batch_size, rng, drop_last=False):
    """The mini-batches of one epoch: ``rng.permutation(n)`` cut into index arrays of ``batch_size``.

    The last batch holds the n mod batch_size indices left over, or is dropped with ``drop_last``.
    """
    order = rng.permutation(n)
    stop = n - n % batch_size if drop_last else n
    return [order[start:start + batch_size] for start in range(0, stop, batch_size)]


def evaluate(net, X, y):
    """Mean cross-entropy (no penalty) and accuracy of ``net`` on (X, y) in evaluation mode.

    The network's mode is restored afterwards. Returns ``(loss, accuracy)``.
    """
    was_training = net.training
    net.eval()
    try:
        z = net.forward(X)
    finally:
        net.train(was_training)
    Y = as_targets(y, z.shape[0], z.shape[1], "y")
    loss = softmax_cross_entropy(z, Y)[0]
    return float(loss), float(np.mean(z.argmax(axis=1) == Y.argmax(axis=1)))


BLOWN_UP = 1e30   # a weight this large is on its way to inf: the run has diverged


def _finite(loss, grads):
    """Whether the loss and every gradient entry are finite (max and min carry any NaN or inf)."""
    return bool(np.isfinite(loss)) and all(np.isfinite(g.max()) and np.isfinite(g.min()) for g in grads)


def _blown_up(params):
    """Whether a weight is NaN or past BLOWN_UP in size."""
    return not all(max(p.max(), -p.min()) < BLOWN_UP for p in params)   # a NaN fails the comparison


def fit(net, X, y, optimizer, epochs=None, steps=None, batch_size=None, schedule=None, l2=0.0, l1=0.0,
        validation=None, record_every=1, patience=None, snapshot_at=(), input_noise=0.0, weight_noise=0.0,
        drop_last=False, seed=0, callback=None):
    r"""Train ``net`` in place by mini-batch gradient descent; return its :class:`History`.

    Parameters
    ----------
    net : Network (or MLP), whose ``params`` the optimizer holds
    X : (N, ...) inputs; y : (N,) class indices or (N, C) targets
    optimizer : an optimizer of :mod:`course_lib.optim` built on ``net.params``
    epochs : int, how many passes over the training set; or
    steps : int, how many updates (training may stop inside an epoch). Give exactly one of the two.
    batch_size : int, or None for full-batch gradient descent (default)
    schedule : function step → learning rate (t = 0, 1, ...), set on the optimizer before each
        step; None keeps the optimizer's rate
    l2, l1 : λ₂ and λ₁ of the penalty on the weights (see :class:`~course_lib.network.Network`)
    validation : (X_val, y_val), evaluated with the training set
    record_every : evaluate before training, after every ``record_every``-th epoch and after the last
    patience : early stopping: stop when the validation loss has not improved on its best for this
        many epochs, and restore the parameters of the best epoch (needs ``validation`` and
        ``record_every=1``; batch-norm running statistics are not parameters and are not restored)
    snapshot_at : steps after which to keep a copy of θ in ``history.snapshots`` (0 = before training)
    input_noise : σ of Gaussian noise added to every mini-batch's inputs (a fresh draw each step)
    weight_noise : σ of Gaussian noise added to the weights for each step's forward and backward
        pass; the update is applied to the clean weights
    drop_last : drop each epoch's last, smaller mini-batch
    seed : seeds ``np.random.RandomState(seed)``, which draws the order of every epoch and the
        noise (dropout layers draw from their own generators)
    callback : ``callback(epoch, history)`` at every evaluation; return True to stop training

    Returns
    -------
    History. The network is left in evaluation mode. BLAS runs single-threaded, which is faster
    for matrices as small as the course's.
    """
    if not (callable(getattr(net, "gradients", None)) and hasattr(net, "params") and callable(getattr(net, "eval", None))):
        raise TypeError(f"net must be a course Network such as MLP(...); got {type(net).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an optimizer of course_lib.optim, e.g. SGD(net.params, lr=0.1); "
                        f"got {type(optimizer).__name__}")
    if len(optimizer.params) != len(net.params) or any(a is not b for a, b in zip(optimizer.params, net.params)):
        raise ValueError("optimizer must be built on this network's parameters: SGD(net.params, ...)")
    X = as_array(X, "X")
    Y = as_array(y, "y", ndim=(1, 2))
    if Y.ndim == 1:
        Y = as_array(y, "y", ndim=1, dtype=np.int64)
    if len(Y) != len(X):
        raise ValueError(f"y must hold one target per sample of X ({len(X)}); got {len(Y)}")
    if (epochs is None) == (steps is None):
        raise ValueError(f"give exactly one of epochs and steps; got epochs={epochs!r}, steps={steps!r}")
    epochs = None if epochs is None else as_number(epochs, "epochs", low=0, integer=True)
    steps = None if steps is None else as_number(steps, "steps", low=0, integer=True)
    n = len(X)
    if batch_size is not None:
        batch_size = as_number(batch_size, "batch_size", low=1, high=n, integer=True)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function step → learning rate or None; got {type(schedule).__name__}")
    l2, l1 = as_number(l2, "l2", low=0), as_number(l1, "l1", low=0)
    if validation is not None:
        if not isinstance(validation, (list, tuple)) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, y_val) or None; got {type(validation).__name__}")
    record_every = as_number(record_every, "record_every", low=1, integer=True)
    if patience is not None:
        patience = as_number(patience, "patience", low=1, integer=True)
        if validation is None or record_every != 1:
            raise ValueError("patience needs a validation set and record_every=1 (it counts epochs of validation loss)")
    snapshot_at = {as_number(s, "snapshot_at", low=0, integer=True) for s in snapshot_at}
    input_noise = as_number(input_noise, "input_noise", low=0)
    weight_noise = as_number(weight_noise, "weight_noise", low=0)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch, history) or None; got {type(callback).__name__}")
    rng = np.random.RandomState(as_number(seed, "seed", low=0, integer=True))

    history = History()
    best_params = None

    def record(epoch):
        history.epoch.append(epoch)
        sets = [((X, Y), history.train_loss, history.train_acc)]
        if validation is not None:
            sets.append((validation, history.val_loss, history.val_acc))
        for (Xs, ys), losses, accs in sets:
            loss, acc = (np.nan, np.nan) if _blown_up(net.params) else evaluate(net, Xs, ys)
            losses.append(loss)
            accs.append(acc)
        return callback is not None and bool(callback(epoch, history))

    def step(idx):
        """One update from the samples ``idx`` (None: all); False if the loss or gradient is not finite."""
        t = history.steps
        if schedule is not None:
            optimizer.lr = as_number(schedule(t), f"schedule({t})", low=0)
        xb, yb = (X, Y) if idx is None else (X[idx], Y[idx])
        if input_noise:
            xb = xb + input_noise * rng.randn(*xb.shape)
        clean = [W.copy() for W in net.weights] if weight_noise else []
        for W in net.weights if weight_noise else []:
            W += weight_noise * rng.randn(*W.shape)
        loss = net.gradients(xb, yb, l2=l2, l1=l1)       # the gradient at the noisy weights ...
        for W, W_clean in zip(net.weights, clean):
            W[...] = W_clean                              # ... applied to the clean ones
        history.step_loss.append(loss)
        history.lr.append(optimizer.lr)
        if not _finite(loss, net.grads):
            history.diverged = True
            return False
        optimizer.step(net.grads)
        history.steps = t + 1
        if _blown_up(net.params):
            history.diverged = True
            return False
        if t + 1 in snapshot_at:
            history.snapshots[t + 1] = net.flat_params()
        return True

    with threadpool_limits(1), np.errstate(over="ignore", invalid="ignore"):
        if 0 in snapshot_at:
            history.snapshots[0] = net.flat_params()
        stop = record(0)
        if patience is not None:
            best_params = net.copy_params()
        epoch = 0
        net.train()
        while not stop and (epoch < epochs if steps is None else history.steps < steps):
            epoch += 1
            history.stopped = epoch
            for idx in [None] if batch_size is None else batches(n, batch_size, rng, drop_last):
                if steps is not None and history.steps >= steps:
                    break
                if not step(idx):
                    stop = True
                    break
            finished = (epoch == epochs) if steps is None else (history.steps >= steps)
            if epoch % record_every == 0 or finished or stop:
                stop = record(epoch) or stop
            if patience is not None:
                if history.val_loss[-1] < history.val_loss[history.best]:
                    history.best, best_params = epoch, net.copy_params()
                stop = stop or epoch - history.best >= patience
        if patience is None:
            history.best = history.stopped
        else:
            net.set_params(best_params)
    net.eval()
    return history
