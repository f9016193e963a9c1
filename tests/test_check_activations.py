"""Tests of course_lib/check/activations.py: right answers in several forms pass; wrong ones (the given
buggy code, inputs changed in place, stubs, crashes) fail with words that say why, and never raise."""
import numpy as np
import pytest

from course_lib import check


# --- affine_from_black_box: (W, b) of a hidden linear stack, from calls alone ------------------------

def affine_probe_batch(f, n_inputs):                          # zero vector and the identity, one call each
    b = f(np.zeros((1, n_inputs)))[0]
    return f(np.eye(n_inputs)) - b, b


def affine_probe_loop(f, n_inputs):                           # one unit vector at a time, as lists
    b = f(np.zeros(n_inputs))
    rows = []
    for i in range(n_inputs):
        e = [0.0] * n_inputs
        e[i] = 1.0
        rows.append(list(f(e) - b))
    return rows, b.tolist()


def affine_by_least_squares(f, n_inputs):                     # fit xW + b to random probes: also right
    x = np.random.default_rng(0).normal(size=(n_inputs + 5, n_inputs))
    design = np.hstack([x, np.ones((len(x), 1))])
    coef = np.linalg.lstsq(design, f(x), rcond=None)[0]
    return coef[:-1], coef[-1]


def affine_bias_as_row(f, n_inputs):                          # (1, M) instead of (M,) is fine
    W, b = affine_probe_batch(f, n_inputs)
    return W, b.reshape(1, -1)


def affine_forgets_the_bias(f, n_inputs):                     # rows of W taken as f(e_i) itself
    return f(np.eye(n_inputs)), f(np.zeros(n_inputs))


def affine_transposed(f, n_inputs):                           # stacks the rows as columns
    W, b = affine_probe_batch(f, n_inputs)
    return W.T, b


def affine_of_the_notebooks_stack(f, n_inputs):               # copies cell 4: collapses fixed weights, not f
    rng = np.random.default_rng(0)
    Ws = [rng.normal(size=(n_inputs, 3)), rng.normal(size=(3, 3))]
    bs = [rng.normal(size=3), rng.normal(size=3)]
    return Ws[0] @ Ws[1], bs[0] @ Ws[1] + bs[1]


# --- leaky_relu: find the bug ------------------------------------------------------------------------

def leaky_given(x, negative_slope):                           # the notebook's buggy cell, verbatim
    y = np.where(x > 0, x, negative_slope * x)
    dydx = y / x                        # the slope of the line from 0 to (x, y)
    return y, dydx


def leaky_right(x, negative_slope):
    return np.where(x > 0, x, negative_slope * x), np.where(x > 0, 1.0, negative_slope)


def leaky_right_loop(x, negative_slope):                      # element by element
    y, d = np.empty_like(x), np.empty_like(x)
    for i, v in np.ndenumerate(x):
        y[i], d[i] = (v, 1.0) if v > 0 else (negative_slope * v, negative_slope)
    return y, d


def leaky_right_slope_first(x, negative_slope):              # the slope first, then y = slope · x
    slope = np.where(x > 0, 1.0, negative_slope)
    return slope * x, slope


def leaky_right_with_maximum(x, negative_slope):              # max(x, a·x) for a ≤ 1; mask arithmetic
    positive = (x > 0).astype(float)
    return np.maximum(x, negative_slope * x), positive + negative_slope * (1 - positive)


def leaky_one_at_zero(x, negative_slope):                     # takes the right slope at the kink
    return np.where(x > 0, x, negative_slope * x), np.where(x >= 0, 1.0, negative_slope)


def leaky_nan_to_num(x, negative_slope):                      # patches the nan with 0 instead of the slope
    y, d = leaky_given(x, negative_slope)
    return y, np.nan_to_num(d)


def leaky_derivative_times_x(x, negative_slope):              # confuses the derivative with the function
    return np.where(x > 0, x, negative_slope * x), np.where(x > 0, x, negative_slope * x)


def leaky_relu_forgot_slope(x, negative_slope):               # plain ReLU
    return np.maximum(x, 0), (x > 0).astype(float)


def leaky_in_place(x, negative_slope):                        # overwrites the caller's x
    d = np.where(x > 0, 1.0, negative_slope)
    x[x <= 0] *= negative_slope
    return x, d


# --- maxout_backward ----------------------------------------------------------------------------------

def maxout_right(z, k, dout):
    n, m = dout.shape
    groups = z.reshape(n, m, k)
    mask = groups == groups.max(axis=2, keepdims=True)
    return (mask * dout[:, :, None]).reshape(z.shape)


def maxout_right_loop(z, k, dout):
    dz = np.zeros_like(z)
    for i in range(dout.shape[0]):
        for u in range(dout.shape[1]):
            j = int(np.argmax(z[i, u * k:(u + 1) * k]))
            dz[i, u * k + j] = dout[i, u]
    return dz


def maxout_spreads_gradient(z, k, dout):                     # every piece gets dout, not just the winner
    return np.repeat(dout, k, axis=1)


def maxout_wrong_grouping(z, k, dout):                       # groups strided columns instead of consecutive ones
    n, m = dout.shape
    groups = z.reshape(n, k, m)
    mask = groups == groups.max(axis=1, keepdims=True)
    return (mask * dout[:, None, :]).reshape(z.shape)


def maxout_in_place(z, k, dout):                             # right values, but zeroes the caller's arrays
    out = maxout_right(z, k, dout)
    z[...] = 0.0
    dout[...] = 0.0
    return out


def stub(*args):
    pass


def crashes(*args):
    return 1 / 0


def not_implemented(*args):
    raise NotImplementedError


def returns_text(*args):
    return "a", "b"


CHECKS = {
    "affine_from_black_box": (check.affine_from_black_box,
                              [affine_probe_batch, affine_probe_loop, affine_by_least_squares,
                               affine_bias_as_row],
                              [affine_forgets_the_bias, affine_transposed, affine_of_the_notebooks_stack]),
    "leaky_relu": (check.leaky_relu, [leaky_right, leaky_right_loop, leaky_right_slope_first,
                                      leaky_right_with_maximum],
                   [leaky_given, leaky_one_at_zero, leaky_nan_to_num, leaky_derivative_times_x,
                    leaky_relu_forgot_slope]),
    "maxout_backward": (check.maxout_backward, [maxout_right, maxout_right_loop],
                        [maxout_spreads_gradient, maxout_wrong_grouping]),
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
    assert out.startswith(f"✘ {name}:") and "\n  Hint: " in out and f"check.{name}.hint(2)" in out


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


@pytest.mark.parametrize("name", list(CHECKS))
def test_hint_comes_in_steps_and_gives_no_code(name, capsys):
    hints = getattr(check, name).hint
    assert len(hints.steps) >= 2
    for n in (1, 2):
        hints(n)
        out = capsys.readouterr().out
        assert f"Hint {n} of" in out
        for code in ("np.", "reshape(", "==", "return"):
            assert code not in out, f"hint {n} of {name} gives code: {code!r}"


def test_black_box_check_names_the_transposed_w_and_the_forgotten_bias(capsys):
    check.affine_from_black_box(affine_transposed)
    out = capsys.readouterr().out
    assert "W has shape (3, 2), expected (2, 3)" in out and "each input's row" in out
    check.affine_from_black_box(affine_forgets_the_bias)
    assert "W is wrong for a hidden stack of layer sizes [2, 3]" in capsys.readouterr().out


def test_black_box_check_fails_code_copied_from_the_chapter(capsys):
    check.affine_from_black_box(affine_of_the_notebooks_stack)
    assert "is wrong for a hidden stack" in capsys.readouterr().out


def test_black_box_pass_invites_trying_a_network_with_an_activation(capsys):
    check.affine_from_black_box(affine_probe_batch)
    assert "np.tanh" in capsys.readouterr().out


def test_the_given_leaky_relu_fails_at_an_exact_zero_and_says_so_without_a_warning(capsys, recwarn):
    assert not check.leaky_relu(leaky_given)
    out = capsys.readouterr().out
    assert "dydx is nan at x = 0" in out and "0/0" in out and "negative_slope = 0.01" in out
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_leaky_relu_check_states_the_slope_taken_at_zero(capsys):
    check.leaky_relu(leaky_one_at_zero)
    out = " ".join(capsys.readouterr().out.split())
    assert "dydx is wrong for x = [-1.0, 0.0, 2.0]" in out and "at the kink x = 0 the task takes negative_slope" in out


def test_leaky_relu_check_shows_the_failing_input_and_slope(capsys):
    check.leaky_relu(leaky_relu_forgot_slope)
    out = capsys.readouterr().out
    assert "y is wrong for x = [-2.0, -0.5, 0.5, 3.0], negative_slope = 0.01" in out


def test_leaky_relu_check_catches_a_derivative_that_is_the_function(capsys):
    check.leaky_relu(leaky_derivative_times_x)
    assert "dydx is wrong" in capsys.readouterr().out


def test_maxout_check_reports_the_shape_and_k(capsys):
    check.maxout_backward(maxout_spreads_gradient)
    out = " ".join(capsys.readouterr().out.split())
    assert "dz is wrong for z of shape (1, 4), k = 2" in out and "like a ReLU gate" in out


@pytest.mark.parametrize("name, bad, argument", [("maxout_backward", maxout_in_place, "z"),
                                                  ("leaky_relu", leaky_in_place, "x")])
def test_checks_fail_students_modifying_their_inputs(name, bad, argument, capsys):
    assert not CHECKS[name][0](bad)
    out = capsys.readouterr().out
    assert out.startswith(f"✘ {name}:") and f"changed its input {argument} in place" in out
    assert "Hint" not in out, "the exercise's hint is not about this mistake"
