"""Checks for chapter 09 (PyTorch tensors): the broadcasting rule, a loss that broadcasts, gather
repaired, a reduction with keepdim.

torch is imported inside each check, so that ``from course_lib import check`` stays light.
"""
import contextlib

import numpy as np

from .. import tensors as _tensors
from ..tensors import broadcast_shape as reference_broadcast_shape
from ._core import (CheckFailed, Hints, _ForbiddenCall, _refuse_aliases, call_student, compare, fmt,
                    forbidding, prediction_value, run)

__all__ = ["broadcast_shape", "broadcast_loss", "gather_by_hand", "row_fractions"]


@contextlib.contextmanager
def _forbidding_all(shortcuts, why):
    """``forbidding`` for each ``(owner, name)`` of ``shortcuts`` at once."""
    with contextlib.ExitStack() as stack:
        for owner, name in shortcuts:
            stack.enter_context(forbidding(owner, name, why))
        yield


# --- exercise 1: the broadcasting rule --------------------------------------------------------

def _broadcast_shortcuts():
    """The library functions that apply the broadcasting rule for the student (or make arrays that do)."""
    import torch

    return [(np, "broadcast_shapes"), (np, "broadcast"), (np, "broadcast_to"), (np, "broadcast_arrays"),
            (np, "empty"), (np, "zeros"), (np, "ones"),
            (torch, "broadcast_shapes"), (torch, "broadcast_tensors"), (torch, "broadcast_to"),
            (torch, "empty"), (torch, "zeros"), (torch, "ones"), (_tensors, "broadcast_shape")]


BROADCAST_WHY = ("the exercise is to apply the broadcasting rule yourself, to the tuples alone; the "
                 "library (or arrays of those shapes added together) would apply it for you")


def broadcast_shape(fn, quiet=False):
    """Check ``fn(shape_a, shape_b) -> tuple``: the shape of a + b, or ValueError when they do not broadcast.

    The reference is :func:`course_lib.tensors.broadcast_shape` (tested against torch and numpy).
    The task asks for the rule on the tuples alone: numpy's and torch's broadcasting functions, the
    course's own ``broadcast_shape``, and creating arrays or tensors of those shapes fail the check.
    """
    good = [((4, 1), (3,)), ((3,), (4, 1)), ((2, 3), (2, 3)), ((), (5,)), ((5, 1, 4), (3, 1)),
            ((1,), (2, 3, 4)), ((8, 1, 6, 1), (7, 1, 5)), ((3, 1), (1, 3)), ((0,), (1,)), ((2, 1, 1), (1, 1))]
    bad = [((4, 3), (4,)), ((2, 3), (3, 2)), ((5, 2, 4), (3, 4))]
    expected = {pair: reference_broadcast_shape(*pair) for pair in good}      # before anything is forbidden
    shortcuts = _broadcast_shortcuts()

    def compatible(a, b):
        def case():
            with _forbidding_all(shortcuts, BROADCAST_WHY):
                got = call_student(fn, a, b)
            try:
                got_tuple = tuple(int(d) for d in got)
            except (TypeError, ValueError):
                raise CheckFailed(f"for {a} and {b} it should return a tuple of ints; got {got!r}") from None
            if got_tuple != expected[a, b]:
                raise CheckFailed(f"for shapes {a} and {b}: got {got_tuple}, expected {expected[a, b]}")
        return case

    def incompatible(a, b):
        def case():
            if not callable(fn):
                raise CheckFailed(f"expected a function, got {type(fn).__name__}")
            with _forbidding_all(shortcuts, BROADCAST_WHY):
                _refuse_aliases(fn)
                try:
                    got = fn(a, b)
                except ValueError:
                    return
                except _ForbiddenCall as refusal:
                    raise CheckFailed(str(refusal), with_hint=False) from None
                except Exception as err:
                    raise CheckFailed(f"for {a} and {b} it raised {type(err).__name__} ({err}); "
                                      "expected ValueError") from None
            if got is None:
                raise CheckFailed("not implemented yet (it returned None)")
            raise CheckFailed(f"shapes {a} and {b} do not broadcast, so it should raise ValueError; "
                              f"it returned {got!r}")
        return case

    return run("broadcast_shape", [compatible(*c) for c in good] + [incompatible(*c) for c in bad],
               broadcast_shape.hint, quiet=quiet,
               success=f"agrees with torch's broadcasting on {len(good)} pairs "
                       f"and rejects {len(bad)} incompatible ones.")


broadcast_shape.hint = Hints(
    "broadcast_shape",
    "the two shapes may have different lengths, and broadcasting compares them starting from the "
    "LAST dimension. Make them the same length first, in the way rule 1 says, then look at one "
    "position at a time.",
    "in one position, three things can happen: the sizes are equal, one of them is 1, or neither. "
    "Say what the result's size is in the first two cases (try (0,) with (1,): the answer is not "
    "always the larger size), and what to do in the third.",
)


# --- exercise 2: predict, then run -----------------------------------------------------------

def broadcast_loss_experiment():
    """The squared error of predictions p of shape (3, 1) against targets y of shape (3,) holding the same numbers.

    Returns ``(loss, shape)``: the value of ``((p - y) ** 2).mean()`` and the shape of ``p - y``.
    """
    import torch

    y = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    p = y.view(3, 1)                  # a model's output: one column, exactly the targets
    difference = p - y
    return (difference ** 2).mean().item(), tuple(difference.shape)


def broadcast_loss(prediction, quiet=False):
    """Check a prediction: the value of ``((p - y) ** 2).mean()`` for p = y.view(3, 1), y = (1, 2, 3).

    ``prediction`` is a number; it passes within 0.005 of what the experiment gives (12/9).
    """
    loss, shape = broadcast_loss_experiment()
    why = (f"p has shape (3, 1) and y (3,), so p − y has shape {shape}: every prediction p_i is "
           f"compared with every target y_j, and the mean runs over those 9 squared differences, "
           f"(0 + 1 + 4 + 1 + 0 + 1 + 4 + 1 + 0)/9. Only the diagonal of that table is the error "
           f"you meant. Training on such a loss pulls every prediction towards the mean of all "
           f"targets, and no error message warns you: flatten p, or give y shape (3, 1).")

    def case():
        guess = prediction_value(prediction, "number")
        if abs(guess - loss) > 5e-3:
            reason = (" You expected p − y to subtract element by element, as if both were (3,)."
                      if abs(guess) < 5e-3 else "")
            raise CheckFailed(f"you predicted {fmt(guess)}; the experiment gives {loss:.4f}.{reason}")

    return run("broadcast_loss", [case], broadcast_loss.hint, quiet=quiet,
               success=f"right, {loss:.4f}, although p holds exactly the targets. {why}")


broadcast_loss.hint = Hints(
    "broadcast_loss",
    "before any arithmetic: what is the shape of p − y? Apply the two broadcasting rules to (3, 1) "
    "and (3,).",
    "write out the whole table p_i − y_j for i and j = 1, 2, 3; the mean averages the squares of "
    "ALL its entries, not only those with i = j.",
)


# --- exercise 3: find the bug ------------------------------------------------------------------

def gather_by_hand_buggy(x, dim, index):
    """The notebook's given version: runs, right for dim=0, wrong for dim=1 (arange aligns at the right)."""
    import torch

    rows = torch.arange(index.shape[0])
    cols = torch.arange(index.shape[1])
    if dim == 0:
        return x[index, cols]
    return x[rows, index]


def _gather_shortcuts():
    import torch

    return [(torch, "gather"), (torch.Tensor, "gather"), (torch, "take_along_dim"),
            (torch.Tensor, "take_along_dim"), (np, "take_along_axis")]


GATHER_WHY = "the exercise is to pick the elements by indexing; gather would pick them for you"


def gather_by_hand(fn, quiet=False):
    """Check ``fn(x, dim, index) -> out`` against ``torch.gather(x, dim, index)`` for 2-D tensors, dim 0 and 1.

    ``torch.gather``, ``Tensor.gather``, ``torch.take_along_dim`` and ``np.take_along_axis`` fail the
    check: the task is to do it by indexing. Index shapes include a square one and a single column
    (where an index tensor that broadcasts the wrong way gives a wrong value or a wrong shape, not an
    error).
    """
    import torch  # imported here, so that `from course_lib import check` stays light

    gen = torch.Generator().manual_seed(9)
    cases = []
    for dim, (rows, cols), (irows, icols) in [(0, (2, 3), (1, 3)), (1, (2, 3), (2, 3)), (1, (3, 4), (3, 3)),
                                              (1, (3, 4), (3, 1)), (0, (4, 2), (3, 2)), (1, (2, 5), (1, 1)),
                                              (0, (3, 3), (3, 3)), (1, (3, 2), (3, 5))]:
        x = torch.randn(rows, cols, generator=gen, dtype=torch.float64)
        index = torch.randint(x.shape[dim], (irows, icols), generator=gen)
        cases.append((x, dim, index, torch.gather(x, dim, index).numpy()))   # the reference, before forbidding
    shortcuts = _gather_shortcuts()

    def make(x, dim, index, expected):
        def case():
            with _forbidding_all(shortcuts, GATHER_WHY):
                got = call_student(fn, x, dim, index)
            if isinstance(got, torch.Tensor):
                got = got.detach().cpu()
            label = f"dim={dim}, x of shape {tuple(x.shape)}, index={index.tolist()}"
            compare("out", got, expected, label)
        return case

    return run("gather_by_hand", [make(*c) for c in cases], gather_by_hand.hint,
               quiet=quiet, success=f"matches torch.gather on {len(cases)} cases (dim 0 and 1, "
                                    "square and single-column indices).")


gather_by_hand.hint = Hints(
    "gather_by_hand",
    "tensors used together as indices, x[A, B], are broadcast against each other first, by the same "
    "rules as a + b. Work out the broadcast shape of the two index tensors in each branch, for an "
    "index of shape (2, 3).",
    "for dim=1, out[i][j] must come from row i: the row numbers have to vary down the rows of out "
    "and stay the same along a row. Which shape must the tensor of row numbers have for that, and "
    "which shape does it have?",
)


# --- exercise 4: keepdim ----------------------------------------------------------------------------

def row_fractions(fn, quiet=False):
    """Check ``fn(x) -> x / x.sum(dim=1, keepdim=True)``: each row divided by its own sum."""
    import torch  # imported here, so that `from course_lib import check` stays light

    gen = torch.Generator().manual_seed(11)
    shapes = [(3, 3), (2, 4), (4, 2), (1, 5), (5, 1)]
    cases = [torch.rand(s, generator=gen, dtype=torch.float64) + 0.1 for s in shapes]

    def make(x):
        def case():
            got = call_student(fn, x)
            if isinstance(got, torch.Tensor):
                got = got.detach().cpu()
            expected = x / x.sum(dim=1, keepdim=True)
            compare("result", got, expected.numpy(), f"x of shape {tuple(x.shape)}")
            if not np.allclose(np.asarray(got, dtype=float).sum(axis=1), 1.0):
                raise CheckFailed(f"the rows of the result do not sum to 1 for x of shape {tuple(x.shape)}")
        return case

    return run("row_fractions", [make(x) for x in cases], row_fractions.hint,
               quiet=quiet, success=f"right on {len(cases)} shapes, square ones included.")


row_fractions.hint = Hints(
    "row_fractions",
    "print the shape of the row sums next to the shape of x, and apply the broadcasting rules to "
    "the two: which dimension of x does each sum line up with?",
    "each sum has to line up with its own row, which needs a shape of (N, 1), not (N,). The "
    "reductions section says how a reduction can keep the dimension it sums over.",
)
