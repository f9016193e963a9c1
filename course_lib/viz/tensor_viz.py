r"""Pictures of tensors for chapter 09: how broadcasting stretches, how strides lay out memory.

The rules themselves (:func:`~course_lib.tensors.broadcast_shape`, :func:`~course_lib.tensors.layout_of`)
are in :mod:`course_lib.tensors`. :class:`BroadcastPicture` and :class:`StridePicture` draw
on a figure built once; their ``show(...)`` methods only change existing artists, listed in
``.artists`` for :class:`course_lib.viz.widgets.LivePlot`'s ``dynamic=``. The values they draw are
computed by torch itself (an addition that broadcasts, a view that may fail), not re-derived.
"""
import numbers

import matplotlib
import numpy as np
import torch
from matplotlib.collections import PathCollection
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from .._validate import as_shape
from ..tensors import layout_of
from .plotting import PALETTE

__all__ = ["BroadcastPicture", "StridePicture", "LAYOUT_OPERATIONS", "VIEW_TARGETS"]

ORIGINAL = np.array([0.17, 0.45, 0.75, 1.0])    # a cell that holds its own element: strong blue
STRETCHED = np.array([0.72, 0.83, 0.95, 1.0])   # a copy made by broadcasting: pale blue
EMPTY = np.array([1.0, 1.0, 1.0, 0.0])          # no element here: transparent
CELL_PX = 12                                     # pixels per cell in the images (1 of them a white border)


def _as_2d(shape):
    """A shape of at most 2 dims as (rows, columns), padding with 1s on the left as broadcasting does."""
    if len(shape) > 2:
        raise ValueError(f"the picture draws shapes of at most 2 dimensions; got {shape}")
    return ((1, 1) + tuple(shape))[-2:]


def _cell_image(kinds):
    """Upsample a (R, C) grid of cell kinds (0 empty, 1 original, 2 stretched) to RGBA pixels with borders."""
    colours = np.stack([EMPTY, ORIGINAL, STRETCHED])[kinds]
    image = np.repeat(np.repeat(colours, CELL_PX, axis=0), CELL_PX, axis=1)
    image[CELL_PX - 1::CELL_PX, :, :3] = 1.0
    image[:, CELL_PX - 1::CELL_PX, :3] = 1.0
    return image


class _Grid:
    """A max_side × max_side panel of cells on one axes: one image and a title (few artists, fast to draw)."""

    def __init__(self, ax, max_side):
        self.ax, self.max_side = ax, max_side
        side = max_side * CELL_PX
        self.image = ax.imshow(np.zeros((side, side, 4)), extent=(0, max_side, max_side, 0),
                               interpolation="nearest")
        self.title = ax.set_title(" ")
        ax.set_xlim(0, max_side)
        ax.set_ylim(max_side, 0)
        ax.set_axis_off()
        ax.spines[:].set_visible(False)      # off means off, also for a LivePlot that redraws frames

    @property
    def artists(self):
        return [self.image, self.title]

    def show(self, kinds, title):
        """Draw a grid of cell kinds (R, C): 0 empty, 1 an element of its own, 2 a broadcast copy."""
        full = np.zeros((self.max_side, self.max_side), dtype=int)
        full[:kinds.shape[0], :kinds.shape[1]] = kinds
        self.image.set_data(_cell_image(full))
        self.title.set_text(title)


class BroadcastPicture:
    """Two operands of at most 2 dims and their sum, drawn as grids of cells.

    Strong cells hold elements of the operand, pale cells are the copies broadcasting makes
    (stride 0, no memory), and the third panel has the shape of ``a + b`` as torch computes it
    (on ``torch.arange`` tensors of the chosen shapes), or torch's error message.

    Parameters
    ----------
    fig : matplotlib Figure (from :func:`course_lib.viz.plotting.new_figure`); three axes are added.
    max_side : int, the largest size of a dimension the picture can show.
    """

    def __init__(self, fig, max_side=4):
        if not isinstance(max_side, numbers.Integral) or not 1 <= max_side <= 8:
            raise ValueError(f"max_side must be an int from 1 to 8; got {max_side!r}")
        self.max_side = int(max_side)
        axes = fig.subplots(1, 3)
        self.grids = [_Grid(ax, self.max_side) for ax in axes]
        fig.text(0.5, 0.12, "strong cells: the operand's own elements;  pale cells: copies made by broadcasting",
                 ha="center", color="0.3")
        self.message = fig.text(0.5, 0.02, "", ha="center", color=PALETTE[3])     # torch's error, if any
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.22, top=0.88, wspace=0.15)

    @property
    def artists(self):
        return [a for g in self.grids for a in g.artists] + [self.message]

    def show(self, shape_a, shape_b):
        """Draw a, b (stretched where they broadcast) and a + b. Returns the result shape or None."""
        shape_a, shape_b = as_shape(shape_a, "shape_a"), as_shape(shape_b, "shape_b")
        for name, shape in (("shape_a", shape_a), ("shape_b", shape_b)):
            if len(shape) > 2 or any(d > self.max_side or d == 0 for d in shape):
                raise ValueError(f"{name} must have at most 2 dims of sizes 1..{self.max_side}; got {shape}")
        a = torch.arange(1, 1 + int(np.prod(shape_a)), dtype=torch.int64).reshape(shape_a)
        b = 10 * torch.arange(1, 1 + int(np.prod(shape_b)), dtype=torch.int64).reshape(shape_b)
        try:
            total = a + b
        except RuntimeError as err:
            self.grids[0].show(np.ones(_as_2d(shape_a), int), f"a {shape_a}")
            self.grids[1].show(np.ones(_as_2d(shape_b), int), f"b {shape_b}")
            self.grids[2].show(np.zeros((0, 0), int), "a + b: error")
            self.message.set_text(str(err).split("\n")[0][:100])
            return None
        out = tuple(total.shape)
        self.grids[0].show(_stretch_kinds(shape_a, out), f"a {shape_a}")
        self.grids[1].show(_stretch_kinds(shape_b, out), f"b {shape_b}")
        self.grids[2].show(np.ones(_as_2d(out), int), f"a + b {out}")
        self.message.set_text("")
        return out


def _stretch_kinds(shape, out):
    """Cell kinds of an operand of ``shape`` stretched to ``out``: 1 its own elements, 2 the copies."""
    kinds = np.full(_as_2d(out), 2)
    rows, cols = _as_2d(shape)
    kinds[:rows, :cols] = 1
    return kinds


# ------------------------------------------------------------------ strides and contiguity

LAYOUT_OPERATIONS = {
    # name shown to the student (a button's label): what it does to a tensor (each returns a view, no copy)
    "as is": lambda t: t,
    "transpose(0, 1)": lambda t: t.transpose(0, 1),
    "transpose(-2, -1)": lambda t: t.transpose(-2, -1),
    "permute (reverse dims)": lambda t: t.permute(*reversed(range(t.dim()))),
    "[:, ::2]": lambda t: t[:, ::2],          # every 2nd column
    "[1:]": lambda t: t[1:],                  # drop the first row
}

VIEW_TARGETS = {
    # name shown to the student: the new shape as a function of the tensor's shape
    "view(-1)": lambda shape: (-1,),
    "view(..., 2, -1)": lambda shape: tuple(shape[:-1]) + (2, -1),
}


def _centred_outline(text, size):
    """The outline of ``text`` at ``size`` points, centred on (0, 0), as a matplotlib Path.

    A PathCollection of such outlines draws two dozen cell labels as one artist, about as fast as
    markers; two dozen Text artists take tens of milliseconds to draw, too slow for a slider.
    """
    path = TextPath((0, 0), text, prop=FontProperties(size=size))
    box = path.get_extents()
    return path.transformed(Affine2D().translate(-(box.x0 + box.x1) / 2, -(box.y0 + box.y1) / 2))


class StridePicture:
    """A tensor made from ``torch.arange(n)``, shown so that each element's value is its address.

    Left: the tensor's elements in their logical (row-major) order, as a grid (the leading
    dimensions flattened into rows); each cell shows its element's position in memory as a number
    and as a colour (dark = low address; the colour bar gives the scale). Right: the memory position
    of the k-th element read in logical order. A tensor is contiguous exactly when that staircase is
    the straight line 0, 1, 2, …; ``view`` can flatten it only then.

    Parameters
    ----------
    fig : matplotlib Figure; two axes and a colour bar are added.
    n : int, the number of elements of the base tensor (12 to 36).
    """

    def __init__(self, fig, n=24):
        if not isinstance(n, numbers.Integral) or not 12 <= n <= 36:
            raise ValueError(f"n must be an int from 12 to 36; got {n!r}")
        self.n = int(n)
        self.base = torch.arange(self.n)
        ax_grid, ax_walk = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        self.ax_grid, self.ax_walk = ax_grid, ax_walk
        self.image = ax_grid.imshow(np.zeros((2, 2)), extent=(0, 1, 1, 0), cmap="viridis", vmin=0,
                                    vmax=self.n - 1, aspect="auto", interpolation="nearest")
        ax_grid.set_xlim(0, 1); ax_grid.set_ylim(1, 0); ax_grid.set_axis_off()
        ax_grid.spines[:].set_visible(False)  # off means off, also for a LivePlot that redraws frames
        # each cell's address written in it: outlines of the numbers at body-text size, one artist
        self.glyphs = {k: _centred_outline(str(k), matplotlib.rcParams["font.size"]) for k in range(self.n)}
        self.numbers = PathCollection([], offsets=np.zeros((0, 2)), offset_transform=ax_grid.transData,
                                      transform=Affine2D().scale(1 / 72) + fig.dpi_scale_trans, linewidths=0)
        ax_grid.add_collection(self.numbers, autolim=False)
        self.colorbar = fig.colorbar(self.image, ax=ax_grid, fraction=0.08, pad=0.03,
                                     ticks=np.linspace(0, self.n - 1, 4).round().astype(int))
        self.colorbar.set_label("address")
        self.grid_title = ax_grid.set_title(" ")
        self.diagonal, = ax_walk.plot([0, self.n - 1], [0, self.n - 1], color="0.8", lw=4)
        self.walk, = ax_walk.plot([], [], "o-", ms=4, lw=1.5, color=PALETTE[3])
        ax_walk.set(xlim=(-0.5, self.n - 0.5), ylim=(-0.5, self.n - 0.5),
                    xlabel="k-th element read", ylabel="address in memory")
        self.walk_title = ax_walk.set_title(" ")
        self.message = fig.text(0.5, 0.02, " ", ha="center")
        fig.subplots_adjust(left=0.02, right=0.97, bottom=0.25, top=0.88, wspace=0.3)

    @property
    def artists(self):
        return [self.image, self.numbers, self.grid_title, self.walk, self.walk_title, self.message]

    def tensor(self, shape, operation):
        """``torch.arange(n).view(shape)`` followed by the named operation of :data:`LAYOUT_OPERATIONS`."""
        shape = as_shape(shape, "shape")
        if int(np.prod(shape)) != self.n or len(shape) < 2:
            raise ValueError(f"shape must have at least 2 dims and {self.n} elements; got {shape}")
        if operation not in LAYOUT_OPERATIONS:
            raise ValueError(f"operation must be one of {list(LAYOUT_OPERATIONS)}; got {operation!r}")
        return LAYOUT_OPERATIONS[operation](self.base.view(shape))

    def show(self, shape, operation, target="view(-1)"):
        """Draw the layout of ``tensor(shape, operation)`` and try the view named ``target`` (a key of
        :data:`VIEW_TARGETS`). Returns :func:`layout_of`'s dict."""
        t = self.tensor(shape, operation)
        if target not in VIEW_TARGETS:
            raise ValueError(f"target must be one of {list(VIEW_TARGETS)}; got {target!r}")
        new_shape = VIEW_TARGETS[target](tuple(t.shape))
        facts = layout_of(t, new_shape)
        rows, cols = int(np.prod(t.shape[:-1])), int(t.shape[-1])
        addresses = t.reshape(rows, cols).numpy()          # the values of arange(n) are their own addresses
        self.image.set_data(addresses)
        cells = list(np.ndenumerate(addresses))
        self.numbers.set_paths([self.glyphs[int(address)] for _, address in cells])
        self.numbers.set_offsets([((j + 0.5) / cols, (i + 0.5) / rows) for (i, j), _ in cells])
        self.numbers.set_facecolor(["white" if address < 0.6 * (self.n - 1) else "black"   # readable on viridis
                                    for _, address in cells])
        self.grid_title.set_text(f"{facts['shape']}, stride {facts['stride']}")
        walk = addresses.ravel()
        self.walk.set_data(np.arange(walk.size), walk)
        self.walk_title.set_text("contiguous" if facts["contiguous"] else "not contiguous")
        verdict = "works" if facts["view_ok"] else "fails"
        copies = {None: "fails too", True: "copies", False: "is a view"}[facts["reshape_copies"]]
        self.message.set_text(f"{target} {verdict}; reshape {copies}")
        return facts
