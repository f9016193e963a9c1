r"""The playground of chapter 11: TensorFlow Playground's experiment, on the course's own network.

A :class:`Playground` is a data set (:func:`course_lib.data.playground_data`), the input features
computed from each point's coordinates (x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂), a
:class:`course_lib.network.MLP` on those features, and an optimizer of :mod:`course_lib.optim`.
One **epoch** is one call of :func:`course_lib.training.fit` for one pass over the training set:

.. math:: \theta \leftarrow \text{optimizer}\big(\theta,\ \nabla_\theta\big[\tfrac{1}{|B|}\textstyle\sum_{i\in B}
          -\log p_{i,y_i} + \lambda_1\sum\lVert W\rVert_1 + \tfrac{\lambda_2}{2}\sum\lVert W\rVert_2^2\big],
          \ \eta_e\big)

for each mini-batch B of that epoch's order, drawn by ``np.random.RandomState(seed + e)``, with the
rate :math:`\eta_e` of the schedule at epoch e.

Everything is set by one plain dict, :attr:`Playground.config` (printable, savable as JSON):
``Playground(config)`` recreates the exact state, trained weights included, because the state after
e epochs is a function of the configuration alone: the initial weights are drawn from ``seed``
(so *reset* restores the same ones until the seed changes), and epoch e's order and dropout masks
are seeded too. Changing the rate, the schedule, the batch size or the penalty acts from the next
epoch on, and is logged in ``live_changes`` so that it is replayed; any other change resets the
network to its initial weights. :meth:`Playground.to_torch`
writes the same experiment as PyTorch code (tests/test_playground.py runs it and finds the same
losses).
"""
import copy
import json

import numpy as np

from .. import optim
from .._validate import _describe, as_array, as_flag, as_number
from ..data import PLAYGROUND_EXTENT, PLAYGROUND_SETS, playground_data
from ..network import INITIALISATIONS, MLP
from ..schedules import exponential_lr, step_lr
from ..training import evaluate, fit

__all__ = ["Playground", "FEATURES", "DEFAULT_CONFIG", "OPTIMIZERS", "SCHEDULES", "feature_matrix", "input_grid"]

# each input feature, as a function of the coordinates (x1, x2), in numpy (and, for the export, in torch)
FEATURES = {
    "x1": (lambda x1, x2: x1, "x1"),
    "x2": (lambda x1, x2: x2, "x2"),
    "x1^2": (lambda x1, x2: x1 * x1, "x1 * x1"),
    "x2^2": (lambda x1, x2: x2 * x2, "x2 * x2"),
    "x1*x2": (lambda x1, x2: x1 * x2, "x1 * x2"),
    "sin(x1)": (lambda x1, x2: np.sin(x1), "torch.sin(x1)"),
    "sin(x2)": (lambda x1, x2: np.sin(x2), "torch.sin(x2)"),
}
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
SCHEDULES = ("constant", "step", "exponential")   # per epoch: constant; ×½ every 50 epochs; ×0.99 an epoch
REGULARISATIONS = ("none", "l1", "l2")

DEFAULT_CONFIG = {
    # the data (changing any of these resets the network)
    "dataset": "circle", "points": 500, "noise": 0.0, "classes": 2, "train_fraction": 0.5, "data_seed": 0,
    "own_points": [],                    # [[x1, x2, label], ...]: points a student added, all trained on
    # the network (changing any of these resets it)
    "features": ["x1", "x2"], "hidden": [4, 2], "activation": "tanh", "init": "xavier",
    "batchnorm": False, "dropout": 0.0, "seed": 0, "optimizer": "sgd",
    # training (these act from the next epoch on)
    "lr": 0.03, "schedule": "constant", "batch_size": 10, "regularisation": "none", "reg_rate": 0.0,
    # how far it has trained: Playground(config) trains this many epochs from the initial weights,
    # applying the live changes [epoch, key, old value, new value] made during training
    "epoch": 0, "live_changes": [],
}
LIVE = ("lr", "schedule", "batch_size", "regularisation", "reg_rate")   # settings that keep the weights
DATA = ("dataset", "points", "noise", "classes", "train_fraction", "data_seed", "own_points")


def feature_matrix(X, features):
    """The inputs of the network: one column per feature name of :data:`FEATURES`, for points X (N, 2)."""
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must hold points (x1, x2), shape (N, 2); got {X.shape}")
    return np.stack([FEATURES[name][0](X[:, 0], X[:, 1]) for name in features], axis=1)


def input_grid(resolution):
    """The points of a resolution × resolution grid over the playground's square, row by row from the
    top (x₂ = +6) so that ``values.reshape(resolution, resolution)`` is an image: shape (resolution², 2)."""
    resolution = as_number(resolution, "resolution", low=2, integer=True)
    ticks = np.linspace(-PLAYGROUND_EXTENT, PLAYGROUND_EXTENT, resolution)
    x1, x2 = np.meshgrid(ticks, ticks[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def _choice(value, name, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {list(options)}; got {value!r}")
    return value


def _checked(config):
    """A validated deep copy of a configuration (missing keys take their defaults)."""
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict like DEFAULT_CONFIG; got {_describe(config)}")
    unknown = sorted(set(config) - set(DEFAULT_CONFIG))
    if unknown:
        raise ValueError(f"unknown configuration keys {unknown}; the keys are {list(DEFAULT_CONFIG)}")
    c = copy.deepcopy(DEFAULT_CONFIG)
    c.update(copy.deepcopy(config))
    c["dataset"] = _choice(c["dataset"], "dataset", PLAYGROUND_SETS)
    c["points"] = as_number(c["points"], "points", low=10, high=5000, integer=True)
    c["noise"] = as_number(c["noise"], "noise", low=0, high=0.5)
    c["classes"] = as_number(c["classes"], "classes", low=2, high=8, integer=True)
    c["train_fraction"] = as_number(c["train_fraction"], "train_fraction", low=0.1, high=0.9)
    c["data_seed"] = as_number(c["data_seed"], "data_seed", low=0, integer=True)
    if not isinstance(c["own_points"], (list, tuple)):
        raise TypeError(f"own_points must be a list of [x1, x2, label]; got {_describe(c['own_points'])}")
    points = []
    for i, p in enumerate(c["own_points"]):
        if not isinstance(p, (list, tuple)) or len(p) != 3:
            raise ValueError(f"own_points[{i}] must be [x1, x2, label]; got {p!r}")
        points.append([as_number(p[0], f"own_points[{i}][0]", low=-PLAYGROUND_EXTENT, high=PLAYGROUND_EXTENT),
                       as_number(p[1], f"own_points[{i}][1]", low=-PLAYGROUND_EXTENT, high=PLAYGROUND_EXTENT),
                       as_number(p[2], f"own_points[{i}][2]", low=0, high=c["classes"] - 1, integer=True)])
    c["own_points"] = points
    if not isinstance(c["features"], (list, tuple)) or not c["features"]:
        raise ValueError(f"features must be a non-empty list of {list(FEATURES)}; got {c['features']!r}")
    c["features"] = [_choice(f, "each feature", FEATURES) for f in c["features"]]
    if len(set(c["features"])) != len(c["features"]):
        raise ValueError(f"features must not repeat a name; got {c['features']}")
    if not isinstance(c["hidden"], (list, tuple)):
        raise TypeError(f"hidden must be a list of layer widths such as [4, 2] (or []); got {_describe(c['hidden'])}")
    c["hidden"] = [as_number(w, f"hidden[{i}]", low=1, high=256, integer=True) for i, w in enumerate(c["hidden"])]
    c["activation"] = _choice(c["activation"], "activation", HIDDEN_ACTIVATIONS)
    c["init"] = _choice(c["init"], "init", INITIALISATIONS)
    c["batchnorm"] = as_flag(c["batchnorm"], "batchnorm")
    c["dropout"] = as_number(c["dropout"], "dropout", low=0, high=0.9)
    c["seed"] = as_number(c["seed"], "seed", low=0, integer=True)
    c["optimizer"] = _choice(c["optimizer"], "optimizer", OPTIMIZERS)
    c["lr"] = as_number(c["lr"], "lr", low=0, high=10)
    c["schedule"] = _choice(c["schedule"], "schedule", SCHEDULES)
    c["batch_size"] = as_number(c["batch_size"], "batch_size", low=1, integer=True)
    c["regularisation"] = _choice(c["regularisation"], "regularisation", REGULARISATIONS)
    c["reg_rate"] = as_number(c["reg_rate"], "reg_rate", low=0, high=10)
    c["epoch"] = as_number(c["epoch"], "epoch", low=0, integer=True)
    if not isinstance(c["live_changes"], (list, tuple)):
        raise TypeError(f"live_changes must be a list of [epoch, key, old, new]; got {_describe(c['live_changes'])}")
    last = 0
    for i, change in enumerate(c["live_changes"]):
        if not isinstance(change, (list, tuple)) or len(change) != 4 or change[1] not in LIVE:
            raise ValueError(f"live_changes[{i}] must be [epoch, key, old, new] with key in {list(LIVE)}; got {change!r}")
        epoch = as_number(change[0], f"live_changes[{i}][0]", low=last, high=c["epoch"], integer=True)
        last = epoch
    c["live_changes"] = [list(change) for change in c["live_changes"]]
    if c["batchnorm"] and c["batch_size"] < 2:
        raise ValueError("batch norm needs mini-batches of at least 2 points; got batch_size=1")
    return c


def rate_at(config, epoch):
    """The learning rate of an epoch under the configuration's schedule."""
    if config["schedule"] == "step":
        return step_lr(epoch, config["lr"], step_size=50, gamma=0.5)
    if config["schedule"] == "exponential":
        return exponential_lr(epoch, config["lr"], gamma=0.99)
    return config["lr"]


class Playground:
    """A network learning a 2-D data set, one epoch at a time.

    Parameters
    ----------
    config : dict, optional
        Any keys of :data:`DEFAULT_CONFIG` (the others take its values). With ``"epoch": e`` the
        playground trains e epochs before it returns.
    **changes
        Keys of the configuration, applied on top of ``config``.

    Attributes
    ----------
    net : the :class:`~course_lib.network.MLP` (inputs: the features; outputs: one logit per class)
    optimizer : its optimizer
    X_train, y_train, X_test, y_test : the points (N, 2) and labels; ``X_train`` ends with the own points
    epochs, train_loss, test_loss : per evaluation (epoch 0 = the initial weights): the epoch and the mean
        cross-entropy on each set (no penalty)
    step_loss : every mini-batch's loss (penalty included), in order
    gradient_norms : per epoch, the norm ‖∂J/∂W_ℓ‖ of each layer's weights at that epoch's last step
    """

    def __init__(self, config=None, **changes):
        target = _checked({**(config or {}), **changes})
        start = copy.deepcopy(target)
        for _, key, old, _ in reversed(target["live_changes"]):
            start[key] = old                                 # the settings it started training with
        start["live_changes"] = []
        self._config = start
        self._make_data()
        self.reset()
        for epoch, key, _, new in target["live_changes"]:
            self.train(epoch - self.epoch)
            self.configure(**{key: new})
        self.train(target["epoch"] - self.epoch)

    # --- the state ------------------------------------------------------------------------------
    @property
    def config(self):
        """The whole configuration, epoch included: a plain dict (a copy) that ``Playground(config)`` recreates."""
        return copy.deepcopy(self._config)

    def to_json(self):
        """The configuration as JSON text."""
        return json.dumps(self._config)

    @property
    def epoch(self):
        return self._config["epoch"]

    def _make_data(self):
        c = self._config
        self.X_train, self.y_train, self.X_test, self.y_test = playground_data(
            c["dataset"], c["points"], c["noise"], c["classes"], c["train_fraction"], c["data_seed"])
        if c["own_points"]:
            own = np.array(c["own_points"], dtype=float)
            self.X_train = np.concatenate([self.X_train, own[:, :2]])
            self.y_train = np.concatenate([self.y_train, own[:, 2].astype(np.int64)])
        self.F_train = feature_matrix(self.X_train, c["features"])
        self.F_test = feature_matrix(self.X_test, c["features"])

    def reset(self):
        """Back to epoch 0 with the initial weights of ``seed`` (the same every time until the seed changes)."""
        c = self._config
        sizes = [len(c["features"]), *c["hidden"], c["classes"]]
        self.net = MLP(sizes, c["activation"], seed=c["seed"], init=c["init"], batchnorm=c["batchnorm"],
                       dropout=c["dropout"])
        params = self.net.params
        self.optimizer = {
            "sgd": lambda: optim.SGD(params, lr=c["lr"]),
            "momentum": lambda: optim.SGD(params, lr=c["lr"], momentum=0.9),
            "rmsprop": lambda: optim.RMSprop(params, lr=c["lr"]),
            "adam": lambda: optim.Adam(params, lr=c["lr"]),
        }[c["optimizer"]]()
        self._config["epoch"] = 0
        self._config["live_changes"] = []
        self.epochs, self.train_loss, self.test_loss, self.step_loss, self.gradient_norms = [], [], [], [], []
        self._record()
        return self

    def _record(self):
        self.epochs.append(self._config["epoch"])
        self.train_loss.append(evaluate(self.net, self.F_train, self.y_train)[0])
        self.test_loss.append(evaluate(self.net, self.F_test, self.y_test)[0])

    def configure(self, **changes):
        """Change settings. The rate, schedule, batch size and penalty act from the next epoch; a change of
        anything else resets the network to its initial weights (and a change of the data makes new data)."""
        if "epoch" in changes or "live_changes" in changes:
            raise ValueError("epoch and live_changes are not settings: use train(epochs) or reset()")
        new = _checked({**self._config, **changes})
        changed = [k for k in changes if new[k] != self._config[k]]
        if self.epoch > 0:
            new["live_changes"] += [[self.epoch, k, self._config[k], new[k]] for k in changed if k in LIVE]
        self._config = new
        if any(k in DATA or k == "features" for k in changed):
            self._make_data()
        if any(k not in LIVE for k in changed):
            self.reset()
        self.optimizer.lr = rate_at(new, self.epoch)
        return self

    def add_point(self, x1, x2, label):
        """Add a training point of the student's own (the network starts again from its initial weights)."""
        return self.configure(own_points=self._config["own_points"] + [[x1, x2, label]])

    # --- training -------------------------------------------------------------------------------
    def train(self, epochs=1):
        """Train ``epochs`` more epochs; returns the playground."""
        epochs = as_number(epochs, "epochs", low=0, integer=True)
        c = self._config
        weights = [i for i, (node, p, _) in enumerate(self.net._slots) if p == "W"]
        for _ in range(epochs):
            e = c["epoch"]
            penalty = {"l1": 0.0, "l2": 0.0}
            if c["regularisation"] != "none":
                penalty[c["regularisation"]] = c["reg_rate"]
            history = fit(self.net, self.F_train, self.y_train, self.optimizer, epochs=1,
                          batch_size=min(c["batch_size"], len(self.F_train)), schedule=lambda t: rate_at(c, e),
                          drop_last=c["batchnorm"], seed=c["seed"] + e, **penalty)
            self.step_loss.extend(history.step_loss)
            self.gradient_norms.append([float(np.linalg.norm(self.net.grads[i])) for i in weights])
            c["epoch"] = e + 1
            if history.diverged:
                self._record()
                break
            self._record()
        return self

    # --- what the pictures show -----------------------------------------------------------------
    def output_grid(self, resolution=50):
        """The class probabilities over the square: shape (resolution, resolution, classes), top row x₂ = +6."""
        grid = feature_matrix(input_grid(resolution), self._config["features"])
        return self.net.predict_proba(grid).reshape(resolution, resolution, -1)

    def neuron_grids(self, resolution=20):
        """What every neuron computes over the square: a list, one (resolution, resolution, width) array per
        hidden layer (its output, in evaluation mode), after the features' own (resolution, resolution, features)."""
        grid = feature_matrix(input_grid(resolution), self._config["features"])
        self.net.eval()
        return [grid.reshape(resolution, resolution, -1)] + [
            h.reshape(resolution, resolution, -1) for h in self.net.hidden(grid)]

    def weights(self):
        """The weight matrices W_ℓ (fan-in, fan-out), layer by layer (copies)."""
        return [W.copy() for W in self.net.weights]

    def accuracy(self):
        """Accuracy on the training and the test set."""
        return (evaluate(self.net, self.F_train, self.y_train)[1], evaluate(self.net, self.F_test, self.y_test)[1])

    # --- export ---------------------------------------------------------------------------------
    def to_torch(self, epochs=None):
        """PyTorch code for the same data, network, initial weights and optimizer, training ``epochs``
        epochs (default: the playground's epoch, at least 1) in float64; it prints the losses it records in
        ``losses``, one per mini-batch, as :attr:`step_loss` does. Dropout masks are drawn by torch, so with
        dropout the losses differ from the playground's."""
        c = self._config
        epochs = max(1, c["epoch"]) if epochs is None else as_number(epochs, "epochs", low=1, integer=True)
        initial = MLP([len(c["features"]), *c["hidden"], c["classes"]], c["activation"], seed=c["seed"], init=c["init"])
        activation = {"relu": "torch.nn.ReLU()", "tanh": "torch.nn.Tanh()", "sigmoid": "torch.nn.Sigmoid()",
                      "linear": "torch.nn.Identity()"}[c["activation"]]
        widths = [len(c["features"]), *c["hidden"]]
        layers, linear_index = [], []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            linear_index.append(len(layers))
            layers.append(f"torch.nn.Linear({fan_in}, {fan_out})")
            if c["batchnorm"]:
                layers.append(f"torch.nn.BatchNorm1d({fan_out})")
            layers.append(activation)
            if c["dropout"]:
                layers.append(f"torch.nn.Dropout({c['dropout']!r})")
        linear_index.append(len(layers))
        layers.append(f"torch.nn.Linear({widths[-1]}, {c['classes']})")
        copies = "\n".join(
            f"    model[{k}].weight.copy_(torch.tensor({W.T.tolist()!r}))\n"
            f"    model[{k}].bias.zero_()" for k, W in zip(linear_index, initial.weights))
        optimizer = {"sgd": f"torch.optim.SGD(model.parameters(), lr={c['lr']!r})",
                     "momentum": f"torch.optim.SGD(model.parameters(), lr={c['lr']!r}, momentum=0.9)",
                     "rmsprop": f"torch.optim.RMSprop(model.parameters(), lr={c['lr']!r})",
                     "adam": f"torch.optim.Adam(model.parameters(), lr={c['lr']!r})"}[c["optimizer"]]
        rate = {"constant": f"{c['lr']!r}", "step": f"{c['lr']!r} * 0.5 ** (epoch // 50)",
                "exponential": f"{c['lr']!r} * 0.99 ** epoch"}[c["schedule"]]
        penalty = {"none": "", "l1": f" + {c['reg_rate']!r} * sum(W.abs().sum() for W in weights)",
                   "l2": f" + {c['reg_rate']!r} / 2 * sum((W ** 2).sum() for W in weights)"}[c["regularisation"]]
        features = ", ".join(FEATURES[f][1] for f in c["features"])
        n_train = len(self.F_train)
        batch = min(c["batch_size"], n_train)
        stop = n_train - n_train % batch if c["batchnorm"] else n_train
        own = f"\nown = np.array({c['own_points']!r}, dtype=float).reshape(-1, 3)\n" \
              "X_train, y_train = np.concatenate([X_train, own[:, :2]]), " \
              "np.concatenate([y_train, own[:, 2].astype(np.int64)])" if c["own_points"] else ""
        layers = ",\n    ".join(layers)
        return f'''import numpy as np
import torch
from course_lib.data import playground_data

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)                    # matrices this small: one thread is fastest
X_train, y_train, X_test, y_test = playground_data({c["dataset"]!r}, n_points={c["points"]}, noise={c["noise"]!r},
                                                   classes={c["classes"]}, train_fraction={c["train_fraction"]!r},
                                                   seed={c["data_seed"]}){own}


def features(X):
    x1, x2 = X[:, 0], X[:, 1]
    return torch.stack([{features}], dim=1)


X, y = features(torch.tensor(X_train)), torch.tensor(y_train)
model = torch.nn.Sequential(
    {layers},
)
with torch.no_grad():                       # the playground's initial weights (seed {c["seed"]}, init {c["init"]!r})
{copies}
weights = [model[k].weight for k in {linear_index!r}]
optimizer = {optimizer}
losses = []
for epoch in range({epochs}):
    for group in optimizer.param_groups:
        group["lr"] = {rate}
    model.train()
    order = np.random.RandomState({c["seed"]} + epoch).permutation(len(X))
    for start in range(0, {stop}, {batch}):
        idx = torch.from_numpy(order[start:start + {batch}])
        loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx]){penalty}
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
print(f"{{len(losses)}} steps, last loss {{losses[-1]:.6f}}")
'''



# Named set-ups for one chapter's question each: the configuration, the controls a classroom needs
# (the rest are hidden), whether the test points are shown, and the chapter and question.
PRESETS = {
    "xor-needs-a-hidden-layer": {
        "chapter": "01", "question": "One neuron cannot compute XOR. How few hidden neurons can?",
        "config": {"dataset": "xor", "features": ["x1", "x2"], "hidden": [], "activation": "tanh",
                   "optimizer": "adam", "lr": 0.03},
        "show": ["hidden", "activation", "lr"], "test_points": False},
    "vanishing-gradients": {
        "chapter": "04", "question": "Six sigmoid layers learn slowly, the first slowest. What do ReLU and He change?",
        "config": {"dataset": "circle", "features": ["x1", "x2"], "hidden": [8] * 6, "activation": "sigmoid",
                   "init": "lecture", "optimizer": "sgd", "lr": 0.3},
        "show": ["activation", "init", "hidden", "lr"], "test_points": False},
    "too-large-a-learning-rate": {
        "chapter": "05", "question": "What does a rate too large do to the loss, and what does a schedule change?",
        "config": {"dataset": "circle", "noise": 0.1, "features": ["x1", "x2"], "hidden": [6], "activation": "tanh",
                   "optimizer": "sgd", "lr": 3.0},
        "show": ["lr", "schedule", "optimizer"], "test_points": False},
    "overfitting-the-noisy-spiral": {
        "chapter": "08", "question": "A big network on few noisy points: watch the test loss, then add L2, then dropout.",
        "config": {"dataset": "spiral", "noise": 0.25, "train_fraction": 0.3, "features": ["x1", "x2", "sin(x1)", "sin(x2)"],
                   "hidden": [8, 8, 8], "activation": "relu", "init": "he", "optimizer": "adam", "lr": 0.01},
        "show": ["regularisation", "reg_rate", "dropout", "train_fraction", "test_points"], "test_points": True},
    "four-classes": {
        "chapter": "06", "question": "Four clusters: the softmax gives each class a region.",
        "config": {"dataset": "gauss", "classes": 4, "noise": 0.1, "hidden": [6], "activation": "tanh",
                   "optimizer": "adam", "lr": 0.03},
        "show": ["classes", "noise", "hidden", "discretise"], "test_points": False},
}
__all__ += ["PRESETS"]
