"""The course website (tools/book.py): built once, then opened page by page in Chromium, offline.

The book is built once for the module into a temporary folder (every chapter executed, about two
minutes here). Each page is opened from file:// (a reader double-clicking index.html, or any static
host) with every request that is not a local file blocked and recorded: no request may leave the
machine, none may fail, no script may throw and the console stays free of errors. Every local link
goes to a file that exists (and to an anchor that exists there), every image loads, the maths is
typeset, each widget shows its picture, the Chinese is drawn in the course's font (no empty boxes
on a machine without a CJK font), the glossary lists every chapter's key terms, the search page
finds the one chapter that uses a term, and each chapter links to its notebook, which, like the
page, has no speaker notes and no reference solutions.

Needs the pinned assets in .cache/npm/ (`make deck-assets`, which `make test` runs first).
"""
import html.parser
import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from labdriver import ROOT, open_browser, require_browser

sys.path.insert(0, str(ROOT / "tools"))
import book  # noqa: E402
from student_edition import is_left_out  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SEARCHED_TERM = "Maxout"       # a term one chapter uses (03); the test checks that it is only one
NOTES_TEXT = "Speaker notes."                           # how every notes cell of the course begins
SOLUTION_TEXT = "Reference solution (hidden in class"   # how every solution cell of the course begins


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The website, built once: build_book's record (``html``: the site's folder)."""
    return book.build_book(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="module")
def chromium():
    require_browser("website tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        yield browser
        browser.close()


class OfflinePage:
    """A page of the site open in Chromium from file://: any other request is blocked and recorded,
    as are failed requests, console errors and uncaught exceptions."""

    def __init__(self, browser, url, wait_for_maths=True):
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.blocked, self.failed, self.errors = [], [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))

        def gate(route):
            url = route.request.url
            if url.startswith(("file://", "data:", "blob:")):
                route.continue_()
            else:
                self.blocked.append(url)
                route.abort()

        self.page.route("**/*", gate)
        self.page.goto(url, wait_until="load")
        if wait_for_maths:
            self.page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")

    def evaluate(self, script, arg=None):
        return self.page.evaluate(script, arg)

    def close(self):
        self.page.close()


PAGE_FACTS = """() => ({
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
    broken_images: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)
        .map(i => i.getAttribute('src')),
    maths: document.querySelectorAll('.math').length,
    raw_maths: Array.from(document.querySelectorAll('.math'))
        .filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 40)),
    widget_pictures: Array.from(document.querySelectorAll('p.nncourse-static')).filter(p => {
        const img = p.parentElement.previousElementSibling;
        return img && img.tagName === 'IMG' && img.naturalWidth > 100;
    }).length,
    sidebar: Array.from(document.querySelectorAll('nav.bd-docs-nav a')).map(a => a.getAttribute('href')),
    notebook_links: Array.from(document.querySelectorAll('a[href$=".ipynb"]')).map(a => a.href),
})"""


def widget_count(notebook):
    """How many widgets a chapter shows, counted as tests/test_decks.py counts them."""
    nb = nbformat.read(notebook, as_version=4)
    return sum(bool(re.search(r"\bLivePlot\(|\bPlaygroundWidget(?:\.preset)?\(", c.source))
               for c in nb.cells if c.cell_type == "code" and not is_left_out(c))


def local_path(url):
    """The file a file:// URL names, without its query and fragment."""
    return Path(unquote(urlsplit(url).path))


def test_every_page_works_offline(site, chromium):
    html_dir = site["html"]
    pages = sorted(path for path in html_dir.glob("*.html") if path.name != "index.html")  # a redirect
    chapters = [f"{nb.stem}.html" for nb in NOTEBOOKS]
    assert set(chapters + [f"{book.GLOSSARY}.html", "search.html"]) <= {p.name for p in pages}
    problems, facts = {}, {}
    for path in pages:
        page = OfflinePage(chromium, path.as_uri())
        try:
            facts[path.name] = found = page.evaluate(PAGE_FACTS)
            wrong = {"blocked requests": page.blocked, "failed requests": page.failed,
                     "console errors": page.errors, "broken images": found["broken_images"],
                     "maths left raw": found["raw_maths"]}
        finally:
            page.close()
        problems.update({f"{path.name}: {what}": items[:5] for what, items in wrong.items() if items})
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)

    ids = {name: set(found["ids"]) for name, found in facts.items()}
    broken = set()
    for name, found in facts.items():
        for url in found["links"]:
            if not url.startswith("file://"):
                continue                                  # a link out, not a request: the reader decides
            target, fragment = local_path(url), urlsplit(url).fragment
            no_anchor = fragment and target.name in ids and unquote(fragment) not in ids[target.name]
            if not target.exists() or no_anchor:
                broken.add(f"{name} -> {url.removeprefix(html_dir.as_uri())}")
    assert not broken, f"links to no file or no anchor: {sorted(broken)[:10]}"

    in_order = chapters + [f"{book.GLOSSARY}.html"]
    for notebook, chapter in zip(NOTEBOOKS, chapters):
        found = facts[chapter]
        assert found["sidebar"] == [name if name != chapter else "#" for name in in_order], \
            f"{chapter}: the sidebar does not list every chapter and the glossary: {found['sidebar']}"
        cells = nbformat.read(notebook, as_version=4).cells
        has_maths = any("$" in c.source for c in cells if c.cell_type == "markdown")
        assert found["maths"] > 0 or not has_maths, f"{chapter}: no maths typeset"
        assert found["widget_pictures"] == widget_count(notebook), f"{chapter}: a widget without picture"


def test_index_opens_the_first_chapter(site, chromium):
    page = OfflinePage(chromium, (site["html"] / "index.html").as_uri(), wait_for_maths=False)
    try:
        page.page.wait_for_url(f"**/{NOTEBOOKS[0].stem}.html", timeout=10_000)
        assert not page.blocked and not page.failed and not page.errors
    finally:
        page.close()


def test_no_page_names_a_remote_script_style_font_or_image(site):
    remote = []
    for path in site["html"].rglob("*.html"):
        parser = _Sources()
        parser.feed(path.read_text(encoding="utf-8"))
        remote += [f"{path.name}: {url}" for url in parser.urls if re.match(r"(https?:)?//", url)]
    for path in site["html"].rglob("*.css"):
        css = path.read_text(errors="replace")
        urls = re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", css)
        remote += [f"{path.name}: {url}" for url in urls]
    assert not remote, remote[:10]


class _Sources(html.parser.HTMLParser):
    """Every URL a page loads by itself: script src, link href (stylesheets, icons, preloads), img and
    source src, iframe src, and URLs inside its inline scripts."""

    def __init__(self):
        super().__init__()
        self.urls, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "source", "iframe", "video", "audio", "embed") and attrs.get("src"):
            self.urls.append(attrs["src"])
        navigation = ("next", "prev", "index", "search")         # links to pages, not loaded with this one
        if tag == "link" and attrs.get("href") and attrs.get("rel") not in navigation:
            self.urls.append(attrs["href"])
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.urls += re.findall(r"https?://[^\s'\"`]+", data)


def test_chapters_show_neither_speaker_notes_nor_solutions(site):
    for notebook in NOTEBOOKS:
        page = (site["html"] / f"{notebook.stem}.html").read_text(encoding="utf-8")
        staged = json.loads((site["html"] / "_sources" / notebook.name).read_text(encoding="utf-8"))
        assert NOTES_TEXT not in page and SOLUTION_TEXT not in page, notebook.name
        assert not any(is_left_out(cell) for cell in staged["cells"]), notebook.name
        assert "_solution" not in json.dumps(staged), f"{notebook.name}'s download holds a solution"


def test_each_chapter_links_to_its_notebook(site):
    for notebook in NOTEBOOKS:
        page = (site["html"] / f"{notebook.stem}.html").read_text(encoding="utf-8")
        links = re.findall(r'href="([^"]+\.ipynb)"', page)
        assert f"_sources/{notebook.name}" in links, f"{notebook.stem}.html has no link to its notebook"
        downloaded = nbformat.read(site["html"] / "_sources" / notebook.name, as_version=4)
        assert any(cell.get("outputs") for cell in downloaded.cells), "the notebook carries its outputs"


def test_glossary_lists_every_chapters_key_terms_in_english_and_chinese(site, chromium):
    page = OfflinePage(chromium, (site["html"] / f"{book.GLOSSARY}.html").as_uri())
    try:
        rows = page.evaluate("""() => Array.from(document.querySelectorAll('article table tbody tr'))
            .map(tr => [tr.cells[0].innerText.trim(), tr.cells[1].innerText.trim(),
                Array.from(tr.cells[2].querySelectorAll('a')).map(a => a.getAttribute('href'))])""")
        header = page.evaluate("""() => Array.from(document.querySelectorAll('article table thead th'))
            .map(th => th.innerText.trim())""")
    finally:
        page.close()
    assert header[:2] == ["English", "中文"]
    plain = str.maketrans("‘’“”", "''\"\"")          # Sphinx's typographic quotes, back to the notebook's
    listed = {(english.translate(plain), chinese): set(links) for english, chinese, links in rows}
    assert len(listed) == len(rows), "a term is listed twice"
    with_terms = 0
    for notebook in NOTEBOOKS:
        terms = book.key_terms(nbformat.read(notebook, as_version=4))
        with_terms += bool(terms)
        for term in terms:
            assert term in listed, f"{notebook.stem}'s key term {term} is not in the glossary"
            assert f"{notebook.stem}.html" in listed[term], f"{term} does not link to {notebook.stem}"
    assert with_terms >= len(NOTEBOOKS) - 1, "every chapter but the first has key terms"
    first_letters = [re.sub("^[^A-Za-z0-9]+", "", english).lower() for english, _ in listed]
    assert first_letters == sorted(first_letters), "the glossary is not in alphabetical order"


def test_chinese_is_drawn_without_a_system_font(site, chromium):
    """The CI machine has no CJK font: every Chinese character comes from the site's own font subset."""
    from glyphs import missing_glyphs

    for name in (f"{book.GLOSSARY}.html", "01_neurons.html"):
        page = OfflinePage(chromium, (site["html"] / name).as_uri())
        try:
            measured, missing = missing_glyphs(page.page)
        finally:
            page.close()
        assert measured > 20 and missing == [], f"{name}: {missing[:5]}"


def test_search_finds_the_one_chapter_that_uses_a_term(site, chromium):
    sources = {nb.stem: (site["html"] / "_sources" / nb.name).read_text(encoding="utf-8")
               for nb in NOTEBOOKS}
    using = [name for name, text in sources.items() if re.search(rf"\b{SEARCHED_TERM}\b", text)]
    assert len(using) == 1, f"pick a term only one chapter uses; {SEARCHED_TERM} is in {using}"
    page = OfflinePage(chromium, (site["html"] / "search.html").as_uri() + f"?q={SEARCHED_TERM}")
    try:
        page.page.wait_for_selector("#search-results li a", timeout=20_000)
        found = page.evaluate("""() => Array.from(document.querySelectorAll('#search-results li a'))
            .map(a => a.getAttribute('href'))""")
        assert not page.errors and not page.blocked
    finally:
        page.close()
    chapters = {href.split(".html")[0] for href in found} & set(sources)
    assert chapters == set(using), f"searching {SEARCHED_TERM} found {found}"


def _notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def test_key_terms_reads_every_english_chinese_pair_of_the_table():
    table = ("## Key terms\n\n| English | 中文 | English | 中文 |\n|---|---|---|---|\n"
             "| loss function | 损失函数 | entropy | 熵 |\n| likelihood | 似然 | | |\n")
    nb = _notebook(nbformat.v4.new_markdown_cell("# 06 · Losses"), nbformat.v4.new_markdown_cell(table))
    assert book.key_terms(nb) == [("loss function", "损失函数"), ("entropy", "熵"), ("likelihood", "似然")]
    assert book.key_terms(_notebook(nbformat.v4.new_markdown_cell("# 00 · Start here"))) == []


def test_key_terms_refuse_a_table_without_english_and_chinese_columns():
    table = "## Key terms\n\n| term | meaning |\n|---|---|\n| a | b |\n"
    nb = _notebook(nbformat.v4.new_markdown_cell(table))
    with pytest.raises(ValueError, match="English"):
        book.key_terms(nb)


def test_glossary_gives_a_term_several_chapters_list_one_row_linking_to_each():
    vanishing = ("vanishing gradient", "梯度消失")
    chapters = [{"name": "04_vanishing", "terms": [vanishing]},
                {"name": "06_losses", "terms": [vanishing, ("(uncentred) moment", "矩")]}]
    rows = [line for line in book.glossary_markdown(chapters).splitlines() if line.startswith("| ")][1:]
    assert rows == ["| (uncentred) moment | 矩 | [06](06_losses.ipynb) |",
                    "| vanishing gradient | 梯度消失 | [04](04_vanishing.ipynb) · [06](06_losses.ipynb) |"]


def test_the_reader_gets_no_notes_or_solutions_and_a_caption_under_each_widget_picture():
    decks = book.decks
    widget = nbformat.v4.new_output("display_data", data={
        "image/png": "iVBORw0KGgo=", "text/plain": "LivePlot(...)", decks.WIDGET_VIEW: {"model_id": "x"}},
        metadata={"image/png": {"alt": "A sigmoid curve."}})
    shown = nbformat.v4.new_code_cell("LivePlot(fig, controls)", outputs=[widget])
    notes = nbformat.v4.new_markdown_cell("> **Speaker notes.** Ask the room.",
                                          metadata={"slideshow": {"slide_type": "notes"}})
    solution = nbformat.v4.new_code_cell("sigmoid_solution = 1", metadata={"tags": ["solution"]})
    hidden = nbformat.v4.new_code_cell("setup()", metadata={"jupyter": {"source_hidden": True}})
    nb = book.for_the_web(_notebook(shown, notes, solution, hidden))
    assert [cell.source for cell in nb.cells] == ["LivePlot(fig, controls)", "setup()"]
    picture, caption = nb.cells[0].outputs
    assert list(picture["data"]) == ["image/png"] and "nncourse-static" in caption["data"]["text/html"]
    assert nb.cells[0].metadata["mystnb"]["image"]["alt"] == "A sigmoid curve."
    assert nb.cells[1].metadata["tags"] == ["hide-input"]


def test_a_chapter_that_fails_stops_the_build_naming_the_chapter_and_its_cell(tmp_path):
    broken = tmp_path / "05_broken.ipynb"
    cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(_notebook(*cells), broken)
    with pytest.raises(book.BookBuildError, match=r"05_broken.ipynb: cell 1 \('1 / 0'\) raised ZeroDiv"):
        book.stage_chapters([broken], tmp_path / "source")
