"""Plots the chapters share: decision boundaries, loss curves, the look of every figure.

Figures for widgets are made with :func:`new_figure` (a bare ``matplotlib.figure.Figure``,
not pyplot), so a figure is shown only where a widget shows it, never twice.
"""
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ._validate import as_array, as_number

__all__ = ["new_figure", "plot_decision_boundary", "DecisionBoundaryImage", "grid_over"]

CLASS_COLORS = ListedColormap(["#d7301f", "#2b8cbe"])      # class 0 red, class 1 blue (points)
REGION_COLORS = ListedColormap(["#fcbba1", "#c6dbef"])     # the same, pale (regions)


def new_figure(width=6.0, height=4.0, dpi=80):
    """A matplotlib Figure that pyplot does not know about (so the inline backend won't show it)."""
    width = as_number(width, "width", low=0, low_inclusive=False)
    height = as_number(height, "height", low=0, low_inclusive=False)
    dpi = as_number(dpi, "dpi", low=0, low_inclusive=False)
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def grid_over(X, resolution=200, padding=0.5):
    """A (resolution × resolution) grid covering the points X (N, 2) with a margin.

    Returns ``(xs, ys, points)``: the two axes' coordinates and the (resolution², 2) grid points.
    """
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns to draw in the plane; got shape {X.shape}")
    resolution = as_number(resolution, "resolution", low=2, high=2000, integer=True)
    padding = as_number(padding, "padding", low=0)
    xs = np.linspace(X[:, 0].min() - padding, X[:, 0].max() + padding, resolution)
    ys = np.linspace(X[:, 1].min() - padding, X[:, 1].max() + padding, resolution)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, np.c_[xx.ravel(), yy.ravel()]


def _labels(predict, points, shape):
    """predict(points) as a grid of class labels, or a ValueError naming predict."""
    if not callable(predict):
        raise TypeError(f"predict must be a function of an (M, 2) array; got {type(predict).__name__}")
    labels = as_array(predict(points), "predict(points)")
    if labels.size != points.shape[0]:
        raise ValueError(f"predict must return one label per point ({points.shape[0]}); got shape {labels.shape}")
    return labels.reshape(shape)


def plot_decision_boundary(predict, X, y, ax=None, resolution=200, padding=0.5, title=None):
    """The lecture's ``plot_decision_boundary``: the predicted class over the plane, and the data.

    Parameters
    ----------
    predict : callable
        Maps an (M, 2) array of points to M class labels (e.g. ``lambda x: predict(model, x)``).
    X : (N, 2) array; y : (N,) labels
    ax : matplotlib Axes, optional (default: the current pyplot axes)
    """
    if not callable(predict):
        raise TypeError(f"predict must be a function of an (M, 2) array; got {type(predict).__name__}")
    xs, ys, points = grid_over(X, resolution, padding)
    labels = _labels(predict, points, (len(ys), len(xs)))
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.gca()
    ax.contourf(xs, ys, labels, levels=[-0.5, 0.5, 1.5], cmap=REGION_COLORS)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=CLASS_COLORS, s=18, edgecolors="k", linewidths=0.4)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    if title:
        ax.set_title(title)
    return ax


class DecisionBoundaryImage:
    """A decision-boundary plot that a widget can redraw fast.

    The data points are drawn once; each :meth:`update` recomputes the predicted class on a
    coarse grid and swaps the pixels of one image (no new artists, no contour tracing).
    """

    def __init__(self, ax, X, y, resolution=120, padding=0.5):
        self.ax = ax
        xs, ys, self.points = grid_over(X, resolution, padding)
        self.shape = (len(ys), len(xs))
        self.image = ax.imshow(np.zeros(self.shape), origin="lower", cmap=REGION_COLORS, vmin=0, vmax=1,
                               extent=(xs[0], xs[-1], ys[0], ys[-1]), aspect="auto", interpolation="nearest")
        self.scatter = ax.scatter(X[:, 0], X[:, 1], c=y, cmap=CLASS_COLORS, s=14, edgecolors="k", linewidths=0.3)
        self.artists = [self.image, self.scatter]  # what a LivePlot redraws (the data stay on top)
        ax.set_xticks([])
        ax.set_yticks([])

    def update(self, predict):
        """Recolour the plane with ``predict(points)`` (class labels 0/1)."""
        self.image.set_data(_labels(predict, self.points, self.shape))
