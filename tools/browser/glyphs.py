"""Find the Chinese a page in Chromium draws as empty boxes (tofu), by measuring it as laid out.

Two signs of a character drawn without its glyph, each checked for every CJK character the page shows:
- its width. A CJK font draws every ideograph, and the full-width CJK punctuation, exactly one em
  wide; a font without it that draws the box instead has another width (0.6 em for DejaVu Sans, what
  Chromium falls back to here). The character is measured where it stands (its own text range, in its
  own element, transform included) against a one-em probe in the same element.
- its picture. Where the first font of the stack is a CJK font without that character (a subset),
  Chromium draws that font's .notdef, one em wide too. So the character is also drawn on a canvas in
  its element's font and compared with a code point no font has (U+10FFFD): identical pixels, no glyph.
A machine without any CJK font (the CI machine) shows boxes unless the page carries its own font:
that is what tests/test_cjk_font.py checks for the decks, and what the website's test can check:

    from glyphs import missing_glyphs
    measured, missing = missing_glyphs(page)            # or missing_glyphs(page, "section.present")
    assert measured > 0 and missing == [], missing      # each entry: '中 (U+4E2D) 0.60 em in "…"'

Characters not rendered at all (display: none, a slide not shown) are not measured. The page's web
fonts are awaited first (document.fonts.status), so call it once the page has laid the text out.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cjk_font import CJK  # noqa: E402  (tools/cjk_font.py: what counts as a CJK character)

EM_TOLERANCE = 0.04     # a drawn CJK glyph measures 1 ± this em; the boxes seen here are 0.6-0.8 em

MEASURE = """async ([selector, pattern]) => {
    const cjk = new RegExp(pattern, 'u'), root = document.querySelector(selector);
    if (!root) throw new Error(`no element matches ${selector}`);
    void root.getBoundingClientRect();          // lay the text out: that starts loading its fonts
    // fonts.ready also waits for the document to finish loading, which a written window (reveal's
    // speaker view) never does: wait for the fonts alone, 10 s at most
    await new Promise(done => setTimeout(done, 50));
    for (let i = 0; document.fonts.status !== 'loaded' && i < 200; i++)
        await new Promise(done => setTimeout(done, 50));
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 48;
    const pen = canvas.getContext('2d', {willReadFrequently: true});
    const picture = (font, text) => {
        pen.clearRect(0, 0, 48, 48);
        pen.font = font;
        pen.textBaseline = 'top';
        pen.fillText(text, 4, 4);
        return pen.getImageData(0, 0, 48, 48).data.join();
    };
    const ems = new Map(), notdefs = new Map(), out = [], range = document.createRange();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const element = node.parentElement, style = getComputedStyle(element);
        const font = `${style.fontStyle} ${style.fontWeight} 36px ${style.fontFamily}`;
        let offset = 0;
        for (const ch of node.data) {
            const start = offset;
            offset += ch.length;
            if (!cjk.test(ch)) continue;
            range.setStart(node, start);
            range.setEnd(node, offset);
            const rect = range.getBoundingClientRect();
            if (rect.width === 0 && rect.height === 0) continue;       // not rendered
            if (!ems.has(element)) {                                   // one em, as this element draws it
                const probe = document.createElement('span');
                probe.style.cssText = 'display:inline-block;width:1em;height:0;padding:0;border:0';
                element.appendChild(probe);
                ems.set(element, probe.getBoundingClientRect().width);
                probe.remove();
            }
            if (!notdefs.has(font)) notdefs.set(font, picture(font, '\\u{10FFFD}'));
            const notdef = picture(font, ch) === notdefs.get(font);
            out.push([ch, rect.width / ems.get(element), notdef, node.data.trim().slice(0, 40)]);
        }
    }
    return out;
}"""


def measure_cjk(page, selector="body"):
    """Every CJK character rendered under ``selector``: a list of (character, width in em, whether its
    picture is the font's .notdef, its text)."""
    return [tuple(row) for row in page.evaluate(MEASURE, [selector, CJK.pattern])]


def missing_glyphs(page, selector="body"):
    """How many CJK characters ``selector`` shows, and one line for each drawn as a box.

    Returns
    -------
    (int, list of str)
        The count measured, and for each missing glyph: '中 (U+4E2D) 0.60 em in "Key terms 中文"'
        (not one em wide) or '猫 (U+732B) 1.00 em, the .notdef box, in "…"'.
    """
    rows = measure_cjk(page, selector)
    missing = [f'{ch} (U+{ord(ch):04X}) {em:.2f} em{", the .notdef box," if notdef else ""} in "{text}"'
               for ch, em, notdef, text in rows if notdef or abs(em - 1) > EM_TOLERANCE]
    return len(rows), missing
