"""Conventions every chapter follows, checked on the committed notebooks (nbval runs them separately).

A new notebook in notebooks/ is picked up by these tests and by nbval without editing any list.
"""
import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHAPTERS = [p for p in NOTEBOOKS if re.match(r"\d\d_", p.name) and not p.name.startswith("00_")]
SLIDE_TYPES = {"slide", "subslide", "fragment", "", "skip", "notes"}   # "" continues the slide ("-" is not understood by jupyterlab-slideshow)
NOTES_OPENING = "> **Speaker notes.** "   # CONTRIBUTING.md: notes are a blockquote that says what it is


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def sources(nb, kind=None):
    return ["".join(c["source"]) for c in nb["cells"] if kind is None or c["cell_type"] == kind]


def slide_type(cell):
    return cell["metadata"].get("slideshow", {}).get("slide_type")


def test_there_are_notebooks():
    assert (ROOT / "notebooks" / "00_start_here.ipynb") in NOTEBOOKS
    assert CHAPTERS, "no chapter notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] == "code":
            assert not cell["outputs"], f"cell {i} has outputs: strip them (nbstripout --keep-id)"
            assert cell["execution_count"] is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_has_slide_metadata_and_sections_are_slides(path):
    cells = load(path)["cells"]
    assert cells[0]["metadata"]["slideshow"]["slide_type"] == "slide", "the title cell opens the deck"
    for i, cell in enumerate(cells):
        slide_type = cell["metadata"].get("slideshow", {}).get("slide_type")
        assert slide_type in SLIDE_TYPES, f"cell {i} has slide_type {slide_type!r}"
        if cell["cell_type"] == "markdown" and "".join(cell["source"]).startswith("## "):
            assert slide_type == "slide", f"cell {i} starts a section (## ...) so it must start a slide"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_seeds_its_randomness(path):
    code = "\n".join(sources(load(path), "code"))
    uses_random = re.search(r"np\.random\.|default_rng|torch\.(rand|manual_seed)|random_state|seed=", code)
    if uses_random:
        assert re.search(r"default_rng\(\d+\)|np\.random\.seed\(\d+\)|manual_seed\(\d+\)", code), \
            "a notebook that draws random numbers must seed them"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_two_live_widgets(path):
    code = "\n".join(sources(load(path), "code"))
    # a LivePlot, or a playground (chapter 11), which draws with one
    widgets = re.findall(r"\bLivePlot\(|\bPlaygroundWidget(?:\.preset)?\(", code)
    assert len(widgets) >= 2, "a chapter has at least two live widgets"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_exercises_have_checks_and_hidden_reference_solutions(path):
    cells = load(path)["cells"]
    solution_cells = [c for c in cells if "solution" in c["metadata"].get("tags", [])]
    student_cells = [c for c in cells if c["cell_type"] == "code" and c not in solution_cells]
    student_checks = {m for c in student_cells for m in re.findall(r"^check\.(\w+)\(", "".join(c["source"]), re.M)}
    solution_checks = {m for c in solution_cells for m in re.findall(r"^assert check\.(\w+)\(", "".join(c["source"]), re.M)}
    assert len(student_checks) >= 3, "a chapter has at least three auto-checked exercises"
    assert student_checks <= solution_checks, f"exercises without a reference solution run by CI: {student_checks - solution_checks}"
    for c in solution_cells:
        assert c["metadata"].get("jupyter", {}).get("source_hidden"), "reference solutions are collapsed"
        assert c["metadata"]["slideshow"]["slide_type"] == "skip", "reference solutions are not shown on slides"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_gives_key_terms_in_chinese(path):
    markdown = "\n".join(sources(load(path), "markdown"))
    assert "## Key terms" in markdown
    assert len(re.findall(r"\(([^()]*[\u4e00-\u9fff][^()]*)\)", markdown)) >= 3, \
        "key terms carry the lecture's Chinese term in the prose, e.g. Backpropagation (反向传播)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_speaker_notes_and_a_summary(path):
    cells = load(path)["cells"]
    assert any(c["metadata"]["slideshow"]["slide_type"] == "notes" for c in cells)
    assert "## Summary" in "\n".join(sources(load(path), "markdown"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_section_has_speaker_notes(path):
    """Each `##` section (but the summary and the key terms) carries a `notes` cell for the presenter."""
    section, notes, without = None, 0, []
    for cell in load(path)["cells"] + [{"cell_type": "markdown", "source": ["## end"], "metadata": {}}]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.startswith("## "):
            if section and not notes and section not in ("## Summary", "## Key terms"):
                without.append(section)
            section, notes = text.splitlines()[0].strip(), 0
        elif cell["metadata"].get("slideshow", {}).get("slide_type") == "notes" and text.strip():
            notes += 1
    assert not without, f"sections without speaker notes: {without}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_speaker_notes_look_like_notes(path):
    """In JupyterLab a notes cell must not read like course text: a markdown blockquote opening with
    "> **Speaker notes.** ", every non-empty line quoted (paragraphs separated by a bare ">")."""
    wrong = []
    for i, cell in enumerate(load(path)["cells"]):
        if slide_type(cell) != "notes":
            continue
        lines = "".join(cell["source"]).splitlines()
        if (cell["cell_type"] != "markdown" or not lines or not lines[0].startswith(NOTES_OPENING)
                or len(lines[0]) == len(NOTES_OPENING) or not all(line.startswith(">") for line in lines if line.strip())):
            wrong.append(f"cell {i} ({cell.get('id')}): {''.join(cell['source'])[:50]!r}")
    assert not wrong, f"notes cells not in the form '{NOTES_OPENING}…' with every line quoted: {wrong}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_reference_solutions_check_themselves_quietly(path):
    """Under an exercise the student sees only their own verdict: the hidden reference solution's
    check (run by CI all the same) is `assert check.NAME(NAME_solution, quiet=True)` and prints nothing."""
    loud = []
    for i, cell in enumerate(load(path)["cells"]):
        if "solution" not in cell["metadata"].get("tags", []):
            continue
        calls = re.findall(r"check\.\w+\(.*", "".join(cell["source"]))
        if not calls or not all(re.fullmatch(r"check\.\w+\(\w+, quiet=True\)\s*", call) for call in calls):
            loud.append(f"cell {i}: {calls}")
    assert not loud, f"reference solutions whose check is not `assert check.NAME(NAME_solution, quiet=True)`: {loud}"


def horizontal_slides(cells):
    """The deck's horizontal slides: each `slide` cell with the cells after it up to the next `slide`
    (its subslides, fragments, continuations, notes and skipped cells), as lists of (index, cell)."""
    slides = []
    for i, cell in enumerate(cells):
        if slide_type(cell) == "slide" or not slides:
            slides.append([])
        slides[-1].append((i, cell))
    return slides


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_slide_has_speaker_notes(path):
    """Every section has notes in the decks: each horizontal slide holds at least one non-empty notes cell."""
    without = []
    for slide in horizontal_slides(load(path)["cells"]):
        if not any(slide_type(cell) == "notes" and "".join(cell["source"]).strip() for _, cell in slide):
            index, first = slide[0]
            heading = next(iter("".join(first["source"]).splitlines()), "")
            without.append(f"cell {index} ({heading[:50]!r})")
    assert not without, f"{len(without)} slides without speaker notes: {without}"


# --- Widgets read nothing a later cell can rebind --------------------------------------------------------
# A LivePlot's update runs long after its cell: when a student moves a slider, every cell has run. If the
# update reads a global (`ax`, `line`) that a later cell rebinds, it draws on another figure and its own
# picture keeps a stale title. So an update may read only its parameters, its enclosing function's names,
# and globals the notebook binds exactly once (modules, library functions, data).

def _python(cell_source):
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(cell_source)


class _Bindings(ast.NodeVisitor):
    """Module-level bindings of one cell: name → how many times (loops and `global` count as many)."""

    def __init__(self, counts, imports):
        self.counts, self.imports, self.in_loop = counts, imports, 0

    def bind(self, name, times=1):
        self.counts[name] += times * (2 if self.in_loop else 1)

    def visit_FunctionDef(self, node):
        self.bind(node.name)
        for inner in ast.walk(node):                 # `global x` inside a function rebinds x from anywhere
            if isinstance(inner, ast.Global):
                for name in inner.names:
                    self.bind(name, 2)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node):
        pass

    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.bind(node.id)

    def visit_Import(self, node):
        for alias in node.names:
            name = alias.asname or alias.name.split(".")[0]
            source = alias.name if alias.asname else alias.name.split(".")[0]
            if (name, source) not in self.imports:     # importing the same module again rebinds nothing
                self.imports.add((name, source))
                self.bind(name)

    def visit_ImportFrom(self, node):
        for alias in node.names:
            name, source = alias.asname or alias.name, f"{node.module}.{alias.name}"
            if (name, source) not in self.imports:
                self.imports.add((name, source))
                self.bind(name)

    def _loop(self, node):
        self.in_loop += 1
        self.generic_visit(node)
        self.in_loop -= 1

    visit_For = visit_While = visit_AsyncFor = _loop


def _function_tables(table):
    """Every function's symbol table inside ``table``, by (name, first line)."""
    found = {}
    for child in table.get_children():
        if child.get_type() == "function":
            found[(child.get_name(), child.get_lineno())] = child
        found.update(_function_tables(child))
    return found


def _globals_read(table):
    """Global names a function (and the functions nested in it) reads."""
    names = {s.get_name() for s in table.get_symbols() if s.is_global() and s.is_referenced()}
    for child in table.get_children():
        names |= _globals_read(child)
    return names


def _update_functions(tree):
    """(name or '<lambda>', first line) of the update function of every LivePlot(...) call in a cell."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "LivePlot":
            update = node.args[2] if len(node.args) >= 3 else next(
                (k.value for k in node.keywords if k.arg == "update"), None)
            if isinstance(update, ast.Name):
                found.append((update.id, node.lineno))
            elif isinstance(update, ast.Lambda):
                found.append(("lambda", update.lineno))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_updates_read_no_global_that_is_bound_twice(path):
    import symtable
    from collections import Counter
    counts, imports, cells = Counter(), set(), []
    for index, source in enumerate(sources(load(path), "code")):
        code = _python(source)
        tree = ast.parse(code)
        _Bindings(counts, imports).visit(tree)
        cells.append((index, code, tree, symtable.symtable(code, f"cell {index}", "exec")))
    functions = {}                                   # notebook-level functions, by name: their tables
    for index, code, tree, table in cells:
        for child in table.get_children():
            if child.get_type() == "function":
                functions.setdefault(child.get_name(), []).append(child)

    def reads(function_table, seen):
        names = _globals_read(function_table)
        for name in sorted(names & functions.keys() - seen):       # helpers the update calls, transitively
            seen.add(name)
            for table in functions[name]:
                names |= reads(table, seen)
        return names

    problems = []
    for index, code, tree, table in cells:
        tables = _function_tables(table)
        for name, line in _update_functions(tree):
            candidates = [t for (n, first), t in tables.items() if n == name and first <= line]
            if not candidates:
                candidates = functions.get(name, [])
            if name == "lambda":
                candidates = [t for (n, first), t in tables.items() if n == "lambda" and first == line]
            for function_table in candidates[-1:]:
                rebound = sorted(g for g in reads(function_table, {name}) if counts[g] > 1)
                if rebound:
                    problems.append(f"code cell {index}: {name} reads {rebound}, bound more than once")
    assert not problems, ("a widget's update reads globals that the notebook rebinds; build the widget "
                          "inside a function or bind those names once:\n" + "\n".join(problems))
