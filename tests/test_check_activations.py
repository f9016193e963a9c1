"""Tests of course_lib/check/activations.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import numpy as np
import pytest

from course_lib import check


def collapse_right(weights, biases):
    W, b = weights[0], biases[0]
    for w, v in zip(weights[1:], biases[1:]):
        W, b = W @ w, b @ w + v
    return W, b


def collapse_forgets_to_carry_the_bias(weights, biases):    # b = Σ b_ℓ: the earlier biases skip later W
    W = weights[0]
    for w in weights[1:]:
        W = W @ w
    return W, sum(biases)


def collapse_bias_as_row(weights, biases):                   # (1, M) instead of (M,) is fine
    W, b = collapse_right(weights, biases)
    return W, b.reshape(1, -1)


def leaky_right(x, negative_slope):
    return np.where(x > 0, x, negative_slope * x), np.where(x > 0, 1.0, negative_slope)


def leaky_derivative_times_x(x, negative_slope):              # confuses the derivative with the function
    return np.where(x > 0, x, negative_slope * x), np.where(x > 0, x, negative_slope * x)


def leaky_relu_forgot_slope(x, negative_slope):              # plain ReLU
    return np.maximum(x, 0), (x > 0).astype(float)


def maxout_right(z, k, dout):
    n, m = dout.shape
    groups = z.reshape(n, m, k)
    mask = groups == groups.max(axis=2, keepdims=True)
    return (mask * dout[:, :, None]).reshape(z.shape)


def maxout_spreads_gradient(z, k, dout):                     # every piece gets dout, not just the winner
    return np.repeat(dout, k, axis=1)


def maxout_wrong_grouping(z, k, dout):                       # groups strided columns instead of consecutive ones
    n, m = dout.shape
    groups = z.reshape(n, k, m)
    mask = groups == groups.max(axis=1, keepdims=True)
    return (mask * dout[:, None, :]).reshape(z.shape)


def stub(*args):
    pass


def crashes(*args):
    return 1 / 0


def not_implemented(*args):
    raise NotImplementedError


def returns_text(*args):
    return "a", "b"


CHECKS = {
    "collapse_linear_layers": (check.collapse_linear_layers, [collapse_right, collapse_bias_as_row],
                               [collapse_forgets_to_carry_the_bias]),
    "leaky_relu": (check.leaky_relu, [leaky_right], [leaky_derivative_times_x, leaky_relu_forgot_slope]),
    "maxout_backward": (check.maxout_backward, [maxout_right], [maxout_spreads_gradient, maxout_wrong_grouping]),
}
GENERIC_WRONG = [stub, crashes, not_implemented, returns_text, None, 42]
RIGHT = [(name, fn) for name, (_, rights, _) in CHECKS.items() for fn in rights]
WRONG = [(name, bad) for name, (_, _, specific) in CHECKS.items() for bad in specific + GENERIC_WRONG]


def case_id(case):
    name, fn = case
    return f"{name}-{getattr(fn, '__name__', repr(fn))}"


@pytest.mark.parametrize("case", RIGHT, ids=[case_id(c) for c in RIGHT])
def test_check_passes_a_correct_implementation(case, capsys):
    name, right = case
    assert bool(CHECKS[name][0](right)) is True
    out = capsys.readouterr().out
    assert out.startswith(f"✔ {name}:") and "Hint" not in out


@pytest.mark.parametrize("case", WRONG, ids=[case_id(c) for c in WRONG])
def test_check_fails_a_wrong_implementation_with_a_hint_and_never_raises(case, capsys):
    name, bad = case
    assert bool(CHECKS[name][0](bad)) is False
    out = capsys.readouterr().out
    assert out.startswith(f"✘ {name}:") and "\n  Hint: " in out


@pytest.mark.parametrize("name", list(CHECKS))
def test_check_says_what_went_wrong(name, capsys):
    fn = CHECKS[name][0]
    fn(stub)
    assert "not implemented yet (it returned None)" in capsys.readouterr().out
    fn(not_implemented)
    assert "not implemented yet (it raised NotImplementedError)" in capsys.readouterr().out
    fn(crashes)
    assert "it raised ZeroDivisionError" in capsys.readouterr().out


@pytest.mark.parametrize("name", list(CHECKS))
def test_quiet_check_prints_nothing(name, capsys):
    fn, rights, wrongs = CHECKS[name]
    assert bool(fn(rights[0], quiet=True)) is True
    assert bool(fn(wrongs[0], quiet=True)) is False
    assert capsys.readouterr().out == ""


def test_collapse_check_names_the_bias_and_explains_it_is_carried_through(capsys):
    check.collapse_linear_layers(collapse_forgets_to_carry_the_bias)
    out = capsys.readouterr().out
    assert "b is wrong for layer sizes" in out and "multiplied by every later W" in out


def test_leaky_relu_check_shows_the_failing_input_and_slope(capsys):
    check.leaky_relu(leaky_relu_forgot_slope)
    out = capsys.readouterr().out
    assert "y is wrong for x = [-2.0, -0.5, 0.5, 3.0], negative_slope = 0.01" in out


def test_leaky_relu_check_catches_a_derivative_that_is_the_function(capsys):
    check.leaky_relu(leaky_derivative_times_x)
    assert "dydx is wrong" in capsys.readouterr().out


def test_maxout_check_reports_the_shape_and_k(capsys):
    check.maxout_backward(maxout_spreads_gradient)
    out = capsys.readouterr().out
    assert "dz is wrong for z of shape (1, 4), k = 2" in out and "arg-max" in out


def test_checks_do_not_mind_students_modifying_their_inputs(capsys):
    def in_place(z, k, dout):
        out = maxout_right(z, k, dout)
        z[...] = 0.0
        dout[...] = 0.0
        return out

    assert check.maxout_backward(in_place)
