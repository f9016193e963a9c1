"""What a student sees after Run All, checked in the executed notebooks (nbval only checks that cells run).

Each notebook is executed once in a kernel (tests/figure_audit.py records every figure as it is shown),
then every control of every widget is moved. The tests below then say:

- a widget's control changes only its own picture; every text its update sets is on its own figure;
  the picture shown (blitted) is what the figure holds (a full redraw);
- every image output has alt text; no figure is wider than a notebook's output area at 1280 px with
  the file browser open (so it is never shrunk), and its smallest text is at least the body text;
- printed lines and code lines fit that width; reference-solution cells print nothing (the student
  sees only their own ✔/✘); every slide has a heading or a figure.
The widths come from tests/screen.py, measured in JupyterLab by the browser tests.
"""
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from screen import BODY_FONT_PX, CODE_COLUMNS, OUTPUT_COLUMNS, OUTPUT_WIDTH_PX

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
AUDIT_PIXELS = 0.002     # a blitted picture may differ from a full redraw in antialiasing only
_executed = {}


def executed(name):
    """(the executed notebook without the audit cells, the audit's findings), once per notebook."""
    if name not in _executed:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        tests = json.dumps(str(Path(__file__).parent))
        nb.cells.insert(0, nbformat.v4.new_code_cell(
            f"import sys; sys.path.insert(0, {tests}); import figure_audit; figure_audit.install()"))
        nb.cells.append(nbformat.v4.new_code_cell("figure_audit.report()"))
        NotebookClient(nb, timeout=900, kernel_name="python3",
                       resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
        audit = json.loads(text.split("AUDIT ", 1)[1])
        nb.cells = nb.cells[1:-1]
        _executed[name] = (nb, audit)
    return _executed[name]


def image_outputs(nb):
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                yield index, output


def png_size(output):
    """(width, height) in pixels of an output's PNG, from its header."""
    import base64
    import struct
    header = base64.b64decode(output["data"]["image/png"][:64])
    return struct.unpack(">II", header[16:24])


def alt_of(output):
    md = output.get("metadata", {})
    return (md.get("image/png", {}) or {}).get("alt") or md.get("alt") or ""


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_each_control_changes_its_own_picture_and_nothing_else(notebook):
    _, audit = executed(notebook)
    moves = audit["moves"]
    changed = {}
    for move in moves:
        key = f"{move['plot']} / {move['control']}"
        changed[key] = changed.get(key, False) or move["own_changed"]
        where = f"{key} = {move['value']}"
        assert not move["others_changed"], f"{where} changed other widgets' pictures: {move['others_changed']}"
        assert not move["other_figure_texts_changed"], \
            f"{where} changed texts on other figures: {move['other_figure_texts_changed']}"
        assert not move["texts_set_elsewhere"], \
            f"{where}: its update set texts on another figure (a stale title): {move['texts_set_elsewhere']}"
    assert all(changed.values()), f"controls that never changed their picture: {[k for k, v in changed.items() if not v]}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_each_picture_shows_what_its_figure_holds(notebook):
    """Blitting redraws only the artists named `dynamic`: a changed artist left out would stay stale."""
    _, audit = executed(notebook)
    stale = [f"{m['plot']} / {m['control']} = {m['value']}: {m['blit_vs_redraw_pixels']} px differ"
             for m in audit["moves"] if m["blit_vs_redraw_pixels"] > AUDIT_PIXELS * m["pixels"]]
    assert not stale, "pictures that differ from a full redraw of their figure:\n" + "\n".join(stale)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_image_output_has_alt_text(notebook):
    nb, _ = executed(notebook)
    missing = [index for index, output in image_outputs(nb) if len(alt_of(output).strip()) < 20]
    assert not missing, f"image outputs without alt text in cells {missing}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_figure_has_a_summary_for_its_alt_text(notebook):
    """describe_figure's labels are not enough: each figure says in a sentence what it shows."""
    _, audit = executed(notebook)
    without = [i for i, f in enumerate(audit["figures"]) if not f["alt"].strip()]
    plots = [p["name"] for p in audit["plots"] if not p["alt"].strip() or p["alt"].startswith("Plot ")]
    assert not without, f"figures shown without set_alt_text (in display order): {without}"
    assert not plots, f"widgets whose figure has no set_alt_text summary: {plots}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_figures_fit_the_notebook_and_their_smallest_text_is_body_size(notebook):
    nb, audit = executed(notebook)
    shown = [(f"figure {i}", f) for i, f in enumerate(audit["figures"])] + [(p["name"], p) for p in audit["plots"]]
    wide = [f"{name}: {f['width_px']:.0f} px" for name, f in shown if f["width_px"] > OUTPUT_WIDTH_PX]
    small = [f"{name}: {f['smallest_text_px']:.1f} px" for name, f in shown if f["smallest_text_px"] < BODY_FONT_PX]
    wide += [f"image in cell {i}: {png_size(o)[0]} px" for i, o in image_outputs(nb) if png_size(o)[0] > OUTPUT_WIDTH_PX]
    assert not wide, f"figures wider than the output area ({OUTPUT_WIDTH_PX} px), shrunk on screen: {wide}"
    assert not small, f"figures with text smaller than the body text ({BODY_FONT_PX} px): {small}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_printed_lines_fit_the_output_area(notebook):
    nb, _ = executed(notebook)
    long = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                text = output.text
            elif set(output.get("data", {})) == {"text/plain"}:
                text = output.data["text/plain"]
            else:
                continue
            long += [f"cell {index}: {line[:60]}… ({len(line)})" for line in text.splitlines()
                     if len(line) > OUTPUT_COLUMNS]
    assert not long, f"printed lines longer than {OUTPUT_COLUMNS} characters wrap mid-word:\n" + "\n".join(long)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_code_lines_fit_the_editor(notebook):
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    long = [f"cell {i}: {line[:60]}… ({len(line)})" for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for line in cell.source.splitlines() if len(line) > CODE_COLUMNS]
    assert not long, f"code lines longer than {CODE_COLUMNS} characters are cut off on the right:\n" + "\n".join(long)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_reference_solutions_print_nothing(notebook):
    """Under an exercise the student sees their own verdict only; the hidden solution still runs."""
    nb, _ = executed(notebook)
    loud = [i for i, c in enumerate(nb.cells) if "solution" in c.metadata.get("tags", []) and c.get("outputs")]
    assert not loud, f"solution cells with output: {loud}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_slide_has_a_heading_or_a_figure(notebook):
    nb, _ = executed(notebook)
    groups = []
    for index, cell in enumerate(nb.cells):
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "")
        if kind in ("slide", "subslide") or not groups:
            groups.append([])
        if kind not in ("skip", "notes"):
            groups[-1].append((index, cell))
    bare = []
    for group in groups:
        heading = any(c.cell_type == "markdown" and re.search(r"^#{1,4} \S", c.source, re.M) for _, c in group)
        figure = any(alt_of(o) for _, c in group for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
        if group and not heading and not figure:
            bare.append(group[0][0])
    assert not bare, f"slides starting at cells {bare} have neither a heading nor a figure"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_the_audit_moved_every_live_plot_the_notebook_shows(notebook):
    """figure_audit finds the plots as IPython displays them: each widget output is one it moved."""
    nb, audit = executed(notebook)
    shown = sum("application/vnd.jupyter.widget-view+json" in output.get("data", {})
                for cell in nb.cells for output in cell.get("outputs", []))
    assert shown > 0, "a chapter shows at least one live plot"
    assert len(audit["plots"]) == shown, f"{shown} widgets shown, {len(audit['plots'])} live plots audited"
