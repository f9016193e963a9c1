"""Tests of course_lib/data.py."""
import numpy as np
import pytest
from sklearn import datasets

from course_lib.data import make_moons


@pytest.mark.parametrize("n, noise, seed", [(200, 0.2, 0), (100, 0.1, 1), (7, 0.0, 42), (51, 0.3, 123), (2, 0.5, 2**32 - 1)])
def test_make_moons_equals_sklearn_after_seeding_numpy(n, noise, seed):
    np.random.seed(seed)
    X_ref, y_ref = datasets.make_moons(n, noise=noise)
    X, y = make_moons(n, noise=noise, seed=seed)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert X.shape == (n, 2) and X.dtype == np.float64 and y.dtype == np.int64


def test_make_moons_defaults_are_the_lectures_data():
    np.random.seed(0)
    X_ref, y_ref = datasets.make_moons(200, noise=0.20)
    X, y = make_moons()
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_make_moons_leaves_numpys_global_random_state_alone():
    np.random.seed(7)
    expected = np.random.rand(5)
    np.random.seed(7)
    make_moons(50, seed=3)
    np.testing.assert_array_equal(np.random.rand(5), expected)


@pytest.mark.parametrize("kwargs, exc, name", [
    pytest.param({"n_samples": 1}, ValueError, "n_samples", id="n-too-small"),
    pytest.param({"n_samples": 2.5}, TypeError, "n_samples", id="n-fractional"),
    pytest.param({"n_samples": "200"}, TypeError, "n_samples", id="n-str"),
    pytest.param({"noise": -0.1}, ValueError, "noise", id="noise-negative"),
    pytest.param({"noise": np.nan}, ValueError, "noise", id="noise-nan"),
    pytest.param({"noise": None}, TypeError, "noise", id="noise-none"),
    pytest.param({"seed": -1}, ValueError, "seed", id="seed-negative"),
    pytest.param({"seed": 2**32}, ValueError, "seed", id="seed-too-big"),
    pytest.param({"seed": 1.5}, TypeError, "seed", id="seed-fractional"),
])
def test_make_moons_rejects_bad_input_naming_the_argument(kwargs, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        make_moons(**kwargs)
