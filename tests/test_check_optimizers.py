"""Tests of course_lib/check/optimizers.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import numpy as np
import pytest

from course_lib import check
from course_lib.optim import SGD, Adam


def minibatches_right(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatches_unshuffled(n, batch_size, rng):
    order = np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatches_drop_last(n, batch_size, rng):          # loses the samples of a short last batch
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]


def minibatches_with_replacement(n, batch_size, rng):   # draws samples independently: some twice, some never
    return [rng.integers(0, n, size=min(batch_size, n - i)) for i in range(0, n, batch_size)]


def momentum_right(theta, m, grad, lr, gamma):
    m = gamma * m + lr * grad
    return theta - m, m


def momentum_pytorch_form(theta, m, grad, lr, gamma):   # buffer without η inside: a different state
    m = gamma * m + grad
    return theta - lr * m, m


def momentum_old_velocity(theta, m, grad, lr, gamma):   # steps with m_{t-1} instead of m_t
    return theta - m, gamma * m + lr * grad


def adam_right(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_no_bias_correction(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_returns_corrected_moments(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = (beta1 * m + (1 - beta1) * grad) / (1 - beta1**t)
    v = (beta2 * v + (1 - beta2) * grad**2) / (1 - beta2**t)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_eps_inside_root(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


def newton_right(theta, grad, hessian):
    return theta - np.linalg.solve(hessian, grad)


def newton_diagonal_only(theta, grad, hessian):
    return theta - grad / np.diag(hessian)


def newton_wrong_sign(theta, grad, hessian):
    return theta + np.linalg.solve(hessian, grad)


def crashes(*args):
    raise ZeroDivisionError("oops")


RIGHT = {"minibatch_indices": minibatches_right, "momentum_step": momentum_right, "adam_step": adam_right,
         "newton_step": newton_right}
WRONG = [("minibatch_indices", minibatches_unshuffled), ("minibatch_indices", minibatches_drop_last),
         ("minibatch_indices", minibatches_with_replacement),
         ("momentum_step", momentum_pytorch_form), ("momentum_step", momentum_old_velocity),
         ("adam_step", adam_no_bias_correction), ("adam_step", adam_returns_corrected_moments),
         ("adam_step", adam_eps_inside_root),
         ("newton_step", newton_diagonal_only), ("newton_step", newton_wrong_sign)]


@pytest.mark.parametrize("name", RIGHT)
def test_right_answer_passes(name, capsys):
    assert bool(getattr(check, name)(RIGHT[name])) is True
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("name, wrong", WRONG, ids=lambda x: getattr(x, "__name__", x))
def test_wrong_answer_fails_with_a_hint(name, wrong, capsys):
    assert bool(getattr(check, name)(wrong)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘") and "Hint:" in out


def test_quiet_check_prints_nothing(capsys):
    assert bool(check.momentum_step(momentum_right, quiet=True)) is True
    assert capsys.readouterr().out == ""


def test_lecture_momentum_reference_takes_the_steps_of_course_lib_sgd():
    # the lecture's form with η = lr, γ = μ takes the same steps as PyTorch's form (course_lib.optim.SGD)
    rng = np.random.RandomState(0)
    w, theta, m = rng.randn(4), None, np.zeros(4)
    theta = w.copy()
    opt = SGD([w], lr=0.05, momentum=0.9)
    for _ in range(20):
        g = 2 * theta + rng.randn(4)
        theta, m = momentum_right(theta, m, g, 0.05, 0.9)
        opt.step([g.copy()])
        np.testing.assert_allclose(theta, w, rtol=1e-12, atol=1e-14)


def test_adam_reference_takes_the_steps_of_course_lib_adam():
    rng = np.random.RandomState(1)
    w = rng.randn(3)
    theta, m, v = w.copy(), np.zeros(3), np.zeros(3)
    opt = Adam([w], lr=0.01)
    for t in range(1, 30):
        g = np.sin(theta) + 0.1 * rng.randn(3)
        theta, m, v = adam_right(theta, m, v, g, t, 0.01, 0.9, 0.999, 1e-8)
        opt.step([g])
        np.testing.assert_allclose(theta, w, rtol=1e-12, atol=1e-14)
