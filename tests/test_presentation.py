"""Every notebook as a live presentation in JupyterLab (jupyterlab-slideshow), in Chromium, on a projector.

`make present` opens the course in JupyterLab with the presenter's settings (tools/present). This
test does what a lecturer does there, on a 1280×720 page: open a chapter, Run All, start
presentation mode at the first cell and step through the whole deck, pressing Space and PageDown
(what a presenter's clicker sends) in turn. It asserts that

- the deck steps through exactly the cells the notebook's slide metadata puts on slides, in order
  (every cell but ``skip`` and ``notes`` is one step: slides, subslides, fragments and the
  continuation cells between them);
- each live plot (a ``LivePlot``) is wholly inside the screen when the deck reaches its cell, and
  moving its first slider there changes the plot's pixels on screen;
- the text is the presenter's large size, figures are shown at 1.5× (their smallest text ≥ 18 px), no code box is taller than about ten lines (long code
  scrolls inside it: no code walls), no widget shows "Error displaying widget", and the browser
  logs no errors.

Needs Debian's Chromium and Playwright, like tests/test_browser.py: in CI (CI=true) a missing
browser fails the run; elsewhere these tests skip. Writes build/presentation/<notebook>.png (the first
live-plot slide) and <notebook>.json: timings, and for whoever edits the slides, the steps whose
slide is taller than the screen (the presenter must scroll) and the code cells shown with their
number of lines (code walls).
"""
import json
import time
from importlib.metadata import PackageNotFoundError, version

import pytest

from labdriver import PRESENT_CONFIG, PROJECTOR, ROOT, PresentationPage, lab_and_browser, require_browser

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
BUILD = ROOT / "build" / "presentation"
NOT_ON_SLIDES = {"skip", "notes"}
PRESENTER_STYLES = json.loads((PRESENT_CONFIG / "labconfig" / "default_setting_overrides.json").read_text())[
    "@deathbeds/jupyterlab-fonts:fonts"]["styles"][":root"]


def slide_types(notebook):
    """Each cell's ``metadata.slideshow.slide_type`` (None when it has none)."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    return [cell["metadata"].get("slideshow", {}).get("slide_type") for cell in cells]


def px(size):
    return float(size.removesuffix("px"))


@pytest.fixture(scope="module")
def presenter():
    require_browser("presentation tests")
    try:
        version("jupyterlab-slideshow")
    except PackageNotFoundError:
        pytest.fail("jupyterlab-slideshow (presentation mode) is not installed: pip install -e '.[test]'")
    with lab_and_browser(present=True) as lab_and_chromium:
        yield lab_and_chromium


def live_plot_cells(page):
    """Indices of the cells whose output holds a live plot."""
    return page.page.evaluate("""() => Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell'))
        .flatMap((c, i) => c.querySelector('img.widget-image') ? [i] : [])""")


def exercise_live_plot(page, cell):
    """On the slide now showing cell ``cell``: check its live plot is on screen and that its first enabled
    slider (or, without one, its first other control) changes the plot's pixels there.

    Returns a list of problems (empty when all is well).
    """
    cell_node = page.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(cell)
    output = cell_node.locator(".jp-OutputArea-output", has=page.page.locator("img.widget-image")).first
    images = page.cell_images(cell)
    problems = []
    overflow = page.outside_viewport(output)
    if overflow > 1:
        problems.append(f"cell {cell}: the live plot sticks out of the {page.page.viewport_size['width']}×"
                        f"{page.page.viewport_size['height']} screen by {overflow:.0f} px")
    before = [images.nth(i).screenshot() for i in range(images.count())]
    for control in page.cell_controls(cell):
        ms = page.move(control, restore=False)   # a dropdown put back would show the same pixels again
        if ms == "disabled":             # greyed out on purpose for the current choice: try the next one
            continue
        name = page.describe(control)
        if ms is None:
            problems.append(f"cell {cell}: moving '{name}' in presentation mode changed no plot")
        else:
            deadline = time.time() + 2   # the new image may take a frame to be painted
            while time.time() < deadline:
                if [images.nth(i).screenshot() for i in range(images.count())] != before:
                    break
                time.sleep(0.1)
            else:
                problems.append(f"cell {cell}: moving '{name}' changed the image's source but not the pixels on screen")
        return problems
    return problems + [f"cell {cell}: the live plot has no enabled control"]


def walk_deck(page, plots, screenshot):
    """Start the deck at the first cell and press Space to its end, trying each live plot on its slide.

    Returns a dict: ``path`` (the cells the deck stepped to, in order), ``problems`` (with the live
    plots), ``font_px`` (text and slider-label sizes seen on slides), ``too_tall`` (step → height of
    a slide taller than the page) and ``code_shown`` (code cell → lines of code on a slide).
    """
    cell_count = page.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").count()
    state = page.start_presentation()
    walk = {"path": [state["active"]], "problems": [], "font_px": {}, "too_tall": {}, "code_shown": {},
            "image_scales": []}
    while state is not None:
        layout = page.slide_layout()
        if layout["height"] > PROJECTOR[1]:
            walk["too_tall"][state["active"]] = round(layout["height"])
        walk["code_shown"].update(layout["code"])
        for scale in page.page.evaluate("""() => Array.from(document.querySelectorAll(
                '.jp-Cell.jp-deck-mod-visible .jp-OutputArea-output img')).filter(i => i.naturalWidth > 0)
                .map(i => i.getBoundingClientRect().width / i.naturalWidth)"""):
            walk["image_scales"].append(round(scale, 2))
        walk["code_px"] = max(walk.get("code_px", 0), layout["code_px"])
        for selector in (".jp-RenderedMarkdown p", ".widget-label"):
            if selector not in walk["font_px"]:
                size = page.font_size(selector)
                if size is not None:
                    walk["font_px"][selector] = size
        if state["active"] in plots:
            walk["problems"] += exercise_live_plot(page, state["active"])
            if not screenshot.exists():
                page.page.screenshot(path=str(screenshot))
        # Space and a clicker's PageDown in turn; right after a slider was used, Space (a focused slider
        # takes PageDown as a big step of its own, as the README warns)
        # (a focused option button keeps Space for itself, tools/present: then the clicker's PageDown)
        on_buttons = page.page.evaluate("() => !!document.activeElement?.closest('.widget-toggle-buttons')")
        clicker = (len(walk["path"]) % 2 and state["active"] not in plots) or on_buttons
        state = page.step(key="PageDown" if clicker else "Space")
        if state is not None:
            walk["path"].append(state["active"])
        assert len(walk["path"]) <= cell_count, f"the deck does not end: it went through cells {walk['path']}"
    page.stop_presentation()
    return walk


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_presents_and_its_sliders_work_in_presentation_mode(presenter, notebook):
    lab, chromium = presenter
    stem = notebook.removesuffix(".ipynb")
    types = slide_types(notebook)
    on_slides = [i for i, kind in enumerate(types) if kind not in NOT_ON_SLIDES]
    BUILD.mkdir(parents=True, exist_ok=True)
    screenshot = BUILD / f"{stem}.png"
    screenshot.unlink(missing_ok=True)
    began, report = time.time(), {}
    page = PresentationPage(lab, chromium, notebook)
    try:
        report["run_all_s"] = page.run_all()
        assert page.broken_widgets() == 0, "a widget shows 'Error displaying widget'"
        plots = live_plot_cells(page)
        deck_began = time.time()
        walk = walk_deck(page, plots, screenshot)
        report.update(deck_s=time.time() - deck_began, steps=len(walk["path"]) - 1, path=walk["path"],
                      slides_taller_than_the_screen_px=walk["too_tall"], code_lines_shown=walk["code_shown"],
                      tallest_code_box_px=walk.get("code_px", 0))

        never_shown = [i for i in on_slides if i not in walk["path"]]
        hint = (" jupyterlab-slideshow shows a continuation cell only when its slide_type is '' or absent, not '-'."
                if any(types[i] == "-" for i in never_shown) else "")
        assert not never_shown, (
            f"{len(never_shown)} cells on slides never appear in presentation mode: "
            f"{', '.join(f'{i} ({types[i]!r})' for i in never_shown)}.{hint}")
        assert walk["path"] == on_slides, (
            f"Space stepped through cells {walk['path']} ({len(walk['path']) - 1} steps); the slide metadata "
            f"puts cells {on_slides} on slides, in this order ({len(on_slides) - 1} steps)")
        assert not plots or set(plots) & set(on_slides), \
            f"the live plots (cells {plots}) are all in skip or notes cells"
        assert not walk["problems"], "\n".join(walk["problems"])
        text_px = walk["font_px"].get(".jp-RenderedMarkdown p")
        assert text_px == px(PRESENTER_STYLES["--jp-content-font-size1"]), \
            f"slide text is {text_px} px, not the presenter's size"
        if plots:
            label_px = walk["font_px"].get(".widget-label")
            assert label_px == px(PRESENTER_STYLES["--jp-ui-font-size1"]), \
                f"slider labels are {label_px} px, not the presenter's size"
        # figures are drawn with text of at least 14.4 px (course_lib.viz.plotting); on slides they are shown
        # at 1.5×, so their smallest text is at least the presenter's 18 px UI font
        assert min(walk["image_scales"], default=1.5) * 14.4 >= px(PRESENTER_STYLES["--jp-ui-font-size1"]), \
            f"figures shown at {min(walk['image_scales'])}× their size on slides: their text is too small to read"
        code_px = px(PRESENTER_STYLES["--jp-code-font-size"])
        assert walk["code_px"] <= 11 * 1.4 * code_px + 16, \
            f"a code box {walk['code_px']:.0f} px tall on a slide: long code scrolls in a box of about ten lines"
        assert not page.console_errors, f"browser console errors: {page.console_errors[:5]}"
    finally:
        report["total_s"] = time.time() - began
        (BUILD / f"{stem}.json").write_text(json.dumps(report, indent=1))
        page.close()
