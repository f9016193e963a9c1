"""Every notebook in a real JupyterLab in Chromium, as a student sees it: it runs, every widget works and reads.

nbval proves that cells execute; this proves what a student sees, on a laptop page (1280×800, the
file browser open: tests/screen.py). Each notebook is opened fresh and run once (Run All from the
menu, the fixture ``ran``); the tests below then look at that page:

- no cell raised, no widget failed to display, no console errors, and moving each control changes
  its own live plot's picture and no other one (``..._every_widget_redraws...``);
- every slider's track is long enough to drag, every readout shows a rounded number, there is no
  dropdown (a keyboard trap in JupyterLab), every option of a ToggleButtons or RadioButtons control
  can be chosen from the keyboard and redraws the plot, a greyed-out control looks it, every picture
  is shown at its natural size (not shrunk) and a live plot's picture has a title (its alt text);
- the numbers in tests/screen.py still hold in this page;
- last, because a failure cuts a cell: typing a letter on a focused control leaves the cells alone
  (JupyterLab runs its notebook shortcuts, "x" cuts the cell, for any focused non-text element,
  unless the course's settings, tools/lab, which the test server reads, bind those keys in widgets).

Needs Debian's Chromium (`apt-get install chromium`) and Playwright (a test dependency). In CI
(CI=true) a missing browser fails the run; elsewhere these tests skip and say how to enable them.
Writes to build/browser/: <notebook>.png (the first live plot), <notebook>-<k>.png (live plot k after
its first control moved), <notebook>-disabled-<i>.png (control i enabled, above it greyed out) and
<notebook>.latency.json (key press to new pixels, ms, per control).
"""
import io
import json
import re
import time
import unicodedata

import pytest

import screen
from labdriver import ROOT, STUDENT_SCREEN, NotebookPage, lab_and_browser, require_browser

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
BUILD = ROOT / "build" / "browser"
# A slider's track must be long enough to drag: ten times its handle (15 px across), so the handle has ten
# places a student can tell apart, and a 20-step slider gets 7.5 px a step — more than a touchpad lands
# on reliably. (ipywidgets' own default slider with a short label has a 124 px track.)
MIN_TRACK_PX = 150
MAX_SIGNIFICANT_DIGITS = 6         # a readout like "-0.49999999999999956" (17 digits) shows float noise
READOUT_STEPS = 25                 # a slider's readout is read at this many positions to the right of its own
# A greyed-out control has at most this share of the ink it has enabled. ipywidgets alone fades only a slider's
# track (label and readout stay black): 77–81 %, "barely" disabled; label and readout greyed too: about 41 %.
DISABLED_INK = 0.6
# Keys a student may type on a focused control ("x" to pick XOR), each a notebook shortcut in JupyterLab's command
# mode: cut, copy and paste (below, above), insert a cell above or below, make it Markdown, code or raw, delete
# ("d d"), a heading, merge. "x" first: it is what the issue saw cut a widget's cell.
KEYS = ["x", "c", "v", "Shift+V", "a", "b", "m", "y", "r", "d d", "1", "Shift+M"]


@pytest.fixture(scope="module")
def browser():
    require_browser("browser tests")
    with lab_and_browser() as lab_and_chromium:
        yield lab_and_chromium


@pytest.fixture(scope="module", params=NOTEBOOKS)
def ran(request, browser):
    """The notebook ``request.param`` opened on a student's laptop page and run (Run All)."""
    lab, chromium = browser
    page = NotebookPage(lab, chromium, request.param)
    try:
        page.run_all()
        yield page
    finally:
        page.close()


def stem(page):
    return page.notebook.removesuffix(".ipynb")


def own_image(page, index):
    """The position among ``img.widget-image`` of the picture of control ``index``'s live plot, or None."""
    plot = page.live_plot_of(index)
    return None if plot is None else page.live_plot_images()[plot]


def test_notebook_runs_and_every_widget_redraws_in_jupyterlab(ran):
    page = ran
    if page.broken_widgets():
        errors = page.page.locator(".jupyter-widgets-error-widget")
        detail = ""
        if errors.count():
            errors.first.click()                   # the box then shows the JavaScript error
            detail = errors.first.inner_text()[:600]
        pytest.fail(f"{page.broken_widgets()} widgets failed to display ('Error displaying widget' or "
                    f"'Click to show javascript error'):\n{detail}")
    BUILD.mkdir(parents=True, exist_ok=True)
    for old in BUILD.glob(f"{stem(page)}-[0-9]*.png"):
        old.unlink()
    images = page.images()
    if images.count():
        images.first.scroll_into_view_if_needed()
        images.first.screenshot(path=str(BUILD / f"{stem(page)}.png"))
    timings, stuck, elsewhere, shot = {}, [], [], set()
    for i in range(page.controls().count()):
        plot = page.live_plot_of(i)

        def screenshot(plot=plot):
            if plot is not None and plot not in shot:          # each live plot after its first control moved
                shot.add(plot)
                page.live_plot(plot).screenshot(path=str(BUILD / f"{stem(page)}-{plot}.png"))

        ms = page.move(i, moved=screenshot)
        name = f"{i}:{page.describe(i)}"
        if ms is None:
            stuck.append(name)
        elif ms != "disabled":       # greyed out: it does nothing for the current choice, on purpose
            timings[name] = ms
            mine = own_image(page, i)
            if mine is not None and page.changed != [mine]:
                elsewhere.append(f"{name} changed pictures {page.changed}, its own is {mine}")
    assert not stuck, f"moving these controls changed no plot: {stuck}"
    assert not elsewhere, f"moving a control changed another widget's picture: {elsewhere}"
    assert not page.console_errors, f"browser console errors: {page.console_errors[:5]}"
    (BUILD / f"{stem(page)}.latency.json").write_text(json.dumps(timings, indent=1))


def test_every_slider_track_is_long_enough_to_drag(ran):
    short = [f"'{label}' {px:.0f} px" for label, px in ran.slider_tracks() if px < MIN_TRACK_PX]
    assert not short, f"slider tracks shorter than {MIN_TRACK_PX} px at 1280 px with the file browser open: {short}"


def significant_digits(number):
    """Significant digits of a number as written: "0.0012" → 2, "-0.49999999999999956" → 17, "1200" → 2."""
    mantissa = re.split(r"[eE]", number.lstrip("+-−"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits.rstrip("0") if "." not in mantissa else digits)


NUMBER = re.compile(r"[-+−]?\d[\d.]*(?:[eE][-+]?\d+)?")


def unrounded(readouts):
    return [f"'{label}' reads {text!r}" for label, text in readouts
            if any(significant_digits(n) > MAX_SIGNIFICANT_DIGITS for n in NUMBER.findall(text))]


def test_every_readout_shows_a_rounded_number(ran):
    page = ran
    problems = set(unrounded(page.readouts()))
    for i in range(page.controls().count()):
        if page.kind(i) != "slider" or page.is_disabled(i):
            continue
        handle = page.controls().nth(i)
        handle.scroll_into_view_if_needed()
        moved = 0
        for _ in range(READOUT_STEPS):              # along the track, reading the readout at each position
            before = page.readouts(i)
            page.press(handle, "ArrowRight")
            if page.readouts(i) == before:
                time.sleep(0.05)
                if page.readouts(i) == before:      # the end of the track
                    break
            moved += 1
            problems.update(unrounded(page.readouts(i)))
        for _ in range(moved):                      # and back where it was
            page.press(handle, "ArrowLeft")
        page.settle()
    assert not problems, f"readouts with more than {MAX_SIGNIFICANT_DIGITS} significant digits: {sorted(problems)}"


def test_no_control_is_a_dropdown(ran):
    labels = ran.page.eval_on_selector_all(
        ".jp-NotebookPanel .widget-dropdown",
        "els => els.map(e => (e.querySelector('.widget-label') || e).textContent.trim())")
    assert not labels, (f"dropdowns (a keyboard trap in JupyterLab: arrow keys leave them, a letter runs a notebook "
                        f"shortcut) — use course_lib.viz.widgets.choice: {labels}")


def test_every_option_can_be_chosen_from_the_keyboard_and_redraws_the_plot(ran):
    page = ran
    problems = []
    for i in range(page.controls().count()):
        if page.kind(i) not in ("toggle", "radio"):
            continue
        name = f"{i}:{page.describe(i)}"
        if page.is_disabled(i):
            continue
        page.settle()
        cells = page.cell_sources()
        options, original, mine = page.options(i), page.chosen(i), own_image(page, i)
        order = [k for k in range(options.count()) if k != original] + [original]
        for step, k in enumerate(order):
            key = "Enter" if step == len(order) - 1 else "Space"   # back to the start with Enter
            label = options.nth(k).evaluate("o => o.textContent.trim() || o.dataset.value || o.value")
            ms = page.timed(lambda: page.press(options.nth(k), key), 5.0)
            page.settle()
            if page.chosen(i) != k:
                problems.append(f"{name}: {key} on option '{label}' did not choose it")
            elif ms is None or (mine is not None and mine not in page.changed):
                problems.append(f"{name}: choosing '{label}' with {key} did not change its plot")
        if page.cell_sources() != cells:
            problems.append(f"{name}: choosing its options from the keyboard changed the notebook's cells")
            break
    assert not problems, "\n".join(problems)


def ink(png):
    """How much a picture darkens white paper: the sum over its pixels of (1 − luminance)."""
    from PIL import Image

    grey = Image.open(io.BytesIO(png)).convert("L")
    return sum((255 - v) * n for v, n in enumerate(grey.histogram())) / 255


def save_pair(path, top, bottom):
    """The two pictures one above the other, as a PNG at ``path``."""
    from PIL import Image

    a, b = Image.open(io.BytesIO(top)), Image.open(io.BytesIO(bottom))
    pair = Image.new("RGB", (max(a.width, b.width), a.height + b.height + 6), "white")
    pair.paste(a, (0, 0))
    pair.paste(b, (0, a.height + 6))
    pair.save(path)


def test_a_greyed_out_control_looks_disabled(ran):
    """A control greyed out for some choice in its live plot is compared, pixel for pixel, with itself
    enabled: as a whole (label, track and handle, readout) it must be clearly lighter. Every option of
    every ToggleButtons or RadioButtons control is chosen in turn to find the disabled states."""
    page = ran
    page.settle()
    BUILD.mkdir(parents=True, exist_ok=True)
    for old in BUILD.glob(f"{stem(page)}-disabled-*.png"):
        old.unlink()
    row = ("e => e.closest('.widget-slider, .widget-toggle-buttons, .widget-radio, .widget-checkbox, "
           ".widget-dropdown')")
    shots = {}                                      # control → {disabled: picture of its row}

    def look():
        for i in range(page.controls().count()):
            state = page.is_disabled(i)
            if state not in shots.setdefault(i, {}):
                widget = page.controls().nth(i).evaluate_handle(row).as_element()
                widget.scroll_into_view_if_needed()
                shots[i][state] = widget.screenshot()

    look()
    for j in range(page.controls().count()):
        if page.kind(j) not in ("toggle", "radio") or page.is_disabled(j):
            continue
        options, original = page.options(j), page.chosen(j)
        for k in [k for k in range(options.count()) if k != original] + [original]:
            page.press(options.nth(k), "Space")
            page.settle()
            look()
    problems = []
    for i, pictures in shots.items():
        if True not in pictures:
            continue
        name = f"{i}:{page.describe(i)}"
        if False not in pictures:
            problems.append(f"{name} is disabled and no choice of an option enables it")
            continue
        ratio = ink(pictures[True]) / ink(pictures[False])
        save_pair(BUILD / f"{stem(page)}-disabled-{i}.png", pictures[False], pictures[True])
        if ratio > DISABLED_INK:
            problems.append(f"{name}: disabled it has {ratio:.0%} of the ink it has enabled; a greyed-out control "
                            f"needs ≤ {DISABLED_INK:.0%}")
    assert not problems, "\n".join(problems)


def test_every_picture_is_shown_at_its_natural_size_and_a_live_plot_has_alt_text(ran):
    pictures = ran.image_sizes()
    shrunk = [f"{'live plot' if p['live'] else 'figure'} {k}: {p['natural']} px shown at {p['shown']:.0f} px"
              for k, p in enumerate(pictures) if p["shown"] < p["natural"] - 0.5]
    assert not shrunk, f"pictures shrunk to fit the {screen.OUTPUT_WIDTH_PX} px output area: {shrunk}"
    untitled = [k for k, p in enumerate(p for p in pictures if p["live"]) if not p["title"].strip()]
    assert not untitled, f"live plots whose picture has no title (alt text): {untitled}"


def columns(text):
    """Width of ``text`` in monospace columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_the_screen_constants_still_hold(ran):
    """The numbers of tests/screen.py, measured again in this page, and checked against every line shown."""
    page = ran
    assert tuple(page.page.viewport_size.values()) == STUDENT_SCREEN == screen.SCREEN
    measured = page.screen_metrics()
    assert measured["file_browser_px"] == screen.FILE_BROWSER_PX, "the file browser is not open at its width"
    expected = {"body_font_px": screen.BODY_FONT_PX, "output_width_px": screen.OUTPUT_WIDTH_PX,
                "code_columns": screen.CODE_COLUMNS, "output_columns": screen.OUTPUT_COLUMNS}
    stale = {k: (measured[k], v) for k, v in expected.items() if measured[k] is not None and measured[k] != v}
    assert not stale, f"tests/screen.py is stale; measured vs recorded: {stale} ({measured})"
    wrong = []
    for what, lines, limit in [("code line", page.code_lines(), screen.CODE_COLUMNS),
                               ("printed line", page.printed_lines(), screen.OUTPUT_COLUMNS)]:
        for text, fits in lines:
            if columns(text) <= limit and not fits:
                wrong.append(f"{what} of {columns(text)} columns does not fit: {text!r}")
            elif text.isascii() and len(text) > limit and fits:
                wrong.append(f"{what} of {len(text)} characters fits, more than the recorded {limit}: {text!r}")
    assert not wrong, "\n".join(wrong[:20])


def test_typing_a_letter_on_a_focused_control_leaves_the_cells_alone(ran):
    """A student types "x" to pick XOR: in JupyterLab's command mode that would cut the focused cell.
    Every key of ``KEYS`` is typed on every control; a change to the cells is undone ("z") to go on.
    Runs last: should the undo fail, the fixture's page is spent."""
    page = ran
    cells = page.cell_sources()
    changed = []
    for i in range(page.controls().count()):
        if page.is_disabled(i):
            continue
        kind, name = page.kind(i), f"{i}:{page.describe(i)}"
        target = page.options(i).first if kind in ("toggle", "radio") else page.controls().nth(i)
        target.scroll_into_view_if_needed()
        for key in KEYS:
            for stroke in key.split():
                page.press(target, stroke)
            time.sleep(0.05)
            if page.cell_sources() == cells:
                continue
            changed.append(f"'{key}' on {name} ({kind})")
            for _ in range(2):                        # undo the cell operation (a paste after a copy: twice)
                page.page.keyboard.press("z")
                deadline = time.time() + 3
                while page.cell_sources() != cells and time.time() < deadline:
                    time.sleep(0.1)
                if page.cell_sources() == cells:
                    break
            else:
                pytest.fail(f"typing {changed} changed the notebook's cells, and 'z' did not undo it")
    assert not changed, (f"typing these keys on focused controls changed the notebook's cells (JupyterLab ran "
                         f"its command-mode shortcut): {changed}")
