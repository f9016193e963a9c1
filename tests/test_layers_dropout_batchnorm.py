"""Tests of Dropout and BatchNorm in course_lib/layers.py: torch parity, gradient checks, modes, bad input."""
import numpy as np
import pytest
import torch

from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.layers import BatchNorm, Dropout

# --- Dropout --------------------------------------------------------------------------------------


def test_dropout_is_built_in_training_mode_and_eval_is_the_identity(rng):
    layer = Dropout(0.5, seed=0)
    assert layer.training is True
    x = rng.randn(20, 30)
    assert layer.eval() is layer and layer.training is False
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)
    assert layer.train().training is True


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_about_one_minus_p_scaled_by_its_inverse(p):
    layer = Dropout(p, seed=1)
    x = np.ones((200, 500))
    y = layer.forward(x)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / (1 - p))
    # the kept fraction is Binomial(n, 1 − p)/n: within 5 standard deviations
    assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / x.size)
    assert abs(y.mean() - 1.0) < 5 * np.sqrt(p / (1 - p) / x.size)  # E[y] = x


def test_dropout_with_p_one_drops_everything_and_p_zero_keeps_everything(rng):
    x = rng.randn(4, 5)
    np.testing.assert_array_equal(Dropout(1.0, seed=0).forward(x), np.zeros_like(x))
    np.testing.assert_array_equal(Dropout(0.0, seed=0).forward(x), x)
    layer = Dropout(1.0, seed=0)
    layer.forward(x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.zeros_like(x))


def test_dropout_backward_uses_the_forward_mask(rng):
    layer = Dropout(0.3, seed=2)
    x = rng.randn(6, 7) + 5.0  # never exactly 0, so y == 0 marks exactly the dropped units
    y = layer.forward(x)
    dx = layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(dx == 0, y == 0)
    np.testing.assert_allclose(dx[y != 0], 1 / 0.7)
    np.testing.assert_array_equal(dx, layer.mask)


def test_dropout_passes_gradient_check_with_a_fixed_mask(rng):
    layer = Dropout(0.4, seed=3)
    x, G = rng.randn(5, 6), rng.randn(5, 6)

    def loss(v):
        layer.rng = np.random.default_rng(7)  # the same mask on every call
        return np.sum(layer.forward(v) * G)

    loss(x)
    dx = layer.backward(G)
    assert relative_error(dx, numerical_gradient(loss, x.copy())) < 1e-7


def test_dropout_masks_are_reproducible_by_seed_and_differ_between_layers():
    x = np.ones((10, 10))
    np.testing.assert_array_equal(Dropout(0.5, seed=4).forward(x), Dropout(0.5, seed=4).forward(x))
    a, b = Dropout(0.5), Dropout(0.5)
    assert not np.array_equal(a.forward(x), b.forward(x))
    layer = Dropout(0.5, seed=4)
    assert not np.array_equal(layer.forward(x), layer.forward(x))  # a fresh mask every forward pass


def test_dropout_matches_torch_in_expectation_and_in_eval(rng):
    x = rng.randn(3, 4)
    t = torch.nn.Dropout(0.5).eval()
    np.testing.assert_array_equal(Dropout(0.5).eval().forward(x), t(torch.tensor(x)).numpy())
    t = torch.nn.Dropout(1.0).train()
    np.testing.assert_array_equal(Dropout(1.0).forward(x), t(torch.tensor(x)).numpy())


@pytest.mark.parametrize("kwargs, match", [({"p": -0.1}, "p must be >= 0"), ({"p": 1.5}, "p must be <= 1"),
                                           ({"p": "0.5"}, "p must be a real"), ({"p": 0.5, "seed": -1}, "seed"),
                                           ({"p": 0.5, "seed": 1.5}, "seed")])
def test_dropout_bad_arguments_raise(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Dropout(**kwargs)


def test_dropout_bad_forward_and_backward_raise():
    layer = Dropout(0.5, seed=0)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones(3))
    with pytest.raises(ValueError, match="x must be finite"):
        layer.forward(np.array([1.0, np.nan]))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="dout must have the shape"):
        layer.backward(np.ones((3, 2)))
    with pytest.raises(TypeError, match="mode"):
        layer.train("no")


# --- BatchNorm ------------------------------------------------------------------------------------


def torch_batchnorm(ours):
    """A torch.nn.BatchNorm1d in float64 with our layer's settings and parameters."""
    t = torch.nn.BatchNorm1d(ours.num_features, eps=ours.eps, momentum=ours.momentum).double()
    with torch.no_grad():
        t.weight.copy_(torch.tensor(ours.gamma))
        t.bias.copy_(torch.tensor(ours.beta))
    return t


@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, None])
def test_batchnorm_matches_torch_in_training_and_evaluation(momentum, rng):
    ours = BatchNorm(4, eps=1e-3, momentum=momentum)
    ours.gamma[:] = rng.randn(4)
    ours.beta[:] = rng.randn(4)
    theirs = torch_batchnorm(ours)
    assert ours.training and theirs.training
    for step in range(6):  # several batches: the running statistics accumulate
        x, G = rng.randn(8, 4) * 3 + 2, rng.randn(8, 4)
        tx = torch.tensor(x, requires_grad=True)
        out = theirs(tx)
        out.backward(torch.tensor(G))
        np.testing.assert_allclose(ours.forward(x), out.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.backward(G), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.dgamma, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.dbeta, theirs.bias.grad.numpy(), rtol=1e-10, atol=1e-12)
        theirs.zero_grad()
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
    assert ours.num_batches_tracked == int(theirs.num_batches_tracked) == 6
    ours.eval(), theirs.eval()
    x, G = rng.randn(5, 4), rng.randn(5, 4)
    tx = torch.tensor(x, requires_grad=True)
    out = theirs(tx)
    out.backward(torch.tensor(G))
    np.testing.assert_allclose(ours.forward(x), out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.backward(G), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.dgamma, theirs.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.dbeta, theirs.bias.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert ours.num_batches_tracked == 6  # evaluation leaves the statistics alone


def test_batchnorm_training_output_has_zero_mean_and_unit_variance_per_feature(rng):
    layer = BatchNorm(3)
    y = layer.forward(rng.randn(50, 3) * [1.0, 10.0, 100.0] + [5.0, -3.0, 0.0])
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), 1.0, rtol=1e-3)  # eps = 1e-5 shrinks it a little


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_passes_gradient_check(training, rng):
    layer = BatchNorm(3, eps=1e-2)
    layer.gamma[:] = rng.randn(3)
    layer.beta[:] = rng.randn(3)
    layer.running_mean[:] = rng.randn(3)
    layer.running_var[:] = rng.rand(3) + 0.5
    layer.train(training)
    x, G = rng.randn(6, 3), rng.randn(6, 3)

    def loss(_):
        return np.sum(layer.forward(x) * G)

    loss(None)
    dx = layer.backward(G)
    dgamma, dbeta = layer.dgamma.copy(), layer.dbeta.copy()
    assert relative_error(dx, numerical_gradient(lambda v: np.sum(layer.forward(v) * G), x.copy())) < 1e-6
    assert relative_error(dgamma, numerical_gradient(loss, layer.gamma)) < 1e-6
    assert relative_error(dbeta, numerical_gradient(loss, layer.beta)) < 1e-6


def test_batchnorm_params_are_updated_in_place_by_an_optimizer(rng):
    from course_lib.optim import SGD
    layer = BatchNorm(2)
    gamma = layer.gamma
    opt = SGD([layer.gamma, layer.beta], lr=0.1)
    layer.forward(rng.randn(4, 2))
    layer.backward(rng.randn(4, 2))
    opt.step([layer.dgamma, layer.dbeta])
    assert layer.gamma is gamma and not np.all(layer.gamma == 1.0)


@pytest.mark.parametrize("kwargs, match", [({"num_features": 0}, "num_features"),
                                           ({"num_features": 2.5}, "num_features"),
                                           ({"num_features": 3, "eps": 0.0}, "eps"),
                                           ({"num_features": 3, "momentum": 1.5}, "momentum"),
                                           ({"num_features": 3, "momentum": "0.1"}, "momentum")])
def test_batchnorm_bad_arguments_raise(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        BatchNorm(**kwargs)


def test_batchnorm_bad_forward_and_backward_raise():
    layer = BatchNorm(3)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="num_features = 3 columns"):
        layer.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match="2-D"):
        layer.forward(np.ones(3))
    with pytest.raises(ValueError, match="at least 2 samples"):
        layer.forward(np.ones((1, 3)))
    assert layer.num_batches_tracked == 0
    layer.eval()
    assert layer.forward(np.ones((1, 3))).shape == (1, 3)  # one sample is fine in evaluation
    with pytest.raises(ValueError, match="dout must have the shape"):
        layer.backward(np.ones((2, 3)))


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_equals_torch_given_the_same_kept_units(p, rng):
    # torch draws its own mask; read which units it kept, make ours keep the same, compare values and gradients
    x = rng.randn(6, 7) + 3.0                                   # no zeros, so kept units are visible
    torch.manual_seed(0)
    tx = torch.tensor(x, requires_grad=True)
    out_t = torch.nn.functional.dropout(tx, p=p, training=True)
    dout = rng.randn(6, 7)
    out_t.backward(torch.tensor(dout))
    kept = out_t.detach().numpy() != 0

    class SameKept:                                             # stands in for the layer's generator
        def random(self, shape):
            return np.where(kept, 1.0, 0.0)                     # ≥ p means kept

    layer = Dropout(p)
    layer.rng = SameKept()
    np.testing.assert_allclose(layer.forward(x), out_t.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(layer.backward(dout), tx.grad.numpy(), rtol=1e-15)
