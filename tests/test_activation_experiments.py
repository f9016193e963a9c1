"""Tests of course_lib/experiments/activation_experiments.py: the side-by-side trainer equals fit on each
network alone (and a plain maxout network), the race picks each activation's best rate, dead units,
descent paths."""
import numpy as np
import pytest

from course_lib import activations as A
from course_lib.experiments.activation_experiments import (RaceResult, SideBySideRuns, _maxout_stacked, _maxout_stacked_backward,
                                               activation_race, dead_unit_fraction, descent_path, train_side_by_side)
from course_lib.gradcheck import numerical_gradient
from course_lib.losses import softmax_cross_entropy
from course_lib.network import INITIALISATIONS, MLP
from course_lib.optim import SGD
from course_lib.training import fit


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "elu", "swish"])
def test_side_by_side_training_equals_fit_on_each_mlp_alone(activation, moons):
    X, y = moons
    lrs, seeds = [0.3, 0.6, 1.0], [0, 3, 5]
    runs = train_side_by_side(X, y, [2, 6, 5, 2], activation, lrs=lrs, seeds=seeds, num_passes=40,
                              record_every=1, init="he")
    for k, (lr, seed) in enumerate(zip(lrs, seeds)):
        net = MLP([2, 6, 5, 2], activation, seed=seed, init="he")
        history = fit(net, X, y, SGD(net.params, lr=lr), epochs=40)         # full batch, the lecture's passes
        np.testing.assert_allclose(runs.losses[:, k], history.step_loss, rtol=1e-10, atol=1e-12)
        for stacked, p in zip(runs.params, net.params):
            np.testing.assert_allclose(stacked[k], p, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(runs.model(k).forward(X), net.forward(X), rtol=1e-8, atol=1e-9)


def _maxout_net_loss(params, X, y, pieces):
    """Mean cross-entropy of one maxout network, written plainly with course_lib.activations.maxout."""
    h = X
    for l in range(len(params) // 2 - 1):
        h = A.maxout(h @ params[2 * l] + params[2 * l + 1], pieces)
    return softmax_cross_entropy(h @ params[-2] + params[-1], y)[0]


@pytest.mark.parametrize("pieces", [2, 3])
def test_maxout_networks_follow_the_gradient_of_their_loss(pieces, moons):
    X, y = moons
    lr = 0.5
    before = train_side_by_side(X, y, [2, 5, 4, 2], "maxout", lrs=lr, seeds=[0, 4], num_passes=0, init="lecture",
                                pieces=pieces)
    after = train_side_by_side(X, y, [2, 5, 4, 2], "maxout", lrs=lr, seeds=[0, 4], num_passes=1, init="lecture",
                               pieces=pieces, record_every=1)
    assert [p.shape for p in before.params] == [(2, 2, 5 * pieces), (2, 1, 5 * pieces), (2, 5, 4 * pieces),
                                                (2, 1, 4 * pieces), (2, 4, 2), (2, 1, 2)]
    for k in range(2):
        params = [p[k].copy() for p in before.params]
        assert after.losses[0, k] == pytest.approx(_maxout_net_loss(params, X, y, pieces), rel=1e-12)
        for i, p in enumerate(params):
            def loss_of(v, i=i):
                return _maxout_net_loss(params[:i] + [v] + params[i + 1:], X, y, pieces)
            step = (before.params[i][k] - after.params[i][k]) / lr          # the gradient the update used
            np.testing.assert_allclose(step, numerical_gradient(loss_of, p.copy()), rtol=1e-5, atol=1e-8)


def test_maxout_initialisation_draws_each_layer_like_the_mlp_with_pieces_times_the_columns():
    runs = train_side_by_side(np.zeros((3, 2)), [0, 1, 0], [2, 6, 2], "maxout", seeds=3, num_passes=0, init="he")
    rng = np.random.RandomState(3)
    np.testing.assert_array_equal(runs.params[0][0], rng.randn(2, 12) * INITIALISATIONS["he"](2, 6))
    np.testing.assert_array_equal(runs.params[2][0], rng.randn(6, 2) * INITIALISATIONS["he"](6, 2))
    assert runs.pieces == 2 and not runs.params[1].any()


def test_stacked_maxout_equals_the_activations_module_including_ties(rng):
    Z = rng.randn(3, 4, 6 * 3)
    Z[0, 0, 3:6] = 1.5                                        # a three-way tie: the first piece must win
    dh = rng.randn(3, 4, 6)
    h = _maxout_stacked(Z, 3)
    dZ = _maxout_stacked_backward(Z, 3, h, dh)
    for k in range(3):
        np.testing.assert_array_equal(h[k], A.maxout(Z[k], 3))
        np.testing.assert_array_equal(dZ[k], A.maxout_backward(Z[k], 3, dh[k]))
    assert dZ[0, 0, 3:6].tolist() == [dh[0, 0, 1], 0.0, 0.0]


def test_maxout_runs_have_no_mlp_and_no_dead_unit_count(moons):
    X, y = moons
    runs = train_side_by_side(X, y, [2, 4, 2], "maxout", num_passes=1)
    with pytest.raises(ValueError, match="maxout"):
        runs.model(0)
    with pytest.raises(ValueError, match="maxout"):
        dead_unit_fraction(runs, X)


def test_race_trains_every_rate_and_seed_and_picks_the_lowest_mean_loss_over_the_run(moons):
    X, y = moons
    race = activation_race(X, y, [2, 8, 2], {"tanh": "xavier", "relu": "he"}, [0.1, 0.5, 2.0], [0, 1],
                           num_passes=30, record_every=3)
    assert isinstance(race, RaceResult) and race.steps.tolist() == list(range(0, 30, 3))
    for name, init in race.inits.items():
        for r, lr in enumerate(race.lrs[name]):
            runs = train_side_by_side(X, y, [2, 8, 2], name, lrs=lr, seeds=[0, 1], num_passes=30, init=init,
                                      record_every=3)
            np.testing.assert_array_equal(race.losses[name][:, r, :], runs.losses)
        score = race.score(name)
        np.testing.assert_allclose(score, race.losses[name].mean(axis=0))
        best = int(np.argmin(score.mean(axis=1)))
        assert race.best_lr(name) == race.lrs[name][best]
        np.testing.assert_array_equal(race.at_best(name), race.losses[name][:, best, :])
        assert 0 < best < len(race.lrs[name]) - 1                # never left at an edge of what was tried


def test_race_tries_one_step_beyond_a_grid_whose_edge_is_best(moons):
    X, y = moons
    race = activation_race(X, y, [2, 8, 2], {"sigmoid": "xavier"}, [0.01, 0.1], [0, 1], num_passes=20)
    assert race.lrs["sigmoid"] == pytest.approx([0.01, 0.1, 1.0])
    assert race.losses["sigmoid"].shape == (4, 3, 2)
    inside = activation_race(X, y, [2, 8, 2], {"relu": "he"}, [0.1, 1.0, 1e4], [0], num_passes=20)
    assert inside.lrs["relu"].tolist() == [0.1, 1.0, 1e4] and inside.best_lr("relu") == 1.0


def test_race_of_a_diverging_rate_scores_inf_and_is_never_chosen(moons):
    X, y = moons
    race = activation_race(X * 50, y, [2, 16, 16, 2], {"leaky_relu": "he"}, [0.01, 0.1, 1e4], [0, 1], num_passes=60)
    assert np.all(np.isinf(race.score("leaky_relu")[2])) and race.best_lr("leaky_relu") < 1e4


def test_race_calls_back_after_each_activation(moons):
    X, y = moons
    seen = []
    activation_race(X, y, [2, 4, 2], {"tanh": "xavier", "maxout": "lecture"}, [0.3, 1.0], [0], num_passes=2,
                    callback=seen.append)
    assert seen == ["tanh", "maxout"]


@pytest.mark.parametrize("kwargs, exc, name", [
    ({"inits": ["relu"]}, TypeError, "inits"),
    ({"inits": {}}, TypeError, "inits"),
    ({"inits": {"relu6": "he"}}, ValueError, "activation"),
    ({"inits": {"relu": "glorot"}}, ValueError, "init"),
    ({"lrs": [1.0]}, ValueError, "lrs"),
    ({"lrs": [1.0, 0.5]}, ValueError, "lrs"),
    ({"lrs": [0.0, 0.5]}, ValueError, "lrs"),
    ({"seeds": [0.5]}, TypeError, "seeds"),
    ({"callback": "print"}, TypeError, "callback"),
])
def test_activation_race_rejects_bad_input(kwargs, exc, name, moons):
    X, y = moons
    args = {"inits": {"relu": "he"}, "lrs": [0.5, 1.0], "seeds": [0], "num_passes": 1, **kwargs}
    with pytest.raises(exc, match=name):
        activation_race(X, y, [2, 4, 2], **args)
    with pytest.raises(ValueError, match="name"):
        activation_race(X, y, [2, 4, 2], {"relu": "he"}, [0.5, 1.0], [0], num_passes=1).score("tanh")


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
    ({"activation": "maxout", "pieces": 0}, ValueError, "pieces"),
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
