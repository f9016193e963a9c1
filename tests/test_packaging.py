"""The package installs whole: the wheel holds every module of course_lib, and each imports from it.

The wheel is built offline (pip, no build isolation, no index: the venv's setuptools) from a copy of
pyproject.toml, README.md and course_lib/ in a temporary folder, so the build never writes into the
working tree. It is installed there (``pip install --target``) and every module found in the source
tree (so a new module is covered without editing this file) is imported in a fresh interpreter
whose working directory and ``PYTHONPATH`` hold only that install: each must come from the wheel.
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_lib"


def source_modules():
    """Dotted names of every module in course_lib/, packages included, found by walking the tree."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the wheel, the folder it is installed into)."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(PACKAGE, source / "course_lib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(pip + ["wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
                          "--wheel-dir", str(tmp / "dist"), str(source)], check=True, cwd=tmp)
    wheel, = (tmp / "dist").glob("nncourse-*.whl")
    target = tmp / "site"
    subprocess.run(pip + ["install", "--no-deps", "--no-index", "--quiet", "--target", str(target), str(wheel)],
                   check=True, cwd=tmp)
    return wheel, target


def test_the_module_walk_finds_the_subpackages():
    names = source_modules()
    for package in ("course_lib", "course_lib.check", "course_lib.experiments", "course_lib.viz"):
        assert package in names
    assert len(names) > 30


def test_the_wheel_holds_every_module_and_nothing_outside_course_lib(installed):
    wheel, _ = installed
    files = zipfile.ZipFile(wheel).namelist()
    expected = {str(p.relative_to(ROOT)).replace(os.sep, "/") for p in PACKAGE.rglob("*.py")}
    assert not expected - set(files), f"missing from the wheel: {sorted(expected - set(files))}"
    assert {f.split("/")[0] for f in files} == {"course_lib", wheel.name.split("-py")[0] + ".dist-info"}


def test_every_module_imports_from_the_installed_wheel(installed):
    _, target = installed
    names = source_modules()
    probe = (
        "import importlib, json, sys\n"
        "found = {}\n"
        f"for name in {names!r}:\n"
        "    try:\n"
        "        found[name] = importlib.import_module(name).__file__\n"
        "    except Exception as error:\n"
        "        found[name] = f'{type(error).__name__}: {error}'\n"
        "print('FOUND' + json.dumps(found))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONPATH=str(target), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    run = subprocess.run([sys.executable, "-c", probe], cwd=target.parent, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.split("FOUND", 1)[1])
    outside = {name: where for name, where in found.items() if not where.startswith(str(target) + os.sep)}
    assert not outside, f"not imported from the wheel (or failed to import): {outside}"
