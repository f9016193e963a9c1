"""Tests of course_lib/autograd_graph.py: the graph read back from grad_fn.next_functions, and its drawing."""
import pytest
import torch
from matplotlib.text import Annotation

from course_lib.viz.autograd_graph import autograd_graph, draw_autograd_graph
from course_lib.viz.plotting import new_figure, smallest_text_px


def lecture_graph():
    x = torch.tensor([2.0])
    w = torch.tensor([0.5], requires_grad=True)
    b = torch.tensor([-1.0], requires_grad=True)
    y = torch.mul(w, x)
    z = torch.add(y, b)
    return z, {"w": w, "b": b, "x": x}


def labelled_edges(nodes, edges):
    return sorted((nodes[s][0], nodes[t][0]) for s, t in edges)


def test_graph_of_z_equals_wx_plus_b():
    z, names = lecture_graph()
    nodes, edges = autograd_graph(z, names)
    assert nodes["n0"] == ("AddBackward0", "output")
    assert sorted(nodes.values()) == [("AddBackward0", "output"), ("MulBackward0", "operation"),
                                      ("b", "leaf"), ("w", "leaf")]
    assert labelled_edges(nodes, edges) == [("MulBackward0", "AddBackward0"), ("b", "AddBackward0"),
                                            ("w", "MulBackward0")]


def test_inputs_without_requires_grad_are_left_out():
    z, names = lecture_graph()
    nodes, _ = autograd_graph(z, names)
    assert "x" not in {label for label, _ in nodes.values()}


def test_a_leaf_used_twice_is_one_node_with_two_edges():
    v = torch.tensor([1.0, 2.0], requires_grad=True)
    nodes, edges = autograd_graph((v * v).sum() + torch.sin(v).mean(), {"v": v})
    assert [label for label, kind in nodes.values() if kind == "leaf"] == ["v"]
    assert labelled_edges(nodes, edges).count(("v", "MulBackward0")) == 2
    assert ("v", "SinBackward0") in labelled_edges(nodes, edges)
    assert len(nodes) == 6


def test_unnamed_leaves_are_labelled_by_shape():
    a = torch.ones(2, 3, requires_grad=True)
    nodes, _ = autograd_graph((a * 2).sum())
    assert ("leaf 2×3", "leaf") in nodes.values()


def test_every_grad_fn_reached_by_next_functions_is_listed():
    w = torch.randn(3, 2, requires_grad=True)
    x = torch.randn(4, 3)
    loss = torch.tanh(x @ w).pow(2).mean()
    nodes, edges = autograd_graph(loss, {"w": w})
    seen, stack = set(), [loss.grad_fn]
    while stack:
        fn = stack.pop()
        seen.add(type(fn).__name__ if not hasattr(fn, "variable") else "w")
        stack += [p for p, _ in fn.next_functions if p is not None]
    assert {label for label, _ in nodes.values()} == seen
    assert len(edges) == len(nodes) - 1          # a chain: one edge into each node but the output


def test_drawing_places_leaves_left_of_the_output():
    z, names = lecture_graph()
    fig = new_figure(5, 2.5)
    ax = fig.add_subplot()
    nodes, edges = draw_autograd_graph(z, ax, names)
    positions = {t.get_text().replace("\n", ""): t.get_position() for t in ax.texts
                 if not isinstance(t, Annotation)}
    assert set(positions) == {"w", "b", "MulBackward0", "AddBackward0"}
    assert positions["w"][0] < positions["MulBackward0"][0] < positions["AddBackward0"][0]
    assert positions["b"][0] < positions["AddBackward0"][0]
    assert len([t for t in ax.texts if isinstance(t, Annotation)]) == len(edges)
    fig.canvas.draw()                             # the arrows' artist coordinates resolve


def test_drawn_labels_are_body_size_and_fit_seven_columns_in_a_notebook_width():
    x_data = torch.linspace(-1, 1, 5).unsqueeze(1)
    w, b = torch.ones(1, 1, requires_grad=True), torch.zeros(1, 1, requires_grad=True)
    loss = (0.5 * (x_data.pow(2).mm(w) + b - x_data) ** 2).sum()       # 7 columns, as in chapter 10
    fig = new_figure(9.5, 2.0)
    ax = fig.add_axes((0, 0, 1, 1))
    draw_autograd_graph(loss, ax, {"w": w, "b": b})
    assert smallest_text_px(fig) >= 14                                # JupyterLab's body text
    boxes = sorted((t.get_bbox_patch().get_window_extent() for t in ax.texts
                    if not isinstance(t, Annotation)), key=lambda box: box.x0)
    assert all(box.x0 >= 0 and box.x1 <= fig.bbox.x1 for box in boxes)
    same_row = [box for box in boxes if abs(box.y0 - boxes[-1].y0) < 1]
    assert all(a.x1 < b.x0 for a, b in zip(same_row, same_row[1:]))   # no two boxes overlap
    assert "Mul\nBackward0" in [t.get_text() for t in ax.texts]        # a class name on two lines


@pytest.mark.parametrize("bad, error", [(3.0, TypeError), (torch.ones(2), ValueError),
                                        (torch.ones(2, requires_grad=True), ValueError)])
def test_bad_outputs_are_refused_with_a_clear_message(bad, error):
    with pytest.raises(error, match="output"):
        autograd_graph(bad)


def test_tensor_computed_under_no_grad_is_refused():
    w = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        z = w * 2
    with pytest.raises(ValueError, match="grad_fn"):
        autograd_graph(z)


def test_names_must_be_tensors():
    z, _ = lecture_graph()
    with pytest.raises(TypeError, match="names"):
        autograd_graph(z, {"w": 1.0})
