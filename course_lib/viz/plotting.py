"""Plots the chapters share: decision boundaries, loss curves, the look of every figure.

The look is set once, here, when ``course_lib.viz.plotting`` is imported (every chapter imports it):

- **Type that can be read** on a laptop at 1280 px and from the back of a lecture hall: no text in a
  figure is smaller than the notebook's body text (14 px). Figures are drawn at ``DPI`` = 80, so
  13 pt is 14.4 px; every font size of the style is at least ``MIN_FONT_PT``.
- **Colours everyone can tell apart**: the Okabe–Ito palette (``PALETTE``), safe under red–green and
  blue–yellow colour blindness, and successive lines also differ in dash style, so they stay
  distinct in greyscale too.
- **Alt text** on every figure a notebook shows: :func:`describe_figure` says what the figure shows
  (the author's one-sentence summary, set with :func:`set_alt_text`, then its titles, axis labels
  and legend entries). In a notebook the text travels with the image as its ``alt`` metadata, which
  nbconvert and the course's decks write into the ``<img alt=…>``.

Figures for widgets are made with :func:`new_figure` (a bare ``matplotlib.figure.Figure``,
not pyplot), so a figure is shown only where a widget shows it, never twice.
"""
import re

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from .._validate import as_array, as_number

__all__ = ["new_figure", "plot_decision_boundary", "DecisionBoundaryImage", "grid_over", "PALETTE", "DPI",
           "MIN_FONT_PT", "COURSE_STYLE", "describe_figure", "set_alt_text", "smallest_text_px"]

# Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, vermillion, reddish purple,
# sky blue, yellow, black.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
DASHES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 3)), (0, (3, 1, 1, 1))]
DPI = 80
MIN_FONT_PT = 13       # 13 pt at 80 dpi = 14.4 px, JupyterLab's body text is 14 px
COURSE_STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.size": MIN_FONT_PT,
    "axes.titlesize": 14,
    "axes.labelsize": MIN_FONT_PT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": 15,
    "figure.labelsize": MIN_FONT_PT,
    "axes.prop_cycle": cycler(color=PALETTE) + cycler(linestyle=DASHES),
    "image.cmap": "viridis",
    "lines.linewidth": 2.0,
}
matplotlib.rcParams.update(COURSE_STYLE)

CLASS_COLORS = ListedColormap([PALETTE[3], PALETTE[0]])    # class 0 vermillion, class 1 blue (points)
REGION_COLORS = ListedColormap(["#f6c8a8", "#b3d4ea"])     # the same, pale (regions)


def new_figure(width=6.0, height=4.0, dpi=DPI):
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
    coarse grid and swaps the pixels of one image (no new artists, no contour tracing). A widget
    that has computed the classes beforehand (one grid per slider position, so dragging only swaps
    pixels) passes them to :meth:`show_labels` instead.

    Attributes
    ----------
    points : (M, 2) the grid points, row by row; ``shape`` : (rows, columns) of the grid
    artists : the image and the data points, for a LivePlot's ``dynamic``
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
        if not callable(predict):
            raise TypeError(f"predict must be a function of an (M, 2) array; got {type(predict).__name__}")
        self.show_labels(predict(self.points), "predict(points)")

    def show_labels(self, labels, name="labels"):
        """Recolour the plane with class labels (0/1) computed beforehand for :attr:`points`.

        ``labels`` holds one label per grid point: shape (M,), as ``net.predict(boundary.points)``
        returns them, or ``shape``.
        """
        labels = as_array(labels, name)
        if labels.size != self.points.shape[0]:
            raise ValueError(f"{name} must hold one label per grid point ({self.points.shape[0]}, "
                             f"a {self.shape[0]}×{self.shape[1]} grid); got shape {labels.shape}")
        self.image.set_data(labels.reshape(self.shape))


def set_alt_text(fig, summary):
    """Give ``fig`` its one-sentence summary for readers who cannot see it (the start of its alt text).

    Say what the figure shows and what to notice, e.g. "Loss against epoch for four learning rates:
    the largest diverges." Stored as the figure's matplotlib label. Returns ``fig``.
    """
    if not isinstance(summary, str) or not summary.strip():
        raise ValueError(f"summary must be a non-empty sentence; got {summary!r}")
    fig.set_label(summary.strip())
    return fig


GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
         "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω", "partial": "∂",
         "nabla": "∇", "cdot": "·", "times": "×", "sum": "Σ", "infty": "∞", "approx": "≈", "leq": "≤", "geq": "≥"}


def _plain(text):
    """A label as a screen reader should read it: mathtext ``$w_1 \\cdot x$`` → ``w1 · x``."""
    if "$" not in text:
        return text
    text = re.sub(r"\\([A-Za-z]+)", lambda m: GREEK.get(m.group(1), "" if m.group(1) in ("mathrm", "mathbf", "left", "right") else m.group(1)), text)
    return re.sub(r"[${}_]|\\[,;! ]", "", text).replace("^", " to the ")


def _texts_of(ax):
    """Title, axis labels and legend entries of one axes, as short phrases."""
    parts = []
    title = " ".join(ax.get_title(loc).strip() for loc in ("left", "center", "right") if ax.get_title(loc).strip())
    if title:
        parts.append(f"“{title}”")
    labels = [f"{axis}: {label}" for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if label]
    if labels:
        parts.append(", ".join(labels))
    legend = ax.get_legend()
    if legend is not None and legend.get_visible():
        entries = [t.get_text() for t in legend.get_texts() if t.get_text()]
        if entries:
            parts.append("legend: " + ", ".join(entries))
    return "; ".join(parts)


def describe_figure(fig):
    """Alt text for ``fig``: its summary (:func:`set_alt_text`), then what each panel is labelled.

    E.g. "The sigmoid squashes every input into (0, 1). Panel “σ(x)” (x: x, y: σ(x); legend: σ, σ′)."
    Never empty: a figure without summary or labels is described as such.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure; got {type(fig).__name__}")
    summary = fig.get_label().strip()
    suptitle = fig.get_suptitle().strip()
    axes = [ax for ax in fig.get_axes() if ax.get_visible() and ax.get_label() != "<colorbar>"]
    panels = [_texts_of(ax) for ax in axes]
    panels = [p for p in panels if p]
    words = [summary] if summary else []
    if suptitle:
        words.append(f"Title “{suptitle}”.")
    entries = [t.get_text() for legend in fig.legends if legend.get_visible() for t in legend.get_texts()]
    if entries:
        words.append("Legend: " + ", ".join(e for e in entries if e) + ".")
    if len(panels) == 1:
        words.append(f"Plot {panels[0]}.")
    elif panels:
        words.append(f"{len(axes)} panels: " + " | ".join(panels) + ".")
    return _plain(" ".join(words)) or "A figure without a summary, title or labels."


def smallest_text_px(fig):
    """The height in pixels (at the figure's dpi) of the smallest visible, non-empty text of ``fig``."""
    fig.canvas.draw()                     # tick labels exist only once drawn
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip() and t.get_figure(root=True) is fig]
    return min(sizes) * fig.dpi / 72 if sizes else float("inf")


def _alt_text_metadata(fig):
    """IPython mimebundle hook: no data of its own, only the alt text of the figure's PNG."""
    return {}, {"image/png": {"alt": describe_figure(fig)}}


def _register_alt_text():
    """Make every matplotlib figure a notebook displays carry its alt text (a no-op outside IPython).

    A mimebundle formatter adds metadata only; the inline backend still renders the PNG, and
    re-activating it (``%matplotlib inline``) does not remove this hook.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "display_formatter"):
        shell.display_formatter.mimebundle_formatter.for_type(Figure, _alt_text_metadata)


_register_alt_text()
