"""Tests of course_lib/seeds.py."""
import numpy as np
import pytest

from course_lib.seeds import spread


def test_spread_reports_mean_population_std_and_range():
    assert spread([0.95, 0.97], ".1%") == "96.0% ± 1.0% (95.0% – 97.0%)"
    values = np.array([0.1, 0.2, 0.6])
    assert spread(values) == f"{values.mean():.3f} ± {values.std():.3f} (0.100 – 0.600)"


def test_spread_of_one_seed_has_no_spread():
    assert spread([2.5], ".2f") == "2.50 ± 0.00 (2.50 – 2.50)"


@pytest.mark.parametrize("values, fmt, exc", [
    ([], ".3f", ValueError),
    ([[1.0, 2.0]], ".3f", ValueError),
    ("abc", ".3f", TypeError),
    ([1.0, np.nan], ".3f", ValueError),
    ([1.0], 3, TypeError),
    ([1.0], ".3q", ValueError),
])
def test_spread_rejects_bad_input_with_a_clear_error(values, fmt, exc):
    with pytest.raises(exc):
        spread(values, fmt)
