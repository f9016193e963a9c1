"""The Chinese the course shows, as a small web font that the decks and the website carry with them.

    python tools/cjk_font.py [--out DIR]   # write the font subset and its CSS (default build/cjk-font)
    python tools/cjk_font.py --chars       # print every CJK character the course uses

A machine without a CJK font (many a lecture-hall PC, the CI machine) draws Chinese as empty boxes.
So the decks (tools/decks.py build) and the website (tools/book.py) ship a subset of Noto Sans SC
(SIL Open Font License 1.1) holding exactly the characters the course uses, a few hundred KB:

    from cjk_font import write_font_files
    css = write_font_files(out_dir)     # out_dir/nncourse-cjk.css, nncourse-cjk-NNN.woff2, the licence

Load the CSS and put "nncourse CJK" at the end of every font-family stack that may meet Chinese.

The font is the npm package @fontsource-variable/noto-sans-sc, pinned and sha512-checked in
tools/decks.py (ASSETS; `python tools/decks.py fetch`, `make deck-assets`) and cached in .cache/npm/:
nothing is fetched here. The package splits the font into numbered unicode-range slices (woff2,
variable weight 100-900); each slice that holds a course character is cut down to those characters
and written as its own woff2 with an @font-face rule whose unicode-range lists exactly them. A page
downloads only the files for the characters it shows, and bold is the font's own bold. A character
the font lacks stops the build with an error naming it.
"""
import argparse
import functools
import io
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import decks  # noqa: E402  (tools/decks.py: the pinned npm fetch)

ROOT = decks.ROOT
FONT_PACKAGE = "@fontsource-variable/noto-sans-sc"
FAMILY = "nncourse CJK"
CSS_NAME = "nncourse-cjk.css"
LICENSE_NAME = "nncourse-cjk-OFL.txt"
FILE_PREFIX = "nncourse-cjk-"
# Where the course shows Chinese: every cell of every chapter (markdown, code, speaker notes), the
# library's docstrings, the deck template, the website's own pages, the README.
SOURCES = ("notebooks/*.ipynb", "course_lib/**/*.py", "tools/deck_template/**/*.j2", "tools/book.py",
           "tools/book/**/*", "README.md")
# CJK radicals, symbols and punctuation, kana, bopomofo, ideographs (with extension A, compatibility
# ideographs and the supplementary planes), vertical and compatibility forms, full-width forms.
CJK = re.compile("[\u2e80-\u2fdf\u3000-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                 "\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]")
SLICE = re.compile(r"package/files/noto-sans-sc-(\d+)-wght-normal\.woff2")


def _shown_text(path):
    """The text of a file as the course shows it: a notebook's cell sources, any other file whole."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(cell["source"]) for cell in cells)
    return path.read_text(encoding="utf-8", errors="replace")


def course_characters():
    """Every CJK character (ideographs and CJK punctuation) the course shows, sorted, as one string."""
    found = set()
    for pattern in SOURCES:
        for path in ROOT.glob(pattern):
            if path.is_file():
                found.update(CJK.findall(_shown_text(path)))
    return "".join(sorted(found))


@functools.lru_cache(maxsize=1)
def font_slices():
    """Each numbered slice of the pinned Noto Sans SC package: {number: woff2 bytes}, in order."""
    with decks.open_tarball(FONT_PACKAGE) as tar:
        found = sorted((int(m.group(1)), member) for member in tar.getmembers()
                       if (m := SLICE.fullmatch(member.name)))
        return {number: tar.extractfile(member).read() for number, member in found}


def _font(data):
    from fontTools.ttLib import TTFont

    return TTFont(io.BytesIO(data))


@functools.lru_cache(maxsize=8)
def font_plan(characters):
    """Which slice of the font draws which of ``characters`` (a str): ((number, code points), ...).

    Raises ValueError naming each character no slice has."""
    version = decks.ASSETS[FONT_PACKAGE][0]
    plan, left = [], {ord(c) for c in characters}
    for number, data in font_slices().items():
        held = left & set(_font(data).getBestCmap())
        if held:
            plan.append((number, frozenset(held)))
            left -= held
    if left:
        named = ", ".join(f"{chr(c)} (U+{c:04X})" for c in sorted(left))
        raise ValueError(f"Noto Sans SC ({FONT_PACKAGE}@{version}) has no glyph for {len(left)} "
                         f"character(s) the course uses: {named}. Write another character, or pick "
                         "another font in tools/cjk_font.py.")
    return tuple(plan)


def unicode_range(codepoints):
    """CSS unicode-range of code points, runs joined: {0x4E00, 0x4E01, 0x4E09} -> 'U+4E00-4E01, U+4E09'."""
    runs = []
    for point in sorted(codepoints):
        if runs and point == runs[-1][1] + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def font_face_css(characters=None, url_prefix=""):
    """The @font-face rules of "nncourse CJK" for ``characters`` (default: the course's), one per woff2
    file, its unicode-range exactly that file's characters, its URL ``url_prefix`` + file name.
    The font is variable: each rule spans its weights (100-900), so bold is the font's own bold."""
    characters = course_characters() if characters is None else characters
    version = decks.ASSETS[FONT_PACKAGE][0]
    rules = [f"/* Noto Sans SC, SIL Open Font License 1.1 ({LICENSE_NAME}), from {FONT_PACKAGE}@"
             f"{version},\n   cut down to the {len(characters)} CJK characters the course uses by "
             "tools/cjk_font.py. */\n"]
    for number, held in font_plan(characters):
        url = f"{url_prefix}{file_name(number)}"
        rules.append(f'@font-face {{\n  font-family: "{FAMILY}";\n  font-style: normal;\n'
                     f'  font-weight: 100 900;\n  src: url({url}) format("woff2");\n'
                     f'  unicode-range: {unicode_range(held)};\n}}\n')
    return "".join(rules)


def file_name(number):
    return f"{FILE_PREFIX}{number:03d}.woff2"


def _subset_woff2(font, codepoints):
    """``font`` cut down to the glyphs of ``codepoints`` (variations kept, hinting dropped), as woff2.

    The .notdef glyph keeps its box: a character the subset lacks shows as a box, not as a blank."""
    from fontTools import subset

    options = subset.Options(flavor="woff2", hinting=False, notdef_outline=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def write_font_files(out_dir, characters=None):
    """Write the font subset for ``characters`` (default: course_characters()) into ``out_dir``.

    Writes one ``nncourse-cjk-NNN.woff2`` per slice of the source font that holds some of the
    characters, ``nncourse-cjk.css`` declaring the family "nncourse CJK" (font_face_css: one
    @font-face per file, URLs relative to the CSS) and the font's licence ``nncourse-cjk-OFL.txt``.
    Woff2 files of an earlier run that are no longer needed are removed.

    Returns
    -------
    Path
        The CSS file.

    Raises
    ------
    ValueError
        If the font has no glyph for some of the characters (each is named, with its code point).
    FileNotFoundError
        If the pinned font package is not in .cache/npm/ (run `python tools/decks.py fetch`).
    """
    characters = course_characters() if characters is None else characters
    plan = font_plan(characters)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(f"{FILE_PREFIX}*.woff2"):
        stale.unlink()
    for number, held in plan:
        (out_dir / file_name(number)).write_bytes(_subset_woff2(_font(font_slices()[number]), held))
    with decks.open_tarball(FONT_PACKAGE) as tar:
        (out_dir / LICENSE_NAME).write_bytes(tar.extractfile("package/LICENSE").read())
    css = out_dir / CSS_NAME
    css.write_text(font_face_css(characters), encoding="utf-8")
    return css


def font_bytes(out_dir):
    """Total size of the woff2 files in ``out_dir``."""
    return sum(p.stat().st_size for p in Path(out_dir).glob(f"{FILE_PREFIX}*.woff2"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "cjk-font"))
    parser.add_argument("--chars", action="store_true", help="print the characters and stop")
    args = parser.parse_args(argv)
    characters = course_characters()
    if args.chars:
        print(characters)
        return 0
    css = write_font_files(Path(args.out), characters)
    files = len(list(css.parent.glob(f"{FILE_PREFIX}*.woff2")))
    size = font_bytes(css.parent) / 1e3
    print(f"{len(characters)} characters in {files} woff2 files, {size:.0f} KB; {css}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
