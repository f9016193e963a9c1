r"""Rules of tensors that chapter 09 teaches: the shape of a broadcast, and how a tensor sits in memory.

:func:`broadcast_shape` is the broadcasting rule of NumPy and PyTorch in plain Python: align the
shapes at the right, pad the shorter with 1s on the left, and in each position the sizes must be
equal or one of them 1 (which is stretched). It is the reference the chapter's exercise is checked
against; ``tests/test_tensors.py`` checks it against torch and numpy themselves.

:func:`layout_of` reads a tensor's strides and storage from torch and says whether ``view`` can
reshape it without copying. The pictures of both are in :mod:`course_lib.viz.tensor_viz`.
"""
from ._validate import as_shape

__all__ = ["broadcast_shape", "layout_of"]


def broadcast_shape(shape_a, shape_b):
    """The shape of ``a + b`` for tensors of shapes ``shape_a`` and ``shape_b``.

    The rule (NumPy's and PyTorch's): align the shapes at the right, padding the shorter one
    with 1s on the left; in every position the two sizes must be equal or one of them 1, and
    the result takes the larger (a size 1 is stretched). Otherwise ``ValueError``.
    """
    a, b = as_shape(shape_a, "shape_a"), as_shape(shape_b, "shape_b")
    n = max(len(a), len(b))
    a_pad, b_pad = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    result = []
    for position, (da, db) in enumerate(zip(a_pad, b_pad)):
        if da != db and 1 not in (da, db):
            raise ValueError(f"shapes {a} and {b} do not broadcast: dimension {position - n} has sizes "
                             f"{da} and {db}, which are neither equal nor 1")
        result.append(db if da == 1 else da)
    return tuple(result)


def layout_of(t, new_shape):
    """Facts about how the torch tensor ``t`` sits in memory and whether ``t.view(new_shape)`` works.

    Returns a dict: ``shape``, ``stride``, ``storage_offset``, ``contiguous``, ``view_ok`` (bool),
    ``view_error`` (torch's message or ""), ``reshape_copies`` (whether ``t.reshape(new_shape)``
    had to copy the data; None when no tensor of that shape has t's elements).
    """
    import torch  # imported here, so that broadcast_shape (and course_lib.check) stay light

    if not isinstance(t, torch.Tensor):
        raise TypeError(f"t must be a torch.Tensor; got {type(t).__name__}")
    new_shape = tuple(new_shape)
    try:
        t.view(new_shape)
        view_ok, view_error = True, ""
    except RuntimeError as err:
        view_ok, view_error = False, str(err).split(".")[0]
    try:
        reshaped = t.reshape(new_shape)
        reshape_copies = reshaped.untyped_storage().data_ptr() != t.untyped_storage().data_ptr()
    except RuntimeError:
        reshape_copies = None
    return {"shape": tuple(t.shape), "stride": t.stride(), "storage_offset": t.storage_offset(),
            "contiguous": t.is_contiguous(), "view_ok": view_ok, "view_error": view_error,
            "reshape_copies": reshape_copies}
