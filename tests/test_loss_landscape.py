"""Tests of course_lib/experiments/loss_landscape.py (filter normalisation, slices, sharpness, the full Hessian)
and of the networks chapter 05 looks at with it."""
import numpy as np
import pytest
import torch

from course_lib.experiments.loss_landscape import (filter_normalized_direction, full_hessian, loss_along_line,
                                                   loss_surface, sharpness)
from course_lib.gradcheck import network_gradient_error, numerical_hessian
from course_lib.network import MLP
from course_lib.optim import SGD
from course_lib.training import fit


def data(n=12, d=5, c=3, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(n, d), rng.randint(0, c, n)


def residual_net(seed=0):
    """Chapter 05's kind of network, small: a stem 5 → 4, two skip-connected layers 4 → 4, an output 4 → 3."""
    return MLP([5, 4, 4, 4, 3], "tanh", seed=seed, residual=True)


@pytest.mark.parametrize("residual", [True, False])
@pytest.mark.parametrize("activation", ["tanh", "swish"])   # smooth: no kink for finite differences
def test_chapter_05s_networks_pass_a_gradient_check(residual, activation):
    X, y = data()
    net = MLP([5, 4, 4, 4, 3], activation, seed=1, residual=residual)
    for b in net.params[1::2]:            # biases off 0, so that they matter
        b += np.random.RandomState(2).uniform(0.1, 0.3, b.shape)
    assert network_gradient_error(net, X, y, l2=0.01) < 1e-6


@pytest.mark.parametrize("residual", [True, False])
def test_chapter_05s_networks_match_torch(residual):
    """A tanh stem, two hidden layers with (or without) skips h ← h + tanh(hW + b), an output layer."""
    X, y = data()
    net = MLP([5, 4, 4, 4, 3], "tanh", seed=2, residual=residual)
    loss = net.gradients(X, y)
    ps = [torch.tensor(p, requires_grad=True) for p in net.params]
    h = torch.tanh(torch.tensor(X) @ ps[0] + ps[1])
    for i in (2, 4):
        out = torch.tanh(h @ ps[i] + ps[i + 1])
        h = h + out if residual else out
    torch_loss = torch.nn.functional.cross_entropy(h @ ps[-2] + ps[-1], torch.tensor(y))
    torch_loss.backward()
    assert abs(loss - torch_loss.item()) < 1e-12
    for g, p in zip(net.grads, ps):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_with_and_without_skips_start_from_the_same_weights():
    a, b = residual_net(seed=4), MLP([5, 4, 4, 4, 3], "tanh", seed=4, residual=False)
    np.testing.assert_array_equal(a.flat_params(), b.flat_params())
    X, _ = data()
    assert not np.allclose(a.forward(X), b.forward(X))


def test_filter_normalized_direction_has_the_filter_norms_of_the_weights():
    net = residual_net()
    for p in net.params[1::2]:
        p += 0.3                          # non-zero biases: they still get no direction
    d = filter_normalized_direction(net, seed=1)
    assert d.shape == net.flat_params().shape
    start = 0
    for i, p in enumerate(net.params):
        part = d[start:start + p.size].reshape(p.shape)
        start += p.size
        if i % 2:
            assert np.all(part == 0)
        else:
            np.testing.assert_allclose(np.linalg.norm(part, axis=0), np.linalg.norm(p, axis=0))
    assert not np.allclose(d, filter_normalized_direction(net, seed=2))


def test_a_weight_with_one_input_gets_a_direction_and_batch_norm_none():
    net = MLP([1, 3, 2], "tanh", seed=0, batchnorm=True)      # W1 is (1, 3), like a bias; γ, β are (3,)
    d = filter_normalized_direction(net, seed=1)
    sizes = np.cumsum([0] + [p.size for p in net.params])
    parts = {i: d[a:b] for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))}
    np.testing.assert_allclose(np.abs(parts[0]), np.abs(net.params[0].ravel()))   # W1: one entry per filter
    assert all(np.all(parts[i] == 0) for i in (1, 2, 3, 5))                       # b1, γ1, β1, b2


def test_direction_scales_with_the_weights():
    net = residual_net()
    d = filter_normalized_direction(net, seed=1)
    net.set_flat_params(3 * net.flat_params())
    np.testing.assert_allclose(filter_normalized_direction(net, seed=1), 3 * d)


def test_slices_pass_through_the_network_and_restore_it():
    X, y = data()
    net = residual_net()
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


@pytest.fixture
def trained():
    X, y = data(n=20, d=2, c=2)
    net = MLP([2, 3, 2], "tanh", seed=0)
    fit(net, X, y, SGD(net.params, lr=0.5), epochs=200)
    return net, X, y


def test_full_hessian_is_the_numerical_hessian_of_backprops_gradient(trained):
    net, X, y = trained
    theta = net.flat_params()

    def gradient(t):                      # written out once here, to test against
        net.set_flat_params(t)
        net.gradients(X, y, l2=0.01)
        return net.flat_grads()

    expected = numerical_hessian(gradient, theta.copy())
    net.set_flat_params(theta)
    np.testing.assert_allclose(full_hessian(net, X, y, l2=0.01), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(net.flat_params(), theta)


def test_sharpness_is_the_largest_eigenvalue_of_the_full_hessian(trained):
    net, X, y = trained
    theta = net.flat_params()
    for penalty in ({}, {"l2": 0.05}):
        eig = np.linalg.eigvalsh(full_hessian(net, X, y, **penalty))
        assert eig[-1] == eig[np.argmax(np.abs(eig))]          # near a minimum: the largest is the largest in size
        assert sharpness(net, X, y, iterations=200, **penalty) == pytest.approx(eig[-1], rel=1e-4)
    np.testing.assert_array_equal(net.flat_params(), theta)


def test_bad_inputs_raise_clear_errors():
    X, y = data()
    net = residual_net()
    with pytest.raises(ValueError, match="direction must have"):
        loss_along_line(net, X, y, np.zeros(3), [0.0])
    with pytest.raises(ValueError, match="direction2 must have"):
        loss_surface(net, X, y, np.zeros(net.flat_params().size), np.zeros(3), [0.0], [0.0])
    with pytest.raises(TypeError, match="net"):
        filter_normalized_direction("net")
    with pytest.raises(TypeError, match="net"):
        sharpness("net", X, y)
    with pytest.raises(ValueError, match="iterations"):
        sharpness(net, X, y, iterations=0)
