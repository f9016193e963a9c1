r"""Remedies for overfitting (过拟合): penalties, early stopping, the L1/L2 constraint picture, and
the chapter's comparisons over seeds.

The network is :class:`course_lib.network.MLP` (or any :class:`course_lib.network.Network`) and it
is trained by :func:`course_lib.training.fit`, which takes every remedy of the chapter: the penalty

.. math:: J(\theta) = \frac{1}{N}\sum_i -\log p_{i, y_i}
          \;+\; \lambda_1 \sum_\ell \lVert W_\ell \rVert_1
          \;+\; \frac{\lambda_2}{2} \sum_\ell \lVert W_\ell \rVert_2^2

(``l1=``, ``l2=``; :func:`course_lib.losses.l1_penalty` and :func:`course_lib.losses.l2_penalty` are
its two terms, one weight array at a time), Gaussian noise on the inputs or the weights, early stopping (``patience=``), and the
dropout and batch-norm layers of the network. This module holds what is particular to the chapter:
:func:`early_stopping_epoch` is the patience rule; :func:`constrained_minimum` computes the
lecture's picture of L1 and L2 as constraints (the diamond and the circle).

One run is one draw of data and initial weights, so remedies are compared over seeds:
:func:`compare_over_seeds` is a **side-by-side trainer**: it trains one network per remedy and seed
as :func:`~course_lib.training.fit` would, but all stacked in the same numpy calls, which keeps the
chapter inside its time budget (tests/test_regularisation.py checks it equals ``fit`` network by
network). :func:`fit_over_seeds` fits any models (trees, ensembles, :func:`prune_by_validation`,
networks) seed by seed. Both report mean ± spread.
"""
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .. import layers
from .._validate import as_array, as_number, as_seeds
from ..data import moons_split
from ..losses import log_softmax
from ..network import MLP
from ..seeds import spread

__all__ = ["early_stopping_epoch", "constrained_minimum", "compare_over_seeds",
           "SeedComparison", "prune_by_validation", "PruningPath", "fit_over_seeds", "SeedScores"]


def early_stopping_epoch(val_losses, patience):
    """The patience rule: the epoch at which training stops, and the best epoch it goes back to.

    Training stops at the first epoch t whose validation loss has not improved on the best so far
    for ``patience`` epochs (t − best = patience), and keeps the parameters of the best epoch.
    "Improved" means strictly lower. If that never happens, it stops at the last epoch.

    Returns ``(stop, best)``, indices into ``val_losses``.
    """
    losses = as_array(val_losses, "val_losses", ndim=1)
    if losses.size == 0:
        raise ValueError("val_losses must hold at least one loss; got an empty array")
    patience = as_number(patience, "patience", low=1, integer=True)
    best = 0
    for t in range(1, len(losses)):
        if losses[t] < losses[best]:
            best = t
        elif t - best >= patience:
            return t, best
    return len(losses) - 1, best


def constrained_minimum(A, w_star, radius, norm, n_points=20001):
    r"""Minimise the quadratic :math:`\frac12 (w - w^*)^\top A (w - w^*)` over the 2-D ball :math:`\lVert w\rVert_p \le r`.

    This is the lecture's picture of regularisation as a constraint: the contours of the loss
    (ellipses around the unconstrained minimum w*) first touch the L2 ball (a circle) somewhere
    on its round edge, but the L1 ball (a diamond) usually at a corner, where one weight is 0.

    If w* lies inside the ball it is the answer. Otherwise the minimum lies on the boundary, which
    is searched on ``n_points`` points (corners included) and refined by golden-section search
    between the neighbours of the best one.

    Parameters
    ----------
    A : (2, 2) symmetric positive-definite array; w_star : (2,) array
    radius : r > 0; norm : 1 or 2

    Returns
    -------
    (2,) array, the constrained minimiser.
    """
    A = as_array(A, "A", ndim=2)
    w_star = as_array(w_star, "w_star", ndim=1)
    if A.shape != (2, 2) or w_star.shape != (2,):
        raise ValueError(f"A must be 2×2 and w_star have 2 entries; got {A.shape} and {w_star.shape}")
    if not np.allclose(A, A.T) or np.linalg.eigvalsh(A)[0] <= 0:
        raise ValueError("A must be symmetric positive definite (the loss must be a bowl)")
    radius = as_number(radius, "radius", low=0, low_inclusive=False)
    if norm not in (1, 2):
        raise ValueError(f"norm must be 1 or 2; got {norm!r}")
    n_points = as_number(n_points, "n_points", low=8, integer=True)
    if np.linalg.norm(w_star, ord=norm) <= radius:
        return w_star.copy()

    def boundary(t):                      # the point of the ball's edge at angle t
        d = np.stack([np.cos(t), np.sin(t)], axis=-1)
        return radius * d / np.linalg.norm(d, ord=norm, axis=-1, keepdims=True)

    def loss(t):
        e = boundary(t) - w_star
        return 0.5 * np.einsum("...i,ij,...j->...", e, A, e)

    t = np.linspace(0, 2 * np.pi, 4 * ((n_points - 1) // 4) + 1)   # includes the corners at kπ/2
    k = int(np.argmin(loss(t)))
    lo, hi = t[max(k - 1, 0)], t[min(k + 1, len(t) - 1)]
    golden = (np.sqrt(5) - 1) / 2
    for _ in range(45):                   # golden-section search: the bracket shrinks to 4e-10 of its size
        a, b = hi - golden * (hi - lo), lo + golden * (hi - lo)
        if loss(a) < loss(b):
            hi = b
        else:
            lo = a
    candidates = np.array([t[k], (lo + hi) / 2])
    return boundary(candidates[np.argmin(loss(candidates))])



_REMEDY_KEYS = {"l1", "l2", "dropout", "input_noise", "weight_noise", "batchnorm"}
_METRICS = ("train_loss", "val_loss", "train_acc", "val_acc")


@dataclass
class SeedComparison:
    """What :func:`compare_over_seeds` measured: every remedy on every seed.

    ``curves[metric]`` has shape (remedies, seeds, epochs + 1), entry 0 before training;
    ``params`` holds the trained parameters, stacked the same way (see :meth:`network`).
    """

    names: list
    seeds: list
    settings: dict
    sizes: list
    curves: dict
    params: dict
    data: dict = field(default_factory=lambda: {"n_train": 50, "n_val": 200, "noise": 0.4})

    def split(self, k=0):
        """The data of seed index ``k``: ``X, y, X_val, y_val``, as the networks saw them."""
        k = as_number(k, "k", low=0, high=len(self.seeds) - 1, integer=True)
        return moons_split(**self.data, seed=1 + 2 * self.seeds[k])

    def _row(self, name):
        if name not in self.names:
            raise ValueError(f"name must be one of {self.names}; got {name!r}")
        return self.names.index(name)

    def final(self, name, patience=None):
        """The numbers of remedy ``name`` at the end of training, one per seed: a dict of (seeds,)
        arrays, the four metrics and ``gap`` = training accuracy − validation accuracy.

        With ``patience``, early stopping: the numbers of the epoch the patience rule
        (:func:`early_stopping_epoch`) goes back to, which are those of
        :func:`~course_lib.training.fit` with ``patience=patience``.
        """
        r = self._row(name)
        if patience is None:
            epoch = np.full(len(self.seeds), self.curves["val_loss"].shape[2] - 1)
        else:
            epoch = np.array([early_stopping_epoch(curve, patience)[1] for curve in self.curves["val_loss"][r]])
        out = {m: self.curves[m][r, np.arange(len(self.seeds)), epoch] for m in _METRICS}
        out["gap"] = out["train_acc"] - out["val_acc"]
        out["epoch"] = epoch
        return out

    def summary(self, rows=None):
        """A table, one line per remedy (``rows``: name → :meth:`final`'s dict; default every remedy
        at the end of training): mean ± standard deviation over the seeds, and min – max."""
        rows = rows if rows is not None else {name: self.final(name) for name in self.names}
        lines = [f"{len(self.seeds)} seeds, mean ± std{'':9}{'val accuracy (min – max)':>30}  {'val loss':>13}  "
                 f"{'train − val acc.':>16}"]
        for name, f in rows.items():
            acc, loss, gap = f["val_acc"], f["val_loss"], f["gap"]
            lines.append(f"{name:32} {spread(acc, '.1%'):>30}  "
                         f"{loss.mean():5.3f} ± {loss.std():5.3f}  {gap.mean():7.1%} ± {gap.std():4.1%}")
        return "\n".join(lines)

    def curve(self, name, metric="val_loss"):
        """One curve of remedy ``name`` on every seed: a (seeds, epochs + 1) array."""
        if metric not in _METRICS:
            raise ValueError(f"metric must be one of {_METRICS}; got {metric!r}")
        return self.curves[metric][self._row(name)].copy()

    def run(self, name, k=0):
        """The curves of remedy ``name`` on seed index ``k``: a dict of (epochs + 1,) arrays
        ``train_loss``, ``val_loss``, ``train_acc``, ``val_acc`` (as in :class:`~course_lib.training.History`)."""
        r = self._row(name)
        k = as_number(k, "k", low=0, high=len(self.seeds) - 1, integer=True)
        return {m: self.curves[m][r, k].copy() for m in _METRICS}

    def network(self, name, k=0):
        """The trained network of remedy ``name`` on seed index ``k``: an :class:`~course_lib.network.MLP`
        in evaluation mode."""
        r = self._row(name)
        k = as_number(k, "k", low=0, high=len(self.seeds) - 1, integer=True)
        s = self.settings[name]
        net = MLP(self.sizes, "relu", seed=self.seeds[k], init="he", batchnorm=s.get("batchnorm", False),
                  dropout=s.get("dropout", 0.0))
        affine = [layer for layer in net.layers if isinstance(layer, layers.Affine)]
        for layer, W, b in zip(affine, self.params["W"], self.params["b"]):
            layer.W[...], layer.b[...] = W[r, k], b[r, k].ravel()
        for i, layer in enumerate(layer for layer in net.layers if isinstance(layer, layers.BatchNorm)):
            for attr in ("gamma", "beta", "running_mean", "running_var"):
                getattr(layer, attr)[...] = self.params[attr][i][r, k].ravel()
        return net.eval()


def compare_over_seeds(remedies, seeds=range(8), sizes=(2, 50, 50, 2), n_train=50, n_val=200, noise=0.4,
                       epochs=150, lr=0.1, batch_size=None, momentum=0.9, seed=0, callback=None):
    r"""Side-by-side trainer: one network per remedy and per seed, all trained in the same numpy calls.

    Seed k fixes the data, ``moons_split(n_train, n_val, noise, seed=1 + 2k)`` (k = 0 is the
    chapter's data set), and the initial weights, those of ``MLP(sizes, "relu", seed=k, init="he")``
    (:class:`~course_lib.network.MLP`). At a given seed every remedy sees the same data and starts
    from the same weights, so remedies can be compared seed by seed; the spread over seeds shows how
    much of a difference is luck.

    Each network is that MLP with the remedy's settings, trained as :func:`course_lib.training.fit`
    trains it with ``SGD(net.params, lr, momentum=momentum)``: PyTorch's momentum; the penalty's
    gradient added to the weights'; a fresh order each epoch cut into mini-batches, the last partial
    one kept; noise drawn afresh every step; inverted dropout; batch norm with batch statistics in
    training and running ones in evaluation; the curves recorded before training and after every
    epoch in evaluation mode. The R·S networks are stacked along a leading axis, so each layer is one
    batched ``matmul``, (R·S, batch, fan-in) @ (R·S, fan-in, fan-out): this trainer exists only to keep
    the chapter inside its time budget. With full batches and without noise or dropout its results
    equal ``fit``'s network by network up to rounding (tests/test_regularisation.py checks it). Each
    network draws its shuffles, noise and dropout masks from a generator of its own, seeded by
    (``seed``, k, the remedy's name), so they do not change when other remedies or seeds are added
    (they are not ``fit``'s draws). Early stopping needs no run of its own: see
    :meth:`SeedComparison.final`.

    Parameters
    ----------
    remedies : dict
        name → settings, a dict with any of ``l1``, ``l2``, ``dropout``, ``input_noise``,
        ``weight_noise`` (numbers, as in ``fit`` and ``MLP``) and ``batchnorm`` (bool);
        ``{}`` is no remedy.
    seeds : list of int, the seeds k (at least 2)
    sizes, n_train, n_val, noise : the network's layer sizes and the data
    epochs, lr, batch_size, momentum : training, as ``fit`` and ``SGD`` take them (``batch_size=None``: full batch)
    seed : seeds the shuffling, the noise and the dropout masks
    callback : ``callback(epoch)`` after each epoch (a progress print)

    Returns
    -------
    SeedComparison
    """
    if not isinstance(remedies, dict) or not remedies:
        raise TypeError(f"remedies must be a non-empty dict name -> settings; got {remedies!r:.80}")
    for name, s in remedies.items():
        if not isinstance(s, dict) or not set(s) <= _REMEDY_KEYS:
            raise ValueError(f"remedies[{name!r}] must be a dict with keys from {sorted(_REMEDY_KEYS)}; got {s!r:.80}")
    seeds = as_seeds(seeds, at_least=2)              # a spread needs two
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 3:
        raise TypeError(f"sizes must be a list of at least three ints (a hidden layer), e.g. [2, 50, 2]; got {sizes!r}")
    sizes = [as_number(s, "sizes", low=1, integer=True) for s in sizes]
    epochs = as_number(epochs, "epochs", low=1, integer=True)
    lr = as_number(lr, "lr", low=0)
    momentum = as_number(momentum, "momentum", low=0, high=1, high_inclusive=False)
    n_train = as_number(n_train, "n_train", low=2, integer=True)
    batch_size = n_train if batch_size is None else as_number(batch_size, "batch_size", low=1, integer=True)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch) or None; got {type(callback).__name__}")
    names, S = list(remedies), len(seeds)
    R, L = len(names), len(sizes) - 1
    B = R * S

    def setting(key, high=None):          # (B, 1, 1): each network's value of one setting
        values = [as_number(remedies[n].get(key, 0.0), f"remedies[{n!r}][{key!r}]", low=0, high=high) for n in names]
        return np.repeat(values, S)[:, None, None]

    l1, l2 = setting("l1"), setting("l2")
    p_drop, sigma_x, sigma_w = setting("dropout", high=0.99), setting("input_noise"), setting("weight_noise")
    use_bn = np.repeat([bool(remedies[n].get("batchnorm", False)) for n in names], S)[:, None, None]
    if use_bn.any() and (batch_size < 2 or n_train % batch_size == 1):
        raise ValueError(f"batch_size must leave no mini-batch of one sample with batch norm; got {batch_size}")
    dropping = np.flatnonzero(p_drop)     # the networks that need random numbers of each kind
    noisy_x, noisy_w = np.flatnonzero(sigma_x), np.flatnonzero(sigma_w)
    penalised = np.flatnonzero(l1 + l2)

    data = {"n_train": n_train, "n_val": n_val, "noise": noise}
    splits = [moons_split(**data, seed=1 + 2 * k) for k in seeds]
    X, y, X_val, y_val = (np.stack([split[i] for _ in names for split in splits]) for i in range(4))
    inits = [MLP(sizes, "relu", seed=k, init="he").weights for k in seeds]
    W = [np.stack([inits[j][i] for _ in names for j in range(S)]) for i in range(L)]
    b = [np.zeros((B, 1, h)) for h in sizes[1:]]
    gamma, beta = [np.ones((B, 1, h)) for h in sizes[1:-1]], [np.zeros((B, 1, h)) for h in sizes[1:-1]]
    run_mean, run_var = [np.zeros((B, 1, h)) for h in sizes[1:-1]], [np.ones((B, 1, h)) for h in sizes[1:-1]]
    params = W + b + (gamma + beta if use_bn.any() else [])
    velocity = [np.zeros_like(p) for p in params]
    seed = as_number(seed, "seed", low=0, integer=True)
    # each network draws from its own generator, keyed by (seed, k, its remedy's name): its masks and
    # noise do not depend on which other networks share the batch
    streams = [np.random.default_rng([seed, k, zlib.crc32(n.encode())]) for n in names for k in seeds]

    def draw(members, shape, normal):     # (len(members), *shape): one draw per network
        return np.stack([streams[j].standard_normal(shape) if normal else streams[j].random(shape) for j in members])
    rows = np.arange(B)[:, None]

    def forward(x, weights, training):
        """Logits, and what the backward pass needs; dropout and batch statistics only in training."""
        cache = []
        for i in range(L - 1):
            a = x @ weights[i]
            a += b[i]
            x_hat = inv_std = keep = None
            if use_bn.any():
                if training:
                    mean, var, m = a.mean(axis=1, keepdims=True), a.var(axis=1, keepdims=True), a.shape[1]
                    run_mean[i][...] = 0.9 * run_mean[i] + 0.1 * mean        # momentum 0.1, as BatchNorm
                    run_var[i][...] = 0.9 * run_var[i] + 0.1 * var * m / (m - 1)
                else:
                    mean, var = run_mean[i], run_var[i]
                inv_std = 1.0 / np.sqrt(var + 1e-5)
                x_hat = (a - mean) * inv_std
                a = np.where(use_bn, gamma[i] * x_hat + beta[i], a)
            h = np.maximum(a, 0.0) if training else np.maximum(a, 0.0, out=a)
            if training and dropping.size:
                keep = np.ones_like(h)
                p = p_drop[dropping]
                keep[dropping] = (draw(dropping, h.shape[1:], normal=False) >= p) / (1.0 - p)
                h = h * keep
            cache.append((x, a, x_hat, inv_std, keep))
            x = h
        cache.append((x,))
        return x @ weights[-1] + b[-1], cache

    both, labels = np.concatenate([X, X_val], axis=1), np.concatenate([y, y_val], axis=1)
    history = {m: [] for m in _METRICS}

    def record():                         # both sets in one forward pass, in evaluation mode
        log_p = log_softmax(forward(both, W, training=False)[0])
        loss = -np.take_along_axis(log_p, labels[..., None], axis=2)[..., 0]
        right = log_p.argmax(axis=2) == labels
        for part, sl in (("train", slice(0, n_train)), ("val", slice(n_train, None))):
            history[part + "_loss"].append(loss[:, sl].mean(axis=1))
            history[part + "_acc"].append(right[:, sl].mean(axis=1))

    record()
    for epoch in range(1, epochs + 1):
        if batch_size < n_train:                                        # a permutation per network
            order = np.stack([stream.permutation(n_train) for stream in streams])
        for start in range(0, n_train, batch_size):
            if batch_size < n_train:
                idx = order[:, start:start + batch_size]
                xb, yb = X[rows, idx], y[rows, idx]
            else:
                xb, yb = X, y
            if noisy_x.size:
                xb = xb.copy()
                xb[noisy_x] += sigma_x[noisy_x] * draw(noisy_x, xb.shape[1:], normal=True)
            weights = W
            if noisy_w.size:
                weights = [w.copy() for w in W]
                for w in weights:
                    w[noisy_w] += sigma_w[noisy_w] * draw(noisy_w, w.shape[1:], normal=True)
            z, cache = forward(xb, weights, training=True)
            m = z.shape[1]
            dout = np.exp(log_softmax(z))                   # Softmax-with-Loss: (p − one-hot) / m
            np.put_along_axis(dout, yb[..., None], np.take_along_axis(dout, yb[..., None], axis=2) - 1.0, axis=2)
            dout /= m
            grads = [None] * len(params)
            for i in reversed(range(L)):
                grads[i] = cache[i][0].swapaxes(1, 2) @ dout
                grads[i][penalised] += l1[penalised] * np.sign(weights[i][penalised]) + l2[penalised] * weights[i][penalised]
                grads[L + i] = dout.sum(axis=1, keepdims=True)
                if i == 0:
                    break
                _, a, x_hat, inv_std, keep = cache[i - 1]
                dout = dout @ weights[i].swapaxes(1, 2)
                if keep is not None:
                    dout = dout * keep
                dout = dout * (a > 0)
                if x_hat is not None:
                    g = i - 1
                    dbeta, dgamma = dout.sum(axis=1, keepdims=True), (dout * x_hat).sum(axis=1, keepdims=True)
                    grads[2 * L + g], grads[3 * L - 1 + g] = dgamma * use_bn, dbeta * use_bn
                    dout = np.where(use_bn, (gamma[g] * inv_std / m) * (m * dout - dbeta - x_hat * dgamma), dout)
            for p, g, v in zip(params, grads, velocity):
                v *= momentum
                v += g
                p -= lr * v
        record()
        if callback is not None:
            callback(epoch)

    curves = {m: np.array(h).T.reshape(R, S, epochs + 1) for m, h in history.items()}
    stacked = lambda arrays: [a.reshape(R, S, *a.shape[1:]) for a in arrays]
    return SeedComparison(names, seeds, {n: dict(remedies[n]) for n in names}, sizes, curves,
                          {"W": stacked(W), "b": stacked(b), "gamma": stacked(gamma), "beta": stacked(beta),
                           "running_mean": stacked(run_mean), "running_var": stacked(run_var)}, data)


class PruningPath(NamedTuple):
    """One tree per α of the cost-complexity path, scored; ``best`` indexes the best on validation."""
    alphas: np.ndarray
    trees: list
    train_acc: np.ndarray
    val_acc: np.ndarray
    leaves: np.ndarray
    best: int

    @property
    def best_tree(self):
        return self.trees[self.best]


def prune_by_validation(X, y, X_val, y_val, seed=0):
    r"""Cost-complexity pruning (CART), with α chosen on the validation set.

    Grows the full tree, computes the α values at which a branch is cut
    (:math:`R_\alpha(T) = R(T) + \alpha|T|`; scikit-learn's ``cost_complexity_pruning_path``), trains
    one tree per α (the last α, which leaves only the root, is left out) and keeps the one with the
    best validation accuracy (the first, i.e. the largest tree, on a tie). ``trees[0]`` is the full tree.
    """
    from sklearn.tree import DecisionTreeClassifier
    X, X_val = as_array(X, "X", ndim=2), as_array(X_val, "X_val", ndim=2)
    y, y_val = as_array(y, "y", ndim=1, dtype=np.int64), as_array(y_val, "y_val", ndim=1, dtype=np.int64)
    seed = as_number(seed, "seed", low=0, integer=True)
    full = DecisionTreeClassifier(random_state=seed).fit(X, y)
    alphas = full.cost_complexity_pruning_path(X, y).ccp_alphas[:-1]
    trees = [full] + [DecisionTreeClassifier(random_state=seed, ccp_alpha=a).fit(X, y) for a in alphas[1:]]
    train_acc = np.array([t.score(X, y) for t in trees])
    val_acc = np.array([t.score(X_val, y_val) for t in trees])
    leaves = np.array([t.get_n_leaves() for t in trees])
    return PruningPath(alphas, trees, train_acc, val_acc, leaves, int(np.argmax(val_acc)))


@dataclass
class SeedScores:
    """What :func:`fit_over_seeds` measured: ``train_acc`` and ``val_acc`` of shape (models, seeds),
    and ``first``, the models fitted on the first seed (for pictures)."""

    names: list
    seeds: list
    train_acc: np.ndarray
    val_acc: np.ndarray
    first: dict

    def final(self, name):
        """Accuracies of model ``name``, one per seed: a dict of (seeds,) arrays ``train_acc``,
        ``val_acc`` and ``gap`` (their difference)."""
        if name not in self.names:
            raise ValueError(f"name must be one of {self.names}; got {name!r}")
        r = self.names.index(name)
        return {"train_acc": self.train_acc[r], "val_acc": self.val_acc[r],
                "gap": self.train_acc[r] - self.val_acc[r]}

    def summary(self):
        """A table, one line per model: mean ± standard deviation over the seeds, and min – max."""
        head = f"{'train accuracy':>15}  {'val accuracy (min – max)':>30}"
        lines = [f"{len(self.seeds)} seeds, mean ± std{'':9}{head}"]
        for name in self.names:
            f = self.final(name)
            tr, va = f["train_acc"], f["val_acc"]
            lines.append(f"{name:32} {tr.mean():6.1%} ± {tr.std():4.1%}  {spread(va, '.1%'):>30}")
        return "\n".join(lines)


def fit_over_seeds(models, seeds=range(5), n_train=300, n_val=300, noise=0.4, data=None):
    """Fit every model on the data of every seed and score it on both sets.

    Seed k draws ``moons_split(n_train, n_val, noise, seed=1 + 2k)``, as in :func:`compare_over_seeds`
    (k = 0 is the chapter's data set), or ``data(k)`` when given, four arrays ``X, y, X_val, y_val``
    (e.g. ``lambda k: digits_split(100, 300, seed=k, stratify=True)[:4]``), and is passed on to the
    models so that randomised ones draw differently.

    Parameters
    ----------
    models : dict
        name → ``make(X, y, X_val, y_val, k)`` returning a fitted model with ``score(X, y)``
        (accuracy), e.g. ``lambda X, y, X_val, y_val, k: RandomForestClassifier(random_state=k).fit(X, y)``.
        The validation set is there for models that choose something on it (pruning); a model
        must not train on it.
    seeds : list of int, at least 2
    data : ``data(k)`` returning ``X, y, X_val, y_val``, optional

    Returns
    -------
    SeedScores
    """
    if data is not None and not callable(data):
        raise TypeError(f"data must be a function data(k) -> (X, y, X_val, y_val) or None; got {type(data).__name__}")
    if not isinstance(models, dict) or not models or not all(callable(m) for m in models.values()):
        raise TypeError(f"models must be a non-empty dict name -> make(X, y, X_val, y_val, k); got {models!r:.80}")
    seeds = as_seeds(seeds, at_least=2)              # a spread needs two
    names = list(models)
    train_acc, val_acc = np.zeros((len(names), len(seeds))), np.zeros((len(names), len(seeds)))
    first = {}
    for j, k in enumerate(seeds):
        X, y, X_val, y_val = moons_split(n_train, n_val, noise, seed=1 + 2 * k) if data is None else data(k)
        for r, name in enumerate(names):
            model = models[name](X, y, X_val, y_val, k)
            train_acc[r, j], val_acc[r, j] = model.score(X, y), model.score(X_val, y_val)
            if j == 0:
                first[name] = model
    return SeedScores(names, seeds, train_acc, val_acc, first)
