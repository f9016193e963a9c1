"""Tests of course_lib/data.py: every data set's shape, range, determinism, source and bad inputs."""
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn import datasets
from sklearn.model_selection import train_test_split

from course_lib.data import (digits_split, load_digits, make_moons, moons_split, noisy_parabola,
                             tumour_radius_data)


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


# --- moons_split --------------------------------------------------------------------------

def test_moons_split_draws_the_two_sets_from_consecutive_seeds():
    X, y, X_val, y_val = moons_split(50, 200, noise=0.4, seed=1)
    X_ref, y_ref = make_moons(50, noise=0.4, seed=1)
    X_val_ref, y_val_ref = make_moons(200, noise=0.4, seed=2)
    for got, want in [(X, X_ref), (y, y_ref), (X_val, X_val_ref), (y_val, y_val_ref)]:
        np.testing.assert_array_equal(got, want)
    assert X.shape == (50, 2) and X_val.shape == (200, 2) and y.dtype == y_val.dtype == np.int64


def test_moons_split_defaults_are_chapter_08s_data():
    for got, want in zip(moons_split(), moons_split(n_train=50, n_val=200, noise=0.4, seed=1)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("kwargs, exc, name", [
    pytest.param({"n_train": 1}, ValueError, "n_train", id="n_train-too-small"),
    pytest.param({"n_val": 2.5}, TypeError, "n_val", id="n_val-fractional"),
    pytest.param({"noise": -1}, ValueError, "noise", id="noise-negative"),
    pytest.param({"seed": -1}, ValueError, "seed", id="seed-negative"),
    pytest.param({"seed": 2**32 - 1}, ValueError, "seed", id="seed-plus-one-too-big"),
])
def test_moons_split_rejects_bad_input_naming_the_argument(kwargs, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        moons_split(**kwargs)


# --- digits -------------------------------------------------------------------------------

def test_load_digits_is_scikit_learns_digits_scaled_to_the_unit_interval():
    X, y = load_digits()
    X_ref, y_ref = datasets.load_digits(return_X_y=True)
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X * 16, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert np.array_equal(np.unique(y), np.arange(10))


@pytest.mark.parametrize("n_train, n_val, stratify", [(1000, 300, False), (100, 300, True), (1437, 0, True),
                                                      (1500, 0, False), (1, 0, False), (10, 10, True)])
def test_digits_split_parts_are_disjoint_cover_every_image_and_have_the_sizes_asked(n_train, n_val, stratify):
    parts = digits_split(n_train, n_val, seed=3, stratify=stratify)
    X_train, y_train, X_val, y_val, X_test, y_test = parts
    assert (len(X_train), len(X_val), len(X_test)) == (n_train, n_val, 1797 - n_train - n_val)
    assert all(len(X) == len(y) for X, y in [(X_train, y_train), (X_val, y_val), (X_test, y_test)])
    assert X_train.shape[1:] == X_val.shape[1:] == X_test.shape[1:] == (64,)
    assert all(p.dtype == np.float64 for p in parts[0::2]) and all(p.dtype == np.int64 for p in parts[1::2])
    X, y = load_digits()
    # every image once: the three parts together are the data set, rows in some order
    together = np.c_[np.concatenate([X_train, X_val, X_test]), np.concatenate([y_train, y_val, y_test])]
    everything = np.c_[X, y]
    np.testing.assert_array_equal(np.unique(together, axis=0), np.unique(everything, axis=0))
    assert len(together) == len(everything)
    assert parts.X_train is X_train and parts.y_test is y_test               # named fields


@pytest.mark.parametrize("stratify", [False, True])
def test_digits_split_is_deterministic_and_the_seed_changes_the_draw(stratify):
    first, again, other = (digits_split(100, 300, seed=s, stratify=stratify) for s in (0, 0, 1))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.X_train, other.X_train)


@pytest.mark.parametrize("seed", [0, 1, 4])
def test_stratified_digits_split_keeps_every_class_in_proportion(seed):
    _, y = load_digits()
    share = np.bincount(y) / len(y)
    parts = digits_split(100, 300, seed=seed, stratify=True)
    for labels in (parts.y_train, parts.y_val, parts.y_test):
        counts = np.bincount(labels, minlength=10)
        assert np.all(np.abs(counts - share * len(labels)) <= 1)      # within one image per class
    assert np.array_equal(np.bincount(parts.y_train), [10] * 10)


def test_unstratified_digits_split_cuts_one_shuffle_of_the_images():
    X, y = load_digits()
    order = np.random.RandomState(7).permutation(1797)
    parts = digits_split(1000, 300, seed=7)
    np.testing.assert_array_equal(np.concatenate([parts.X_train, parts.X_val, parts.X_test]), X[order])
    np.testing.assert_array_equal(np.concatenate([parts.y_train, parts.y_val, parts.y_test]), y[order])


# The chapters' draws, written out as they were before there was one split function: chapter 04
# and 05 (a permutation), 07 (train_test_split with a 20 % test set), 08 (two stratified splits).

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_digits_split_equals_the_permutation_split_of_chapters_04_and_05(seed):
    digits = datasets.load_digits()
    order = np.random.RandomState(seed).permutation(len(digits.target))
    X, y = digits.data[order] / 16.0, digits.target[order]
    for n_train, n_val in [(1000, 300), (200, 300), (1500, 0)]:
        a, b = n_train, n_train + n_val
        want = (X[:a], y[:a], X[a:b], y[a:b], X[b:], y[b:])
        for got, expected in zip(digits_split(n_train, n_val, seed=seed), want):
            np.testing.assert_array_equal(got, expected)


def test_digits_split_equals_chapter_07s_stratified_eighty_twenty_split():
    digits = datasets.load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
    parts = digits_split(1437, seed=0, stratify=True)
    for got, expected in [(parts.X_train, X_train), (parts.y_train, y_train), (parts.X_test, X_test),
                          (parts.y_test, y_test)]:
        np.testing.assert_array_equal(got, expected)
    assert len(parts.X_val) == 0


@pytest.mark.parametrize("seed", [0, 1, 4])
def test_digits_split_equals_the_two_stratified_splits_of_chapter_08(seed):
    digits = datasets.load_digits()
    X, y = digits.data / 16.0, digits.target
    X, X_rest, y, y_rest = train_test_split(X, y, train_size=100, random_state=seed, stratify=y)
    X_val, _, y_val, _ = train_test_split(X_rest, y_rest, train_size=300, random_state=seed, stratify=y_rest)
    for got, expected in zip(digits_split(100, 300, seed=seed, stratify=True)[:4], (X, y, X_val, y_val)):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("args, kwargs, exc, message", [
    pytest.param((0,), {}, ValueError, "n_train", id="n_train-zero"),
    pytest.param((9,), {"stratify": True}, ValueError, "n_train", id="stratified-n_train-below-classes"),
    pytest.param((100.5,), {}, TypeError, "n_train", id="n_train-fractional"),
    pytest.param(("100",), {}, TypeError, "n_train", id="n_train-str"),
    pytest.param((100, -1), {}, ValueError, "n_val", id="n_val-negative"),
    pytest.param((100, 5), {"stratify": True}, ValueError, "n_val must be 0 or at least 10", id="stratified-n_val-5"),
    pytest.param((1500, 297), {}, ValueError, "n_train \\+ n_val must leave", id="no-test-images"),
    pytest.param((1000, 790), {"stratify": True}, ValueError, "at least 10", id="stratified-test-too-small"),
    pytest.param((100,), {"seed": -1}, ValueError, "seed", id="seed-negative"),
    pytest.param((100,), {"seed": 2**32}, ValueError, "seed", id="seed-too-big"),
    pytest.param((100,), {"stratify": "yes"}, TypeError, "stratify must be True or False", id="stratify-str"),
    pytest.param((100,), {"stratify": None}, TypeError, "stratify", id="stratify-none"),
])
def test_digits_split_rejects_bad_input_naming_the_argument(args, kwargs, exc, message):
    with pytest.raises(exc, match=message):
        digits_split(*args, **kwargs)


# --- tumours ------------------------------------------------------------------------------

def test_tumour_radius_data_is_standardised_and_binary():
    x, y = tumour_radius_data()
    assert x.shape == y.shape == (569,) and x.dtype == y.dtype == np.float64
    assert abs(x.mean()) < 1e-12 and x.std() == pytest.approx(1.0)
    assert set(np.unique(y)) == {0.0, 1.0} and int(y.sum()) == 212     # 212 malignant tumours


def test_tumour_radius_data_is_scikit_learns_breast_cancer_data():
    data = datasets.load_breast_cancer()
    radius = data.data[:, list(data.feature_names).index("mean radius")]
    x, y = tumour_radius_data()
    np.testing.assert_allclose(x, (radius - radius.mean()) / radius.std(), rtol=1e-12)
    np.testing.assert_array_equal(y, data.target == 0)


def test_tumour_radius_data_is_the_file_the_course_read_before():
    # until the data module, the chapter read scikit-learn's CSV file by path: the same numbers
    path = Path(datasets.__file__).parent / "data" / "breast_cancer.csv"
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    x, y = tumour_radius_data()
    np.testing.assert_array_equal(x, (table[:, 0] - table[:, 0].mean()) / table[:, 0].std())
    np.testing.assert_array_equal(y, table[:, -1] == 0)


# --- the lecture's regression data ----------------------------------------------------------

def test_noisy_parabola_is_the_lectures_code():
    x, y = noisy_parabola()
    torch.manual_seed(100)
    x_ref = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
    y_ref = 3 * x_ref.pow(2) + 2 + 0.2 * torch.rand(x_ref.size())
    assert torch.equal(x, x_ref) and torch.equal(y, y_ref)
    assert x.shape == (100, 1) and x.dtype == torch.float32
    assert ((y - 3 * x ** 2 - 2) >= 0).all() and ((y - 3 * x ** 2 - 2) < 0.2).all()


def test_noisy_parabola_leaves_torchs_generator_where_the_lecture_draws_w_next():
    noisy_parabola()
    w = torch.randn(1, 1)
    torch.manual_seed(100)
    torch.rand(100, 1)
    assert torch.equal(w, torch.randn(1, 1))


@pytest.mark.parametrize("kwargs, exc, name", [
    pytest.param({"n": 1}, ValueError, "n", id="n-too-small"),
    pytest.param({"n": 2.5}, TypeError, "n", id="n-fractional"),
    pytest.param({"seed": -1}, ValueError, "seed", id="seed-negative"),
])
def test_noisy_parabola_rejects_bad_input_naming_the_argument(kwargs, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        noisy_parabola(**kwargs)


# --- the playground's sets (chapter 11) ----------------------------------------------------------

from course_lib.data import PLAYGROUND_SETS, playground_data, playground_points  # noqa: E402


@pytest.mark.parametrize("name", PLAYGROUND_SETS)
def test_playground_points_have_their_shape_range_and_balanced_classes(name):
    X, y = playground_points(name, 301, noise=0.1, seed=3)
    assert X.shape == (301, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.abs(X).max() < 6 and set(np.unique(y)) == {0, 1}
    assert abs(np.mean(y) - 0.5) < 0.1


@pytest.mark.parametrize("name", PLAYGROUND_SETS)
def test_playground_points_repeat_for_a_seed_and_change_with_it(name):
    X, y = playground_points(name, 100, 0.2, seed=5)
    X2, y2 = playground_points(name, 100, 0.2, seed=5)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, playground_points(name, 100, 0.2, seed=6)[0])


def test_without_noise_the_playground_labels_follow_tensorflow_playgrounds_rules():
    X, y = playground_points("circle", 400, 0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(y, (r >= 2.5).astype(int))
    assert r[y == 0].max() <= 2.5 and r[y == 1].min() >= 3.5 and r.max() <= 5
    X, y = playground_points("xor", 400, 0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))
    assert np.abs(X).min() >= 0.3
    X, y = playground_points("gauss", 4000, 0.0, seed=0)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(X[y == 0].var(axis=0), [0.5, 0.5], rtol=0.1)
    X, y = playground_points("spiral", 200, 0.0, seed=0)
    np.testing.assert_allclose(X[y == 1], -X[y == 0], atol=1e-12)      # the second arm is the first turned by π


def test_noise_flips_labels_near_the_boundary_but_moves_no_circle_point():
    X0, y0 = playground_points("circle", 400, 0.0, seed=0)
    X, y = playground_points("circle", 400, 0.5, seed=0)
    np.testing.assert_array_equal(X, X0)
    assert 0 < np.sum(y != y0) < 200


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral"])
def test_playground_sets_take_more_classes(name):
    X, y = playground_points(name, 400, 0.0, classes=4, seed=0)
    assert set(np.unique(y)) == {0, 1, 2, 3}
    assert np.bincount(y).min() > 50


def test_playground_data_splits_every_point_once():
    X, y = playground_points("spiral", 200, 0.1, seed=2)
    X_train, y_train, X_test, y_test = playground_data("spiral", 200, 0.1, train_fraction=0.3, seed=2)
    assert len(X_train) == 60 and len(X_test) == 140
    both = np.concatenate([X_train, X_test])
    assert sorted(map(tuple, both)) == sorted(map(tuple, X))
    order = np.lexsort(both.T)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test])[order], y[np.lexsort(X.T)])


@pytest.mark.parametrize("kwargs, error, words", [
    ({"name": "rings"}, ValueError, "name must be one of"),
    ({"name": "xor", "classes": 3}, ValueError, "xor set has 2 classes"),
    ({"name": "moons", "classes": 4}, ValueError, "moons set has 2 classes"),
    ({"name": "circle", "noise": 0.6}, ValueError, "noise"),
    ({"name": "circle", "n_points": 2}, ValueError, "n_points"),
    ({"name": "circle", "classes": 2.5}, (TypeError, ValueError), "classes"),
])
def test_playground_points_reject_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        playground_points(**kwargs)
