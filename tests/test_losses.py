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


# --- log-sum-exp, entropy, KL divergence, the Gaussian (chapter 06) -----------------------------

@pytest.mark.parametrize("shape, axis, keepdims", [((5, 4), -1, False), ((5, 4), 0, True), ((2, 3, 4), 1, False),
                                                    ((6,), 0, False), ((6,), 0, True)])
def test_logsumexp_matches_torch(shape, axis, keepdims, rng):
    z = rng.randn(*shape) * 3
    ref = torch.logsumexp(torch.tensor(z), dim=axis, keepdim=keepdims).numpy()
    got = L.logsumexp(z, axis=axis, keepdims=keepdims)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-13)


def test_logsumexp_gradient_is_the_softmax(rng):
    z = rng.randn(3, 5)
    weights = 1 + rng.rand(3)                    # a scalar function of every row's logsumexp
    num = numerical_gradient(lambda v: float(weights @ L.logsumexp(v)), z.copy())
    # float64 central differences: about 1e-8 here; a wrong formula gives 1e-2 or more
    assert relative_error(weights[:, None] * L.softmax(z), num) < 1e-6


def test_log_softmax_passes_gradient_check_against_its_jacobian(rng):
    z, g = rng.randn(4, 3), rng.randn(4, 3)     # ∂(Σ g·log softmax)/∂z = g − softmax(z)·Σ_c g
    analytic = g - L.softmax(z) * g.sum(axis=1, keepdims=True)
    num = numerical_gradient(lambda v: float(np.sum(g * L.log_softmax(v))), z.copy())
    assert relative_error(analytic, num) < 1e-6


@pytest.mark.parametrize("big", [800.0, 1e3, 1e5])
def test_logsumexp_is_exact_where_exp_overflows_or_underflows(big):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        up = L.logsumexp([big, 0.0])
        down = L.logsumexp([-big, -big])
        logp = L.log_softmax(np.array([[0.0, big]]))
    assert up == big                             # log(1 + e^−big) is below half an ulp of big
    assert down == pytest.approx(-big + np.log(2), rel=1e-15)
    np.testing.assert_allclose(logp, [[-big, 0.0]], rtol=1e-15)
    assert np.all(np.isfinite(logp))
    np.testing.assert_allclose(L.log_softmax(np.array([[0.0, big]])), np.array([[0.0, big]]) - L.logsumexp([[0.0, big]],
                               keepdims=True), rtol=0)


def test_entropy_and_kl_match_torch_and_split_cross_entropy(rng):
    q, p = L.softmax(rng.randn(6, 4)), L.softmax(rng.randn(6, 4))
    q[0] = [0.0, 0.3, 0.7, 0.0]                  # zeros count 0 (0·log 0 = 0)
    tq, tp = torch.tensor(q), torch.tensor(p)
    ref_h = torch.distributions.Categorical(probs=tq).entropy().mean().item()
    ref_kl = F.kl_div(torch.log(tp), tq, reduction="batchmean").item()
    np.testing.assert_allclose(L.entropy(q), ref_h, rtol=1e-12)
    np.testing.assert_allclose(L.kl_divergence(q, p), ref_kl, rtol=1e-12)
    np.testing.assert_allclose(L.cross_entropy(p, q), L.entropy(q) + L.kl_divergence(q, p), rtol=1e-13)


def test_entropy_bounds_and_kl_zero_only_at_equality(rng):
    c = 5
    assert L.entropy(np.eye(c)) == 0.0 and not np.signbit(L.entropy(np.eye(c)))   # 0.0, not −0.0
    np.testing.assert_allclose(L.entropy(np.full((2, c), 1 / c)), np.log(c), rtol=1e-15)
    q = L.softmax(rng.randn(3, c))
    assert 0 < L.entropy(q) < np.log(c)
    assert abs(L.kl_divergence(q, q)) < 1e-15
    assert L.kl_divergence(q, L.softmax(rng.randn(3, c))) > 0


def test_kl_gradient_in_p_passes_gradient_check(rng):
    q, p = L.softmax(rng.randn(3, 4)), L.softmax(rng.randn(3, 4))
    # as a function of p off the simplex, ∂KL/∂p = −q/(N p); finite differences keep p's rows off 1
    def kl_free(v):
        return float(np.sum(q * (np.log(q) - np.log(v))) / len(v))
    assert np.isclose(kl_free(p), L.kl_divergence(q, p), rtol=1e-14)
    assert relative_error(-q / p / 3, numerical_gradient(kl_free, p.copy())) < 1e-6


def test_kl_is_infinite_where_the_prediction_rules_out_a_target_class():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert L.kl_divergence([[0.5, 0.5]], [[1.0, 0.0]]) == np.inf
        assert L.kl_divergence([[1.0, 0.0]], [[1.0, 0.0]]) == 0.0


@pytest.mark.parametrize("sigma", [0.3, 1.0, 2.5])
def test_gaussian_nll_matches_torch_and_autograd(sigma, rng):
    pred, target = rng.randn(4, 3), rng.randn(4, 3)
    t = torch.tensor(pred, requires_grad=True)
    ref = F.gaussian_nll_loss(t, torch.tensor(target), torch.full((4, 3), sigma ** 2, dtype=torch.float64),
                              full=True)
    (grad,) = torch.autograd.grad(ref, t)
    loss, dpred = L.gaussian_nll(pred, target, sigma)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, ref.item(), rtol=1e-12)
    np.testing.assert_allclose(dpred, grad.numpy(), rtol=1e-12)


def test_gaussian_nll_passes_gradient_check_and_is_mse_rescaled(rng):
    pred, target, sigma = rng.randn(7), rng.randn(7), 0.7
    loss, dpred = L.gaussian_nll(pred, target, sigma)
    num = numerical_gradient(lambda v: L.gaussian_nll(v, target, sigma)[0], pred.copy())
    assert relative_error(dpred, num) < 1e-6
    expected = L.mse(pred, target) / (2 * sigma ** 2) + np.log(sigma * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(loss, expected, rtol=1e-14)


@pytest.mark.parametrize("call, exc, name", [
    pytest.param(lambda: L.logsumexp("abc"), TypeError, "z", id="logsumexp-str"),
    pytest.param(lambda: L.logsumexp([1.0, np.inf]), ValueError, "z", id="logsumexp-inf"),
    pytest.param(lambda: L.logsumexp(Z, axis=2), ValueError, "axis", id="logsumexp-axis-out-of-range"),
    pytest.param(lambda: L.logsumexp(Z, keepdims=1), TypeError, "keepdims", id="logsumexp-int-keepdims"),
    pytest.param(lambda: L.entropy(P[0]), ValueError, "probs", id="entropy-1d"),
    pytest.param(lambda: L.entropy(P * 0.5), ValueError, "probs", id="entropy-rows-not-summing-to-1"),
    pytest.param(lambda: L.entropy(-P), ValueError, "probs", id="entropy-negative"),
    pytest.param(lambda: L.kl_divergence(P, P[:2]), ValueError, "targets", id="kl-shape-mismatch"),
    pytest.param(lambda: L.kl_divergence(P, P * 0.9), ValueError, "probs", id="kl-probs-not-summing-to-1"),
    pytest.param(lambda: L.kl_divergence("q", P), TypeError, "targets", id="kl-str-targets"),
    pytest.param(lambda: L.gaussian_nll([1.0, 2.0], [1.0]), ValueError, "pred", id="gaussian-shape-mismatch"),
    pytest.param(lambda: L.gaussian_nll([1.0], [1.0], sigma=0), ValueError, "sigma", id="gaussian-zero-sigma"),
    pytest.param(lambda: L.gaussian_nll([1.0], [1.0], sigma="1"), TypeError, "sigma", id="gaussian-str-sigma"),
    pytest.param(lambda: L.gaussian_nll([np.nan], [1.0]), ValueError, "pred", id="gaussian-nan-pred"),
])
def test_likelihood_functions_reject_bad_input_naming_the_argument(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()
