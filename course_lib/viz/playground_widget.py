"""The playground's picture and controls (chapter 11): TensorFlow Playground in a notebook.

:class:`PlaygroundWidget` shows a :class:`course_lib.experiments.playground.Playground` as one
figure, redrawn by a :class:`~course_lib.viz.widgets.LivePlot`:

- the network, left: a thumbnail of what every feature and every neuron computes over the input
  square, the weights as links whose width is |w| and whose colour is the sign of w (blue +,
  orange −), and under it a bar per layer of weights, the norm of its gradient ‖∂J/∂W_ℓ‖ at the
  last step (chapter 04's measurement, on a log scale);
- the output, right: the class probabilities as a heat map over the square, with the training
  points (and, on request, the test points, hollow), and below it the training and test loss per epoch.

Above it are Play, Step, Reset and New data, below it the settings, each keyboard-operable
(buttons, sliders, toggles, a text field for the hidden layers). **Play** trains one epoch per
frame in a task on the kernel's event loop, so the kernel stays free: a control moved while it
plays acts at once. A click on the heat map adds a
training point of the class chosen under "click adds" (through ``ipyevents``).
"""
import asyncio
import base64
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb

from ..data import PLAYGROUND_EXTENT, PLAYGROUND_SETS
from ..experiments.playground import FEATURES, OPTIMIZERS, PRESETS, SCHEDULES, Playground
from .plotting import PALETTE, new_figure, set_alt_text
from .widgets import LivePlot, choice, int_slider, selection_slider, slider

__all__ = ["PlaygroundWidget", "CLASS_RGB", "output_image"]

MAX_ROWS = 8                 # neurons drawn per layer (a wider layer shows its first 8 and "+k")
MAX_HIDDEN = 6
THUMB = 20                   # thumbnail resolution
HEAT = 50                    # heat map resolution
FRAME_S = 0.02               # the play loop's pause between frames (the kernel handles messages then)
RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]      # TF Playground's
REG_RATES = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
CLASS_RGB = np.array([to_rgb(PALETTE[k]) for k in (3, 0, 2, 1, 4, 5, 6, 7)])   # vermillion, blue, green, ...
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
                  "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}
POSITIVE, NEGATIVE = np.array(to_rgb(PALETTE[0])), np.array(to_rgb(PALETTE[1]))   # blue +, orange −


def _diverging(values):
    """RGB image of values scaled by their largest |value|: orange below 0, white at 0, blue above."""
    scale = np.abs(values).max()
    t = values / scale if scale > 0 else np.zeros_like(values)
    white = np.ones(3)
    pos, neg = np.clip(t, 0, 1)[..., None], np.clip(-t, 0, 1)[..., None]
    return white + pos * (POSITIVE - white) + neg * (NEGATIVE - white)


def _nice_ceiling(value):
    """The smallest of 1, 2, 5 × 10^k that is at least ``value`` (> 0)."""
    power = 10.0 ** np.floor(np.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def output_image(probs, discretise=False):
    """RGB image of class probabilities (rows, cols, K): each class's colour, pale, weighted by its
    probability (or the most probable class's colour with ``discretise``)."""
    pale = 1 - 0.45 * (1 - CLASS_RGB[:probs.shape[2]])
    if discretise:
        return pale[probs.argmax(axis=2)]
    return probs @ pale


class PlaygroundWidget(widgets.VBox):
    """The playground: controls, a Play/Pause/Step/Reset bar, and the picture.

    Parameters
    ----------
    config : dict, optional
        The playground's configuration (:data:`~course_lib.experiments.playground.DEFAULT_CONFIG`).
    show : list of str, optional
        Classroom mode: the names of the controls to show (see :attr:`controls`); the others are
        hidden. None shows all.
    test_points : bool
        Show the test points on the heat map from the start.

    Attributes
    ----------
    playground : the :class:`~course_lib.experiments.playground.Playground` it shows
    controls : dict name → ipywidget (every setting)
    plot : the :class:`~course_lib.viz.widgets.LivePlot` that draws the figure
    frames : the number of frames drawn while playing, and ``frame_ms`` the time of the last one
    """

    def __init__(self, config=None, show=None, test_points=False):
        self.playground = Playground(config or {})
        c = self.playground.config
        self.controls = self._make_controls(c)
        self.controls["test_points"].value = bool(test_points)
        self.play = widgets.ToggleButton(value=False, description="Play", icon="play", tooltip="Play / Pause (train)")
        self.step_button = widgets.Button(description="Step", icon="step-forward", tooltip="train one epoch")
        self.reset_button = widgets.Button(description="Reset", icon="undo",
                                           tooltip="back to the same initial weights")
        self.regenerate = widgets.Button(description="New data", icon="random", tooltip="draw the data again")
        self.status = widgets.HTML()
        self.export = widgets.Textarea(layout=widgets.Layout(width="100%", height="0px", display="none"))
        self.export_button = widgets.Button(description="Export as PyTorch", icon="code")
        self.point_entry = widgets.Text(description="add point", placeholder="x₁, x₂ (Enter)", continuous_update=False,
                                        tooltip="the keyboard's way to click: a point of the 'click adds' class",
                                        layout=widgets.Layout(width="220px"))
        self.frames, self.frame_ms, self._task = 0, float("nan"), None
        fig, dynamic = self._make_figure()
        self.fig = fig
        self.plot = LivePlot(fig, self.controls, self._update, name="playground", dynamic=dynamic,
                             enabled=self._enabled, image_format="jpeg")
        self.play.observe(self._on_play, names="value")
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.regenerate.on_click(lambda _: self._set(data_seed=self.playground.config["data_seed"] + 1))
        self.export_button.on_click(lambda _: self._show_export())
        self._listen_for_clicks()
        self.point_entry.observe(self._on_point_entry, names="value")
        bar = widgets.HBox([self.play, self.step_button, self.reset_button, self.regenerate, self.status])
        groups = [widgets.HBox([self.controls[n] for n in names], layout=widgets.Layout(flex_flow="row wrap"))
                  for names in self.GROUPS]
        groups[0].children += (self.point_entry,)
        if show is not None:
            unknown = sorted(set(show) - set(self.controls))
            if unknown:
                raise ValueError(f"show must name controls of {sorted(self.controls)}; got {unknown}")
            for name, control in self.controls.items():
                if name not in show:
                    control.layout.display = "none"
                    control.add_class("nncourse-hidden")      # the browser tests leave hidden controls alone
            if "click_class" not in show:
                self.point_entry.layout.display = "none"
                self.point_entry.add_class("nncourse-hidden")
        settings = widgets.VBox(groups)
        settings.add_class("nncourse-controls")
        export = widgets.VBox([self.export_button, self.export])
        export.add_class("nncourse-export")
        super().__init__([bar, self.plot.image, settings, export])     # the picture in view, the settings below
        self.add_class("nncourse-playground")

    @classmethod
    def preset(cls, name):
        """The playground set up for one chapter's question (:data:`~course_lib.experiments.playground.PRESETS`),
        in classroom mode: only the controls the question needs are shown."""
        if name not in PRESETS:
            raise ValueError(f"name must be one of {sorted(PRESETS)}; got {name!r}")
        preset = PRESETS[name]
        return cls(preset["config"], show=preset["show"], test_points=preset["test_points"])

    GROUPS = [("dataset", "classes", "noise", "train_fraction", "test_points", "discretise", "click_class"),
              tuple(f"feature {f}" for f in FEATURES),
              ("hidden", "activation", "init", "dropout", "batchnorm", "seed"),
              ("optimizer", "lr", "schedule", "batch_size", "regularisation", "reg_rate")]

    def _repr_mimebundle_(self, **kwargs):
        """The widget, and the picture as a PNG with its alt text for exports and decks."""
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.plot.png()).decode("ascii")
        return bundle, {"image/png": {"alt": self.plot.alt_text}}

    # --- controls -------------------------------------------------------------------------------
    @staticmethod
    def _make_controls(c):
        return {
            "dataset": choice("data", PLAYGROUND_SETS, value=c["dataset"]),
            "classes": int_slider("classes", c["classes"], 2, 6),
            "noise": slider("noise", c["noise"], 0.0, 0.5, 0.05),
            "train_fraction": slider("training share", c["train_fraction"], 0.1, 0.9, 0.1, readout_format=".0%"),
            "test_points": widgets.Checkbox(value=False, description="show test data", indent=False),
            "discretise": widgets.Checkbox(value=False, description="discretise output", indent=False),
            "click_class": choice("click adds", [(f"class {k}", k) for k in range(2)], value=1),
            "hidden": widgets.Text(value=", ".join(map(str, c["hidden"])), description="hidden layers",
                                   continuous_update=False, placeholder="e.g. 4, 2",
                                   style={"description_width": "initial"}),
            "activation": choice("activation", ["relu", "tanh", "sigmoid", "linear"], value=c["activation"]),
            "init": choice("init", ["lecture", "xavier", "he"], value=c["init"] if c["init"] != "naive" else "lecture"),
            "dropout": slider("dropout", c["dropout"], 0.0, 0.5, 0.05),
            "batchnorm": widgets.Checkbox(value=c["batchnorm"], description="batch norm", indent=False),
            "seed": int_slider("seed", c["seed"], 0, 20),
            "optimizer": choice("optimizer", OPTIMIZERS, value=c["optimizer"]),
            "lr": selection_slider("learning rate", RATES, value=min(RATES, key=lambda r: abs(r - c["lr"]))),
            "schedule": choice("schedule", SCHEDULES, value=c["schedule"]),
            "batch_size": int_slider("batch size", c["batch_size"], 1, 50),
            "regularisation": choice("regularisation", ["none", "l1", "l2"], value=c["regularisation"]),
            "reg_rate": selection_slider("reg. rate", REG_RATES,
                                         value=min(REG_RATES, key=lambda r: abs(r - c["reg_rate"]))),
        } | {f"feature {f}": widgets.ToggleButton(value=f in c["features"], description=FEATURE_LABELS[f],
                                                   tooltip=f"use {FEATURE_LABELS[f]} as an input",
                                                   layout=widgets.Layout(width="72px"))
             for f in FEATURES}

    def _enabled(self, dataset, regularisation, **_):
        return {"classes": dataset in ("circle", "gauss", "spiral"), "reg_rate": regularisation != "none"}

    def _settings(self, values):
        """The playground's configuration keys for the controls' values."""
        hidden = [int(w) for w in values["hidden"].replace(",", " ").split()] if values["hidden"].strip() else []
        classes = values["classes"] if values["dataset"] in ("circle", "gauss", "spiral") else 2
        return {"dataset": values["dataset"], "classes": classes, "noise": round(values["noise"], 4),
                "train_fraction": round(values["train_fraction"], 4), "features": [f for f in FEATURES if values[f"feature {f}"]] or ["x1"],
                "hidden": hidden, "activation": values["activation"], "init": values["init"],
                "dropout": round(values["dropout"], 4), "batchnorm": values["batchnorm"], "seed": values["seed"],
                "optimizer": values["optimizer"], "lr": values["lr"], "schedule": values["schedule"],
                "batch_size": values["batch_size"], "regularisation": values["regularisation"],
                "reg_rate": values["reg_rate"]}

    # --- actions --------------------------------------------------------------------------------
    def step(self, epochs=1):
        """Train ``epochs`` epochs and redraw."""
        self.playground.train(epochs)
        self.plot.refresh()

    def reset(self):
        """Back to the initial weights of the seed, and redraw."""
        self.playground.reset()
        self.plot.refresh()

    def _set(self, **changes):
        self.playground.configure(**changes)
        self.plot.refresh()

    def add_point(self, x1, x2, label):
        """Add a training point (as a click on the heat map does) and redraw."""
        self._set(own_points=self.playground.config["own_points"] + [[x1, x2, label]])

    @property
    def config(self):
        """The playground's whole configuration (a plain dict): ``PlaygroundWidget(config)`` recreates it."""
        return self.playground.config

    def _show_export(self):
        code = self.playground.to_torch()
        self.export.value = code
        self.export.layout.display = None
        self.export.layout.height = f"{min(30, code.count(chr(10)) + 2) * 18}px"

    def _on_play(self, change):
        self.play.description, self.play.icon = ("Pause", "pause") if change["new"] else ("Play", "play")
        if change["new"] and (self._task is None or self._task.done()):
            self._task = asyncio.ensure_future(self._play_loop())

    async def _play_loop(self):
        """One epoch and one frame at a time while Play is down; between frames the kernel handles
        the messages of the controls (a slider moved while playing acts at once)."""
        while self.play.value:
            start = time.perf_counter()
            self.playground.train(1)
            self.plot.refresh()
            self.frames += 1
            self.frame_ms = 1000 * (time.perf_counter() - start)
            if np.isnan(self.playground.train_loss[-1]):
                self.play.value = False                      # diverged: the loss is NaN
            await asyncio.sleep(FRAME_S)

    def _listen_for_clicks(self):
        try:
            from ipyevents import Event
        except ImportError:           # the playground works without it, only clicks do nothing
            return
        self._events = Event(source=self.plot.image, watched_events=["click"])
        self._events.on_dom_event(self._on_click)

    def _on_click(self, event):
        """A click at pixel (relativeX, relativeY) of the picture adds a point where it fell on the heat map."""
        width, height = self.fig.get_size_inches() * self.fig.dpi
        shown_w = event.get("boundingRectWidth") or width
        shown_h = event.get("boundingRectHeight") or height
        px, py = event["relativeX"] * width / shown_w, height - event["relativeY"] * height / shown_h
        x1, x2 = self.heat_ax.transData.inverted().transform((px, py))
        if abs(x1) <= PLAYGROUND_EXTENT and abs(x2) <= PLAYGROUND_EXTENT:
            label = min(self.controls["click_class"].value, self.playground.config["classes"] - 1)
            self.add_point(float(x1), float(x2), int(label))

    def _on_point_entry(self, change):
        """"x₁, x₂" typed and Enter: the point is added as a click there would add it."""
        text = change["new"].strip()
        if not text:
            return
        try:
            x1, x2 = (float(v) for v in text.replace("−", "-").replace(",", " ").split())
            if not (abs(x1) <= PLAYGROUND_EXTENT and abs(x2) <= PLAYGROUND_EXTENT):
                raise ValueError
        except ValueError:
            self.status.value = (f"<b>add point</b>: type two numbers between −{PLAYGROUND_EXTENT:g} and "
                                 f"{PLAYGROUND_EXTENT:g}, e.g. 2, −3; got {text!r}")
            return
        label = min(self.controls["click_class"].value, self.playground.config["classes"] - 1)
        self.add_point(x1, x2, int(label))
        self.point_entry.value = ""

    # --- the picture ----------------------------------------------------------------------------
    def _make_figure(self):
        fig = new_figure(9.5, 5.2)      # presenting, at 1.3×, it fits a 720-pixel screen
        net = fig.add_axes([0.0, 0.26, 0.58, 0.64])
        net.set_xlim(-1.4, MAX_HIDDEN + 1.5)
        net.set_ylim(MAX_ROWS - 0.4, -0.7)
        net.axis("off")
        bars = fig.add_axes([0.1, 0.05, 0.45, 0.17], sharex=net)
        bars.set_yscale("log")
        bars.set_ylim(1e-6, 1e2)
        bars.set_ylabel("‖∂J/∂W‖")
        bars.tick_params(axis="x", bottom=False, labelbottom=False)
        heat = fig.add_axes([0.64, 0.38, 0.33, 0.52])
        heat.set_aspect("equal")
        heat.set_xlim(-PLAYGROUND_EXTENT, PLAYGROUND_EXTENT)
        heat.set_ylim(-PLAYGROUND_EXTENT, PLAYGROUND_EXTENT)
        heat.set_xticks([-6, 0, 6])
        heat.set_yticks([-6, 0, 6])
        heat.set_title("output")
        loss = fig.add_axes([0.64, 0.11, 0.33, 0.18])
        loss.set_xlabel("epoch")
        loss.set_ylabel("loss")
        self.heat_ax, self.net_ax, self.loss_ax, self.bars_ax = heat, net, loss, bars
        extent = (-PLAYGROUND_EXTENT, PLAYGROUND_EXTENT, -PLAYGROUND_EXTENT, PLAYGROUND_EXTENT)
        self.heat_image = heat.imshow(np.ones((HEAT, HEAT, 3)), extent=extent, interpolation="bilinear",
                                      zorder=0)
        self.train_points = heat.scatter([], [], s=22, edgecolors="white", linewidths=0.8, zorder=2)
        self.test_points = heat.scatter([], [], s=22, facecolors="none", linewidths=1.4, zorder=3)
        self.train_line, = loss.plot([], [], color=PALETTE[7], linestyle="-", label="training")
        self.test_line, = loss.plot([], [], color=PALETTE[1], linestyle="--", label="test")
        loss.legend(loc="upper right", frameon=False, ncol=2, borderaxespad=0.1)   # one row above the curves
        self.links = LineCollection([], zorder=1)
        net.add_collection(self.links)
        self.net_extent = (-1.4, MAX_HIDDEN + 1.5, MAX_ROWS - 0.4, -0.7)
        bbox = net.get_window_extent()            # the units are one picture in the axes' pixels (no resampling)
        self.units = fig.figimage(np.zeros((int(bbox.height), int(bbox.width), 4)), xo=int(bbox.x0),
                                  yo=int(bbox.y0), origin="upper", zorder=2)
        self.layer_labels = [net.text(0, -0.55, "", ha="center", va="bottom") for _ in range(MAX_HIDDEN + 2)]
        self.more_labels = [net.text(0, MAX_ROWS - 0.5, "", ha="center", va="top") for _ in range(MAX_HIDDEN)]
        self.feature_labels = [net.text(-0.4, 0, "", ha="right", va="center") for _ in FEATURES]
        self._drawn_layout = None
        self.caption = fig.text(0.005, 0.985, "", va="top", ha="left")
        self.bar_rects = bars.bar(np.arange(MAX_HIDDEN + 1) + 0.5, np.full(MAX_HIDDEN + 1, 1e-6), width=0.5,
                                  bottom=1e-6, color=PALETTE[2]).patches
        labels = [*self.layer_labels, *self.more_labels, *self.feature_labels]   # they follow the layers
        dynamic = ([self.caption, *labels, self.links, self.units, self.heat_image,
                    self.train_points, self.test_points, self.train_line, self.test_line, *self.bar_rects])
        return fig, dynamic

    def _update(self, **values):
        settings = self._settings(values)
        changed = {k: v for k, v in settings.items() if self.playground.config[k] != v}
        if changed:
            self.playground.configure(**changed)
        values["click_class"] = self._show_classes_for_clicks()
        pg, c = self.playground, self.playground.config
        self._draw_network(pg, c)
        self._draw_output(pg, c, values["test_points"], values["discretise"])
        self._draw_losses(pg)
        self.caption.set_text(self._caption(c, values))
        train_acc, test_acc = pg.accuracy()
        self.status.value = (f"<b>epoch {pg.epoch}</b> &nbsp; training loss {pg.train_loss[-1]:.3f} &nbsp; "
                             f"test loss {pg.test_loss[-1]:.3f} &nbsp; test accuracy {test_acc:.0%}")
        set_alt_text(self.fig, f"A network with hidden layers {c['hidden'] or 'none'} ({c['activation']}) "
                               f"learning the {c['dataset']} data set with {c['classes']} classes: after epoch "
                               f"{pg.epoch} the training loss is {pg.train_loss[-1]:.3f} and the test loss "
                               f"{pg.test_loss[-1]:.3f}.")

    @staticmethod
    def _caption(c, values):
        """The settings the picture cannot show otherwise, in one line."""
        penalty = "no penalty" if c["regularisation"] == "none" else f"{c['regularisation'].upper()} {c['reg_rate']:g}"
        extras = (f", dropout {c['dropout']:g}" if c["dropout"] else "") + (", batch norm" if c["batchnorm"] else "")
        return (f"{OPTIMIZER_NAMES[c['optimizer']]} {c['lr']:g} ({c['schedule']}), batch {c['batch_size']}, {penalty}"
                f" · {c['activation']}, {c['init']}{extras}, seed {c['seed']} · click: class {values['click_class']}")

    def _show_classes_for_clicks(self):
        """Offer one "click adds" option per class; the class a click adds."""
        k = self.playground.config["classes"]
        options = [(f"class {j}", j) for j in range(k)]
        click = self.controls["click_class"]
        if [o[1] for o in click.options] != list(range(k)):
            value = min(click.value, k - 1)
            click.options = options
            click.value = value
        return click.value

    def _layout(self, c):
        """Column x and row y of every drawn unit: features, hidden layers, output."""
        columns = [len(c["features"]), *[min(w, MAX_ROWS) for w in c["hidden"]], 1]
        xs = np.linspace(0, MAX_HIDDEN + 1, len(columns)) if len(columns) > 2 else np.array([0, MAX_HIDDEN + 1])
        rows = [np.arange(n) + (MAX_ROWS - n) / 2 for n in columns]
        return xs, rows

    def _draw_network(self, pg, c):
        xs, rows = self._layout(c)
        self._label_layers(c, xs)
        grids = pg.neuron_grids(THUMB)
        pictures = [[_diverging(g[..., j]) for j in range(len(r))] for g, r in zip(grids, rows)]
        pictures.append([output_image(pg.output_grid(THUMB))])
        canvas = np.zeros(self.units.get_array().shape)
        height, width = canvas.shape[:2]
        x0, x1, y_bottom, y_top = self.net_extent           # image row 0 is at y_top (the axis is inverted)
        half_w, half_h = 0.33, 0.4
        for x, r, column in zip(xs, rows, pictures):
            left, right = (np.array([x - half_w, x + half_w]) - x0) / (x1 - x0) * width
            cols = np.arange(max(0, int(left)), min(width, int(right)))
            for y, picture in zip(r, column):
                top, bottom = (np.array([y - half_h, y + half_h]) - y_top) / (y_bottom - y_top) * height
                rows_px = np.arange(max(0, int(top)), min(height, int(bottom)))
                index_r = (rows_px - rows_px[0]) * THUMB // len(rows_px)
                index_c = (cols - cols[0]) * THUMB // len(cols)
                canvas[rows_px[:, None], cols[None, :], :3] = picture[index_r[:, None], index_c[None, :]]
                canvas[rows_px[:, None], cols[None, :], 3] = 1.0
        self.units.set_data(canvas)
        segments, widths, colours = [], [], []
        weights = pg.weights()
        scale = max(np.abs(W).max() for W in weights) or 1.0
        for layer, W in enumerate(weights):
            left, right = rows[layer], rows[layer + 1]
            if layer == len(weights) - 1:              # the output column shows one thumbnail
                W = W[:, -1:] - W[:, :1] if W.shape[1] == 2 else np.abs(W).mean(axis=1, keepdims=True)
            for i, y_left in enumerate(left):
                for j, y_right in enumerate(right):
                    w = W[i, j]
                    segments.append([(xs[layer] + half_w, y_left), (xs[layer + 1] - half_w, y_right)])
                    widths.append(0.2 + 2.5 * min(1.0, abs(w) / scale))
                    colours.append(PALETTE[0] if w >= 0 else PALETTE[1])
        self.links.set_segments(segments)
        self.links.set_linewidths(widths)
        self.links.set_colors(colours)
        norms = pg.gradient_norms[-1] if pg.gradient_norms else [np.nan] * len(weights)
        for b, rect in enumerate(self.bar_rects):
            on = b < len(weights) and np.isfinite(norms[b]) and norms[b] > 0
            rect.set_visible(bool(on))
            if on:
                rect.set_x((xs[b] + xs[b + 1]) / 2 - 0.25)
                rect.set_height(max(norms[b], 1e-6) - 1e-6)

    def _label_layers(self, c, xs):
        """Name the columns (set again only when the layers change)."""
        layout = (len(c["features"]), tuple(c["hidden"]))
        if layout == self._drawn_layout:
            return
        self._drawn_layout = layout
        names = ["", *[str(w) for w in c["hidden"]], "output"]
        _, rows = self._layout(c)
        for k, label in enumerate(self.feature_labels):
            label.set_visible(k < len(c["features"]))
            if k < len(c["features"]):
                label.set_position((-0.38, rows[0][k]))
                label.set_text(FEATURE_LABELS[c["features"][k]])
        for k, label in enumerate(self.layer_labels):
            label.set_visible(k < len(xs))
            if k < len(xs):
                label.set_position((xs[k], -0.55))
                label.set_text(names[k])
        for k, label in enumerate(self.more_labels):
            wide = k < len(c["hidden"]) and c["hidden"][k] > MAX_ROWS
            label.set_visible(wide)
            if wide:
                label.set_position((xs[k + 1], MAX_ROWS - 0.45))
                label.set_text(f"+{c['hidden'][k] - MAX_ROWS}")

    def _draw_output(self, pg, c, show_test, discretise):
        self.heat_image.set_data(output_image(pg.output_grid(HEAT), discretise))
        self.train_points.set_offsets(pg.X_train)
        self.train_points.set_facecolors(CLASS_RGB[pg.y_train])
        self.test_points.set_visible(bool(show_test))
        self.test_points.set_offsets(pg.X_test)
        self.test_points.set_edgecolors(CLASS_RGB[pg.y_test])

    def _draw_losses(self, pg):
        epochs = np.array(pg.epochs)
        self.train_line.set_data(epochs, pg.train_loss)
        self.test_line.set_data(epochs, pg.test_loss)
        top = _nice_ceiling(1.5 * max(np.nanmax(pg.train_loss[:1] + pg.test_loss[:1]), 1e-3))  # room for the legend
        right = max(10, epochs[-1])
        xlim, ylim = self.loss_ax.get_xlim(), self.loss_ax.get_ylim()
        # new limits (a redraw of the whole picture) only when the curves leave the axes or shrink in them:
        # most settings reset the run, and a new first loss must not cost a full redraw each time
        if right > xlim[1] or right < xlim[1] / 4 or top > ylim[1] or top < ylim[1] / 2.5:
            self.loss_ax.set_xlim(0, 2 ** np.ceil(np.log2(right)))
            self.loss_ax.set_ylim(0, top)
            self.plot_needs_background()

    def plot_needs_background(self):
        """Axis limits changed: the still parts of the picture are drawn again at the next frame."""
        plot = getattr(self, "plot", None)
        if plot is not None:
            plot.redraw_background()

