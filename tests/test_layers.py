"""Tests of course_lib/layers.py: gradient checks of every node, broadcasting, PyTorch parity, bad input."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.layers import Add, Affine, Branch, Identity, Multiply, ReLU, Sigmoid, SoftmaxWithLoss, Tanh
from course_lib.losses import softmax
from conftest import away_from


def check_binary_node(node, x, y, rng):
    """Gradient-check a node z = node(x, y) with the scalar loss L = Σ z · G."""
    G = rng.randn(*np.broadcast_shapes(x.shape, y.shape))
    node.forward(x, y)
    dx, dy = node.backward(G)
    assert dx.shape == x.shape and dy.shape == y.shape
    num_x = numerical_gradient(lambda v: np.sum(node.forward(v, y) * G), x)
    num_y = numerical_gradient(lambda v: np.sum(node.forward(x, v) * G), y)
    assert relative_error(dx, num_x) < 1e-6
    assert relative_error(dy, num_y) < 1e-6


def test_add_backward_passes_gradient_through_to_both_inputs():
    node = Add()
    assert node.forward(2.0, -3.0) == -1.0
    assert node.backward(1.5) == (1.5, 1.5)


def test_multiply_backward_swaps_inputs():
    node = Multiply()
    assert node.forward(2.0, -3.0) == -6.0
    dx, dy = node.backward(1.0)
    assert (dx, dy) == (-3.0, 2.0)
    dx, dy = node.backward(0.5)
    assert (dx, dy) == (-1.5, 1.0)


@pytest.mark.parametrize("node_cls", [Add, Multiply])
@pytest.mark.parametrize("x_shape, y_shape", [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 4), (3, 1)),
                                              ((1, 4), (3, 1)), ((2, 3, 4), (3, 4)), ((3,), ())])
def test_add_and_multiply_backward_pass_gradient_check_with_broadcasting(node_cls, x_shape, y_shape, rng):
    check_binary_node(node_cls(), rng.randn(*x_shape), np.asarray(rng.randn(*y_shape)), rng)


def test_branch_backward_adds_the_gradients_of_its_two_uses():
    node = Branch()
    x1, x2 = node.forward(3.0)
    assert x1 == x2 == 3.0
    assert node.backward(1.5, -4.0) == -2.5


@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_branch_passes_gradient_check(shape, rng):
    """L = Σ G1·x1 + Σ G2·x2², with (x1, x2) = Branch(x): ∂L/∂x = G1 + 2·G2·x."""
    x = np.asarray(rng.randn(*shape))
    G1, G2 = np.asarray(rng.randn(*shape)), np.asarray(rng.randn(*shape))
    node = Branch()
    x1, x2 = node.forward(x)
    dx = node.backward(G1, 2 * G2 * x2)
    num = numerical_gradient(lambda v: np.sum(G1 * v) + np.sum(G2 * v ** 2), x.copy())
    assert np.shape(dx) == x.shape
    assert relative_error(dx, num) < 1e-7


def test_branch_in_x_times_y_plus_x_matches_torch_autograd(rng):
    """f = x·y + x through Branch, Multiply and Add: autograd also sums over the two paths from x."""
    x, y, G = rng.randn(3, 4), rng.randn(3, 4), rng.randn(3, 4)
    branch, mul, add = Branch(), Multiply(), Add()
    x1, x2 = branch.forward(x)
    f = add.forward(mul.forward(x1, y), x2)
    dm, dx2 = add.backward(G)
    dx1, dy = mul.backward(dm)
    dx = branch.backward(dx1, dx2)
    tx, ty = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    tf = tx * ty + tx
    gx, gy = torch.autograd.grad(tf, (tx, ty), torch.tensor(G))
    np.testing.assert_allclose(f, tf.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dx, gx.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dy, gy.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dx, G * (y + 1), rtol=1e-12, atol=1e-15)


def check_unary_layer(layer, x, rng):
    """Gradient-check y = layer(x) with the scalar loss L = Σ y · G."""
    G = rng.randn(*x.shape)
    layer.forward(x)
    dx = layer.backward(G)
    num = numerical_gradient(lambda v: np.sum(layer.forward(v) * G), x)
    assert dx.shape == x.shape
    assert relative_error(dx, num) < 1e-6


@pytest.mark.parametrize("layer_cls", [ReLU, Sigmoid, Tanh])
def test_activation_layer_passes_gradient_check(layer_cls, rng):
    check_unary_layer(layer_cls(), away_from(rng.randn(4, 5) * 2, [0.0]), rng)


@pytest.mark.parametrize("layer_cls, fn", [(ReLU, torch.relu), (Sigmoid, torch.sigmoid), (Tanh, torch.tanh)])
def test_activation_layer_matches_torch(layer_cls, fn, rng):
    x, G = rng.randn(3, 4) * 3, rng.randn(3, 4)
    x[0, 0] = 0.0
    t = torch.tensor(x, requires_grad=True)
    out = fn(t)
    (grad,) = torch.autograd.grad(out, t, torch.tensor(G))
    layer = layer_cls()
    np.testing.assert_allclose(layer.forward(x), out.detach().numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(layer.backward(G), grad.numpy(), rtol=1e-12, atol=1e-15)


def test_relu_backward_blocks_gradient_where_input_is_not_positive():
    layer = ReLU()
    layer.forward(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(layer.backward(np.array([5.0, 5.0, 5.0])), [0.0, 0.0, 5.0])


@pytest.mark.parametrize("b_shape", [(3,), (1, 3)])
def test_affine_gradients_of_x_w_and_b_pass_gradient_check(b_shape, rng):
    X, W, b, G = rng.randn(5, 4), rng.randn(4, 3), rng.randn(*b_shape), rng.randn(5, 3)
    layer = Affine(W, b)
    np.testing.assert_allclose(layer.forward(X), X @ W + b, rtol=1e-14)
    dX = layer.backward(G)
    assert dX.shape == X.shape and layer.dW.shape == W.shape and layer.db.shape == b.shape

    def loss(_):
        return np.sum(layer.forward(X) * G)

    for analytic, param in [(dX, X), (layer.dW, W), (layer.db, b)]:
        assert relative_error(analytic, numerical_gradient(loss, param)) < 1e-6


def test_affine_backward_has_the_transpose(rng):
    X, W, G = rng.randn(2, 3), rng.randn(3, 4), rng.randn(2, 4)
    layer = Affine(W, np.zeros(4))
    layer.forward(X)
    np.testing.assert_allclose(layer.backward(G), G @ W.T, rtol=1e-14)
    np.testing.assert_allclose(layer.dW, X.T @ G, rtol=1e-14)
    np.testing.assert_allclose(layer.db, G.sum(axis=0), rtol=1e-14)


def test_affine_matches_torch_linear(rng):
    X, W, b, G = rng.randn(5, 4), rng.randn(4, 3), rng.randn(3), rng.randn(5, 3)
    tX, tW, tb = (torch.tensor(a, requires_grad=True) for a in (X, W, b))
    out = F.linear(tX, tW.T, tb)
    grads = torch.autograd.grad(out, (tX, tW, tb), torch.tensor(G))
    layer = Affine(W, b)
    np.testing.assert_allclose(layer.forward(X), out.detach().numpy(), rtol=1e-12)
    for got, ref in zip((layer.backward(G), layer.dW, layer.db), grads):
        np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12, atol=1e-14)


def test_affine_in_place_parameter_update_is_visible_to_the_layer(rng):
    X, W, b = rng.randn(2, 3), rng.randn(3, 2), np.zeros((1, 2))
    layer = Affine(W, b)
    before = layer.forward(X)
    W -= 0.5
    b += 1.0
    after = layer.forward(X)
    np.testing.assert_allclose(after, before - 0.5 * X.sum(axis=1, keepdims=True) + 1.0, rtol=1e-12)
    assert layer.W is W and layer.b is b


@pytest.mark.parametrize("target_kind", ["indices", "onehot"])
def test_softmax_with_loss_matches_torch_and_gradient_is_p_minus_y_over_n(target_kind, rng):
    z, y = rng.randn(6, 4), rng.randint(0, 4, size=6)
    targets = y if target_kind == "indices" else np.eye(4)[y]
    t = torch.tensor(z, requires_grad=True)
    ref = F.cross_entropy(t, torch.tensor(targets))
    (grad,) = torch.autograd.grad(ref, t)
    layer = SoftmaxWithLoss()
    np.testing.assert_allclose(layer.forward(z, targets), ref.item(), rtol=1e-12)
    dz = layer.backward()
    np.testing.assert_allclose(dz, grad.numpy(), rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(dz, (softmax(z) - np.eye(4)[y]) / 6, rtol=1e-14)
    np.testing.assert_allclose(layer.backward(2.0), 2 * dz, rtol=1e-14)


def test_softmax_with_loss_passes_gradient_check(rng):
    z, y = rng.randn(3, 5), np.array([4, 0, 2])
    layer = SoftmaxWithLoss()
    layer.forward(z, y)
    dz = layer.backward()
    num = numerical_gradient(lambda v: layer.forward(v, y), z.copy())
    assert relative_error(dz, num) < 1e-6


@pytest.mark.parametrize("layer_cls", [Add, Multiply, ReLU, Sigmoid, Tanh, SoftmaxWithLoss,
                                       lambda: Affine(np.ones((2, 2)), np.zeros(2))],
                         ids=["Add", "Multiply", "ReLU", "Sigmoid", "Tanh", "SoftmaxWithLoss", "Affine"])
def test_backward_before_forward_raises_runtime_error(layer_cls):
    with pytest.raises(RuntimeError, match="before forward"):
        layer_cls().backward(np.ones((2, 2)))


def test_branch_backward_before_forward_raises_runtime_error():
    with pytest.raises(RuntimeError, match="Branch.backward called before forward"):
        Branch().backward(np.ones(2), np.ones(2))


# --- bad input --------------------------------------------------------------------------

def forwarded(layer, *args):
    layer.forward(*args)
    return layer


@pytest.mark.parametrize("call, exc, name", [
    pytest.param(lambda: Add().forward("a", 1.0), TypeError, "x", id="add-str-x"),
    pytest.param(lambda: Add().forward(1.0, [np.nan]), ValueError, "y", id="add-nan-y"),
    pytest.param(lambda: Add().forward(np.ones((3, 4)), np.ones(3)), ValueError, "x and y", id="add-not-broadcastable"),
    pytest.param(lambda: Multiply().forward(np.ones(2), np.array([1j, 2])), TypeError, "y", id="multiply-complex-y"),
    pytest.param(lambda: Multiply().forward(np.ones((2, 3)), np.ones((3, 2))), ValueError, "x and y",
                 id="multiply-not-broadcastable"),
    pytest.param(lambda: forwarded(Add(), np.ones((3, 4)), np.ones(4)).backward(np.ones(4)), ValueError, "dout",
                 id="add-dout-wrong-shape"),
    pytest.param(lambda: forwarded(Multiply(), np.ones(2), np.ones(2)).backward([1.0, np.inf]), ValueError, "dout",
                 id="multiply-dout-inf"),
    pytest.param(lambda: Branch().forward("x"), TypeError, "x", id="branch-str-x"),
    pytest.param(lambda: forwarded(Branch(), np.ones(3)).backward(np.ones(2), np.ones(3)), ValueError, "dout1",
                 id="branch-dout1-shape"),
    pytest.param(lambda: forwarded(Branch(), np.ones(3)).backward(np.ones(3), "g"), TypeError, "dout2",
                 id="branch-dout2-str"),
    pytest.param(lambda: forwarded(Branch(), np.ones(3)).backward(np.ones(3), [1.0, np.nan, 0.0]), ValueError,
                 "dout2", id="branch-dout2-nan"),
    pytest.param(lambda: ReLU().forward(None), TypeError, "x", id="relu-none"),
    pytest.param(lambda: forwarded(ReLU(), np.ones(3)).backward(np.ones(2)), ValueError, "dout", id="relu-dout-shape"),
    pytest.param(lambda: forwarded(Sigmoid(), np.ones(3)).backward("abc"), TypeError, "dout", id="sigmoid-dout-str"),
    pytest.param(lambda: Tanh().forward([[1.0], [np.nan]]), ValueError, "x", id="tanh-nan"),
    pytest.param(lambda: forwarded(Tanh(), np.ones(3)).backward(np.ones((3, 1))), ValueError, "dout",
                 id="tanh-dout-shape"),
    pytest.param(lambda: Affine(np.ones(3), np.zeros(3)), ValueError, "W", id="affine-1d-W"),
    pytest.param(lambda: Affine(np.ones((2, 3)), np.zeros(2)), ValueError, "b", id="affine-b-wrong-size"),
    pytest.param(lambda: Affine(np.ones((2, 3)), np.zeros((3, 1))), ValueError, "b", id="affine-b-column"),
    pytest.param(lambda: Affine(np.ones((2, 3)), np.zeros((1, 1, 3))), ValueError, "b", id="affine-3d-b"),
    pytest.param(lambda: Affine(np.ones((2, 3)), "b"), TypeError, "b", id="affine-str-b"),
    pytest.param(lambda: Affine([[1.0, np.nan]], np.zeros(2)), ValueError, "W", id="affine-nan-W"),
    pytest.param(lambda: Affine(np.ones((2, 3)), np.zeros(3)).forward(np.ones((4, 3))), ValueError, "X",
                 id="affine-X-wrong-columns"),
    pytest.param(lambda: Affine(np.ones((2, 3)), np.zeros(3)).forward(np.ones(2)), ValueError, "X", id="affine-1d-X"),
    pytest.param(lambda: forwarded(Affine(np.ones((2, 3)), np.zeros(3)), np.ones((4, 2))).backward(np.ones((4, 2))),
                 ValueError, "dout", id="affine-dout-shape"),
    pytest.param(lambda: SoftmaxWithLoss().forward(np.ones(3), [0]), ValueError, "z", id="softmax-loss-1d-z"),
    pytest.param(lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), [0, 3]), ValueError, "targets",
                 id="softmax-loss-class-too-big"),
    pytest.param(lambda: SoftmaxWithLoss().forward(np.ones((2, 3)), [0]), ValueError, "targets",
                 id="softmax-loss-too-few-targets"),
    pytest.param(lambda: forwarded(SoftmaxWithLoss(), np.ones((2, 3)), [0, 1]).backward(np.ones(2)), ValueError,
                 "dout", id="softmax-loss-dout-not-scalar"),
])
def test_layers_reject_bad_input_naming_the_argument(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()


@pytest.mark.parametrize("name, params", [
    ("tanh", {}), ("relu", {}), ("sigmoid", {}), ("leaky_relu", {"negative_slope": 0.1}),
    ("elu", {"alpha": 0.7}), ("swish", {"beta": 2.0}), ("gelu", {}), ("softplus", {"beta": 1.5}),
])
def test_activation_node_backward_passes_gradient_check(name, params):
    from course_lib.gradcheck import numerical_gradient, relative_error
    from course_lib.layers import Activation

    rng = np.random.RandomState(5)
    x = rng.randn(4, 3)
    x[np.abs(x) < 0.05] += 0.2            # away from the kinks at 0
    upstream = rng.randn(4, 3)
    node = Activation(name, **params)
    node.forward(x)
    analytic = node.backward(upstream)
    numeric = numerical_gradient(lambda a: np.sum(node.forward(a) * upstream), x.copy())
    assert relative_error(analytic, numeric) < 1e-7


def test_activation_node_rejects_unknown_names_and_bad_parameters():
    from course_lib.layers import Activation

    with pytest.raises(ValueError, match="name"):
        Activation("swishy")
    with pytest.raises(ValueError, match="beta"):
        Activation("softplus", beta=-1.0)


def test_identity_passes_values_and_gradients_through():
    node = Identity()
    x = np.array([[1.0, -2.0], [0.0, 3.5]])
    np.testing.assert_array_equal(node.forward(x), x)
    np.testing.assert_array_equal(node.backward(np.ones_like(x) * 2), 2 * np.ones_like(x))
    with pytest.raises(RuntimeError, match="before forward"):
        Identity().backward(x)
