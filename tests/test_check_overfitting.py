"""Tests of course_lib/check/overfitting.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import numpy as np
import pytest

from course_lib import check
from course_lib.check import overfitting
from course_lib.experiments.regularisation import early_stopping_epoch


def regularised_right(dW, W, l1, l2):
    return dW + l1 * np.sign(W) + l2 * W


def regularised_half_l2(dW, W, l1, l2):          # differentiated λ/2·w² as λ/2·w
    return dW + l1 * np.sign(W) + 0.5 * l2 * W


def regularised_l1_as_abs(dW, W, l1, l2):        # the penalty instead of its gradient
    return dW + l1 * np.abs(W) + l2 * W


def regularised_forgets_data_gradient(dW, W, l1, l2):
    return l1 * np.sign(W) + l2 * W


early_right = early_stopping_epoch      # the course's own rule is a right answer


def early_ties_count_as_improvement(val_losses, patience):
    best = 0
    for t in range(1, len(val_losses)):
        if val_losses[t] <= val_losses[best]:
            best = t
        elif t - best >= patience:
            return t, best
    return len(val_losses) - 1, best


def early_counts_rises_in_a_row(val_losses, patience):   # resets on any decrease, not on a new best
    best, rises = 0, 0
    for t in range(1, len(val_losses)):
        rises = rises + 1 if val_losses[t] >= val_losses[t - 1] else 0
        if val_losses[t] < val_losses[best]:
            best = t
        if rises >= patience:
            return t, best
    return len(val_losses) - 1, best


def early_returns_only_stop(val_losses, patience):
    return early_right(val_losses, patience)[0]


def regularised_loops(dW, W, l1, l2):             # entry by entry, with the kink at 0 spelled out
    out = np.array(dW, dtype=float)
    for idx, w in np.ndenumerate(W):
        out[idx] += l1 * (1.0 if w > 0 else -1.0 if w < 0 else 0.0) + l2 * w
    return out


def regularised_float32(dW, W, l1, l2):
    return (np.float32(l1) * np.sign(W.astype(np.float32)) + np.float32(l2) * W.astype(np.float32)
            + dW.astype(np.float32))


def regularised_divides_by_abs(dW, W, l1, l2):   # w/|w| is nan at an exact 0
    with np.errstate(invalid="ignore"):
        return dW + l1 * W / np.abs(W) + l2 * W


def regularised_sign_of_zero_is_one(dW, W, l1, l2):   # pulls a zero weight to −λ₁
    return dW + l1 * np.where(W >= 0, 1.0, -1.0) + l2 * W


def regularised_in_place(dW, W, l1, l2):          # overwrites the caller's gradient
    dW += l1 * np.sign(W) + l2 * W
    return dW


def dropout_right(x, p, training, rng):
    if not training:
        return x
    return x * (rng.random(x.shape) >= p) / (1 - p)


def dropout_binomial(x, p, training, rng):        # another way to draw the mask, from the same rng
    if not training:
        return x.copy()
    return np.where(rng.binomial(1, 1 - p, size=x.shape) == 1, x / (1 - p), 0.0)


def dropout_float32(x, p, training, rng):
    x = x.astype(np.float32)
    if not training:
        return x
    return x * (rng.random(x.shape, dtype=np.float32) >= p) / np.float32(1 - p)


dropout_given = overfitting.given_dropout_forward   # divides by p: right at p = 0.5 only


def dropout_unscaled(x, p, training, rng):        # "vanilla" dropout without the 1/(1 − p)
    return x * (rng.random(x.shape) >= p) if training else x


def dropout_also_at_test_time(x, p, training, rng):
    keep = rng.random(x.shape) >= p
    return x * keep / (1 - p) if training else x * keep


def dropout_keep_probability_p(x, p, training, rng):   # p read as the keep probability
    return x * (rng.random(x.shape) < p) / p if training and p > 0 else x


def dropout_global_rng(x, p, training, rng):      # ignores the rng it is given
    return x * (np.random.random(x.shape) >= p) / (1 - p) if training else x


def dropout_in_place(x, p, training, rng):
    if training:
        x *= rng.random(x.shape) >= p
        x /= 1 - p
    return x


def stub(*args):
    pass


def not_implemented(*args):
    raise NotImplementedError


def crashes(*args):
    return 1 / 0


CHECKS = {
    "regularised_gradient": (check.regularised_gradient, regularised_right,
                             [regularised_half_l2, regularised_l1_as_abs, regularised_forgets_data_gradient,
                              regularised_divides_by_abs, regularised_sign_of_zero_is_one]),
    "early_stopping": (check.early_stopping, early_right,
                       [early_ties_count_as_improvement, early_counts_rises_in_a_row, early_returns_only_stop]),
    "dropout_forward": (check.dropout_forward, dropout_right,
                        [dropout_given, dropout_unscaled, dropout_also_at_test_time, dropout_keep_probability_p,
                         dropout_global_rng]),
}
GENERIC_WRONG = [stub, not_implemented, crashes, None, "text"]
WRONG = [(name, bad) for name, (_, _, specific) in CHECKS.items() for bad in specific + GENERIC_WRONG]


@pytest.mark.parametrize("name", list(CHECKS))
def test_check_passes_a_correct_implementation(name, capsys):
    fn, right, _ = CHECKS[name]
    assert fn(right)
    out = capsys.readouterr().out
    assert out.startswith(f"✔ {name}:") and "Hint" not in out


@pytest.mark.parametrize("case", WRONG, ids=[f"{n}-{getattr(b, '__name__', repr(b))}" for n, b in WRONG])
def test_check_fails_a_wrong_implementation_with_a_hint_and_never_raises(case, capsys):
    name, bad = case
    assert not CHECKS[name][0](bad)
    out = capsys.readouterr().out
    assert out.startswith(f"✘ {name}:") and "\n  Hint: " in out


def test_regularised_gradient_check_names_the_failing_lambda(capsys):
    check.regularised_gradient(regularised_half_l2)
    out = capsys.readouterr().out
    assert "λ₂=0.1" in out and "λ₂/2·w²" in out


def test_early_stopping_check_reports_the_run_that_fails(capsys):
    check.early_stopping(early_ties_count_as_improvement)
    out = capsys.readouterr().out
    assert "val_losses=[0.5, 0.5, 0.5, 0.5]" in out and "a tie does not" in " ".join(out.split())


def test_dropout_check_says_the_given_code_is_wrong_away_from_p_one_half(capsys):
    check.dropout_forward(dropout_given)
    out = capsys.readouterr().out
    assert "p = 0.2" in out and "E[y] = x" in out and "Hint:" in out


def test_dropout_check_says_when_the_mask_does_not_come_from_rng(capsys):
    check.dropout_forward(dropout_global_rng)
    assert "draw the mask from the rng you are given" in " ".join(capsys.readouterr().out.split())


def test_dropout_check_wants_the_identity_at_test_time(capsys):
    check.dropout_forward(dropout_also_at_test_time)
    assert "training = False" in capsys.readouterr().out


def test_regularised_gradient_has_exact_zeros_where_sign_0_matters(capsys):
    check.regularised_gradient(regularised_sign_of_zero_is_one)
    out = capsys.readouterr().out
    assert "exactly 0" in out and "subgradient there is 0" in " ".join(out.split())


@pytest.mark.parametrize("name, right", [("regularised_gradient", regularised_loops),
                                         ("regularised_gradient", regularised_float32),
                                         ("dropout_forward", dropout_binomial),
                                         ("dropout_forward", dropout_float32)],
                         ids=lambda x: getattr(x, "__name__", x))
def test_right_answers_in_other_forms_pass(name, right, capsys):
    assert CHECKS[name][0](right)


@pytest.mark.parametrize("name", list(CHECKS))
def test_second_hints_print(name, capsys):
    getattr(check, name).hint(2)
    assert capsys.readouterr().out.startswith("  Hint 2 of")


@pytest.mark.parametrize("name", list(CHECKS))
def test_quiet_check_prints_nothing(name, capsys):
    fn, right, wrong = CHECKS[name]
    assert fn(right, quiet=True) and not fn(wrong[0], quiet=True)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name, bad, argument", [("dropout_forward", dropout_in_place, "x"),
                                                 ("regularised_gradient", regularised_in_place, "dW")])
def test_checks_fail_a_student_function_that_modifies_its_inputs(name, bad, argument, capsys):
    assert not CHECKS[name][0](bad)
    out = capsys.readouterr().out
    assert f"changed its input {argument} in place" in out and "Hint" not in out
