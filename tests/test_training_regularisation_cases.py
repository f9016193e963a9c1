"""Network and training cases that chapter 08 relies on, moved from tests/test_regularisation.py when its
own Network/mlp/fit gave way to course_lib.network and course_lib.training (issue 13): penalties with
L1 and L2 against finite differences and torch (the subgradient at 0), batch norm, dropout with fixed
masks, convolution stacks, the ReLU/He MLP's layout and dropout seeds. To be folded into
tests/test_network.py and tests/test_training.py."""
import numpy as np
import pytest
import torch

from course_lib import layers
from course_lib.conv import AvgPool2D, Conv2D, Flatten
from course_lib.gradcheck import network_gradient_error, numerical_gradient
from course_lib.network import MLP, Network
from conftest import away_from


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


def test_relu_mlp_layout_with_batchnorm_and_dropout_and_the_dropout_seeds():
    net = relu_mlp([2, 8, 8, 3], seed=5, batchnorm=True, dropout=0.5)
    names = [type(layer).__name__ for layer in net.layers]
    assert names == ["Affine", "BatchNorm", "ReLU", "Dropout"] * 2 + ["Affine"]
    assert len(net.weights) == 3
    drops = [layer for layer in net.layers if isinstance(layer, layers.Dropout)]
    for i, layer in enumerate(drops):           # the i-th dropout layer draws from seed + i
        assert np.array_equal(layer.rng.random(5), np.random.default_rng(5 + i).random(5))


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
