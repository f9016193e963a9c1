"""The wiring every interactive plot of the course shares.

A :class:`LivePlot` is a row of controls (sliders, option buttons) above a matplotlib figure. The
figure is built once; when a control moves, the chapter's ``update(**values)`` changes the
artists (``set_data``, ``set_text``, …) and the figure is rendered to a PNG that an
``ipywidgets.Image`` shows. When the caller names the artists that change (``dynamic``), the
rest of the figure — axes, ticks, labels, which are most of the drawing time — is drawn once
and reused (blitting), and only those artists are drawn again. This works the same in JupyterLab, Voilà and under nbval, needs no
front-end extension, and leaves a static picture of the plot in exported notebooks and decks
(the widget's display also carries an ``image/png`` of the current figure).

Every control works from the keyboard (sliders: arrow keys; :func:`choice`: Tab and Space —
a Dropdown is a keyboard trap in JupyterLab, where a typed letter runs a notebook shortcut), has a
track long enough to drag and a rounded readout. The picture carries alt text that follows the
figure (:func:`course_lib.viz.plotting.describe_figure`), as its tooltip and as the PNG's ``alt``.
"""
import base64
import io
import time

import numbers

import ipywidgets as widgets
from PIL import Image
from traitlets import Unicode

from .plotting import describe_figure

__all__ = ["LivePlot", "render_png", "canvas_png", "slider", "int_slider", "selection_slider", "choice"]

TRACK_PX = 200          # every slider's track: long enough to drag with a touchpad
READOUT_PX = 72
CHAR_PX = 8             # a description's character at JupyterLab's 13 px UI font, generously
DISABLED_HANDLE = "#d9d9d9"

PNG_OPTIONS = {"compress_level": 1}  # fast to encode; the images are small anyway
# a picture full of colour gradients (the playground's heat map and thumbnails) is 150 KB as a PNG and
# 11 ms to encode; as a JPEG without chroma subsampling (thin coloured lines stay sharp) 1-2 ms and half the size
JPEG_OPTIONS = {"quality": 92, "subsampling": 0}


def render_png(fig):
    """The figure as PNG bytes, at the figure's own dpi (a full draw)."""
    fig.canvas.draw()
    return canvas_png(fig)


def canvas_png(fig, image_format="png"):
    """The pixels currently on the figure's Agg canvas, as PNG (or ``image_format="jpeg"``) bytes (no drawing)."""
    image = Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    if image_format == "jpeg":
        image.convert("RGB").save(buf, format="jpeg", **JPEG_OPTIONS)
    else:
        image.save(buf, format="png", **PNG_OPTIONS)
    return buf.getvalue()


def _sized(description):
    """Style and layout that give the whole description its room and the track ``TRACK_PX``."""
    label_px = CHAR_PX * len(description) + 12
    return {"style": {"description_width": f"{label_px}px"},
            "layout": widgets.Layout(width=f"{label_px + TRACK_PX + READOUT_PX}px")}


def slider(description, value, min, max, step, readout_format=".2f", **kwargs):
    """A float slider with a usable track and a rounded readout, updating continuously."""
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               readout_format=readout_format, continuous_update=True,
                               **_sized(description), **kwargs)


def int_slider(description, value, min, max, step=1, **kwargs):
    """An integer slider with the course's defaults."""
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             continuous_update=True, **_sized(description), **kwargs)


def _label(option):
    """How an option reads on a control: numbers rounded to 4 significant digits."""
    if isinstance(option, numbers.Real) and not isinstance(option, bool):
        return format(option, ".4g")
    return str(option)


def _labelled(options):
    """Options as (label, value) pairs; pairs given by the caller are kept."""
    options = list(options)
    if not options:
        raise ValueError("options must not be empty")
    return [o if isinstance(o, tuple) and len(o) == 2 and isinstance(o[0], str) else (_label(o), o)
            for o in options]


def selection_slider(description, options, value=None, **kwargs):
    """A slider over a list of values (e.g. hidden sizes 1, 2, 3, 4, 5, 20, 50), numbers rounded."""
    options = _labelled(options)
    return widgets.SelectionSlider(options=options, value=options[0][1] if value is None else value,
                                   description=description, continuous_update=True,
                                   **_sized(description), **kwargs)


def choice(description, options, value=None, **kwargs):
    """A row of buttons, one per option (e.g. AND, OR, XOR); works from the keyboard (Tab, Space)."""
    options = _labelled(options)
    return widgets.ToggleButtons(options=options, value=options[0][1] if value is None else value,
                                 description=description,
                                 style={"description_width": "initial", "button_width": "auto"},
                                 layout=widgets.Layout(margin="2px 28px 2px 2px"), **kwargs)   # apart from the next row


class DescribedImage(widgets.Image):
    """An ipywidgets Image whose ``tooltip`` becomes the picture's accessible name (its ``title``).

    ipywidgets' front end sets an element's ``title`` from ``tooltip`` only for a widget with a
    ``description``; Image has none (and its view fails on a tooltip without one), so this adds an
    empty one.
    """
    description = Unicode("").tag(sync=True)


class LivePlot(widgets.VBox):
    """Controls above a figure that redraws when a control changes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Built once by the caller (see :func:`course_lib.viz.plotting.new_figure`).
    controls : dict of str → ipywidgets value widget
        Their current values are passed to ``update`` as keyword arguments.
    update : callable
        ``update(**values)`` changes the figure's artists for the new values.
    name : str
        What the plot shows, for benchmarks and browser tests.
    dynamic : list of matplotlib artists, optional
        The artists that ``update`` changes (lines, images, texts, titles), in drawing order.
        Everything else is drawn once and reused. ``update`` must then change nothing else
        (no new artists, no axis limits); leave ``dynamic`` out to redraw the whole figure.
    enabled : callable, optional
        ``enabled(**values)`` returns {control name: bool} for controls that matter only for some
        values of the others (a parameter of one activation, of one schedule); the others are
        greyed out, so a student sees at once which knobs do something.
    image_format : {"png", "jpeg"}
        How the live picture travels to the browser; exports and decks always get a PNG.

    Attributes
    ----------
    last_update_ms : float
        Time of the last redraw (update + render), for benchmarks.
    """

    def __init__(self, fig, controls, update, name="", dynamic=None, enabled=None, image_format="png", **kwargs):
        if not callable(update):
            raise TypeError(f"update must be a function of the control values; got {type(update).__name__}")
        self.fig, self.controls, self._update, self.name = fig, dict(controls), update, name
        self.dynamic = list(dynamic or [])
        if enabled is not None and not callable(enabled):
            raise TypeError(f"enabled must be a function of the control values; got {type(enabled).__name__}")
        self._enabled = enabled
        if image_format not in ("png", "jpeg"):
            raise ValueError(f"image_format must be 'png' or 'jpeg'; got {image_format!r}")
        self.image_format = image_format
        self._background = None
        self._updating = False
        self.redrawn = []           # the artists each update draws (blitting), set on the first draw
        width, height = fig.get_size_inches() * fig.dpi
        self.image = DescribedImage(format=image_format, layout=widgets.Layout(width=f"{width:.0f}px", height=f"{height:.0f}px"))
        self.alt_text = ""
        self.last_update_ms = float("nan")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        box = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([box, self.image], **kwargs)
        self.refresh()

    def values(self):
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self):
        """Run ``update`` with the current values and show the new figure."""
        start = time.perf_counter()
        if self._enabled is not None:
            for name, on in self._enabled(**self.values()).items():
                self._set_enabled(self.controls[name], on)
        self._updating = True               # a control that ``update`` itself changes needs no redraw of its own
        try:
            self._update(**self.values())
        finally:
            self._updating = False
        self.image.value = self._draw()
        self.alt_text = describe_figure(self.fig)
        if self.image.tooltip != self.alt_text:
            self.image.tooltip = self.alt_text
        self.last_update_ms = 1000 * (time.perf_counter() - start)

    def redraw_background(self):
        """Draw the still parts of the figure again at the next refresh (after changing axis limits)."""
        self._background = None

    @staticmethod
    def _set_enabled(control, on):
        control.disabled = not on
        if hasattr(control.style, "handle_color"):      # sliders: a pale handle says "not in use"
            control.style.handle_color = None if on else DISABLED_HANDLE

    def _draw(self):
        if not self.dynamic:
            self.fig.canvas.draw()
            return canvas_png(self.fig, self.image_format)
        canvas = self.fig.canvas
        if self._background is None:            # first time: draw the still parts once
            self.redrawn = self._drawing_order()
            for artist in self.redrawn:
                artist.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self.redrawn:
            self.fig.draw_artist(artist)
        return canvas_png(self.fig, self.image_format)

    def png(self):
        """The picture shown now, as PNG bytes (for exports and decks)."""
        return bytes(self.image.value) if self.image_format == "png" else canvas_png(self.fig)

    def _drawing_order(self):
        """What each update draws: the dynamic artists and the frames (spines) above them, by zorder,
        so the picture is what a full redraw would show (a line drawn last would cover the frame)."""
        lowest = {}
        for artist in self.dynamic:
            if artist.axes is not None and artist is not artist.axes.title:
                lowest[artist.axes] = min(lowest.get(artist.axes, artist.zorder), artist.zorder)
        frames = [spine for ax, z in lowest.items() if ax.axison for spine in ax.spines.values()
                  if spine.get_visible() and spine.zorder > z and spine not in self.dynamic]
        return sorted(self.dynamic + frames, key=lambda artist: artist.zorder)

    def _on_change(self, change):
        if not self._updating:
            self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        return bundle, {"image/png": {"alt": self.alt_text}}
