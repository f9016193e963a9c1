"""Tests of course_lib/check/overfitting.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import numpy as np
import pytest

from course_lib import check
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


def dropout_right(x, mask, p):
    return x * mask / (1 - p)


def dropout_unscaled(x, mask, p):                # "vanilla" dropout without the 1/(1 − p)
    return x * mask


def dropout_scaled_by_p(x, mask, p):
    return x * mask / p if p else x * mask


def stub(*args):
    pass


def not_implemented(*args):
    raise NotImplementedError


def crashes(*args):
    return 1 / 0


CHECKS = {
    "regularised_gradient": (check.regularised_gradient, regularised_right,
                             [regularised_half_l2, regularised_l1_as_abs, regularised_forgets_data_gradient]),
    "early_stopping": (check.early_stopping, early_right,
                       [early_ties_count_as_improvement, early_counts_rises_in_a_row, early_returns_only_stop]),
    "inverted_dropout_forward": (check.inverted_dropout_forward, dropout_right, [dropout_unscaled, dropout_scaled_by_p]),
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
    assert "λ₂=0.1" in out and "λ₂·w" in out


def test_early_stopping_check_reports_the_run_that_fails(capsys):
    check.early_stopping(early_ties_count_as_improvement)
    out = capsys.readouterr().out
    assert "val_losses=[0.5, 0.5, 0.5, 0.5]" in out and "strictly lower" in out


def test_dropout_check_hint_is_about_the_expectation(capsys):
    check.inverted_dropout_forward(dropout_unscaled)
    out = capsys.readouterr().out
    assert "p=0.5" in out and "1 − p" in out


@pytest.mark.parametrize("name", list(CHECKS))
def test_quiet_check_prints_nothing(name, capsys):
    fn, right, wrong = CHECKS[name]
    assert fn(right, quiet=True) and not fn(wrong[0], quiet=True)
    assert capsys.readouterr().out == ""


def test_checks_do_not_care_if_the_student_modifies_the_inputs(capsys):
    def in_place(x, mask, p):
        x *= mask
        x /= 1 - p
        return x
    assert check.inverted_dropout_forward(in_place)
