"""Tests of course_lib/check/optimizers.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import numpy as np
import pytest

from course_lib import check
from course_lib.check import optimizers
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


def momentum_in_place(theta, m, grad, lr, gamma):      # allowed by the task, as torch.optim does
    m *= gamma
    m += lr * grad
    theta -= m
    return theta, m


def momentum_lists(theta, m, grad, lr, gamma):         # a loop over plain floats
    new_m = [gamma * a + lr * b for a, b in zip(np.ravel(m), np.ravel(grad))]
    new_theta = [t - a for t, a in zip(np.ravel(theta), new_m)]
    return np.reshape(new_theta, np.shape(theta)), np.reshape(new_m, np.shape(m))


def momentum_changes_grad(theta, m, grad, lr, gamma):  # scales the caller's gradient in place
    grad *= lr
    m = gamma * m + grad
    return theta - m, m


def adam_lecture_form(theta, m, v, grad, t, lr, beta1, beta2, eps):   # both corrections in the rate
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v


def adam_lecture_form_eps_inside_root(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m / np.sqrt(v + eps), m, v


def adam_float32(theta, m, v, grad, t, lr, beta1, beta2, eps):     # float32 is too coarse for a step
    return tuple(np.asarray(a, dtype=np.float32) for a in adam_right(theta, m, v, grad, t, lr, beta1,
                                                                        beta2, eps))


def adam_in_place(theta, m, v, grad, t, lr, beta1, beta2, eps):   # the task asks for new arrays
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad**2
    theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, m, v


def saddle_free_right(theta, grad, hessian):
    lam, Q = np.linalg.eigh(hessian)
    return theta - Q @ ((Q.T @ grad) / np.abs(lam))


def saddle_free_by_svd(theta, grad, hessian):        # for a symmetric H, |H| = V Σ Vᵀ from H = U Σ Vᵀ
    _, S, Vt = np.linalg.svd(hessian)
    return theta - Vt.T @ ((Vt @ grad) / S)


def saddle_free_by_matrix_function(theta, grad, hessian):
    lam, Q = np.linalg.eigh(hessian)
    abs_h = Q @ np.diag(np.abs(lam)) @ Q.T
    return theta - np.linalg.solve(abs_h, grad)


def newton_plain(theta, grad, hessian):              # the chapter's Newton step: goes to the saddle
    return theta - np.linalg.solve(hessian, grad)


def saddle_free_abs_entries(theta, grad, hessian):   # |H| entry by entry is not |H| of the eigenvalues
    return theta - np.linalg.solve(np.abs(hessian), grad)


def saddle_free_no_rotation_back(theta, grad, hessian):
    lam, Q = np.linalg.eigh(hessian)
    return theta - (Q.T @ grad) / np.abs(lam)


def crashes(*args):
    raise ZeroDivisionError("oops")


RIGHT = {"minibatch_indices": [minibatches_right],
         "momentum_step": [momentum_right, momentum_in_place, momentum_lists],
         "adam_step": [adam_right, adam_lecture_form],
         "saddle_free_newton_step": [saddle_free_right, saddle_free_by_svd, saddle_free_by_matrix_function]}
RIGHT_CASES = [(name, fn) for name, fns in RIGHT.items() for fn in fns]
WRONG = [("minibatch_indices", optimizers.given_minibatch_indices),
         ("minibatch_indices", minibatches_unshuffled), ("minibatch_indices", minibatches_drop_last),
         ("minibatch_indices", minibatches_with_replacement),
         ("momentum_step", momentum_pytorch_form), ("momentum_step", momentum_old_velocity),
         ("adam_step", adam_no_bias_correction), ("adam_step", adam_returns_corrected_moments),
         ("adam_step", adam_eps_inside_root), ("adam_step", adam_lecture_form_eps_inside_root),
         ("adam_step", adam_float32),
         ("saddle_free_newton_step", newton_plain), ("saddle_free_newton_step", saddle_free_abs_entries),
         ("saddle_free_newton_step", saddle_free_no_rotation_back)]


@pytest.mark.parametrize("name, right", RIGHT_CASES, ids=lambda x: getattr(x, "__name__", x))
def test_right_answer_passes(name, right, capsys):
    assert bool(getattr(check, name)(right)) is True
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("name, wrong", WRONG, ids=lambda x: getattr(x, "__name__", x))
def test_wrong_answer_fails_with_a_hint(name, wrong, capsys):
    assert bool(getattr(check, name)(wrong)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘") and "Hint:" in out and f"check.{name}.hint(2)" in out


def test_the_given_minibatch_code_fails_on_the_first_case_with_the_count_of_batches(capsys):
    check.minibatch_indices(optimizers.given_minibatch_indices)
    out = capsys.readouterr().out
    assert "3 batches for n = 10, batch_size = 3" in out and "expected 4" in out


def test_minibatch_check_lets_the_rng_advance_but_not_other_inputs(capsys):
    # drawing from rng changes its state: the task allows it (may_change), so the right answer passes
    assert check.minibatch_indices(minibatches_right)


def test_momentum_may_update_theta_and_m_in_place_but_not_grad(capsys):
    assert check.momentum_step(momentum_in_place)
    assert not check.momentum_step(momentum_changes_grad)
    assert "changed its input grad in place" in capsys.readouterr().out


def test_adam_must_not_change_its_inputs(capsys):
    assert not check.adam_step(adam_in_place)
    assert "changed its input theta in place" in capsys.readouterr().out


def test_adam_accepts_both_forms_which_differ_by_more_than_the_tolerance(capsys):
    # the lecture's form passes on its own reference, not by a loose tolerance: on the first case the
    # two forms differ by far more than the check allows
    theta, z = np.array([1.0, 2.0, 3.0]), np.zeros(3)
    g = np.array([0.5, -1.0, 2e-3])
    paper = adam_right(theta, z, z, g, 1, 1e-3, 0.9, 0.999, 1e-8)[0]
    lecture = adam_lecture_form(theta, z, z, g, 1, 1e-3, 0.9, 0.999, 1e-8)[0]
    assert np.max(np.abs(paper - lecture)) > 30 * (1e-12 + 1e-9 * 3)
    assert check.adam_step(adam_lecture_form) and check.adam_step(adam_right)
    check.adam_step(adam_eps_inside_root)
    out = capsys.readouterr().out
    assert "matches neither" in out and "they differ by" in out


def test_saddle_free_step_leaves_the_saddle_where_newton_goes_to_it(capsys):
    theta = np.array([0.5, 0.5])
    step = saddle_free_right(theta, np.array([1.0, -1.0]), np.diag([2.0, -2.0]))
    assert np.allclose(step, [0.0, 1.0])                      # f = x² − y² falls from 0 to −1
    check.saddle_free_newton_step(newton_plain)
    out = capsys.readouterr().out
    assert "the saddle x² − y² at (0.5, 0.5)" in out and "expected [0. 1.]" in out


@pytest.mark.parametrize("prediction", ["SGD", "Adam", " adam ", "Momentum "])
def test_bowl_race_judges_the_prediction_by_the_experiment(prediction, capsys):
    steps = optimizers.bowl_race_experiment()
    # momentum wins with a margin no CPU's last bits can change
    assert steps["momentum"] * 2 < min(steps["Adam"], steps["SGD"])
    verdict = check.bowl_race(prediction)
    out = capsys.readouterr().out
    assert bool(verdict) is (prediction.strip().lower() == "momentum")
    assert "steps to f < 1e-4" in out and "1/(1 − γ)" in out


def test_bowl_race_is_fast():
    import time
    start = time.perf_counter()
    optimizers.bowl_race_experiment()
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("name", optimizers.__all__)
def test_second_hints_print(name, capsys):
    getattr(check, name).hint(2)
    assert capsys.readouterr().out.startswith("  Hint 2 of")


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


def stub(*args):
    return None


@pytest.mark.parametrize("name", [n for n in optimizers.__all__ if n != "bowl_race"])
def test_stubs_and_crashes_fail_with_a_hint_and_a_crash_shows_the_inputs(name, capsys):
    assert not getattr(check, name)(stub)
    out = capsys.readouterr().out
    assert "not implemented yet (it returned None)" in out and "Hint:" in out
    assert not getattr(check, name)(crashes)
    out = capsys.readouterr().out
    assert "it raised ZeroDivisionError: oops" in out and "\n  for " in out and " = " in out


@pytest.mark.parametrize("prediction, says", [(None, "no prediction yet"), ("Newton", "should be one of"),
                                              (stub, "should be one of"), (2, "should be one of")])
def test_bowl_race_fails_a_missing_or_malformed_prediction_and_never_raises(prediction, says, capsys):
    assert not check.bowl_race(prediction)
    assert says in capsys.readouterr().out
