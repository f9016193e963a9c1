"""Tests of course_lib/training.py: the one training loop, against hand-written loops and torch."""
import numpy as np
import pytest
import torch

from course_lib.layers import Affine, BatchNorm, Dropout, ReLU
from course_lib.network import MLP, Network
from course_lib.optim import SGD, Adam
from course_lib.training import History, batches, evaluate, fit


@pytest.fixture
def data(moons):
    return moons[0][:40], moons[1][:40]


def test_full_batch_fit_is_plain_gradient_descent_step_for_step(data):
    X, y = data
    net, ref = MLP([2, 4, 2], seed=3), MLP([2, 4, 2], seed=3)
    history = fit(net, X, y, SGD(net.params, lr=0.5), epochs=30, l2=1e-3)
    losses = []
    for _ in range(30):
        losses.append(ref.gradients(X, y, l2=1e-3))
        for p, g in zip(ref.params, ref.grads):
            p -= 0.5 * g
    assert history.step_loss == losses
    for a, b in zip(net.params, ref.params):
        np.testing.assert_array_equal(a, b)
    assert history.steps == 30 and history.stopped == 30 and history.epoch == list(range(31))


def test_mini_batch_fit_matches_torch_sgd_with_momentum_on_the_same_batches(data):
    X, y = data
    net = MLP([2, 5, 3], "tanh", seed=1)
    torch_params = [torch.tensor(p, requires_grad=True) for p in net.params]
    history = fit(net, X, y % 3, SGD(net.params, lr=0.2, momentum=0.9), epochs=3, batch_size=16, l2=0.01, seed=7)
    opt = torch.optim.SGD(torch_params, lr=0.2, momentum=0.9, weight_decay=0.0)
    rng = np.random.RandomState(7)
    Xt, yt = torch.tensor(X), torch.tensor(y % 3)
    losses = []
    for _ in range(3):
        for idx in batches(len(X), 16, rng):
            W1, b1, W2, b2 = torch_params
            z = torch.tanh(Xt[idx] @ W1 + b1) @ W2 + b2
            loss = torch.nn.functional.cross_entropy(z, yt[idx]) + 0.005 * (W1.pow(2).sum() + W2.pow(2).sum())
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    np.testing.assert_allclose(history.step_loss, losses, rtol=1e-12)
    for a, b in zip(net.params, torch_params):
        np.testing.assert_allclose(a, b.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_each_epoch_keeps_the_last_partial_batch_unless_drop_last():
    rng = np.random.RandomState(0)
    kept = batches(10, 4, rng)
    assert [len(b) for b in kept] == [4, 4, 2]
    assert sorted(np.concatenate(kept)) == list(range(10))
    assert [len(b) for b in batches(10, 4, np.random.RandomState(0), drop_last=True)] == [4, 4]


def test_fit_takes_one_step_per_mini_batch(data):
    X, y = data                                    # 40 samples, batches of 16: 16, 16, 8
    net = MLP([2, 3, 2])
    history = fit(net, X, y, SGD(net.params, lr=0.1), epochs=2, batch_size=16)
    assert history.steps == 6 and len(history.step_loss) == 6
    net = MLP([2, 3, 2])
    assert fit(net, X, y, SGD(net.params, lr=0.1), epochs=2, batch_size=16, drop_last=True).steps == 4


def test_steps_stop_inside_an_epoch_and_the_schedule_sets_each_rate(data):
    X, y = data
    net = MLP([2, 3, 2])
    seen = []
    history = fit(net, X, y, SGD(net.params, lr=0.0), steps=7, batch_size=16,
                  schedule=lambda t: seen.append(t) or 0.1 / (1 + t))
    assert history.steps == 7 and seen == list(range(7))
    assert history.lr == pytest.approx([0.1 / (1 + t) for t in range(7)])
    assert history.stopped == 3 and history.epoch == [0, 1, 2, 3]


def test_snapshots_hold_the_parameters_after_those_steps(data):
    X, y = data
    net = MLP([2, 3, 2])
    theta0 = net.flat_params()
    history = fit(net, X, y, SGD(net.params, lr=0.3), steps=5, snapshot_at=[0, 2, 5])
    assert sorted(history.snapshots) == [0, 2, 5]
    np.testing.assert_array_equal(history.snapshots[0], theta0)
    np.testing.assert_array_equal(history.snapshots[5], net.flat_params())
    replay = MLP([2, 3, 2])
    fit(replay, X, y, SGD(replay.params, lr=0.3), steps=2)
    np.testing.assert_array_equal(history.snapshots[2], replay.flat_params())


def test_records_follow_record_every_and_include_the_last_epoch(data):
    X, y = data
    net = MLP([2, 3, 2])
    calls = []
    history = fit(net, X, y, SGD(net.params, lr=0.3), epochs=7, record_every=3, validation=(X[:10], y[:10]),
                  callback=lambda epoch, h: calls.append((epoch, len(h.train_loss))))
    assert history.epoch == [0, 3, 6, 7] and calls == [(0, 1), (3, 2), (6, 3), (7, 4)]
    assert len(history.val_loss) == len(history.val_acc) == 4
    assert history.train_loss[-1] == pytest.approx(evaluate(net, X, y)[0])


def test_a_callback_that_returns_true_stops_training(data):
    X, y = data
    net = MLP([2, 3, 2])
    history = fit(net, X, y, SGD(net.params, lr=0.3), epochs=50, callback=lambda epoch, h: epoch == 4)
    assert history.stopped == 4 and history.steps == 4


def test_early_stopping_restores_the_parameters_of_the_best_validation_epoch(data):
    X, y = data
    net = MLP([2, 30, 2], "relu", init="he", seed=2)
    X_val, y_val = X[:8] + 0.5, 1 - y[:8]          # a validation set the network gets worse on
    history = fit(net, X, y, SGD(net.params, lr=0.5), epochs=100, batch_size=8, validation=(X_val, y_val),
                  patience=3)
    assert history.stopped == history.best + 3 < 100
    assert history.val_loss[history.best] == min(history.val_loss)
    assert evaluate(net, X_val, y_val)[0] == pytest.approx(history.val_loss[history.best], rel=1e-12)


def test_weight_noise_moves_the_gradient_but_the_update_starts_from_the_clean_weights(data):
    X, y = data
    net = MLP([2, 4, 2], seed=5)
    clean = net.copy_params()
    history = fit(net, X, y, SGD(net.params, lr=0.0), epochs=1, weight_noise=0.5)
    for a, b in zip(net.params, clean):
        np.testing.assert_array_equal(a, b)               # lr = 0: nothing moved, the noise was removed
    assert history.step_loss[0] != pytest.approx(MLP([2, 4, 2], seed=5).loss(X, y))


def test_input_noise_changes_the_batches_the_gradient_sees(data):
    X, y = data
    a, b = MLP([2, 4, 2], seed=5), MLP([2, 4, 2], seed=5)
    fit(a, X, y, SGD(a.params, lr=0.1), epochs=1)
    fit(b, X, y, SGD(b.params, lr=0.1), epochs=1, input_noise=0.3)
    assert not np.allclose(a.flat_params(), b.flat_params())


def test_divergence_stops_training_and_is_reported(data):
    X, y = data
    net = MLP([2, 8, 2], "relu", init="he")
    history = fit(net, X * 1e3, y, SGD(net.params, lr=1e6), epochs=200, batch_size=8)
    assert history.diverged and history.steps < 200 and history.stopped < 200
    assert np.isnan(history.train_loss[-1]) or np.isfinite(history.train_loss[-1])


def test_a_run_that_does_not_diverge_says_so(data):
    X, y = data
    net = MLP([2, 3, 2])
    assert not fit(net, X, y, SGD(net.params, lr=0.1), epochs=3).diverged


def test_fit_leaves_the_network_in_evaluation_mode_and_trains_in_training_mode(data):
    X, y = data
    dropout = Dropout(0.5, seed=0)
    net = Network([Affine(np.ones((2, 4)) * 0.1, np.zeros(4)), BatchNorm(4), ReLU(), dropout,
                   Affine(np.ones((4, 2)) * 0.1, np.zeros(2))])
    modes = []
    original = dropout.forward

    def spy(x):
        modes.append(dropout.training)
        return original(x)

    dropout.forward = spy
    fit(net, X, y, Adam(net.params, lr=0.01), epochs=2, batch_size=20)
    assert True in modes and False in modes                  # trained in training mode, evaluated in eval mode
    assert not net.training and not dropout.training


def test_evaluate_restores_the_mode_it_found(data):
    X, y = data
    net = MLP([2, 4, 2], "relu", dropout=0.5).train()
    loss, acc = evaluate(net, X, y)
    assert net.training and 0 <= acc <= 1 and loss > 0


def test_the_same_seed_gives_the_same_run(data):
    X, y = data
    runs = []
    for _ in range(2):
        net = MLP([2, 6, 2], "relu", init="he", dropout=0.2, seed=4)
        runs.append(fit(net, X, y, SGD(net.params, lr=0.1), epochs=3, batch_size=7, input_noise=0.1, seed=9))
    assert runs[0].step_loss == runs[1].step_loss


def test_history_as_arrays_gives_every_curve():
    h = History(step_loss=[1.0, 0.5], lr=[0.1, 0.1], epoch=[0, 1], train_loss=[1.0, 0.4], train_acc=[0.5, 0.9])
    arrays = h.as_arrays()
    assert arrays["step_loss"].shape == (2,) and arrays["val_loss"].shape == (0,)


@pytest.mark.parametrize("kwargs, exc, name", [
    pytest.param(dict(epochs=1, steps=1), ValueError, "epochs", id="both-epochs-and-steps"),
    pytest.param(dict(), ValueError, "epochs", id="neither"),
    pytest.param(dict(epochs=-1), ValueError, "epochs", id="negative-epochs"),
    pytest.param(dict(epochs=1, batch_size=0), ValueError, "batch_size", id="zero-batch"),
    pytest.param(dict(epochs=1, batch_size=1000), ValueError, "batch_size", id="batch-bigger-than-data"),
    pytest.param(dict(epochs=1, schedule=0.1), TypeError, "schedule", id="schedule-number"),
    pytest.param(dict(epochs=1, callback="print"), TypeError, "callback", id="callback-string"),
    pytest.param(dict(epochs=1, patience=3), ValueError, "patience", id="patience-without-validation"),
    pytest.param(dict(epochs=1, validation=[1, 2, 3]), TypeError, "validation", id="validation-not-a-pair"),
    pytest.param(dict(epochs=1, l2=-1.0), ValueError, "l2", id="negative-l2"),
])
def test_fit_rejects_bad_arguments_naming_them(data, kwargs, exc, name):
    X, y = data
    net = MLP([2, 3, 2])
    with pytest.raises(exc, match=name):
        fit(net, X, y, SGD(net.params, lr=0.1), **kwargs)


def test_fit_rejects_an_optimizer_on_other_parameters_and_a_non_network(data):
    X, y = data
    net = MLP([2, 3, 2])
    with pytest.raises(ValueError, match="optimizer"):
        fit(net, X, y, SGD(MLP([2, 3, 2]).params, lr=0.1), epochs=1)
    with pytest.raises(TypeError, match="optimizer"):
        fit(net, X, y, torch.optim.SGD([torch.zeros(1)], lr=0.1), epochs=1)
    with pytest.raises(TypeError, match="net"):
        fit("net", X, y, SGD(net.params, lr=0.1), epochs=1)
    with pytest.raises(ValueError, match="y"):
        fit(net, X, y[:-1], SGD(net.params, lr=0.1), epochs=1)
