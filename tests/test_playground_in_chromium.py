"""The playground (course_lib/viz/playground_widget.py) in a real JupyterLab in Chromium, as a student uses it:
Play trains while the kernel stays free (the loss falls and the picture changes over frames), Pause stops it,
a control moved while it plays acts, a click on the heat map adds a point (and so does one typed: the
keyboard's way), and nothing logs an error.
(tests/test_browser.py moves every control of chapter 11 as of every chapter.) Writes build/browser/
11_playground-playing.png.
"""
import re
import time

import pytest

from labdriver import ROOT, NotebookPage, lab_and_browser, require_browser

BUILD = ROOT / "build" / "browser"
HEAT_CENTRE = (0.64 + 0.33 / 2, 1 - (0.38 + 0.52 / 2))   # the heat map's centre, (0, 0), as a share of the picture


@pytest.fixture(scope="module")
def playground():
    require_browser("playground browser tests")
    with lab_and_browser() as (lab, chromium):
        page = NotebookPage(lab, chromium, "11_playground.ipynb")
        try:
            page.run_all()
            yield page
        finally:
            page.close()


def widget(page):
    """The first playground on the page (the full one of the section 'The playground')."""
    return page.page.locator(".nncourse-playground").first


def status(page):
    """(epoch, training loss) as the playground's status line shows them."""
    text = widget(page).locator(".widget-html").first.inner_text()
    match = re.search(r"epoch (\d+)\s+training loss ([\d.]+)", text)
    assert match, f"the status line reads {text!r}"
    return int(match.group(1)), float(match.group(2))


def picture(page):
    return widget(page).locator("img.widget-image").first.get_attribute("src")


def test_play_trains_the_loss_falls_and_the_picture_changes_until_pause(playground):
    page = playground
    w = widget(page)
    w.scroll_into_view_if_needed()
    w.locator("button:has-text('Reset')").click()
    page.settle()
    epoch0, loss0 = status(page)
    assert epoch0 == 0
    pictures = {picture(page)}
    w.locator("button:has-text('Play')").click()
    for _ in range(6):
        time.sleep(0.5)
        pictures.add(picture(page))
    epoch, loss = status(page)
    BUILD.mkdir(parents=True, exist_ok=True)
    w.screenshot(path=str(BUILD / "11_playground-playing.png"))
    w.locator("button:has-text('Pause')").click()
    page.settle()
    assert epoch >= 5 and loss < loss0, f"after 3 s of Play: epoch {epoch}, loss {loss0} → {loss}"
    assert len(pictures) >= 4, "the picture changed fewer than 3 times in 3 s of Play"
    stopped = status(page)
    time.sleep(1.0)
    assert status(page) == stopped, "Pause did not stop training"
    assert not page.console_errors, page.console_errors[:5]


def test_a_rate_moved_while_playing_acts_at_once(playground):
    page = playground
    w = widget(page)
    w.locator("button:has-text('Play')").click()
    time.sleep(1.0)
    handle = w.locator(".widget-slider:has-text('learning rate') .noUi-handle")
    page.press(handle, "ArrowRight")
    time.sleep(1.0)
    caption_seen = w.locator(".widget-readout", has_text="0.1").count()
    w.locator("button:has-text('Pause')").click()
    page.settle()
    assert caption_seen, "the learning-rate readout did not move while playing"
    assert status(page)[0] > 0


def test_a_click_on_the_heat_map_adds_a_point_and_starts_again(playground):
    page = playground
    w = widget(page)
    image = w.locator("img.widget-image").first
    image.scroll_into_view_if_needed()
    page.settle()
    before = picture(page)
    box = image.bounding_box()
    page.page.mouse.click(box["x"] + HEAT_CENTRE[0] * box["width"], box["y"] + HEAT_CENTRE[1] * box["height"])
    deadline = time.time() + 10
    while picture(page) == before and time.time() < deadline:
        time.sleep(0.2)
    page.settle()
    assert picture(page) != before, "a click on the heat map changed nothing"
    assert status(page)[0] == 0, "adding a point starts the network again from its initial weights"
    assert not page.console_errors, page.console_errors[:5]


def test_a_point_typed_from_the_keyboard_is_added(playground):
    page = playground
    w = widget(page)
    w.locator("button[title='train one epoch']").click()
    page.settle()
    before = picture(page)
    entry = w.locator(".widget-text:has-text('add point') input")
    entry.focus()
    page.page.keyboard.type("-4, 4")
    page.page.keyboard.press("Enter")
    deadline = time.time() + 10
    while picture(page) == before and time.time() < deadline:
        time.sleep(0.2)
    page.settle()
    assert picture(page) != before and status(page)[0] == 0, "a point typed and entered changed nothing"
    assert entry.input_value() == "", "the field is not cleared for the next point"
    assert not page.console_errors, page.console_errors[:5]
