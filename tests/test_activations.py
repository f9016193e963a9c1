"""Tests of course_lib/activations.py: finite differences, PyTorch parity, stability, bad input."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import activations as A
from course_lib.gradcheck import numerical_gradient, relative_error
from conftest import away_from

# (name, kwargs): every activation with its default and with non-default parameters.
CASES = [
    ("sigmoid", {}),
    ("tanh", {}),
    ("relu", {}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("swish", {}),
    ("swish", {"beta": 2.5}),
    ("gelu", {}),
    ("softplus", {}),
    ("softplus", {"beta": 2.0}),
    ("softplus", {"beta": 0.5, "threshold": 1.0}),
]
IDS = [name + "".join(f"-{k}={v}" for k, v in kw.items()) for name, kw in CASES]


def torch_fn(name, kw):
    """The PyTorch reference of an activation, on a float64 tensor."""
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, negative_slope=kw.get("negative_slope", 0.01)),
        "elu": lambda t: F.elu(t, alpha=kw.get("alpha", 1.0)),
        "swish": (F.silu if kw.get("beta", 1.0) == 1.0
                  else lambda t: t * torch.sigmoid(kw["beta"] * t)),
        "gelu": lambda t: F.gelu(t, approximate="none"),
        "softplus": lambda t: F.softplus(t, beta=kw.get("beta", 1.0), threshold=kw.get("threshold", 20.0)),
    }[name]


def kinks(name, kw):
    """Points where the function or its derivative is not smooth (keep finite differences away)."""
    if name == "softplus":
        return [kw.get("threshold", 20.0) / kw.get("beta", 1.0)]
    return [0.0] if name in ("relu", "leaky_relu", "elu") else []


# Wide range, including the kinks themselves (PyTorch's conventions there) and large inputs.
PARITY_X = np.concatenate([np.linspace(-8, 8, 81), [0.0, 1.0, 2.0, 20.0, -20.0, 30.0, -30.0, 40.0, 1e3, -1e3, 1e4, -1e4]])


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_derivative_matches_finite_differences(name, kw, rng):
    f, df = A.ACTIVATIONS[name]
    x = away_from(rng.uniform(-4, 4, size=(4, 5)), kinks(name, kw), gap=0.01)
    # Summing f(v) − f(x) keeps the sum's rounding error down to one element's (f is element-wise).
    base = f(x.copy(), **kw)
    num = numerical_gradient(lambda v: np.sum(f(v, **kw) - base), x)
    assert relative_error(df(x, **kw), num) < 1e-6


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_function_matches_torch(name, kw):
    f, _ = A.ACTIVATIONS[name]
    expected = torch_fn(name, kw)(torch.tensor(PARITY_X, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(f(PARITY_X, **kw), expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_derivative_matches_torch_autograd(name, kw):
    _, df = A.ACTIVATIONS[name]
    t = torch.tensor(PARITY_X, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(torch_fn(name, kw)(t).sum(), t)
    # atol: 1 − tanh² and the like cancel where the derivative is tiny; one ulp of tanh(8) is 1e-16.
    np.testing.assert_allclose(df(PARITY_X, **kw), grad.numpy(), rtol=1e-12, atol=1e-15)


def test_activations_dict_maps_names_to_function_and_derivative():
    assert set(A.ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish", "gelu", "softplus"}
    for name, (f, df) in A.ACTIVATIONS.items():
        assert f is getattr(A, name) and df is getattr(A, name + "_derivative")


def test_defaults_are_pytorch_defaults():
    x = np.array([-2.0, -0.5, 0.5, 30.0])
    np.testing.assert_array_equal(A.leaky_relu(x), A.leaky_relu(x, negative_slope=0.01))
    np.testing.assert_array_equal(A.elu(x), A.elu(x, alpha=1.0))
    np.testing.assert_array_equal(A.swish(x), A.swish(x, beta=1.0))
    np.testing.assert_array_equal(A.softplus(x), A.softplus(x, beta=1.0, threshold=20.0))


def test_relu_derivative_is_zero_at_zero_as_in_pytorch():
    assert A.relu_derivative(np.array([0.0]))[0] == 0.0


def test_softplus_returns_x_above_threshold():
    x = np.array([10.0, 10.5, 25.0])
    np.testing.assert_array_equal(A.softplus(x, beta=2.0, threshold=20.0)[1:], x[1:])
    np.testing.assert_array_equal(A.softplus_derivative(x, beta=2.0, threshold=20.0)[1:], [1.0, 1.0])


def test_activations_accept_lists_and_scalars():
    assert A.sigmoid(0) == 0.5
    np.testing.assert_array_equal(A.relu([-1, 2]), [0.0, 2.0])
    assert A.tanh(np.float32(0.0)).dtype == np.float64


@pytest.mark.parametrize("x", [1e3, -1e3, 1e4, -1e4])
@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_activation_and_derivative_are_stable_for_large_inputs(name, x):
    f, df = A.ACTIVATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = f(np.array([x, -x])), df(np.array([x, -x]))
    assert all(np.all(np.isfinite(v)) for v in values)


def test_sigmoid_is_stable_for_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.sigmoid(np.array([-1e3, 1e3]))
        d = A.sigmoid_derivative(np.array([-1e3, 1e3]))
    np.testing.assert_array_equal(s, [0.0, 1.0])
    np.testing.assert_array_equal(d, [0.0, 0.0])


def test_sigmoid_derivative_peaks_at_a_quarter():
    assert A.sigmoid_derivative(0.0) == 0.25
    assert A.tanh_derivative(0.0) == 1.0


# --- glu, gtu, maxout -------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_glu_matches_torch_along_each_axis(axis, rng):
    x = rng.randn(4, 6, 8)
    expected = F.glu(torch.tensor(x), dim=axis).numpy()
    np.testing.assert_allclose(A.glu(x, axis=axis), expected, rtol=1e-12, atol=1e-300)


def test_glu_default_axis_is_last(rng):
    x = rng.randn(3, 4)
    np.testing.assert_array_equal(A.glu(x), A.glu(x, axis=1))
    assert A.glu(x).shape == (3, 2)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_gtu_is_tanh_of_first_half_times_sigmoid_of_second(axis, rng):
    x = rng.randn(4, 6)
    a, b = torch.tensor(x).chunk(2, dim=axis)
    expected = (torch.tanh(a) * torch.sigmoid(b)).numpy()
    np.testing.assert_allclose(A.gtu(x, axis=axis), expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("units, k", [(3, 1), (3, 2), (2, 4), (1, 5)])
def test_maxout_is_max_over_groups_of_k_consecutive_columns(units, k, rng):
    z = rng.randn(5, units * k)
    expected = np.stack([z[:, i * k:(i + 1) * k].max(axis=1) for i in range(units)], axis=1)
    np.testing.assert_array_equal(A.maxout(z, k), expected)
    np.testing.assert_array_equal(A.maxout(z, k), z.reshape(5, units, k).max(axis=-1))


# --- bad input --------------------------------------------------------------------------

ALL_ELEMENTWISE = [getattr(A, n) for n in A.ACTIVATIONS] + [getattr(A, n + "_derivative") for n in A.ACTIVATIONS]


@pytest.mark.parametrize("fn", ALL_ELEMENTWISE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad, exc", [
    ("1.0", TypeError),
    (None, TypeError),
    (np.array([1, "a"], dtype=object), TypeError),
    (np.array([1.0 + 2.0j]), TypeError),
    ([[1.0, 2.0], [3.0]], TypeError),
    ([0.5, np.nan], ValueError),
    ([np.inf, 0.5], ValueError),
], ids=["str", "None", "object", "complex", "ragged", "nan", "inf"])
def test_elementwise_activation_rejects_bad_x(fn, bad, exc):
    with pytest.raises(exc, match=r"\bx\b"):
        fn(bad)


@pytest.mark.parametrize("fn, kwargs, exc, name", [
    (A.leaky_relu, {"negative_slope": "0.1"}, TypeError, "negative_slope"),
    (A.leaky_relu_derivative, {"negative_slope": np.nan}, ValueError, "negative_slope"),
    (A.elu, {"alpha": None}, TypeError, "alpha"),
    (A.elu_derivative, {"alpha": np.inf}, ValueError, "alpha"),
    (A.swish, {"beta": [1.0, 2.0]}, TypeError, "beta"),
    (A.swish_derivative, {"beta": np.nan}, ValueError, "beta"),
    (A.softplus, {"beta": 0.0}, ValueError, "beta"),
    (A.softplus, {"beta": -1.0}, ValueError, "beta"),
    (A.softplus_derivative, {"beta": 0}, ValueError, "beta"),
    (A.softplus, {"threshold": np.nan}, ValueError, "threshold"),
    (A.softplus_derivative, {"threshold": "20"}, TypeError, "threshold"),
], ids=lambda v: v.__name__ if callable(v) else None)
def test_activation_rejects_bad_parameter(fn, kwargs, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        fn(np.array([0.5, -0.5]), **kwargs)


@pytest.mark.parametrize("fn", [A.glu, A.gtu], ids=["glu", "gtu"])
@pytest.mark.parametrize("x, kwargs, exc, name", [
    (np.ones((2, 5)), {}, ValueError, "x"),
    (np.ones((3, 4)), {"axis": 0}, ValueError, "x"),
    (np.ones((2, 4)), {"axis": 2}, ValueError, "axis"),
    (np.ones((2, 4)), {"axis": -3}, ValueError, "axis"),
    (np.ones((2, 4)), {"axis": 0.5}, TypeError, "axis"),
    (np.ones((2, 4)), {"axis": "0"}, TypeError, "axis"),
    (3.0, {}, ValueError, "x"),
    ("ab", {}, TypeError, "x"),
    (np.array([[1.0, np.nan]]), {}, ValueError, "x"),
], ids=["odd-size", "odd-size-axis0", "axis-too-big", "axis-too-small", "float-axis", "str-axis",
        "scalar", "str", "nan"])
def test_glu_and_gtu_reject_bad_input(fn, x, kwargs, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        fn(x, **kwargs)


@pytest.mark.parametrize("z, k, exc, name", [
    (np.ones((2, 6)), 4, ValueError, "k"),
    (np.ones((2, 6)), 0, ValueError, "k"),
    (np.ones((2, 6)), 1.5, TypeError, "k"),
    (np.ones((2, 6)), "2", TypeError, "k"),
    (np.ones(6), 2, ValueError, "z"),
    (np.ones((2, 3, 2)), 2, ValueError, "z"),
    (np.array([[1.0, np.inf]]), 2, ValueError, "z"),
    ([["a", "b"]], 2, TypeError, "z"),
])
def test_maxout_rejects_bad_input(z, k, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        A.maxout(z, k)
