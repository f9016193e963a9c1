r"""Several optimizers racing across the 2-D surfaces of :mod:`course_lib.experiments.surfaces` (chapter 07's widgets).

Every path is computed by the real optimizers of :mod:`course_lib.optim` through
:func:`course_lib.experiments.surfaces.run_optimizer`; this module only chooses settings, precomputes the paths a
widget needs (so that moving a slider only slices arrays) and draws them.

- :data:`RACERS` — the five optimizers compared, as factories ``lr -> (params -> optimizer)``.
- :data:`BASE_LR` — a learning rate per surface and optimizer that shows the optimizer at its
  typical behaviour there (the widget multiplies it by a factor).
- :func:`precompute_paths` — every (surface, optimizer, factor) path, ``steps + 1`` points each.
- :data:`STYLES` — how each optimizer is drawn: an Okabe–Ito colour (:data:`COLORS`) and, for readers
  who cannot tell colours apart, its own dash pattern and end marker.
- :class:`TrajectoryPanel` — one surface's contours (drawn once) and one line per optimizer.
- :class:`OptimizerChoice` — a row of checkboxes that says which optimizers to show.
"""
import functools

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.markers import MarkerStyle
from matplotlib.ticker import MaxNLocator

from .._validate import _describe, as_number
from ..optim import SGD, Adagrad, Adam, RMSprop
from .plotting import PALETTE
from ..experiments.surfaces import SURFACES, Surface, run_optimizer

__all__ = ["RACERS", "COLORS", "STYLES", "BASE_LR", "precompute_paths", "TrajectoryPanel", "OptimizerChoice",
           "steps_to_escape"]

RACERS = {
    "SGD": lambda lr: functools.partial(SGD, lr=lr),
    "momentum": lambda lr: functools.partial(SGD, lr=lr, momentum=0.9),
    "AdaGrad": lambda lr: functools.partial(Adagrad, lr=lr),
    "RMSprop": lambda lr: functools.partial(RMSprop, lr=lr, alpha=0.9),   # Hinton's β = 0.9
    "Adam": lambda lr: functools.partial(Adam, lr=lr),
}
# Colour, dash pattern and end marker per optimizer: any two differ in all three, so the lines stay apart
# under red–green colour blindness and in greyscale (tab10's blue/purple and green/red pairs did not).
# (Okabe–Ito black, orange, bluish green, vermillion, blue: under a deuteranopia or protanopia simulation
# they become black, yellow, grey, olive and blue, still five different colours.)
STYLES = {
    "SGD": {"color": PALETTE[7], "linestyle": "-", "marker": "o"},
    "momentum": {"color": PALETTE[1], "linestyle": (0, (6, 2)), "marker": "s"},
    "AdaGrad": {"color": PALETTE[2], "linestyle": (0, (5, 2, 1, 2)), "marker": "^"},
    "RMSprop": {"color": PALETTE[3], "linestyle": (0, (1, 1.5)), "marker": "D"},
    "Adam": {"color": PALETTE[0], "linestyle": (0, (3, 1, 1, 1, 1, 1)), "marker": "v"},
}
COLORS = {name: style["color"] for name, style in STYLES.items()}

# surface name -> optimizer name -> learning rate (factor 1 in the widget)
BASE_LR = {
    "quadratic": {"SGD": 0.15, "momentum": 0.02, "AdaGrad": 0.5, "RMSprop": 0.05, "Adam": 0.1},
    "Rosenbrock": {"SGD": 1e-3, "momentum": 2e-4, "AdaGrad": 0.5, "RMSprop": 0.03, "Adam": 0.2},
    "saddle": {"SGD": 0.05, "momentum": 0.02, "AdaGrad": 0.1, "RMSprop": 0.02, "Adam": 0.05},
    "Beale": {"SGD": 0.01, "momentum": 1e-3, "AdaGrad": 0.5, "RMSprop": 0.01, "Adam": 0.1},
}


def precompute_paths(lr_factors, steps, surfaces=None, racers=None, progress=None):
    """Run every optimizer on every surface at every learning-rate factor.

    Parameters
    ----------
    lr_factors : list of float > 0
        Each run uses ``BASE_LR[surface][optimizer] * factor``.
    steps : int ≥ 0
    surfaces : dict name -> Surface, default :data:`course_lib.experiments.surfaces.SURFACES`
    racers : list of optimizer names, default all of :data:`RACERS`
    progress : callable(str) or None, called once per surface when it is done (e.g. ``print``)

    Returns
    -------
    paths : dict (surface name, optimizer name, factor) -> (steps + 1, 2) array (NaN after divergence)
    """
    factors = [as_number(f, f"lr_factors[{i}]", low=0.0, low_inclusive=False) for i, f in enumerate(lr_factors)]
    steps = as_number(steps, "steps", low=0, integer=True)
    surfaces = SURFACES if surfaces is None else surfaces
    racers = list(RACERS) if racers is None else list(racers)
    for name in racers:
        if name not in RACERS:
            raise ValueError(f"racers must be names from {list(RACERS)}; got {name!r}")
    paths = {}
    for surface_name, surface in surfaces.items():
        if surface_name not in BASE_LR:
            raise ValueError(f"surfaces must be named like {list(BASE_LR)} (they need base rates); got {surface_name!r}")
        for name in racers:
            for factor in factors:
                lr = BASE_LR[surface_name][name] * factor
                paths[surface_name, name, factor] = run_optimizer(surface, RACERS[name](lr), steps=steps)
        if progress is not None:
            progress(f"{surface_name}: {len(racers) * len(factors)} paths of {steps} steps")
    return paths


def steps_to_escape(path, coordinate=1, distance=1.0):
    """The first step at which |path[k, coordinate]| ≥ distance (None if it never does).

    On the saddle x² − y², started next to the saddle point, it counts the steps taken to get away.
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"path must be an array of shape (steps + 1, 2); got shape {path.shape}")
    away = np.flatnonzero(np.abs(path[:, coordinate]) >= distance)
    return int(away[0]) if away.size else None


def _levels(surface, Z):
    """Contour levels: evenly spaced on bowls and saddles, logarithmic on Rosenbrock and Beale."""
    positive = Z[Z > 0]
    if surface.minima and Z.min() >= 0 and Z.max() / max(positive.min(), 1e-12) > 1e3:
        return np.logspace(np.log10(max(positive.min(), 1e-3)), np.log10(Z.max()), 14)
    return np.linspace(Z.min(), Z.max(), 14)


def _marker_path(marker):
    """A marker's outline in points, as ``scatter`` draws it (so one scatter can mix markers)."""
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform())


class TrajectoryPanel:
    """One surface: its contours, drawn once, and a path (with a marker at its end) per optimizer.

    All paths of the panel form one ``LineCollection`` (each segment with its optimizer's colour and
    dash pattern) and all end markers one scatter (each with its optimizer's marker), so a redraw
    costs two artists per panel however many optimizers are shown.

    Parameters
    ----------
    ax : matplotlib Axes
    surface : Surface
    names : list of optimizer names (drawn as :data:`STYLES` says)
    resolution : int, the contour grid (drawn once, so it costs nothing per update)

    Attributes
    ----------
    paths, ends : the LineCollection and the scatter; ``artists`` lists both (pass them as a
        LivePlot's ``dynamic``).
    """

    LINEWIDTH = 2.0

    def __init__(self, ax, surface, names, resolution=80):
        if not isinstance(surface, Surface):
            raise TypeError(f"surface must be a Surface; got {_describe(surface)}")
        X, Y, Z = surface.grid(resolution)
        ax.contour(X, Y, Z, levels=_levels(surface, Z), colors="0.78", linewidths=0.7, negative_linestyles="solid")
        for m in surface.minima:
            ax.plot(*m, marker="*", color="gold", markeredgecolor="k", markersize=14, zorder=3)
        ax.plot(*surface.start, "ko", markersize=5)
        ax.set(xlim=surface.xlim, ylim=surface.ylim)
        ax.set_title(surface.name)
        ax.xaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 5, 10]))     # few, round ticks: type stays large
        ax.yaxis.set_major_locator(MaxNLocator(3, steps=[1, 2, 5, 10]))
        self.names = list(names)
        self.styles = [STYLES.get(name, {"color": "k", "linestyle": "-", "marker": "o"}) for name in self.names]
        for name, style in zip(self.names, self.styles):        # legend entries only
            ax.plot([], [], lw=self.LINEWIDTH, markersize=7, label=name, **style)
        self.window = np.array([surface.xlim, surface.ylim]).T        # rows: lower corner, upper corner
        self.paths = LineCollection([], linewidths=self.LINEWIDTH, zorder=4)
        self.ends = ax.scatter([], [], s=49, zorder=5)
        ax.add_collection(self.paths, autolim=False)
        self.artists = [self.paths, self.ends]

    def _clipped(self, path):
        """The path up to its first non-finite point, and at most one point far outside the window."""
        path = np.asarray(path, dtype=np.float64)
        span = self.window[1] - self.window[0]
        inside = np.all(np.isfinite(path), axis=1) & np.all(np.abs(path - self.window.mean(axis=0)) < 5 * span, axis=1)
        stop = np.flatnonzero(~inside)
        return path if stop.size == 0 else path[:stop[0] + 1][np.all(np.isfinite(path[:stop[0] + 1]), axis=1)]

    def show(self, paths, visible=None):
        """Draw ``paths[name]`` (an (n, 2) array) for each optimizer in ``visible`` (default: all)."""
        segments, styles, ends = [], [], []
        for name, style in zip(self.names, self.styles):
            if visible is not None and name not in visible:
                continue
            path = self._clipped(paths[name])
            if len(path):
                segments.append(path)
                styles.append(style)
                ends.append(path[-1])
        colors = [style["color"] for style in styles]
        self.paths.set_segments(segments)
        self.paths.set_color(colors)
        self.paths.set_linestyle([style["linestyle"] for style in styles] or "-")
        self.ends.set_offsets(np.array(ends).reshape(-1, 2))
        self.ends.set_paths([_marker_path(style["marker"]) for style in styles])
        self.ends.set_facecolor(colors)
        self.ends.set_edgecolor("k")


class OptimizerChoice(widgets.HBox):
    """A row of checkboxes, one per optimizer; ``selected`` is the tuple of ticked names.

    ``on_change(callback)`` calls ``callback()`` whenever a box is ticked or unticked (e.g.
    ``plot.refresh`` of a LivePlot whose update reads ``selected``).
    """

    def __init__(self, names, value=None):
        names = list(names)
        value = names if value is None else list(value)
        self.boxes = {name: widgets.Checkbox(value=name in value, description=name, indent=False,
                                             layout=widgets.Layout(width="auto", margin="0 12px 0 0"))
                      for name in names}
        super().__init__(list(self.boxes.values()))

    @property
    def selected(self):
        return tuple(name for name, box in self.boxes.items() if box.value)

    def on_change(self, callback):
        if not callable(callback):
            raise TypeError(f"callback must be a function of no arguments; got {_describe(callback)}")
        for box in self.boxes.values():
            box.observe(lambda change: callback(), names="value")
