"""Tests of the backward passes of glu, gtu and maxout (course_lib/activations.py):
finite differences, PyTorch autograd parity, the tie rule of maxout, bad input."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import activations as A
from course_lib.gradcheck import numerical_gradient, relative_error


def loss_gradient(forward, x, dout):
    """The numerical ∂L/∂x of L = Σ dout · forward(x), whose upstream gradient is exactly dout.

    Summing dout · (forward(v) − forward(x)) keeps the rounding error of the sum small.
    """
    base = forward(x.copy())
    return numerical_gradient(lambda v: float(np.sum((forward(v) - base) * dout)), x.copy())


# --- glu and gtu ------------------------------------------------------------------------

GATED = [(A.glu, A.glu_backward), (A.gtu, A.gtu_backward)]


@pytest.mark.parametrize("forward, backward", GATED, ids=["glu", "gtu"])
@pytest.mark.parametrize("shape, axis", [((3, 4), -1), ((4, 3), 0), ((2, 6, 2), 1), ((8,), 0)])
def test_gated_backward_matches_finite_differences(forward, backward, shape, axis, rng):
    x = rng.randn(*shape) * 2
    dout = rng.randn(*forward(x, axis=axis).shape)
    num = loss_gradient(lambda v: forward(v, axis=axis), x, dout)
    assert relative_error(backward(x, dout, axis=axis), num) < 1e-7


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_glu_backward_matches_torch_autograd(axis, rng):
    x = rng.randn(4, 6, 8)
    dout = rng.randn(*A.glu(x, axis=axis).shape)
    t = torch.tensor(x, requires_grad=True)
    (expected,) = torch.autograd.grad(F.glu(t, dim=axis), t, grad_outputs=torch.tensor(dout))
    np.testing.assert_allclose(A.glu_backward(x, dout, axis=axis), expected.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_gtu_backward_matches_torch_autograd(axis, rng):
    x = rng.randn(6, 4) * 3
    dout = rng.randn(*A.gtu(x, axis=axis).shape)
    t = torch.tensor(x, requires_grad=True)
    a, b = t.chunk(2, dim=axis)
    (expected,) = torch.autograd.grad(torch.tanh(a) * torch.sigmoid(b), t, grad_outputs=torch.tensor(dout))
    np.testing.assert_allclose(A.gtu_backward(x, dout, axis=axis), expected.numpy(), rtol=1e-12, atol=1e-15)


def test_glu_backward_passes_gradient_to_value_half_scaled_by_the_gate():
    x = np.array([[2.0, -1.0, 0.0, 1e3]])                      # a = (2, −1), b = (0, 1000)
    dx = A.glu_backward(x, np.ones((1, 2)))
    np.testing.assert_allclose(dx[0, :2], [0.5, 1.0])           # σ(0) = 1/2, σ(1000) = 1: gate open
    np.testing.assert_allclose(dx[0, 2:], [2.0 * 0.25, 0.0])    # a·σ'(b); a saturated gate passes nothing


@pytest.mark.parametrize("backward", [A.glu_backward, A.gtu_backward], ids=["glu", "gtu"])
def test_gated_backward_is_stable_for_large_inputs(backward):
    x = np.array([[1e4, -1e4, -1e4, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dx = backward(x, np.ones((1, 2)))
    assert np.all(np.isfinite(dx))


# --- maxout ------------------------------------------------------------------------------

@pytest.mark.parametrize("units, k", [(3, 1), (3, 2), (2, 4), (1, 5)])
def test_maxout_backward_matches_finite_differences(units, k, rng):
    z = rng.randn(5, units * k)                                  # ties have probability 0
    dout = rng.randn(5, units)
    num = loss_gradient(lambda v: A.maxout(v, k), z, dout)
    assert relative_error(A.maxout_backward(z, k, dout), num) < 1e-7


@pytest.mark.parametrize("units, k", [(3, 2), (2, 4)])
def test_maxout_backward_matches_torch_max_autograd(units, k, rng):
    z = rng.randn(6, units * k)
    dout = rng.randn(6, units)
    t = torch.tensor(z, requires_grad=True)
    h = t.reshape(6, units, k).max(dim=2).values
    (expected,) = torch.autograd.grad(h, t, grad_outputs=torch.tensor(dout))
    np.testing.assert_array_equal(A.maxout_backward(z, k, dout), expected.numpy())


def test_maxout_backward_sends_gradient_to_the_first_of_tied_pieces_only():
    z = np.array([[1.0, 1.0, -2.0, 3.0, 3.0, 3.0]])
    dz = A.maxout_backward(z, 3, np.array([[5.0, 7.0]]))
    np.testing.assert_array_equal(dz, [[5.0, 0.0, 0.0, 7.0, 0.0, 0.0]])


def test_maxout_with_a_zero_piece_is_relu_forward_and_backward(rng):
    x = rng.randn(4, 3)
    z = np.stack([x, np.zeros_like(x)], axis=2).reshape(4, 6)    # pieces (x, 0): max(x, 0)
    dout = rng.randn(4, 3)
    np.testing.assert_array_equal(A.maxout(z, 2), A.relu(x))
    np.testing.assert_array_equal(A.maxout_backward(z, 2, dout)[:, 0::2], dout * A.relu_derivative(x))


def test_maxout_backward_keeps_the_gradient_sum(rng):
    z, dout = rng.randn(7, 12), rng.randn(7, 4)
    dz = A.maxout_backward(z, 3, dout)
    np.testing.assert_allclose(dz.reshape(7, 4, 3).sum(axis=2), dout)
    assert np.count_nonzero(dz) == np.count_nonzero(dout)


# --- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("backward", [A.glu_backward, A.gtu_backward], ids=["glu", "gtu"])
@pytest.mark.parametrize("x, dout, kwargs, exc, name", [
    (np.ones((2, 4)), np.ones((2, 4)), {}, ValueError, "dout"),
    (np.ones((2, 4)), np.ones((1, 2)), {"axis": 0}, ValueError, "dout"),
    (np.ones((2, 4)), [[1.0, np.nan], [0.0, 0.0]], {}, ValueError, "dout"),
    (np.ones((2, 4)), "ab", {}, TypeError, "dout"),
    (np.ones((2, 5)), np.ones((2, 2)), {}, ValueError, "x"),
    (np.ones((2, 4)), np.ones((2, 2)), {"axis": 2}, ValueError, "axis"),
    (np.ones((2, 4)), np.ones((2, 2)), {"axis": 1.5}, TypeError, "axis"),
    (None, np.ones((2, 2)), {}, TypeError, "x"),
], ids=["dout-shape", "dout-shape-axis0", "dout-nan", "dout-str", "odd-x", "axis-too-big", "float-axis", "x-None"])
def test_gated_backward_rejects_bad_input(backward, x, dout, kwargs, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        backward(x, dout, **kwargs)


@pytest.mark.parametrize("z, k, dout, exc, name", [
    (np.ones((2, 6)), 2, np.ones((2, 2)), ValueError, "dout"),
    (np.ones((2, 6)), 2, np.ones((3,)), ValueError, "dout"),
    (np.ones((2, 6)), 2, [[np.inf, 0, 0], [0, 0, 0]], ValueError, "dout"),
    (np.ones((2, 6)), 4, np.ones((2, 2)), ValueError, "k"),
    (np.ones((2, 6)), 1.5, np.ones((2, 4)), TypeError, "k"),
    (np.ones(6), 2, np.ones(3), ValueError, "z"),
    ([["a", "b"]], 2, np.ones((1, 1)), TypeError, "z"),
])
def test_maxout_backward_rejects_bad_input(z, k, dout, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        A.maxout_backward(z, k, dout)
