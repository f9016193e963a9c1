"""The student edition (tools/student_edition.py): the notebooks without reference solutions and speaker notes.

The edition is built once, by the command instructors run, into a temporary folder. The tests prove
that no solution is left in it (no solution cell, no ``*_solution`` name, no line of a removed
solution), that no speaker notes are, that everything else is the repository's notebook unchanged,
and that the checks still
work: every student notebook runs top to bottom in a kernel that imports the edition's own
``course_lib``, each unsolved exercise prints ✘ with a hint, and one chapter with the reference
solutions pasted into the student cells prints ✔ for each exercise.
"""
import asyncio
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "student_edition.py"
ORIGINALS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = [path.name for path in ORIGINALS]
SOLVED_CHAPTER = "06_losses.ipynb"   # three exercises, one of the quickest chapters
KERNELS_AT_ONCE = 2                   # the machine has two cores
CELL_TIMEOUT_S = 300                  # as nbval's --nbval-cell-timeout: only stops a hung cell
MIN_LEAK_CHARS = 8                    # shorter solution lines ("else:", "return m") prove nothing
CHECK_CALL = re.compile(r"^check\.(\w+)\((\w+)\)\s*$", re.M)
ASSERTED_CHECK = re.compile(r"^assert check\.(\w+)\((\w+)(?:, quiet=True)?\)\s*$", re.M)
LIBRARY_PROBE = "import course_lib\nprint('course_lib from', course_lib.__file__)"

spec = importlib.util.spec_from_file_location("student_edition", SCRIPT)
student_edition = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student_edition)


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"])


def strings(value):
    """Every string in a JSON value, keys included: all the text a notebook file holds."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def exercises(nb):
    """(student cell, solution cell, check name) for each exercise of a notebook (repository form)."""
    cells = nb["cells"]
    found = []
    for index, cell in enumerate(cells):
        if not student_edition.is_solution(cell):
            continue
        check_name, _ = ASSERTED_CHECK.search(source(cell)).groups()
        student = next(c for c in reversed(cells[:index])
                       if c["cell_type"] == "code" and any(name == check_name for name, _ in CHECK_CALL.findall(source(c))))
        found.append((student, cell, check_name))
    return found


def check_calls(nb):
    """The ``check.NAME(function)`` lines of a notebook's non-solution code cells, sorted."""
    return sorted(line for c in nb["cells"] if c["cell_type"] == "code" and not student_edition.is_solution(c)
                  for line in (m.group(0) for m in CHECK_CALL.finditer(source(c))))


def text_output(cell):
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out["output_type"] == "stream")


def solved(student_cell, solution_cell):
    """The student cell with its stub replaced by the reference solution, renamed to the student's name."""
    check_line = CHECK_CALL.search(source(student_cell))
    _, student_name = check_line.groups()
    _, solution_name = ASSERTED_CHECK.search(source(solution_cell)).groups()
    body = [line for line in source(solution_cell).splitlines()
            if not line.startswith("# Reference solution") and not ASSERTED_CHECK.match(line)]
    renamed = re.sub(rf"\b{solution_name}\b", student_name, "\n".join(body)).strip()
    return f"{renamed}\n\n{check_line.group(0).strip()}"


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """The student edition, built by the command line into a fresh temporary folder."""
    out = tmp_path_factory.mktemp("student") / "nncourse"
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, f"tools/student_edition.py failed:\n{run.stdout}{run.stderr}"
    return out


def kernel_env(edition):
    """The kernel's environment: the edition's course_lib first on the path, the test IPython profile."""
    return {**os.environ, "PYTHONPATH": str(edition), "IPYTHONDIR": str(ROOT / "tests" / "ipython"),
            "JUPYTER_PLATFORM_DIRS": "1"}


async def execute(nb, cwd, env, gate):
    """Run ``nb`` in a fresh python3 kernel (this venv's); return (executed nb, error text or None, seconds)."""
    async with gate:
        client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                resources={"metadata": {"path": str(cwd)}})
        start = time.perf_counter()
        try:
            await client.async_execute(env=env)
            error = None
        except CellExecutionError as err:
            error = str(err)
        return nb, error, time.perf_counter() - start


async def execute_all(jobs, cwd, env):
    gate = asyncio.Semaphore(KERNELS_AT_ONCE)
    results = await asyncio.gather(*(execute(nb, cwd, env, gate) for nb in jobs.values()))
    return dict(zip(jobs, results))


@pytest.fixture(scope="module")
def executed(edition):
    """Every student notebook executed, two kernels at a time, plus SOLVED_CHAPTER with its solutions
    pasted in. Each gets a last cell that prints where course_lib was imported from."""
    jobs = {}
    for name in NAMES:
        jobs[name] = nbformat.read(edition / "notebooks" / name, as_version=4)
    solved_nb = nbformat.read(edition / "notebooks" / SOLVED_CHAPTER, as_version=4)
    by_id = {cell.id: cell for cell in solved_nb.cells}
    for student, solution, _ in exercises(load(ROOT / "notebooks" / SOLVED_CHAPTER)):
        by_id[student["id"]].source = solved(student, solution)
    jobs["solved " + SOLVED_CHAPTER] = solved_nb
    for nb in jobs.values():
        nb.cells.append(nbformat.v4.new_code_cell(LIBRARY_PROBE))

    start = time.perf_counter()
    results = asyncio.run(execute_all(jobs, edition / "notebooks", kernel_env(edition)))
    wall = time.perf_counter() - start
    slowest = max(results.items(), key=lambda item: item[1][2])
    print(f"\nexecuted {len(jobs)} student notebooks in {wall:.1f} s, {KERNELS_AT_ONCE} at a time "
          f"(slowest: {slowest[0]}, {slowest[1][2]:.1f} s)")
    return results


# --- the build ---------------------------------------------------------------------------------

def test_edition_holds_the_notebooks_the_library_and_the_setup(edition):
    assert sorted(p.name for p in (edition / "notebooks").iterdir()) == NAMES
    for name in ("course_lib/__init__.py", "course_lib/check/__init__.py", "data/lecture_losses.txt",
                 "pyproject.toml", "environment.yml", "Makefile", "README.md", "tools/offline"):
        assert (edition / name).is_file(), f"the student edition lacks {name}"
    assert os.access(edition / "tools" / "offline", os.X_OK), "tools/offline lost its executable bit"
    leftovers = [p for p in edition.rglob("*") if p.name in {"__pycache__", ".ipynb_checkpoints"} or p.suffix == ".pyc"]
    assert not leftovers, f"caches copied into the student edition: {leftovers}"
    for name in ("tests", "benchmarks", "docs", "conftest.py", "CONTRIBUTING.md", ".git"):
        assert not (edition / name).exists(), f"{name} is not part of the hand-out"
    readme = (edition / "README.md").read_text(encoding="utf-8")
    assert readme == (ROOT / "tools" / "student_README.md").read_text(encoding="utf-8"), "the README is the students' one"
    for absent in ("docs/screenshots", "benchmarks/", "make test", "solution"):
        assert absent not in readme, f"the student README mentions {absent!r}, which the hand-out lacks"


@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_is_the_original_minus_its_solution_and_notes_cells(edition, name):
    original = load(ROOT / "notebooks" / name)
    written = (edition / "notebooks" / name).read_text(encoding="utf-8")
    student = json.loads(written)
    assert not [c for c in student["cells"] if student_edition.is_solution(c)], "a solution cell is left"
    assert "_solution" not in written, "a *_solution name is left in the student notebook"
    expected_cells = [c for c in original["cells"] if not student_edition.is_left_out(c)]
    assert any(map(student_edition.is_solution, original["cells"])), "the repository notebook has no solution cell to remove"
    assert student["cells"] == expected_cells, \
        "cells differ from the original's cells minus solutions and notes (order, source, metadata or id)"
    assert {k: v for k, v in student.items() if k != "cells"} == {k: v for k, v in original.items() if k != "cells"}
    assert written == json.dumps(student, indent=1, ensure_ascii=False) + "\n", \
        "not written like the repository's notebooks (JSON indent 1, non-ASCII kept, final newline)"


@pytest.mark.parametrize("name", NAMES)
def test_no_speaker_notes_are_in_the_edition(edition, name):
    """The instructor's notes (slide type notes) are for the presenter: none is handed out, not even its text."""
    original = load(ROOT / "notebooks" / name)
    notes = [c for c in original["cells"] if student_edition.is_notes(c)]
    assert notes, "the repository notebook has no speaker notes to leave out"
    written = (edition / "notebooks" / name).read_text(encoding="utf-8")
    student = json.loads(written)
    assert not [c for c in student["cells"] if c["metadata"].get("slideshow", {}).get("slide_type") == "notes"]
    kept_ids = {c["id"] for c in student["cells"]}
    assert not kept_ids & {c["id"] for c in notes}, "a notes cell's id is in the student notebook"
    student_text = "\n".join(strings(student))
    assert "Speaker notes." not in student_text
    left = [source(c)[:60] for c in notes if source(c).strip() in student_text]
    assert not left, f"speaker notes found in the student edition: {left}"


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_check_is_still_called(edition, name):
    original = load(ROOT / "notebooks" / name)
    student = load(edition / "notebooks" / name)
    assert check_calls(original), "no exercise check found in the repository notebook"
    assert check_calls(student) == check_calls(original)
    assert len(exercises(original)) == len([c for c in original["cells"] if student_edition.is_solution(c)])


@pytest.mark.parametrize("name", NAMES)
def test_no_line_of_a_removed_solution_leaks(edition, name):
    original = load(ROOT / "notebooks" / name)
    kept_text = "\n".join(strings([c for c in original["cells"] if not student_edition.is_left_out(c)]))
    student_text = "\n".join(strings(load(edition / "notebooks" / name)))
    leaks = []
    for cell in original["cells"]:
        if not student_edition.is_solution(cell):
            continue
        for line in source(cell).splitlines():
            line = line.strip()
            if len(line) >= MIN_LEAK_CHARS and line in student_text and line not in kept_text:
                leaks.append(line)
    assert not leaks, f"lines of reference solutions found in the student edition: {leaks}"


def test_zip_holds_the_same_notebooks_without_solutions(edition):
    zip_path = edition.parent / student_edition.ZIP_NAME
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        assert all(n.startswith("nncourse/") for n in names), "the zip unpacks into one folder, nncourse/"
        zipped = {n.removeprefix("nncourse/notebooks/"): archive.read(n) for n in names
                  if n.startswith("nncourse/notebooks/") and n.endswith(".ipynb")}
        assert "nncourse/course_lib/check/__init__.py" in names
    assert sorted(zipped) == NAMES
    for name, data in zipped.items():
        assert data == (edition / "notebooks" / name).read_bytes(), f"{name} in the zip differs from the folder"
        nb = json.loads(data.decode("utf-8"))
        assert not [c for c in nb["cells"] if student_edition.is_left_out(c)], f"{name} in the zip has a solution or notes cell"
        assert b"_solution" not in data


def test_rebuild_removes_stale_files_and_returns_the_notebooks(tmp_path):
    out = tmp_path / "edition" / "nncourse"
    first = student_edition.build_student_edition(out)
    assert first == [out / "notebooks" / name for name in NAMES]
    stale = out / "notebooks" / "99_removed_chapter.ipynb"
    stale.write_text("{}", encoding="utf-8")
    assert student_edition.build_student_edition(out) == first
    assert not stale.exists(), "a file from the previous build survived the rebuild"
    assert (tmp_path / "edition" / student_edition.ZIP_NAME).is_file()


def notebook_with(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def code_cell(text, tags=(), outputs=(), execution_count=None):
    return {"cell_type": "code", "execution_count": execution_count, "id": "c0", "metadata": {"tags": list(tags)},
            "outputs": list(outputs), "source": [text]}


@pytest.mark.parametrize("cell, message", [
    (code_cell("print(1)", outputs=[{"output_type": "stream", "name": "stdout", "text": "1\n"}], execution_count=1),
     "carries outputs"),
    (code_cell("f_solution(2)"), "uses f_solution"),
])
def test_build_refuses_and_leaves_the_previous_edition(tmp_path, cell, message):
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "notebooks" / "01_x.ipynb").write_text(json.dumps(notebook_with([cell])), encoding="utf-8")
    out = tmp_path / "out" / "nncourse"
    (out / "notebooks").mkdir(parents=True)
    (out / "notebooks" / "previous.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(student_edition.StudentEditionError, match=message):
        student_edition.build_student_edition(out, root=repo)
    assert (out / "notebooks" / "previous.ipynb").exists(), "a refused build must not delete anything"


def test_build_refuses_to_replace_the_repository_or_its_sources():
    for out in (ROOT, ROOT / "notebooks", ROOT / "build"):
        with pytest.raises(student_edition.StudentEditionError, match="repository"):
            student_edition.build_student_edition(out)
    assert ORIGINALS and all(p.exists() for p in ORIGINALS)


# --- the checks still work ---------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_runs_and_each_unsolved_exercise_says_so(executed, edition, name):
    nb, error, _ = executed[name]
    assert error is None, f"{name} raised in the student edition:\n{error}"
    assert f"course_lib from {edition / 'course_lib'}" in text_output(nb.cells[-1]), \
        f"the kernel did not import the student edition's course_lib: {text_output(nb.cells[-1])!r}"
    by_id = {cell.id: cell for cell in nb.cells}
    for student, _, check_name in exercises(load(ROOT / "notebooks" / name)):
        printed = text_output(by_id[student["id"]])
        assert re.search(r"^✘ ", printed, re.M) and "\n  Hint: " in printed, \
            f"check.{check_name} on the unsolved stub printed no ✘ line with a hint: {printed!r}"
        assert "✔" not in printed, f"check.{check_name} passed an unsolved stub: {printed!r}"


def test_student_cells_with_the_reference_solutions_pass_their_checks(executed):
    nb, error, _ = executed["solved " + SOLVED_CHAPTER]
    assert error is None, f"{SOLVED_CHAPTER} with the solutions pasted in raised:\n{error}"
    by_id = {cell.id: cell for cell in nb.cells}
    exercise_cells = exercises(load(ROOT / "notebooks" / SOLVED_CHAPTER))
    assert len(exercise_cells) >= 3
    for student, _, check_name in exercise_cells:
        printed = text_output(by_id[student["id"]])
        assert printed.startswith("✔ "), f"check.{check_name} did not pass the reference solution: {printed!r}"
        assert "✘" not in printed
