"""Tests of course_lib/gradcheck.py."""
import numpy as np
import pytest

from course_lib.gradcheck import network_gradient_error, numerical_gradient, numerical_hessian, relative_error


def test_numerical_gradient_of_sum_of_squares_is_twice_x(rng):
    x = rng.randn(3, 4)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v ** 2), x), 2 * x, rtol=1e-8, atol=1e-10)


def test_numerical_gradient_of_sin_is_cos_to_second_order(rng):
    x = rng.randn(5)
    assert relative_error(numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x)) < 1e-8


def test_numerical_gradient_restores_x_and_returns_its_shape(rng):
    x = rng.randn(2, 3, 2)
    before = x.copy()
    g = numerical_gradient(lambda v: np.sum(v ** 3), x)
    assert g.shape == x.shape and g.dtype == np.float64
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_perturbs_in_place_so_closures_see_it(rng):
    W, X = rng.randn(3, 2), rng.randn(4, 3)
    g = numerical_gradient(lambda _: np.sum(X @ W), W)  # f ignores its argument and reads W
    np.testing.assert_allclose(g, np.tile(X.sum(axis=0)[:, None], (1, 2)), rtol=1e-8)


def test_numerical_gradient_respects_eps():
    x = np.array([1.0])
    g = numerical_gradient(lambda v: float(v[0] ** 3), x, eps=0.1)
    assert g[0] == pytest.approx(3 + 0.1 ** 2, rel=1e-12)  # central difference of x³: 3x² + ε²


def test_numerical_gradient_accepts_zero_dimensional_arrays():
    assert numerical_gradient(lambda v: float(v) ** 2, np.array(3.0)) == pytest.approx(6.0)


def test_relative_error_is_zero_for_equal_arrays_and_symmetric(rng):
    a, b = rng.randn(4), rng.randn(4)
    assert relative_error(a, a) == 0.0
    assert relative_error(a, b) == relative_error(b, a)


def test_relative_error_is_max_of_elementwise_ratio():
    assert relative_error([1.0, 10.0], [1.0, 11.0]) == pytest.approx(1 / 21)
    assert relative_error([2.0, -1.0], [1.0, 1.0]) == pytest.approx(1.0)


def test_relative_error_measures_tiny_values_against_1e_minus_8():
    assert relative_error([0.0], [1e-11]) == pytest.approx(1e-3)
    assert relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


@pytest.mark.parametrize("call, exc, name", [
    pytest.param(lambda: numerical_gradient(3.0, np.ones(2)), TypeError, "f", id="f-not-callable"),
    pytest.param(lambda: numerical_gradient(np.sum, np.ones(2, dtype=np.float32)), TypeError, "x", id="x-float32"),
    pytest.param(lambda: numerical_gradient(np.sum, np.ones(2, dtype=np.int64)), TypeError, "x", id="x-int"),
    pytest.param(lambda: numerical_gradient(np.sum, [1.0, 2.0]), TypeError, "x", id="x-list"),
    pytest.param(lambda: numerical_gradient(np.sum, np.array([1.0, np.nan])), ValueError, "x", id="x-nan"),
    pytest.param(lambda: numerical_gradient(np.sum, np.ones(2), eps=0.0), ValueError, "eps", id="eps-zero"),
    pytest.param(lambda: numerical_gradient(np.sum, np.ones(2), eps=-1e-6), ValueError, "eps", id="eps-negative"),
    pytest.param(lambda: numerical_gradient(np.sum, np.ones(2), eps="1e-6"), TypeError, "eps", id="eps-str"),
    pytest.param(lambda: relative_error(np.ones(2), np.ones(3)), ValueError, "a and b", id="shape-mismatch"),
    pytest.param(lambda: relative_error("a", np.ones(3)), TypeError, "a", id="a-str"),
    pytest.param(lambda: relative_error(np.ones(2), [1.0, np.inf]), ValueError, "b", id="b-inf"),
])
def test_gradcheck_rejects_bad_input_naming_the_argument(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()


def test_numerical_hessian_of_a_quadratic_is_its_matrix(rng):
    A = rng.randn(4, 4)
    A = A + A.T
    hess = numerical_hessian(lambda x: A @ x, rng.randn(4))   # f = ½ xᵀAx has gradient Ax
    np.testing.assert_allclose(hess, A, atol=1e-8)


def test_numerical_hessian_agrees_with_torch_on_a_nonquadratic_function(rng):
    import torch

    x0 = rng.randn(3)
    f = lambda t: torch.sum(torch.tanh(t) ** 2) + t[0] * t[1] * t[2]
    grad = lambda x: torch.func.grad(f)(torch.tensor(x)).numpy()
    expected = torch.autograd.functional.hessian(f, torch.tensor(x0)).numpy()
    np.testing.assert_allclose(numerical_hessian(grad, x0), expected, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("grad, x, exc, name", [
    ("not callable", np.zeros(2), TypeError, "grad"),
    (lambda x: x, np.zeros((2, 2)), ValueError, "x"),
    (lambda x: np.zeros(3), np.zeros(2), ValueError, "grad"),
])
def test_numerical_hessian_rejects_bad_input_naming_the_argument(grad, x, exc, name):
    with pytest.raises(exc, match=name):
        numerical_hessian(grad, x)


def test_network_gradient_error_is_small_for_backprop_and_large_for_a_broken_gradient(moons):
    from course_lib.network import MLP

    X, y = moons[0][:20], moons[1][:20]
    net = MLP([2, 4, 2], seed=1)
    theta = net.flat_params()
    assert network_gradient_error(net, X, y, l2=0.1) < 1e-8
    np.testing.assert_array_equal(net.flat_params(), theta)      # parameters put back

    class Broken(MLP):
        def gradients(self, X, y, l2=0.0, l1=0.0):
            loss = super().gradients(X, y, l2, l1)
            self.grads[0] = self.grads[0] * 1.1                # a wrong dW1
            return loss

    broken = Broken([2, 4, 2], seed=1)
    assert network_gradient_error(broken, X, y, l2=0.1) > 1e-2
    with pytest.raises(TypeError, match="net"):
        network_gradient_error(object(), X, y)
    with pytest.raises(ValueError, match="samples"):
        network_gradient_error(net, X, y, samples=10_000)


def test_network_gradient_error_on_samples_checks_that_many_entries_and_sees_vanishing_gradients(moons):
    from course_lib.network import MLP

    X, y = moons[0][:20], moons[1][:20]
    deep = MLP([2] + [6] * 8 + [2], "sigmoid", seed=0)             # first-layer gradients ~1e-7
    assert network_gradient_error(deep, X, y, samples=40) < 1e-7
    calls = []

    class Counting(MLP):
        def loss_at(self, theta, X, y, **penalty):
            calls.append(1)
            return super().loss_at(theta, X, y, **penalty)

    network_gradient_error(Counting([2, 4, 2], seed=1), X, y, samples=5)
    assert len(calls) == 10                                        # two evaluations per checked entry
