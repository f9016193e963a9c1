"""Test-suite set-up shared by the unit tests (tests/) and the notebooks (notebooks/, nbval)."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# Kernels that nbval starts inherit this: plain tracebacks.
os.environ.setdefault("IPYTHONDIR", str(ROOT / "tests" / "ipython"))
# Keep the user's Jupyter settings out of the test kernels.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
