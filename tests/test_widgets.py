"""Tests of course_lib/viz/widgets.py, plotting.py and compgraph.py, on the Agg backend (no browser)."""
import base64
import gc
import io
import subprocess
import sys
import weakref

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from course_lib.viz import widgets as W
from course_lib.viz.compgraph import GraphView
from course_lib.viz.plotting import DecisionBoundaryImage, grid_over, new_figure, plot_decision_boundary, set_alt_text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def close_pyplot_figures():
    yield
    plt.close("all")


@pytest.fixture
def live_plot():
    """A LivePlot of a line y = a·x whose style follows a choice, and the list of update calls."""
    fig = new_figure(3, 2, dpi=50)
    ax = fig.add_subplot()
    x = np.linspace(-1, 1, 20)
    (line,) = ax.plot(x, x)
    ax.set_ylim(-3, 3)
    calls = []

    def update(a, style):
        calls.append({"a": a, "style": style})
        line.set_ydata(a * x)
        line.set_linestyle(style)

    controls = {"a": W.slider("a", 1.0, 0.1, 3.0, 0.1), "style": W.choice("style", ["-", "--"])}
    return W.LivePlot(fig, controls, update), calls


def test_render_png_returns_png_bytes():
    fig = new_figure(2, 1.5, dpi=40)
    fig.add_subplot().plot([0, 1], [1, 0])
    png = W.render_png(fig)
    assert isinstance(png, bytes) and png.startswith(PNG_SIGNATURE) and len(png) > 100


def test_new_figure_is_an_agg_figure_unknown_to_pyplot():
    before = plt.get_fignums()
    fig = new_figure(4, 3, dpi=50)
    assert isinstance(fig.canvas, FigureCanvasAgg)
    assert tuple(fig.get_size_inches() * fig.dpi) == (200, 150)
    assert plt.get_fignums() == before


def test_new_figure_works_in_a_fresh_interpreter_without_pyplot():
    """A notebook may call new_figure before anything imported pyplot or the Agg backend."""
    code = ("import sys; from course_lib.viz.plotting import new_figure; fig = new_figure(1, 1, dpi=20); "
            "fig.canvas.draw(); assert 'matplotlib.pyplot' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_control_helpers_build_widgets_with_their_values():
    assert W.slider("lr", 0.5, 0.0, 1.0, 0.1).value == 0.5
    assert W.int_slider("h", 3, 1, 10).value == 3
    assert W.choice("act", ["tanh", "relu"]).value == "tanh"
    assert W.choice("act", ["tanh", "relu"], value="relu").value == "relu"
    assert not hasattr(W, "dropdown")      # a keyboard trap in JupyterLab: the course has none


def test_live_plot_calls_update_on_construction(live_plot):
    plot, calls = live_plot
    assert calls == [{"a": 1.0, "style": "-"}]
    assert plot.values() == {"a": 1.0, "style": "-"}
    png = bytes(plot.image.value)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 100
    assert np.isfinite(plot.last_update_ms)


def test_live_plot_updates_and_redraws_on_each_control_change(live_plot):
    plot, calls = live_plot
    first = bytes(plot.image.value)
    plot.controls["a"].value = 2.5
    assert calls[-1] == {"a": 2.5, "style": "-"}
    second = bytes(plot.image.value)
    assert second.startswith(PNG_SIGNATURE) and second != first
    plot.controls["style"].value = "--"
    assert calls[-1] == {"a": 2.5, "style": "--"} and len(calls) == 3
    assert bytes(plot.image.value) != second


def test_a_jpeg_live_plot_shows_a_jpeg_and_exports_a_png_of_the_same_picture():
    fig = new_figure(3, 2, dpi=50)
    fig.add_subplot().imshow(np.linspace(0, 1, 400).reshape(20, 20))
    plot = W.LivePlot(fig, {"a": W.slider("a", 1.0, 0.1, 3.0, 0.1)}, lambda a: None, image_format="jpeg")
    shown = bytes(plot.image.value)
    assert shown.startswith(b"\xff\xd8") and plot.image.format == "jpeg"
    bundle, _ = plot._repr_mimebundle_()
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(PNG_SIGNATURE)
    as_jpeg = np.asarray(Image.open(io.BytesIO(shown)).convert("RGB"), dtype=int)
    as_png = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    assert np.abs(as_jpeg - as_png).mean() < 2
    with pytest.raises(ValueError, match="image_format"):
        W.LivePlot(fig, {}, lambda: None, image_format="gif")


def test_a_control_that_update_changes_costs_no_second_redraw():
    fig = new_figure(3, 2, dpi=50)
    (line,) = fig.add_subplot().plot([0, 1], [0, 1])
    calls = []
    controls = {"a": W.int_slider("a", 1, 0, 5), "b": W.int_slider("b", 1, 0, 5)}

    def update(a, b):
        calls.append((a, b))
        controls["b"].value = a            # b follows a: the running refresh draws it
        line.set_ydata([0, a])

    plot = W.LivePlot(fig, controls, update)
    controls["a"].value = 3
    assert calls == [(1, 1), (3, 1)] and controls["b"].value == 3
    controls["b"].value = 4                 # a change from outside still redraws
    assert calls[-1] == (3, 4) and len(calls) == 3


def test_live_plot_mimebundle_has_png_and_widget_view(live_plot):
    plot, _ = live_plot
    bundle, metadata = plot._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert base64.b64decode(bundle["image/png"]) == bytes(plot.image.value)
    assert metadata["image/png"]["alt"] == plot.alt_text


def test_live_plot_alt_text_follows_the_figure_as_it_changes():
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    set_alt_text(fig, "A title that counts.")
    ax.set_title("a = 1")
    plot = W.LivePlot(fig, {"a": W.int_slider("a", 1, 0, 5)}, lambda a: ax.set_title(f"a = {a}"),
                      dynamic=[ax.title])
    assert plot.alt_text.startswith("A title that counts.") and "a = 1" in plot.alt_text
    assert plot.image.tooltip == plot.alt_text
    plot.controls["a"].value = 4
    assert "a = 4" in plot.alt_text and "a = 1" not in plot.alt_text
    assert plot.image.tooltip == plot.alt_text


def test_sliders_get_a_track_of_their_own_beside_a_long_description():
    short, long = W.slider("b", 0.0, -1, 1, 0.1), W.slider("steps of gradient descent", 0.0, -1, 1, 0.1)
    for s in (short, long):
        label = int(s.style.description_width.removesuffix("px"))
        assert int(s.layout.width.removesuffix("px")) - label >= W.TRACK_PX
    assert int(long.style.description_width.removesuffix("px")) >= W.CHAR_PX * len(long.description)


def test_selection_slider_labels_numbers_rounded():
    s = W.selection_slider("b", [-0.49999999999999956, 0.1 + 0.2, 3])
    assert [label for label, _ in s.options] == ["-0.5", "0.3", "3"]
    assert s.value == -0.49999999999999956
    pairs = W.selection_slider("pulse", [("short", 1.0), ("long", 90.0)], value=90.0)
    assert pairs.label == "long"


def test_choice_is_a_row_of_buttons_with_the_given_value():
    c = W.choice("gate", ["AND", "OR", "XOR"], value="OR")
    assert c.value == "OR" and c.label == "OR" and [v for _, v in c.options] == ["AND", "OR", "XOR"]
    with pytest.raises(ValueError, match="options"):
        W.choice("gate", [])


def test_live_plot_rejects_an_update_that_is_not_a_function():
    with pytest.raises(TypeError, match=r"\bupdate\b"):
        W.LivePlot(new_figure(2, 2), {"a": W.slider("a", 1.0, 0.0, 2.0, 0.5)}, update="redraw")


def test_grid_over_covers_the_points_with_padding():
    X = np.array([[0.0, -1.0], [2.0, 1.0]])
    xs, ys, points = grid_over(X, resolution=5, padding=0.5)
    np.testing.assert_allclose([xs[0], xs[-1], ys[0], ys[-1]], [-0.5, 2.5, -1.5, 1.5])
    assert points.shape == (25, 2)


def test_plot_decision_boundary_works_with_a_pyplot_axes(moons):
    X, y = moons
    fig, ax = plt.subplots()
    out = plot_decision_boundary(lambda p: (p[:, 0] > 0.5).astype(int), X, y, ax=ax, resolution=30, title="x > 0.5")
    assert out is ax
    assert ax.get_title() == "x > 0.5"
    assert len(ax.collections) >= 2  # filled contours and the scatter of the data
    assert ax.collections[-1].get_offsets().shape == (len(X), 2)
    assert W.render_png(fig).startswith(PNG_SIGNATURE)


def test_plot_decision_boundary_defaults_to_the_current_pyplot_axes(moons):
    fig, ax = plt.subplots()
    assert plot_decision_boundary(lambda p: np.zeros(len(p)), *moons, resolution=10) is ax


def test_decision_boundary_image_update_changes_the_image_data(moons):
    X, y = moons
    fig = new_figure(3, 3, dpi=40)
    image = DecisionBoundaryImage(fig.add_subplot(), X, y, resolution=20)
    image.update(lambda p: np.zeros(len(p), dtype=int))
    before = np.array(image.image.get_array())
    assert before.shape == (20, 20) and np.all(before == 0)
    image.update(lambda p: (p[:, 0] > 0.5).astype(int))
    after = np.array(image.image.get_array())
    assert not np.array_equal(before, after)
    np.testing.assert_array_equal(after, (image.points[:, 0] > 0.5).reshape(20, 20))
    assert W.render_png(fig).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("call, exc, name", [
    pytest.param(lambda X, y: new_figure(width="6"), TypeError, "width", id="new-figure-str-width"),
    pytest.param(lambda X, y: new_figure(height=0), ValueError, "height", id="new-figure-zero-height"),
    pytest.param(lambda X, y: new_figure(dpi=-80), ValueError, "dpi", id="new-figure-negative-dpi"),
    pytest.param(lambda X, y: grid_over(np.ones((3, 3))), ValueError, "X", id="grid-three-columns"),
    pytest.param(lambda X, y: grid_over(X, resolution=1), ValueError, "resolution", id="grid-resolution-one"),
    pytest.param(lambda X, y: grid_over(X, padding=-1), ValueError, "padding", id="grid-negative-padding"),
    pytest.param(lambda X, y: plot_decision_boundary("predict", X, y), TypeError, "predict", id="boundary-str-predict"),
    pytest.param(lambda X, y: plot_decision_boundary(lambda p: np.zeros(3), X, y, resolution=5), ValueError,
                 "predict", id="boundary-predict-wrong-size"),
    pytest.param(lambda X, y: plot_decision_boundary(lambda p: p[:, 0], X[:, :1], y), ValueError, "X",
                 id="boundary-one-column"),
    pytest.param(lambda X, y: DecisionBoundaryImage(plt.gca(), X, y).update(3), TypeError, "predict",
                 id="image-predict-not-callable"),
    pytest.param(lambda X, y: DecisionBoundaryImage(plt.gca(), X, y, resolution=5).update(lambda p: np.zeros(4)),
                 ValueError, "predict", id="image-predict-wrong-size"),
    pytest.param(lambda X, y: DecisionBoundaryImage(plt.gca(), X[:, :1], y), ValueError, "X", id="image-one-column"),
])
def test_plotting_rejects_bad_input_naming_the_argument(call, exc, name, moons):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call(*moons)


NODES = {"x": (0.1, 0.7, "x"), "y": (0.1, 0.3, "y"), "mul": (0.5, 0.5, "×"), "L": (0.9, 0.5, "L")}
EDGES = [("x", "mul"), ("y", "mul"), ("mul", "L")]


def test_graph_view_show_sets_value_and_gradient_texts():
    fig = new_figure(4, 3, dpi=50)
    view = GraphView(fig.add_subplot(), NODES, EDGES)
    view.show({"x": 2.0, "y": -3.0, "mul": -6.0}, {"x": -3.0, "y": 2.0, "mul": 1.0})
    assert view.values["x"].get_text() == "2" and view.values["mul"].get_text() == "-6"
    assert view.grads["x"].get_text() == "∂L = -3" and view.grads["y"].get_text() == "∂L = 2"
    assert view.values["L"].get_text() == "" and view.grads["L"].get_text() == ""
    view.show({"x": 0.123456}, {})
    assert view.values["x"].get_text() == "0.123" and view.values["y"].get_text() == ""
    assert view.grads["x"].get_text() == ""
    assert W.render_png(fig).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("nodes, edges, exc, name", [
    pytest.param([("x", 0.1, 0.5)], [], TypeError, "nodes", id="nodes-not-dict"),
    pytest.param(NODES, [("x", "z")], ValueError, "edges", id="edge-to-unknown-node"),
    pytest.param(NODES, [("x",)], ValueError, "edges", id="edge-not-a-pair"),
])
def test_graph_view_rejects_bad_graph_naming_the_argument(nodes, edges, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        GraphView(new_figure(2, 2).add_subplot(), nodes, edges)


def test_blitted_live_plot_draws_the_same_pixels_as_a_full_redraw():
    from PIL import Image
    import io

    x = np.linspace(-3, 3, 50)

    def make(dynamic):
        fig = new_figure(3, 2)
        ax = fig.add_subplot()
        line, = ax.plot(x, x)
        ax.set_ylim(-10, 10)

        def update(a):
            line.set_ydata(a * x)
            ax.set_title(f"a = {a:.1f}")

        plot = W.LivePlot(fig, {"a": W.slider("a", 1.0, -3, 3, 0.5)}, update, dynamic=[line, ax.title] if dynamic else None)
        plot.controls["a"].value = 2.5
        return np.asarray(Image.open(io.BytesIO(plot.image.value)))

    np.testing.assert_array_equal(make(dynamic=True), make(dynamic=False))


def test_live_plot_keeps_its_name_and_times_its_redraw():
    fig = new_figure(2, 2)
    fig.add_subplot().plot([0, 1])
    plot = W.LivePlot(fig, {"a": W.slider("a", 1.0, 0, 2, 0.5)}, lambda a: None, name="probe")
    assert plot.name == "probe"
    assert plot.last_update_ms > 0


def test_a_closed_live_plot_is_not_kept_alive_by_the_library():
    fig = new_figure(2, 2)
    fig.add_subplot().plot([0, 1])
    plot = W.LivePlot(fig, {"a": W.slider("a", 1.0, 0, 2, 0.5)}, lambda a: None, name="closed")
    gone = weakref.ref(plot)
    row, image = plot.children
    for widget in (*row.children, row, image, plot):     # ipywidgets holds each open widget until closed
        widget.close()
    del plot, row, image, widget
    gc.collect()
    assert gone() is None


def test_live_plot_greys_out_controls_that_do_nothing_for_the_current_choice():
    fig = new_figure(2, 2)
    fig.add_subplot().plot([0, 1])
    kind = W.choice("kind", ["plain", "scaled"])
    scale = W.slider("scale", 1.0, 0, 2, 0.5)
    W.LivePlot(fig, {"kind": kind, "scale": scale}, lambda kind, scale: None,
               enabled=lambda kind, scale: {"scale": kind == "scaled"})
    assert scale.disabled and scale.style.handle_color == W.DISABLED_HANDLE
    kind.value = "scaled"
    assert not scale.disabled and scale.style.handle_color is None
    with pytest.raises(TypeError, match="enabled"):
        W.LivePlot(fig, {"kind": kind}, lambda kind: None, enabled="yes")


def test_blitted_region_leaves_the_frame_on_top_as_a_full_redraw_does():
    from PIL import Image
    import io
    from matplotlib.patches import Polygon

    def make(dynamic):
        fig = new_figure(3, 2)
        ax = fig.add_subplot()
        region = ax.add_patch(Polygon(np.zeros((0, 2)), closed=True, color="#b3d4ea"))
        ax.set(xlim=(0, 1), ylim=(0, 1))

        def update(a):
            region.set_xy([[-1, -1], [a, -1], [a, 2], [-1, 2]])      # covers the left, top and bottom frame

        plot = W.LivePlot(fig, {"a": W.slider("a", 0.5, 0, 1, 0.1)}, update, dynamic=[region] if dynamic else None)
        plot.controls["a"].value = 0.8
        return np.asarray(Image.open(io.BytesIO(plot.image.value)))

    blitted, redrawn = make(dynamic=True).astype(int), make(dynamic=False).astype(int)
    differ = np.abs(blitted - redrawn).max(axis=-1) > 0
    assert differ.sum() <= 8         # where tick marks meet the frame (ticks stay in the background); was 273
