"""Tests of course_lib/experiments/regularisation.py: penalties, the patience rule, constraints, and the
side-by-side trainer compare_over_seeds, checked against course_lib.training.fit network by network.

(The network's gradients with penalties, batch norm, dropout and convolutions are in
tests/test_training_regularisation_cases.py.)"""
import numpy as np
import pytest
from scipy.optimize import minimize

from course_lib.data import moons_split
from course_lib.experiments.regularisation import (compare_over_seeds, constrained_minimum, early_stopping_epoch,
                                                   fit_over_seeds, prune_by_validation)
from course_lib.network import MLP
from course_lib.optim import SGD
from course_lib.training import evaluate, fit


def relu_mlp(sizes, seed=0, **options):
    """The chapter's network: ReLU units, He's initialisation."""
    return MLP(sizes, "relu", seed=seed, init="he", **options)


def sgd_fit(net, X, y, X_val, y_val, lr=0.1, momentum=0.9, **kwargs):
    """fit with SGD and momentum, recording both sets every epoch (as the chapter trains)."""
    return fit(net, X, y, SGD(net.params, lr=lr, momentum=momentum), validation=(X_val, y_val), **kwargs)


# --- early stopping -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_moons():
    return moons_split(n_train=30, n_val=60, noise=0.4, seed=1)


def test_fit_with_patience_stops_where_the_patience_rule_says_and_keeps_the_best(small_moons):
    X, y, X_val, y_val = small_moons
    full = sgd_fit(relu_mlp([2, 40, 40, 2]), X, y, X_val, y_val, epochs=150, batch_size=30)
    stop, best = early_stopping_epoch(full.val_loss, 5)
    assert stop < 150                            # the run overfits, so the rule fires
    net = relu_mlp([2, 40, 40, 2])
    h = sgd_fit(net, X, y, X_val, y_val, epochs=150, batch_size=30, patience=5)
    assert (h.stopped, h.best) == (stop, best)
    assert np.isclose(evaluate(net, X_val, y_val)[0], full.val_loss[best])


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


# --- many seeds at once --------------------------------------------------------------------

SMALL = dict(sizes=[2, 12, 10, 2], n_train=30, n_val=60, noise=0.4, epochs=40, lr=0.1, momentum=0.9)


def one_by_one(settings, k, **overrides):
    """What fit gives for seed k of compare_over_seeds (full batch): its data, its initial weights."""
    args = {**SMALL, **overrides}
    X, y, X_val, y_val = moons_split(args["n_train"], args["n_val"], args["noise"], seed=1 + 2 * k)
    net = relu_mlp(args["sizes"], seed=k, batchnorm=settings.get("batchnorm", False))
    history = sgd_fit(net, X, y, X_val, y_val, lr=args["lr"], momentum=args["momentum"], epochs=args["epochs"],
                      batch_size=args["n_train"], l1=settings.get("l1", 0.0), l2=settings.get("l2", 0.0))
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
            for metric in batched:   # rounding only: the same sums in another order
                assert np.allclose(batched[metric], curves[metric], rtol=1e-9, atol=1e-12), (name, k, metric)
            for ours, theirs in zip(runs.network(name, j).params, net.params):
                np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10)
            assert np.isclose(runs.network(name, j).loss(X_val, y_val), net.loss(X_val, y_val), rtol=1e-9)
            assert np.isclose(runs.final(name)["val_loss"][j], curves["val_loss"][-1], rtol=1e-9)


def test_final_with_patience_is_what_fit_with_patience_keeps():
    runs = compare_over_seeds({"none": {}}, seeds=[0, 1], **{**SMALL, "epochs": 80})
    stopped = runs.final("none", patience=5)
    for j, k in enumerate([0, 1]):
        X, y, X_val, y_val = moons_split(30, 60, 0.4, seed=1 + 2 * k)
        net = relu_mlp(SMALL["sizes"], seed=k)
        h = sgd_fit(net, X, y, X_val, y_val, epochs=80, batch_size=30, patience=5)
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
