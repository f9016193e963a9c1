"""Tests of course_lib/optimizer_paths.py: the precomputed paths are the optimizers' own, the panel draws them."""
import numpy as np
import pytest

from course_lib.optim import SGD, Adam
from course_lib.viz.optimizer_paths import (BASE_LR, COLORS, RACERS, STYLES, OptimizerChoice, TrajectoryPanel,
                                        precompute_paths, steps_to_escape)
from course_lib.viz.plotting import PALETTE, new_figure
from course_lib.experiments.surfaces import QUADRATIC, SADDLE, SURFACES, run_optimizer


def test_every_surface_has_a_base_rate_for_every_optimizer():
    assert set(BASE_LR) == set(SURFACES)
    for rates in BASE_LR.values():
        assert set(rates) == set(RACERS) and all(r > 0 for r in rates.values())


def test_precomputed_paths_are_the_optimizers_own_paths():
    paths = precompute_paths([0.5, 2.0], steps=30, surfaces={"quadratic": QUADRATIC}, racers=["SGD", "Adam"])
    assert set(paths) == {("quadratic", n, f) for n in ["SGD", "Adam"] for f in [0.5, 2.0]}
    point = QUADRATIC.start.copy()
    opt = SGD([point], lr=BASE_LR["quadratic"]["SGD"] * 2.0)
    expected = [point.copy()]
    for _ in range(30):
        opt.step([QUADRATIC.gradient(point)])
        expected.append(point.copy())
    np.testing.assert_allclose(paths["quadratic", "SGD", 2.0], expected, rtol=0, atol=0)
    adam = run_optimizer(QUADRATIC, lambda p: Adam(p, lr=BASE_LR["quadratic"]["Adam"] * 0.5), steps=30)
    np.testing.assert_array_equal(paths["quadratic", "Adam", 0.5], adam)


def test_precompute_reports_progress_and_rejects_bad_input():
    lines = []
    precompute_paths([1.0], steps=2, surfaces={"saddle": SADDLE}, progress=lines.append)
    assert len(lines) == 1 and "saddle" in lines[0]
    with pytest.raises(ValueError, match="lr_factors"):
        precompute_paths([0.0], steps=2)
    with pytest.raises(ValueError, match="racers"):
        precompute_paths([1.0], steps=2, racers=["LBFGS"])
    with pytest.raises(ValueError, match="surfaces"):
        precompute_paths([1.0], steps=2, surfaces={"bowl": QUADRATIC})


def test_steps_to_escape_counts_the_first_step_away_from_the_saddle():
    path = run_optimizer(SADDLE, lambda p: SGD(p, lr=0.1), steps=60)   # |y| grows by 1.2 per step from 1e-3
    k = steps_to_escape(path)
    assert abs(path[k, 1]) >= 1 > abs(path[k - 1, 1])
    assert k == int(np.ceil(np.log(1e3) / np.log(1.2)))
    assert steps_to_escape(path[:5]) is None
    with pytest.raises(ValueError, match="path"):
        steps_to_escape(np.zeros(3))


def test_panel_draws_only_the_selected_optimizers():
    fig = new_figure(3, 3)
    panel = TrajectoryPanel(fig.add_subplot(), QUADRATIC, ["SGD", "Adam"])
    paths = {"SGD": np.array([[0.0, 0.0], [1.0, 1.0]]), "Adam": np.array([[0.0, 1.0], [2.0, 0.5], [1.0, 0.0]])}
    panel.show(paths, visible=("Adam",))
    segments = panel.paths.get_segments()
    assert len(segments) == 1
    np.testing.assert_array_equal(segments[0], paths["Adam"])
    np.testing.assert_array_equal(panel.ends.get_offsets(), [[1.0, 0.0]])
    panel.show(paths)
    assert len(panel.paths.get_segments()) == 2
    fig.canvas.draw()
    with pytest.raises(TypeError, match="surface"):
        TrajectoryPanel(fig.add_subplot(), "Rosenbrock", ["SGD"])


def test_panel_cuts_a_diverging_path_where_it_leaves_the_map():
    fig = new_figure(3, 3)
    panel = TrajectoryPanel(fig.add_subplot(), QUADRATIC, ["SGD"])
    diverging = np.array([[-2.0, 1.0], [-1.0, -3.0], [0.0, 1e3], [0.0, 1e200], [np.nan, np.nan]])
    panel.show({"SGD": diverging})
    np.testing.assert_array_equal(panel.paths.get_segments()[0], diverging[:3])
    panel.show({"SGD": np.full((3, 2), np.nan)})
    assert len(panel.paths.get_segments()) == 0
    fig.canvas.draw()


def test_optimizer_choice_reports_ticked_boxes_and_calls_back():
    choice = OptimizerChoice(["SGD", "Adam", "AdaGrad"], value=["Adam"])
    calls = []
    choice.on_change(lambda: calls.append(choice.selected))
    assert choice.selected == ("Adam",)
    choice.boxes["SGD"].value = True
    assert calls == [("SGD", "Adam")]
    with pytest.raises(TypeError, match="callback"):
        choice.on_change(3)


def test_any_two_optimizers_differ_in_colour_dash_and_marker():
    """Colour alone fails readers with red-green colour blindness: each pair also differs in dash and marker."""
    assert set(STYLES) == set(RACERS) and COLORS == {name: style["color"] for name, style in STYLES.items()}
    assert all(style["color"] in PALETTE for style in STYLES.values())
    for key in ("color", "linestyle", "marker"):
        values = [str(style[key]) for style in STYLES.values()]
        assert len(set(values)) == len(values), f"two optimizers share a {key}"


def test_panel_draws_each_path_with_its_optimizers_dash_and_end_marker():
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D

    fig = new_figure(3, 3)
    panel = TrajectoryPanel(fig.add_subplot(), QUADRATIC, ["SGD", "RMSprop", "Adam"])
    paths = {name: np.array([[0.0, 0.0], [1.0, k]]) for k, name in enumerate(["SGD", "RMSprop", "Adam"])}
    panel.show(paths, visible=("SGD", "Adam"))
    shown = ["SGD", "Adam"]
    np.testing.assert_allclose(panel.paths.get_colors(), [to_rgba(STYLES[n]["color"]) for n in shown])
    dashes = [pattern for _, pattern in panel.paths.get_linestyle()]
    expected = [Line2D([], [], linestyle=STYLES[n]["linestyle"], linewidth=panel.LINEWIDTH)._dash_pattern[1]
                for n in shown]
    assert [None if d is None else tuple(d) for d in dashes] == [None if d is None else tuple(d) for d in expected]
    markers = panel.ends.get_paths()
    assert len(markers) == 2 and not np.allclose(markers[0].vertices[:4], markers[1].vertices[:4])
    np.testing.assert_allclose(panel.ends.get_facecolors(), [to_rgba(STYLES[n]["color"]) for n in shown])
    fig.canvas.draw()
