"""Tests of course_lib/classification_losses.py: gradient checks, torch parity, curvature signs, bad inputs."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.experiments import classification_losses as CL
from course_lib import losses
from course_lib.gradcheck import numerical_gradient, numerical_hessian, relative_error


def probs_and_targets(rng, n=5, c=3):
    p = losses.softmax(rng.randn(n, c))
    return p, rng.randint(0, c, size=n)


# --- gradients with respect to the prediction ----------------------------------------------

def test_mse_gradient_passes_a_gradient_check(rng):
    p, y = probs_and_targets(rng)
    numeric = numerical_gradient(lambda q: losses.mse(q, y), p.copy())
    assert relative_error(CL.mse_gradient(p, y), numeric) < 1e-8


def test_mse_gradient_matches_torch_autograd(rng):
    p, y = probs_and_targets(rng, 6, 4)
    t = torch.tensor(p, requires_grad=True)
    F.mse_loss(t, torch.tensor(np.eye(4)[y]), reduction="sum").div(6).backward()
    np.testing.assert_allclose(CL.mse_gradient(p, y), t.grad.numpy(), rtol=1e-13)


def test_cross_entropy_gradient_passes_a_gradient_check(rng):
    p, y = probs_and_targets(rng)
    numeric = numerical_gradient(lambda q: losses.cross_entropy(q, y), p.copy(), eps=1e-7)
    assert relative_error(CL.cross_entropy_gradient(p, y), numeric) < 1e-6


def test_cross_entropy_gradient_matches_torch_and_is_zero_off_target(rng):
    p, y = probs_and_targets(rng, 4, 3)
    t = torch.tensor(p, requires_grad=True)
    F.nll_loss(torch.log(t), torch.tensor(y)).backward()
    g = CL.cross_entropy_gradient(p, y)
    np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-13)
    assert np.all(g[np.eye(3)[y] == 0] == 0)


def test_cross_entropy_gradient_rejects_zero_probability_of_the_target():
    with pytest.raises(ValueError, match="probs must be > 0"):
        CL.cross_entropy_gradient(np.array([[0.0, 1.0]]), np.array([0]))
    # a zero where the target is zero is fine
    assert CL.cross_entropy_gradient(np.array([[0.0, 1.0]]), np.array([1]))[0, 0] == 0


# --- through a sigmoid / softmax -----------------------------------------------------------

def test_sigmoid_mse_is_the_lectures_mse_on_two_class_rows(rng):
    s, y = rng.randn(7) * 3, rng.randint(0, 2, size=7).astype(float)
    p = 1 / (1 + np.exp(-s))
    loss, _ = CL.sigmoid_mse(s, y)
    assert loss == pytest.approx(losses.mse(np.c_[1 - p, p], y.astype(int)), rel=1e-13)


def test_sigmoid_mse_gradient_check_and_torch_parity(rng):
    s, y = rng.randn(3, 4) * 2, rng.randint(0, 2, size=(3, 4)).astype(float)
    loss, ds = CL.sigmoid_mse(s, y)
    assert relative_error(ds, numerical_gradient(lambda v: CL.sigmoid_mse(v, y)[0], s.copy())) < 1e-5  # entries near 1e-5: round-off
    t = torch.tensor(s, requires_grad=True)
    ref = 2 * F.mse_loss(torch.sigmoid(t), torch.tensor(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-13)
    np.testing.assert_allclose(ds, t.grad.numpy(), rtol=1e-12)


def test_softmax_mse_gradient_check_and_torch_parity(rng):
    z, y = rng.randn(5, 3) * 2, rng.randint(0, 3, size=5)
    loss, dz = CL.softmax_mse(z, y)
    assert relative_error(dz, numerical_gradient(lambda v: CL.softmax_mse(v, y)[0], z.copy())) < 1e-5
    t = torch.tensor(z, requires_grad=True)
    ref = F.mse_loss(torch.softmax(t, dim=1), torch.tensor(np.eye(3)[y]), reduction="sum") / 5
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-13)
    np.testing.assert_allclose(dz, t.grad.numpy(), rtol=1e-11, atol=1e-15)


def test_mse_gradient_vanishes_when_confidently_wrong_but_cross_entropy_does_not():
    s = np.array([-12.0])                       # target 1, predicted probability ≈ 6e-6
    _, d_mse = CL.sigmoid_mse(s, np.array([1.0]))
    _, d_ce = losses.sigmoid_binary_cross_entropy(s, np.array([1.0]))
    assert abs(d_mse[0]) < 1e-4 and abs(d_ce[0]) > 0.999


def test_sigmoid_losses_are_stable_for_huge_logits():
    s = np.array([-1e3, 1e3])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, ds = CL.sigmoid_mse(s, np.array([1.0, 0.0]))
        c = CL.sigmoid_mse_curvature(s, np.array([1.0, 0.0]))
    assert loss == pytest.approx(2.0) and np.all(np.isfinite(ds)) and np.all(np.isfinite(c))


# --- curvature ----------------------------------------------------------------------------

@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
def test_curvatures_are_second_derivatives(target, rng):
    s = rng.randn(6) * 3
    y = np.full(6, target)
    eps = 1e-5
    numeric = (CL.sigmoid_mse(s + eps, y)[1] - CL.sigmoid_mse(s - eps, y)[1]) * 6 / (2 * eps)
    np.testing.assert_allclose(CL.sigmoid_mse_curvature(s, y), numeric, rtol=1e-6, atol=1e-10)
    numeric_ce = (losses.sigmoid_binary_cross_entropy(s + eps, y)[1]
                  - losses.sigmoid_binary_cross_entropy(s - eps, y)[1]) * 6 / (2 * eps)
    np.testing.assert_allclose(CL.sigmoid_cross_entropy_curvature(s), numeric_ce, rtol=1e-6, atol=1e-10)


def test_mse_after_sigmoid_is_concave_exactly_where_the_prediction_is_below_one_third():
    s = np.linspace(-8, 8, 1601)
    c = CL.sigmoid_mse_curvature(s, np.ones_like(s))
    p = 1 / (1 + np.exp(-s))
    away = np.abs(p - 1 / 3) > 1e-3
    assert np.array_equal((c < 0)[away], (p < 1 / 3)[away])
    assert np.all(CL.sigmoid_cross_entropy_curvature(s) > 0)


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_logistic_loss_gradient_and_hessian_match_finite_differences_and_torch(loss, rng):
    X = np.c_[rng.randn(20, 2), np.ones(20)]
    y = rng.randint(0, 2, size=20).astype(float)
    theta = rng.randn(3)
    value, grad = CL.logistic_loss(theta, X, y, loss)
    assert relative_error(grad, numerical_gradient(lambda t: CL.logistic_loss(t, X, y, loss)[0], theta.copy())) < 1e-7
    H = CL.logistic_hessian(theta, X, y, loss)
    assert relative_error(H, numerical_hessian(lambda t: CL.logistic_loss(t, X, y, loss)[1], theta)) < 1e-6

    Xt, yt = torch.tensor(X), torch.tensor(y)

    def f(t):
        s = Xt @ t
        if loss == "mse":
            return 2 * F.mse_loss(torch.sigmoid(s), yt)
        return F.binary_cross_entropy_with_logits(s, yt)

    np.testing.assert_allclose(H, torch.autograd.functional.hessian(f, torch.tensor(theta)).numpy(), rtol=1e-10, atol=1e-14)
    assert value == pytest.approx(f(torch.tensor(theta)).item(), rel=1e-12)


def test_cross_entropy_hessian_is_never_indefinite_but_mse_hessian_is_somewhere(rng):
    X = np.c_[rng.randn(50, 1), np.ones(50)]
    y = (X[:, 0] + 0.5 * rng.randn(50) > 0).astype(float)
    thetas = rng.randn(300, 2) * 6
    min_ce = min(np.linalg.eigvalsh(CL.logistic_hessian(t, X, y, "cross_entropy"))[0] for t in thetas)
    min_mse = min(np.linalg.eigvalsh(CL.logistic_hessian(t, X, y, "mse"))[0] for t in thetas)
    assert min_ce > -1e-12 and min_mse < -1e-3


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_losses_along_weight_agree_with_logistic_loss_and_its_derivatives(loss, rng):
    x, y = rng.randn(30), rng.randint(0, 2, size=30).astype(float)
    ws = np.array([-3.0, 0.2, 2.5])
    values, slopes, curvatures = CL.losses_along_weight(ws, x, y, bias=0.4, loss=loss)
    X = np.c_[x, np.ones(30)]
    for w, v, g, c in zip(ws, values, slopes, curvatures):
        ref_v, ref_g = CL.logistic_loss(np.array([w, 0.4]), X, y, loss)
        assert v == pytest.approx(ref_v, rel=1e-12) and g == pytest.approx(ref_g[0], rel=1e-10, abs=1e-14)
        assert c == pytest.approx(CL.logistic_hessian(np.array([w, 0.4]), X, y, loss)[0, 0], rel=1e-10, abs=1e-14)


def test_midpoint_convexity_violation_finds_the_breach():
    grid = np.linspace(-2, 2, 41)
    gap, _ = CL.midpoint_convexity_violation(grid ** 2)
    assert gap == pytest.approx(0.0, abs=1e-12) or gap < 0
    gap, (i, m, k) = CL.midpoint_convexity_violation(-grid ** 2)
    assert gap == pytest.approx(4.0) and (i, m, k) == (0, 20, 40)
    gap, (i, m, k) = CL.midpoint_convexity_violation(np.abs(grid) * -1 + grid ** 4)
    assert gap > 0 and m - i == k - m
    with pytest.raises(ValueError, match="at least 3"):
        CL.midpoint_convexity_violation([1.0, 2.0])


def test_train_logistic_descends_and_matches_plain_gradient_descent(rng):
    X = np.c_[rng.randn(40), np.ones(40)]
    y = (X[:, 0] > 0).astype(float)
    thetas, values = CL.train_logistic(X, y, np.array([-2.0, 0.0]), "cross_entropy", lr=0.5, steps=30)
    assert thetas.shape == (31, 2) and values.shape == (31,)
    assert np.all(np.diff(values) < 0)
    theta = np.array([-2.0, 0.0])
    for _ in range(30):
        theta = theta - 0.5 * CL.logistic_loss(theta, X, y)[1]
    np.testing.assert_allclose(thetas[-1], theta, rtol=1e-14)


# --- bad inputs --------------------------------------------------------------------------

def test_bad_inputs_raise_errors_that_name_the_argument():
    with pytest.raises(ValueError, match="pred must be 2-D"):
        CL.mse_gradient(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="target must be class indices"):
        CL.mse_gradient(np.ones((2, 2)), np.array([0, 5]))
    with pytest.raises(ValueError, match="probs must be probabilities"):
        CL.cross_entropy_gradient(np.array([[1.5, -0.5]]), np.array([0]))
    with pytest.raises(ValueError, match="y must have the shape"):
        CL.sigmoid_mse(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="y must be targets in"):
        CL.sigmoid_mse(np.ones(2), np.array([0.0, 2.0]))
    with pytest.raises(TypeError, match="logits must be an array"):
        CL.sigmoid_mse("abc", np.ones(1))
    with pytest.raises(ValueError, match="loss must be one of"):
        CL.logistic_loss(np.ones(2), np.ones((3, 2)), np.ones(3), loss="hinge")
    with pytest.raises(ValueError, match="X must have one column per weight"):
        CL.logistic_hessian(np.ones(2), np.ones((3, 3)), np.ones(3))
    with pytest.raises(ValueError, match="lr must be >"):
        CL.train_logistic(np.ones((3, 2)), np.ones(3), np.zeros(2), lr=0.0)
    with pytest.raises(ValueError, match="logits must be finite"):
        CL.softmax_mse(np.array([[np.nan, 1.0]]), np.array([0]))


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_logistic_landscape_agrees_with_loss_and_hessian_at_each_point(loss, rng):
    X = np.c_[rng.randn(25, 2), np.ones(25)]
    y = rng.randint(0, 2, size=25).astype(float)
    thetas = rng.randn(7, 3) * 4
    values, hessians = CL.logistic_landscape(thetas, X, y, loss)
    assert values.shape == (7,) and hessians.shape == (7, 3, 3)
    for theta, v, H in zip(thetas, values, hessians):
        assert v == pytest.approx(CL.logistic_loss(theta, X, y, loss)[0], rel=1e-12)
        np.testing.assert_allclose(H, CL.logistic_hessian(theta, X, y, loss), rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="X must have one column per weight"):
        CL.logistic_landscape(thetas, X[:, :2], y)
    with pytest.raises(ValueError, match="thetas must be 2-D"):
        CL.logistic_landscape(thetas[0], X, y)


@pytest.mark.parametrize("target", [0.0, 1.0])
def test_curvatures_match_torch_second_derivatives(target, rng):
    s = rng.randn(5) * 3
    y = np.full(5, target)
    t = torch.tensor(s)
    h_mse = torch.autograd.functional.hessian(lambda v: (2 * (torch.sigmoid(v) - torch.tensor(y)) ** 2).sum(), t)
    h_ce = torch.autograd.functional.hessian(
        lambda v: F.binary_cross_entropy_with_logits(v, torch.tensor(y), reduction="sum"), t)
    np.testing.assert_allclose(CL.sigmoid_mse_curvature(s, y), np.diag(h_mse.numpy()), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(CL.sigmoid_cross_entropy_curvature(s), np.diag(h_ce.numpy()), rtol=1e-12, atol=1e-15)


# --- soft targets and softmax applied twice ------------------------------------------------------

@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.5, 1.0])
def test_smoothed_targets_are_torch_label_smoothing(smoothing, rng):
    z, y = rng.randn(6, 4) * 2, rng.randint(0, 4, size=6)
    q = CL.smoothed_targets(y, 4, smoothing)
    np.testing.assert_allclose(q.sum(axis=1), 1.0, rtol=1e-15)
    ref = F.cross_entropy(torch.tensor(z), torch.tensor(y), label_smoothing=smoothing).item()
    np.testing.assert_allclose(losses.softmax_cross_entropy(z, q)[0], ref, rtol=1e-12)


@pytest.mark.parametrize("scale", [0.1, 2.0, 30.0])
def test_double_softmax_matches_torch_cross_entropy_of_probabilities(scale, rng):
    z, y = rng.randn(5, 4) * scale, rng.randint(0, 4, size=5)
    t = torch.tensor(z, requires_grad=True)
    ref = F.cross_entropy(torch.softmax(t, dim=1), torch.tensor(y))
    (grad,) = torch.autograd.grad(ref, t)
    loss, dz = CL.double_softmax_cross_entropy(z, y)
    np.testing.assert_allclose(loss, ref.item(), rtol=1e-12)
    np.testing.assert_allclose(dz, grad.numpy(), rtol=1e-10, atol=1e-18)


def test_double_softmax_passes_gradient_check(rng):
    z, y = rng.randn(3, 4), np.array([0, 3, 1])
    _, dz = CL.double_softmax_cross_entropy(z, y)
    num = numerical_gradient(lambda v: CL.double_softmax_cross_entropy(v, y)[0], z.copy())
    assert relative_error(dz, num) < 1e-6


@pytest.mark.parametrize("c", [2, 3, 10, 1000])
def test_double_softmax_floor_is_the_loss_of_a_perfect_prediction_and_a_lower_bound(c, rng):
    floor = CL.double_softmax_floor(c)
    perfect = 50.0 * np.eye(c)[[0, c - 1]]          # softmax of these rows is one-hot to 1e-21
    assert CL.double_softmax_cross_entropy(perfect, [0, c - 1])[0] == pytest.approx(floor, rel=1e-12)
    z, y = rng.randn(200, c) * 5, rng.randint(0, c, size=200)
    per_row = [CL.double_softmax_cross_entropy(z[i:i + 1], y[i:i + 1])[0] for i in range(200)]
    assert min(per_row) > floor


def test_double_softmax_gradient_is_one_over_c_of_the_right_one_at_equal_logits():
    c = 10
    z, y = np.zeros((1, c)), [3]
    right = losses.softmax_cross_entropy(z, y)[1]
    np.testing.assert_allclose(CL.double_softmax_cross_entropy(z, y)[1], right / c, rtol=1e-14, atol=1e-17)


@pytest.mark.parametrize("call, exc, name", [
    (lambda: CL.smoothed_targets([0, 1], 1, 0.1), ValueError, "n_classes"),
    (lambda: CL.smoothed_targets([0, 2], 2, 0.1), ValueError, "labels"),
    (lambda: CL.smoothed_targets([0, 1], 2, 1.5), ValueError, "smoothing"),
    (lambda: CL.double_softmax_cross_entropy(np.zeros(3), [0]), ValueError, "logits"),
    (lambda: CL.double_softmax_cross_entropy(np.zeros((2, 3)), [0, 3]), ValueError, "targets"),
    (lambda: CL.double_softmax_floor(2.5), TypeError, "n_classes"),
    (lambda: CL.double_softmax_floor(1), ValueError, "n_classes"),
])
def test_likelihood_helpers_reject_bad_input_naming_the_argument(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()
