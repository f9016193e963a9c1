"""The offline decks: every chapter builds into a reveal.js deck that works with no network.

The decks are built once (tools/decks.py: execute every chapter, export with local assets) into a
temporary folder, served from 127.0.0.1, and opened in Chromium with every other request blocked.
For each deck: it loads, no request fails, no console error, the slide count is the one the
notebook's slide metadata makes, the maths is typeset (and no raw `$$` is left), widgets show their
PNG, every slide fits its 960×700 frame, and the speaker notes are in it. The same deck is also
opened from file:// (an instructor double-clicking it on a USB stick).

Needs the pinned assets in .cache/npm/ (`make deck-assets`, which `make test` runs first).
"""
import functools
import html.parser
import http.server
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from deckpage import DeckPage
from labdriver import ROOT, open_browser, require_browser

sys.path.insert(0, str(ROOT / "tools"))
import decks  # noqa: E402

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = ROOT / "build" / "decks-screens"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """All decks, built once: (folder, {notebook: deck record})."""
    out = tmp_path_factory.mktemp("decks")
    records = decks.build_decks(out)
    return out, {r["notebook"]: r for r in records}


@pytest.fixture(scope="module")
def server(built):
    """The deck folder over HTTP on 127.0.0.1 (a local address the blocker lets through)."""
    folder, _ = built
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def chromium():
    require_browser("deck tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        yield browser
        browser.close()


MATHS_LEFT_RAW = """() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown'))
    .map(e => e.innerText).filter(t => /\\$\\$|\\\\frac|\\\\sum|\\\\partial/.test(t))"""

WIDGET_PICTURES = """() => Array.from(document.querySelectorAll('p.nncourse-static')).filter(p => {
    const img = p.previousElementSibling;
    return img && img.tagName === 'IMG' && img.src.startsWith('data:image/png') && img.naturalWidth > 100;
}).length"""

SHRUNK_FIGURES = """() => {
    const out = [];
    for (const s of Reveal.getSlides()) {
        const idx = Reveal.getIndices(s);
        Reveal.slide(idx.h, idx.v);
        for (const i of s.querySelectorAll('img'))
            if (i.naturalWidth > 100 && i.offsetWidth < 0.9 * i.naturalWidth)
                out.push(`${idx.h}.${idx.v || 0}: ${i.naturalWidth}×${i.naturalHeight} shown ${i.offsetWidth}×${i.offsetHeight}`);
    }
    Reveal.slide(0, 0);
    return out;
}"""

OVERFLOWING = """() => {
    const out = [], height = Reveal.getConfig().height;
    for (const s of Reveal.getSlides()) {
        const idx = Reveal.getIndices(s);
        Reveal.slide(idx.h, idx.v);
        if (s.scrollHeight > height * 1.04) out.push(`${idx.h}.${idx.v || 0} (${s.scrollHeight}px)`);
    }
    Reveal.slide(0, 0);
    return out;
}"""


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_deck_works_offline(built, server, chromium, notebook):
    folder, records = built
    record = records[notebook]
    deck = DeckPage(chromium, f"{server}/{record['deck']}", server)
    try:
        assert not deck.blocked, f"the deck asked the network for {deck.blocked[:5]}"
        assert not deck.failed, f"failed requests: {deck.failed[:5]}"
        assert not deck.errors, f"console errors: {deck.errors[:5]}"
        assert deck.evaluate("Reveal.getTotalSlides()") == record["slides"]
        nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
        expects_maths = any(c.cell_type == "markdown" and "$" in c.source for c in nb.cells)
        typeset = deck.evaluate("document.querySelectorAll('mjx-container svg').length")
        assert typeset > 0 or not expects_maths, "no maths was typeset"
        assert deck.evaluate(MATHS_LEFT_RAW) == [], "raw TeX left on a slide"
        widgets = sum(bool(re.search(r"\bLivePlot\(|\bPlaygroundWidget(?:\.preset)?\(", c.source))
                      for c in nb.cells if c.cell_type == "code")      # a playground draws with a LivePlot
        pngs = deck.evaluate(WIDGET_PICTURES)
        assert pngs == widgets, f"{widgets} widgets in the notebook but {pngs} widget pictures in the deck"
        # a figure's smallest text is 14.4 px (course_lib.viz.plotting); in the 960-px frame it stays ≥ 13 px
        assert deck.evaluate(SHRUNK_FIGURES) == [], "figures shrunk on their slide, their text too small"
        alts = deck.evaluate("Array.from(document.querySelectorAll('.reveal section img')).map(i => i.alt)")
        assert alts and all(len(alt) > 20 for alt in alts), "a figure in the deck without alt text"
        notes = sum(c.metadata.get("slideshow", {}).get("slide_type") == "notes" for c in nb.cells)
        assert deck.evaluate("document.querySelectorAll('aside.notes').length") >= notes > 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        deck.evaluate("Reveal.slide(1, 0)")
        deck.page.screenshot(path=str(SCREENSHOTS / f"{Path(notebook).stem}.png"))
    finally:
        deck.close()


def test_decks_fit_their_slides(built, server, chromium):
    """One idea per slide: no slide's content is taller than the 700-pixel frame (give or take reveal's
    4 % margin: fonts differ between machines, and tools/paginate_slides.py aims at 660 pixels)."""
    folder, records = built
    too_tall = {}
    for notebook, record in records.items():
        deck = DeckPage(chromium, f"{server}/{record['deck']}", server)
        try:
            overflow = deck.evaluate(OVERFLOWING)
        finally:
            deck.close()
        if overflow:
            too_tall[notebook] = overflow
    assert not too_tall, f"slides taller than the frame (slide h.v and its height): {json.dumps(too_tall)}"


def test_deck_opens_from_a_usb_stick(built, chromium):
    """Opened as a file (no server at all) the deck still starts and typesets its maths."""
    folder, records = built
    deck = DeckPage(chromium, (folder / records["02_backpropagation.ipynb"]["deck"]).as_uri(), "file://")
    try:
        assert not deck.blocked and not deck.failed and not deck.errors
        assert deck.evaluate("document.querySelectorAll('mjx-container svg').length") > 0
    finally:
        deck.close()


def test_index_lists_every_deck(built):
    folder, records = built
    index = (folder / "index.html").read_text()
    for record in records.values():
        assert f'href="{record["deck"]}"' in index
    assert len(records) == len(NOTEBOOKS)


def test_assets_are_pinned_and_verified():
    for package in decks.ASSETS:
        data = decks.tarball_path(package).read_bytes()
        assert decks._verified(data, package) is data
        with pytest.raises(ValueError, match="sha512 mismatch"):
            decks._verified(data + b"x", package)


def chapter(path, *code):
    """A tiny notebook at ``path``: a title slide, then one code cell per piece of ``code``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}", metadata={"slideshow": {"slide_type": "slide"}})]
    nb.cells += [nbformat.v4.new_code_cell(c, metadata={"slideshow": {"slide_type": ""}}) for c in code]
    nbformat.write(nb, path)
    return path


def test_a_failing_chapter_does_not_stop_the_others(tmp_path):
    """As `make decks` runs it: the good chapter's deck and the index are written, then the build
    exits non-zero naming the chapter that failed, its cell and its exception."""
    good = chapter(tmp_path / "01_good.ipynb", "print(6 * 7)")
    bad = chapter(tmp_path / "02_bad.ipynb", "x = 1", "ratio = 1 / 0  # the broken cell")
    out = tmp_path / "decks"
    (out).mkdir()
    (out / "02_bad.slides.html").write_text("a stale deck from an earlier build")
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "decks.py"), "build", "--out", str(out), str(bad), str(good)],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 of 2 decks did not build" in run.stderr
    assert "02_bad.ipynb: cell 2 ('ratio = 1 / 0  # the broken cell') raised ZeroDivisionError: division by zero" \
        in run.stderr, run.stderr
    assert "01_good" not in run.stderr
    assert "42" in (out / "01_good.slides.html").read_text(), "the good chapter's deck was not built"
    assert not (out / "02_bad.slides.html").exists(), "a stale deck of the failed chapter was left"
    index = (out / "index.html").read_text()
    assert 'href="01_good.slides.html"' in index and "02_bad" not in index
    assert [d["notebook"] for d in json.loads((out / "decks.json").read_text())] == ["01_good.ipynb"]
    assert (out / "assets" / "reveal.js" / "dist" / "reveal.js").is_file()


def test_a_build_error_names_every_failure_with_its_first_lines():
    err = decks.DeckBuildError({"03_x.ipynb": decks.error_summary(ValueError("one\ntwo\n\x1b[31mthree\x1b[0m\n4\n5\n6\n7")),
                                "05_y.ipynb": decks.error_summary(decks.ChapterFailed("cell 4 ('f()') raised KeyError: 'a'"))},
                               decks=[{"deck": "00_z.slides.html"}])
    assert str(err).splitlines() == [
        "2 of 3 decks did not build:",
        "  03_x.ipynb: ValueError: one", "    two", "    three", "    4", "    5", "    6",
        "  05_y.ipynb: cell 4 ('f()') raised KeyError: 'a'"]


class _Images(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def test_deck_images_keep_their_alt_text():
    """alt under output.metadata["image/png"] (what LivePlot and matplotlib figures carry) or at the
    top of output.metadata reaches the <img>; a widget's picture keeps it and its caption."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show()", metadata={"slideshow": {"slide_type": "slide"}})
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": PIXEL, "text/plain": "<Figure>"},
                               metadata={"image/png": {"alt": 'Loss falls from 0.69 to 0.05 ("fast" & <smooth>)'}}),
        nbformat.v4.new_output("display_data", data={"image/png": PIXEL}, metadata={"alt": "Top-level alt."}),
        nbformat.v4.new_output("display_data", data={"image/png": PIXEL, decks.WIDGET_VIEW: {"model_id": "m"},
                                                     "text/plain": "LivePlot(...)"},
                               metadata={"image/png": {"alt": "A widget: sigmoid for slope 1."}}),
    ]
    nb.cells = [cell]
    page = decks.export_slides(decks.static_outputs(nb))
    parser = _Images()
    parser.feed(page)
    assert [img.get("alt") for img in parser.images] == [
        'Loss falls from 0.69 to 0.05 ("fast" & <smooth>)', "Top-level alt.", "A widget: sigmoid for slope 1."]
    assert all(img["src"] == f"data:image/png;base64,{PIXEL}" for img in parser.images)
    assert page.count('<p class="nncourse-static">') == 1 and "LivePlot(...)" not in page


def test_slide_count_follows_the_metadata():
    nb = nbformat.v4.new_notebook()
    kinds = ["", "slide", "fragment", "subslide", "skip", "notes", "slide", ""]
    nb.cells = [nbformat.v4.new_markdown_cell("x", metadata={"slideshow": {"slide_type": k}}) for k in kinds]
    assert decks.slide_count(nb) == 1 + 3
    nb.cells = nb.cells[1:]
    assert decks.slide_count(nb) == 3


def test_speaker_view_shows_the_notes(built, server, chromium):
    """S opens reveal.js's speaker view (current slide, next slide, timer) with the slide's notes."""
    folder, records = built
    deck = DeckPage(chromium, f"{server}/{records['00_start_here.ipynb']['deck']}", server)
    try:
        deck.evaluate("Reveal.slide(1, 0)")
        notes = deck.evaluate("Reveal.getCurrentSlide().querySelector('aside.notes').innerText.trim()")
        assert len(notes) > 40
        with deck.page.context.expect_page() as popup:
            deck.page.keyboard.press("s")
        speaker = popup.value
        errors = []
        speaker.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        speaker.wait_for_function("text => document.body && document.body.innerText.includes(text)",
                                  arg=notes[:60], timeout=15_000)
        assert not errors and not deck.errors and not deck.failed and not deck.blocked
        speaker.close()
    finally:
        deck.close()
