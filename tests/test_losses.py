"""Tests of course_lib/losses.py: PyTorch parity, gradient checks, the lecture's tables, stability."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import losses as L
from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.losses import l1_penalty, l2_penalty
from conftest import away_from


def onehot(y, c):
    return np.eye(c)[y]


@pytest.mark.parametrize("shape, axis", [((5, 4), -1), ((5, 4), 0), ((5, 4), 1), ((2, 3, 4), 1), ((6,), 0)])
def test_softmax_and_log_softmax_match_torch(shape, axis, rng):
    z = rng.randn(*shape) * 3
    t = torch.tensor(z)
    np.testing.assert_allclose(L.softmax(z, axis=axis), torch.softmax(t, dim=axis).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(L.log_softmax(z, axis=axis), torch.log_softmax(t, dim=axis).numpy(), rtol=1e-12)


def test_softmax_rows_sum_to_one(rng):
    p = L.softmax(rng.randn(7, 5))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    assert np.all(p > 0)


@pytest.mark.parametrize("target_kind", ["indices", "onehot", "probabilities"])
def test_softmax_cross_entropy_matches_torch_loss_and_autograd(target_kind, rng):
    z, y = rng.randn(6, 4) * 2, rng.randint(0, 4, size=6)
    targets = {"indices": y, "onehot": onehot(y, 4), "probabilities": L.softmax(rng.randn(6, 4))}[target_kind]
    t = torch.tensor(z, requires_grad=True)
    tt = torch.tensor(targets) if target_kind != "indices" else torch.tensor(y)
    ref = F.cross_entropy(t, tt)
    (grad,) = torch.autograd.grad(ref, t)
    loss, dz = L.softmax_cross_entropy(z, targets)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, ref.item(), rtol=1e-12)
    np.testing.assert_allclose(dz, grad.numpy(), rtol=1e-12, atol=1e-16)


def test_softmax_cross_entropy_gradient_is_p_minus_y_over_n(rng):
    z, y = rng.randn(5, 3), np.array([0, 2, 1, 1, 0])
    _, dz = L.softmax_cross_entropy(z, y)
    np.testing.assert_allclose(dz, (L.softmax(z) - onehot(y, 3)) / 5, rtol=1e-14)


@pytest.mark.parametrize("targets", [np.array([2, 0, 1]), onehot(np.array([2, 0, 1]), 4)], ids=["indices", "onehot"])
def test_softmax_cross_entropy_passes_gradient_check(targets, rng):
    z = rng.randn(3, 4)
    _, dz = L.softmax_cross_entropy(z, targets)
    num = numerical_gradient(lambda v: L.softmax_cross_entropy(v, targets)[0], z.copy())
    assert relative_error(dz, num) < 1e-6


def test_index_and_onehot_targets_give_the_same_results(rng):
    z, y = rng.randn(8, 3), rng.randint(0, 3, size=8)
    p = L.softmax(z)
    for fn, arg in [(L.cross_entropy, p), (L.mse, p), (L.classification_error, p)]:
        assert fn(arg, y) == fn(arg, onehot(y, 3))
    (l1, d1), (l2, d2) = L.softmax_cross_entropy(z, y), L.softmax_cross_entropy(z, onehot(y, 3))
    assert l1 == l2 and np.array_equal(d1, d2)


def test_cross_entropy_matches_torch_nll_of_log_probs(rng):
    p, y = L.softmax(rng.randn(5, 3)), rng.randint(0, 3, size=5)
    ref = F.nll_loss(torch.log(torch.tensor(p)), torch.tensor(y)).item()
    np.testing.assert_allclose(L.cross_entropy(p, y), ref, rtol=1e-12)


def test_cross_entropy_is_finite_at_probability_zero():
    p = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert L.cross_entropy(p, [1, 0]) == pytest.approx((100 + np.log(2)) / 2, rel=1e-12)


def test_binary_cross_entropy_matches_torch_including_probabilities_zero_and_one():
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.3, 0.9, 1e-50, 1 - 1e-16])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.25])
    ref = F.binary_cross_entropy(torch.tensor(p), torch.tensor(y)).item()
    loss = L.binary_cross_entropy(p, y)
    assert np.isfinite(loss)
    np.testing.assert_allclose(loss, ref, rtol=1e-12)


def test_binary_cross_entropy_clamps_log_at_minus_100():
    assert L.binary_cross_entropy([0.0], [1.0]) == 100.0
    assert L.binary_cross_entropy([1.0], [0.0]) == 100.0
    assert L.binary_cross_entropy([[0.0, 1.0]], [[0.0, 1.0]]) == 0.0


@pytest.mark.parametrize("scale", [1.0, 30.0, 1e3])
def test_sigmoid_binary_cross_entropy_matches_torch_and_autograd(scale, rng):
    s, y = rng.randn(4, 3) * scale, rng.rand(4, 3).round()
    y[0, 0] = 0.3  # soft targets are allowed
    t = torch.tensor(s, requires_grad=True)
    ref = F.binary_cross_entropy_with_logits(t, torch.tensor(y))
    (grad,) = torch.autograd.grad(ref, t)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, ds = L.sigmoid_binary_cross_entropy(s, y)
    np.testing.assert_allclose(loss, ref.item(), rtol=1e-12)
    np.testing.assert_allclose(ds, grad.numpy(), rtol=1e-12, atol=1e-17)


def test_sigmoid_binary_cross_entropy_passes_gradient_check(rng):
    s, y = rng.randn(5), np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    _, ds = L.sigmoid_binary_cross_entropy(s, y)
    num = numerical_gradient(lambda v: L.sigmoid_binary_cross_entropy(v, y)[0], s.copy())
    assert relative_error(ds, num) < 1e-6


def test_mse_is_mean_over_samples_of_summed_squares(rng):
    p, y = L.softmax(rng.randn(5, 3)), rng.randint(0, 3, size=5)
    ref = ((torch.tensor(p) - torch.tensor(onehot(y, 3))) ** 2).sum(dim=1).mean().item()
    np.testing.assert_allclose(L.mse(p, y), ref, rtol=1e-12)


def test_mse_for_regression_vectors_matches_torch(rng):
    pred, target = rng.randn(7), rng.randn(7)
    ref = F.mse_loss(torch.tensor(pred), torch.tensor(target)).item()
    np.testing.assert_allclose(L.mse(pred, target), ref, rtol=1e-12)


# The lecture's two tables: same classification error, different cross-entropy and MSE.
LECTURE_TARGETS = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]])
LECTURE_TABLE_1 = np.array([[.3, .3, .4], [.3, .4, .3], [.1, .2, .7]])
LECTURE_TABLE_2 = np.array([[.1, .2, .7], [.1, .7, .2], [.3, .4, .3]])


@pytest.mark.parametrize("table", [LECTURE_TABLE_1, LECTURE_TABLE_2], ids=["table1", "table2"])
def test_classification_error_is_one_third_on_both_lecture_tables(table):
    assert L.classification_error(table, LECTURE_TARGETS) == pytest.approx(1 / 3)
    assert L.classification_error(table, [2, 1, 0]) == pytest.approx(1 / 3)


def test_cross_entropy_and_mse_tell_the_lecture_tables_apart():
    assert L.cross_entropy(LECTURE_TABLE_1, LECTURE_TARGETS) == pytest.approx(1.38, abs=5e-3)
    assert L.cross_entropy(LECTURE_TABLE_2, LECTURE_TARGETS) == pytest.approx(0.64, abs=5e-3)
    assert L.mse(LECTURE_TABLE_1, LECTURE_TARGETS) == pytest.approx(0.81, abs=5e-3)
    assert L.mse(LECTURE_TABLE_2, LECTURE_TARGETS) == pytest.approx(0.34, abs=5e-3)


@pytest.mark.parametrize("big", [1e3, 1e4])
def test_softmax_log_softmax_and_cross_entropy_are_stable_for_large_logits(big):
    z = np.array([[big, -big, 0.0], [-big, -big, big], [big, big, -big]])
    y = np.array([1, 2, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, logp = L.softmax(z), L.log_softmax(z)
        loss, dz = L.softmax_cross_entropy(z, y)
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(logp)) and np.all(np.isfinite(dz))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(logp[0], [0.0, -2 * big, -big])
    np.testing.assert_allclose(loss, (2 * big + 0 + np.log(2)) / 3, rtol=1e-12)
    ref = F.cross_entropy(torch.tensor(z), torch.tensor(y)).item()
    np.testing.assert_allclose(loss, ref, rtol=1e-12)


# --- bad input --------------------------------------------------------------------------

P = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
Y = np.array([1, 0, 1])
Z = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 0.0]])


@pytest.mark.parametrize("call, exc, name", [
    pytest.param(lambda: L.softmax("abc"), TypeError, "z", id="softmax-str"),
    pytest.param(lambda: L.softmax(np.array([1 + 1j, 2])), TypeError, "z", id="softmax-complex"),
    pytest.param(lambda: L.softmax([[1.0, np.nan]]), ValueError, "z", id="softmax-nan"),
    pytest.param(lambda: L.softmax(Z, axis=2), ValueError, "axis", id="softmax-axis-out-of-range"),
    pytest.param(lambda: L.softmax(Z, axis="1"), TypeError, "axis", id="softmax-str-axis"),
    pytest.param(lambda: L.log_softmax(Z, axis=1.5), TypeError, "axis", id="log_softmax-float-axis"),
    pytest.param(lambda: L.log_softmax(Z, axis=-3), ValueError, "axis", id="log_softmax-negative-axis-out-of-range"),
    pytest.param(lambda: L.log_softmax(np.array([1, "a"], dtype=object)), TypeError, "z", id="log_softmax-object-array"),
    pytest.param(lambda: L.cross_entropy(P[0], Y), ValueError, "probs", id="cross_entropy-1d-probs"),
    pytest.param(lambda: L.cross_entropy(P * 2, Y), ValueError, "probs", id="cross_entropy-probs-above-1"),
    pytest.param(lambda: L.cross_entropy(-P, Y), ValueError, "probs", id="cross_entropy-negative-probs"),
    pytest.param(lambda: L.cross_entropy(P, [1, 0, 2]), ValueError, "targets", id="cross_entropy-class-too-big"),
    pytest.param(lambda: L.cross_entropy(P, [1, 0, -1]), ValueError, "targets", id="cross_entropy-negative-class"),
    pytest.param(lambda: L.cross_entropy(P, [1, 0]), ValueError, "targets", id="cross_entropy-too-few-targets"),
    pytest.param(lambda: L.cross_entropy(P, [1.5, 0, 1]), TypeError, "targets", id="cross_entropy-fractional-class"),
    pytest.param(lambda: L.cross_entropy(P, np.ones((3, 3))), ValueError, "targets", id="cross_entropy-onehot-wrong-width"),
    pytest.param(lambda: L.cross_entropy(P, -np.ones((3, 2))), ValueError, "targets", id="cross_entropy-negative-onehot"),
    pytest.param(lambda: L.cross_entropy(P, np.ones((3, 2, 1))), ValueError, "targets", id="cross_entropy-3d-targets"),
    pytest.param(lambda: L.cross_entropy(P, "abc"), TypeError, "targets", id="cross_entropy-str-targets"),
    pytest.param(lambda: L.softmax_cross_entropy(Z[0], Y), ValueError, "logits", id="softmax_cross_entropy-1d-logits"),
    pytest.param(lambda: L.softmax_cross_entropy(Z + np.inf, Y), ValueError, "logits", id="softmax_cross_entropy-inf-logits"),
    pytest.param(lambda: L.softmax_cross_entropy(Z, [0, 1, 5]), ValueError, "targets", id="softmax_cross_entropy-class-too-big"),
    pytest.param(lambda: L.softmax_cross_entropy(Z, [0, 1, np.nan]), ValueError, "targets", id="softmax_cross_entropy-nan-target"),
    pytest.param(lambda: L.binary_cross_entropy([0.5, 1.2], [0, 1]), ValueError, "p", id="bce-p-above-1"),
    pytest.param(lambda: L.binary_cross_entropy([0.5, -0.1], [0, 1]), ValueError, "p", id="bce-negative-p"),
    pytest.param(lambda: L.binary_cross_entropy([0.5, 0.5], [0, 2]), ValueError, "y", id="bce-y-above-1"),
    pytest.param(lambda: L.binary_cross_entropy([0.5, 0.5], [0, 1, 1]), ValueError, "p", id="bce-shape-mismatch"),
    pytest.param(lambda: L.binary_cross_entropy([0.5, np.nan], [0, 1]), ValueError, "p", id="bce-nan-p"),
    pytest.param(lambda: L.binary_cross_entropy([0.5, 0.5], ["0", "1"]), TypeError, "y", id="bce-str-y"),
    pytest.param(lambda: L.sigmoid_binary_cross_entropy([0.5, 3.0], [0, -1]), ValueError, "y", id="sigmoid_bce-negative-y"),
    pytest.param(lambda: L.sigmoid_binary_cross_entropy([0.5, 3.0], [0, 1, 1]), ValueError, "logits", id="sigmoid_bce-shape-mismatch"),
    pytest.param(lambda: L.sigmoid_binary_cross_entropy([0.5, np.inf], [0, 1]), ValueError, "logits", id="sigmoid_bce-inf-logits"),
    pytest.param(lambda: L.mse(np.ones((2, 2, 2)), [0, 1]), ValueError, "pred", id="mse-3d-pred"),
    pytest.param(lambda: L.mse(P, np.ones((3, 3))), ValueError, "pred", id="mse-shape-mismatch"),
    pytest.param(lambda: L.mse(np.ones(3), np.ones(4)), ValueError, "target", id="mse-regression-length-mismatch"),
    pytest.param(lambda: L.mse(np.ones(3), np.ones((3, 1))), ValueError, "target", id="mse-regression-2d-target"),
    pytest.param(lambda: L.mse(P, [0, 1, 3]), ValueError, "target", id="mse-class-too-big"),
    pytest.param(lambda: L.mse(P, None), TypeError, "target", id="mse-none-target"),
    pytest.param(lambda: L.classification_error(P[0], Y), ValueError, "probs", id="classification_error-1d-probs"),
    pytest.param(lambda: L.classification_error(P, [0, 1, 2]), ValueError, "targets", id="classification_error-class-too-big"),
    pytest.param(lambda: L.classification_error(P, [0, 1]), ValueError, "targets", id="classification_error-too-few-targets"),
])
def test_losses_reject_bad_input_naming_the_argument(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()


# --- penalties -----------------------------------------------------------------------------

@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
def test_penalty_gradient_passes_gradient_check(penalty, rng):
    W = away_from(rng.randn(4, 3), [0.0])
    value, grad = penalty(W, 0.3)
    assert np.isclose(value, penalty(W, 0.3)[0])
    assert relative_error(grad, numerical_gradient(lambda w: penalty(w, 0.3)[0], W.copy())) < 1e-8


def test_penalty_values_are_the_formulas():
    W = np.array([[1.0, -2.0], [0.0, 3.0]])
    assert l1_penalty(W, 0.5)[0] == 0.5 * 6.0
    assert l2_penalty(W, 0.5)[0] == 0.25 * 14.0
    assert np.array_equal(l1_penalty(W, 1.0)[1], [[1.0, -1.0], [0.0, 1.0]])  # sign(0) = 0, as in torch


@pytest.mark.parametrize("penalty, bad, message", [(l1_penalty, -0.1, "lam must be >= 0"),
                                                   (l2_penalty, "0.1", "lam must be a real number")])
def test_penalty_rejects_bad_lambda(penalty, bad, message):
    with pytest.raises((ValueError, TypeError), match=message):
        penalty(np.ones(2), bad)
