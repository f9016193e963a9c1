"""Tests of course_lib/experiments/autograd_regression.py: side-by-side gradient-descent runs."""
import numpy as np
import pytest
import torch

from course_lib.data import noisy_parabola
from course_lib.experiments.autograd_regression import gradient_descent_runs, one_thread


def single_run(x, y, w0, b0, lr, iterations):
    """The lecture's loop, one learning rate, float64."""
    x, y = torch.tensor(x), torch.tensor(y)
    w = torch.tensor([[w0]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[b0]], dtype=torch.float64, requires_grad=True)
    for _ in range(iterations):
        loss = (0.5 * (x.pow(2).mm(w) + b - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w.item(), b.item()


def test_side_by_side_runs_equal_runs_one_at_a_time():
    x, y = (a.double().numpy() for a in noisy_parabola())
    lrs = [1e-4, 1e-3, 5e-3]
    runs = gradient_descent_runs(x, y, 0.3, -0.2, lrs, 50)
    assert runs["w"].shape == runs["b"].shape == runs["loss"].shape == (51, 3)
    for k, lr in enumerate(lrs):
        w, b = single_run(x, y, 0.3, -0.2, lr, 50)
        assert runs["w"][-1, k] == pytest.approx(w, rel=1e-12) and runs["b"][-1, k] == pytest.approx(b, rel=1e-12)


def test_row_t_is_the_loss_of_the_parameters_after_t_updates():
    x, y = (a.double().numpy() for a in noisy_parabola())
    runs = gradient_descent_runs(x, y, 0.5, 0.0, [1e-3], 10)
    for t in [0, 3, 10]:
        w, b = runs["w"][t, 0], runs["b"][t, 0]
        assert runs["loss"][t, 0] == pytest.approx(0.5 * np.sum((x ** 2 * w + b - y) ** 2), rel=1e-12)
    assert runs["w"][0, 0] == 0.5 and runs["b"][0, 0] == 0.0


def test_gradient_descent_converges_below_two_over_lambda_max_and_diverges_above():
    x, y = (a.double().numpy() for a in noisy_parabola())
    hessian = np.array([[np.sum(x ** 4), np.sum(x ** 2)], [np.sum(x ** 2), len(x)]])
    limit = 2 / np.linalg.eigvalsh(hessian)[-1]
    runs = gradient_descent_runs(x, y, 0.5, 0.0, [0.95 * limit, 1.05 * limit, 3 * limit], 3000)
    assert runs["loss"][-1, 0] < runs["loss"][0, 0]
    assert runs["loss"][-1, 1] > 1e10 * runs["loss"][0, 1]
    assert runs["loss"][-1, 2] == np.inf                  # overflowed: inf, never nan
    assert not np.isnan(runs["loss"]).any()


def test_one_thread_restores_the_thread_count():
    before = torch.get_num_threads()
    with one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("kwargs, error, says", [
    (dict(lrs=[]), ValueError, "lrs"), (dict(lrs=[0.1, -1.0]), ValueError, "lrs"),
    (dict(iterations=-1), ValueError, "iterations"), (dict(iterations=2.5), TypeError, "iterations"),
    (dict(w0="a"), TypeError, "w0"), (dict(x=np.ones((5, 2))), ValueError, "shape"),
    (dict(y=np.full((100, 1), np.nan)), ValueError, "y")])
def test_bad_arguments_are_refused(kwargs, error, says):
    x, y = (a.double().numpy() for a in noisy_parabola())
    args = dict(x=x, y=y, w0=0.0, b0=0.0, lrs=[1e-3], iterations=5) | kwargs
    with pytest.raises(error, match=says):
        gradient_descent_runs(**args)
