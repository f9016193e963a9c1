"""Tests of course_lib/experiments/deep_nets.py: the scalar chain, gradient norms, activation statistics,
the side-by-side trainer (equal to fit on each network alone), the variance through depth (Xavier, He)."""
import numpy as np
import pytest
import torch

from course_lib.activations import ACTIVATIONS, sigmoid_derivative
from course_lib.experiments.deep_nets import (ScalarChain, _stack_pass, activation_histograms,
                                             activation_statistics, gradient_survey, layer_gradient_norms,
                                             measure_network, train_sgd_seeds, variance_through_depth)
from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.network import MLP
from course_lib.optim import SGD
from course_lib.training import fit


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


@pytest.mark.parametrize("options", [{"batchnorm": True}, {"residual": True}, {"dropout": 0.3}])
def test_layer_gradient_norms_find_each_affine_map_with_batchnorm_residual_or_dropout(options, blobs):
    X, y = blobs
    net = MLP([5, 6, 6, 3], "relu", seed=2, **options)
    affines = [nodes[0] for nodes in net.hidden_layers] + [net.layers[-1]]
    affines = [getattr(a, "layers", [a])[0] for a in affines]          # inside a Residual
    norms_W = layer_gradient_norms(net, X, y)                           # (dropout draws new masks
    np.testing.assert_allclose(norms_W, [np.linalg.norm(a.dW) for a in affines])   # at every pass)
    norms_b = layer_gradient_norms(net, X, y, param="b")
    np.testing.assert_allclose(norms_b, [np.linalg.norm(a.db) for a in affines])
    assert norms_W.shape == norms_b.shape == (3,)
    if options.get("batchnorm"):
        assert np.all(norms_b[:2] < 1e-12)        # batch norm subtracts the mean: a bias before it has no gradient


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
def test_train_sgd_seeds_takes_the_steps_fit_takes_on_each_network_alone(blobs, activation, init):
    X, y = blobs
    sizes = [5, 6, 4, 3]                             # 24 samples in batches of 7: the last batch holds 3
    runs = train_sgd_seeds(sizes, activation, init, [0, 3, 5], X, y, epochs=3, lr=0.3, batch_size=7,
                           evaluate_on=(X[:10], y[:10]))
    for k, seed in enumerate([0, 3, 5]):
        net = MLP(sizes, activation, seed=seed, init=init)
        fit(net, X, y, SGD(net.params, lr=0.3), epochs=3, batch_size=7, seed=seed)
        for stacked, own in zip(runs["params"], net.params):
            np.testing.assert_allclose(stacked[k], own, rtol=1e-12, atol=1e-14)
        assert runs["accuracy"][-1, k] == np.mean(net.predict(X[:10]) == y[:10])
        assert runs["loss"][-1, k] == pytest.approx(net.loss(X[:10], y[:10]), rel=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "elu"])
def test_train_sgd_seeds_with_residual_takes_the_steps_fit_takes_on_a_residual_mlp(blobs, activation):
    X, y = blobs
    sizes = [5, 4, 4, 4, 3]                          # hidden layers 2 and 3 are residual
    runs = train_sgd_seeds(sizes, activation, "lecture", [1, 2], X, y, epochs=3, lr=0.3, batch_size=7, residual=True)
    for k, seed in enumerate([1, 2]):
        net = MLP(sizes, activation, init="lecture", seed=seed, residual=True)
        fit(net, X, y, SGD(net.params, lr=0.3), epochs=3, batch_size=7, seed=seed)
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
    with pytest.raises(ValueError, match="batch_size"):
        train_sgd_seeds([5, 3], "sigmoid", "lecture", [0], X, y, batch_size=len(X) + 1)
    with pytest.raises(TypeError, match="callback"):
        train_sgd_seeds([5, 3], "sigmoid", "lecture", [0], X, y, callback=3)


# --- the variance through depth: Xavier and He ----------------------------------------------------

def small_stack(rng, k=2, n_samples=3, width=4, depth=3):
    X = rng.randn(k, n_samples, width)
    weights = [rng.randn(k, width, width) / np.sqrt(width) for _ in range(depth)]
    return X, weights, rng.randn(k, n_samples, width)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_stack_pass_deltas_pass_a_gradient_check(activation, rng):
    X, weights, G = small_stack(rng)
    if activation == "relu":                 # keep every z away from ReLU's kink at 0
        zs, _ = _stack_pass(X, weights, G, activation, scale=1.3)
        assert min(np.abs(z).min() for z in zs) > 1e-4

    def loss(X_):
        h = X_
        for W in weights:
            h = ACTIVATIONS[activation][0](np.matmul(h, W) * 1.3)
        return float(np.sum(G * h))

    zs, deltas = _stack_pass(X, weights, G, activation, scale=1.3)
    dX = np.matmul(deltas[0], np.swapaxes(weights[0], 1, 2)) * 1.3      # ∂L/∂h_0 = δ_1 W_1ᵀ
    assert np.max(np.abs(dX - numerical_gradient(loss, X.copy()))) < 1e-8


@pytest.mark.parametrize("activation, fn", [("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu)])
def test_stack_pass_matches_torch_autograd(activation, fn, rng):
    X, weights, G = small_stack(rng)
    zs, deltas = _stack_pass(X, weights, G, activation, scale=0.7)
    h, tzs = torch.tensor(X, requires_grad=True), []
    for W in weights:
        tzs.append(h @ torch.tensor(W) * 0.7)
        tzs[-1].retain_grad()
        h = fn(tzs[-1])
    (torch.tensor(G) * h).sum().backward()
    for z, tz, d in zip(zs, tzs, deltas):
        np.testing.assert_allclose(z, tz.detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(d, tz.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_variance_through_depth_relu_is_homogeneous_in_the_scale():
    # ReLU(c·z) = c·ReLU(z) for c > 0: z_ℓ grows by c^ℓ, δ_ℓ by c^(D − ℓ), exactly
    base = variance_through_depth("relu", "he", depth=6, width=16, n_samples=5, seeds=[3, 4])
    scaled = variance_through_depth("relu", "he", gain=1.5, depth=6, width=16, n_samples=5, seeds=[3, 4])
    layer = np.arange(1, 7)
    np.testing.assert_allclose(scaled["forward"], base["forward"] * 1.5 ** (2 * layer), rtol=1e-12)
    np.testing.assert_allclose(scaled["backward"], base["backward"] * 1.5 ** (2 * (6 - layer)), rtol=1e-12)
    assert scaled["std"] == pytest.approx(1.5 * np.sqrt(2 / 16))


def test_variance_through_depth_follows_the_rules_for_relu():
    he = variance_through_depth("relu", "he", depth=12, width=128, n_samples=16, seeds=[0, 1, 2])
    xavier = variance_through_depth("relu", "xavier", depth=12, width=128, n_samples=16, seeds=[0, 1, 2])
    naive = variance_through_depth("relu", "naive", depth=12, width=128, n_samples=16, seeds=[0, 1, 2])
    # Var z_1 = n s² E[x²] = 2 E[x²] for He, E[x²] ≈ 1 over 16 · 128 draws
    np.testing.assert_allclose(he["forward"][:, 0], 2.0, rtol=0.15)
    per_layer = lambda v: (v["forward"][:, -1] / v["forward"][:, 0]) ** (1 / 11)
    back_per_layer = lambda v: (v["backward"][:, 0] / v["backward"][:, -1]) ** (1 / 11)
    # finite width makes log Var a random walk (std about 0.5 over 20 layers of 256): wide margins
    assert np.all(np.abs(per_layer(he) - 1) < 0.1) and np.all(np.abs(back_per_layer(he) - 1) < 0.1)
    assert np.all(np.abs(per_layer(xavier) - 0.5) < 0.1) and np.all(np.abs(back_per_layer(xavier) - 0.5) < 0.1)
    assert np.all(per_layer(naive) < 0.02)             # n s² / 2 = 128 · 1e-4 / 2 = 0.0064


def test_variance_through_depth_draws_the_same_stack_for_every_activation():
    a = variance_through_depth("tanh", "xavier", depth=3, width=8, n_samples=4, seeds=[5])
    b = variance_through_depth("relu", "xavier", depth=3, width=8, n_samples=4, seeds=[5])
    c = variance_through_depth("tanh", "xavier", depth=3, width=8, n_samples=4, seeds=[5, 6])
    assert a["forward"][0, 0] == b["forward"][0, 0]        # z_1 = x W_1 does not depend on f
    np.testing.assert_array_equal(c["forward"][:1], a["forward"])
    assert a["forward"].shape == a["backward"].shape == (1, 3)


def test_variance_through_depth_rejects_bad_input():
    with pytest.raises(ValueError, match="activation"):
        variance_through_depth("softmax")
    with pytest.raises(ValueError, match="init"):
        variance_through_depth("relu", "kaiming")
    with pytest.raises(ValueError, match="gain"):
        variance_through_depth("relu", gain=0)
    with pytest.raises(ValueError, match="depth"):
        variance_through_depth("relu", depth=0)
    with pytest.raises(TypeError, match="seeds"):
        variance_through_depth("relu", seeds=3)
