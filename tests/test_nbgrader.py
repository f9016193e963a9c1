"""Grading with nbgrader (tools/nbgrader_course.py): nbgrader releases the chapters, their checks grade.

Once per session the course folder is built into a temporary directory and nbgrader itself runs on
it, as an instructor runs it (``nbgrader generate_assignment`` for every chapter, then ``nbgrader
autograde`` and ``generate_feedback`` for GRADED_CHAPTER with three submissions: the reference
solutions filled in, the release handed back unchanged, and one with a wrong prediction and the bug
left in). The tests prove that the release is the student edition plus one graded cell per exercise
(no reference solution, the given stubs and buggy code kept), and that the scores per exercise are
full marks, zero and the expected part.
"""
import copy
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from labdriver import lab_and_browser, require_browser

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
STUDENT_LAB_CONFIGS = ("lab", "present")     # tools/lab (make lab) and tools/present (make present)
# What nbgrader's installation switches on for every JupyterLab of this environment.
NBGRADER_SERVER_CONFIG = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json"
NBGRADER_LAB_EXTENSION = "@jupyter/nbgrader"
GRADED_CHAPTER = "01_neurons"   # 4 exercises: predict-then-run, find-the-bug, two to write; runs in ~4 s
CHAPTERS = sorted(path.stem for path in (ROOT / "notebooks").glob("*.ipynb"))
# Per submission, the points of each exercise (its check's name) that autograde must give.
EXPECTED_SCORES = {
    "right": {"same_charge": 1, "neuron_output": 2, "gate_weights": 2, "widest_hidden_layer": 2},
    "unchanged": {"same_charge": 0, "neuron_output": 0, "gate_weights": 0, "widest_hidden_layer": 0},
    "two_wrong": {"same_charge": 0, "neuron_output": 0, "gate_weights": 2, "widest_hidden_layer": 2},
}
WRONG_PREDICTION = 'prediction = "long"\n\ncheck.same_charge(prediction)'


def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nbgrader_course = load_tool("nbgrader_course")
student_edition = load_tool("student_edition")


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"])


def nbgrader_meta(cell):
    return cell["metadata"].get("nbgrader", {})


def is_test(cell):
    return nbgrader_meta(cell).get("grade", False) and not nbgrader_meta(cell).get("solution", False)


def nbgrader(*args, root):
    """Run the nbgrader command line on the course at ``root``; fail the test with its log if it fails."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={root}"],
                         capture_output=True, text=True, cwd=root, env=env)
    assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout}{run.stderr}"
    assert "[ERROR]" not in run.stderr and "| ERROR]" not in run.stderr, run.stderr
    return run


def without_delimiters(text):
    return "\n".join(line for line in text.split("\n")
                     if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)


def submissions(release, course_source):
    """The three submissions of GRADED_CHAPTER: {student id: notebook}."""
    solved_cells = {nbgrader_meta(c)["grade_id"]: without_delimiters(source(c))
                    for c in course_source["cells"] if nbgrader_meta(c).get("solution")}

    def filled(nb, answers):
        nb = copy.deepcopy(nb)
        for cell in nb["cells"]:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if nbgrader_meta(cell).get("solution") and grade_id in answers:
                cell["source"] = answers[grade_id]
        return nb

    two_wrong = {**solved_cells, "same_charge_answer": WRONG_PREDICTION}
    del two_wrong["neuron_output_answer"]                       # the given buggy function, unrepaired
    return {"right": filled(release, solved_cells), "unchanged": release,
            "two_wrong": filled(release, two_wrong)}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course after generate_assignment (all chapters), autograde and feedback (GRADED_CHAPTER)."""
    root = tmp_path_factory.mktemp("nbgrader")
    start = time.perf_counter()
    graded = nbgrader_course.build_course(root)
    nbgrader("generate_assignment", "*", root=root)
    released = time.perf_counter()
    notebook = f"{GRADED_CHAPTER}.ipynb"
    release = load(root / "release" / GRADED_CHAPTER / notebook)
    for student, nb in submissions(release, load(root / "source" / GRADED_CHAPTER / notebook)).items():
        folder = root / "submitted" / student / GRADED_CHAPTER
        folder.mkdir(parents=True)
        (folder / notebook).write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    nbgrader("autograde", GRADED_CHAPTER, root=root)
    nbgrader("generate_feedback", GRADED_CHAPTER, root=root)
    print(f"\nnbgrader: {len(CHAPTERS)} chapters released in {released - start:.1f} s; "
          f"{len(EXPECTED_SCORES)} submissions autograded with feedback in "
          f"{time.perf_counter() - released:.1f} s")
    return root, graded


@pytest.fixture(scope="module")
def scores(course):
    """{student: {grade id: (score, max score)}} from the gradebook autograde filled in."""
    root, _ = course
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        notebooks = {student: gradebook.find_submission_notebook(GRADED_CHAPTER, GRADED_CHAPTER, student)
                     for student in EXPECTED_SCORES}
        return {student: {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}
                for student, notebook in notebooks.items()}


# --- the release ---------------------------------------------------------------------------------

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_release_is_the_student_edition_plus_one_graded_cell_per_exercise(course, chapter):
    root, _ = course
    original = load(ROOT / "notebooks" / f"{chapter}.ipynb")
    expected = nbgrader_course.with_local_data(student_edition.for_students(original, chapter))
    release = load(root / "release" / chapter / f"{chapter}.ipynb")
    kept = [c for c in release["cells"] if not is_test(c)]
    assert [(c["id"], c["cell_type"], source(c)) for c in kept] == \
           [(c["id"], c["cell_type"], source(c)) for c in expected["cells"]], \
        "the release differs from the student edition (a stub, a given bug or a task changed)"
    answers = [c for c in release["cells"] if nbgrader_meta(c).get("solution")]
    assert len(answers) == len([c for c in original["cells"] if student_edition.is_solution(c)]) >= 1
    for index, cell in enumerate(release["cells"]):
        if nbgrader_meta(cell).get("solution"):
            test = release["cells"][index + 1]
            check_name = nbgrader_meta(test)["grade_id"]
            assert is_test(test) and nbgrader_meta(test)["locked"], "no locked test cell after an answer"
            assert f"check.{check_name}(" in source(cell), "the test cell grades another exercise"
            assert source(test).startswith("# Graded by nbgrader") and "assert" not in source(test), \
                "the release shows the hidden test (Run All would stop at the first unsolved exercise)"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_release_holds_no_reference_solution(course, chapter):
    root, _ = course
    text = (root / "release" / chapter / f"{chapter}.ipynb").read_text(encoding="utf-8")
    for leak in ("_solution", "BEGIN SOLUTION", "HIDDEN TESTS", "Speaker notes"):
        assert leak not in text, f"{leak!r} is in the released {chapter}"
    original = load(ROOT / "notebooks" / f"{chapter}.ipynb")
    handed_out = "\n".join(source(c) for c in original["cells"] if not student_edition.is_left_out(c))
    released = "\n".join(source(c) for c in load(root / "release" / chapter / f"{chapter}.ipynb")["cells"])
    leaks = [line.strip() for c in original["cells"] if student_edition.is_solution(c)
             for line in source(c).splitlines()
             if len(line.strip()) >= 8 and line.strip() in released and line.strip() not in handed_out]
    assert not leaks, f"lines of reference solutions in the released {chapter}: {leaks}"


def test_release_keeps_the_given_buggy_code_and_the_stubs(course):
    root, _ = course
    release = load(root / "release" / GRADED_CHAPTER / f"{GRADED_CHAPTER}.ipynb")
    answers = {nbgrader_meta(c)["grade_id"]: source(c) for c in release["cells"]
               if nbgrader_meta(c).get("solution")}
    assert "np.exp(-X @ w + b)" in answers["neuron_output_answer"], "the bug to find is not handed out"
    assert answers["same_charge_answer"].startswith("prediction = None")
    assert "return None" in answers["gate_weights_answer"]


def test_a_data_file_the_chapter_reads_travels_with_the_assignment(course):
    root, _ = course
    assert (root / "release" / "02_backpropagation" / "data" / "lecture_losses.txt").is_file()
    released = (root / "release" / "02_backpropagation" / "02_backpropagation.ipynb").read_text("utf-8")
    assert '"data/lecture_losses.txt' in released.replace('\\"', '"') and "../data/" not in released


def test_points_follow_the_rule_one_per_prediction_two_per_code(course):
    _, graded = course
    points = dict(graded[GRADED_CHAPTER])
    assert points == {"same_charge": 1, "neuron_output": 2, "gate_weights": 2, "widest_hidden_layer": 2}
    for chapter, tests in graded.items():
        original = load(ROOT / "notebooks" / f"{chapter}.ipynb")
        assert len(tests) == len([c for c in original["cells"] if student_edition.is_solution(c)])


# --- the grades ----------------------------------------------------------------------------------

@pytest.mark.parametrize("student", EXPECTED_SCORES)
def test_autograde_scores_each_exercise_by_its_check(scores, student):
    got = {name: score for name, (score, _) in scores[student].items()}
    assert got == EXPECTED_SCORES[student]
    assert {name: top for name, (_, top) in scores[student].items()} == EXPECTED_SCORES["right"]


def test_a_failed_check_shows_its_cross_and_hint_in_the_graded_notebook_and_feedback(course):
    root, _ = course
    graded = load(root / "autograded" / "two_wrong" / GRADED_CHAPTER / f"{GRADED_CHAPTER}.ipynb")
    outputs = {nbgrader_meta(c)["grade_id"]: c["outputs"] for c in graded["cells"] if is_test(c)}
    printed = "".join("".join(o["text"]) for o in outputs["neuron_output"] if o["output_type"] == "stream")
    assert printed.startswith("✘ neuron_output:") and "Hint:" in printed
    errors = [o["ename"] for o in outputs["neuron_output"] if o["output_type"] == "error"]
    assert errors == ["AssertionError"]
    assert not [o for o in outputs["gate_weights"] if o["output_type"] == "error"]
    feedback = root / "feedback" / "two_wrong" / GRADED_CHAPTER / f"{GRADED_CHAPTER}.html"
    feedback = feedback.read_text(encoding="utf-8")
    assert "✘ neuron_output:" in feedback and "✔ gate_weights:" in feedback


# --- the tool ------------------------------------------------------------------------------------

def test_rebuild_keeps_the_gradebook_and_the_submissions(course, tmp_path):
    root = tmp_path / "course"
    (root / "submitted" / "s1").mkdir(parents=True)
    (root / "gradebook.db").write_text("grades", encoding="utf-8")
    nbgrader_course.build_course(root, [GRADED_CHAPTER])
    stale = root / "source" / GRADED_CHAPTER / "old.ipynb"
    stale.write_text("{}", encoding="utf-8")
    assert nbgrader_course.build_course(root, [GRADED_CHAPTER]).keys() == {GRADED_CHAPTER}
    assert not stale.exists(), "a stale file survived in the rebuilt assignment"
    assert (root / "gradebook.db").read_text(encoding="utf-8") == "grades"
    assert (root / "submitted" / "s1").is_dir()
    assert 'code_stub = {"python": ""}' in (root / "nbgrader_config.py").read_text(encoding="utf-8")


def test_build_refuses_a_solution_without_its_exercise(tmp_path):
    solution = {"cell_type": "code", "execution_count": None, "id": "s", "outputs": [],
                "metadata": {"tags": ["solution"]},
                "source": "def f_solution(x):\n    return x\n\nassert check.f(f_solution, quiet=True)"}
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_x.ipynb").write_text(json.dumps(
        {"cells": [solution], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    with pytest.raises(nbgrader_course.CourseError, match=r"no student cell calls check\.f"):
        nbgrader_course.build_course(tmp_path / "out", root=tmp_path)
    assert not (tmp_path / "out").exists(), "a refused build must write nothing"


# --- the students' JupyterLab ----------------------------------------------------------------------

@pytest.mark.parametrize("config", STUDENT_LAB_CONFIGS)
def test_course_lab_configs_switch_off_every_nbgrader_extension(config):
    enabled = json.loads(NBGRADER_SERVER_CONFIG.read_text())["ServerApp"]["jpserver_extensions"]
    folder = ROOT / "tools" / config
    server = json.loads((folder / "jupyter_server_config.json").read_text())["ServerApp"]
    server = server["jpserver_extensions"]
    assert enabled and {name: server.get(name) for name in enabled} == {name: False for name in enabled}
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == {NBGRADER_LAB_EXTENSION: True}


@pytest.mark.parametrize("present", [False, True], ids=["make-lab", "make-present"])
def test_students_jupyterlab_shows_no_nbgrader_menu_or_button(present):
    """nbgrader is installed in .venv, but the Lab of `make lab` / `make present` has no Nbgrader menu,
    no Validate button, no assignment side panel, no console error and no request off the machine."""
    require_browser("the students' JupyterLab without nbgrader")
    with lab_and_browser(present=present) as (lab, chromium):
        page = chromium.new_page(viewport={"width": 1280, "height": 800})
        errors, remote = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def local_only(route):
            url = route.request.url
            if url.startswith(("file://", "http://127.0.0.1", "http://localhost", "data:")):
                route.continue_()
            else:
                remote.append(url)
                route.abort()

        page.route("**/*", local_only)
        page.goto(lab.url(f"lab/workspaces/nbgrader{int(time.time() * 1000)}/tree/notebooks/"
                          "00_start_here.ipynb?reset"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
        page.wait_for_selector(".jp-NotebookPanel-toolbar [data-jp-item-name='deck']", timeout=30_000)
        menus = page.locator(".lm-MenuBar-item").all_inner_texts()
        toolbar = page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-item").evaluate_all(
            "items => items.map(item => item.innerText.trim())")
        tabs = page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
            "tabs => tabs.map(tab => tab.getAttribute('data-id'))")
        assert "Run" in menus and "Nbgrader" not in menus, menus
        assert "Validate" not in toolbar, toolbar
        assert "filebrowser" in tabs and not [t for t in tabs if t and "nbgrader" in t], tabs
        for api in ("formgrader", "assignments", "courses"):
            assert page.request.get(lab.url(api)).status == 404, f"nbgrader's /{api} is served to students"
        assert not errors, f"console errors: {errors[:5]}"
        assert not remote, f"requests off the machine: {remote[:5]}"
