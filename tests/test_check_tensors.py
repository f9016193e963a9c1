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


def broadcast_with_a_loop(a, b):              # walks from the right, lists instead of tuples padding
    a, b, out = list(a), list(b), []
    while a or b:
        x, y = (a.pop() if a else 1), (b.pop() if b else 1)
        if x != y and x != 1 and y != 1:
            raise ValueError(f"{x} vs {y}")
        out.insert(0, y if x == 1 else x)
    return out                                # a list: the check accepts any sequence of ints


def broadcast_with_numpy(a, b):
    return np.broadcast_shapes(a, b)


def broadcast_with_np_broadcast(a, b):
    return np.broadcast(np.empty(a), np.empty(b)).shape


def broadcast_with_torch(a, b):
    return tuple(torch.broadcast_shapes(a, b))


def broadcast_by_adding_tensors(a, b):        # the chapter's own agreement test, copied
    try:
        return tuple((torch.empty(a) + torch.empty(b)).shape)
    except RuntimeError:
        raise ValueError("no") from None


def broadcast_with_the_course_function(a, b):
    from course_lib.tensors import broadcast_shape
    return broadcast_shape(a, b)


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


def gather_with_unsqueezed_rows(x, dim, index):  # the given version, repaired
    rows = torch.arange(index.shape[0]).unsqueeze(1)
    cols = torch.arange(index.shape[1])
    return x[index, cols] if dim == 0 else x[rows, index]


def gather_with_lists(x, dim, index):
    out = []
    for r, row in enumerate(index.tolist()):
        out.append([x[i][c].item() if dim == 0 else x[r][i].item() for c, i in enumerate(row)])
    return out


def gather_float32(x, dim, index):
    return gather_right(x.float(), dim, index)


def gather_with_numpy_take_along_axis(x, dim, index):
    return np.take_along_axis(x.numpy(), index.numpy(), axis=dim)


def gather_with_torch(x, dim, index):
    return torch.gather(x, dim, index)


def gather_with_the_method(x, dim, index):
    return x.gather(dim, index)


def gather_with_take_along_dim(x, dim, index):
    return torch.take_along_dim(x, index, dim)


def gather_off_by_a_little(x, dim, index):
    return gather_right(x, dim, index) + 1e-3


def gather_swapped_dims(x, dim, index):
    return gather_right(x, 1 - dim, index)


def gather_writes_into_x(x, dim, index):       # "reuses" x's memory: the caller's tensor is changed
    out = gather_right(x, dim, index)
    x.zero_()
    return out


def gather_uses_index_select(x, dim, index):  # selects whole rows/columns instead of one element each
    return torch.index_select(x, dim, index[0])


def fractions_right(x):
    return x / x.sum(dim=1, keepdim=True)


def fractions_without_keepdim(x):             # (N,) broadcasts against the columns
    return x / x.sum(dim=1)


def fractions_over_columns(x):
    return x / x.sum(dim=0, keepdim=True)


def fractions_in_place(x):                     # overwrites the caller's tensor
    x /= x.sum(dim=1, keepdim=True)
    return x


def fractions_with_a_loop(x):
    return torch.stack([row / row.sum() for row in x])


def fractions_in_numpy(x):
    a = np.asarray(x)
    return a / a.sum(axis=1, keepdims=True)


def stub(*args):
    return None


def crashes(*args):
    raise IndexError("oops")


# --- tests ---------------------------------------------------------------------------

RIGHT = [("broadcast_shape", broadcast_right), ("broadcast_shape", broadcast_with_a_loop),
         ("gather_by_hand", gather_right), ("gather_by_hand", gather_with_advanced_indexing),
         ("gather_by_hand", gather_with_unsqueezed_rows), ("gather_by_hand", gather_with_lists),
         ("gather_by_hand", gather_float32),
         ("row_fractions", fractions_right), ("row_fractions", fractions_in_numpy),
         ("row_fractions", fractions_with_a_loop)]


@pytest.mark.parametrize("name, answer", RIGHT, ids=lambda v: getattr(v, "__name__", v))
def test_right_answers_pass(name, answer, capsys):
    assert bool(getattr(check, name)(answer)) is True
    assert capsys.readouterr().out.startswith("✔ " + name)


@pytest.mark.parametrize("name, answer, words", [
    ("broadcast_shape", broadcast_pads_on_the_right, "it raised ValueError"),
    ("broadcast_shape", broadcast_never_raises, "should raise ValueError"),
    ("broadcast_shape", broadcast_with_max_breaks_on_zero, "(0,) and (1,)"),
    ("broadcast_shape", broadcast_raises_the_wrong_error, "expected ValueError"),
    ("gather_by_hand", check.tensors.gather_by_hand_buggy, "could not be broadcast together"),
    ("gather_by_hand", gather_off_by_a_little, "out is wrong"),
    ("gather_by_hand", gather_swapped_dims, "out "),
    ("gather_by_hand", gather_uses_index_select, "out has shape"),
    ("row_fractions", fractions_without_keepdim, "result is wrong for x of shape (3, 3)"),
    ("row_fractions", fractions_over_columns, "result is wrong"),
], ids=lambda v: getattr(v, "__name__", None))
def test_wrong_answers_fail_with_the_case_and_a_hint(name, answer, words, capsys):
    assert bool(getattr(check, name)(answer)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘ " + name) and words in " ".join(out.split()) and "Hint:" in out   # lines are wrapped


@pytest.mark.parametrize("name, answer, calls", [
    ("broadcast_shape", broadcast_with_numpy, "numpy.broadcast_shapes"),
    ("broadcast_shape", broadcast_with_np_broadcast, "numpy."),
    ("broadcast_shape", broadcast_with_torch, "torch.broadcast_shapes"),
    ("broadcast_shape", broadcast_by_adding_tensors, "torch.empty"),
    ("broadcast_shape", broadcast_with_the_course_function, "course_lib.tensors.broadcast_shape"),
    ("gather_by_hand", gather_with_torch, "torch.gather"),
    ("gather_by_hand", gather_with_the_method, "Tensor.gather"),
    ("gather_by_hand", gather_with_take_along_dim, "torch.take_along_dim"),
    ("gather_by_hand", gather_with_numpy_take_along_axis, "numpy.take_along_axis"),
], ids=lambda v: getattr(v, "__name__", None))
def test_forbidden_shortcuts_fail_by_name(name, answer, calls, capsys):
    assert bool(getattr(check, name)(answer)) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith(f"✘ {name}: it calls {calls}") and "asks you not to use" in out
    assert "Hint:" not in out, "the message says all there is to say"


def test_a_shortcut_imported_under_its_own_name_fails_too(capsys):
    from numpy import broadcast_shapes
    namespace = {"broadcast_shapes": broadcast_shapes}
    exec("def answer(a, b):\n    return broadcast_shapes(a, b)", namespace)
    assert not check.broadcast_shape(namespace["answer"])
    assert "numpy.broadcast_shapes (as broadcast_shapes)" in " ".join(capsys.readouterr().out.split())


def test_the_shortcuts_work_again_after_a_check():
    check.gather_by_hand(gather_with_torch, quiet=True)
    check.broadcast_shape(broadcast_with_numpy, quiet=True)
    x = torch.arange(6.0).view(2, 3)
    assert torch.equal(torch.gather(x, 1, torch.tensor([[2], [0]])), torch.tensor([[2.0], [3.0]]))
    assert torch.equal(x.gather(0, torch.tensor([[1, 0, 1]])), torch.tensor([[3.0, 1.0, 5.0]]))
    assert np.broadcast_shapes((4, 1), (3,)) == (4, 3) and torch.empty(2).shape == (2,)


def test_the_given_gather_is_right_for_dim_0_and_silently_wrong_for_a_square_index():
    from course_lib.check.tensors import gather_by_hand_buggy
    x, index = torch.arange(9.0).view(3, 3), torch.tensor([[0, 2, 1], [1, 1, 0], [2, 0, 0]])
    assert torch.equal(gather_by_hand_buggy(x, 0, index), torch.gather(x, 0, index))
    wrong = gather_by_hand_buggy(x, 1, index)
    assert wrong.shape == (3, 3) and not torch.equal(wrong, torch.gather(x, 1, index))


def test_non_square_without_keepdim_is_reported_as_the_students_error(capsys):
    # for a (2, 4) input, x / x.sum(dim=1) raises inside the student's code: reported, not raised
    assert bool(check.row_fractions(lambda x: x[:2, :] / x[:2, :].sum(dim=1) if x.shape == (2, 4) else fractions_right(x))) is False
    assert "RuntimeError" in capsys.readouterr().out


@pytest.mark.parametrize("name, answer", [("row_fractions", fractions_in_place),
                                          ("gather_by_hand", gather_writes_into_x)])
def test_an_answer_that_overwrites_its_input_fails_and_says_so(name, answer, capsys):
    assert bool(getattr(check, name)(answer)) is False
    out = capsys.readouterr().out
    assert "changed its input x in place" in out and "Hint" not in out


@pytest.mark.parametrize("prediction", [4 / 3, 1.333, 1.33, 12 / 9, np.float32(4 / 3)])
def test_broadcast_loss_accepts_the_value_the_experiment_gives(prediction, capsys):
    assert bool(check.broadcast_loss(prediction)) is True
    out = capsys.readouterr().out
    assert out.startswith("✔ broadcast_loss") and "(3, 3)" in out


@pytest.mark.parametrize("prediction, says", [(0, "element by element"), (0.0, "1.3333"),
                                              (2, "1.3333"), (1.3, "1.3333")])
def test_broadcast_loss_explains_a_wrong_prediction(prediction, says, capsys):
    assert bool(check.broadcast_loss(prediction)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘ broadcast_loss") and says in " ".join(out.split()) and "Hint:" in out


def test_broadcast_loss_experiment_is_the_table_of_all_differences():
    from course_lib.check.tensors import broadcast_loss_experiment
    loss, shape = broadcast_loss_experiment()
    assert shape == (3, 3) and loss == pytest.approx(12 / 9, abs=1e-12)


@pytest.mark.parametrize("name", ["broadcast_shape", "broadcast_loss", "gather_by_hand", "row_fractions"])
def test_hints_come_in_steps_and_give_no_code(name, capsys):
    hints = getattr(check, name).hint
    assert len(hints.steps) >= 2
    hints(2)
    assert capsys.readouterr().out.startswith("  Hint 2 of")
    for code in ("keepdim=True", "unsqueeze", "[:, None]", "torch.gather", "max(", "12/9", "1.33"):
        assert all(code not in step for step in hints.steps), code


def test_quiet_checks_print_nothing(capsys):
    assert bool(check.gather_by_hand(gather_right, quiet=True)) is True
    assert bool(check.row_fractions(stub, quiet=True)) is False
    assert bool(check.broadcast_loss(None, quiet=True)) is False
    assert capsys.readouterr().out == ""
