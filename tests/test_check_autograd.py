"""Tests of course_lib/check/autograd.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import pytest
import torch

from course_lib import check


# --- gradient_descent_step ---------------------------------------------------------------

def step_right(w, b, x, y, lr):
    loss = 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return loss.item()


def step_right_grads_set_to_none(w, b, x, y, lr):   # what optimizer.zero_grad() does: also right
    loss = 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad, b.grad = None, None
    return loss


def step_without_zeroing(w, b, x, y, lr):
    loss = 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    return loss


def step_outside_no_grad(w, b, x, y, lr):          # in-place on a leaf that requires grad: torch refuses
    loss = 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()
    loss.backward()
    w -= lr * w.grad
    return loss


def step_rebinding(w, b, x, y, lr):                # new tensors: the caller's w and b never change
    loss = 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w = w - lr * w.grad
        b = b - lr * b.grad
    return loss


def step_gradient_ascent(w, b, x, y, lr):
    loss = 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w += lr * w.grad
        b += lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return loss


def step_returns_loss_after_update(w, b, x, y, lr):
    step_right(w, b, x, y, lr)
    return 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()


# --- jacobian_by_backward -----------------------------------------------------------------

def jacobian_right(f, x):
    y = f(x)
    rows = []
    for i in range(y.numel()):
        if x.grad is not None:
            x.grad.zero_()
        y.backward(torch.eye(y.numel(), dtype=y.dtype)[i], retain_graph=True)
        rows.append(x.grad.clone())
    return torch.stack(rows)


def jacobian_with_torch(f, x):
    return torch.autograd.functional.jacobian(f, x)


def jacobian_without_zeroing(f, x):          # rows accumulate: row i holds rows 0..i summed
    y = f(x)
    rows = []
    for i in range(y.numel()):
        y.backward(torch.eye(y.numel(), dtype=y.dtype)[i], retain_graph=True)
        rows.append(x.grad.clone())
    return torch.stack(rows)


def jacobian_without_retain_graph(f, x):     # the second backward raises
    y = f(x)
    rows = []
    for i in range(y.numel()):
        if x.grad is not None:
            x.grad.zero_()
        y.backward(torch.eye(y.numel(), dtype=y.dtype)[i])
        rows.append(x.grad.clone())
    return torch.stack(rows)


def jacobian_transposed(f, x):
    return jacobian_right(f, x).T


def jacobian_as_numpy_list(f, x):
    return jacobian_right(f, x).tolist()


# --- accumulate_gradient ------------------------------------------------------------------

def accumulate_right(w, chunks):
    w.grad.zero_()
    for X, y in chunks:
        (0.5 * ((X @ w - y) ** 2).sum()).backward()
    return w.grad


def accumulate_keeping_stale(w, chunks):
    for X, y in chunks:
        (0.5 * ((X @ w - y) ** 2).sum()).backward()
    return w.grad


def accumulate_zeroing_every_chunk(w, chunks):   # only the last chunk survives
    for X, y in chunks:
        w.grad.zero_()
        (0.5 * ((X @ w - y) ** 2).sum()).backward()
    return w.grad


def accumulate_mean_loss(w, chunks):
    w.grad.zero_()
    for X, y in chunks:
        (0.5 * ((X @ w - y) ** 2).mean()).backward()
    return w.grad


def accumulate_returns_but_resets(w, chunks):    # returns the right numbers but leaves w.grad None
    g = accumulate_right(w, chunks).clone()
    w.grad = None
    return g


def crashes(*args):
    raise ZeroDivisionError("oops")


RIGHT = [(check.gradient_descent_step, step_right), (check.gradient_descent_step, step_right_grads_set_to_none),
         (check.jacobian_by_backward, jacobian_right), (check.jacobian_by_backward, jacobian_with_torch),
         (check.jacobian_by_backward, jacobian_as_numpy_list), (check.accumulate_gradient, accumulate_right)]

WRONG = [(check.gradient_descent_step, step_without_zeroing, "zero"),
         (check.gradient_descent_step, step_outside_no_grad, "raised RuntimeError"),
         (check.gradient_descent_step, step_rebinding, "w after the step"),
         (check.gradient_descent_step, step_gradient_ascent, "w after the step"),
         (check.gradient_descent_step, step_returns_loss_after_update, "returned loss"),
         (check.jacobian_by_backward, jacobian_without_zeroing, "J is wrong"),
         (check.jacobian_by_backward, jacobian_without_retain_graph, "raised RuntimeError"),
         (check.jacobian_by_backward, jacobian_transposed, "J "),
         (check.accumulate_gradient, accumulate_keeping_stale, "returned gradient is wrong"),
         (check.accumulate_gradient, accumulate_zeroing_every_chunk, "returned gradient is wrong"),
         (check.accumulate_gradient, accumulate_mean_loss, "returned gradient is wrong"),
         (check.accumulate_gradient, accumulate_returns_but_resets, "w.grad is None")]


@pytest.mark.parametrize("check_fn, answer", RIGHT, ids=lambda v: getattr(v, "__name__", ""))
def test_right_answers_pass(check_fn, answer, capsys):
    assert bool(check_fn(answer)) is True
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("check_fn, answer, says", WRONG, ids=lambda v: getattr(v, "__name__", str(v)))
def test_wrong_answers_fail_with_the_reason_and_a_hint(check_fn, answer, says, capsys):
    assert bool(check_fn(answer)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘") and says in out and "Hint:" in out


def test_lecture_jacobian_failure_names_the_lecture_case(capsys):
    check.jacobian_by_backward(jacobian_transposed)
    out = capsys.readouterr().out
    assert "the lecture's" in out and "[2.0, 3.0]" in out


def test_quiet_prints_nothing(capsys):
    assert bool(check.accumulate_gradient(accumulate_right, quiet=True)) is True
    assert capsys.readouterr().out == ""
