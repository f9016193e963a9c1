"""Tests of course_lib/activation_experiments.py: side-by-side training equals MLP.train, dead units, descent paths."""
import numpy as np
import pytest

from course_lib.activation_experiments import SideBySideRuns, dead_unit_fraction, descent_path, train_side_by_side
from course_lib.network import MLP


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "elu", "swish"])
def test_side_by_side_training_equals_training_each_mlp_alone(activation, moons):
    X, y = moons
    lrs, seeds = [0.3, 0.6, 1.0], [0, 3, 5]
    runs = train_side_by_side(X, y, [2, 6, 5, 2], activation, lrs=lrs, seeds=seeds, num_passes=40,
                              record_every=1, init="he")
    for k, (lr, seed) in enumerate(zip(lrs, seeds)):
        net = MLP([2, 6, 5, 2], activation, seed=seed, init="he")
        history = net.train(X, y, num_passes=40, lr=lr, record_every=1)
        np.testing.assert_allclose(runs.losses[:, k], history["loss"], rtol=1e-10, atol=1e-12)
        for stacked, p in zip(runs.params, net.params):
            np.testing.assert_allclose(stacked[k], p, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(runs.model(k).forward(X), net.forward(X), rtol=1e-8, atol=1e-9)


def test_scalar_lr_or_seed_is_repeated(moons):
    X, y = moons
    runs = train_side_by_side(X, y, [2, 4, 2], lrs=0.5, seeds=[0, 1, 2], num_passes=3)
    assert runs.lrs.tolist() == [0.5, 0.5, 0.5] and runs.seeds.tolist() == [0, 1, 2]
    assert runs.losses.shape == (1, 3) and runs.steps.tolist() == [0]


def test_zero_passes_leaves_the_initialisation(moons):
    X, y = moons
    runs = train_side_by_side(X, y, [2, 4, 2], seeds=[7], num_passes=0, init="lecture")
    net = MLP([2, 4, 2], "relu", seed=7, init="lecture")
    for stacked, p in zip(runs.params, net.params):
        np.testing.assert_array_equal(stacked[0], p)


def test_a_diverging_network_is_frozen_and_reported_as_nan_without_touching_the_others(moons):
    X, y = moons
    runs = train_side_by_side(X * 50, y, [2, 16, 16, 2], "leaky_relu", lrs=[0.01, 1e4], seeds=0,
                              num_passes=60, record_every=1, init="he")
    assert np.all(np.isfinite(runs.losses[:, 0]))
    assert np.isnan(runs.losses[-1, 1])
    assert np.isnan(dead_unit_fraction(runs, X * 50)[1]) and np.isfinite(dead_unit_fraction(runs, X * 50)[0])


def test_dead_unit_fraction_counts_units_negative_on_every_input():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])       # all inputs non-negative
    W1 = np.array([[[1.0, -1.0, 1.0, -1.0], [1.0, -1.0, -2.0, 0.0]]])
    b1 = np.array([[[0.0, 0.0, 0.5, -0.1]]])                 # unit 1: −x₁−x₂ ≤ 0 always; unit 3: −x₁−0.1 < 0
    W2 = np.ones((1, 4, 2)); b2 = np.zeros((1, 1, 2))
    runs = SideBySideRuns("relu", [2, 4, 2], np.array([1.0]), np.array([0]), np.array([0]), np.zeros((1, 1)),
                          [W1, b1, W2, b2])
    assert dead_unit_fraction(runs, X).tolist() == [0.5]


def test_a_huge_learning_rate_kills_relu_units_that_a_small_one_keeps(moons):
    X, y = moons
    runs = train_side_by_side(X, y, [2, 32, 32, 2], "relu", lrs=[0.1, 0.1, 5.0, 5.0], seeds=[0, 1, 0, 1],
                              num_passes=60, init="he")
    dead = dead_unit_fraction(runs, X)
    assert dead[2:].min() > 0.3 > dead[:2].max()


def test_descent_path_with_positive_inputs_moves_both_weights_the_same_way(rng):
    x = 1 / (1 + np.exp(-rng.randn(40, 2)))                  # sigmoid outputs: all in (0, 1)
    t = x @ np.array([1.0, -1.0])
    path, steps = descent_path(x, t, np.zeros(2), lr=0.5, num_steps=80)
    assert path.shape == (81, 2) and steps.shape == (80, 2)
    moving = np.abs(steps).sum(axis=1) > 0
    assert np.all(np.sign(steps[moving, 0]) == np.sign(steps[moving, 1]))
    np.testing.assert_allclose(np.diff(path, axis=0), steps)


def test_descent_path_full_batch_is_gradient_descent_on_the_mean_squared_error(rng):
    x, t, w0 = rng.randn(10, 3), rng.randn(10), rng.randn(3)
    path, _ = descent_path(x, t, w0, lr=0.1, num_steps=2, batch_size=10)
    w1 = w0 - 0.1 * x.T @ (x @ w0 - t) / 10
    np.testing.assert_allclose(path[1], w1)
    np.testing.assert_allclose(path[2], w1 - 0.1 * x.T @ (x @ w1 - t) / 10)


def test_descent_path_cycles_through_the_samples_in_order(rng):
    x, t = rng.randn(3, 2), rng.randn(3)
    path, _ = descent_path(x, t, np.zeros(2), lr=0.1, num_steps=4, batch_size=2)
    w = np.zeros(2)
    for rows in ([0, 1], [2, 0], [1, 2], [0, 1]):
        w = w - 0.1 * x[rows].T @ (x[rows] @ w - t[rows]) / 2
    np.testing.assert_allclose(path[-1], w)


@pytest.mark.parametrize("kwargs, exc, name", [
    ({"layer_sizes": [2]}, TypeError, "layer_sizes"),
    ({"layer_sizes": [3, 4, 2]}, ValueError, "X"),
    ({"activation": "relu6"}, ValueError, "activation"),
    ({"init": "glorot"}, ValueError, "init"),
    ({"lrs": [0.1, -1.0]}, ValueError, "lrs"),
    ({"lrs": []}, ValueError, "lrs"),
    ({"lrs": [0.1, 0.2], "seeds": [0, 1, 2]}, ValueError, "lrs and seeds"),
    ({"seeds": 1.5}, TypeError, "seeds"),
    ({"num_passes": -1}, ValueError, "num_passes"),
    ({"record_every": 0}, ValueError, "record_every"),
])
def test_train_side_by_side_rejects_bad_input(kwargs, exc, name, moons):
    X, y = moons
    args = {"layer_sizes": [2, 4, 2], **kwargs}
    with pytest.raises(exc, match=name):
        train_side_by_side(X, y, **args)


def test_dead_unit_fraction_rejects_bad_input(moons):
    X, y = moons
    runs = train_side_by_side(X, y, [2, 4, 2], num_passes=1)
    with pytest.raises(TypeError, match="runs"):
        dead_unit_fraction({"params": []}, X)
    with pytest.raises(ValueError, match="X"):
        dead_unit_fraction(runs, np.ones((3, 5)))


@pytest.mark.parametrize("args, exc, name", [
    ((np.ones(4), np.ones(4), np.zeros(1), 0.1, 5), ValueError, "inputs"),
    ((np.ones((4, 2)), np.ones(3), np.zeros(2), 0.1, 5), ValueError, "targets"),
    ((np.ones((4, 2)), np.ones(4), np.zeros(3), 0.1, 5), ValueError, "w0"),
    ((np.ones((4, 2)), np.ones(4), np.zeros(2), -0.1, 5), ValueError, "lr"),
    ((np.ones((4, 2)), np.ones(4), np.zeros(2), 0.1, 2.5), TypeError, "num_steps"),
    ((np.ones((4, 2)), np.ones(4), np.zeros(2), 0.1, 5, 5), ValueError, "batch_size"),
])
def test_descent_path_rejects_bad_input(args, exc, name):
    with pytest.raises(exc, match=name):
        descent_path(*args)
