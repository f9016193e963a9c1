"""Tests of course_lib/check/tensors.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import numpy as np
import pytest
import torch

from course_lib import check


# --- students' answers ------------------------------------------------------------------

def broadcast_right(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        raise ValueError("no")
    return tuple(y if x == 1 else x for x, y in zip(a, b))


def broadcast_pads_on_the_right(a, b):        # aligns at the left: (4, 1) and (3,) would fail
    n = max(len(a), len(b))
    a, b = tuple(a) + (1,) * (n - len(a)), tuple(b) + (1,) * (n - len(b))
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        raise ValueError("no")
    return tuple(max(x, y) for x, y in zip(a, b))


def broadcast_never_raises(a, b):             # forgets the error case
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(y if x == 1 else x for x, y in zip(a, b))


def broadcast_with_max_breaks_on_zero(a, b):  # max(0, 1) = 1, but a size-0 dim broadcasts to 0
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        raise ValueError("no")
    return tuple(max(x, y) for x, y in zip(a, b))


def broadcast_raises_the_wrong_error(a, b):
    try:
        return broadcast_right(a, b)
    except ValueError:
        raise RuntimeError("incompatible") from None


def gather_right(x, dim, index):
    out = torch.empty(index.shape, dtype=x.dtype)
    for i in range(index.shape[0]):
        for j in range(index.shape[1]):
            out[i, j] = x[index[i, j], j] if dim == 0 else x[i, index[i, j]]
    return out


def gather_with_advanced_indexing(x, dim, index):
    rows, cols = torch.arange(index.shape[0])[:, None], torch.arange(index.shape[1])[None, :]
    return x[index, cols] if dim == 0 else x[rows, index]


def gather_with_numpy_take_along_axis(x, dim, index):  # numpy broadcasts index against x: wrong shape
    return np.take_along_axis(x.numpy(), index.numpy(), axis=dim)


def gather_off_by_a_little(x, dim, index):
    return torch.gather(x, dim, index) + 1e-3


def gather_uses_index_select(x, dim, index):  # selects whole rows/columns instead of one element each
    return torch.index_select(x, dim, index[0])


def fractions_right(x):
    return x / x.sum(dim=1, keepdim=True)


def fractions_without_keepdim(x):             # (N,) broadcasts against the columns
    return x / x.sum(dim=1)


def fractions_over_columns(x):
    return x / x.sum(dim=0, keepdim=True)


def fractions_in_numpy(x):
    a = np.asarray(x)
    return a / a.sum(axis=1, keepdims=True)


def stub(*args):
    return None


def crashes(*args):
    raise IndexError("oops")


# --- tests ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, answer", [("broadcast_shape", broadcast_right), ("gather_by_hand", gather_right),
                                          ("gather_by_hand", gather_with_advanced_indexing), ("row_fractions", fractions_right),
                                          ("row_fractions", fractions_in_numpy)])
def test_right_answers_pass(name, answer, capsys):
    assert bool(getattr(check, name)(answer)) is True
    assert capsys.readouterr().out.startswith("✔ " + name)


@pytest.mark.parametrize("name, answer, words", [
    ("broadcast_shape", broadcast_pads_on_the_right, "it raised ValueError"),
    ("broadcast_shape", broadcast_never_raises, "should raise ValueError"),
    ("broadcast_shape", broadcast_with_max_breaks_on_zero, "(0,) and (1,)"),
    ("broadcast_shape", broadcast_raises_the_wrong_error, "expected ValueError"),
    ("gather_by_hand", gather_off_by_a_little, "out is wrong"),
    ("gather_by_hand", gather_with_numpy_take_along_axis, "out has shape (2, 1), expected (1, 1)"),
    ("gather_by_hand", gather_uses_index_select, "out has shape"),
    ("row_fractions", fractions_without_keepdim, "result is wrong for x of shape (3, 3)"),
    ("row_fractions", fractions_over_columns, "result is wrong"),
])
def test_wrong_answers_fail_with_the_case_and_a_hint(name, answer, words, capsys):
    assert bool(getattr(check, name)(answer)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘ " + name) and words in " ".join(out.split()) and "Hint:" in out   # lines are wrapped


def test_non_square_without_keepdim_is_reported_as_the_students_error(capsys):
    # for a (2, 4) input, x / x.sum(dim=1) raises inside the student's code: reported, not raised
    assert bool(check.row_fractions(lambda x: x[:2, :] / x[:2, :].sum(dim=1) if x.shape == (2, 4) else fractions_right(x))) is False
    assert "RuntimeError" in capsys.readouterr().out


def test_quiet_checks_print_nothing(capsys):
    assert bool(check.gather_by_hand(gather_right, quiet=True)) is True
    assert bool(check.row_fractions(stub, quiet=True)) is False
    assert capsys.readouterr().out == ""


def test_checks_do_not_let_students_change_the_cases():
    def mutates(x):
        x.mul_(0)                                 # in place on the input: the check passes clones
        return x
    assert bool(check.row_fractions(mutates, quiet=True)) is False
    assert bool(check.row_fractions(fractions_right, quiet=True)) is True
