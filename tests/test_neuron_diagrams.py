"""Tests of course_lib/neuron_diagrams.py: the parts the chapter names are drawn, bad arguments are refused."""
import pytest

from course_lib.viz import neuron_diagrams
from course_lib.viz.plotting import MIN_FONT_PT, new_figure, smallest_text_px


def test_biological_neuron_names_its_parts():
    ax = new_figure(6, 3).add_subplot()
    labels = " ".join(neuron_diagrams.draw_biological_neuron(ax))
    for part in ("dendrites", "soma", "nucleus", "axon", "synapse"):
        assert part in labels
    assert len(ax.texts) == 5 and len(ax.patches) > 5


def test_artificial_neuron_has_one_weight_per_input():
    ax = new_figure(6, 3).add_subplot()
    labels = neuron_diagrams.draw_artificial_neuron(ax, n_inputs=4)
    assert [lab for lab in labels if lab.startswith("w_")] == ["w_1", "w_2", "w_3", "w_4"]


def test_network_draws_every_unit_and_connection():
    ax = new_figure(6, 3).add_subplot()
    labels = neuron_diagrams.draw_network(ax, [3, 4, 2])
    assert labels == ["input", "hidden", "output"]
    assert len(ax.patches) == 3 + 4 + 2
    assert len(ax.lines) == 3 * 4 + 4 * 2


def test_bad_arguments_are_refused():
    ax = new_figure(6, 3).add_subplot()
    with pytest.raises(TypeError, match="ax"):
        neuron_diagrams.draw_network("axes", [2, 2])
    with pytest.raises(TypeError, match="layer_sizes"):
        neuron_diagrams.draw_network(ax, 3)
    with pytest.raises(ValueError, match="n_inputs"):
        neuron_diagrams.draw_artificial_neuron(ax, n_inputs=0)


@pytest.mark.parametrize("draw", [neuron_diagrams.draw_biological_neuron, neuron_diagrams.draw_artificial_neuron,
                                  lambda ax: neuron_diagrams.draw_network(ax, [3, 4, 2])])
def test_diagrams_are_readable_and_drawn_with_solid_lines(draw):
    fig = new_figure(6, 3)
    ax = fig.add_subplot()
    draw(ax)
    assert smallest_text_px(fig) >= MIN_FONT_PT * fig.dpi / 72      # never smaller than body text
    assert all(line.get_linestyle() == "-" for line in ax.lines)      # the course's dash cycle is for data
