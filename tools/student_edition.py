#!/usr/bin/env python3
"""Build the student edition: the course without the exercises' reference solutions and the speaker notes.

    .venv/bin/python tools/student_edition.py [--out build/student/nncourse]

Writes a self-contained hand-out tree to ``--out``: ``notebooks/*.ipynb`` without the cells tagged
``solution`` and the instructor's speaker notes (cells of slide type ``notes``), every other cell
(its id, metadata and source) and the file's JSON formatting exactly as in the repository; and
copies of ``course_lib/``, ``data/``, ``pyproject.toml``, ``environment.yml``, ``Makefile`` and
``tools/offline``, with ``tools/student_README.md`` as its
``README.md`` (the repository's README is for instructors and developers). Next to the folder (in its
parent) it writes ``nncourse-student.zip``, which unpacks to the same folder. The exercise checks
live in ``course_lib.check``, so they still work: an unsolved exercise prints ✘ and a hint.

The output folder is deleted first, so no stale file survives a rebuild. The build refuses to run
if a notebook carries outputs (strip them: ``nbstripout --keep-id``) or if a cell that stays refers
to a reference solution by name (``NAME_solution``), which would fail in the student edition.
"""
import argparse
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "student" / "nncourse"
ZIP_NAME = "nncourse-student.zip"
SOLUTION_TAG = "solution"
NOTES = "notes"            # the slide type of the instructor's speaker notes
# What the hand-out contains besides the notebooks, relative to the repository root.
COPIED_DIRS = ("course_lib", "data")
COPIED_FILES = ("pyproject.toml", "environment.yml", "Makefile", "tools/offline")
STUDENT_README = "tools/student_README.md"
# Never copied: caches and build leftovers (the folders .gitignore lists).
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info", ".pytest_cache", "build")
SOLUTION_NAME = re.compile(r"\b\w+_solution\b")


class StudentEditionError(Exception):
    """The repository is not in a state from which a student edition can be built."""


def is_solution(cell):
    """True for a reference-solution cell (tagged ``solution``)."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def is_notes(cell):
    """True for a speaker-notes cell (slide type ``notes``): for the presenter, not the student."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == NOTES


def is_left_out(cell):
    """True for a cell the student edition leaves out: a reference solution or speaker notes."""
    return is_solution(cell) or is_notes(cell)


def read_notebook(path):
    """The notebook at ``path`` as the plain JSON dict it is stored as."""
    return json.loads(path.read_text(encoding="utf-8"))


def notebook_text(nb):
    """Serialise a notebook the way the repository's notebooks are stored (nbformat/nbstripout):
    JSON with indent 1, non-ASCII characters kept, keys in their stored order, a final newline."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def for_students(nb, name="notebook"):
    """A copy of notebook ``nb`` without its solution and speaker-notes cells; everything else unchanged.

    Raises
    ------
    StudentEditionError
        If a code cell carries outputs or an execution count, or a cell that stays names a
        ``*_solution`` function (it would raise NameError in the student edition).
    """
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            raise StudentEditionError(
                f"{name}: cell {index} carries outputs; strip them first (nbstripout --keep-id {name})")
    for index, cell in enumerate(nb["cells"]):
        names = sorted(set(SOLUTION_NAME.findall("".join(cell["source"]))))
        if names and not is_solution(cell):
            raise StudentEditionError(
                f"{name}: cell {index} uses {', '.join(names)}, but only cells tagged {SOLUTION_TAG!r} may: "
                f"they are removed from the student edition, so this cell would fail or give the answer away")
    return {**nb, "cells": [cell for cell in nb["cells"] if not is_left_out(cell)]}


def _check_replaceable(out_dir, root):
    """Refuse to delete ``out_dir`` if it holds the repository or is not an earlier build."""
    if out_dir == root or out_dir in root.parents:
        raise StudentEditionError(f"--out {out_dir} contains the repository; choose a folder of its own")
    if out_dir.is_relative_to(root) and root / "build" not in out_dir.parents:
        raise StudentEditionError(f"--out {out_dir} is inside the repository but not inside build/")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / "notebooks").is_dir():
        raise StudentEditionError(f"--out {out_dir} exists and is not a student edition; not deleting it")


def _zip_tree(folder, zip_path):
    """Write ``folder`` to ``zip_path``, entries under ``folder.name/``, in sorted order."""
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, Path(folder.name) / path.relative_to(folder))


def build_student_edition(out_dir, root=ROOT):
    """Write the student edition of the course at ``root`` to ``out_dir``, and its zip beside it.

    Parameters
    ----------
    out_dir : str or Path
        The hand-out folder to (re)create; deleted first if it holds an earlier build.
    root : Path
        The repository to build from (the one this script lives in).

    Returns
    -------
    list of Path
        The student notebooks written, ``out_dir/notebooks/*.ipynb``, in name order.
        The zip is ``out_dir.parent / "nncourse-student.zip"``.

    Raises
    ------
    StudentEditionError
        If a notebook carries outputs, a kept cell uses a solution, or ``out_dir`` is unsafe to replace.
    """
    root = Path(root).resolve()
    out_dir = Path(out_dir).resolve()
    sources = sorted((root / "notebooks").glob("*.ipynb"))
    if not sources:
        raise StudentEditionError(f"no notebooks in {root / 'notebooks'}")
    # Check every notebook before touching the output, so a refused build leaves nothing half-written.
    students = {path.name: for_students(read_notebook(path), f"notebooks/{path.name}") for path in sources}
    _check_replaceable(out_dir, root)

    zip_path = out_dir.parent / ZIP_NAME
    if out_dir.exists():
        shutil.rmtree(out_dir)
    zip_path.unlink(missing_ok=True)
    (out_dir / "notebooks").mkdir(parents=True)

    written = []
    for name, nb in students.items():
        target = out_dir / "notebooks" / name
        target.write_text(notebook_text(nb), encoding="utf-8", newline="\n")
        written.append(target)
    for folder in COPIED_DIRS:
        shutil.copytree(root / folder, out_dir / folder, ignore=IGNORED)
    for file in COPIED_FILES:
        (out_dir / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / file, out_dir / file)  # keeps tools/offline executable
    shutil.copy2(root / STUDENT_README, out_dir / "README.md")
    _zip_tree(out_dir, zip_path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"the hand-out folder, replaced if it exists (default: {DEFAULT_OUT.relative_to(ROOT)}); "
                             f"the zip goes next to it")
    args = parser.parse_args(argv)
    out_dir = args.out.resolve()
    try:
        written = build_student_edition(out_dir)
    except StudentEditionError as err:
        parser.exit(1, f"student_edition: error: {err}\n")
    print(f"Student edition: {len(written)} notebooks without reference solutions and speaker notes in {out_dir}")
    print(f"Zip: {out_dir.parent / ZIP_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
