"""Tests of course_lib/network.py: the lecture's initialisation and training, gradient checks, batched runs."""
import numpy as np
import pytest

from course_lib.gradcheck import network_gradient_error, numerical_gradient, relative_error
from course_lib.lecture_net import build_model
from course_lib.network import MLP, lecture_settings

LECTURE_KEYS = ["W1", "b1", "W2", "b2"]


def max_rel_diff(params, reference):
    """Largest |a − b| / max|b| over a list of parameter arrays."""
    return max(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)) for a, b in zip(params, reference))


def test_initial_weights_are_the_lectures():
    np.random.seed(0)
    W1 = np.random.randn(2, 3) / np.sqrt(2)
    W2 = np.random.randn(3, 2) / np.sqrt(3)
    net = MLP([2, 3, 2])
    np.testing.assert_array_equal(net.params[0], W1)
    np.testing.assert_array_equal(net.params[2], W2)
    np.testing.assert_array_equal(net.params[1], np.zeros((1, 3)))
    np.testing.assert_array_equal(net.params[3], np.zeros((1, 2)))


def test_building_a_network_leaves_numpys_global_random_state_alone():
    np.random.seed(11)
    expected = np.random.rand(3)
    np.random.seed(11)
    MLP([2, 5, 2], seed=3)
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_layers_share_the_parameter_arrays():
    net = MLP([2, 4, 3, 2], activation="relu")
    affines = net.layers[0::2]
    assert [type(layer).__name__ for layer in net.layers] == ["Affine", "ReLU", "Affine", "ReLU", "Affine"]
    for i, layer in enumerate(affines):
        assert layer.W is net.params[2 * i] and layer.b is net.params[2 * i + 1]


@pytest.mark.parametrize("sizes", [[2, 3, 2], [2, 4, 3, 2]], ids=["2-3-2", "2-4-3-2"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_gradients_pass_gradient_check_with_regularisation(sizes, activation, moons, rng):
    X, y = moons[0][:15], moons[1][:15]
    net = MLP(sizes, activation=activation, seed=1)
    for b in net.params[1::2]:
        b += 0.1 * rng.randn(*b.shape)  # non-zero biases exercise db
    reg = 0.1
    loss = net.gradients(X, y, reg)
    assert loss == pytest.approx(net.loss(X, y, reg), rel=1e-12)
    for p, g in zip(net.params, net.grads):
        num = numerical_gradient(lambda _: net.loss(X, y, reg), p)
        assert relative_error(g, num) < 1e-6


def test_predictions_are_argmax_of_probabilities(moons):
    X = moons[0][:20]
    net = MLP([2, 4, 2])
    p = net.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(net.predict(X), p.argmax(axis=1))


def test_lecture_settings_convert_summed_gradient_step_to_mean_loss():
    assert lecture_settings() == {"lr": pytest.approx(2.0), "reg": pytest.approx(5e-5)}
    assert lecture_settings(0.1, 0.02, 50) == {"lr": pytest.approx(5.0), "reg": pytest.approx(4e-4)}


@pytest.mark.parametrize("hidden", [1, 3, 5])
def test_train_with_lecture_settings_tracks_lecture_build_model(hidden, moons):
    X, y = moons
    passes = 200
    model = build_model(X, y, hidden, num_passes=passes)
    net = MLP([2, hidden, 2])
    net.train(X, y, num_passes=passes, **lecture_settings())
    assert max_rel_diff(net.params, [model[k] for k in LECTURE_KEYS]) < 1e-9


def test_train_records_loss_before_each_update_and_calls_callback(moons):
    X, y = moons
    settings = lecture_settings()
    seen = []
    history = MLP([2, 3, 2]).train(X, y, num_passes=25, record_every=10, callback=lambda s, l: seen.append((s, l)),
                                   **settings)
    np.testing.assert_array_equal(history["step"], [0, 10, 20])
    assert [s for s, _ in seen] == [0, 10, 20]
    np.testing.assert_array_equal([l for _, l in seen], history["loss"])
    for step, loss in zip(history["step"], history["loss"]):
        net = MLP([2, 3, 2])
        net.train(X, y, num_passes=int(step), **settings)
        assert loss == pytest.approx(net.loss(X, y, settings["reg"]), rel=1e-12)


def test_train_lowers_the_loss_and_zero_passes_change_nothing(moons):
    X, y = moons
    net = MLP([2, 3, 2])
    start = [p.copy() for p in net.params]
    history = net.train(X, y, num_passes=0)
    assert history["step"].size == 0 and history["loss"].size == 0
    for p, q in zip(net.params, start):
        np.testing.assert_array_equal(p, q)
    before = net.loss(X, y)
    net.train(X, y, num_passes=50, lr=1.0)
    assert net.loss(X, y) < before


def test_train_accepts_one_hot_targets(moons):
    X, y = moons[0][:30], moons[1][:30]
    a, b = MLP([2, 3, 2]), MLP([2, 3, 2])
    a.train(X, y, num_passes=5)
    b.train(X, np.eye(2)[y], num_passes=5)
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)


def test_from_params_copies_parameters_and_predicts_like_the_lecture(moons):
    X, y = moons
    model = build_model(X, y, 3, num_passes=20)
    net = MLP.from_params([model[k] for k in LECTURE_KEYS])
    assert net.layer_sizes == [2, 3, 2]
    assert net.params[0] is not model["W1"]
    logits = np.tanh(X @ model["W1"] + model["b1"]) @ model["W2"] + model["b2"]
    np.testing.assert_allclose(net.forward(X), logits, rtol=1e-12)


# --- bad input --------------------------------------------------------------------------

X_SMALL = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
Y_SMALL = np.array([0, 1, 1])


@pytest.mark.parametrize("call, exc, name", [
    pytest.param(lambda: MLP("abc"), TypeError, "layer_sizes", id="sizes-str"),
    pytest.param(lambda: MLP([2]), TypeError, "layer_sizes", id="sizes-too-short"),
    pytest.param(lambda: MLP(3), TypeError, "layer_sizes", id="sizes-int"),
    pytest.param(lambda: MLP([2, 0, 2]), ValueError, "layer_sizes", id="sizes-zero"),
    pytest.param(lambda: MLP([2, 3.5, 2]), TypeError, "layer_sizes", id="sizes-fractional"),
    pytest.param(lambda: MLP([2, "3", 2]), TypeError, "layer_sizes", id="sizes-str-entry"),
    pytest.param(lambda: MLP([2, 3, 1]), ValueError, "layer_sizes", id="one-class"),
    pytest.param(lambda: MLP([2, 3, 2], activation="softmax"), ValueError, "activation", id="activation-unknown"),
    pytest.param(lambda: MLP([2, 3, 2], activation=None), ValueError, "activation", id="activation-none"),
    pytest.param(lambda: MLP([2, 3, 2], activation=["tanh"]), ValueError, "activation", id="activation-list"),
    pytest.param(lambda: MLP([2, 3, 2], seed=-1), ValueError, "seed", id="seed-negative"),
    pytest.param(lambda: MLP([2, 3, 2]).forward(np.ones((3, 3))), ValueError, "X", id="forward-X-columns"),
    pytest.param(lambda: MLP([2, 3, 2]).forward(np.ones(2)), ValueError, "X", id="forward-1d-X"),
    pytest.param(lambda: MLP([2, 3, 2]).predict([[np.nan, 0.0]]), ValueError, "X", id="predict-nan"),
    pytest.param(lambda: MLP([2, 3, 2]).loss(X_SMALL, [0, 1, 2]), ValueError, "y", id="loss-class-too-big"),
    pytest.param(lambda: MLP([2, 3, 2]).loss(X_SMALL, [0, 1]), ValueError, "y", id="loss-too-few-labels"),
    pytest.param(lambda: MLP([2, 3, 2]).loss(X_SMALL, Y_SMALL, reg=-1.0), ValueError, "reg", id="loss-negative-reg"),
    pytest.param(lambda: MLP([2, 3, 2]).gradients(X_SMALL, Y_SMALL, reg="0"), TypeError, "reg", id="gradients-str-reg"),
    pytest.param(lambda: MLP([2, 3, 2]).gradients(X_SMALL[:, :1], Y_SMALL), ValueError, "X", id="gradients-X-columns"),
    pytest.param(lambda: MLP([2, 3, 2]).train(X_SMALL, Y_SMALL, lr=-0.1), ValueError, "lr", id="train-negative-lr"),
    pytest.param(lambda: MLP([2, 3, 2]).train(X_SMALL, Y_SMALL, lr=np.nan), ValueError, "lr", id="train-nan-lr"),
    pytest.param(lambda: MLP([2, 3, 2]).train(X_SMALL, Y_SMALL, num_passes=-1), ValueError, "num_passes",
                 id="train-negative-passes"),
    pytest.param(lambda: MLP([2, 3, 2]).train(X_SMALL, Y_SMALL, num_passes=1.5), TypeError, "num_passes",
                 id="train-fractional-passes"),
    pytest.param(lambda: MLP([2, 3, 2]).train(X_SMALL, Y_SMALL, reg=-1e-3), ValueError, "reg", id="train-negative-reg"),
    pytest.param(lambda: MLP([2, 3, 2]).train(X_SMALL, Y_SMALL, record_every=0), ValueError, "record_every",
                 id="train-record-every-zero"),
    pytest.param(lambda: MLP([2, 3, 2]).train(X_SMALL, Y_SMALL, callback=3), TypeError, "callback",
                 id="train-callback-not-callable"),
    pytest.param(lambda: MLP.from_params(3), TypeError, "params", id="from-params-int"),
    pytest.param(lambda: MLP.from_params([np.ones((2, 3))]), TypeError, "params", id="from-params-odd-length"),
    pytest.param(lambda: MLP.from_params([np.ones((2, 3)), np.zeros((1, 3)), np.ones((4, 2)), np.zeros((1, 2))]),
                 ValueError, "params", id="from-params-shapes-do-not-chain"),
    pytest.param(lambda: MLP.from_params([np.ones((2, 3)), np.zeros((1, 2))]), ValueError, "params",
                 id="from-params-bias-wrong-size"),
    pytest.param(lambda: MLP.from_params(["ab", np.zeros((1, 2))]), TypeError, "params", id="from-params-str"),
    pytest.param(lambda: lecture_settings(epsilon=-0.01), ValueError, "epsilon", id="settings-negative-epsilon"),
    pytest.param(lambda: lecture_settings(reg_lambda=np.inf), ValueError, "reg_lambda", id="settings-inf-lambda"),
    pytest.param(lambda: lecture_settings(n_samples=0), ValueError, "n_samples", id="settings-zero-samples"),
])
def test_network_rejects_bad_input_naming_the_argument(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()


def test_flat_params_round_trip_and_flat_grads_follow_the_same_layout(moons):
    X, y = moons[0][:30], moons[1][:30]
    net = MLP([2, 4, 3, 2], seed=2)
    theta = net.flat_params()
    assert theta.size == sum(p.size for p in net.params) == 2 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2
    net.set_flat_params(theta * 2)
    np.testing.assert_array_equal(net.flat_params(), theta * 2)
    assert net.layers[0].W is net.params[0]                      # set in place: the layers see it
    net.gradients(X, y, reg=0.1)

    def loss_at(t):
        net.set_flat_params(t)
        return net.loss(X, y, reg=0.1)

    analytic = net.flat_grads()
    numeric = numerical_gradient(loss_at, (theta * 2).copy())
    assert relative_error(analytic, numeric) < 1e-6


def test_set_flat_params_rejects_a_vector_of_the_wrong_size():
    with pytest.raises(ValueError, match="theta"):
        MLP([2, 3, 2]).set_flat_params(np.zeros(5))


@pytest.mark.parametrize("init, expected_std", [
    ("naive", lambda i, o: 0.01), ("xavier", lambda i, o: np.sqrt(2 / (i + o))), ("he", lambda i, o: np.sqrt(2 / i)),
    ("lecture", lambda i, o: 1 / np.sqrt(i)),
])
def test_initialisations_draw_weights_with_their_standard_deviation(init, expected_std):
    net = MLP([400, 300, 2], init=init, seed=0)
    W = net.params[0]
    assert W.std() == pytest.approx(expected_std(400, 300), rel=0.02)
    assert np.all(net.params[1] == 0)


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "swish", "gelu", "softplus"])
def test_any_activation_trains_with_correct_gradients(activation, moons):
    X, y = moons[0][:20], moons[1][:20]
    net = MLP([2, 5, 2], activation=activation, seed=3)
    assert network_gradient_error(net, X, y, reg=0.01) < 1e-6


def test_unknown_init_is_rejected_naming_it():
    with pytest.raises(ValueError, match="init"):
        MLP([2, 3, 2], init="glorot")
