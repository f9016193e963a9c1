"""Shared fixtures. Matplotlib uses the Agg backend: the unit tests never open a window.

The browser tests import the browser driver, tools/browser/labdriver.py (shared with the benchmarks
and tools/paginate_slides.py), from the folder put on ``sys.path`` here.
"""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "browser"))

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.data import make_moons  # noqa: E402


@pytest.fixture(scope="session")
def moons():
    """The lecture's data set: np.random.seed(0); make_moons(200, noise=0.20)."""
    X, y = make_moons(200, noise=0.20, seed=0)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


@pytest.fixture
def rng():
    return np.random.RandomState(1234)


def away_from(x, points, gap=0.05):
    """Move entries of x that lie within ``gap`` of any of ``points`` (kinks) by 2·gap."""
    x = np.array(x, dtype=np.float64)
    for p in points:
        near = np.abs(x - p) < gap
        x[near] = p + np.where(x[near] >= p, 2 * gap, -2 * gap)
    return x
