"""Every notebook also executes under other CPUs' float arithmetic (tools/float_personality.py).

The machine's own run is the nbval run of notebooks/ in the same suite; here each notebook runs again
under each personality in a fresh pytest process, whose kernels inherit the environment. A failure
prints that run's failures. First, each personality must really change what numpy, OpenBLAS and torch
use (on x86-64), or the second run would prove nothing.
"""
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import float_personality  # noqa: E402

NAMES = sorted(float_personality.PERSONALITIES)
x86_only = pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"),
                              reason="the personalities switch x86-64 kernels")


@x86_only
@pytest.mark.parametrize("name", NAMES)
def test_personality_switches_numpy_openblas_and_torch(name):
    variables = float_personality.PERSONALITIES[name]
    seen = float_personality.report(name)
    for feature in variables["NPY_DISABLE_CPU_FEATURES"].split():
        assert seen["numpy_features"][feature] is False, (feature, seen)
    assert seen["openblas"] == [variables["OPENBLAS_CORETYPE"]], seen
    assert seen["torch"].lower() == variables["ATEN_CPU_CAPABILITY"].lower(), seen
    if variables.get("OMP_NUM_THREADS") == "1":
        assert seen["torch_threads"] == 1, seen


def test_unknown_personality_is_refused():
    with pytest.raises(ValueError, match="personality must be one of"):
        float_personality.environment("avx1024")


@pytest.mark.parametrize("name", NAMES)
def test_every_notebook_runs_under_personality(name):
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--no-header",
               "-o", "addopts=", "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=300",
               "notebooks/"]
    run = subprocess.run(command, cwd=ROOT, env=float_personality.environment(name),
                         capture_output=True, text=True)
    lines = run.stdout.strip().splitlines()
    assert run.returncode == 0, f"notebooks under {name!r} failed:\n" + "\n".join(lines[-60:])
    assert " passed" in lines[-1] and "failed" not in lines[-1], lines[-1]
