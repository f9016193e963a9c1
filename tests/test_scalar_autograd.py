"""Tests of course_lib/scalar_autograd.py: each operation against float64 finite differences and
torch, values used twice, a neuron, accumulation over two backward calls, the topological order,
bad input."""
import math

import numpy as np
import pytest
import torch

from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.scalar_autograd import Value

# Central differences in float64 (eps 1e-6) are off by about 1e-10 relative: 1e-7 leaves room.
TOL = 1e-7

UNARY = {
    "exp": (lambda v: v.exp(), np.exp),
    "log": (lambda v: v.log(), np.log),
    "tanh": (lambda v: v.tanh(), np.tanh),
    "relu": (lambda v: v.relu(), lambda a: np.maximum(a, 0.0)),
    "neg": (lambda v: -v, lambda a: -a),
    "square": (lambda v: v ** 2, lambda a: a ** 2),
    "cube": (lambda v: v ** 3, lambda a: a ** 3),
    "sqrt": (lambda v: v ** 0.5, np.sqrt),
    "reciprocal": (lambda v: v ** -1, lambda a: 1.0 / a),
    "2 * x + 1": (lambda v: 2 * v + 1, lambda a: 2 * a + 1),
    "1 - x": (lambda v: 1 - v, lambda a: 1 - a),
    "3 / x": (lambda v: 3 / v, lambda a: 3 / a),
}
BINARY = {
    "+": (lambda a, b: a + b), "-": (lambda a, b: a - b),
    "*": (lambda a, b: a * b), "/": (lambda a, b: a / b),
}


def engine_gradient(fn, *numbers):
    leaves = [Value(n) for n in numbers]
    out = fn(*leaves)
    out.backward()
    return out.data, np.array([leaf.grad for leaf in leaves])


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", [0.3, 1.7, -0.8])
def test_each_unary_operation_matches_finite_differences(name, x):
    build, reference = UNARY[name]
    if x < 0 and name in ("log", "sqrt"):
        pytest.skip("not defined for negative x")
    data, (grad,) = engine_gradient(build, x)
    numeric = numerical_gradient(lambda a: build(Value(float(a))).data, np.array(x))   # engine's forward
    assert data == pytest.approx(float(reference(np.float64(x))), rel=1e-15)
    assert relative_error(np.array(grad), numeric) < TOL


@pytest.mark.parametrize("name", BINARY)
def test_each_binary_operation_matches_finite_differences(name):
    op = BINARY[name]
    point = np.array([1.3, -0.7])
    data, grad = engine_gradient(op, *point)
    numeric = numerical_gradient(lambda p: op(Value(p[0]), Value(p[1])).data, point.copy())
    assert relative_error(grad, numeric) < TOL


def torch_gradient(fn, *numbers):
    leaves = [torch.tensor(n, dtype=torch.float64, requires_grad=True) for n in numbers]
    out = fn(*leaves)
    out.backward()
    return out.item(), np.array([0.0 if leaf.grad is None else leaf.grad.item() for leaf in leaves])


TORCH_UNARY = {"exp": torch.exp, "log": torch.log, "tanh": torch.tanh, "relu": torch.relu}


@pytest.mark.parametrize("name", TORCH_UNARY)
@pytest.mark.parametrize("x", [0.4, 2.5, -1.1, 0.0])
def test_each_function_matches_torch(name, x):
    if name == "log" and x <= 0:
        pytest.skip("log needs x > 0")
    data, grad = engine_gradient(UNARY[name][0], x)
    t_data, t_grad = torch_gradient(TORCH_UNARY[name], x)
    # the same formulas in float64: equal up to the last bits of exp, log, tanh
    assert data == pytest.approx(t_data, rel=1e-14, abs=1e-300)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-14)


def test_relu_has_gradient_zero_at_zero_as_torch():
    assert engine_gradient(lambda v: v.relu(), 0.0)[1][0] == 0.0


EXPRESSIONS_USING_A_VALUE_TWICE = {
    "x*x + x": lambda x, y: x * x + x,
    "a = x*y; b = a + x; c = a*b": lambda x, y: (lambda a: a * (a + x))(x * y),
    "x / (x + y) - exp(y) * y": lambda x, y: x / (x + y) - y.exp() * y,
    "tanh(x*y) * tanh(x*y) + log(x*x)": lambda x, y: (lambda t: t * t)((x * y).tanh()) + (x * x).log(),
    "2 * x ** 3 - 1 / y + y": lambda x, y: 2 * x ** 3 - 1 / y + y,
}


@pytest.mark.parametrize("name", EXPRESSIONS_USING_A_VALUE_TWICE)
def test_a_value_used_twice_gets_the_sum_of_its_paths_as_in_torch(name):
    fn = EXPRESSIONS_USING_A_VALUE_TWICE[name]
    data, grad = engine_gradient(fn, 1.5, -0.6)
    t_data, t_grad = torch_gradient(fn, 1.5, -0.6)
    assert data == pytest.approx(t_data, rel=1e-13)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12)   # same float64 sums, maybe in another order


def test_x_times_x_plus_x_has_gradient_2x_plus_1():
    x = Value(3.0)
    (x * x + x).backward()
    assert x.grad == 7.0          # 2·3 + 1: the two paths through * add to 2x, the + path gives 1


@pytest.mark.parametrize("n_inputs", [2, 3])
def test_a_tanh_neuron_matches_torch(n_inputs):
    rng = np.random.default_rng(n_inputs)
    xs, ws, b = rng.normal(size=n_inputs), rng.normal(size=n_inputs), rng.normal()
    x_v, w_v, b_v = [Value(v) for v in xs], [Value(v) for v in ws], Value(b)
    out = (sum(wi * xi for wi, xi in zip(w_v, x_v)) + b_v).tanh()
    out.backward()
    x_t, w_t, b_t = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (xs, ws, b))
    out_t = torch.tanh(w_t @ x_t + b_t)
    out_t.backward()
    assert out.data == pytest.approx(out_t.item(), rel=1e-14)
    np.testing.assert_allclose([v.grad for v in w_v], w_t.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose([v.grad for v in x_v], x_t.grad.numpy(), rtol=1e-13)
    assert b_v.grad == pytest.approx(b_t.grad.item(), rel=1e-13)


def test_two_backward_calls_add_on_the_leaves_and_recompute_the_rest_as_torch():
    x, y = Value(2.0), Value(-1.5)
    a = x * y
    c = a * (a + x)
    c.backward()
    once = {"x": x.grad, "y": y.grad, "a": a.grad, "c": c.grad}
    c.backward()
    assert x.grad == 2 * once["x"] and y.grad == 2 * once["y"]      # leaves accumulate
    assert a.grad == once["a"] and c.grad == 1.0                   # the rest is computed afresh
    x_t, y_t = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, -1.5))
    a_t = x_t * y_t
    c_t = a_t * (a_t + x_t)
    c_t.backward(retain_graph=True)
    c_t.backward()
    assert x.grad == pytest.approx(x_t.grad.item(), rel=1e-14)
    assert y.grad == pytest.approx(y_t.grad.item(), rel=1e-14)


def test_zeroing_a_leaf_starts_its_gradient_over():
    x = Value(2.0)
    out = x * x
    out.backward()
    x.grad = 0.0
    out.backward()
    assert x.grad == 4.0


def test_backward_of_a_leaf_adds_one():
    x = Value(5.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_topological_order_visits_each_value_once_in_a_diamond():
    x = Value(1.5, "x")
    left, right = x * 2, x.exp()               # x feeds both branches
    top = left + right                         # which meet again
    order = top.topological_order()
    assert len(order) == len(set(map(id, order))) == 5      # x, 2, left, right, top
    position = {id(v): i for i, v in enumerate(order)}
    for v in order:
        assert all(position[id(p)] < position[id(v)] for p in v.parents)   # parents first
    assert order[-1] is top
    top.backward()
    assert x.grad == pytest.approx(2 + math.exp(1.5), rel=1e-15)   # both branches, each once


def test_each_local_backward_runs_once_per_backward_call():
    x = Value(0.5)
    a = x * x
    out = a * a + a                            # a is used three times
    calls = []
    for v in out.topological_order():
        v._backward = (lambda f, v: lambda: (calls.append(v), f())[1])(v._backward, v)
    out.backward()
    assert len(calls) == len(set(map(id, calls))) == len(out.topological_order())


def test_a_deep_chain_does_not_hit_the_recursion_limit():
    x = Value(1.0)
    total = sum(x * 1.0 for _ in range(3000))
    total.backward()
    assert x.grad == 3000.0


def test_the_graph_records_parents_and_operations():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    z = x * y + 1
    assert z.op == "+" and z.parents[0].op == "*" and z.parents[0].parents == (x, y)
    assert x.parents == () and x.op == "" and "x" in repr(x)


@pytest.mark.parametrize("bad, exc", [("2", TypeError), (None, TypeError), (True, TypeError),
                                      (float("nan"), ValueError), (float("inf"), ValueError)])
def test_data_must_be_a_finite_number(bad, exc):
    with pytest.raises(exc, match="data"):
        Value(bad)


def test_operands_must_be_numbers_or_values():
    with pytest.raises(TypeError, match="other operand must be a real number; got a str"):
        Value(1.0) + "1"
    with pytest.raises(TypeError, match="exponent must be a real number; got a Value"):
        Value(2.0) ** Value(2.0)


def test_undefined_derivatives_are_refused_with_the_numbers():
    with pytest.raises(ValueError, match="log needs a positive value; got -1.0"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match=r"negative base needs a whole exponent; got -2.0 \*\* 0.5"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="0 \\*\\* -1.0"):
        1 / Value(0.0)


def test_negative_base_with_whole_exponent_matches_torch():
    data, grad = engine_gradient(lambda v: v ** 3, -1.2)
    t_data, t_grad = torch_gradient(lambda v: v ** 3, -1.2)
    assert data == pytest.approx(t_data, rel=1e-15) and grad[0] == pytest.approx(t_grad[0], rel=1e-15)
