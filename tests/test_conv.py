"""Tests of course_lib/conv.py: convolution, pooling and flatten nodes against finite differences and PyTorch."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.conv import AvgPool2D, Conv2D, Flatten, conv2d_parameter_count, dense_parameter_count
from course_lib.gradcheck import numerical_gradient, relative_error

SHAPES = [((2, 1, 5, 5), (3, 1, 3, 3)), ((1, 3, 6, 4), (2, 3, 2, 3)), ((3, 2, 4, 4), (1, 2, 4, 4)),
          ((2, 1, 8, 8), (8, 1, 1, 1))]


@pytest.mark.parametrize("x_shape, w_shape", SHAPES)
def test_conv2d_forward_and_backward_match_torch(x_shape, w_shape, rng):
    x, W, b = rng.randn(*x_shape), rng.randn(*w_shape), rng.randn(w_shape[0])
    layer = Conv2D(W, b)
    y = layer.forward(x)
    xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    yt = F.conv2d(xt, Wt, bt)
    G = rng.randn(*y.shape)
    (yt * torch.tensor(G)).sum().backward()
    dx = layer.backward(G)
    assert y.shape == tuple(yt.shape)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.dW, Wt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.db, bt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_conv2d_passes_gradient_check_for_input_weights_and_bias(rng):
    x, W, b = rng.randn(2, 2, 5, 4), rng.randn(3, 2, 3, 2), rng.randn(3)
    G = rng.randn(2, 3, 3, 3)
    layer = Conv2D(W, b)
    layer.forward(x)
    dx = layer.backward(G)
    assert relative_error(dx, numerical_gradient(lambda v: np.sum(Conv2D(W, b).forward(v) * G), x.copy())) < 1e-7
    assert relative_error(layer.dW, numerical_gradient(lambda w: np.sum(Conv2D(w, b).forward(x) * G), W.copy())) < 1e-6
    assert relative_error(layer.db, numerical_gradient(lambda c: np.sum(Conv2D(W, c).forward(x) * G), b.copy())) < 1e-7


def test_shared_weight_gradient_is_the_sum_over_positions(rng):
    x = rng.randn(1, 1, 4, 4)
    layer = Conv2D(np.ones((1, 1, 1, 1)), np.zeros(1))   # a 1×1 kernel: y = w·x at every pixel
    layer.forward(x)
    layer.backward(np.ones((1, 1, 4, 4)))
    assert np.isclose(layer.dW.item(), x.sum())
    assert np.isclose(layer.db.item(), 16.0)


def test_conv2d_keeps_weights_by_reference():
    W = np.zeros((1, 1, 2, 2))
    layer = Conv2D(W, np.zeros(1))
    W += 1.0
    assert np.allclose(layer.forward(np.ones((1, 1, 3, 3))), 4.0)


def test_avgpool_matches_torch(rng):
    x = rng.randn(2, 3, 6, 4)
    pool = AvgPool2D(2)
    y = pool.forward(x)
    xt = torch.tensor(x, requires_grad=True)
    yt = F.avg_pool2d(xt, 2)
    G = rng.randn(*y.shape)
    (yt * torch.tensor(G)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), atol=1e-13)
    np.testing.assert_allclose(pool.backward(G), xt.grad.numpy(), atol=1e-13)


def test_flatten_round_trips_shapes(rng):
    x = rng.randn(3, 2, 4, 5)
    flat = Flatten()
    assert flat.forward(x).shape == (3, 40)
    G = rng.randn(3, 40)
    assert np.array_equal(flat.backward(G), G.reshape(3, 2, 4, 5))


def test_parameter_counts_match_torch_modules():
    assert conv2d_parameter_count(3, 64, 3) == sum(p.numel() for p in torch.nn.Conv2d(3, 64, 3).parameters())
    assert dense_parameter_count(64, 288) == sum(p.numel() for p in torch.nn.Linear(64, 288).parameters())


@pytest.mark.parametrize("make, message", [
    (lambda: Conv2D(np.ones((2, 1, 3)), np.zeros(2)), "W must be 4-D"),
    (lambda: Conv2D(np.ones((2, 1, 3, 3)), np.zeros(3)), "one bias per kernel"),
    (lambda: Conv2D(np.ones((2, 1, 3, 3)), np.zeros(2)).forward(np.ones((1, 2, 5, 5))), "x must have shape"),
    (lambda: Conv2D(np.ones((2, 1, 3, 3)), np.zeros(2)).forward(np.ones((1, 1, 2, 5))), "x must have shape"),
    (lambda: AvgPool2D(2).forward(np.ones((1, 1, 3, 4))), "multiples of k=2"),
    (lambda: Flatten().forward(np.ones(3)), "batch axis"),
    (lambda: conv2d_parameter_count(1, 0, 3), "out_channels must be >= 1"),
    (lambda: dense_parameter_count(2.5, 3), "in_features must be an integer"),
])
def test_bad_inputs_raise_clear_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_backward_before_forward_is_explained():
    with pytest.raises(RuntimeError, match="before forward"):
        Conv2D(np.ones((1, 1, 2, 2)), np.zeros(1)).backward(np.ones((1, 1, 1, 1)))
