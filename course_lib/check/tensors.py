"""Checks for chapter 09 (PyTorch tensors): broadcasting shapes, gather by hand, a reduction with keepdim."""
import numpy as np

from ..tensors import broadcast_shape as reference_broadcast_shape
from ._core import CheckFailed, call_student, compare, run

__all__ = ["broadcast_shape", "gather_by_hand", "row_fractions"]


def broadcast_shape(fn, quiet=False):
    """Check ``fn(shape_a, shape_b) -> tuple``: the shape of a + b, or ValueError when they do not broadcast.

    The reference is :func:`course_lib.tensors.broadcast_shape` (tested against torch and numpy).
    """
    good = [((4, 1), (3,)), ((3,), (4, 1)), ((2, 3), (2, 3)), ((), (5,)), ((5, 1, 4), (3, 1)),
            ((1,), (2, 3, 4)), ((8, 1, 6, 1), (7, 1, 5)), ((3, 1), (1, 3)), ((0,), (1,)), ((2, 1, 1), (1, 1))]
    bad = [((4, 3), (4,)), ((2, 3), (3, 2)), ((5, 2, 4), (3, 4))]

    def compatible(a, b):
        def case():
            got = call_student(fn, a, b)
            expected = reference_broadcast_shape(a, b)
            try:
                got_tuple = tuple(int(d) for d in got)
            except (TypeError, ValueError):
                raise CheckFailed(f"for {a} and {b} it should return a tuple of ints; got {got!r}") from None
            if got_tuple != expected:
                raise CheckFailed(f"for shapes {a} and {b}: got {got_tuple}, expected {expected}")
        return case

    def incompatible(a, b):
        def case():
            if not callable(fn):
                raise CheckFailed(f"expected a function, got {type(fn).__name__}")
            try:
                got = fn(a, b)
            except ValueError:
                return
            except Exception as err:
                raise CheckFailed(f"for {a} and {b} it raised {type(err).__name__} ({err}); "
                                  "expected ValueError") from None
            raise CheckFailed(f"shapes {a} and {b} do not broadcast, so it should raise ValueError; it returned {got!r}")
        return case

    return run("broadcast_shape", [compatible(*c) for c in good] + [incompatible(*c) for c in bad],
               hint="pad the shorter shape with 1s on the LEFT, then compare position by position: "
                    "equal sizes stay, a 1 stretches to the other size, anything else is an error.",
               quiet=quiet, success=f"agrees with torch's broadcasting on {len(good)} pairs "
                                    f"and rejects {len(bad)} incompatible ones.")


def gather_by_hand(fn, quiet=False):
    """Check ``fn(x, dim, index) -> out`` against ``torch.gather(x, dim, index)`` for 2-D tensors, dim 0 and 1."""
    import torch  # imported here, so that `from course_lib import check` stays light

    gen = torch.Generator().manual_seed(9)
    cases = []
    for dim, (rows, cols), (irows, icols) in [(0, (2, 3), (1, 3)), (1, (2, 3), (2, 3)), (1, (3, 4), (3, 2)),
                                              (0, (4, 2), (3, 2)), (1, (2, 5), (1, 1)), (0, (3, 3), (3, 3))]:
        x = torch.randn(rows, cols, generator=gen, dtype=torch.float64)
        size = x.shape[dim]
        index = torch.randint(size, (irows, icols), generator=gen)
        cases.append((x, dim, index))

    def make(x, dim, index):
        def case():
            got = call_student(fn, x.clone(), dim, index.clone())
            expected = torch.gather(x, dim, index)
            if isinstance(got, torch.Tensor):
                got = got.detach().cpu()
            label = f"dim={dim}, x of shape {tuple(x.shape)}, index={index.tolist()}"
            compare("out", got, expected.numpy(), label)
        return case

    return run("gather_by_hand", [make(*c) for c in cases],
               hint="out has the shape of index; for dim=0, out[i][j] = x[index[i][j]][j] "
                    "(the index replaces the row), for dim=1, out[i][j] = x[i][index[i][j]].",
               quiet=quiet, success=f"matches torch.gather on {len(cases)} cases (dim 0 and 1).")


def row_fractions(fn, quiet=False):
    """Check ``fn(x) -> x / x.sum(dim=1, keepdim=True)``: each row divided by its own sum."""
    import torch  # imported here, so that `from course_lib import check` stays light

    gen = torch.Generator().manual_seed(11)
    shapes = [(3, 3), (2, 4), (4, 2), (1, 5), (5, 1)]
    cases = [torch.rand(s, generator=gen, dtype=torch.float64) + 0.1 for s in shapes]

    def make(x):
        def case():
            got = call_student(fn, x.clone())
            if isinstance(got, torch.Tensor):
                got = got.detach().cpu()
            expected = x / x.sum(dim=1, keepdim=True)
            compare("result", got, expected.numpy(), f"x of shape {tuple(x.shape)}")
            if not np.allclose(np.asarray(got, dtype=float).sum(axis=1), 1.0):
                raise CheckFailed(f"the rows of the result do not sum to 1 for x of shape {tuple(x.shape)}")
        return case

    return run("row_fractions", [make(x) for x in cases],
               hint="x.sum(dim=1) has shape (N,), which broadcasts against the COLUMNS of x; "
                    "keepdim=True keeps it (N, 1), one sum per row.",
               quiet=quiet, success=f"right on {len(cases)} shapes, square ones included.")
