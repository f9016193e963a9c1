"""Tests of course_lib/check/intro.py (chapter 00's demonstration exercise, the sigmoid).

Right answers in other forms pass; the naive formula and its mirror image fail and name the input
at which exp overflowed; the hints come in steps and never hand over the answer.
"""
import math

import numpy as np
import pytest

from course_lib import check


# --- right answers, in several forms ----------------------------------------------------------

def sigmoid_right(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_by_masks(x):                     # two forms, each computed only where it is safe
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


def sigmoid_loop(x):                         # element by element, with math.exp
    def one(v):
        if v >= 0:
            return 1 / (1 + math.exp(-v))
        e = math.exp(v)
        return e / (1 + e)
    return np.array([one(v) for v in np.ravel(x)]).reshape(np.shape(x))


def sigmoid_tanh(x):                         # σ(x) = (1 + tanh(x/2)) / 2 never overflows
    return 0.5 * (1 + np.tanh(np.asarray(x) / 2))


# --- wrong answers ----------------------------------------------------------------------------

def sigmoid_naive(x):                        # right values, but e^1000 overflows at x = −1000
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def sigmoid_other_form(x):                   # e^x / (1 + e^x): overflows at x = +1000 (inf / inf)
    e = np.exp(np.asarray(x, dtype=float))
    return e / (1 + e)


def sigmoid_where_both_forms(x):             # np.where computes both forms on every element
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def sigmoid_naive_math(x):                   # math.exp(1000) raises OverflowError
    return np.array([1 / (1 + math.exp(-v)) for v in np.ravel(x)]).reshape(np.shape(x))


def sigmoid_wrong_sign(x):
    return 1 / (1 + np.exp(np.asarray(x, dtype=float)))


def sigmoid_clipped(x):                      # hides the overflow by clipping: wrong beyond ±20
    return sigmoid_naive(np.clip(x, -20, 20))


def sigmoid_in_place(x):                     # overwrites the caller's array
    x *= -1
    return 1 / (1 + np.exp(x))


def stub(x):
    return None


@pytest.mark.parametrize("answer", [sigmoid_right, sigmoid_by_masks, sigmoid_loop, sigmoid_tanh])
def test_right_answers_in_any_form_pass(answer, capsys):
    assert bool(check.sigmoid(answer)) is True
    out = capsys.readouterr().out
    assert out.startswith("✔ sigmoid:") and "Hint" not in out


@pytest.mark.parametrize("answer, words", [
    (sigmoid_naive, "overflowed for x = -1000:"),
    (sigmoid_other_form, "overflowed for x = +1000:"),
    (sigmoid_where_both_forms, "overflowed for x = -1000 and x = +1000"),
    (sigmoid_naive_math, "overflowed for x = -1000:"),
    (sigmoid_wrong_sign, "σ(x) is wrong"),
    (sigmoid_clipped, "σ(x) is wrong"),
    (stub, "not implemented yet"),
], ids=lambda v: getattr(v, "__name__", "words"))
def test_wrong_answers_fail_saying_why_with_a_hint(answer, words, capsys):
    assert bool(check.sigmoid(answer)) is False
    out = " ".join(capsys.readouterr().out.split())          # the message may be wrapped
    assert out.startswith("✘ sigmoid:") and words in out and "Hint:" in out


def test_the_overflow_message_names_only_the_input_that_overflowed(capsys):
    check.sigmoid(sigmoid_other_form)
    out = capsys.readouterr().out.split("Hint:")[0]
    assert "+1000" in out and "-1000" not in out and "−1000" not in out


def test_choosing_two_forms_with_where_is_explained(capsys):
    check.sigmoid(sigmoid_where_both_forms)
    out = " ".join(capsys.readouterr().out.split())
    assert "computes both forms on every element" in out


def test_an_input_changed_in_place_fails_and_says_so(capsys):
    assert not check.sigmoid(sigmoid_in_place)
    out = capsys.readouterr().out
    assert "changed its input x in place" in out and "Hint" not in out


def test_the_first_hint_points_at_the_idea_not_the_answer():
    first = check.sigmoid.hint.steps[0]
    assert "x < 0" in first and "≤ 0" in first, "the hint names the quantity to look at: exp's argument"
    for answer in ("e^x / (1 + e^x)", "np.where", "1 / (1 + e", "abs(", "-np.abs"):
        assert answer not in first, f"the hint gives the answer away: {answer!r}"


def test_no_hint_recommends_np_where_without_its_catch(capsys):
    steps = check.sigmoid.hint.steps
    assert len(steps) >= 2
    for step in steps:
        assert "np.where" not in step or "BOTH forms on EVERY element" in step
        assert "np.exp(-np.abs" not in step and "1 / (1 + e)" not in step
    check.sigmoid.hint(2)
    assert capsys.readouterr().out.startswith(f"  Hint 2 of {len(steps)}:")


def test_quiet_prints_nothing(capsys):
    assert check.sigmoid(sigmoid_right, quiet=True)
    assert not check.sigmoid(sigmoid_naive, quiet=True)
    assert capsys.readouterr().out == ""


def test_a_global_numpy_error_setting_does_not_hide_the_overflow(capsys):
    old = np.seterr(all="ignore")
    try:
        assert not check.sigmoid(sigmoid_naive, quiet=True)
    finally:
        np.seterr(**old)
