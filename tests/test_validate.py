"""Tests of course_lib/_validate.py, the shared input checks behind every error message."""
import numpy as np
import pytest

from course_lib._validate import _describe, as_array, as_number, as_seeds, as_targets, same_shape


def test_as_array_converts_lists_ints_and_bools_to_float64():
    for value in ([1, 2], [True, False], 3, np.float32(1.5)):
        assert as_array(value, "x").dtype == np.float64


def test_as_array_does_not_copy_a_float64_array():
    x = np.ones(3)
    assert as_array(x, "x") is x


@pytest.mark.parametrize("value", ["abc", b"abc", {"a": 1}, {1, 2}, None, [[1.0, 2.0], [3.0]],
                                   np.array([1, "a"], dtype=object), np.array(["a", "b"]), [1 + 2j]],
                         ids=["str", "bytes", "dict", "set", "None", "ragged", "object", "unicode-array", "complex"])
def test_as_array_rejects_non_numbers_with_type_error_naming_the_argument(value):
    with pytest.raises(TypeError, match=r"^weights must be"):
        as_array(value, "weights")


def test_as_array_reports_the_first_nonfinite_entry_and_its_index():
    x = np.zeros((2, 3))
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"^x must be finite; got nan at index \(1, 2\)"):
        as_array(x, "x")
    with pytest.raises(ValueError, match=r"^s must be finite; got inf"):
        as_array(np.inf, "s")


def test_as_array_allows_nonfinite_on_request():
    assert np.isnan(as_array([np.nan], "x", allow_nonfinite=True)[0])


def test_as_array_checks_ndim():
    assert as_array([[1.0]], "x", ndim=(1, 2)).shape == (1, 1)
    with pytest.raises(ValueError, match=r"^x must be 2-D; got shape \(3,\) \(1-D\)"):
        as_array([1, 2, 3], "x", ndim=2)
    with pytest.raises(ValueError, match=r"^x must be 1-D or 2-D"):
        as_array(1.0, "x", ndim=(1, 2))


def test_as_array_as_integers_accepts_whole_floats_and_rejects_fractions():
    np.testing.assert_array_equal(as_array([1.0, 2.0], "y", dtype=np.int64), [1, 2])
    assert as_array([True], "y", dtype=np.int64).dtype == np.int64
    with pytest.raises(TypeError, match=r"^y must hold integers"):
        as_array([1.5], "y", dtype=np.int64)
    with pytest.raises(TypeError, match=r"^y must hold integers"):
        as_array([np.nan], "y", dtype=np.int64)


def test_as_number_returns_float_or_int():
    assert as_number(3, "lr") == 3.0 and isinstance(as_number(3, "lr"), float)
    assert as_number(np.float32(0.5), "lr") == 0.5
    assert as_number(np.array(2.0), "lr") == 2.0
    assert as_number(4.0, "k", integer=True) == 4 and isinstance(as_number(4.0, "k", integer=True), int)
    assert as_number(np.int64(4), "k", integer=True) == 4


def test_as_number_bounds_are_inclusive_or_exclusive():
    assert as_number(0, "p", low=0, high=1) == 0.0
    with pytest.raises(ValueError, match=r"^p must be > 0; got 0.0"):
        as_number(0, "p", low=0, low_inclusive=False)
    with pytest.raises(ValueError, match=r"^p must be < 1; got 1.0"):
        as_number(1, "p", high=1, high_inclusive=False)
    with pytest.raises(ValueError, match=r"^p must be <= 1; got 1.5"):
        as_number(1.5, "p", high=1)


@pytest.mark.parametrize("value, kwargs, exc", [
    pytest.param(True, {}, TypeError, id="bool"),
    pytest.param("1", {}, TypeError, id="str"),
    pytest.param(None, {}, TypeError, id="None"),
    pytest.param([1.0], {}, TypeError, id="list"),
    pytest.param(np.ones(1), {}, TypeError, id="1d-array"),
    pytest.param(1 + 0j, {}, TypeError, id="complex"),
    pytest.param(np.nan, {}, ValueError, id="nan"),
    pytest.param(-np.inf, {}, ValueError, id="inf"),
    pytest.param(2.5, {"integer": True}, TypeError, id="fractional-integer"),
    pytest.param(np.nan, {"integer": True}, TypeError, id="nan-integer"),
    pytest.param(-1, {"low": 0}, ValueError, id="below-low"),
])
def test_as_number_rejects_bad_values_naming_the_argument(value, kwargs, exc):
    with pytest.raises(exc, match=r"^rate must be"):
        as_number(value, "rate", **kwargs)


def test_same_shape_names_both_arguments():
    same_shape(np.ones(2), np.ones(2), "a", "b")
    with pytest.raises(ValueError, match=r"^pred and target must have the same shape; got \(2,\) and \(3,\)"):
        same_shape(np.ones(2), np.ones(3), "pred", "target")


def test_as_targets_turns_indices_into_one_hot_and_keeps_rows():
    np.testing.assert_array_equal(as_targets([2, 0], 2, 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(as_targets([2.0, 0.0], 2, 3), [[0, 0, 1], [1, 0, 0]])
    rows = np.array([[0.25, 0.75], [1.0, 0.0]])
    np.testing.assert_array_equal(as_targets(rows, 2, 2), rows)


@pytest.mark.parametrize("targets, exc", [
    pytest.param([0, 1, 2], ValueError, id="too-many"),
    pytest.param([0, 3], ValueError, id="class-too-big"),
    pytest.param([-1, 0], ValueError, id="negative-class"),
    pytest.param([0.5, 1], TypeError, id="fractional-class"),
    pytest.param(np.ones((2, 2)), ValueError, id="rows-wrong-width"),
    pytest.param(np.full((2, 3), 1.5), ValueError, id="rows-above-one"),
    pytest.param(np.ones((2, 3, 1)), ValueError, id="3d"),
    pytest.param("01", TypeError, id="str"),
])
def test_as_targets_rejects_bad_targets_naming_the_argument(targets, exc):
    with pytest.raises(exc, match=r"^labels\b"):
        as_targets(targets, 2, 3, name="labels")


def test_describe_says_dtype_and_shape_or_type():
    assert _describe(np.zeros((2, 3), dtype=np.float32)) == "an array of dtype float32 and shape (2, 3)"
    assert _describe("abc") == "a str ('abc')"


def test_as_seeds_returns_ints_and_names_what_is_wrong():
    assert as_seeds(range(3)) == [0, 1, 2] and as_seeds(np.array([4.0, 5.0])) == [4, 5]
    with pytest.raises(TypeError, match="seeds must be a list of ints"):
        as_seeds(3)
    with pytest.raises(ValueError, match="at least 2 seeds"):
        as_seeds([0], at_least=2)
    with pytest.raises(ValueError, match=r"seeds\[1\] must be >= 0"):
        as_seeds([0, -1])
    with pytest.raises(TypeError, match=r"seeds\[0\] must be an integer"):
        as_seeds([0.5])


def test_as_flag_takes_only_true_and_false_naming_the_argument():
    from course_lib._validate import as_flag
    assert as_flag(True, "x") is True and as_flag(np.bool_(False), "x") is False
    for bad in (0, 1, "yes", None, [True]):
        with pytest.raises(TypeError, match="flag_name must be True or False"):
            as_flag(bad, "flag_name")
