"""The project's own conventions: one list of dependencies, two commands, CI = the test command."""
import re
from importlib.metadata import requires
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements():
    # The installed package's metadata is pyproject.toml's lists (dependencies + the "test" extra).
    reqs = [r.split(";")[0].strip() for r in requires("nncourse")]
    return {re.split(r"[=<>\[ ]", r, maxsplit=1)[0].lower(): r for r in reqs}


def _conda_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = {}, {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for r in dep["pip"]:
                if not r.startswith("-e"):
                    pip[re.split(r"[=<> ]", r, maxsplit=1)[0].lower()] = r
        else:
            conda[re.split(r"[=<> ]", dep, maxsplit=1)[0].lower()] = dep
    return conda, pip


def _pin(requirement):
    match = re.search(r"==?([\w.+]+)$", requirement)
    return match.group(1) if match else None


def test_environment_yml_lists_the_same_packages_as_pyproject():
    py = _pyproject_requirements()
    conda, pip = _conda_requirements()
    conda.pop("python"), conda.pop("pip")
    assert set(py) == set(conda) | set(pip), "environment.yml and pyproject.toml list different packages"
    for name, requirement in py.items():
        other = conda.get(name) or pip[name]
        assert _pin(requirement) == _pin(other), f"{name}: {requirement!r} in pyproject.toml but {other!r} in environment.yml"


def test_torch_is_pinned_so_ci_does_not_pull_a_cuda_build():
    assert _pin(_pyproject_requirements()["torch"]), "torch must be pinned with =="


def test_environment_yml_installs_the_course_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    assert env["channels"] == ["conda-forge"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make test$", ci, re.M), ".ci/run must run `make test`"
    assert "make test" in readme and "make lab" in readme


def test_makefile_binds_lab_to_localhost():
    makefile = (ROOT / "Makefile").read_text()
    assert "--ServerApp.ip=127.0.0.1" in makefile
    assert "token=" not in makefile.lower(), "JupyterLab keeps its generated token; never set it empty"


def test_every_dataset_in_data_has_a_provenance_note():
    notes = (ROOT / "data" / "README.md").read_text()
    for path in (ROOT / "data").iterdir():
        if path.name != "README.md":
            assert path.name in notes, f"data/{path.name} has no note in data/README.md"


def _command_mode_keys_of_installed_jupyterlab():
    import json
    import sys
    schema = Path(sys.prefix) / "share/jupyter/lab/schemas/@jupyterlab/notebook-extension/tracker.json"
    shortcuts = json.loads(schema.read_text())["jupyter.lab.shortcuts"]
    return {tuple(s["keys"]) for s in shortcuts
            if s["selector"].endswith(":not(.jp-mod-readWrite) :focus") and s["keys"] and s["keys"] != [""]}


def _widget_guard(config):
    import json
    settings = json.loads((ROOT / "tools" / config / "labconfig" / "default_setting_overrides.json").read_text())
    return {tuple(s["keys"]) for s in settings["@jupyterlab/shortcuts-extension:shortcuts"]["shortcuts"]
            if s["command"] == "nncourse:ignore-key-in-widget"
            and s["selector"].endswith(".jupyter-widgets :focus")}


def test_a_key_typed_on_a_focused_widget_never_runs_a_notebook_shortcut():
    """ipywidgets' controls do not stop JupyterLab's command-mode shortcuts: with a slider or a button
    focused, "x" cuts the cell, "d d" deletes it. The course's JupyterLab settings (tools/lab, used by
    `make lab`; tools/present, by `make present`) bind every such key, inside a widget, to a command that
    does nothing (a more specific selector wins). tests/test_browser.py types the keys in Chromium."""
    keys = _command_mode_keys_of_installed_jupyterlab()
    assert ("X",) in keys and ("D", "D") in keys
    for config in ("lab", "present"):
        assert keys <= _widget_guard(config), f"tools/{config} leaves {sorted(keys - _widget_guard(config))}"
    assert "JUPYTER_CONFIG_PATH=$(CURDIR)/tools/lab" in (ROOT / "Makefile").read_text()


def test_space_on_a_focused_option_button_chooses_it_and_does_not_step_the_deck():
    import json
    settings = json.loads((ROOT / "tools/present/labconfig/default_setting_overrides.json").read_text())
    guard = [s for s in settings["@jupyterlab/shortcuts-extension:shortcuts"]["shortcuts"]
             if s["selector"].endswith(".widget-toggle-buttons :focus") and s["keys"] == ["Space"]]
    # more specific than the deck's Space; no preventDefault, so the button still gets its press
    assert guard and guard[0]["selector"].startswith(".jp-Deck ") and guard[0]["preventDefault"] is False


def test_tools_and_benchmarks_import_nothing_from_tests():
    """The browser driver they share is tools/browser/labdriver.py; tests/ is the tests' own."""
    assert (ROOT / "tools" / "browser" / "labdriver.py").exists() and not (ROOT / "tests" / "labdriver.py").exists()
    reaching = [f"{path.relative_to(ROOT)}: {line.strip()}"
                for folder in ("tools", "benchmarks") for path in sorted((ROOT / folder).rglob("*.py"))
                for line in path.read_text().splitlines()
                if re.search(r"sys\.path\.\w+\(.*[\"']tests[\"']", line)]
    assert not reaching, f"put on sys.path from tests/: {reaching}"


def _course_lib_modules():
    """Every module of course_lib outside check/, dotted from course_lib (e.g. 'viz.widgets')."""
    lib = ROOT / "course_lib"
    names = [".".join(p.relative_to(lib).with_suffix("").parts) for p in lib.rglob("*.py")]
    return {n for n in names if not n.endswith("__init__") and not n.startswith("check.")}


def _chapters_importing():
    """module → the chapters whose notebook code imports it (from course_lib[.pkg] import ...)."""
    import ast
    import json
    from collections import defaultdict

    modules, use = _course_lib_modules(), defaultdict(set)
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            code = "\n".join(line for line in "".join(cell["source"]).splitlines()
                             if not line.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(code)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "course_lib":
                    package = node.module[len("course_lib"):].lstrip(".")
                    for alias in node.names:
                        name = f"{package}.{alias.name}".lstrip(".")
                        use[name if name in modules else package].add(notebook.name[:2])
    return use


def test_the_module_map_lists_every_module_and_the_chapters_that_import_it():
    import course_lib

    rows = {}
    for line in course_lib.__doc__.splitlines():
        match = re.match(r"^ {4}([a-z_][a-z_.]*)\s{2,}.*?\s((?:\d\d)(?: \d\d)*|-)\s*$", line)
        if match:
            rows[match.group(1)] = set() if match.group(2) == "-" else set(match.group(2).split())
    assert set(rows) == _course_lib_modules(), "course_lib/__init__.py's module map and the tree differ"
    use = _chapters_importing()
    wrong = {m: (sorted(rows[m]), sorted(use.get(m, ()))) for m in rows if rows[m] != use.get(m, set())}
    assert not wrong, f"module map chapters (listed, imported by notebooks) differ: {wrong}"


def test_the_readme_layout_names_every_module_of_the_map():
    layout = (ROOT / "README.md").read_text().split("## Layout", 1)[1]
    missing = [m for m in _course_lib_modules() if f"`{m.replace('.', '/')}`" not in layout]
    assert not missing, f"README's Layout does not name {missing}"
