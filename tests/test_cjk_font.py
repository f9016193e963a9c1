"""Chinese that renders anywhere: the course's subset of Noto Sans SC (tools/cjk_font.py) in the decks.

Unit tests: the subset holds a glyph for every CJK character the course shows and nothing else, it
is small, its CSS is what a page needs, and a character the font lacks stops the build by name.
Browser tests, on a machine without a CJK font (like CI): every chapter's deck (exported without
executing: the Chinese is in the markdown) draws every CJK character on every slide one em wide, as a
CJK font does; the same slide without the font shows boxes, and so do characters the course does not
use (the check can fail). Needs the pinned font tarball in .cache/npm/ (`make deck-assets`).
"""
import os
import re
import subprocess
import sys

import nbformat
import pytest

from glyphs import missing_glyphs
from labdriver import ROOT, open_browser, require_browser

sys.path.insert(0, str(ROOT / "tools"))
import cjk_font  # noqa: E402
import decks  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NOT_IN_THE_COURSE = "猫熊龙"       # in Noto Sans SC, not in the course: no glyph in the subset
SIZE_BUDGET = 300_000             # bytes of woff2, all files together ("a few hundred KB at most")


@pytest.fixture(scope="module")
def font_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cjk-font")
    cjk_font.write_font_files(out)
    return out


def subset_cmap(folder):
    """{code point: woff2 file name} over every woff2 file of the subset."""
    from fontTools.ttLib import TTFont

    return {point: path.name for path in sorted(folder.glob("nncourse-cjk-*.woff2"))
            for point in TTFont(path).getBestCmap()}


def key_terms(notebook):
    """The Chinese column of a chapter's `## Key terms` table (none in chapter 00)."""
    nb = nbformat.read(notebook, as_version=4)
    tables = [c.source for c in nb.cells if c.cell_type == "markdown" and "## Key terms" in c.source]
    rows = [line.split("|") for table in tables for line in table.splitlines() if line.startswith("|")]
    return [row[2].strip() for row in rows if not set(row[2].strip()) <= set("-: ")]


def test_course_characters_are_every_cjk_character_of_the_chapters():
    characters = cjk_font.course_characters()
    assert len(characters) == len(set(characters)) > 300
    assert all(cjk_font.CJK.fullmatch(ch) for ch in characters)
    assert "，" in characters, "CJK punctuation the course uses is included"
    for notebook in NOTEBOOKS:
        nb = nbformat.read(notebook, as_version=4)
        shown = "".join(c.source for c in nb.cells)
        assert set(cjk_font.CJK.findall(shown)) <= set(characters), notebook.name
    terms = "".join(term for notebook in NOTEBOOKS for term in key_terms(notebook))
    assert len(cjk_font.CJK.findall(terms)) > 100 and set(cjk_font.CJK.findall(terms)) <= set(characters)
    assert not set(NOT_IN_THE_COURSE) & set(characters)


def test_subset_has_a_glyph_for_every_course_character_and_no_other(font_dir):
    cmap = subset_cmap(font_dir)
    assert set(cmap) == {ord(ch) for ch in cjk_font.course_characters()}


def test_every_glyph_has_an_outline_and_every_weight(font_dir):
    from fontTools.ttLib import TTFont

    empty = []
    for path in font_dir.glob("nncourse-cjk-*.woff2"):
        font = TTFont(path)
        weight = font["fvar"].axes[0]
        assert (weight.axisTag, weight.minValue, weight.maxValue) == ("wght", 100, 900), "the CSS says 100 900"
        glyf = font["glyf"]
        empty += [f"{chr(point)} in {path.name}" for point, name in font.getBestCmap().items()
                  if glyf[name].numberOfContours == 0]
    assert not empty, f"glyphs without an outline: {empty}"


def test_subset_is_small(font_dir):
    size = cjk_font.font_bytes(font_dir)
    assert 0 < size < SIZE_BUDGET, f"{size} bytes of woff2"


def test_css_declares_each_file_with_exactly_its_characters(font_dir):
    css = (font_dir / cjk_font.CSS_NAME).read_text()
    rules = re.findall(r"@font-face \{(.*?)\}", css, re.S)
    cmap = subset_cmap(font_dir)
    assert len(rules) == len(set(cmap.values()))
    for rule in rules:
        assert 'font-family: "nncourse CJK";' in rule and "font-weight: 100 900;" in rule
        name = re.search(r'src: url\(([^)]+)\) format\("woff2"\);', rule).group(1)
        assert "/" not in name and (font_dir / name).is_file(), "URLs are relative, beside the CSS"
        declared = re.search(r"unicode-range: ([^;]+);", rule).group(1)
        assert declared == cjk_font.unicode_range({p for p, file in cmap.items() if file == name})
    assert "http" not in css


def test_the_licence_goes_with_the_font(font_dir):
    licence = (font_dir / cjk_font.LICENSE_NAME).read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert cjk_font.LICENSE_NAME in (font_dir / cjk_font.CSS_NAME).read_text()


def test_unicode_range_joins_runs():
    assert cjk_font.unicode_range({0x4E09, 0x4E00, 0x4E01, 0x4E02}) == "U+4E00-4E02, U+4E09"
    assert cjk_font.unicode_range({0x20000}) == "U+20000"


def test_a_character_the_font_lacks_stops_the_build_by_name(tmp_path):
    named = r"no glyph for 2 character\(s\) the course uses: 㐀 \(U\+3400\), 𠀀 \(U\+20000\)\."
    with pytest.raises(ValueError, match=named):
        cjk_font.write_font_files(tmp_path, characters="似然𠀀㐀")
    assert not list(tmp_path.iterdir()), "nothing is written when a glyph is missing"


def test_a_second_run_leaves_no_stale_files(tmp_path):
    cjk_font.write_font_files(tmp_path, characters="似然")
    first = {p.name for p in tmp_path.glob("*.woff2")}
    cjk_font.write_font_files(tmp_path, characters="中")
    assert {p.name for p in tmp_path.glob("*.woff2")} != first
    assert set(subset_cmap(tmp_path)) == {ord("中")}


# ---- in Chromium, on a machine without a CJK font ------------------------------------------------

@pytest.fixture(scope="module")
def deck_folder(tmp_path_factory):
    """Every chapter's deck, exported without executing it (its Chinese is in the markdown), with the
    decks' assets and the font subset exactly as `tools/decks.py build` writes them."""
    out = tmp_path_factory.mktemp("cjk-decks")
    decks.install_assets(out)
    for notebook in NOTEBOOKS:
        nb = decks.static_outputs(nbformat.read(notebook, as_version=4))
        (out / f"{notebook.stem}.slides.html").write_text(decks.export_slides(nb), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def chromium():
    require_browser("Chinese font tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        yield browser
        browser.close()


def require_no_cjk_font():
    """The tests that show boxes need a machine without a CJK font: skip elsewhere, fail in CI."""
    try:
        families = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        families = ""
    if families.strip():
        reason = f"this machine has a CJK font ({families.splitlines()[0]}): it draws no boxes to find"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def open_deck(chromium, folder, notebook):
    from deckpage import DeckPage

    return DeckPage(chromium, (folder / f"{notebook}.slides.html").as_uri(), "file://")


SLIDES_WITH_CJK = """pattern => Reveal.getSlides()
    .filter(s => new RegExp(pattern, 'u').test(s.textContent))
    .map(s => { const i = Reveal.getIndices(s); return [i.h, i.v || 0]; })"""
CURRENT_SLIDE = "section.present:not(.stack)"


def key_terms_slide(deck):
    return deck.evaluate("""() => {
        const i = Reveal.getIndices(Reveal.getSlides().find(s => /Key terms/.test(s.textContent)));
        return [i.h, i.v || 0]; }""")


@pytest.mark.parametrize("notebook", [n.stem for n in NOTEBOOKS])
def test_every_chinese_character_on_every_slide_is_drawn(deck_folder, chromium, notebook):
    deck = open_deck(chromium, deck_folder, notebook)
    try:
        slides = deck.page.evaluate(SLIDES_WITH_CJK, cjk_font.CJK.pattern)
        assert slides, "no slide with Chinese"
        measured, missing = 0, []
        for h, v in slides:
            deck.evaluate(f"Reveal.slide({h}, {v})")
            count, boxes = missing_glyphs(deck.page, CURRENT_SLIDE)
            measured += count
            missing += [f"slide {h}.{v}: {box}" for box in boxes]
        assert measured >= len(slides), "Chinese on the slides but none measured"
        assert not missing, f"{len(missing)} characters drawn as boxes: {missing[:5]}"
        assert not deck.blocked and not deck.failed and not deck.errors
        fonts = [url for url in deck.requests if url.endswith(".woff2") and "cjk-font" in url]
        assert fonts, "the deck did not load the course's font"
    finally:
        deck.close()


def test_without_the_font_the_same_slide_shows_boxes(deck_folder, chromium):
    require_no_cjk_font()
    deck = open_deck(chromium, deck_folder, "02_backpropagation")
    try:
        deck.evaluate("document.getElementById('nncourse-cjk').remove()")
        deck.evaluate("Reveal.slide({}, {})".format(*key_terms_slide(deck)))
        measured, missing = missing_glyphs(deck.page, CURRENT_SLIDE)
        assert measured > 20 and len(missing) == measured, missing
    finally:
        deck.close()


def test_characters_the_course_does_not_use_show_as_boxes(deck_folder, chromium):
    """The subset holds only the course's characters: others in the same slide are caught as boxes."""
    require_no_cjk_font()
    deck = open_deck(chromium, deck_folder, "02_backpropagation")
    try:
        deck.evaluate("Reveal.slide({}, {})".format(*key_terms_slide(deck)))
        deck.page.evaluate("""text => { const p = document.createElement('p'); p.textContent = text;
            document.querySelector('section.present:not(.stack)').appendChild(p); }""",
                           f"反向传播 {NOT_IN_THE_COURSE}")
        measured, missing = missing_glyphs(deck.page, CURRENT_SLIDE)
        assert measured > 20
        assert [line[0] for line in missing] == list(NOT_IN_THE_COURSE), missing
    finally:
        deck.close()


NOTES_WITH_CJK = """pattern => {
    const cjk = new RegExp(pattern, 'u');
    const slide = Reveal.getSlides().find(s => Array.from(s.querySelectorAll('aside.notes'))
        .some(n => cjk.test(n.textContent)));
    const i = Reveal.getIndices(slide);
    return [i.h, i.v || 0]; }"""


def test_the_speaker_view_draws_the_chinese_of_the_notes(deck_folder, chromium):
    """S opens the speaker view, a window with reveal's own styles: its notes get the font too.
    Every request is recorded, not routed: with any Playwright route on, the fonts of the speaker view
    (a written window) never finish loading (measured; without Playwright they load)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    left = []
    context.on("request", lambda r: None if r.url.startswith(("file://", "data:")) else left.append(r.url))
    try:
        page = context.new_page()
        page.goto((deck_folder / "01_neurons.slides.html").as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
        h, v = page.evaluate(NOTES_WITH_CJK, cjk_font.CJK.pattern)
        page.evaluate(f"Reveal.slide({h}, {v})")
        with context.expect_page() as popup:
            page.keyboard.press("s")
        speaker = popup.value
        speaker.wait_for_function("""pattern => new RegExp(pattern, 'u').test(
            document.querySelector('.speaker-controls-notes .value')?.textContent || '')""",
                                  arg=cjk_font.CJK.pattern, timeout=15_000)
        speaker.wait_for_function("() => document.getElementById('nncourse-cjk')", timeout=15_000)
        measured, missing = missing_glyphs(speaker, ".speaker-controls-notes .value")
        assert measured > 10 and not missing, missing[:5]
        assert not left, f"requests that leave the machine: {left[:5]}"
    finally:
        context.close()
