"""Tests of course_lib/tensors.py: the broadcasting rule and a tensor's memory layout, against torch and numpy."""
import itertools

import numpy as np
import pytest
import torch

from course_lib.tensors import broadcast_shape, layout_of

SHAPES = [s for d in range(4) for s in itertools.product([1, 2, 3], repeat=d)] + [(0,), (0, 1), (4, 1, 0)]


@pytest.mark.parametrize("shape_a, shape_b", list(itertools.product(SHAPES, repeat=2))[::23])
def test_broadcast_shape_agrees_with_torch_and_numpy(shape_a, shape_b):
    try:
        expected = tuple(torch.broadcast_shapes(shape_a, shape_b))
    except RuntimeError:
        with pytest.raises(ValueError, match="do not broadcast"):
            broadcast_shape(shape_a, shape_b)
        with pytest.raises(ValueError):
            np.broadcast_shapes(shape_a, shape_b)
        return
    assert broadcast_shape(shape_a, shape_b) == expected == np.broadcast_shapes(shape_a, shape_b)


def test_broadcast_shape_pads_on_the_left_not_the_right():
    assert broadcast_shape((4, 1), (3,)) == (4, 3)
    with pytest.raises(ValueError, match="dimension -1 has sizes 3 and 4"):
        broadcast_shape((4, 3), (4,))          # (4,) is (1, 4), not (4, 1)


@pytest.mark.parametrize("bad, error, words", [("34", TypeError, "tuple of ints"), (3, TypeError, "tuple of ints"),
                                               ((2.0, 1), TypeError, "must hold ints"),
                                               ((True,), TypeError, "must hold ints"),
                                               ((-1, 2), ValueError, ">= 0")])
def test_broadcast_shape_rejects_bad_shapes_naming_the_argument(bad, error, words):
    with pytest.raises(error, match=words) as info:
        broadcast_shape(bad, (1,))
    assert "shape_a" in str(info.value)


def test_layout_of_distinguishes_views_from_copies():
    base = torch.arange(24).view(4, 6)
    assert layout_of(base, (-1,))["reshape_copies"] is False
    transposed = layout_of(base.t(), (-1,))
    assert transposed["stride"] == (1, 6) and not transposed["contiguous"]
    assert not transposed["view_ok"] and transposed["reshape_copies"] is True
    strided = layout_of(base[:, ::2], (-1,))
    assert strided["view_ok"] and not strided["contiguous"]     # evenly spaced: a view works
    assert layout_of(base, (5, -1))["reshape_copies"] is None     # 24 is not a multiple of 5
    with pytest.raises(TypeError, match="torch.Tensor"):
        layout_of(np.arange(4), (-1,))
