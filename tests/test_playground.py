"""Tests of course_lib/experiments/playground.py: the state, the features, the training and the export to torch."""
import json

import numpy as np
import pytest

from course_lib.experiments.playground import (DEFAULT_CONFIG, FEATURES, OPTIMIZERS, Playground, feature_matrix,
                                               input_grid)
from course_lib.network import MLP
from course_lib.training import evaluate


def small(**changes):
    """A quick playground: 120 points, a 2-6-4-2 network."""
    return Playground({"points": 120, "hidden": [6, 4], **changes})


# --- features ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("x1", lambda a, b: a), ("x2", lambda a, b: b), ("x1^2", lambda a, b: a ** 2), ("x2^2", lambda a, b: b ** 2),
    ("x1*x2", lambda a, b: a * b), ("sin(x1)", lambda a, b: np.sin(a)), ("sin(x2)", lambda a, b: np.sin(b)),
])
def test_every_feature_is_its_function_of_the_coordinates(name, expected):
    X = np.array([[0.5, -2.0], [3.0, 1.5], [-6.0, 0.0]])
    np.testing.assert_allclose(feature_matrix(X, [name])[:, 0], expected(X[:, 0], X[:, 1]), rtol=0, atol=1e-15)


def test_feature_matrix_keeps_the_order_of_the_names():
    X = np.array([[2.0, 3.0]])
    np.testing.assert_array_equal(feature_matrix(X, ["x1*x2", "x1", "x2^2"]), [[6.0, 2.0, 9.0]])
    assert set(FEATURES) == {"x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"}


def test_input_grid_is_an_image_from_the_top_left_corner():
    grid = input_grid(3)
    np.testing.assert_array_equal(grid[0], [-6, 6])
    np.testing.assert_array_equal(grid[2], [6, 6])
    np.testing.assert_array_equal(grid[-1], [6, -6])


# --- the state -----------------------------------------------------------------------------------

def test_reset_restores_the_same_initial_weights_until_the_seed_changes():
    pg = small()
    initial = pg.weights()
    pg.train(5)
    assert not np.allclose(pg.weights()[0], initial[0])
    pg.reset()
    for W, W0 in zip(pg.weights(), initial):
        np.testing.assert_array_equal(W, W0)
    assert pg.epoch == 0 and pg.step_loss == [] and pg.epochs == [0]
    pg.configure(seed=1)
    assert not np.allclose(pg.weights()[0], initial[0])


def test_the_initial_weights_are_the_mlps_of_the_same_seed_and_initialisation():
    pg = small(seed=3, init="he", activation="relu")
    net = MLP([2, 6, 4, 2], "relu", seed=3, init="he")
    for W, W0 in zip(pg.weights(), net.weights):
        np.testing.assert_array_equal(W, W0)


def test_the_configuration_round_trips_through_json_to_the_exact_state():
    pg = small(dataset="spiral", noise=0.2, features=["x1", "x2", "sin(x1)"], optimizer="adam", lr=0.01,
               regularisation="l2", reg_rate=0.001, batchnorm=True, dropout=0.1)
    pg.train(4)
    config = json.loads(pg.to_json())
    assert config == pg.config and config["epoch"] == 4
    again = Playground(config)
    for W, W0 in zip(again.weights(), pg.weights()):
        np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(again.step_loss, pg.step_loss)
    np.testing.assert_array_equal(again.output_grid(10), pg.output_grid(10))


def test_config_is_a_copy_and_has_every_default_key():
    pg = small()
    config = pg.config
    config["hidden"].append(99)
    assert pg.config["hidden"] == [6, 4]
    assert set(config) == set(DEFAULT_CONFIG)
    assert json.loads(json.dumps(config)) == config


def test_live_settings_keep_the_weights_and_others_reset_them():
    pg = small()
    pg.train(3)
    trained = pg.weights()
    pg.configure(lr=0.1, batch_size=5, schedule="step", regularisation="l1", reg_rate=0.01)
    assert pg.epoch == 3 and pg.optimizer.lr == 0.1
    np.testing.assert_array_equal(pg.weights()[0], trained[0])
    pg.configure(activation="relu")
    assert pg.epoch == 0
    pg.train(1)
    pg.configure(dataset="xor")
    assert pg.epoch == 0 and len(pg.X_train) == 60


def test_live_changes_during_training_are_logged_and_replayed_exactly():
    pg = small()
    pg.configure(lr=0.05)                       # before training: just a setting
    pg.train(2)
    pg.configure(lr=0.2, regularisation="l2", reg_rate=0.01)
    pg.train(1)
    pg.configure(batch_size=4)
    pg.train(2)
    config = pg.config
    assert config["live_changes"] == [[2, "lr", 0.05, 0.2], [2, "regularisation", "none", "l2"],
                                      [2, "reg_rate", 0.0, 0.01], [3, "batch_size", 10, 4]]
    again = Playground(json.loads(json.dumps(config)))
    np.testing.assert_array_equal(again.step_loss, pg.step_loss)
    assert again.config == config
    pg.reset()
    assert pg.config["live_changes"] == [] and pg.config["lr"] == 0.2


def test_an_own_point_joins_the_training_set_and_the_network_starts_again():
    pg = small()
    pg.train(2)
    n = len(pg.X_train)
    pg.add_point(1.0, -2.0, 1)
    assert len(pg.X_train) == n + 1 and pg.epoch == 0
    np.testing.assert_array_equal(pg.X_train[-1], [1.0, -2.0])
    assert pg.y_train[-1] == 1 and pg.config["own_points"] == [[1.0, -2.0, 1]]


def test_more_classes_give_a_softmax_over_every_class():
    pg = Playground(points=200, dataset="gauss", classes=4, hidden=[8])
    pg.train(5)
    probs = pg.output_grid(12)
    assert probs.shape == (12, 12, 4)
    np.testing.assert_allclose(probs.sum(axis=2), 1, atol=1e-12)
    assert pg.train_loss[-1] < pg.train_loss[0]


def test_training_lowers_the_loss_on_xor_with_a_hidden_layer():
    pg = Playground(dataset="xor", hidden=[8, 8], points=200, lr=0.03, optimizer="adam")
    pg.train(30)
    assert pg.train_loss[-1] < 0.5 * pg.train_loss[0]
    assert pg.accuracy()[0] > 0.9


def test_without_a_hidden_layer_xor_stays_near_chance():
    pg = Playground(dataset="xor", hidden=[], points=200, lr=0.03, optimizer="adam")
    pg.train(30)
    assert pg.accuracy()[0] < 0.7


def test_the_losses_recorded_are_the_mean_cross_entropy_of_each_set():
    pg = small()
    pg.train(2)
    assert pg.train_loss[-1] == pytest.approx(evaluate(pg.net, pg.F_train, pg.y_train)[0], abs=1e-15)
    assert pg.test_loss[-1] == pytest.approx(evaluate(pg.net, pg.F_test, pg.y_test)[0], abs=1e-15)
    assert len(pg.step_loss) == 2 * int(np.ceil(60 / 10)) and pg.epochs == [0, 1, 2]


def test_neuron_grids_show_the_features_then_every_hidden_layer():
    pg = small(features=["x1", "x2", "x1*x2"])
    grids = pg.neuron_grids(8)
    assert [g.shape for g in grids] == [(8, 8, 3), (8, 8, 6), (8, 8, 4)]
    np.testing.assert_allclose(grids[0][0, 0], [-6, 6, -36])


def test_gradient_norms_are_recorded_per_layer_and_epoch():
    pg = Playground(hidden=[8] * 6, activation="sigmoid", init="lecture", points=120)
    pg.train(3)
    norms = np.array(pg.gradient_norms)
    assert norms.shape == (3, 7) and np.all(norms >= 0)
    assert np.all(norms[:, 0] < norms[:, -1])      # six sigmoid layers: the first learns slowest


def test_linear_activation_makes_the_network_a_linear_map():
    pg = small(activation="linear")
    grids = pg.neuron_grids(5)
    flat = grids[1].reshape(-1, 6)
    X = input_grid(5)
    coef, *_ = np.linalg.lstsq(np.c_[X, np.ones(len(X))], flat, rcond=None)
    np.testing.assert_allclose(np.c_[X, np.ones(len(X))] @ coef, flat, atol=1e-12)


@pytest.mark.parametrize("changes, error, words", [
    ({"dataset": "rings"}, ValueError, "dataset must be one of"),
    ({"features": []}, ValueError, "features must be a non-empty list"),
    ({"features": ["x3"]}, ValueError, "each feature must be one of"),
    ({"features": ["x1", "x1"]}, ValueError, "must not repeat"),
    ({"hidden": 4}, TypeError, "hidden must be a list"),
    ({"hidden": [0]}, ValueError, "hidden"),
    ({"activation": "swish"}, ValueError, "activation must be one of"),
    ({"optimizer": "lbfgs"}, ValueError, "optimizer must be one of"),
    ({"lr": -1}, ValueError, "lr"),
    ({"batchnorm": True, "batch_size": 1}, ValueError, "batch norm needs"),
    ({"colour": "red"}, ValueError, "unknown configuration keys"),
    ({"own_points": [[0, 0]]}, ValueError, "own_points"),
    ({"own_points": [[0, 0, 2]]}, ValueError, "own_points"),
])
def test_bad_settings_say_what_was_expected(changes, error, words):
    with pytest.raises(error, match=words):
        Playground(changes)


def test_epoch_is_not_a_setting():
    with pytest.raises(ValueError, match="epoch and live_changes are not settings"):
        small().configure(epoch=3)


# --- export as PyTorch ---------------------------------------------------------------------------

def run_export(pg, epochs):
    scope = {}
    exec(pg.to_torch(epochs), scope)
    return np.array(scope["losses"])


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_the_torch_export_reproduces_the_first_50_losses(optimizer):
    pg = Playground(hidden=[8, 8], features=["x1", "x2", "x1^2", "sin(x2)"], optimizer=optimizer, lr=0.03,
                    dataset="spiral", noise=0.1)
    pg.train(3)
    losses = run_export(pg, 3)
    assert len(losses) == len(pg.step_loss) >= 50
    np.testing.assert_allclose(losses[:50], pg.step_loss[:50], rtol=0, atol=1e-8)


@pytest.mark.parametrize("changes", [
    {"batchnorm": True, "activation": "relu", "init": "he"},
    {"regularisation": "l2", "reg_rate": 0.01, "schedule": "step"},
    {"regularisation": "l1", "reg_rate": 0.003, "activation": "sigmoid", "schedule": "exponential"},
    {"activation": "linear", "classes": 3, "dataset": "gauss"},
    {"own_points": [[1.0, 1.0, 0], [-2.0, 3.0, 1]], "batch_size": 7},
])
def test_the_torch_export_follows_every_option(changes):
    pg = Playground({"hidden": [5, 3], "points": 200, "optimizer": "momentum", "lr": 0.05, **changes})
    pg.train(3)
    np.testing.assert_allclose(run_export(pg, 3), pg.step_loss, rtol=0, atol=1e-8)


# --- what the presets' texts promise (chapters 01, 04, 05, 06, 08 and 11 say so), over seeds ----------

from course_lib.experiments.playground import PRESETS  # noqa: E402


def preset(name, seed, **changes):
    return Playground({**PRESETS[name]["config"], "seed": seed, "data_seed": seed, **changes})


@pytest.mark.parametrize("seed", range(3))
def test_too_large_a_rate_makes_the_loss_jump_and_a_smaller_one_does_not(seed):
    jumpy = preset("too-large-a-learning-rate", seed).train(30)
    smooth = preset("too-large-a-learning-rate", seed, lr=0.3).train(30)
    assert np.max(np.diff(jumpy.train_loss)) > 0.3
    assert np.max(np.diff(smooth.train_loss)) < 0.1 and smooth.train_loss[-1] < 0.2


@pytest.mark.parametrize("seed", range(3))
def test_the_noisy_spiral_overfits_its_test_loss_turns_up(seed):
    pg = preset("overfitting-the-noisy-spiral", seed).train(150)
    test = np.array(pg.test_loss)
    assert test.argmin() < 120 and test[-1] > 1.2 * test.min() and pg.train_loss[-1] < 0.05


@pytest.mark.parametrize("seed", range(3))
def test_four_clusters_are_learnt_and_xor_needs_a_hidden_layer(seed):
    assert preset("four-classes", seed).train(40).accuracy()[1] > 0.85
    assert preset("xor-needs-a-hidden-layer", seed).train(40).accuracy()[1] < 0.75
    assert preset("xor-needs-a-hidden-layer", seed, hidden=[4]).train(40).accuracy()[1] > 0.9


@pytest.mark.parametrize("seed", range(6))
def test_chapter_11s_xor_run_ends_below_a_quarter_of_its_start_for_every_seed(seed):
    pg = Playground(dataset="xor", hidden=[4], optimizer="adam", lr=0.03, points=200, seed=seed, data_seed=seed)
    pg.train(20)
    pg.configure(lr=0.01)
    pg.train(10)
    assert pg.train_loss[-1] < pg.train_loss[0] / 4
