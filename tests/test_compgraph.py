"""Tests of course_lib/compgraph.py beyond tests/test_widgets.py: a graph everyone can read.

Values and gradients must be told apart without colour (place, slant, the ∂ prefix), in colours
that stay distinct under red–green colour blindness, at body-text size.
"""
import pytest
from matplotlib.colors import to_rgb

from course_lib.viz.compgraph import GraphView
from course_lib.viz.plotting import PALETTE, new_figure, smallest_text_px

NODES = {"x": (0.1, 0.7, "x"), "y": (0.1, 0.3, "y"), "mul": (0.5, 0.5, "×"), "L": (0.85, 0.5, "ReLU")}
EDGES = [("x", "mul"), ("y", "mul"), ("mul", "L")]


def shown_graph(**kwargs):
    fig = new_figure(6, 3.2)
    view = GraphView(fig.add_subplot(), NODES, EDGES, **kwargs)
    view.show({"x": 2.0, "y": -3.0, "mul": -6.0, "L": 0.0}, {"x": 0.0, "y": 0.0, "mul": 0.0, "L": 1.0})
    fig.canvas.draw()
    return fig, view


def deuteranope(color):
    """A colour as a deuteranope sees it: Machado et al. (2009), severity 1, on sRGB (a rough model)."""
    r, g, b = to_rgb(color)
    return (0.367 * r + 0.861 * g - 0.228 * b, 0.280 * r + 0.673 * g + 0.047 * b,
            -0.012 * r + 0.043 * g + 0.969 * b)


def test_values_and_gradients_differ_by_more_than_colour():
    fig, view = shown_graph()
    for name in NODES:
        value, grad = view.values[name], view.grads[name]
        assert value.get_fontstyle() == "normal" and grad.get_fontstyle() == "italic"
        assert grad.get_text().startswith("∂L = ") and not value.get_text().startswith("∂")
        assert value.get_window_extent().y0 > grad.get_window_extent().y1   # value above, gradient below


def test_colours_are_the_course_palette_and_distinct_under_red_green_blindness():
    fig, view = shown_graph()
    value_color, grad_color = view.values["x"].get_color(), view.grads["x"].get_color()
    assert {value_color, grad_color} <= set(PALETTE) and value_color != grad_color
    a, b = deuteranope(value_color), deuteranope(grad_color)
    assert sum((p - q) ** 2 for p, q in zip(a, b)) ** 0.5 > 0.3


def test_numbers_sit_next_to_their_box_and_text_is_body_size():
    fig, view = shown_graph()
    assert smallest_text_px(fig) >= 14                          # JupyterLab's body text, 14 px
    for name in NODES:
        value, grad = view.values[name].get_window_extent(), view.grads[name].get_window_extent()
        assert 0 < value.y0 - grad.y1 < 60                        # a box's height apart, not more
        assert abs((value.x0 + value.x1) / 2 - (grad.x0 + grad.x1) / 2) < 1   # centred on the node


def test_gradient_of_names_the_output_and_the_key_explains_both():
    fig, view = shown_graph(gradient_of="z", key=(1.0, 0.25))
    assert view.grads["x"].get_text() == "∂z = 0"
    texts = [t.get_text() for t in view.ax.texts]
    assert "value (forward)" in texts and "∂z = gradient (backward)" in texts
    assert all(t not in view.artists for t in view.ax.texts if "forward" in t.get_text())   # drawn once


@pytest.mark.parametrize("gradient_of, exc", [(3, TypeError), ("", ValueError), ("  ", ValueError)])
def test_gradient_of_must_name_the_output(gradient_of, exc):
    with pytest.raises(exc, match="gradient_of"):
        GraphView(new_figure(2, 2).add_subplot(), NODES, EDGES, gradient_of=gradient_of)
