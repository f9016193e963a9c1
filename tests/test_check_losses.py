"""Tests of course_lib/check/losses.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import numpy as np
import pytest

from course_lib import check


def sigmoid(s):
    return 1 / (1 + np.exp(-s))


# --- cross_entropy_loss ------------------------------------------------------------------

def ce_right(p, y):
    return -np.sum(y * np.log(p)) / len(p)


def ce_summed(p, y):                 # forgets the mean over samples
    return -np.sum(y * np.log(p))


def ce_all_classes(p, y):            # adds the (1 − y) log(1 − p) terms of binary cross-entropy
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / len(p)


def ce_log10(p, y):
    return -np.sum(y * np.log10(p)) / len(p)


# --- mse_gradient ------------------------------------------------------------------------

def mse_grad_right(p, y):
    return 2 * (p - y) / len(p)


def mse_grad_no_mean(p, y):
    return 2 * (p - y)


def mse_grad_wrong_sign(p, y):
    return 2 * (y - p) / len(p)


def mse_grad_missing_two(p, y):
    return (p - y) / len(p)


# --- sigmoid_mse_gradient ----------------------------------------------------------------

def sig_mse_right(s, y):
    p = sigmoid(s)
    return 4 * (p - y) * p * (1 - p) / len(s)


def sig_mse_without_sigma_prime(s, y):   # the cross-entropy answer: forgets σ′
    return 4 * (sigmoid(s) - y) / len(s)


def sig_mse_one_class_term(s, y):        # (σ − y)² instead of the lecture's two-class sum
    p = sigmoid(s)
    return 2 * (p - y) * p * (1 - p) / len(s)


def stub(*args):
    return None


def crashes(*args):
    raise RuntimeError("boom")


RIGHT = [(check.cross_entropy_loss, ce_right), (check.mse_gradient, mse_grad_right),
         (check.sigmoid_mse_gradient, sig_mse_right)]
WRONG = [(check.cross_entropy_loss, f) for f in (ce_summed, ce_all_classes, ce_log10)] + \
        [(check.mse_gradient, f) for f in (mse_grad_no_mean, mse_grad_wrong_sign, mse_grad_missing_two)] + \
        [(check.sigmoid_mse_gradient, f) for f in (sig_mse_without_sigma_prime, sig_mse_one_class_term)]


@pytest.mark.parametrize("check_fn, answer", RIGHT, ids=lambda x: getattr(x, "__name__", ""))
def test_right_answers_pass(check_fn, answer, capsys):
    assert bool(check_fn(answer)) is True
    out = capsys.readouterr().out
    assert out.startswith("✔") and "Hint" not in out


@pytest.mark.parametrize("check_fn, answer", WRONG, ids=lambda x: getattr(x, "__name__", ""))
def test_wrong_answers_fail_with_numbers_and_a_hint(check_fn, answer, capsys):
    assert bool(check_fn(answer)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘") and "Hint:" in out
    assert "expected" in out or "gradient check" in out


def test_wrong_shape_is_reported(capsys):
    assert not check.mse_gradient(lambda p, y: (2 * (p - y) / len(p)).ravel())
    assert "shape" in capsys.readouterr().out


def test_quiet_prints_nothing(capsys):
    assert check.cross_entropy_loss(ce_right, quiet=True)
    assert not check.sigmoid_mse_gradient(stub, quiet=True)
    assert capsys.readouterr().out == ""


def test_checks_do_not_let_the_student_change_the_lecture_tables():
    def vandal(p, y):
        p[:] = 0.5
        return -np.sum(y * np.log(p)) / len(p)
    check.cross_entropy_loss(vandal, quiet=True)
    assert check.cross_entropy_loss(ce_right, quiet=True)
