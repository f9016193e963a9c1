"""Tests of course_lib/network.py: the one network — the lecture's initialisation, gradient checks of
every option against finite differences and torch, modes, penalties, flat parameters, errors."""
import numpy as np
import pytest
import torch

from course_lib import layers
from course_lib.conv import AvgPool2D, Conv2D, Flatten
from course_lib.gradcheck import network_gradient_error, numerical_gradient, relative_error
from course_lib.layers import Activation, Affine, BatchNorm, Dropout, ReLU, Residual, Sigmoid, Tanh
from course_lib.lecture_net import build_model
from course_lib.network import INITIALISATIONS, MLP, Network, activation_node, lecture_settings
from course_lib.optim import SGD
from course_lib.training import fit
from conftest import away_from

LECTURE_KEYS = ["W1", "b1", "W2", "b2"]
X_SMALL = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, -0.5]])
Y_SMALL = np.array([0, 1, 1])


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
    MLP([2, 5, 2], seed=3, dropout=0.5)
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_layers_share_the_parameter_arrays():
    net = MLP([2, 4, 3, 2], activation="relu")
    assert [type(layer).__name__ for layer in net.layers] == ["Affine", "ReLU", "Affine", "ReLU", "Affine"]
    for i, layer in enumerate(net.layers[0::2]):
        assert layer.W is net.params[2 * i] and layer.b is net.params[2 * i + 1]
    assert net.weights == [net.params[0], net.params[2], net.params[4]] or all(
        a is b for a, b in zip(net.weights, net.params[0::2]))


def test_options_build_the_layers_in_order_and_the_parameters_follow_them():
    net = MLP([2, 4, 4, 2], "relu", batchnorm=True, dropout=0.3, residual=True)
    assert [type(n).__name__ for n in net.hidden_layers[0]] == ["Affine", "BatchNorm", "ReLU", "Dropout"]
    assert [type(n).__name__ for n in net.hidden_layers[1]] == ["Residual"]     # 4 → 4 gets the skip
    assert [type(n).__name__ for n in net.hidden_layers[1][0].layers] == ["Affine", "BatchNorm", "ReLU", "Dropout"]
    assert [p.shape for p in net.params] == [(2, 4), (1, 4), (4,), (4,), (4, 4), (1, 4), (4,), (4,), (4, 2), (1, 2)]
    assert len(net.weights) == 3
    assert [n.rng.random() for n in (net.hidden_layers[0][3], net.hidden_layers[1][0].layers[3])] == [
        np.random.default_rng(0).random(), np.random.default_rng(1).random()]   # dropout ℓ seeded seed + ℓ − 1


@pytest.mark.parametrize("sizes", [[2, 3, 2], [2, 4, 3, 2]], ids=["2-3-2", "2-4-3-2"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_gradients_pass_gradient_check_with_both_penalties(sizes, activation, moons, rng):
    X, y = moons[0][:15], moons[1][:15]
    net = MLP(sizes, activation=activation, seed=1)
    for b in net.params[1::2]:
        b += 0.1 * rng.randn(*b.shape)  # non-zero biases exercise db
    loss = net.gradients(X, y, l2=0.1, l1=0.01)
    assert loss == pytest.approx(net.loss(X, y, l2=0.1, l1=0.01), rel=1e-12)
    for p, g in zip(net.params, net.grads):
        num = numerical_gradient(lambda _: net.loss(X, y, l2=0.1, l1=0.01), p)
        assert relative_error(g, num) < 1e-6


@pytest.mark.parametrize("options", [dict(residual=True), dict(batchnorm=True), dict(residual=True, batchnorm=True)],
                         ids=["residual", "batchnorm", "residual-batchnorm"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
def test_every_option_passes_the_gradient_check(options, activation, moons, rng):
    X, y = moons[0][:24], moons[1][:24]
    net = MLP([2, 6, 6, 6, 2], activation, init="xavier", seed=2, **options)
    for p in net.params:
        p += 0.05 * rng.randn(*p.shape)           # move γ, β and the biases away from 1 and 0
    theta = net.flat_params()
    analytic = net.gradient_at(theta, X, y, l2=0.01)
    numeric = numerical_gradient(lambda t: net.loss_at(t, X, y, l2=0.01), theta.copy())
    # measured against the largest gradient: a bias before batch norm has gradient exactly 0, whose
    # finite-difference estimate is rounding noise (~1e-10), which an element-wise relative error would inflate
    assert np.max(np.abs(analytic - numeric)) < 1e-7 * np.max(np.abs(numeric))


def test_dropout_network_passes_the_gradient_check_in_evaluation_mode(moons):
    X, y = moons[0][:20], moons[1][:20]
    net = MLP([2, 6, 6, 2], "tanh", dropout=0.5).eval()
    assert network_gradient_error(net, X, y) < 1e-6


def _torch_mlp(net, X, y, l2):
    """The same network in torch (float64): logits, loss and parameter gradients, batch norm in training mode."""
    params = [torch.tensor(p, requires_grad=True) for p in net.params]
    h, k = torch.tensor(X), 0
    for nodes in net.hidden_layers:
        inner = nodes[0].layers if isinstance(nodes[0], Residual) else nodes
        out = h @ params[k] + params[k + 1]
        k += 2
        if any(isinstance(n, BatchNorm) for n in inner):
            out = torch.nn.functional.batch_norm(out, None, None, params[k], params[k + 1], training=True, eps=1e-5)
            k += 2
        out = torch.tanh(out)
        h = h + out if isinstance(nodes[0], Residual) else out
    logits = h @ params[k] + params[k + 1]
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y)) + 0.5 * l2 * sum(
        (W ** 2).sum() for W in params[0::1] if W.ndim == 2)
    loss.backward()
    return logits.detach().numpy(), loss.item(), [p.grad.numpy() for p in params]


@pytest.mark.parametrize("options", [dict(), dict(residual=True), dict(residual=True, batchnorm=True)],
                         ids=["plain", "residual", "residual-batchnorm"])
def test_forward_loss_and_gradients_agree_with_torch(options, moons):
    X, y = moons[0][:32], moons[1][:32]
    net = MLP([2, 5, 5, 5, 2], "tanh", seed=4, **options)
    logits, loss, grads = _torch_mlp(net, X, y, l2=0.02)
    np.testing.assert_allclose(net.forward(X), logits, rtol=1e-12, atol=1e-12)
    assert net.gradients(X, y, l2=0.02) == pytest.approx(loss, rel=1e-12)
    for g, t in zip(net.grads, grads):
        np.testing.assert_allclose(np.reshape(g, t.shape), t, rtol=1e-9, atol=1e-12)


def test_a_residual_layer_adds_its_input_to_its_output(moons):
    X = moons[0][:10]
    plain = MLP([2, 4, 4, 2], "tanh", seed=3)
    skip = MLP([2, 4, 4, 2], "tanh", seed=3, residual=True)
    h_plain, h_skip = plain.hidden(X), skip.hidden(X)
    np.testing.assert_array_equal(h_skip[0], h_plain[0])                  # 2 → 4: no skip possible
    np.testing.assert_allclose(h_skip[1], h_skip[0] + np.tanh(h_skip[0] @ skip.params[2] + skip.params[3]))


def test_train_and_eval_set_every_layer_inside_residuals_too():
    net = MLP([2, 4, 4, 2], "relu", batchnorm=True, dropout=0.5, residual=True)
    assert net.eval() is net and not net.training
    moded = [n for nodes in net.hidden_layers for top in nodes
             for n in (top.layers if isinstance(top, Residual) else [top]) if hasattr(n, "training")]
    assert len(moded) == 4 and not any(n.training for n in moded)
    net.train()
    assert net.training and all(n.training for n in moded)
    with pytest.raises(TypeError, match="mode"):
        net.train(1)


def test_evaluation_mode_makes_dropout_the_identity_and_batchnorm_use_running_statistics(moons):
    X = moons[0][:40]
    net = MLP([2, 8, 2], "relu", dropout=0.5, batchnorm=True)
    net.eval()
    np.testing.assert_array_equal(net.forward(X), net.forward(X))
    bn = net.hidden_layers[0][1]
    h = X @ net.params[0] + net.params[1]
    expected = np.maximum((h - bn.running_mean) / np.sqrt(bn.running_var + bn.eps), 0) @ net.params[4] + net.params[5]
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-12)
    net.train()
    assert not np.array_equal(net.forward(X), net.forward(X))            # fresh dropout masks


def test_the_l1_penalty_uses_the_subgradient_zero_at_zero_weights(moons):
    X, y = moons[0][:10], moons[1][:10]
    net = MLP([2, 3, 2])
    net.params[0][0, 0] = 0.0
    net.gradients(X, y)
    plain = net.grads[0].copy()
    net.gradients(X, y, l1=0.5)
    assert net.grads[0][0, 0] == plain[0, 0]
    np.testing.assert_allclose(net.grads[0][1], plain[1] + 0.5 * np.sign(net.params[0][1]))
    expected = 0.5 * sum(np.abs(W).sum() for W in net.params[0::2]) + 0.05 * sum((W ** 2).sum() for W in net.params[0::2])
    assert net.penalty(l2=0.1, l1=0.5) == pytest.approx(expected)


def test_predictions_scores_and_probabilities_agree(moons):
    X, y = moons[0][:20], moons[1][:20]
    net = MLP([2, 4, 2])
    p = net.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(net.predict(X), p.argmax(axis=1))
    assert net.score(X, y) == np.mean(p.argmax(axis=1) == y)


def test_lecture_settings_convert_summed_gradient_step_to_mean_loss():
    assert lecture_settings()["lr"] == pytest.approx(2.0) and lecture_settings()["l2"] == pytest.approx(5e-5)
    s = lecture_settings(0.1, 0.02, 50)
    assert s["lr"] == pytest.approx(5.0) and s["l2"] == pytest.approx(4e-4)


@pytest.mark.parametrize("hidden", [1, 3, 5])
def test_fit_with_lecture_settings_tracks_the_lectures_build_model(hidden, moons):
    X, y = moons
    model = build_model(X, y, hidden, num_passes=200)
    net = MLP([2, hidden, 2])
    s = lecture_settings()
    fit(net, X, y, SGD(net.params, lr=s["lr"]), epochs=200, l2=s["l2"], record_every=200)
    for p, k in zip(net.params, LECTURE_KEYS):
        assert np.max(np.abs(p - model[k])) / np.max(np.abs(model[k])) < 1e-9


def test_one_hot_targets_give_the_same_gradients_as_class_indices(moons):
    X, y = moons[0][:30], moons[1][:30]
    net = MLP([2, 3, 2])
    net.gradients(X, y)
    g = [a.copy() for a in net.grads]
    net.gradients(X, np.eye(2)[y])
    for a, b in zip(g, net.grads):
        np.testing.assert_array_equal(a, b)


def test_from_params_copies_parameters_and_predicts_like_the_lecture(moons):
    X, y = moons
    model = build_model(X, y, 3, num_passes=20)
    net = MLP.from_params([model[k] for k in LECTURE_KEYS])
    assert net.layer_sizes == [2, 3, 2]
    assert net.params[0] is not model["W1"]
    logits = np.tanh(X @ model["W1"] + model["b1"]) @ model["W2"] + model["b2"]
    np.testing.assert_allclose(net.forward(X), logits, rtol=1e-12)


def test_flat_params_round_trip_and_loss_at_gradient_at_leave_the_parameters_alone(moons):
    X, y = moons[0][:30], moons[1][:30]
    net = MLP([2, 4, 3, 2], seed=2)
    theta = net.flat_params()
    assert theta.size == sum(p.size for p in net.params) == 2 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2
    net.set_flat_params(theta * 2)
    np.testing.assert_array_equal(net.flat_params(), theta * 2)
    assert net.layers[0].W is net.params[0]                      # set in place: the layers see it
    net.set_flat_params(theta)
    grad = net.gradient_at(theta * 2, X, y, l2=0.1)
    np.testing.assert_array_equal(net.flat_params(), theta)
    numeric = numerical_gradient(lambda t: net.loss_at(t, X, y, l2=0.1), (theta * 2).copy())
    np.testing.assert_array_equal(net.flat_params(), theta)
    assert relative_error(grad, numeric) < 1e-6
    net.gradients(X, y)
    np.testing.assert_array_equal(net.flat_grads(), np.concatenate([g.ravel() for g in net.grads]))


def test_copy_params_and_set_params_restore_a_network():
    net = MLP([2, 4, 2], batchnorm=True)
    saved = net.copy_params()
    for p in net.params:
        p += 1.0
    net.set_params(saved)
    for p, s in zip(net.params, saved):
        np.testing.assert_array_equal(p, s)
        assert p is not s


@pytest.mark.parametrize("init, expected_std", [
    ("naive", lambda i, o: 0.01), ("xavier", lambda i, o: np.sqrt(2 / (i + o))), ("he", lambda i, o: np.sqrt(2 / i)),
    ("lecture", lambda i, o: 1 / np.sqrt(i)),
])
def test_initialisations_draw_weights_with_their_standard_deviation(init, expected_std):
    net = MLP([400, 300, 2], init=init, seed=0)
    assert net.params[0].std() == pytest.approx(expected_std(400, 300), rel=0.02)
    assert INITIALISATIONS[init](400, 300) == pytest.approx(expected_std(400, 300))
    assert np.all(net.params[1] == 0)


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "swish", "gelu", "softplus"])
def test_any_activation_has_correct_gradients(activation, moons):
    X, y = moons[0][:20], moons[1][:20]
    assert network_gradient_error(MLP([2, 5, 2], activation=activation, seed=3), X, y, l2=0.01) < 1e-6


def test_activation_node_gives_the_dedicated_node_or_the_general_one():
    assert isinstance(activation_node("tanh"), Tanh) and isinstance(activation_node("relu"), ReLU)
    assert isinstance(activation_node("sigmoid"), Sigmoid)
    node = activation_node("gelu")
    assert isinstance(node, Activation) and node.name == "gelu"
    with pytest.raises(ValueError, match="activation"):
        activation_node("softmax")


# --- the chapter-08 network: ReLU, He initialisation, penalties, batch norm, dropout, convolutions ---

def relu_mlp(sizes, seed=0, **options):
    """The chapter's network: ReLU units, He's initialisation."""
    return MLP(sizes, "relu", seed=seed, init="he", **options)


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.05, 0.0), (0.0, 0.1), (0.02, 0.03)])
def test_relu_mlp_gradients_pass_gradient_check_with_l1_and_l2(l1, l2, rng):
    net = relu_mlp([3, 6, 5, 4], seed=1)
    for W in net.weights:                       # keep weights away from the kink of |w|
        W[...] = away_from(W, [0.0], gap=0.02)
    X, y = rng.randn(7, 3), rng.randint(0, 4, size=7)
    assert network_gradient_error(net, X, y, l1=l1, l2=l2) < 1e-6


def test_batchnorm_mlp_passes_gradient_check_and_its_biases_get_no_gradient(rng):
    net = relu_mlp([3, 6, 5, 3], seed=2, batchnorm=True)
    assert sum(isinstance(layer, layers.BatchNorm) for layer in net.layers) == 2
    assert [p.shape for p in net.params] == [(3, 6), (1, 6), (6,), (6,), (6, 5), (1, 5), (5,), (5,), (5, 3), (1, 3)]
    X, y = rng.randn(8, 3), rng.randint(0, 3, size=8)
    theta = net.flat_params()
    numeric = numerical_gradient(lambda t: net.loss_at(t, X, y, l2=0.01), theta.copy())
    analytic = net.gradient_at(theta, X, y, l2=0.01)
    start = 0
    for p in net.params:    # per array, relative to its largest entry: a bias before BatchNorm has 0
        a, n = analytic[start:start + p.size], numeric[start:start + p.size]
        assert np.max(np.abs(a - n)) < 1e-6 * max(np.max(np.abs(n)), 1e-3)
        start += p.size
    net.gradients(X, y)
    assert np.abs(net.grads[1]).max() < 1e-12     # the mean removed by BatchNorm: b gets no gradient


def test_dropout_mlp_passes_gradient_check_with_a_fixed_mask(rng):
    net = relu_mlp([3, 6, 5, 3], seed=3, dropout=0.3)
    drops = [layer for layer in net.layers if isinstance(layer, layers.Dropout)]
    assert len(drops) == 2
    for i, layer in enumerate(drops):           # the same mask at every forward pass
        original = layer.forward

        def same_mask(x, layer=layer, original=original, i=i):
            layer.rng = np.random.default_rng(100 + i)
            return original(x)
        layer.forward = same_mask
    X, y = rng.randn(6, 3), rng.randint(0, 3, size=6)
    assert network_gradient_error(net, X, y, l2=0.01) < 1e-6


def test_conv_network_passes_gradient_check_with_l1_and_l2(rng):
    net = Network([Conv2D(rng.randn(2, 1, 3, 3), np.zeros(2)), layers.ReLU(), AvgPool2D(2), Flatten(),
                   layers.Affine(rng.randn(8, 3) * 0.5, np.zeros(3))])
    for W in net.weights:
        W[...] = away_from(W, [0.0], gap=0.02)
    X, y = away_from(rng.randn(4, 1, 6, 6), [0.0]), rng.randint(0, 3, size=4)
    assert network_gradient_error(net, X, y, l1=0.01, l2=0.01) < 1e-5


def test_gradients_with_l1_and_l2_match_torch_including_the_subgradient_at_zero(rng):
    net = relu_mlp([4, 5, 3], seed=4)
    net.weights[0][0, :2] = 0.0                 # |w| has a kink here: the subgradient sign(0) = 0, as torch
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


def test_he_initialisation_draws_w1_w2_in_order_from_the_seed():
    net = relu_mlp([3, 4, 2], seed=7)
    rng = np.random.RandomState(7)
    assert np.array_equal(net.weights[0], rng.randn(3, 4) * np.sqrt(2 / 3))
    assert np.array_equal(net.weights[1], rng.randn(4, 2) * np.sqrt(2 / 4))
    assert all(not b.any() for b in net.params[1::2])


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


@pytest.mark.parametrize("layer_list, message", [([], "layers must be a non-empty list"),
                                                 ([object()], r"layers\[0\] must have forward and backward")])
def test_network_rejects_a_stack_that_is_not_layers(layer_list, message):
    with pytest.raises(TypeError, match=message):
        Network(layer_list)


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
    pytest.param(lambda: MLP([2, 3, 2], seed=-1), ValueError, "seed", id="seed-negative"),
    pytest.param(lambda: MLP([2, 3, 2], init="glorot"), ValueError, "init", id="init-unknown"),
    pytest.param(lambda: MLP([2, 3, 2], dropout=1.0), ValueError, "dropout", id="dropout-one"),
    pytest.param(lambda: MLP([2, 3, 2], residual=1), TypeError, "residual", id="residual-int"),
    pytest.param(lambda: MLP([2, 3, 2], batchnorm="yes"), TypeError, "batchnorm", id="batchnorm-str"),
    pytest.param(lambda: MLP([2, 3, 2]).forward(np.ones((3, 3))), ValueError, "X", id="forward-X-columns"),
    pytest.param(lambda: MLP([2, 3, 2]).forward(np.ones(2)), ValueError, "X", id="forward-1d-X"),
    pytest.param(lambda: MLP([2, 3, 2]).predict([[np.nan, 0.0]]), ValueError, "X", id="predict-nan"),
    pytest.param(lambda: MLP([2, 3, 2]).loss(X_SMALL, [0, 1, 2]), ValueError, "y", id="loss-class-too-big"),
    pytest.param(lambda: MLP([2, 3, 2]).loss(X_SMALL, [0, 1]), ValueError, "y", id="loss-too-few-labels"),
    pytest.param(lambda: MLP([2, 3, 2]).loss(X_SMALL, Y_SMALL, l2=-1.0), ValueError, "l2", id="loss-negative-l2"),
    pytest.param(lambda: MLP([2, 3, 2]).gradients(X_SMALL, Y_SMALL, l1="0"), TypeError, "l1", id="gradients-str-l1"),
    pytest.param(lambda: MLP([2, 3, 2]).gradients(X_SMALL[:, :1], Y_SMALL), ValueError, "X", id="gradients-X-columns"),
    pytest.param(lambda: MLP([2, 3, 2]).set_flat_params(np.zeros(5)), ValueError, "theta", id="theta-wrong-size"),
    pytest.param(lambda: MLP([2, 3, 2]).set_params([np.zeros(3)]), ValueError, "values", id="values-too-few"),
    pytest.param(lambda: MLP.from_params(3), TypeError, "params", id="from-params-int"),
    pytest.param(lambda: MLP.from_params([np.ones((2, 3))]), TypeError, "params", id="from-params-odd-length"),
    pytest.param(lambda: MLP.from_params([np.ones((2, 3)), np.zeros((1, 3)), np.ones((4, 2)), np.zeros((1, 2))]),
                 ValueError, "params", id="from-params-shapes-do-not-chain"),
    pytest.param(lambda: MLP.from_params([np.ones((2, 3)), np.zeros((1, 2))]), ValueError, "params",
                 id="from-params-bias-wrong-size"),
    pytest.param(lambda: Network([]), TypeError, "layers", id="network-empty"),
    pytest.param(lambda: Network([Affine(np.ones((2, 2)), np.zeros(2)), "relu"]), TypeError, "layers",
                 id="network-not-a-layer"),
    pytest.param(lambda: Network([ReLU()], input_shape=3), TypeError, "input_shape", id="network-input-shape-int"),
    pytest.param(lambda: Residual(), ValueError, "Residual", id="residual-empty"),
    pytest.param(lambda: lecture_settings(epsilon=-0.01), ValueError, "epsilon", id="settings-negative-epsilon"),
    pytest.param(lambda: lecture_settings(reg_lambda=np.inf), ValueError, "reg_lambda", id="settings-inf-lambda"),
    pytest.param(lambda: lecture_settings(n_samples=0), ValueError, "n_samples", id="settings-zero-samples"),
])
def test_network_rejects_bad_input_naming_the_argument(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()


def test_a_linear_mlp_is_one_affine_map_and_its_gradients_check():
    net = MLP([2, 5, 4, 3], "linear", seed=1)
    X = np.random.default_rng(0).normal(size=(7, 2))
    z = net.forward(X)
    A = np.c_[X, np.ones(len(X))]
    coef = np.linalg.lstsq(A, z, rcond=None)[0]
    np.testing.assert_allclose(A @ coef, z, atol=1e-12)
    y = np.array([0, 1, 2, 0, 1, 2, 0])
    theta = net.flat_params()
    g = net.gradient_at(theta, X, y)
    eps = 1e-6
    for i in range(0, len(theta), 5):
        e = np.zeros_like(theta)
        e[i] = eps
        numeric = (net.loss_at(theta + e, X, y) - net.loss_at(theta - e, X, y)) / (2 * eps)
        assert abs(numeric - g[i]) < 1e-7
