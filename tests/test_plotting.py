"""Tests of course_lib/plotting.py's course style and alt text, DecisionBoundaryImage.show_labels
(more on decision boundaries: test_widgets.py)."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from course_lib.viz import plotting
from course_lib.viz.plotting import DPI, MIN_FONT_PT, PALETTE, describe_figure, new_figure, set_alt_text, smallest_text_px


@pytest.fixture(autouse=True)
def close_pyplot_figures():
    yield
    plt.close("all")


def test_importing_plotting_sets_the_course_style_on_every_matplotlib_figure():
    assert matplotlib.rcParams["figure.dpi"] == DPI
    fig, ax = plt.subplots()
    first, second = ax.plot([0, 1]), ax.plot([1, 0])
    assert to_rgb(first[0].get_color()) == to_rgb(PALETTE[0]) and to_rgb(second[0].get_color()) == to_rgb(PALETTE[1])
    assert first[0].get_linestyle() != second[0].get_linestyle()          # told apart without colour too


@pytest.mark.parametrize("key", ["font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
                                 "ytick.labelsize", "legend.fontsize", "figure.titlesize"])
def test_every_default_font_size_is_at_least_body_text_at_the_course_dpi(key):
    assert matplotlib.rcParams[key] >= MIN_FONT_PT
    assert MIN_FONT_PT * DPI / 72 >= 14       # JupyterLab's body text is 14 px


def test_smallest_text_px_finds_the_smallest_text_including_ticks_and_legend():
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    ax.plot([0, 1], label="line")
    ax.legend()
    assert smallest_text_px(fig) == pytest.approx(MIN_FONT_PT * DPI / 72)
    ax.legend(fontsize=8)
    assert smallest_text_px(fig) == pytest.approx(8 * DPI / 72)


def test_palette_colours_differ_for_red_green_colour_blindness():
    """No two palette colours collapse under a deuteranopia simulation (Viénot, Brettel & Mollon 1999)."""
    import numpy as np
    lms = np.array([[17.8824, 43.5161, 4.11935], [3.45565, 27.1554, 3.86714], [0.0299566, 0.184309, 1.46709]])
    deutan = np.array([[1, 0, 0], [0.494207, 0, 1.24827], [0, 0, 1]])
    simulate = np.linalg.inv(lms) @ deutan @ lms
    seen = [simulate @ np.array(to_rgb(c)) ** 2.2 for c in PALETTE]
    gaps = [np.abs(a - b).max() for i, a in enumerate(seen) for b in seen[i + 1:]]
    assert min(gaps) > 0.05


def test_describe_figure_starts_with_the_summary_then_names_titles_labels_and_legend():
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    ax.plot([0, 1], label="train")
    ax.plot([1, 0], label="validation")
    ax.set(title="Loss", xlabel="epoch", ylabel="loss")
    ax.legend()
    set_alt_text(fig, "Validation loss rises after epoch 10.")
    text = describe_figure(fig)
    assert text.startswith("Validation loss rises after epoch 10.")
    for word in ("Loss", "x: epoch", "y: loss", "train", "validation"):
        assert word in text


def test_describe_figure_counts_panels_and_is_never_empty():
    fig = new_figure(4, 3)
    left, right = fig.subplots(1, 2)
    left.set_title("before")
    right.set_title("after")
    assert "2 panels" in describe_figure(fig)
    assert describe_figure(new_figure(2, 2))


@pytest.mark.parametrize("summary", ["", "   ", None, 3])
def test_set_alt_text_rejects_an_empty_summary(summary):
    with pytest.raises(ValueError, match="summary"):
        set_alt_text(new_figure(2, 2), summary)


def test_describe_figure_rejects_what_is_not_a_figure():
    with pytest.raises(TypeError, match="Figure"):
        describe_figure("a figure")


def test_a_figure_shown_in_ipython_carries_its_alt_text():
    fig = new_figure(2, 2)
    set_alt_text(fig, "Nothing to see.")
    data, metadata = plotting._alt_text_metadata(fig)
    assert data == {} and metadata["image/png"]["alt"].startswith("Nothing to see.")


def test_alt_text_reads_mathtext_labels_as_plain_text():
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    ax.set(xlabel="$x_1$", ylabel=r"$\sigma(w \cdot x)$")
    text = describe_figure(fig)
    assert "x: x1" in text and "y: σ(w · x)" in text and "$" not in text


def test_alt_text_names_the_entries_of_a_figure_level_legend():
    fig = new_figure(4, 3)
    left, right = fig.subplots(1, 2)
    left.plot([0, 1], label="SGD")
    right.plot([1, 0], label="Adam")
    fig.legend()
    assert "Legend: SGD, Adam" in describe_figure(fig)


def test_decision_boundary_image_shows_labels_computed_beforehand_as_update_would(moons):
    X, y = moons
    fig = new_figure(3, 3, dpi=40)
    boundary = plotting.DecisionBoundaryImage(fig.add_subplot(), X, y, resolution=20)

    def predict(points):
        return (points[:, 0] + points[:, 1] > 0.5).astype(int)

    boundary.update(predict)
    by_update = np.array(boundary.image.get_array())
    boundary.show_labels(np.zeros(len(boundary.points)))
    assert np.all(np.array(boundary.image.get_array()) == 0)
    boundary.show_labels(predict(boundary.points))                    # one label per grid point ...
    np.testing.assert_array_equal(boundary.image.get_array(), by_update)
    boundary.show_labels(predict(boundary.points).reshape(boundary.shape))   # ... or the grid itself
    np.testing.assert_array_equal(boundary.image.get_array(), by_update)


@pytest.mark.parametrize("labels, error", [(np.zeros(19), ValueError), (np.zeros((21, 20)), ValueError),
                                           ("01", TypeError), (np.full(400, np.nan), ValueError)])
def test_show_labels_rejects_labels_that_do_not_fit_the_grid_naming_them(moons, labels, error):
    boundary = plotting.DecisionBoundaryImage(new_figure(3, 3).add_subplot(), *moons, resolution=20)
    with pytest.raises(error, match=r"\blabels\b"):
        boundary.show_labels(labels)
