"""Tests of course_lib/check/backprop.py (chapter 02): right answers in other forms pass; typical wrong ones fail saying why."""
import numpy as np
import pytest

from course_lib import check, layers, losses
from course_lib.losses import softmax as course_softmax
from course_lib.check.backprop import (LARGE_SCORES, duplicated_batch_experiment,
                                       given_affine_backward)


def stub(*args):
    pass


def not_implemented(*args):
    raise NotImplementedError


def crashes(*args):
    return 1 / 0


def returns_text(*args):
    return "dx", "dy", "db"


GENERIC_WRONG = [stub, not_implemented, crashes, returns_text, None, 42]


# --- exercise 1: divide_backward ------------------------------------------------------------------

def divide_right(dout, x, y):
    return dout / y, -dout * x / y ** 2


def divide_as_power(dout, x, y):                 # z = x · y⁻¹, power rule: another right form
    inverse = np.power(np.asarray(y, dtype=float), -1.0)
    return dout * inverse, dout * x * -(inverse ** 2)


def divide_elementwise_loop(dout, x, y):         # one element at a time, with Python floats
    d, a, b = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (dout, x, y))
    dx = [di / bi for di, bi in zip(d.ravel(), b.ravel())]
    dy = [-di * ai / (bi * bi) for di, ai, bi in zip(d.ravel(), a.ravel(), b.ravel())]
    return np.reshape(dx, np.shape(x)), np.reshape(dy, np.shape(x))


def divide_as_multiply(dout, x, y):              # the multiply node's swap rule
    return dout * y, dout * x


def divide_dy_sign(dout, x, y):                  # forgets the minus sign of the power rule
    return dout / y, dout * x / y ** 2


def divide_dy_without_square(dout, x, y):        # −x/y instead of −x/y²
    return dout / y, -dout * x / y


def divide_dy_through_z_over_x(dout, x, y):      # −z²/x = −x/y², but 0/0 at x = 0
    with np.errstate(all="ignore"):
        x = np.asarray(x, dtype=float)
        z = x / y
        return dout / y, -dout * z ** 2 / x


def divide_dx_forgets_dout(dout, x, y):
    return 1 / y, -dout * x / y ** 2


def divide_in_place(dout, x, y):
    if isinstance(x, np.ndarray):
        x /= y                                  # overwrites the caller's x
        return dout / y, -dout * x * y / y ** 2
    return divide_right(dout, x, y)


@pytest.mark.parametrize("answer", [divide_right, divide_as_power, divide_elementwise_loop])
def test_divide_backward_passes_right_answers_in_any_form(answer, capsys):
    assert check.divide_backward(answer)
    assert capsys.readouterr().out.startswith("✔ divide_backward:")


@pytest.mark.parametrize("answer, says", [
    (divide_as_multiply, "dx is wrong for x = 6, y = 3, dout = 1"),
    (divide_dy_sign, "dy is wrong for x = 6, y = 3, dout = 1"),
    (divide_dy_without_square, "dy is wrong"),
    (divide_dy_through_z_over_x, "dy contains nan or inf for x = 0"),
    (divide_dx_forgets_dout, "dx is wrong"),
] + [(bad, "") for bad in GENERIC_WRONG])
def test_divide_backward_fails_wrong_answers_with_a_hint(answer, says, capsys):
    assert not check.divide_backward(answer)
    out = capsys.readouterr().out
    assert out.startswith("✘ divide_backward:") and says in out and "\n  Hint: " in out


def test_divide_backward_catches_a_function_that_overwrites_x(capsys):
    assert not check.divide_backward(divide_in_place)
    out = capsys.readouterr().out
    assert "changed its input x in place" in out and "Hint" not in out


def test_divide_backward_at_x_zero_says_why_nan_is_wrong(capsys):
    check.divide_backward(divide_dy_through_z_over_x)
    assert "z = 0/y does not change when y moves" in " ".join(capsys.readouterr().out.split())


# --- exercise 2: centre_backward, gradients add where a value is used twice ---------------------------

def centre_right(dout, x):
    return dout - dout.mean()


def centre_by_jacobian(dout, x):                 # ∂y/∂x = I − 1/n, applied as a matrix
    n = len(x)
    return (np.eye(n) - np.ones((n, n)) / n).T @ dout


def centre_loop(dout, x):                        # one path at a time, in Python floats, as a list
    n = len(dout)
    through_mean = -sum(float(d) for d in dout) / n
    return [float(d) + through_mean for d in dout]


def centre_direct_path_only(dout, x):            # forgets that the mean uses every x_k
    return dout.copy()


def centre_own_output_only(dout, x):             # the mean's path into y_k only
    return dout - dout / len(dout)


def centre_forgets_one_over_n(dout, x):          # ∂x̄/∂x_k taken as 1
    return dout - dout.sum()


def centre_of_x(dout, x):                        # centres the wrong array
    return x - x.mean()


def centre_in_place(dout, x):
    dout -= dout.mean()                         # overwrites the caller's dout
    return dout


@pytest.mark.parametrize("answer", [centre_right, centre_by_jacobian, centre_loop])
def test_centre_backward_passes_right_answers_in_any_form(answer, capsys):
    assert check.centre_backward(answer)
    assert capsys.readouterr().out.startswith("✔ centre_backward:")


@pytest.mark.parametrize("answer, says", [
    (centre_direct_path_only, "dx is dout itself for x = [1. 3.], dout = [1. 0.]"),
    (centre_own_output_only, "dx is dout − dout/n"),
    (centre_forgets_one_over_n, "dx is wrong for x = [1. 3.], dout = [1. 0.]"),
    (centre_of_x, "dx is wrong"),
] + [(bad, "") for bad in GENERIC_WRONG])
def test_centre_backward_fails_wrong_answers_with_a_hint(answer, says, capsys):
    assert not check.centre_backward(answer)
    out = capsys.readouterr().out
    assert out.startswith("✘ centre_backward:") and says in out and "\n  Hint: " in out


def test_centre_backward_names_the_path_a_one_path_answer_leaves_out(capsys):
    check.centre_backward(centre_direct_path_only)
    out = " ".join(capsys.readouterr().out.split())
    assert "the direct path x_k → y_k only" in out and "the gradients along those paths add" in out


def test_centre_backward_at_n_1_wants_a_zero_gradient(capsys):
    """With one entry y = x − x = 0 whatever x is: a form right for n ≥ 2 only still fails there."""
    def right_but_for_n_1(dout, x):
        return dout - dout.mean() if len(dout) > 1 else dout
    assert not check.centre_backward(right_but_for_n_1)
    assert "dx is dout itself for x = 2.5, dout = 1.5" in capsys.readouterr().out


def test_centre_backward_catches_a_function_that_overwrites_dout(capsys):
    assert not check.centre_backward(centre_in_place)
    out = capsys.readouterr().out
    assert "changed its input dout in place" in out and "Hint" not in out


# --- exercise 3: affine_backward, find the bug ----------------------------------------------------

def affine_right(dH, X, W):
    return dH @ W.T, X.T @ dH, dH.sum(axis=0)


def affine_repaired_loop(dH, X, W):              # the given loop with the bias summed over the batch
    dX, dW, db = np.zeros_like(X), np.zeros_like(W), np.zeros(W.shape[1])
    for n in range(X.shape[0]):
        dX[n] = W @ dH[n]
        dW += np.outer(X[n], dH[n])
        db += dH[n]
    return dX, dW, db


def affine_einsum_lists(dH, X, W):               # einsum, and db as a list
    return (np.einsum("nm,dm->nd", dH, W), np.einsum("nd,nm->dm", X, dH),
            [float(v) for v in dH.sum(axis=0)])


def affine_db_as_row(dH, X, W):                  # (1, M) instead of (M,): the shape is checked
    return dH @ W.T, X.T @ dH, dH.sum(axis=0, keepdims=True)


def affine_without_transpose(dH, X, W):          # the lecture's "the derivative with respect to X is W"
    return dH @ W, X.T @ dH, dH.sum(axis=0)


def affine_db_over_columns(dH, X, W):
    return dH @ W.T, X.T @ dH, dH.sum(axis=1)


def affine_db_mean(dH, X, W):                    # "the loss is a mean": divides by N a second time
    return dH @ W.T, X.T @ dH, dH.mean(axis=0)


def affine_dW_transposed(dH, X, W):              # runs when D = M, wrong
    return dH @ W.T, (dH.T @ X) if W.shape[0] == W.shape[1] else X.T @ dH, dH.sum(axis=0)


def affine_dW_last_sample(dH, X, W):             # the same bug, in dW instead of db
    dX, _, db = affine_right(dH, X, W)
    return dX, np.outer(X[-1], dH[-1]), db


def test_the_given_affine_backward_runs_and_is_right_for_one_sample_only():
    rng = np.random.default_rng(0)
    X, W, dH = rng.normal(size=(1, 3)), rng.normal(size=(3, 2)), rng.normal(size=(1, 2))
    for got, want in zip(given_affine_backward(dH, X, W), affine_right(dH, X, W)):
        assert np.allclose(got, want)
    X, dH = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    dX, dW, db = given_affine_backward(dH, X, W)
    assert np.allclose(dX, dH @ W.T) and np.allclose(dW, X.T @ dH) and not np.allclose(db, dH.sum(axis=0))


def test_the_notebook_gives_the_buggy_affine_backward_of_the_check():
    import json
    import pathlib

    nb = json.loads(pathlib.Path(__file__).parents[1].joinpath("notebooks/02_backpropagation.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    given = next(c for c in cells if c.startswith("def affine_backward(") and "check.affine_backward" in c)
    scope = {"np": np, "check": type("NoCheck", (), {"affine_backward": staticmethod(lambda fn: None)})}
    exec(given, scope)
    rng = np.random.default_rng(1)
    X, W, dH = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    for got, want in zip(scope["affine_backward"](dH, X, W), given_affine_backward(dH, X, W)):
        assert np.array_equal(got, want)
    assert not check.affine_backward(scope["affine_backward"], quiet=True)


@pytest.mark.parametrize("answer", [affine_right, affine_repaired_loop, affine_einsum_lists, affine_db_as_row])
def test_affine_backward_passes_right_answers_in_any_form(answer, capsys):
    verdict = check.affine_backward(answer)
    out = capsys.readouterr().out
    if answer is affine_db_as_row:                       # the layer's b is (M,): so is its gradient
        assert not verdict and "db has shape (1, 3), expected (3,)" in out
    else:
        assert verdict and out.startswith("✔ affine_backward:")


@pytest.mark.parametrize("answer, says", [
    (given_affine_backward, "db is wrong for a batch of N = 4 samples"),
    (affine_without_transpose, "it raised ValueError"),
    (affine_db_over_columns, "db has shape"),
    (affine_db_mean, "db is wrong"),
    (affine_dW_transposed, "dW is wrong for a batch of N = 5 samples"),
    (affine_dW_last_sample, "dW is wrong for a batch of N = 4 samples"),
] + [(bad, "") for bad in GENERIC_WRONG])
def test_affine_backward_fails_wrong_answers_with_a_hint(answer, says, capsys):
    assert not check.affine_backward(answer)
    out = capsys.readouterr().out
    assert out.startswith("✘ affine_backward:") and says in out and "\n  Hint: " in out


def test_affine_backward_catches_a_function_that_overwrites_dH(capsys):
    def scales_dH_in_place(dH, X, W):
        dH *= 2.0                              # the caller's upstream gradient is overwritten
        dH /= 2.0
        dH[0, 0] += 1e-3
        return affine_right(dH, X, W)

    assert not check.affine_backward(scales_dH_in_place)
    assert "changed its input dH in place" in capsys.readouterr().out


def test_affine_hints_do_not_give_the_formula():
    for step in check.affine_backward.hint.steps:
        for answer in ("sum(axis=0)", "Xᵀ", "X.T", "W.T", "+="):
            assert answer not in step


# --- exercise 4: softmax_cross_entropy_gradient ---------------------------------------------------

def softmax_right(z, y):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def softmax_log_sum_exp_loop(z, y):              # row by row, through log-softmax, with a one-hot list
    rows = []
    for scores, target in zip(z, y):
        top = max(scores)
        log_p = [s - top - np.log(sum(np.exp(t - top) for t in scores)) for s in scores]
        rows.append([np.exp(lp) - (c == target) for c, lp in enumerate(log_p)])
    return np.array(rows) / len(y)


def softmax_shift_by_min_of_negatives(z, y):     # shifts each row by its max via np.max with axis=-1
    shifted = z - np.max(z, axis=-1)[:, None]
    p = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    return (p - np.eye(z.shape[1])[y]) / z.shape[0]


def softmax_float32(z, y):                       # float32 loses digits: outside rtol 1e-6
    return softmax_right(z.astype(np.float32), y)


def softmax_naive(z, y):                         # no shift: e^1000 = inf, inf/inf = nan
    with np.errstate(all="ignore"):
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def softmax_clipped(z, y):                       # clipping the scores changes the softmax
    return softmax_right(np.clip(z, -500, 500), y)


def softmax_global_max(z, y):                    # one max for the whole batch: a row far below it underflows
    with np.errstate(all="ignore"):
        e = np.exp(z - z.max())
        p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def softmax_max_over_columns(z, y):              # shift by each column's max: not a per-row constant
    e = np.exp(z - z.max(axis=0, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def softmax_without_mean(z, y):
    return softmax_right(z, y) * len(y)


def softmax_in_place(z, y):
    z -= z.max(axis=1, keepdims=True)           # overwrites the caller's array: a bug in a training loop
    return softmax_right(z, y)


def softmax_by_the_library(z, y):
    return losses.softmax_cross_entropy(z, y)[1]


def softmax_by_the_library_softmax(z, y):
    return (losses.softmax(z) - np.eye(z.shape[1])[y]) / len(y)


def softmax_by_the_node(z, y):
    node = layers.SoftmaxWithLoss()
    node.forward(z, y)
    return node.backward()


@pytest.mark.parametrize("answer", [softmax_right, softmax_log_sum_exp_loop, softmax_shift_by_min_of_negatives])
def test_softmax_gradient_passes_right_answers_in_any_form(answer, capsys):
    assert check.softmax_cross_entropy_gradient(answer)
    assert capsys.readouterr().out.startswith("✔ softmax_cross_entropy_gradient:")


@pytest.mark.parametrize("answer, says", [
    (softmax_naive, "dz contains nan or inf for z = [[ 1000."),
    (softmax_clipped, "dz is wrong for z = [[ 1000."),
    (softmax_global_max, "dz contains nan or inf"),
    (softmax_max_over_columns, "dz is wrong"),
    (softmax_without_mean, "dz is wrong for z of shape (4, 3)"),
    (softmax_float32, "they differ by"),
] + [(bad, "") for bad in GENERIC_WRONG])
def test_softmax_gradient_fails_wrong_answers_with_a_hint(answer, says, capsys):
    assert not check.softmax_cross_entropy_gradient(answer)
    out = capsys.readouterr().out
    assert out.startswith("✘ softmax_cross_entropy_gradient:") and says in out and "\n  Hint: " in out


def test_the_naive_softmax_passes_every_moderate_case_so_only_the_large_scores_catch_it():
    rng = np.random.RandomState(0)
    for _ in range(5):
        z, y = rng.randn(4, 3) * 2, rng.randint(0, 3, size=4)
        assert np.allclose(softmax_naive(z, y), softmax_right(z, y))
    for z, y in LARGE_SCORES:
        assert not np.all(np.isfinite(softmax_naive(z, y)))
        assert np.all(np.isfinite(softmax_right(z, y)))


def test_the_nan_message_explains_the_overflow(capsys):
    check.softmax_cross_entropy_gradient(softmax_naive)
    out = " ".join(capsys.readouterr().out.split())
    assert "e^1000 is beyond the largest float64" in out and "inf/inf is nan" in out


def test_softmax_gradient_catches_an_input_changed_in_place(capsys):
    assert not check.softmax_cross_entropy_gradient(softmax_in_place)
    out = capsys.readouterr().out
    assert "changed its input z in place" in out and "Hint" not in out


@pytest.mark.parametrize("answer, name", [(softmax_by_the_library, "softmax_cross_entropy"),
                                          (softmax_by_the_library_softmax, "softmax"),
                                          (softmax_by_the_node, "SoftmaxWithLoss")])
def test_softmax_gradient_refuses_the_course_own_softmax(answer, name, capsys):
    assert not check.softmax_cross_entropy_gradient(answer)
    out = " ".join(capsys.readouterr().out.split())
    assert f".{name}, which this task asks you not to use" in out
    assert losses.softmax(np.zeros((1, 2))).sum() == 1.0 and layers.SoftmaxWithLoss   # restored afterwards


def softmax_by_an_alias(z, y):                   # `from course_lib.losses import softmax` in the notebook
    return (course_softmax(z) - np.eye(z.shape[1])[y]) / len(y)


def test_softmax_gradient_refuses_the_course_softmax_under_an_alias(capsys):
    assert not check.softmax_cross_entropy_gradient(softmax_by_an_alias)
    assert "(as course_softmax)" in " ".join(capsys.readouterr().out.split())


def test_softmax_hints_do_not_give_the_formula():
    for step in check.softmax_cross_entropy_gradient.hint.steps:
        for answer in ("p − y", "p - y", "/ N", "max(", ".max", "divided by"):
            assert answer not in step


# --- exercise 5: duplicated_batch, predict then run -----------------------------------------------

def test_the_duplicated_batch_experiment_gives_the_same_bias_gradient():
    once, twice = duplicated_batch_experiment()
    assert once.shape == (4,) and np.allclose(twice, once, rtol=1e-12, atol=0)
    assert np.min(np.abs(once)) > 1e-3, "a clear margin between 'same', 'doubled' and 'halved'"


@pytest.mark.parametrize("answer", ["same", " Same ", "SAME"])
def test_duplicated_batch_accepts_the_right_prediction_and_explains(answer, capsys):
    assert check.duplicated_batch(answer)
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("✔ duplicated_batch: right") and "same function of W and b" in out


@pytest.mark.parametrize("answer, says", [("doubled", "you predicted 'doubled', but"),
                                          ("halved", "you predicted 'halved', but"),
                                          (None, "no prediction yet"), (1.0, "should be one of"),
                                          ("twice", "should be one of"), (stub, "should be one of")])
def test_duplicated_batch_fails_a_wrong_or_malformed_prediction(answer, says, capsys):
    assert not check.duplicated_batch(answer)
    out = capsys.readouterr().out
    assert out.startswith("✘ duplicated_batch:") and says in out and "\n  Hint: " in out


# --- every check of the chapter ---------------------------------------------------------------------

FUNCTION_CHECKS = {"divide_backward": divide_right, "centre_backward": centre_right,
                   "affine_backward": affine_right, "softmax_cross_entropy_gradient": softmax_right}


def test_the_chapter_lists_its_five_checks():
    from course_lib.check import backprop

    assert backprop.__all__ == ["divide_backward", "centre_backward", "affine_backward",
                                "softmax_cross_entropy_gradient", "duplicated_batch"]


@pytest.mark.parametrize("name", list(FUNCTION_CHECKS) + ["duplicated_batch"])
def test_quiet_prints_nothing_and_hint_2_prints_the_second_step(name, capsys):
    fn = getattr(check, name)
    right = FUNCTION_CHECKS.get(name, "same")
    assert fn(right, quiet=True) and not fn(None, quiet=True)
    assert capsys.readouterr().out == ""
    fn.hint(2)
    out = capsys.readouterr().out
    assert out.startswith(f"  Hint 2 of {len(fn.hint.steps)}:") and len(fn.hint.steps) >= 2
    assert not fn(None)
    assert f"check.{name}.hint(2) gives a closer hint" in capsys.readouterr().out


@pytest.mark.parametrize("name", list(FUNCTION_CHECKS))
def test_a_verdict_displays_nothing_and_compares_like_a_bool(name, capsys):
    verdict = getattr(check, name)(FUNCTION_CHECKS[name])
    assert verdict == True and verdict._ipython_display_() is None  # noqa: E712
    assert repr(verdict).startswith("✔")
