"""Tests of course_lib/loss_landscape.py: the residual MLP's gradients, filter normalisation, slices, sharpness."""
import numpy as np
import pytest
import torch

from course_lib.gradcheck import network_gradient_error
from course_lib.experiments.loss_landscape import (ResidualBlock, ResidualMLP, filter_normalized_direction, loss_along_line,
                                       loss_surface, sharpness)
from course_lib.network import MLP


def data(n=12, d=5, c=3, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(n, d), rng.randint(0, c, n)


@pytest.mark.parametrize("residual", [True, False])
@pytest.mark.parametrize("activation", ["tanh", "relu", "swish"])
def test_residual_mlp_gradients_match_finite_differences(residual, activation):
    X, y = data()
    net = ResidualMLP(5, 4, 3, 3, residual=residual, activation=activation, seed=1)
    for b in net.params[1::2]:            # biases off 0: a dead ReLU layer would put the next layer's
        b += np.random.RandomState(2).uniform(0.1, 0.3, b.shape)  # inputs exactly on the kink
    assert network_gradient_error(net, X, y, reg=0.01) < 1e-6


@pytest.mark.parametrize("residual", [True, False])
def test_residual_mlp_matches_torch(residual):
    X, y = data()
    net = ResidualMLP(5, 4, 2, 3, residual=residual, activation="tanh", seed=2)
    loss = net.gradients(X, y)
    ps = [torch.tensor(p, requires_grad=True) for p in net.params]
    h = torch.tanh(torch.tensor(X) @ ps[0] + ps[1])
    for i in range(2):
        out = torch.tanh(h @ ps[2 + 2 * i] + ps[3 + 2 * i])
        h = h + out if residual else out
    logits = h @ ps[-2] + ps[-1]
    torch_loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    torch_loss.backward()
    assert abs(loss - torch_loss.item()) < 1e-12
    for g, p in zip(net.grads, ps):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_residual_block_backward_adds_the_skip_path():
    rng = np.random.RandomState(3)
    W, b, h, dout = rng.randn(4, 4), rng.randn(1, 4), rng.randn(6, 4), rng.randn(6, 4)
    plain, res = ResidualBlock(W, b, "tanh", residual=False), ResidualBlock(W, b, "tanh", residual=True)
    np.testing.assert_allclose(res.forward(h), plain.forward(h) + h)
    np.testing.assert_allclose(res.backward(dout), plain.backward(dout) + dout)


def test_residual_and_plain_networks_start_from_the_same_weights():
    a, b = ResidualMLP(5, 4, 3, 3, residual=True, seed=4), ResidualMLP(5, 4, 3, 3, residual=False, seed=4)
    np.testing.assert_array_equal(a.flat_params(), b.flat_params())
    X, _ = data()
    assert not np.allclose(a.forward(X), b.forward(X))


def test_depth_zero_is_a_one_hidden_layer_mlp():
    X, y = data()
    net = ResidualMLP(5, 4, 0, 3, activation="tanh", seed=0)
    mlp = MLP.from_params(net.params, "tanh")
    np.testing.assert_allclose(net.forward(X), mlp.forward(X))


def test_filter_normalized_direction_has_the_filter_norms_of_the_weights():
    net = ResidualMLP(5, 4, 2, 3, seed=0)
    for p in net.params[1::2]:
        p += 0.3                          # non-zero biases: they still get no direction
    d = filter_normalized_direction(net, seed=1)
    assert d.shape == net.flat_params().shape
    start = 0
    for p in net.params:
        part = d[start:start + p.size].reshape(p.shape)
        start += p.size
        if p.shape[0] == 1:
            assert np.all(part == 0)
        else:
            np.testing.assert_allclose(np.linalg.norm(part, axis=0), np.linalg.norm(p, axis=0))
    assert not np.allclose(d, filter_normalized_direction(net, seed=2))


def test_direction_scales_with_the_weights():
    net = ResidualMLP(5, 4, 2, 3, seed=0)
    d = filter_normalized_direction(net, seed=1)
    net.set_flat_params(3 * net.flat_params())
    np.testing.assert_allclose(filter_normalized_direction(net, seed=1), 3 * d)


def test_slices_pass_through_the_model_and_restore_it():
    X, y = data()
    net = ResidualMLP(5, 4, 2, 3, seed=0)
    theta = net.flat_params()
    d1, d2 = filter_normalized_direction(net, 1), filter_normalized_direction(net, 2)
    line = loss_along_line(net, X, y, d1, [-0.5, 0.0, 0.5])
    Z = loss_surface(net, X, y, d1, d2, [-0.5, 0.0, 0.5], [0.0, 1.0])
    np.testing.assert_array_equal(net.flat_params(), theta)
    assert line[1] == pytest.approx(net.loss(X, y))
    np.testing.assert_allclose(Z[0], line)
    assert Z.shape == (2, 3)
    net.set_flat_params(theta + 0.5 * d1 + 1.0 * d2)
    assert Z[1, 2] == pytest.approx(net.loss(X, y))


def test_sharpness_is_the_largest_hessian_eigenvalue():
    X, y = data(n=20, d=2, c=2)
    net = MLP([2, 3, 2], "tanh", seed=0)
    net.train(X, y, num_passes=200, lr=0.5)
    theta = net.flat_params()

    def grad_at(t):
        net.set_flat_params(t)
        net.gradients(X, y)
        return net.flat_grads()

    from course_lib.gradcheck import numerical_hessian
    H = numerical_hessian(grad_at, theta.copy())
    net.set_flat_params(theta)
    eig = np.linalg.eigvalsh((H + H.T) / 2)
    assert sharpness(net, X, y, iterations=200) == pytest.approx(eig[np.argmax(np.abs(eig))], rel=1e-4)
    np.testing.assert_array_equal(net.flat_params(), theta)


def test_bad_inputs_raise_clear_errors():
    X, y = data()
    net = ResidualMLP(5, 4, 2, 3)
    with pytest.raises(ValueError, match="X must have 5 columns"):
        net.forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="direction must have"):
        loss_along_line(net, X, y, np.zeros(3), [0.0])
    with pytest.raises(TypeError, match="residual"):
        ResidualMLP(5, 4, 2, 3, residual="yes")
    with pytest.raises(ValueError, match="activation|name"):
        ResidualMLP(5, 4, 2, 3, activation="nope")
    with pytest.raises(ValueError, match="n_classes"):
        ResidualMLP(5, 4, 2, 1)
    with pytest.raises(TypeError, match="model"):
        filter_normalized_direction("net")
    with pytest.raises(ValueError, match="theta"):
        net.set_flat_params(np.zeros(3))
