"""Tests of course_lib/regularisation.py: penalties, the network's gradients, fit, early stopping, constraints."""
import numpy as np
import pytest
import torch
from scipy.optimize import minimize

from course_lib import layers
from course_lib.conv import AvgPool2D, Conv2D, Flatten
from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.data import moons_split
from course_lib.experiments.regularisation import (Network, compare_over_seeds, constrained_minimum,
                                       early_stopping_epoch, fit, fit_over_seeds, l1_penalty, l2_penalty, mlp,
                                       prune_by_validation)
from conftest import away_from


# --- penalties -----------------------------------------------------------------------------

@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
def test_penalty_gradient_passes_gradient_check(penalty, rng):
    W = away_from(rng.randn(4, 3), [0.0])
    value, grad = penalty(W, 0.3)
    assert np.isclose(value, penalty(W, 0.3)[0])
    assert relative_error(grad, numerical_gradient(lambda w: penalty(w, 0.3)[0], W.copy())) < 1e-8


def test_penalty_values_are_the_formulas():
    W = np.array([[1.0, -2.0], [0.0, 3.0]])
    assert l1_penalty(W, 0.5)[0] == 0.5 * 6.0
    assert l2_penalty(W, 0.5)[0] == 0.25 * 14.0
    assert np.array_equal(l1_penalty(W, 1.0)[1], [[1.0, -1.0], [0.0, 1.0]])  # sign(0) = 0, as in torch


@pytest.mark.parametrize("penalty, bad, message", [(l1_penalty, -0.1, "lam must be >= 0"),
                                                   (l2_penalty, "0.1", "lam must be a real number")])
def test_penalty_rejects_bad_lambda(penalty, bad, message):
    with pytest.raises((ValueError, TypeError), match=message):
        penalty(np.ones(2), bad)


# --- the network's gradients -------------------------------------------------------------

def network_gradient_error(net, X, y, l1=0.0, l2=0.0, before_forward=lambda: None):
    """Worst error between net.gradients and finite differences of J = loss + penalty, per parameter
    array relative to its largest entry (a bias followed by BatchNorm has a gradient of exactly 0)."""
    def J(_):                                    # numerical_gradient perturbs each parameter in place
        before_forward()
        return net.loss_layer.forward(net.forward(X), y) + net.penalty(l1, l2)

    before_forward()
    net.gradients(X, y, l1, l2)
    analytic = [g.copy() for g in net.grads]
    errors = []
    for p, g in zip(net.params, analytic):
        num = numerical_gradient(J, p)
        errors.append(np.max(np.abs(g - num)) / max(np.max(np.abs(num)), 1e-3))
    return max(errors)


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.05, 0.0), (0.0, 0.1), (0.02, 0.03)])
def test_mlp_gradients_pass_gradient_check_with_penalties(l1, l2, rng):
    net = mlp([3, 6, 5, 4], seed=1)
    for W in net.weights:                       # keep weights away from the kink of |w|
        W[...] = away_from(W, [0.0], gap=0.02)
    X, y = rng.randn(7, 3), rng.randint(0, 4, size=7)
    assert network_gradient_error(net, X, y, l1, l2) < 1e-6


def test_mlp_with_batchnorm_passes_gradient_check_in_training_mode(rng):
    net = mlp([3, 6, 5, 3], batchnorm=True, seed=2)
    assert sum(isinstance(layer, layers.BatchNorm) for layer in net.layers) == 2
    X, y = rng.randn(8, 3), rng.randint(0, 3, size=8)
    assert len(net.params) == 10                 # W, b, γ, β, W, b, γ, β, W, b
    assert network_gradient_error(net, X, y, l2=0.01) < 1e-6
    net.gradients(X, y)
    assert np.abs(net.grads[1]).max() < 1e-12     # the mean removed by BatchNorm: b gets no gradient


def test_mlp_with_dropout_passes_gradient_check_with_a_fixed_mask(rng):
    net = mlp([3, 6, 5, 3], dropout=0.3, seed=3)
    drops = [layer for layer in net.layers if isinstance(layer, layers.Dropout)]
    assert len(drops) == 2

    def same_masks():
        for i, layer in enumerate(drops):
            layer.rng = np.random.default_rng(100 + i)
    X, y = rng.randn(6, 3), rng.randint(0, 3, size=6)
    assert network_gradient_error(net, X, y, l2=0.01, before_forward=same_masks) < 1e-6


def test_conv_network_passes_gradient_check(rng):
    net = Network([Conv2D(rng.randn(2, 1, 3, 3), np.zeros(2)), layers.ReLU(), AvgPool2D(2), Flatten(),
                   layers.Affine(rng.randn(8, 3) * 0.5, np.zeros(3))])
    X, y = away_from(rng.randn(4, 1, 6, 6), [0.0]), rng.randint(0, 3, size=4)
    assert network_gradient_error(net, X, y, l1=0.01, l2=0.01) < 1e-5


def test_network_gradients_match_torch_autograd_with_l1_and_l2(rng):
    net = mlp([4, 5, 3], seed=4)
    X, y = rng.randn(6, 4), rng.randint(0, 3, size=6)
    loss = net.gradients(X, y, l1=0.02, l2=0.05)
    W1, b1, W2, b2 = (torch.tensor(p, requires_grad=True) for p in net.params)
    logits = torch.relu(torch.tensor(X) @ W1 + b1) @ W2 + b2
    J = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    J = J + 0.02 * (W1.abs().sum() + W2.abs().sum()) + 0.025 * (W1.pow(2).sum() + W2.pow(2).sum())
    J.backward()
    assert np.isclose(loss, J.item(), rtol=1e-12)
    for ours, theirs in zip(net.grads, (W1, b1, W2, b2)):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_fit_takes_the_steps_of_torch_sgd_with_momentum_and_weight_decay(rng):
    X, y = rng.randn(12, 3), rng.randint(0, 2, size=12)
    net = mlp([3, 4, 2], seed=5)
    start = [torch.tensor(p.copy()) for p in net.params]
    fit(net, X, y, X, y, epochs=6, lr=0.1, batch_size=12, momentum=0.9, l2=0.01)

    W1, b1, W2, b2 = (t.clone().requires_grad_(True) for t in start)
    opt = torch.optim.SGD([{"params": [W1, W2], "weight_decay": 0.01}, {"params": [b1, b2]}], lr=0.1, momentum=0.9)
    for _ in range(6):
        opt.zero_grad()
        logits = torch.relu(torch.tensor(X) @ W1 + b1) @ W2 + b2
        torch.nn.functional.cross_entropy(logits, torch.tensor(y)).backward()
        opt.step()
    for ours, theirs in zip(net.params, (W1, b1, W2, b2)):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_train_and_eval_switch_dropout_and_batchnorm():
    net = mlp([2, 4, 2], dropout=0.5, batchnorm=True)
    net.eval()
    assert all(not layer.training for layer in net.layers if hasattr(layer, "training"))
    net.train()
    assert all(layer.training for layer in net.layers if hasattr(layer, "training"))


# --- fit and early stopping ----------------------------------------------------------------

@pytest.fixture(scope="module")
def small_moons():
    return moons_split(n_train=30, n_val=60, noise=0.4, seed=1)


def test_fit_records_every_epoch_and_is_deterministic(small_moons):
    X, y, X_val, y_val = small_moons
    runs = []
    for _ in range(2):
        net = mlp([2, 16, 2], dropout=0.2, seed=0)
        runs.append(fit(net, X, y, X_val, y_val, epochs=15, lr=0.1, batch_size=10, input_noise=0.1,
                        weight_noise=0.05).as_arrays())
    assert all(len(v) == 16 for v in runs[0].values())
    for key in runs[0]:
        assert np.array_equal(runs[0][key], runs[1][key])
    assert runs[0]["train_loss"][-1] < runs[0]["train_loss"][0]


def test_fit_with_patience_stops_by_the_rule_and_restores_the_best_weights(small_moons):
    X, y, X_val, y_val = small_moons
    full = fit(mlp([2, 40, 40, 2], seed=0), X, y, X_val, y_val, epochs=150, lr=0.1, batch_size=30, momentum=0.9)
    stop, best = early_stopping_epoch(full.val_loss, 5)
    assert stop < 150                            # the run overfits, so the rule fires
    net = mlp([2, 40, 40, 2], seed=0)
    h = fit(net, X, y, X_val, y_val, epochs=150, lr=0.1, batch_size=30, momentum=0.9, patience=5)
    assert (h.stopped, h.best) == (stop, best)
    assert np.isclose(net.loss(X_val, y_val), full.val_loss[best])


def test_fit_calls_the_callback_each_epoch(small_moons):
    X, y, X_val, y_val = small_moons
    seen = []
    fit(mlp([2, 4, 2]), X, y, X_val, y_val, epochs=3, callback=lambda epoch, h: seen.append((epoch, len(h.val_loss))))
    assert seen == [(1, 2), (2, 3), (3, 4)]


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=-1), "lr must be >= 0"), (dict(epochs=2.5), "epochs must be an integer"),
    (dict(momentum=1.0), "momentum must be < 1"), (dict(batch_size=0), "batch_size must be >= 1"),
    (dict(patience=0), "patience must be >= 1"), (dict(callback=3), "callback must be a function"),
    (dict(input_noise=-0.1), "input_noise must be >= 0"),
])
def test_fit_rejects_bad_arguments(kwargs, message, small_moons):
    X, y, X_val, y_val = small_moons
    with pytest.raises((ValueError, TypeError), match=message):
        fit(mlp([2, 4, 2]), X, y, X_val, y_val, **kwargs)


def test_fit_rejects_a_net_that_is_not_a_network(small_moons):
    with pytest.raises(TypeError, match="net must be a Network"):
        fit([layers.ReLU()], *small_moons)


def test_fit_rejects_mismatched_labels(small_moons):
    X, y, X_val, y_val = small_moons
    with pytest.raises(ValueError, match="one label per sample"):
        fit(mlp([2, 4, 2]), X, y[:-1], X_val, y_val)


@pytest.mark.parametrize("losses, patience, expected", [
    ([1.0, 0.8, 0.7, 0.75, 0.9, 1.1], 2, (4, 2)),
    ([1.0, 0.8, 0.7, 0.75, 0.72, 0.69, 0.8, 0.9, 1.0], 3, (8, 5)),
    ([1.0, 0.9, 0.8], 1, (2, 2)),
    ([0.5, 0.5, 0.5], 2, (2, 0)),
    ([0.3], 4, (0, 0)),
])
def test_early_stopping_epoch_follows_the_patience_rule(losses, patience, expected):
    assert early_stopping_epoch(losses, patience) == expected


@pytest.mark.parametrize("losses, patience, message", [([], 2, "at least one"), ([1.0, np.nan], 2, "finite"),
                                                       ([1.0], 0, "patience must be >= 1")])
def test_early_stopping_epoch_rejects_bad_input(losses, patience, message):
    with pytest.raises(ValueError, match=message):
        early_stopping_epoch(losses, patience)


# --- the diamond and the circle ------------------------------------------------------------

def random_quadratic(seed):
    """A random positive-definite 2 × 2 curvature A and unconstrained minimum w* (seeded)."""
    r = np.random.RandomState(seed)
    M = r.randn(2, 2)
    return M @ M.T + 0.2 * np.eye(2), r.randn(2) * 3


@pytest.mark.parametrize("seed", range(5))
def test_constrained_minimum_matches_scipy_on_the_l2_ball(seed):
    A, w_star = random_quadratic(seed)
    ours = constrained_minimum(A, w_star, 1.0, 2)
    f = lambda w: 0.5 * (w - w_star) @ A @ (w - w_star)
    ref = minimize(f, np.zeros(2), method="SLSQP", constraints={"type": "ineq", "fun": lambda w: 1.0 - w @ w},
                   options={"ftol": 1e-14}).x
    assert f(ours) <= f(ref) + 1e-9
    assert np.linalg.norm(ours) <= 1.0 + 1e-9


@pytest.mark.parametrize("seed", range(5))
def test_constrained_minimum_beats_a_grid_search_on_the_l1_ball(seed):
    A, w_star = random_quadratic(seed)
    ours = constrained_minimum(A, w_star, 1.0, 1)
    g = np.linspace(-1, 1, 801)
    G = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    G = G[np.abs(G).sum(1) <= 1]
    f = lambda w: 0.5 * np.einsum("...i,ij,...j->...", w - w_star, A, w - w_star)
    assert f(ours) <= f(G).min() + 1e-12
    assert np.abs(ours).sum() <= 1.0 + 1e-9


def test_l1_corner_and_l2_edge_on_the_notebook_example():
    A, w_star = np.array([[1.0, 0.4], [0.4, 2.0]]), np.array([0.6, 1.6])
    assert np.allclose(constrained_minimum(A, w_star, 1.0, 1), [0.0, 1.0], atol=1e-9)
    assert np.all(np.abs(constrained_minimum(A, w_star, 1.0, 2)) > 0.2)


def test_constrained_minimum_inside_the_ball_is_the_unconstrained_minimum():
    w_star = np.array([0.2, -0.3])
    assert np.array_equal(constrained_minimum(np.eye(2), w_star, 1.0, 1), w_star)


@pytest.mark.parametrize("args, message", [
    ((np.array([[1.0, 2.0], [2.0, 1.0]]), np.ones(2), 1.0, 2), "positive definite"),
    ((np.eye(2), np.ones(2), 1.0, 3), "norm must be 1 or 2"),
    ((np.eye(3), np.ones(3), 1.0, 1), "2×2"),
    ((np.eye(2), np.ones(2), 0.0, 1), "radius must be > 0"),
])
def test_constrained_minimum_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        constrained_minimum(*args)


# --- data and construction -----------------------------------------------------------------

def test_mlp_layout_and_bad_arguments():
    net = mlp([2, 8, 8, 3], dropout=0.5, batchnorm=True)
    names = [type(layer).__name__ for layer in net.layers]
    assert names == ["Affine", "BatchNorm", "ReLU", "Dropout"] * 2 + ["Affine"]
    assert len(net.weights) == 3
    with pytest.raises(TypeError, match="layer_sizes"):
        mlp(5)
    with pytest.raises(ValueError, match="dropout must be <= 1"):
        mlp([2, 3, 2], dropout=1.5)
    with pytest.raises(TypeError, match="layer_list"):
        Network([])
    with pytest.raises(TypeError, match=r"layer_list\[0\] must have forward and backward"):
        Network([object()])


# --- many seeds at once --------------------------------------------------------------------

SMALL = dict(sizes=[2, 12, 10, 2], n_train=30, n_val=60, noise=0.4, epochs=40, lr=0.1, momentum=0.9)


def one_by_one(settings, k, batch_size=None, **overrides):
    """What fit gives for seed k of compare_over_seeds: its data, its initial weights."""
    args = {**SMALL, **overrides}
    X, y, X_val, y_val = moons_split(args["n_train"], args["n_val"], args["noise"], seed=1 + 2 * k)
    net = mlp(args["sizes"], batchnorm=settings.get("batchnorm", False), seed=k)
    history = fit(net, X, y, X_val, y_val, epochs=args["epochs"], lr=args["lr"], momentum=args["momentum"],
                  batch_size=batch_size or args["n_train"], l1=settings.get("l1", 0.0), l2=settings.get("l2", 0.0))
    return net, history.as_arrays(), (X_val, y_val)


@pytest.mark.parametrize("remedies", [
    {"none": {}, "L1": {"l1": 0.01}, "L2": {"l2": 0.03}},
    {"none": {}, "batch norm": {"batchnorm": True}},     # full batch: the batch statistics ignore the order
])
def test_compare_over_seeds_equals_fit_one_network_at_a_time(remedies):
    runs = compare_over_seeds(remedies, seeds=[0, 2], **SMALL)
    for name, settings in remedies.items():
        for j, k in enumerate([0, 2]):
            net, curves, (X_val, y_val) = one_by_one(settings, k)
            batched = runs.run(name, j)
            for metric in curves:   # rounding only: the same sums in another order
                assert np.allclose(batched[metric], curves[metric], rtol=1e-9, atol=1e-12), (name, k, metric)
            assert np.isclose(runs.network(name, j).loss(X_val, y_val), net.loss(X_val, y_val), rtol=1e-9)
            assert np.isclose(runs.final(name)["val_loss"][j], curves["val_loss"][-1], rtol=1e-9)


def test_final_with_patience_is_what_fit_with_patience_keeps():
    runs = compare_over_seeds({"none": {}}, seeds=[0, 1], **{**SMALL, "epochs": 80})
    stopped = runs.final("none", patience=5)
    for j, k in enumerate([0, 1]):
        X, y, X_val, y_val = moons_split(30, 60, 0.4, seed=1 + 2 * k)
        net = mlp(SMALL["sizes"], seed=k)
        h = fit(net, X, y, X_val, y_val, epochs=80, lr=0.1, momentum=0.9, batch_size=30, patience=5)
        assert stopped["epoch"][j] == h.best
        assert np.isclose(stopped["val_loss"][j], net.loss(X_val, y_val), rtol=1e-9)
        assert np.isclose(stopped["gap"][j], h.train_acc[h.best] - h.val_acc[h.best])


def test_compare_over_seeds_with_noise_and_dropout_is_deterministic_and_learns():
    remedies = {"none": {}, "dropout": {"dropout": 0.5}, "input noise": {"input_noise": 0.3},
                "weight noise": {"weight_noise": 0.1}, "batch norm": {"batchnorm": True}}
    a = compare_over_seeds(remedies, seeds=[0, 1], batch_size=10, **SMALL)
    b = compare_over_seeds(remedies, seeds=[0, 1], batch_size=10, **SMALL)
    for metric in a.curves:
        assert np.array_equal(a.curves[metric], b.curves[metric])
    for name in remedies:      # every network learns, and its rebuilt Network gives the recorded numbers
        assert np.all(a.curve(name, "train_loss")[:, -1] < a.curve(name, "train_loss")[:, 0])
        X, y, X_val, y_val = moons_split(30, 60, 0.4, seed=3)
        assert np.isclose(a.network(name, 1).loss(X_val, y_val), a.final(name)["val_loss"][1], rtol=1e-9)


def test_noise_and_dropout_change_the_run_and_zero_noise_does_not():
    runs = compare_over_seeds({"none": {}, "zero noise": {"input_noise": 0.0, "dropout": 0.0},
                               "noise": {"input_noise": 0.3}, "dropout": {"dropout": 0.5}}, seeds=[0, 1], **SMALL)
    assert np.array_equal(runs.final("none")["val_loss"], runs.final("zero noise")["val_loss"])
    for name in ("noise", "dropout"):
        assert not np.allclose(runs.final(name)["val_loss"], runs.final("none")["val_loss"])


def test_seed_comparison_summary_has_a_line_per_remedy_with_the_means():
    runs = compare_over_seeds({"none": {}, "L2": {"l2": 0.01}}, seeds=[0, 1], **{**SMALL, "epochs": 5})
    lines = runs.summary().splitlines()
    assert len(lines) == 3 and lines[1].startswith("none") and lines[2].startswith("L2")
    assert f"{runs.final('L2')['val_acc'].mean():.1%}" in lines[2]


@pytest.mark.parametrize("args, message", [
    (dict(remedies={}), "remedies must be a non-empty dict"),
    (dict(remedies={"a": {"l3": 0.1}}), "must be a dict with keys from"),
    (dict(remedies={"a": {"l1": -0.1}}), "must be >= 0"),
    (dict(remedies={"a": {"dropout": 1.0}}), "must be <= 0.99"),
    (dict(seeds=[0]), "at least 2 seeds"),
    (dict(seeds=3), "seeds must be a list"),
    (dict(sizes=[2, 2]), "sizes must be a list of at least three"),
    (dict(remedies={"a": {"batchnorm": True}}, batch_size=1), "no mini-batch of one sample"),
    (dict(callback="print"), "callback must be a function"),
])
def test_compare_over_seeds_rejects_bad_arguments(args, message):
    kwargs = {"remedies": {"a": {}}, "seeds": [0, 1], **SMALL, "epochs": 1, **args}
    with pytest.raises((TypeError, ValueError), match=message):
        compare_over_seeds(**kwargs)


def test_seed_comparison_split_is_the_data_each_seed_trained_on():
    runs = compare_over_seeds({"none": {}}, seeds=[0, 4], **{**SMALL, "epochs": 3})
    X, y, X_val, y_val = runs.split(1)
    expected = moons_split(30, 60, 0.4, seed=9)
    assert all(np.array_equal(a, b) for a, b in zip((X, y, X_val, y_val), expected))
    assert np.isclose(runs.network("none", 1).loss(X_val, y_val), runs.final("none")["val_loss"][1], rtol=1e-9)


def test_seed_comparison_rejects_an_unknown_remedy():
    runs = compare_over_seeds({"a": {}}, seeds=[0, 1], **{**SMALL, "epochs": 1})
    with pytest.raises(ValueError, match="name must be one of"):
        runs.final("b")


def test_prune_by_validation_keeps_the_best_tree_of_the_path():
    X, y, X_val, y_val = moons_split(200, 200, 0.4, seed=1)
    path = prune_by_validation(X, y, X_val, y_val)
    assert path.train_acc[0] == 1.0 and path.trees[0].get_n_leaves() == path.leaves.max()
    assert path.best == int(np.argmax(path.val_acc)) and path.best_tree is path.trees[path.best]
    assert np.all(np.diff(path.leaves) <= 0)            # a larger α never keeps more leaves
    assert path.best_tree.score(X_val, y_val) == path.val_acc.max()


def test_fit_over_seeds_scores_each_model_on_each_seed():
    from sklearn.tree import DecisionTreeClassifier
    models = {"stump": lambda X, y, X_val, y_val, k: DecisionTreeClassifier(max_depth=1, random_state=k).fit(X, y),
              "full": lambda X, y, X_val, y_val, k: DecisionTreeClassifier(random_state=k).fit(X, y)}
    scores = fit_over_seeds(models, seeds=[0, 3], n_train=80, n_val=80)
    X, y, X_val, y_val = moons_split(80, 80, 0.4, seed=7)
    tree = DecisionTreeClassifier(random_state=3).fit(X, y)
    assert scores.final("full")["val_acc"][1] == tree.score(X_val, y_val)
    assert np.all(scores.final("full")["train_acc"] == 1.0)
    assert np.all(scores.final("stump")["gap"] == scores.train_acc[0] - scores.val_acc[0])
    assert set(scores.first) == {"stump", "full"} and len(scores.summary().splitlines()) == 3


@pytest.mark.parametrize("models, seeds, message", [
    ({}, [0, 1], "models must be a non-empty dict"), ({"a": 3}, [0, 1], "models must be a non-empty dict"),
    ({"a": lambda *args: None}, [0], "at least 2 seeds"),
])
def test_fit_over_seeds_rejects_bad_arguments(models, seeds, message):
    with pytest.raises((TypeError, ValueError), match=message):
        fit_over_seeds(models, seeds)


def test_network_reshapes_flat_inputs_to_its_input_shape_and_scores_accuracy(rng):
    conv = Conv2D(rng.randn(2, 1, 3, 3), np.zeros(2))
    head = layers.Affine(rng.randn(18, 3), np.zeros(3))
    net = Network([conv, layers.ReLU(), Flatten(), head], input_shape=(1, 5, 5))
    images = rng.randn(4, 1, 5, 5)
    reference = Network([conv, layers.ReLU(), Flatten(), head]).forward(images)
    assert np.array_equal(net.forward(images.reshape(4, 25)), reference)
    assert net.score(images.reshape(4, 25), reference.argmax(axis=1)) == 1.0
    with pytest.raises(TypeError, match="input_shape must be a tuple"):
        Network([head], input_shape=5)


def test_fit_over_seeds_takes_its_data_from_a_function():
    from sklearn.tree import DecisionTreeClassifier
    seen = []

    def data(k):
        seen.append(k)
        return moons_split(40, 40, 0.2, seed=k)

    scores = fit_over_seeds({"tree": lambda X, y, X_val, y_val, k: DecisionTreeClassifier(random_state=0).fit(X, y)},
                            seeds=[5, 6], data=data)
    assert seen == [5, 6]
    X, y, X_val, y_val = moons_split(40, 40, 0.2, seed=6)
    assert scores.val_acc[0, 1] == DecisionTreeClassifier(random_state=0).fit(X, y).score(X_val, y_val)
    with pytest.raises(TypeError, match="data must be a function"):
        fit_over_seeds({"tree": lambda *args: None}, seeds=[0, 1], data=3)


def test_a_networks_random_draws_do_not_depend_on_the_other_networks():
    alone = compare_over_seeds({"dropout": {"dropout": 0.5}, "noise": {"input_noise": 0.2}}, seeds=[0, 1],
                               batch_size=10, **SMALL)
    crowd = compare_over_seeds({"L2": {"l2": 0.01}, "noise": {"input_noise": 0.2}, "dropout": {"dropout": 0.5}},
                               seeds=[0, 1, 2], batch_size=10, **SMALL)
    for name in ("dropout", "noise"):
        for metric in ("val_loss", "train_acc"):
            assert np.allclose(alone.curve(name, metric), crowd.curve(name, metric)[:2], rtol=1e-9, atol=1e-12)
