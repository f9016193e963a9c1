"""Tests of course_lib/lr_training.py: mini-batch SGD under a schedule, snapshots, ensembles, range-test steps."""
import numpy as np
import pytest

from course_lib.experiments.lr_training import (accuracy, ensemble_proba, range_test_step,
                                    train_over_seeds, train_side_by_side, train_with_schedule)
from course_lib.network import MLP
from course_lib.optim import SGD
from course_lib.schedules import cosine_warm_restarts, lr_range_test, step_lr


def data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def test_training_equals_sgd_by_hand_with_the_schedule():
    X, y = data()
    schedule = lambda t: step_lr(t, 0.5, 3, 0.5)  # noqa: E731
    net = MLP([3, 4, 2], "tanh", seed=0)
    run = train_with_schedule(net, X, y, schedule, num_steps=7, batch_size=10, seed=3)
    ref = MLP([3, 4, 2], "tanh", seed=0)
    opt = SGD(ref.params, lr=0.0)
    rng = np.random.RandomState(3)
    order, losses = rng.permutation(40), []
    for t in range(7):
        if t == 4:
            order = rng.permutation(40)
        idx = order[(t % 4) * 10:(t % 4) * 10 + 10]
        opt.lr = schedule(t)
        losses.append(ref.gradients(X[idx], y[idx]))
        opt.step(ref.grads)
    np.testing.assert_allclose(run.losses, losses)
    np.testing.assert_allclose(run.lrs, [schedule(t) for t in range(7)])
    np.testing.assert_allclose(net.flat_params(), ref.flat_params())


def test_snapshots_are_copies_at_the_requested_steps():
    X, y = data()
    net = MLP([3, 4, 2], "tanh", seed=0)
    theta0 = net.flat_params()
    run = train_with_schedule(net, X, y, 0.1, num_steps=6, batch_size=8, snapshot_at=[0, 3, 6])
    assert sorted(run.snapshots) == [0, 3, 6]
    np.testing.assert_array_equal(run.snapshots[0], theta0)
    np.testing.assert_array_equal(run.snapshots[6], net.flat_params())
    assert not np.allclose(run.snapshots[3], run.snapshots[6])


def test_divergence_stops_training():
    X, y = data()
    net = MLP([3, 4, 2], "relu", init="he", seed=0)
    run = train_with_schedule(net, X * 100, y, 1e6, num_steps=50, batch_size=8)
    assert run.diverged and len(run.losses) < 50


def test_ensemble_is_the_mean_of_the_members_probabilities():
    X, y = data()
    net = MLP([3, 4, 2], "tanh", seed=0)
    run = train_with_schedule(net, X, y, lambda t: cosine_warm_restarts(t, 0.5, 5), 15, 8, snapshot_at=[5, 10, 15])
    members = list(run.snapshots.values())
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


def test_range_test_step_trains_on_successive_batches():
    X, y = data()
    net = MLP([3, 4, 2], "tanh", seed=0)
    lrs, losses = lr_range_test(range_test_step(net, X, y, batch_size=8), 1e-3, 1e3, num_iters=60)
    assert len(lrs) < 60 and (losses[-1] > 4 * losses.min() or not np.isfinite(losses[-1]))
    assert losses.min() < losses[0]


def test_accuracy_and_bad_inputs():
    assert accuracy(np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), np.array([0, 1, 1])) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="y must have shape"):
        accuracy(np.eye(2), np.array([0]))
    with pytest.raises(TypeError, match="model"):
        train_with_schedule("net", np.zeros((2, 3)), [0, 1], 0.1, 1)
    X, y = data()
    with pytest.raises(ValueError, match="batch_size"):
        train_with_schedule(MLP([3, 4, 2]), X, y, 0.1, 1, batch_size=100)
    with pytest.raises(ValueError, match="lr_at"):
        train_with_schedule(MLP([3, 4, 2]), X, y, lambda t: -1.0, 1)


def test_side_by_side_equals_separate_runs():
    X, y = data(60)
    y = y + (X[:, 2] > 0.5)                     # three classes
    schedules = [0.3, lambda t: step_lr(t, 0.5, 4, 0.5), lambda t: cosine_warm_restarts(t, 0.4, 5)]
    seeds = [0, 1, 0]
    runs = train_side_by_side([3, 5, 4, 3], X, y, schedules, num_steps=12, seeds=seeds, activation="tanh",
                              init="xavier", batch_size=16, reg=0.01, snapshot_at=[0, 5, 12])
    assert sorted(runs.snapshots) == [0, 5, 12] and not runs.diverged.any()
    for k, (schedule, seed) in enumerate(zip(schedules, seeds)):
        net = MLP([3, 5, 4, 3], "tanh", seed=seed, init="xavier")
        run = train_with_schedule(net, X, y, schedule, 12, batch_size=16, reg=0.01, snapshot_at=[0, 5, 12], seed=seed)
        np.testing.assert_allclose(runs.losses[k], run.losses, rtol=1e-12)
        np.testing.assert_allclose(runs.lrs[k], run.lrs)
        np.testing.assert_allclose(runs.nets[k].flat_params(), net.flat_params(), rtol=1e-10, atol=1e-12)
        for step in (0, 5, 12):
            np.testing.assert_allclose(runs.snapshots[step][k], run.snapshots[step], rtol=1e-10, atol=1e-12)


def test_side_by_side_one_schedule_for_all_and_relu():
    X, y = data()
    runs = train_side_by_side([3, 4, 2], X, y, 0.2, num_steps=5, seeds=range(3), batch_size=8)
    net = MLP([3, 4, 2], "relu", seed=2, init="he")
    run = train_with_schedule(net, X, y, 0.2, 5, batch_size=8, seed=2)
    np.testing.assert_allclose(runs.losses[2], run.losses, rtol=1e-12)
    assert runs.lrs.shape == (3, 5) and np.all(runs.lrs == 0.2)


def test_side_by_side_stops_only_the_diverging_network():
    X, y = data()
    runs = train_side_by_side([3, 4, 2], X * 100, y, [0.01, 1e6], num_steps=50, seeds=[0, 0], batch_size=8,
                              snapshot_at=[50])
    net = MLP([3, 4, 2], "relu", init="he", seed=0)
    run = train_with_schedule(net, X * 100, y, 1e6, num_steps=50, batch_size=8)
    assert list(runs.diverged) == [False, True] and run.diverged
    n = len(run.losses)
    np.testing.assert_allclose(runs.losses[1, :n], run.losses, rtol=1e-10)
    assert np.all(np.isnan(runs.losses[1, n:])) and np.all(np.isfinite(runs.losses[0]))
    np.testing.assert_allclose(runs.nets[1].flat_params(), net.flat_params(), rtol=1e-10)
    np.testing.assert_array_equal(runs.snapshots[50][1], runs.nets[1].flat_params())


def test_side_by_side_bad_inputs():
    X, y = data()
    with pytest.raises(ValueError, match="seeds must hold at least 1 seed"):
        train_side_by_side([3, 4, 2], X, y, 0.1, 1, seeds=[])
    with pytest.raises(TypeError, match="seeds must be a list of ints"):
        train_side_by_side([3, 4, 2], X, y, 0.1, 1, seeds=0)
    with pytest.raises(ValueError, match="lr_at"):
        train_side_by_side([3, 4, 2], X, y, [0.1, 0.2], 1, seeds=[0, 1, 2])
    with pytest.raises(ValueError, match="lr_at"):
        train_side_by_side([3, 4, 2], X, y, lambda t: -1.0, 1, seeds=[0])
    with pytest.raises(ValueError, match="columns"):
        train_side_by_side([5, 4, 2], X, y, 0.1, 1, seeds=[0])
    with pytest.raises(ValueError, match="batch_size"):
        train_side_by_side([3, 4, 2], X, y, 0.1, 1, seeds=[0], batch_size=100)


def test_over_seeds_splits_by_schedule_with_shared_starts():
    X, y = data()
    runs = train_over_seeds([3, 4, 2], X, y, {"slow": 0.05, "fast": 0.5}, num_steps=4, seeds=[3, 7],
                            activation="tanh", batch_size=8, snapshot_at=[0, 4])
    assert list(runs) == ["slow", "fast"] and all(len(r.nets) == 2 for r in runs.values())
    np.testing.assert_array_equal(runs["slow"].snapshots[0][1], runs["fast"].snapshots[0][1])  # same start, seed 7
    net = MLP([3, 4, 2], "tanh", seed=7, init="he")
    run = train_with_schedule(net, X, y, 0.5, 4, batch_size=8, seed=7)
    np.testing.assert_allclose(runs["fast"].nets[1].flat_params(), net.flat_params(), rtol=1e-10)
    np.testing.assert_allclose(runs["fast"].losses[1], run.losses, rtol=1e-12)
    with pytest.raises(TypeError, match="schedules"):
        train_over_seeds([3, 4, 2], X, y, [0.1], 1, seeds=[0])
