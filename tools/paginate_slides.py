"""Split slides that are taller than the deck's frame, by turning cells into subslides.

    python tools/paginate_slides.py [--decks build/decks] [notebooks ...]

A maintenance tool for chapter authors (tests/test_decks.py fails when a slide overflows). It opens
each built deck in Chromium, measures every cell on every slide, and where a slide's cells add up
to more than the frame it starts a new subslide (`slide_type: subslide`) at the last good break:
before a markdown cell, never between a markdown cell and the code cell it introduces. The notebook
is rewritten in place (only slide types change); rebuild the decks and run it again until nothing
moves. A single cell taller than the frame cannot be split: it is reported, for the author to shorten.
"""
import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "browser"))

FRAME = 700          # reveal's height in tools/deck_template (960 × 700)
ROOM = FRAME - 40     # what the cells of one slide may take, leaving a margin

MEASURE = """() => {
    const slides = [];
    for (const s of Reveal.getSlides()) {
        const idx = Reveal.getIndices(s);
        Reveal.slide(idx.h, idx.v);
        const cells = Array.from(s.querySelectorAll('.jp-Cell[id^="cell-id="]')).filter(c => !c.closest('aside.notes'));
        const tops = cells.map(c => c.offsetTop);
        slides.push(cells.map((c, i) => [c.id.slice(8), (i + 1 < cells.length ? tops[i + 1] : s.scrollHeight) - tops[i]]));
    }
    return slides;
}"""


def plan_breaks(cells, slides):
    """Cell ids that should start a new subslide, and ids of cells too tall to fit on any slide.

    ``cells``: the notebook's cells (JSON dicts); ``slides``: per slide, [(cell id, height)] in order.
    """
    by_id = {c.get("id"): c for c in cells}
    breaks, too_tall = [], []
    for slide in slides:
        used, start = 0, 0
        for k, (cid, height) in enumerate(slide):
            if height > ROOM:
                too_tall.append((cid, height))
            if k > start and used + height > ROOM:
                cut = k
                previous = by_id.get(slide[k - 1][0], {})
                if by_id[cid]["cell_type"] == "code" and previous.get("cell_type") == "markdown" and k - 1 > start:
                    cut = k - 1                 # keep the explanation with its code
                breaks.append(slide[cut][0])
                start, used = cut, sum(h for _, h in slide[cut:k])
            used += height
    return breaks, too_tall


def paginate(notebook, deck_html, browser):
    from deckpage import DeckPage

    deck = DeckPage(browser, Path(deck_html).resolve().as_uri(), "file://")
    try:
        slides = deck.evaluate(MEASURE)
    finally:
        deck.close()
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    breaks, too_tall = plan_breaks(nb["cells"], slides)
    for cell in nb["cells"]:
        if cell.get("id") in breaks:
            cell["metadata"].setdefault("slideshow", {})["slide_type"] = "subslide"
    if breaks:
        Path(notebook).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return breaks, too_tall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decks", default=str(ROOT / "build" / "decks"))
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    from labdriver import open_browser
    from playwright.sync_api import sync_playwright

    notebooks = [Path(n) for n in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        for notebook in notebooks:
            breaks, too_tall = paginate(notebook, Path(args.decks) / f"{notebook.stem}.slides.html", browser)
            print(f"{notebook.name}: {len(breaks)} new subslides; too tall for any slide: {too_tall}")
        browser.close()


if __name__ == "__main__":
    main()
