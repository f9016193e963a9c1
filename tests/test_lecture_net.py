"""Tests of course_lib/lecture_net.py, the lecture's code ported to Python 3."""
import inspect

import numpy as np
import pytest

from course_lib.lecture_net import build_model, calculate_loss, predict
from course_lib.network import MLP


def test_build_model_prints_the_lectures_losses(moons, capsys):
    X, y = moons
    build_model(X, y, 3, num_passes=1001, print_loss=True)
    out = capsys.readouterr().out.splitlines()
    assert out == ["Loss after iteration 0: 0.432387", "Loss after iteration 1000: 0.068947"]


def test_build_model_is_silent_without_print_loss(moons, capsys):
    build_model(*moons, 3, num_passes=3)
    assert capsys.readouterr().out == ""


def test_build_model_returns_the_four_parameters_with_their_shapes(moons):
    model = build_model(*moons, 4, num_passes=2)
    assert {k: v.shape for k, v in model.items()} == {"W1": (2, 4), "b1": (1, 4), "W2": (4, 2), "b2": (1, 2)}


def test_calculate_loss_and_predict_agree_with_mlp(moons):
    X, y = moons
    model = build_model(X, y, 3, num_passes=30)
    net = MLP.from_params([model[k] for k in ("W1", "b1", "W2", "b2")])
    assert calculate_loss(model, X, y, reg_lambda=0.01) == pytest.approx(net.loss(X, y, l2=0.01 / len(X)), rel=1e-12)
    np.testing.assert_array_equal(predict(model, X), net.predict(X))


@pytest.mark.skipif("loss_history" not in inspect.signature(build_model).parameters,
                    reason="build_model has no loss_history")
def test_loss_history_is_the_loss_before_each_pass_and_changes_nothing(moons):
    X, y = moons
    history = []
    with_history = build_model(X, y, 3, num_passes=6, loss_history=history)
    without = build_model(X, y, 3, num_passes=6)
    for k in without:
        np.testing.assert_array_equal(with_history[k], without[k])
    assert len(history) == 6
    assert history[5] == pytest.approx(calculate_loss(build_model(X, y, 3, num_passes=5), X, y), rel=1e-12)


def test_tanh_argument_is_the_tanh_of_the_training_passes(moons):
    X, y = moons
    default = build_model(X, y, 3, num_passes=20)
    same = build_model(X, y, 3, num_passes=20, tanh=np.tanh)
    calls = []
    counted = build_model(X, y, 3, num_passes=20, tanh=lambda z: calls.append(z.shape) or np.tanh(z))
    one_ulp_up = build_model(X, y, 3, num_passes=20, tanh=lambda z: np.nextafter(np.tanh(z), np.inf))
    for k in default:
        np.testing.assert_array_equal(same[k], default[k])
        np.testing.assert_array_equal(counted[k], default[k])
        np.testing.assert_allclose(one_ulp_up[k], default[k], rtol=1e-12, atol=1e-14)
    assert calls == [(len(X), 3)] * 20
    assert any(np.any(one_ulp_up[k] != default[k]) for k in default)
