"""Run inside a notebook's kernel after the whole notebook has run: what a student would see.

tests/test_figures_in_notebooks.py executes each notebook with :func:`install` prepended and
:func:`report` appended, and asserts on the JSON it prints:

- ``figures``: every matplotlib figure the notebook displayed — its width in pixels and its smallest
  text in pixels, recorded at the moment it was shown;
- ``moves``: for every control of every LivePlot the notebook displayed (recorded as it is shown, so
  nothing in the library keeps plots alive for this), moved to each value to try — whether its own
  picture changed, which other pictures or figures' texts changed (none may), texts its update set
  on another figure (none may), and how far the blitted picture is from a full redraw (what the
  figure really holds).
"""
import gc
import io
import json

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

SHOWN = []
PLOTS = []      # every LivePlot the notebook displayed, in order


def install():
    """Record the size and smallest text of every figure, and every LivePlot, as IPython displays it."""
    from IPython import get_ipython

    shell = get_ipython()
    formatter = shell.display_formatter.mimebundle_formatter

    def recording_plot(plot):
        if all(p is not plot for p in PLOTS):
            PLOTS.append(plot)
        return plot._repr_mimebundle_()

    formatter.for_type_by_name("course_lib.viz.widgets", "LivePlot", recording_plot)

    def recording_playground(widget):               # a PlaygroundWidget draws with its own LivePlot
        if all(p is not widget.plot for p in PLOTS):
            PLOTS.append(widget.plot)
        return widget._repr_mimebundle_()

    formatter.for_type_by_name("course_lib.viz.playground_widget", "PlaygroundWidget", recording_playground)

    def wrap(*args, **kwargs):
        try:
            current = formatter.lookup_by_type(Figure)
        except KeyError:
            current = None
        if getattr(current, "_audited", False):
            return

        def recording(fig, *a, **k):
            from course_lib.viz.plotting import smallest_text_px
            SHOWN.append({"width_px": float(fig.get_figwidth() * fig.dpi),
                          "smallest_text_px": float(smallest_text_px(fig)),
                          "alt": fig.get_label()})
            return current(fig, *a, **k) if current is not None else ({}, {})

        recording._audited = True
        formatter.for_type(Figure, recording)

    wrap()
    shell.events.register("pre_run_cell", wrap)


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGB"), dtype=np.int16)


def _texts(fig):
    return {id(t): t.get_text() for t in fig.findobj(Text)}


def _full_redraw(plot):
    """The figure drawn from scratch, every artist in place (not blitted)."""
    for artist in plot.redrawn:
        artist.set_animated(False)
    try:
        plot.fig.canvas.draw()
        from course_lib.viz.widgets import canvas_png
        return canvas_png(plot.fig)
    finally:
        for artist in plot.redrawn:
            artist.set_animated(True)


def _values_to_try(control):
    if hasattr(control, "options") and control.options:
        values = [v for _, v in control.options] if isinstance(control.options[0], tuple) else list(control.options)
        if len(values) > 6:
            values = [values[i] for i in np.linspace(0, len(values) - 1, 6).round().astype(int)]
        return [v for v in values if v != control.value] + [control.value]
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    if hasattr(control, "min") and hasattr(control, "max"):
        step = getattr(control, "step", 1) or 1
        mid = control.min + round((control.max - control.min) / 2 / step) * step
        near = min(control.value + step, control.max) if control.value < control.max else control.value - step
        return [v for v in (near, control.min, control.max, mid) if v != control.value] + [control.value]
    return []


def _move(plot, name, control, value, others, figures):
    before_own = bytes(plot.image.value)
    before_others = {id(p): bytes(p.image.value) for p in others}
    before_texts = {id(f): _texts(f) for f in figures if f is not plot.fig}
    set_texts = []
    original = Text.set_text

    def spy(self, s):
        set_texts.append(self)
        return original(self, s)

    Text.set_text = spy
    try:
        control.value = value
    finally:
        Text.set_text = original
    shown = _pixels(plot.image.value)
    truth = _pixels(_full_redraw(plot))
    differ = np.abs(shown - truth).max(axis=-1) > 48 if shown.shape == truth.shape else np.ones(1, bool)
    return {
        "plot": plot.name, "control": name, "value": repr(value),
        "own_changed": bytes(plot.image.value) != before_own,
        "others_changed": [p.name for p in others if bytes(p.image.value) != before_others[id(p)]],
        "other_figure_texts_changed": [
            text for f in figures if id(f) in before_texts
            for key, text in _texts(f).items() if before_texts[id(f)].get(key, text) != text],
        "texts_set_elsewhere": sorted({t.get_text() for t in set_texts
                                       if t.get_figure(root=True) not in (None, plot.fig)}),
        "blit_vs_redraw_pixels": int(differ.sum()),
        "pixels": int(differ.size),
    }


def report():
    """Move every control of every LivePlot shown; print the findings as one JSON line."""
    plots = list(PLOTS)
    figures = [o for o in gc.get_objects() if isinstance(o, Figure)]
    moves = []
    for plot in plots:
        others = [p for p in plots if p is not plot]
        for name, control in plot.controls.items():
            for value in _values_to_try(control):
                if control.disabled:
                    continue
                moves.append(_move(plot, name, control, value, others, figures))
    print("AUDIT " + json.dumps({"figures": SHOWN, "moves": moves,
                                 "plots": [{"name": p.name, "width_px": float(p.fig.get_figwidth() * p.fig.dpi),
                                            "smallest_text_px": _smallest(p.fig), "alt": p.alt_text}
                                           for p in plots]}))


def _smallest(fig):
    from course_lib.viz.plotting import smallest_text_px
    value = float(smallest_text_px(fig))
    return value
