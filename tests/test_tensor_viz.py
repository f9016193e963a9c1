"""Tests of course_lib/viz/tensor_viz.py: the two pictures of chapter 09 (the rules: test_tensors.py)."""
import itertools

import numpy as np
import pytest

from course_lib.viz.plotting import new_figure
from course_lib.viz.tensor_viz import CELL_PX, LAYOUT_OPERATIONS, VIEW_TARGETS, BroadcastPicture, StridePicture


def _cell_kinds(picture, panel):
    """Read the kind of each cell back from a panel's image: 0 empty, 1 strong, 2 pale."""
    pixels = np.asarray(picture.grids[panel].image.get_array())[CELL_PX // 2::CELL_PX, CELL_PX // 2::CELL_PX]
    kinds = np.zeros(pixels.shape[:2], int)
    kinds[pixels[..., 3] > 0] = 1
    kinds[(pixels[..., 3] > 0) & (pixels[..., 0] > 0.5)] = 2
    return kinds


def test_broadcast_picture_shows_own_cells_and_stretched_copies():
    picture = BroadcastPicture(new_figure(6, 2), max_side=4)
    assert picture.show((4, 1), (3,)) == (4, 3)
    a, b, total = (_cell_kinds(picture, k) for k in range(3))
    assert (a[:4, 0] == 1).all() and (a[:4, 1:3] == 2).all() and (a[:, 3] == 0).all()
    assert (b[0, :3] == 1).all() and (b[1:4, :3] == 2).all()
    assert (total[:4, :3] == 1).all() and total.sum() == 12
    assert picture.message.get_text() == ""


def test_broadcast_picture_reports_torchs_error_and_draws_no_result():
    picture = BroadcastPicture(new_figure(6, 2))
    assert picture.show((4, 3), (4,)) is None
    assert "must match" in picture.message.get_text()
    assert _cell_kinds(picture, 2).sum() == 0 and picture.grids[2].title.get_text() == "a + b: error"


def test_broadcast_picture_rejects_shapes_it_cannot_draw():
    picture = BroadcastPicture(new_figure(6, 2), max_side=4)
    with pytest.raises(ValueError, match="shape_b must have at most 2 dims"):
        picture.show((1,), (2, 2, 2))
    with pytest.raises(ValueError, match="sizes 1..4"):
        picture.show((5,), (1,))
    with pytest.raises(ValueError, match="max_side"):
        BroadcastPicture(new_figure(6, 2), max_side=0)


@pytest.mark.parametrize("operation", list(LAYOUT_OPERATIONS))
@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 4), (3, 8)])
def test_stride_picture_draws_addresses_and_tells_the_truth_about_view(shape, operation):
    picture = StridePicture(new_figure(6, 2.5), n=24)
    t = picture.tensor(shape, operation)
    for target, new_shape in VIEW_TARGETS.items():
        facts = picture.show(shape, operation, target)
        drawn = np.asarray(picture.image.get_array())
        assert drawn.size == t.numel()
        flat = t.reshape(-1)
        # the picture's k-th element is the address of the k-th element, read from torch's own strides
        addresses = [t.storage_offset() + sum(i * s for i, s in zip(idx, t.stride()))
                     for idx in itertools.product(*map(range, t.shape))]
        assert drawn.ravel().tolist() == addresses == flat.tolist()
        assert list(picture.walk.get_ydata()) == addresses
        assert facts["contiguous"] == t.is_contiguous() == (addresses == list(range(addresses[0], addresses[0] + len(addresses))))
        try:
            t.view(new_shape(tuple(t.shape)))
            works = True
        except RuntimeError:
            works = False
        assert facts["view_ok"] == works
        assert ("works" if works else "fails") in picture.message.get_text()


def test_stride_picture_validates_its_inputs():
    picture = StridePicture(new_figure(6, 2.5), n=24)
    with pytest.raises(ValueError, match="24 elements"):
        picture.show((5, 5), "as is")
    with pytest.raises(ValueError, match="operation must be one of"):
        picture.show((4, 6), "flip")
    with pytest.raises(ValueError, match="target must be one of"):
        picture.show((4, 6), "as is", "view(7)")
    with pytest.raises(ValueError, match="n must be"):
        StridePicture(new_figure(6, 2.5), n=100)


@pytest.mark.parametrize("shape, operation", [((4, 6), "transpose(0, 1)"), ((2, 12), "[:, ::2]"),
                                              ((2, 3, 4), "permute (reverse dims)")])
def test_stride_picture_writes_each_address_in_its_cell_over_a_colour_bar(shape, operation):
    fig = new_figure(9.5, 3.6)
    picture = StridePicture(fig, n=24)
    picture.show((3, 8), "as is")                      # labels left over from another tensor must go
    picture.show(shape, operation)
    addresses = np.asarray(picture.image.get_array())
    rows, cols = addresses.shape
    labels, places = picture.numbers.get_paths(), picture.numbers.get_offsets()
    assert len(labels) == len(places) == addresses.size == picture.tensor(shape, operation).numel()
    cells = set()
    for label, (x, y) in zip(labels, places):
        i, j = int(y * rows), int(x * cols)                # the cell the label sits in
        assert label is picture.glyphs[addresses[i, j]]    # the outline of that cell's address
        cells.add((i, j))
    assert len(cells) == addresses.size                    # one label in every cell
    assert picture.glyphs[12].get_extents().height > 0.6 * 13   # drawn at body-text size (13 pt)
    assert picture.colorbar.mappable is picture.image and picture.colorbar.ax.get_ylabel() == "address"
    assert picture.numbers in picture.artists              # a LivePlot redraws them
    fig.canvas.draw()
