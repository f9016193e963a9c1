"""Tests of course_lib/viz/playground_widget.py: every control acts on the playground, Play trains without
blocking, clicks add points, the picture and the numbers follow the state. (Chromium: tests/test_browser.py.)"""
import asyncio
import io

import numpy as np
import pytest
from PIL import Image

from course_lib.experiments.playground import PRESETS, Playground
from course_lib.viz.playground_widget import CLASS_RGB, PlaygroundWidget, output_image


def small(**config):
    return PlaygroundWidget({"points": 120, "hidden": [4, 2], **config})


def pixels(widget):
    return np.array(Image.open(io.BytesIO(widget.plot.image.value)).convert("RGB")).astype(int)


def test_step_trains_one_epoch_and_the_status_shows_its_numbers():
    w = small()
    before = pixels(w)
    w.step()
    pg = w.playground
    assert pg.epoch == 1
    assert f"training loss {pg.train_loss[-1]:.3f}" in w.status.value and "epoch 1" in w.status.value
    assert np.abs(pixels(w) - before).sum() > 0


def test_reset_button_restores_the_initial_weights():
    w = small()
    initial = w.playground.weights()
    w.step(3)
    w.reset_button.click()
    assert w.playground.epoch == 0
    for W, W0 in zip(w.playground.weights(), initial):
        np.testing.assert_array_equal(W, W0)


@pytest.mark.parametrize("control, value, key, expected", [
    ("dataset", "xor", "dataset", "xor"),
    ("noise", 0.2, "noise", 0.2),
    ("train_fraction", 0.3, "train_fraction", 0.3),
    ("activation", "relu", "activation", "relu"),
    ("init", "he", "init", "he"),
    ("dropout", 0.1, "dropout", 0.1),
    ("batchnorm", True, "batchnorm", True),
    ("seed", 3, "seed", 3),
    ("optimizer", "adam", "optimizer", "adam"),
    ("lr", 0.3, "lr", 0.3),
    ("schedule", "step", "schedule", "step"),
    ("batch_size", 25, "batch_size", 25),
    ("regularisation", "l2", "regularisation", "l2"),
    ("hidden", "8, 8, 3", "hidden", [8, 8, 3]),
    ("hidden", "", "hidden", []),
    ("feature x1^2", True, "features", ["x1", "x2", "x1^2"]),
    ("feature x1", False, "features", ["x2"]),
])
def test_every_control_sets_its_key_of_the_configuration(control, value, key, expected):
    w = small()
    w.controls[control].value = value
    assert w.playground.config[key] == expected


def test_more_classes_are_offered_for_rings_clusters_and_arms_only():
    w = small(dataset="gauss")
    w.controls["classes"].value = 4
    assert w.playground.config["classes"] == 4
    assert [v for _, v in w.controls["click_class"].options] == [0, 1, 2, 3]
    w.controls["dataset"].value = "xor"
    assert w.playground.config["classes"] == 2 and w.controls["classes"].disabled


def test_the_rate_is_live_and_the_activation_resets():
    w = small()
    w.step(2)
    w.controls["lr"].value = 0.1
    assert w.playground.epoch == 2
    w.controls["activation"].value = "relu"
    assert w.playground.epoch == 0


def test_new_data_draws_the_data_again():
    w = small()
    X = w.playground.X_train.copy()
    w.regenerate.click()
    assert w.playground.config["data_seed"] == 1 and not np.array_equal(X, w.playground.X_train)


def test_a_click_on_the_heat_map_adds_a_point_of_the_chosen_class_where_it_fell():
    w = small()
    px, py = w.heat_ax.transData.transform((2.0, -3.0))
    height = w.fig.get_size_inches()[1] * w.fig.dpi
    w.controls["click_class"].value = 0
    w._on_click({"relativeX": px, "relativeY": height - py})
    (x1, x2, label), = w.playground.config["own_points"]
    assert (x1, x2, label) == (pytest.approx(2.0, abs=0.05), pytest.approx(-3.0, abs=0.05), 0)
    w._on_click({"relativeX": 5, "relativeY": 5})           # outside the heat map: nothing
    assert len(w.playground.config["own_points"]) == 1


def test_a_point_typed_and_entered_is_added_like_a_click():
    w = small()
    w.controls["click_class"].value = 0
    w.point_entry.value = "2, −3"
    assert w.playground.config["own_points"] == [[2.0, -3.0, 0]] and w.point_entry.value == ""
    for bad in ("2", "a, b", "7, 0"):
        w.point_entry.value = bad
        assert "add point" in w.status.value and repr(bad) in w.status.value
    assert len(w.playground.config["own_points"]) == 1


def test_a_click_on_a_shrunk_picture_lands_on_the_same_point():
    w = small()
    px, py = w.heat_ax.transData.transform((-1.0, 4.0))
    width, height = w.fig.get_size_inches() * w.fig.dpi
    w._on_click({"relativeX": px / 2, "relativeY": (height - py) / 2,
                 "boundingRectWidth": width / 2, "boundingRectHeight": height / 2})
    x1, x2, _ = w.playground.config["own_points"][0]
    assert (x1, x2) == (pytest.approx(-1.0, abs=0.1), pytest.approx(4.0, abs=0.1))


def test_play_trains_in_the_background_until_pause():
    w = small()

    async def press_play_then_pause():
        w.play.value = True
        await asyncio.sleep(0.6)
        epoch_while_playing = w.playground.epoch
        w.controls["lr"].value = 0.1                 # a control moved while it plays acts at once
        await asyncio.sleep(0.2)
        w.play.value = False
        await asyncio.sleep(0.2)
        return epoch_while_playing

    epoch_while_playing = asyncio.run(press_play_then_pause())
    assert epoch_while_playing >= 1 and w.frames == w.playground.epoch > epoch_while_playing
    assert w.playground.config["lr"] == 0.1 and w.playground.config["live_changes"]
    assert w.play.description == "Play"
    assert Playground(w.config).step_loss == w.playground.step_loss       # the state replays exactly


def test_export_shows_the_torch_code():
    w = small()
    w.export_button.click()
    assert w.export.layout.display is None and "torch.nn.Sequential" in w.export.value


def test_classroom_mode_hides_the_other_controls():
    w = small(dataset="xor")
    w2 = PlaygroundWidget({"points": 120}, show=["lr", "hidden"])
    hidden = [n for n, c in w2.controls.items() if c.layout.display == "none"]
    assert set(w2.controls) - set(hidden) == {"lr", "hidden"}
    assert not any(c.layout.display == "none" for c in w.controls.values())
    with pytest.raises(ValueError, match="show must name controls"):
        PlaygroundWidget({"points": 120}, show=["speed"])


def test_the_heat_map_shows_each_class_colour_where_the_network_predicts_it():
    probs = np.zeros((2, 2, 3))
    probs[0, 0, 0] = probs[0, 1, 1] = probs[1, 0, 2] = 1
    probs[1, 1] = [0.2, 0.5, 0.3]
    image = output_image(probs, discretise=True)
    pale = 1 - 0.45 * (1 - CLASS_RGB[:3])
    np.testing.assert_allclose(image[0, 0], pale[0])
    np.testing.assert_allclose(image[1, 1], pale[1])
    np.testing.assert_allclose(output_image(probs)[1, 1], probs[1, 1] @ pale)


def test_the_picture_is_what_a_full_redraw_shows():
    w = small(hidden=[8, 8], dataset="spiral")
    w.step(3)
    blitted = pixels(w)
    w.plot.redraw_background()
    w.plot.refresh()
    assert np.mean(np.abs(pixels(w) - blitted).max(axis=2) > 8) < 0.002


def test_settings_that_reset_the_run_keep_the_still_parts_of_the_picture():
    # a new first loss must not redraw the whole figure (100 ms on the 2-core machine): only the
    # curves leaving their axes or shrinking in them do
    w = small(hidden=[8, 8], dataset="spiral")
    w.step(3)
    w.plot.refresh()
    for control, value in [("activation", "relu"), ("seed", 3), ("init", "he"), ("activation", "sigmoid")]:
        w.controls[control].value = value
        assert w.plot._background is not None, f"{control} = {value!r} redrew the whole figure"
    top = w.loss_ax.get_ylim()[1]
    assert top >= 1.5 * max(w.playground.train_loss[0], w.playground.test_loss[0])


def test_the_alt_text_says_what_the_picture_shows():
    w = small()
    w.step(2)
    assert "after epoch 2" in w.plot.alt_text and "circle" in w.plot.alt_text


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_opens_in_classroom_mode_with_its_settings(name):
    w = PlaygroundWidget.preset(name)
    preset = PRESETS[name]
    shown = {n for n, c in w.controls.items() if c.layout.display != "none"}
    assert shown == set(preset["show"])
    for key, value in preset["config"].items():
        assert w.playground.config[key] == value
    assert w.controls["test_points"].value == preset["test_points"]


def test_an_unknown_preset_names_the_presets():
    with pytest.raises(ValueError, match="name must be one of"):
        PlaygroundWidget.preset("nope")


def test_the_widget_displays_its_picture_for_exports():
    w = small()
    bundle, metadata = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["image/png"]
    assert metadata["image/png"]["alt"] == w.plot.alt_text


@pytest.mark.parametrize("control, value", [("lr", 0.3), ("batch_size", 20), ("schedule", "step"), ("seed", 2),
                                            ("regularisation", "l1"), ("click_class", 0), ("dropout", 0.2),
                                            ("batchnorm", True), ("optimizer", "rmsprop")])
def test_a_setting_the_heat_map_cannot_show_changes_the_picture_through_its_caption(control, value):
    w = small()
    before = w.caption.get_text()
    w.controls[control].value = value
    assert w.caption.get_text() != before
