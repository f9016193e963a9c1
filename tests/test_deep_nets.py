"""Tests of course_lib/deep_nets.py: the scalar chain, the deep/residual MLP, gradient norms, training."""
import numpy as np
import pytest

from course_lib.activations import sigmoid_derivative
from course_lib.experiments.deep_nets import (DeepMLP, DenseBlock, ScalarChain, activation_histograms, activation_statistics,
                                  gradient_survey, hidden_activations, layer_gradient_norms, measure_network,
                                  train_sgd, train_sgd_seeds)
from course_lib.gradcheck import network_gradient_error, numerical_gradient, relative_error
from course_lib.network import MLP


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.RandomState(7)
    X = rng.randn(24, 5)
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    return X, y


def chain_loss(weights, x, y, activation="sigmoid"):
    return 0.5 * (ScalarChain(weights, activation).forward(x) - y) ** 2


# --- the lecture's chain ------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "elu"])
def test_scalar_chain_backward_passes_gradient_check(activation, rng):
    w, x, y = rng.randn(5) * 1.5, 0.8, 0.3
    chain = ScalarChain(w, activation)
    p = chain.forward(x)
    dw = chain.backward(p - y)
    numeric = numerical_gradient(lambda v: chain_loss(v, x, y, activation), w.copy())
    assert relative_error(dw, numeric) < 1e-7


def test_scalar_chain_gradient_of_w1_is_the_product_of_factors(rng):
    w, x, y = rng.randn(4), -1.2, 1.0
    chain = ScalarChain(w)
    p = chain.forward(x)
    factors = chain.factors()
    np.testing.assert_allclose(factors, w * sigmoid_derivative(chain.z))
    product = (p - y) * np.prod(factors[1:]) * sigmoid_derivative(chain.z[0]) * x
    assert chain.backward(p - y)[0] == pytest.approx(product, rel=1e-12)


def test_scalar_chain_forward_caches_every_layer():
    chain = ScalarChain([1.0, 2.0])
    p = chain.forward(0.5)
    h1 = 1 / (1 + np.exp(-0.5))
    np.testing.assert_allclose(chain.z, [0.5, 2 * h1])
    assert p == pytest.approx(1 / (1 + np.exp(-2 * h1)))
    assert chain.h[0] == 0.5 and chain.h.shape == (3,)


def test_scalar_chain_factors_stay_below_a_quarter_when_weights_are_below_one(rng):
    for _ in range(50):
        chain = ScalarChain(rng.uniform(-1, 1, size=6))
        chain.forward(float(rng.randn() * 3))
        assert np.all(np.abs(chain.factors()) <= 0.25)


def test_scalar_chain_rejects_bad_input():
    with pytest.raises(ValueError, match="weights"):
        ScalarChain([])
    with pytest.raises(ValueError, match="activation"):
        ScalarChain([1.0], activation="softmax")
    with pytest.raises(TypeError, match="x"):
        ScalarChain([1.0]).forward("one")
    with pytest.raises(RuntimeError, match="before forward"):
        ScalarChain([1.0]).backward(1.0)
    with pytest.raises(RuntimeError, match="before forward"):
        ScalarChain([1.0]).factors()


# --- DeepMLP and residual blocks --------------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_plain_deep_mlp_is_exactly_the_mlp(activation, blobs):
    X, y = blobs
    sizes = [5, 6, 6, 6, 3]
    deep, mlp = DeepMLP(sizes, activation, init="he", seed=2), MLP(sizes, activation, seed=2, init="he")
    for a, b in zip(deep.params, mlp.params):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(deep.forward(X), mlp.forward(X))
    assert deep.gradients(X, y) == mlp.gradients(X, y)
    for a, b in zip(deep.grads, mlp.grads):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_residual_mlp_passes_gradient_check(activation, blobs, rng):
    X, y = blobs
    net = DeepMLP([5, 4, 4, 4, 3], activation, init="xavier", seed=3, residual=True)
    for b in net.params[1::2]:
        b += 0.1 * rng.randn(*b.shape)
    assert network_gradient_error(net, X, y) < 1e-6


def test_residual_blocks_add_their_input(blobs):
    X, _ = blobs
    net = DeepMLP([5, 4, 4, 3], "tanh", seed=0, residual=True)
    assert [b.residual for b in net.blocks] == [False, True]    # 5 → 4 cannot be residual
    h1, h2 = net.hidden(X)
    np.testing.assert_allclose(h2, h1 + np.tanh(h1 @ net.params[2] + net.params[3]))


def test_residual_mlp_matches_torch_autograd(blobs):
    torch = pytest.importorskip("torch")
    X, y = blobs
    net = DeepMLP([5, 4, 4, 4, 3], "sigmoid", init="he", seed=4, residual=True)
    loss = net.gradients(X, y)
    ps = [torch.tensor(p, requires_grad=True) for p in net.params]
    h = torch.sigmoid(torch.tensor(X) @ ps[0] + ps[1])
    for i in (2, 4):
        h = h + torch.sigmoid(h @ ps[i] + ps[i + 1])
    t_loss = torch.nn.functional.cross_entropy(h @ ps[6] + ps[7], torch.tensor(y))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for g, p in zip(net.grads, ps):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_dense_block_rejects_residual_with_mismatched_widths():
    with pytest.raises(ValueError, match="residual"):
        DenseBlock(np.zeros((3, 4)), np.zeros(4), "relu", residual=True)


def test_batchnorm_mlp_passes_gradient_check(blobs):
    X, y = blobs
    net = DeepMLP([5, 4, 4, 3], "sigmoid", seed=5, batchnorm=True)
    assert len(net.params) == 6 + 4
    assert network_gradient_error(net, X, y) < 1e-6


def test_batchnorm_mlp_keeps_pre_activations_standardised_and_switches_to_running_statistics(blobs):
    X, _ = blobs
    net = DeepMLP([5, 4, 4, 3], "relu", seed=5, batchnorm=True)
    net.forward(X)
    bn = net.blocks[0].batchnorm
    z = X @ net.params[0] + net.params[1]
    np.testing.assert_allclose(bn.x_hat, (z - z.mean(0)) / np.sqrt(z.var(0) + bn.eps))
    net.set_training(False)
    assert all(not b.batchnorm.training for b in net.blocks)
    net.forward(X[:1])                           # one sample works in evaluation mode


def test_deep_mlp_rejects_bad_input(blobs):
    with pytest.raises(ValueError, match="activation"):
        DeepMLP([5, 4, 3], "softmax")
    with pytest.raises(ValueError, match="init"):
        DeepMLP([5, 4, 3], init="zeros")
    with pytest.raises(ValueError, match="columns"):
        DeepMLP([5, 4, 3]).forward(np.zeros((2, 4)))
    net = DeepMLP([5, 4, 3])
    with pytest.raises(ValueError, match="theta"):
        net.set_flat_params(np.zeros(3))


# --- measurements ---------------------------------------------------------------------------------

def test_layer_gradient_norms_are_the_norms_of_the_gradients(blobs):
    X, y = blobs
    net = MLP([5, 6, 6, 3], "tanh", seed=1)
    norms_W = layer_gradient_norms(net, X, y)
    norms_b = layer_gradient_norms(net, X, y, param="b")
    net.gradients(X, y)
    np.testing.assert_allclose(norms_W, [np.linalg.norm(g) for g in net.grads[0::2]])
    np.testing.assert_allclose(norms_b, [np.linalg.norm(g) for g in net.grads[1::2]])
    assert norms_W.shape == (3,)


def test_deep_sigmoid_gradients_shrink_towards_the_input(blobs):
    X, y = blobs
    norms = layer_gradient_norms(MLP([5] + [8] * 6 + [3], "sigmoid", seed=0, init="xavier"), X, y)
    assert np.all(np.diff(norms[:-1]) > 0)      # each hidden layer learns faster than the one before
    assert norms[0] < 1e-2 * norms[-2]


def test_layer_gradient_norms_rejects_bad_input(blobs):
    X, y = blobs
    with pytest.raises(TypeError, match="net"):
        layer_gradient_norms("net", X, y)
    with pytest.raises(ValueError, match="param"):
        layer_gradient_norms(MLP([5, 3]), X, y, param="gamma")


def test_hidden_activations_agree_between_mlp_and_deep_mlp(blobs):
    X, _ = blobs
    sizes = [5, 6, 7, 3]
    a = hidden_activations(MLP(sizes, "relu", seed=0), X)
    b = hidden_activations(DeepMLP(sizes, "relu", init="lecture", seed=0), X)
    assert [h.shape for h in a] == [(24, 6), (24, 7)]
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_allclose(a[0], np.maximum(X @ MLP(sizes, "relu", seed=0).params[0], 0))


def test_activation_statistics_and_histograms():
    acts = [np.array([[0.0, 1.0], [0.0, 3.0]]), np.array([[-1.0, 1.0]])]
    stats = activation_statistics(acts)
    np.testing.assert_allclose(stats["mean"], [1.0, 0.0])
    np.testing.assert_allclose(stats["std"], [np.std([0, 1, 0, 3]), 1.0])
    np.testing.assert_allclose(stats["zero_fraction"], [0.5, 0.0])
    hist = activation_histograms(acts, np.linspace(-1, 1, 5))
    assert hist.shape == (2, 4)
    np.testing.assert_allclose(hist.sum(axis=1), 1.0)
    np.testing.assert_allclose(hist[1], [0.5, 0, 0, 0.5])
    with pytest.raises(TypeError, match="activations"):
        activation_statistics([])


def test_train_sgd_lowers_the_loss_and_is_deterministic(blobs):
    X, y = blobs
    runs = []
    for _ in range(2):
        net = MLP([5, 8, 3], "tanh", seed=0, init="xavier")
        runs.append(train_sgd(net, X, y, epochs=15, lr=0.5, batch_size=6, seed=1))
    history = runs[0]
    assert history["loss"].shape == (16,) and history["grad_W"].shape == (16, 2) and history["grad_b"].shape == (16, 2)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    np.testing.assert_array_equal(runs[0]["loss"], runs[1]["loss"])
    with pytest.raises(ValueError, match="lr"):
        train_sgd(net, X, y, lr=-1)
    with pytest.raises(TypeError, match="callback"):
        train_sgd(net, X, y, callback=3)


def test_measure_network_and_survey(blobs):
    X, y = blobs
    norms, hists = measure_network(X, y, 3, "sigmoid", "naive", width=6)
    assert norms.shape == (4,) and hists.shape == (3, 40)
    assert norms[0] < 1e-3 * norms[-1]           # naive 0.01 initialisation: almost nothing reaches layer 1
    survey = gradient_survey(X, y, [1, 2], ["relu"], ["he", "xavier"], width=4)
    assert set(survey) == {(1, "relu", "he"), (1, "relu", "xavier"), (2, "relu", "he"), (2, "relu", "xavier")}
    with pytest.raises(ValueError, match="init"):
        measure_network(X, y, 2, "relu", "kaiming")


# --- several seeds side by side -----------------------------------------------------------

@pytest.mark.parametrize("activation, init", [("sigmoid", "lecture"), ("relu", "he"), ("elu", "xavier")])
def test_train_sgd_seeds_takes_the_same_steps_as_train_sgd_for_each_seed(blobs, activation, init):
    X, y = blobs
    sizes = [5, 6, 4, 3]
    runs = train_sgd_seeds(sizes, activation, init, [0, 3, 5], X, y, epochs=3, lr=0.3, batch_size=7,
                           evaluate_on=(X[:10], y[:10]))
    for k, seed in enumerate([0, 3, 5]):
        net = MLP(sizes, activation, seed=seed, init=init)
        train_sgd(net, X, y, epochs=3, lr=0.3, batch_size=7, seed=seed)
        for stacked, own in zip(runs["params"], net.params):
            np.testing.assert_allclose(stacked[k], own, rtol=1e-12, atol=1e-14)
        assert runs["accuracy"][-1, k] == np.mean(net.predict(X[:10]) == y[:10])
        assert runs["loss"][-1, k] == pytest.approx(net.loss(X[:10], y[:10]), rel=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "elu"])
def test_train_sgd_seeds_with_residual_takes_the_steps_of_a_residual_deep_mlp(blobs, activation):
    X, y = blobs
    sizes = [5, 4, 4, 4, 3]                          # hidden layers 2 and 3 are residual
    runs = train_sgd_seeds(sizes, activation, "lecture", [1, 2], X, y, epochs=3, lr=0.3, batch_size=7, residual=True)
    for k, seed in enumerate([1, 2]):
        net = DeepMLP(sizes, activation, init="lecture", seed=seed, residual=True)
        train_sgd(net, X, y, epochs=3, lr=0.3, batch_size=7, seed=seed)
        for stacked, own in zip(runs["params"], net.params):
            np.testing.assert_allclose(stacked[k], own, rtol=1e-12, atol=1e-14)
    plain = train_sgd_seeds(sizes, activation, "lecture", [1, 2], X, y, epochs=3, lr=0.3, batch_size=7)
    assert not np.allclose(plain["params"][2], runs["params"][2])       # the skip connections matter


def test_train_sgd_seeds_records_every_few_epochs_and_the_last(blobs):
    X, y = blobs
    calls = []
    runs = train_sgd_seeds([5, 4, 3], "tanh", "xavier", [1, 2], X, y, epochs=7, lr=0.1, batch_size=8,
                           record_every=3, callback=lambda epoch, acc: calls.append((epoch, acc.shape)))
    assert runs["epoch"].tolist() == [0, 3, 6, 7]
    assert runs["loss"].shape == runs["accuracy"].shape == (4, 2)
    assert calls == [(0, (2,)), (3, (2,)), (6, (2,)), (7, (2,))]
    assert np.all(runs["loss"][-1] < runs["loss"][0])          # a few epochs of SGD lower the training loss


def test_train_sgd_seeds_rejects_bad_inputs(blobs):
    X, y = blobs
    with pytest.raises(TypeError, match="seeds"):
        train_sgd_seeds([5, 3], "sigmoid", "lecture", 0, X, y)
    with pytest.raises(ValueError, match="columns"):
        train_sgd_seeds([4, 3], "sigmoid", "lecture", [0], X, y)
    with pytest.raises(ValueError, match="init"):
        train_sgd_seeds([5, 3], "sigmoid", "glorot", [0], X, y)
    with pytest.raises(ValueError, match="batch_size"):
        train_sgd_seeds([5, 3], "sigmoid", "lecture", [0], X, y, batch_size=0)
    with pytest.raises(TypeError, match="callback"):
        train_sgd_seeds([5, 3], "sigmoid", "lecture", [0], X, y, callback=3)
