"""Build the course website: every chapter executed, as a static Jupyter Book that works offline.

    python tools/book.py build [--out build/book]   # execute the chapters and build the site (offline)

`make book` runs it (after `make deck-assets`). Open build/book/html/index.html, or publish the
folder build/book/html/ on any static host as it is: copy it to a web server, push its content to a
GitHub Pages branch (it holds a .nojekyll, so the folders named _static etc. are served), or try it
with `python -m http.server -d build/book/html`. Every page works from file:// too, and nothing
on it asks the network for anything.

What happens: each chapter is executed offline in a fresh kernel, two at a time, exactly as for the
decks (tools/decks.py `execute`), each widget becomes the PNG it carries (`static_outputs`) with a
caption saying it is live in JupyterLab, and the cells a reader must not see are dropped: speaker
notes and reference solutions (tools/student_edition.py `is_left_out`; the site is for students).
The executed notebooks, a key-term glossary (English | 中文, 术语表) gathered from every chapter's
``## Key terms`` table, the book's _config.yml and _toc.yml are written to build/book/source/; then
Jupyter Book 1 (Sphinx, myst-nb, sphinx-book-theme) builds build/book/html/ from them, with its own
execution off. MathJax is the deck's pinned copy (tools/decks.py ASSETS, cached in .cache/npm/ by
`python tools/decks.py fetch`), Chinese is drawn in the course's font subset (tools/cjk_font.py),
and launch buttons, Thebe, comments and analytics are off. Each page links to its notebook (the
download button at the top, ⬇ → .ipynb: the executed chapter, without solutions and notes).
A chapter that fails to execute stops the build, naming each failed chapter, its cell and its error.
"""
import argparse
import html
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cjk_font  # noqa: E402  (tools/cjk_font.py: the Chinese font subset)
import decks  # noqa: E402  (tools/decks.py: offline execution, static widgets, pinned MathJax)
from student_edition import is_left_out  # noqa: E402

ROOT = decks.ROOT
DEFAULT_OUT = ROOT / "build" / "book"
TITLE = "nncourse — neural networks"                # above the sidebar
GLOSSARY = "glossary"        # the glossary page's name (glossary.md, glossary.html)
KEY_TERMS = "## Key terms"
WIDGET_CAPTION = ("A live widget: its first frame here. Download this chapter's notebook (⬇ at the top of "
                  "the page) and run it in JupyterLab to move its controls.")
# The site's own static files go to source/assets/ (Sphinx copies them to html/_static/). Not to
# source/_static/: Jupyter Book would load every .js in that folder on every page, MathJax twice.
ASSETS = "assets"
MATHJAX = "mathjax/es5/tex-svg-full.js"    # under assets/: the decks' pinned MathJax
CJK_FONT_DIR = "cjk-font"                   # under assets/: tools/cjk_font.py's files
THEME_CSS = "nncourse.css"                  # under assets/: the theme's fonts start with the subset
FAVICON = "favicon.svg"                     # under assets/: else the browser asks for /favicon.ico
FAVICON_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'       # a neuron, two inputs
               '<g stroke="#1a6fb5" stroke-width="2.5">'
               '<path d="M6 8 L16 16 M6 24 L16 16 M16 16 L27 16"/></g>'
               '<circle cx="16" cy="16" r="6" fill="#1a6fb5"/>'
               '<circle cx="6" cy="8" r="3.5" fill="#8fb8de"/>'
               '<circle cx="6" cy="24" r="3.5" fill="#8fb8de"/></svg>\n')
# Jupyter Book's Sphinx extensions but Thebe (it names a script on unpkg.com in every page); comments
# stay, switched off (html.comments), as Jupyter Book always sets their configuration
EXTENSIONS = ["sphinx_togglebutton", "sphinx_copybutton", "myst_nb", "jupyter_book", "sphinx_comments",
              "sphinx_external_toc", "sphinx_design", "sphinx_book_theme"]
# The theme's own font stacks (pydata-sphinx-theme's --pst-font-family-*-system) headed by the course's
# Chinese subset. First, not last: Chromium does not load a web font that comes after an installed
# one and draws empty boxes (tools/cjk_font.py); its unicode-range holds only Chinese, so Latin text
# keeps the theme's fonts.
FONT_CSS = f"""/* nncourse: Chinese on any machine, from the course's font subset ({CJK_FONT_DIR}/) */
html {{
  --pst-font-family-base-system: "{cjk_font.FAMILY}", system-ui, sans-serif, "Apple Color Emoji",
    "Segoe UI Emoji", "Segoe UI Symbol", "Noto Color Emoji";
  --pst-font-family-monospace-system: "{cjk_font.FAMILY}", ui-monospace, "Cascadia Code",
    "Source Code Pro", "Menlo", "Consolas", "DejaVu Sans Mono", monospace;
}}
p.nncourse-static {{ font-size: 0.85em; font-style: italic; margin-top: 0.2em; }}
"""


class BookBuildError(Exception):
    """Some chapters did not execute: ``failures`` maps each notebook's name to its error's first lines."""

    def __init__(self, failures):
        self.failures = failures
        lines = [f"{len(failures)} chapter(s) did not execute, so the book was not built:"]
        lines += [f"  {name}: " + error.replace("\n", "\n    ") for name, error in failures.items()]
        super().__init__("\n".join(lines))


def _table_row(line):
    """The cells of one markdown table row: '| a | b |' -> ['a', 'b']."""
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def key_terms(nb):
    """The (English, Chinese) pairs of a chapter's ``## Key terms`` table, in the table's order.

    The table's header is ``| English | 中文 |``, or that pair repeated for a table of two or more
    column pairs (read row by row, left pair first). An empty list if the chapter has no such section.

    Raises
    ------
    ValueError
        If the section's table does not have English | 中文 column pairs.
    """
    for cell in nb.cells:
        lines = cell.source.splitlines()
        if cell.cell_type != "markdown" or KEY_TERMS not in (line.strip() for line in lines):
            continue
        table = [line for line in lines[[line.strip() for line in lines].index(KEY_TERMS):]
                 if line.lstrip().startswith("|")]
        header = _table_row(table[0]) if table else []
        if not header or len(header) % 2 or header != ["English", "中文"] * (len(header) // 2):
            raise ValueError(f"the {KEY_TERMS!r} table's header must be English | 中文 pairs; got {header}")
        terms = []
        for line in table[2:]:
            row = _table_row(line)
            terms += [(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2) if row[i] and row[i + 1]]
        return terms
    return []


def _sort_key(english):
    """Where a term goes in the glossary: by its first letter, any case ("(uncentred) moment" under u)."""
    return re.sub(r"^[^A-Za-z0-9]+", "", english).lower()


def glossary_markdown(chapters):
    """The glossary page (MyST markdown): every chapter's key terms, alphabetical, with their chapters.

    ``chapters`` is a list of dicts with ``name`` (the notebook's stem) and ``terms`` (key_terms()).
    A term that several chapters list with the same Chinese name is one row linking to each of them.
    """
    where = {}
    for chapter in chapters:
        for term in chapter["terms"]:
            where.setdefault(term, []).append(chapter["name"])
    rows = []
    for (english, chinese), names in sorted(where.items(), key=lambda kv: (_sort_key(kv[0][0]), kv[0])):
        links = " · ".join(f"[{name[:2]}]({name}.ipynb)" for name in names)     # 01_neurons -> [01](...)
        rows.append(f"| {english} | {chinese} | {links} |")
    return ("# Key terms · 术语表\n\n"
            "Every key term of the course with the lecture's Chinese name, gathered from the "
            f"**Key terms** table at the end of each chapter; {len(rows)} terms, in alphabetical order. "
            "The last column links to the chapters that use the term.\n\n"
            "| English | 中文 | chapter |\n|---|---|---|\n" + "\n".join(rows) + "\n")


def for_the_web(nb):
    """An executed chapter as a reader sees it on the website (changed in place, and returned).

    Drops the speaker notes and reference solutions, turns each widget into its PNG (decks'
    ``static_outputs``) followed by a caption, keeps each figure's alt text (myst-nb reads it from
    the cell's ``mystnb.image`` metadata, not from the output), and hides the input of cells that
    are collapsed in JupyterLab (``jupyter.source_hidden`` becomes the tag ``hide-input``).
    """
    import nbformat

    nb.cells = [cell for cell in nb.cells if not is_left_out(cell)]
    decks.static_outputs(nb)
    caption = {"output_type": "display_data", "metadata": {},
               "data": {"text/html": f'<p class="nncourse-static">{html.escape(WIDGET_CAPTION)}</p>'}}
    for cell in nb.cells:
        if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            outputs.append(output)
            if output.get("metadata", {}).get(decks.STATIC_WIDGET):
                outputs.append(nbformat.from_dict(caption))
        cell.outputs = outputs
        alts = {output.get("metadata", {}).get("image/png", {}).get("alt")
                for output in outputs if "image/png" in output.get("data", {})}
        if len(alts) == 1 and None not in alts:          # one alt text for the cell's pictures
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alts.pop()
    return nb


def stage_chapter(notebook, source_dir):
    """Execute one chapter, make it the reader's version and write it into ``source_dir``.

    Returns its record: ``name`` (the notebook's stem), ``terms`` (key_terms()) and ``seconds``.
    """
    import nbformat

    start = time.perf_counter()
    nb = for_the_web(decks.execute(Path(notebook)))
    nbformat.write(nb, Path(source_dir) / Path(notebook).name)
    seconds = round(time.perf_counter() - start, 1)
    return {"name": Path(notebook).stem, "terms": key_terms(nb), "seconds": seconds}


def stage_chapters(notebooks, source_dir, workers=2):
    """Stage every chapter (stage_chapter), ``workers`` at a time as tools/decks.py builds its decks.

    Returns the records in the notebooks' order; raises BookBuildError naming each chapter that failed.
    """
    chapters, failures = decks.for_each_chapter(lambda notebook: stage_chapter(notebook, source_dir),
                                                notebooks, workers)
    if failures:
        raise BookBuildError(failures)
    return chapters


def write_assets(static_dir):
    """Write the site's own static files into ``static_dir``: the deck's pinned MathJax, the Chinese
    font subset with its CSS, the CSS that adds that font to the theme, and the favicon. Returns the
    CSS files to load, relative to ``static_dir``."""
    static_dir = Path(static_dir)
    with tempfile.TemporaryDirectory() as scratch:
        decks.install_assets(scratch)       # the decks' assets, sha512-checked; the book needs MathJax
        shutil.copytree(Path(scratch) / "assets" / "mathjax", static_dir / "mathjax")
    font_css = cjk_font.write_font_files(static_dir / CJK_FONT_DIR)
    (static_dir / THEME_CSS).write_text(FONT_CSS, encoding="utf-8")
    (static_dir / FAVICON).write_text(FAVICON_SVG, encoding="utf-8")
    return [f"{CJK_FONT_DIR}/{font_css.name}", THEME_CSS]


def book_config(css_files):
    """The book's _config.yml (as a dict): execution off, local MathJax and fonts, nothing remote."""
    return {
        "title": "nncourse",
        "author": "the nncourse authors",
        "copyright": "",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "html": {"use_multitoc_numbering": False, "home_page_in_navbar": True,
                 "favicon": f"{ASSETS}/{FAVICON}", "comments": {"hypothesis": False, "utterances": False}},
        "launch_buttons": {"thebe": False, "binderhub_url": "", "jupyterhub_url": "", "colab_url": "",
                           "deepnote_url": ""},
        "latex": {"use_jupyterbook_latex": False},
        "sphinx": {"config": {
            "extensions": EXTENSIONS,
            "language": "en",
            "suppress_warnings": ["myst.domains", "myst.header"],   # chapters skip levels, as slides do
            "html_static_path": [ASSETS],
            "html_context": {"default_mode": "light"},     # else the theme logs an error on a first visit
            "html_title": TITLE,
            "html_css_files": css_files,
            "mathjax_path": MATHJAX,                       # Sphinx's default is a CDN
            "mathjax3_config": {"options": {"enableMenu": False}},   # the menu loads extensions on demand
            "nb_ipywidgets_js": {},                        # never the widget manager from a CDN
            "html_show_search_summary": False,   # the summary is fetched, which file:// pages may not do
            # replaces Jupyter Book's theme options: no launch, repository or edit buttons
            "html_theme_options": {"search_bar_text": "Search the course…", "home_page_in_toc": True,
                                   "use_download_button": True, "use_fullscreen_button": True,
                                   "use_repository_button": False, "use_issues_button": False,
                                   "use_edit_page_button": False, "use_source_button": False,
                                   "launch_buttons": {}, "analytics": {}, "show_toc_level": 2,
                                   "navbar_persistent": []},     # one search field, in the sidebar
        }},
    }


def book_toc(chapters):
    """The book's _toc.yml (as a dict): the first chapter is the home page, the others, the glossary."""
    return {"format": "jb-book", "root": chapters[0]["name"],
            "chapters": [{"file": c["name"]} for c in chapters[1:]] + [{"file": GLOSSARY}]}


def write_book_files(source_dir, chapters):
    """Write all but the chapters into ``source_dir``: the glossary, the assets, _config.yml, _toc.yml."""
    import yaml

    source_dir = Path(source_dir)
    (source_dir / f"{GLOSSARY}.md").write_text(glossary_markdown(chapters), encoding="utf-8")
    css_files = write_assets(source_dir / ASSETS)
    for name, content in (("_config.yml", book_config(css_files)), ("_toc.yml", book_toc(chapters))):
        text = yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        (source_dir / name).write_text(text, encoding="utf-8")


def build_site(source_dir, html_dir):
    """Run Jupyter Book's Sphinx build of ``source_dir`` into ``html_dir`` (warnings go to stderr)."""
    from jupyter_book.sphinx import build_sphinx

    status = build_sphinx(source_dir, html_dir, path_config=Path(source_dir) / "_config.yml",
                          noconfig=True, confoverrides={"latex_individualpages": False}, freshenv=True,
                          quiet=True, builder="html")
    if status != 0:
        raise RuntimeError(f"Jupyter Book did not build {source_dir}: {status}")


def write_redirect(html_dir, first_page):
    """index.html: the site's entry, sending the browser on to the home page (as `jupyter-book` does)."""
    (Path(html_dir) / "index.html").write_text(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>nncourse</title>\n'
        f'<meta http-equiv="refresh" content="0; url={first_page}.html"></head>\n'
        f'<body><a href="{first_page}.html">nncourse: start here</a></body></html>\n', encoding="utf-8")


def _clear(out_dir):
    """Remove an earlier build's folders from ``out_dir``; refuse to remove anything that is not one."""
    marks = {"source": "_toc.yml", "html": "searchindex.js", ".doctrees": "environment.pickle"}
    for folder, mark in marks.items():
        path = out_dir / folder
        if path.exists() and any(path.iterdir()) and not (path / mark).exists():
            raise FileExistsError(f"{path} exists and is not from an earlier book build; not deleting it")
    for folder in marks:
        shutil.rmtree(out_dir / folder, ignore_errors=True)


def build_book(out_dir=DEFAULT_OUT, notebooks=None, workers=2):
    """Execute the chapters and build the website into ``out_dir``/html (its entry: index.html).

    Parameters
    ----------
    out_dir : str or Path
        Gets ``source/`` (the executed notebooks, glossary.md, _config.yml, _toc.yml, assets/),
        ``html/`` (the website) and ``.doctrees/`` (Sphinx's cache); earlier ones are replaced.
    notebooks : list of Path, optional
        The chapters, in order (default: every notebook in notebooks/); the first is the home page.
    workers : int
        How many chapters execute at once (one kernel each).

    Returns
    -------
    dict
        ``html`` (the site's folder), ``chapters`` (stage_chapter's records), ``stage_seconds`` and
        ``sphinx_seconds``.
    """
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear(out_dir)
    source_dir, html_dir = out_dir / "source", out_dir / "html"
    source_dir.mkdir()
    notebooks = sorted(Path(nb) for nb in (notebooks or (ROOT / "notebooks").glob("*.ipynb")))
    start = time.perf_counter()
    chapters = stage_chapters(notebooks, source_dir, workers)
    staged = time.perf_counter()
    write_book_files(source_dir, chapters)
    build_site(source_dir, html_dir)
    write_redirect(html_dir, chapters[0]["name"])
    (html_dir / ".nojekyll").touch()          # GitHub Pages: serve _static/, _images/, _sources/ as is
    return {"html": html_dir, "chapters": chapters, "stage_seconds": round(staged - start, 1),
            "sphinx_seconds": round(time.perf_counter() - staged, 1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build"])
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("notebooks", nargs="*", help="chapters to build (default: all; the first is home)")
    args = parser.parse_intermixed_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")          # two kernels share two cores
    try:
        book = build_book(args.out, [Path(n).resolve() for n in args.notebooks] or None)
    except BookBuildError as err:
        print(f"book: error: {err}", file=sys.stderr)
        return 1
    for c in book["chapters"]:
        print(f"{c['name']:28} {c['seconds']:5.1f} s  {len(c['terms']):3d} key terms")
    print(f"{len(book['chapters'])} chapters executed in {book['stage_seconds']:.0f} s, site built in "
          f"{book['sphinx_seconds']:.0f} s; {decks.folder_bytes(book['html']) / 1e6:.1f} MB; "
          f"open {book['html'] / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
