#!/usr/bin/env python3
"""Build an nbgrader course folder from the chapters: every exercise graded by its own check.

    .venv/bin/python tools/nbgrader_course.py [--out build/nbgrader] [CHAPTER ...]

Writes ``nbgrader_config.py`` and ``source/<chapter>/<chapter>.ipynb`` for each chapter (all, or
the ones named, e.g. ``05_learning_rate``), one nbgrader assignment per chapter. Then, in ``--out``:
``nbgrader generate_assignment 05_learning_rate`` writes the student version to ``release/``, and
``nbgrader autograde 05_learning_rate`` grades ``submitted/<student>/05_learning_rate/``, with
``.venv/bin`` on ``PATH`` (nbgrader runs ``alembic`` for its gradebook) and ``course_lib`` importable
(``make install``), since autograde runs the notebooks.

Nothing is marked by hand: the marking is derived from what each exercise already has, a student
cell ending ``check.NAME(answer)`` and a reference-solution cell tagged ``solution`` that defines
``NAME_solution``. In the source notebook

* the student cell becomes an nbgrader *autograded answer* cell: its given code (stub, buggy code or
  ``prediction = None``) stays, and the reference solution, renamed to the student's name, follows it
  inside ``### BEGIN SOLUTION`` / ``### END SOLUTION``, in place of the blank line before the check.
  The course's ``nbgrader_config.py`` makes the stub that replaces a solution region an empty line,
  so the released cell is the student cell exactly as in the repository and the student edition;
* a locked *autograder test* cell follows it, worth ``POINTS[kind]``:
  ``assert check.NAME(answer)`` inside ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``. The
  release keeps only its comment, so "Run All" still runs through an unsolved chapter; autograde
  puts the assert back, and a failed check prints its ✘ line and hint and fails the cell;
* the reference-solution cells and the speaker notes are left out, as in the student edition.

A data file a chapter reads as ``"../data/NAME"`` is copied into the assignment (``data/NAME``) and
the path rewritten, so the released and the autograded notebook find it. Only ``source/<chapter>/``
of the chapters built and ``nbgrader_config.py`` are replaced: a gradebook, ``release/``,
``submitted/`` and ``autograded/`` beside them are left as they are.
"""
import argparse
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_edition import (is_notes, is_solution, notebook_text,  # noqa: E402
                             read_notebook)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "nbgrader"
# The rule for points: a prediction (one of a few choices) 1 point; code to write or repair 2 points.
POINTS = {"prediction": 1, "code": 2}
PREDICTION = "prediction"         # the name a "predict, then run" cell gives the student's answer
SCHEMA_VERSION = 3                # nbgrader's cell-metadata schema
CHECK_CALL = r"^check\.({name})\((\w+)\)\s*$"
ASSERTED_CHECK = re.compile(r"^assert check\.(\w+)\((\w+)(?:, quiet=True)?\)\s*$", re.M)
REFERENCE_COMMENT = "# Reference solution"
DATA_PATH = re.compile(r"""(["'])\.\./data/([\w.\-]+)\1""")
CONFIG = '''\
# Written by tools/nbgrader_course.py, which rewrites it on every build: change the tool, not this file.
c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "nncourse"
# A solution region becomes an empty line: the student cell keeps its own given code (a stub that
# returns None, the buggy function, prediction = None) and the check that tells the student ✔ or ✘.
c.ClearSolutions.code_stub = {"python": ""}
# The chapters' slowest cells train small networks for tens of seconds (nbval allows 300 s too).
c.Execute.timeout = 300
'''


class CourseError(Exception):
    """A chapter's exercises are not in the form the course's conventions (CONTRIBUTING) give them."""


def source(cell):
    return "".join(cell["source"])


def nbgrader_metadata(grade_id, *, solution=False, grade=False, locked=False, points=None):
    """The ``metadata.nbgrader`` of a cell: an answer (``solution``) or a test (``grade`` + points)."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def exercises(nb, name="notebook"):
    """``(student index, solution index, check name, answer name)`` for each exercise of ``nb``.

    The student cell is the nearest code cell before the solution cell that calls the check the
    solution asserts, ``check.NAME(answer)``; ``answer`` is the name the check is given there.
    """
    cells, found = nb["cells"], []
    for index, cell in enumerate(cells):
        if not is_solution(cell):
            continue
        asserted = ASSERTED_CHECK.search(source(cell))
        if asserted is None:
            raise CourseError(f"{name}: solution cell {index} does not end with "
                              f"'assert check.NAME(NAME_solution, quiet=True)'")
        check_name = asserted.group(1)
        call = re.compile(CHECK_CALL.format(name=re.escape(check_name)), re.M)
        for student in range(index - 1, -1, -1):
            if (cells[student]["cell_type"] == "code" and not is_solution(cells[student])
                    and call.search(source(cells[student]))):
                found.append((student, index, check_name, call.search(source(cells[student])).group(2)))
                break
        else:
            raise CourseError(f"{name}: no student cell calls check.{check_name}(…) "
                              f"before solution cell {index}")
    return found


def reference_body(solution_cell, answer_name):
    """The reference solution's code, renamed to the student's name, without its comment and assert."""
    solution_name = ASSERTED_CHECK.search(source(solution_cell)).group(2)
    lines = [line for line in source(solution_cell).splitlines()
             if not line.startswith(REFERENCE_COMMENT) and not ASSERTED_CHECK.match(line)]
    return re.sub(rf"\b{solution_name}\b", answer_name, "\n".join(lines)).strip("\n")


def answer_source(student_cell, solution_cell, check_name, answer_name):
    """The student cell with the reference solution in a solution region before the check.

    The region takes the place of the last blank line before ``check.NAME(answer)``, so that
    nbgrader's empty stub gives back the student cell exactly.
    """
    lines = source(student_cell).split("\n")
    check_line = max(i for i, line in enumerate(lines) if line.startswith(f"check.{check_name}("))
    blanks = [i for i in range(check_line) if not lines[i].strip()]
    if not blanks:
        raise CourseError(f"check.{check_name}: the student cell needs a blank line before the check, "
                          f"where the solution region goes")
    region = ["### BEGIN SOLUTION", reference_body(solution_cell, answer_name), "### END SOLUTION"]
    return "\n".join(lines[:blanks[-1]] + region + lines[blanks[-1] + 1:])


def test_cell(cell_id, check_name, answer_name, points):
    """The autograder test of one exercise: the check, hidden, must pass."""
    comment = (f"# Graded by nbgrader: {points} point{'s' if points > 1 else ''} "
               f"if check.{check_name}({answer_name}) in the cell above prints ✔.")
    return {"cell_type": "code", "execution_count": None, "id": cell_id,
            "metadata": {"nbgrader": nbgrader_metadata(check_name, grade=True, locked=True,
                                                       points=points)},
            "outputs": [],
            "source": f"{comment}\n### BEGIN HIDDEN TESTS\nassert check.{check_name}({answer_name})\n"
                      f"### END HIDDEN TESTS"}


def points_for(answer_name):
    """The exercise's points by its kind (``POINTS``): a prediction, or code to write or repair."""
    return POINTS[PREDICTION if answer_name == PREDICTION else "code"]


def nbgrader_source(nb, name="notebook"):
    """The nbgrader source version of chapter ``nb`` (its JSON dict); ``nb`` is left unchanged.

    Returns
    -------
    (dict, list of (str, int))
        The notebook and, per exercise in order, its check name (the test cell's grade id) and points.
    """
    cells = [dict(cell) for cell in nb["cells"]]
    tests, graded = {}, []
    for student, solution, check_name, answer_name in exercises(nb, name):
        cell = cells[student]
        cell["metadata"] = {**cell["metadata"],
                            "nbgrader": nbgrader_metadata(f"{check_name}_answer", solution=True)}
        cell["source"] = answer_source(cell, cells[solution], check_name, answer_name)
        points = points_for(answer_name)
        tests[student] = test_cell(f"{cell['id']}-graded", check_name, answer_name, points)
        graded.append((check_name, points))
    kept = []
    for index, cell in enumerate(cells):
        if is_solution(cell) or is_notes(cell):
            continue
        kept.append(cell)
        if index in tests:
            kept.append(tests[index])
    return {**nb, "cells": kept}, graded


def data_files(nb):
    """The files of ``data/`` that the code cells of ``nb`` read as ``"../data/NAME"``."""
    return sorted({m.group(2) for cell in nb["cells"] if cell["cell_type"] == "code"
                   for m in DATA_PATH.finditer(source(cell))})


def with_local_data(nb):
    """``nb`` with ``"../data/NAME"`` read as ``"data/NAME"`` (the copy inside the assignment)."""
    cells = [{**cell, "source": DATA_PATH.sub(r"\1data/\2\1", source(cell))} if cell["cell_type"] == "code"
             else cell for cell in nb["cells"]]
    return {**nb, "cells": cells}


def build_course(out_dir=DEFAULT_OUT, chapters=None, root=ROOT):
    """Write the nbgrader course folder: ``nbgrader_config.py`` and ``source/<chapter>/``.

    Parameters
    ----------
    out_dir : str or Path
        The course folder (nbgrader's ``CourseDirectory.root``); created if missing.
    chapters : list of str, optional
        Chapter names (``05_learning_rate``); all chapters if None.
    root : Path
        The repository to build from.

    Returns
    -------
    dict
        ``{chapter: [(grade id, points), …]}``: the autograder tests written, per chapter.
    """
    root, out_dir = Path(root).resolve(), Path(out_dir).resolve()
    paths = {path.stem: path for path in sorted((root / "notebooks").glob("*.ipynb"))}
    unknown = sorted(set(chapters or ()) - set(paths))
    if unknown:
        raise CourseError(f"no chapter {', '.join(unknown)} in {root / 'notebooks'}")
    built = {}
    for chapter in chapters or paths:
        nb, graded = nbgrader_source(read_notebook(paths[chapter]), f"notebooks/{chapter}.ipynb")
        built[chapter] = (nb, graded)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    for chapter, (nb, _) in built.items():
        folder = out_dir / "source" / chapter
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for data_name in data_files(nb):
            (folder / "data").mkdir(exist_ok=True)
            shutil.copy2(root / "data" / data_name, folder / "data" / data_name)
        (folder / f"{chapter}.ipynb").write_text(notebook_text(with_local_data(nb)), encoding="utf-8",
                                                 newline="\n")
    return {chapter: graded for chapter, (_, graded) in built.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", metavar="CHAPTER",
                        help="chapters to build, e.g. 05_learning_rate (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"the nbgrader course folder (default: {DEFAULT_OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    try:
        built = build_course(args.out, args.chapters or None)
    except CourseError as err:
        parser.exit(1, f"nbgrader_course: error: {err}\n")
    for chapter, graded in built.items():
        print(f"{chapter}: {len(graded)} exercises, {sum(p for _, p in graded)} points")
    print(f"nbgrader course in {args.out.resolve()}: cd there and run "
          f"nbgrader generate_assignment CHAPTER, then nbgrader autograde CHAPTER")
    return 0


if __name__ == "__main__":
    sys.exit(main())
