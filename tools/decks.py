"""Build every chapter into an offline reveal.js deck: executed outputs, local assets, speaker notes.

    python tools/decks.py fetch               # download the pinned reveal.js and MathJax (network)
    python tools/decks.py build [--out DIR]   # execute the chapters and write the decks (offline)

`make decks` runs both. The decks land in build/decks/: one `NN_topic.slides.html` per chapter, an
`index.html` listing them, and `assets/` with the two libraries and the subset of Noto Sans SC that
draws the course's Chinese (tools/cjk_font.py; a machine without a CJK font shows it too): copy the
folder to a USB stick and open index.html in any browser; nothing is fetched from the network when
the deck is shown.
A chapter that fails to execute or export does not stop the others: every deck that builds is
written and listed in the index, and the build then exits non-zero naming each chapter that failed
and why (the cell and its exception).

The assets come from the npm registry at build time, pinned by version and checked against the
registry's sha512 (ASSETS below); the tarballs are cached in .cache/npm/. Widgets become the PNG
their LivePlot carries (a static deck has no kernel), with its alt text like every other image;
long or hidden code is folded under a "code · N lines" summary so the plot stays on its slide;
speaker notes (`notes` cells) open with S.
"""
import argparse
import base64
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "npm"
TEMPLATES = ROOT / "tools" / "deck_template"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FOLD_LINES = 8           # code cells longer than this are folded on the slide
STATIC_CAPTION = "A live widget: its first frame here; drag its sliders in JupyterLab (make present)."
STATIC_WIDGET = "nncourse_static_widget"   # output metadata flag: this PNG stands for a live widget
CJK_FONT_DIR = "cjk-font"   # under assets/: the Chinese font subset (tools/cjk_font.py) and its CSS
ERROR_LINES = 6          # how much of a failed chapter's error the build prints
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# npm package -> (version, sha512 integrity from the registry, files to copy out of package/)
ASSETS = {
    "reveal.js": ("5.2.1",
                  "sha512-r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+7ZPZEbpBDhdRhJaFgfQ7zNQ==",
                  ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "dist/theme/fonts/source-sans-pro/",
                   "plugin/notes/notes.js", "LICENSE"]),
    "mathjax": ("3.2.2",
                "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
                ["es5/tex-svg-full.js", "LICENSE"]),
    # Noto Sans SC (SIL OFL 1.1) in unicode-range slices: tools/cjk_font.py subsets it, none copied as is
    "@fontsource-variable/noto-sans-sc": (
        "5.3.1",
        "sha512-UB96JJ17HyD5ehEU7Em0hDdh7fvTMB4B4Hzmq5c4QaNwwSLqTrdM2S+coySeBqCkXwh0DxqXT0b0wMrmzorFpQ==",
        []),
}


def tarball_path(package):
    version = ASSETS[package][0]
    return CACHE / f"{package.replace('/', '-')}-{version}.tgz"     # "@scope/name" -> "@scope-name"


def tarball_url(package):
    """The registry's URL of the pinned tarball (a scoped package's file is named without its scope)."""
    version = ASSETS[package][0]
    return f"https://registry.npmjs.org/{package}/-/{package.split('/')[-1]}-{version}.tgz"


def _verified(data, package):
    version, integrity, _ = ASSETS[package]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != integrity:
        raise ValueError(f"{package}@{version}: sha512 mismatch, expected {integrity}, got {digest}")
    return data


def fetch_assets():
    """Download each pinned tarball from the npm registry into .cache/npm/ (skipped if cached and intact)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    for package, (version, _, _) in ASSETS.items():
        path = tarball_path(package)
        if path.exists():
            try:
                _verified(path.read_bytes(), package)
                continue
            except ValueError:
                path.unlink()
        with urllib.request.urlopen(tarball_url(package), timeout=120) as response:
            data = _verified(response.read(), package)
        path.write_bytes(data)
        print(f"fetched {package}@{version} ({len(data) / 1e6:.1f} MB)")


def open_tarball(package):
    """The cached, sha512-checked tarball of ``package``, opened (a tarfile; its files under package/)."""
    path = tarball_path(package)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python tools/decks.py fetch` "
                                "(or `make deck-assets`) once with the network on")
    return tarfile.open(fileobj=io.BytesIO(_verified(path.read_bytes(), package)))


def install_assets(out_dir):
    """Copy the files the decks use out of the cached tarballs into out_dir/assets/<package>/, and write
    the subset of the Chinese font the course uses (tools/cjk_font.py) into out_dir/assets/cjk-font/."""
    import cjk_font      # here, not at the top: cjk_font imports this module

    cjk_font.write_font_files(Path(out_dir) / "assets" / CJK_FONT_DIR)
    for package, (version, _, wanted) in ASSETS.items():
        if not wanted:
            continue
        target = Path(out_dir) / "assets" / package
        with open_tarball(package) as tar:
            for member in tar.getmembers():
                name = member.name.removeprefix("package/")
                if member.isfile() and any(name == w or (w.endswith("/") and name.startswith(w)) for w in wanted):
                    dest = target / name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(tar.extractfile(member).read())


class ChapterFailed(Exception):
    """A chapter's cell raised while the chapter was executed for its deck."""


class DeckBuildError(Exception):
    """Some chapters did not build. ``decks`` holds the records of those that did (their decks and the
    index are written); ``failures`` maps each failed notebook's name to the first lines of its error."""

    def __init__(self, failures, decks):
        self.failures, self.decks = failures, decks
        lines = [f"{len(failures)} of {len(failures) + len(decks)} decks did not build:"]
        for notebook, error in failures.items():
            lines.append(f"  {notebook}: " + error.replace("\n", "\n    "))
        super().__init__("\n".join(lines))


def execute(notebook, timeout=600):
    """Run a chapter top to bottom in a fresh kernel (cwd notebooks/, as a student runs it); return it.

    Raises ChapterFailed naming the cell (index and first line) and its exception if a cell raises.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}},
                       store_widget_state=False).execute()
    except CellExecutionError as err:
        failed = [(i, c) for i, c in enumerate(nb.cells)
                  if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
        where = "a cell"
        if failed:
            index, cell = failed[0]
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            where = f"cell {index} ({first.strip()[:60]!r})"
        raise ChapterFailed(f"{where} raised {err.ename}: {err.evalue}") from err
    return nb


def error_summary(err, lines=ERROR_LINES):
    """The first lines of why a chapter did not build (exception name and message, colours removed)."""
    text = str(err) if isinstance(err, ChapterFailed) else f"{type(err).__name__}: {err}"
    kept = [line.rstrip() for line in ANSI.sub("", text).strip().splitlines() if line.strip()]
    return "\n".join(kept[:lines]) or type(err).__name__


def for_each_chapter(build, notebooks, workers=2):
    """``build(notebook)`` for every chapter, ``workers`` at a time (each runs its own kernel).

    A chapter that fails does not stop the others. Returns the results of the chapters that built, in
    the notebooks' order, and {notebook name: the first lines of its error} for those that failed.
    """
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(build, notebook) for notebook in notebooks]
    results, failures = [], {}
    for notebook, future in zip(notebooks, futures):
        try:
            results.append(future.result())
        except Exception as err:   # any chapter's failure: record it, build the rest, report at the end
            failures[Path(notebook).name] = error_summary(err)
    return results, failures


def static_outputs(nb):
    """A deck has no kernel: show each widget as the PNG it carries, and drop the widget state.

    The PNG stays an ``image/png`` output with its metadata (so its alt text reaches the <img>, as for
    any figure), flagged so the template captions it as a widget. Consecutive prints are merged into
    one output (one scrollable block instead of a block per line).
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                data.pop("text/plain", None)      # "LivePlot(...)" under the picture says nothing
                if "image/png" in data:
                    output.setdefault("metadata", {})[STATIC_WIDGET] = True
        if cell.cell_type == "code":                   # a control panel alone has nothing left to show
            cell.outputs = [o for o in cell.outputs if o.output_type not in ("display_data", "execute_result")
                            or o.get("data")]
    return nb


def export_slides(nb, asset_prefix="assets"):
    """The deck's HTML (one string), with every asset URL relative to the deck's folder."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="nncourse_reveal",
                              reveal_url_prefix=f"{asset_prefix}/reveal.js", reveal_theme="white",
                              reveal_transition="none", exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.mathjax_url = f"{asset_prefix}/mathjax/es5/tex-svg-full.js"
    resources = {"nncourse_fold_lines": FOLD_LINES, "nncourse_static_widget": STATIC_WIDGET,
                 "nncourse_static_caption": STATIC_CAPTION, "nncourse_cjk_faces": cjk_font_faces(asset_prefix)}
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    return html


def cjk_font_faces(asset_prefix="assets"):
    """The @font-face rules of the Chinese font, its files' URLs relative to a page beside the assets
    folder: inlined in each page (the speaker view copies them; it cannot load a stylesheet)."""
    import cjk_font

    return cjk_font.font_face_css(url_prefix=f"{asset_prefix}/{CJK_FONT_DIR}/")


def slide_count(nb):
    """How many reveal.js slides (horizontal + vertical) a notebook makes: one per slide/subslide cell,
    plus the opening slide if the first shown cell is not marked as one."""
    types = [c.metadata.get("slideshow", {}).get("slide_type", "") for c in nb.cells]
    shown = [t for t in types if t not in ("skip", "notes")]
    starts = sum(t in ("slide", "subslide") for t in shown)
    return starts + (1 if shown and shown[0] not in ("slide", "subslide") else 0)


def deck_title(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def build_one(notebook, out_dir):
    start = time.perf_counter()
    nb = static_outputs(execute(notebook))
    html = export_slides(nb)
    path = Path(out_dir) / f"{notebook.stem}.slides.html"
    path.write_text(html, encoding="utf-8")
    return {"notebook": notebook.name, "deck": path.name, "title": deck_title(nb, notebook.stem),
            "slides": slide_count(nb), "seconds": round(time.perf_counter() - start, 1),
            "bytes": path.stat().st_size}


def write_index(out_dir, decks):
    rows = "\n".join(f'<li><a href="{d["deck"]}">{d["title"]}</a> · {d["slides"]} slides</li>' for d in decks)
    (Path(out_dir) / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nncourse decks</title>\n"
        f"<style>\n{cjk_font_faces()}</style>\n"
        "<style>body{font-family:'nncourse CJK',sans-serif;max-width:44em;margin:3em auto;"
        "font-size:20px;line-height:1.6}</style>"
        "</head>\n<body><h1>nncourse: slide decks</h1>\n"
        "<p>Arrow keys move between slides (down for details); <b>S</b> opens the speaker notes; <b>F</b> is "
        "full screen; <b>Esc</b> shows all slides. Everything here works with no network.</p>\n"
        f"<ol start=\"0\">\n{rows}\n</ol></body></html>\n", encoding="utf-8")


def build_decks(out_dir=ROOT / "build" / "decks", notebooks=None, workers=2):
    """Execute every chapter (two at a time) and write its deck, the index and the assets into out_dir.

    Returns one dict per deck: notebook, deck file, title, expected slide count, seconds, bytes;
    also written to out_dir/decks.json. A chapter that fails does not stop the others: every deck
    that builds is written and listed in the index (a stale deck of a failed chapter is removed),
    then DeckBuildError is raised naming each failed notebook with the first lines of its error.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    install_assets(out_dir)
    notebooks = sorted(Path(nb) for nb in (notebooks or (ROOT / "notebooks").glob("*.ipynb")))
    decks, failures = for_each_chapter(lambda notebook: build_one(notebook, out_dir), notebooks, workers)
    for name in failures:
        (out_dir / f"{Path(name).stem}.slides.html").unlink(missing_ok=True)
    write_index(out_dir, decks)
    (out_dir / "decks.json").write_text(json.dumps(decks, indent=1) + "\n")
    if failures:
        raise DeckBuildError(failures, decks)
    return decks


def folder_bytes(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["fetch", "build"])
    parser.add_argument("--out", default=str(ROOT / "build" / "decks"))
    parser.add_argument("notebooks", nargs="*", help="chapters to build (default: all)")
    args = parser.parse_intermixed_args(argv)
    if args.command == "fetch":
        fetch_assets()
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")          # two kernels share two cores
    start = time.perf_counter()
    try:
        decks, failed = build_decks(args.out, [Path(n).resolve() for n in args.notebooks] or None), None
    except DeckBuildError as err:
        decks, failed = err.decks, err
    for d in decks:
        print(f"{d['deck']:40} {d['slides']:3d} slides  {d['bytes'] / 1e6:5.2f} MB  {d['seconds']:5.1f} s")
    print(f"{len(decks)} decks in {time.perf_counter() - start:.0f} s; {args.out} holds "
          f"{folder_bytes(args.out) / 1e6:.1f} MB; open {Path(args.out) / 'index.html'}")
    if failed:
        print(f"decks: error: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
