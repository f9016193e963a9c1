"""Tests of course_lib/experiments/lr_training.py: the side-by-side trainer equals fit, range-test steps, ensembles."""
import numpy as np
import pytest

from course_lib.experiments.lr_training import ensemble_proba, range_test_step, train_over_seeds, train_side_by_side
from course_lib.network import MLP
from course_lib.optim import SGD
from course_lib.schedules import cosine_warm_restarts, lr_range_test, step_lr
from course_lib.training import batches, fit


def data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def fit_alone(layer_sizes, X, y, schedule, steps, seed, activation="relu", init="he", batch_size=32, l2=0.0,
              snapshot_at=()):
    """The plain loop on one network: what row k of train_side_by_side must equal."""
    net = MLP(layer_sizes, activation, seed=seed, init=init)
    rate = schedule if callable(schedule) else (lambda t: schedule)
    history = fit(net, X, y, SGD(net.params, lr=0.0), steps=steps, batch_size=batch_size, schedule=rate, l2=l2,
                  snapshot_at=snapshot_at, seed=seed)
    return net, history


def test_side_by_side_equals_fit_on_each_network_alone():
    X, y = data(60)
    y = y + (X[:, 2] > 0.5)                     # three classes
    schedules = [0.3, lambda t: step_lr(t, 0.5, 4, 0.5), lambda t: cosine_warm_restarts(t, 0.4, 5)]
    seeds = [0, 1, 0]
    # 60 = 3 batches of 16 and one of 12 per epoch: 12 steps cross 3 epochs and 3 short batches
    runs = train_side_by_side([3, 5, 4, 3], X, y, schedules, steps=12, seeds=seeds, activation="tanh",
                              init="xavier", batch_size=16, l2=0.01, snapshot_at=[0, 5, 12])
    assert sorted(runs.snapshots) == [0, 5, 12] and not runs.diverged.any()
    for k, (schedule, seed) in enumerate(zip(schedules, seeds)):
        net, history = fit_alone([3, 5, 4, 3], X, y, schedule, 12, seed, "tanh", "xavier", 16, 0.01, [0, 5, 12])
        np.testing.assert_allclose(runs.step_loss[k], history.step_loss, rtol=1e-12)
        np.testing.assert_allclose(runs.lr[k], history.lr)
        np.testing.assert_allclose(runs.nets[k].flat_params(), net.flat_params(), rtol=1e-10, atol=1e-12)
        for step in (0, 5, 12):
            np.testing.assert_allclose(runs.snapshots[step][k], history.snapshots[step], rtol=1e-10, atol=1e-12)


def test_side_by_side_keeps_each_epochs_last_smaller_batch_as_fit_does():
    X, y = data(40)
    runs = train_side_by_side([3, 4, 2], X, y, 0.2, steps=5, seeds=range(3), batch_size=16)   # 16, 16, 8, 16, 16
    net, history = fit_alone([3, 4, 2], X, y, 0.2, 5, seed=2, batch_size=16)
    np.testing.assert_allclose(runs.step_loss[2], history.step_loss, rtol=1e-12)
    np.testing.assert_allclose(runs.nets[2].flat_params(), net.flat_params(), rtol=1e-10, atol=1e-12)
    assert runs.lr.shape == (3, 5) and np.all(runs.lr == 0.2)
    sizes = [len(b) for b in batches(40, 16, np.random.RandomState(0))]
    assert sizes == [16, 16, 8]


def test_side_by_side_stops_only_the_diverging_network_where_fit_stops():
    X, y = data()
    runs = train_side_by_side([3, 4, 2], X * 100, y, [0.01, 1e6], steps=50, seeds=[0, 0], batch_size=8,
                              snapshot_at=[50])
    net, history = fit_alone([3, 4, 2], X * 100, y, 1e6, 50, seed=0, batch_size=8)
    assert list(runs.diverged) == [False, True] and history.diverged
    n = len(history.step_loss)                  # the steps fit took, and the one whose loss or gradient stopped it
    np.testing.assert_allclose(runs.step_loss[1, :n], history.step_loss, rtol=1e-10)
    assert np.all(np.isnan(runs.step_loss[1, n:])) and np.all(np.isfinite(runs.step_loss[0]))
    np.testing.assert_allclose(runs.nets[1].flat_params(), net.flat_params(), rtol=1e-10)
    np.testing.assert_array_equal(runs.snapshots[50][1], runs.nets[1].flat_params())


def test_side_by_side_bad_inputs():
    X, y = data()
    with pytest.raises(ValueError, match="seeds must hold at least 1 seed"):
        train_side_by_side([3, 4, 2], X, y, 0.1, 1, seeds=[])
    with pytest.raises(TypeError, match="seeds must be a list of ints"):
        train_side_by_side([3, 4, 2], X, y, 0.1, 1, seeds=0)
    with pytest.raises(ValueError, match="schedule"):
        train_side_by_side([3, 4, 2], X, y, [0.1, 0.2], 1, seeds=[0, 1, 2])
    with pytest.raises(ValueError, match="schedule"):
        train_side_by_side([3, 4, 2], X, y, lambda t: -1.0, 1, seeds=[0])
    with pytest.raises(ValueError, match="columns"):
        train_side_by_side([5, 4, 2], X, y, 0.1, 1, seeds=[0])
    with pytest.raises(ValueError, match="batch_size"):
        train_side_by_side([3, 4, 2], X, y, 0.1, 1, seeds=[0], batch_size=100)


def test_over_seeds_splits_by_schedule_with_shared_starts():
    X, y = data()
    runs = train_over_seeds([3, 4, 2], X, y, {"slow": 0.05, "fast": 0.5}, steps=4, seeds=[3, 7],
                            activation="tanh", batch_size=8, snapshot_at=[0, 4])
    assert list(runs) == ["slow", "fast"] and all(len(r.nets) == 2 for r in runs.values())
    np.testing.assert_array_equal(runs["slow"].snapshots[0][1], runs["fast"].snapshots[0][1])  # same start, seed 7
    net, history = fit_alone([3, 4, 2], X, y, 0.5, 4, seed=7, activation="tanh", batch_size=8)
    np.testing.assert_allclose(runs["fast"].nets[1].flat_params(), net.flat_params(), rtol=1e-10)
    np.testing.assert_allclose(runs["fast"].step_loss[1], history.step_loss, rtol=1e-12)
    with pytest.raises(TypeError, match="schedules"):
        train_over_seeds([3, 4, 2], X, y, [0.1], 1, seeds=[0])


def test_ensemble_is_the_mean_of_the_members_probabilities():
    X, y = data()
    net = MLP([3, 4, 2], "tanh", seed=0)
    history = fit(net, X, y, SGD(net.params, lr=0.5), steps=15, batch_size=8,
                  schedule=lambda t: cosine_warm_restarts(t, 0.5, 5), snapshot_at=[5, 10, 15])
    members = list(history.snapshots.values())
    probs = []
    for theta in members:
        m = MLP([3, 4, 2], "tanh", seed=0)
        m.set_flat_params(theta)
        probs.append(m.predict_proba(X))
    theta_before = net.flat_params()
    np.testing.assert_allclose(ensemble_proba(net, members, X), np.mean(probs, axis=0))
    np.testing.assert_array_equal(net.flat_params(), theta_before)
    with pytest.raises(ValueError, match="snapshots"):
        ensemble_proba(net, [], X)
    with pytest.raises(TypeError, match="net"):
        ensemble_proba("net", members, X)


def test_range_test_step_takes_fits_mini_batches_one_per_call():
    X, y = data()
    net, ref = MLP([3, 4, 2], "tanh", seed=0), MLP([3, 4, 2], "tanh", seed=0)
    step = range_test_step(net, X, y, batch_size=16, seed=3)
    rates = [0.1, 0.2, 0.3, 0.4]                # 4 steps: two epochs of 16, 16, 8 begun
    losses = [step(lr) for lr in rates]
    history = fit(ref, X, y, SGD(ref.params, lr=0.0), steps=4, batch_size=16, schedule=lambda t: rates[t], seed=3)
    np.testing.assert_allclose(losses, history.step_loss, rtol=1e-12)
    np.testing.assert_allclose(net.flat_params(), ref.flat_params(), rtol=1e-12)


def test_range_test_step_trains_until_the_loss_blows_up():
    X, y = data()
    net = MLP([3, 4, 2], "tanh", seed=0)
    lrs, losses = lr_range_test(range_test_step(net, X, y, batch_size=8), 1e-3, 1e3, num_iters=60)
    assert len(lrs) < 60 and (losses[-1] > 4 * losses.min() or not np.isfinite(losses[-1]))
    assert losses.min() < losses[0]
    with pytest.raises(TypeError, match="net"):
        range_test_step("net", X, y)
    with pytest.raises(ValueError, match="batch_size"):
        range_test_step(net, X, y, batch_size=100)
