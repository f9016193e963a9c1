"""Tests of course_lib/check/autograd.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import math

import pytest
import torch

from course_lib import check
from course_lib.check.autograd import gradient_descent_step_buggy
from course_lib.scalar_autograd import Value


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


def step_with_sub_and_none(w, b, x, y, lr):       # torch.Tensor.sub_ and p.grad = None: also right
    loss = ((x.pow(2) @ w + b - y).pow(2) / 2).sum()
    loss.backward()
    with torch.no_grad():
        for p in (w, b):
            p.sub_(lr * p.grad)
            p.grad = None
    return loss.detach()


def step_with_torch_optim(w, b, x, y, lr):        # a fresh torch.optim.SGD per step: also right
    optimizer = torch.optim.SGD([w, b], lr=lr)
    optimizer.zero_grad()
    loss = 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss


def step_rebinding_but_zeroing(w, b, x, y, lr):  # zeroes the caller's gradients, still rebinds w and b
    loss = 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        new_w, new_b = w - lr * w.grad, b - lr * b.grad
    w.grad, b.grad = None, None
    w, b = new_w, new_b
    return loss


def step_changes_the_data(w, b, x, y, lr):       # scales x in place: the caller's data are overwritten
    x.pow_(2)
    loss = 0.5 * ((x.mm(w) + b - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad, b.grad = None, None
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


def jacobian_with_autograd_grad(f, x):     # torch.autograd.grad, one one-hot vector per row: also right
    y = f(x)
    eye = torch.eye(y.numel(), dtype=y.dtype)
    return torch.stack([torch.autograd.grad(y, x, eye[i], retain_graph=True)[0] for i in range(y.numel())])


def jacobian_with_grad_set_to_none(f, x):
    y = f(x)
    rows = []
    for i in range(y.numel()):
        x.grad = None
        v = torch.zeros_like(y)
        v[i] = 1.0
        y.backward(gradient=v, retain_graph=True)
        rows.append(x.grad.clone())
    return torch.stack(rows).float()          # float32: close enough


def jacobian_with_jacrev(f, x):
    return torch.func.jacrev(f)(x)


def jacobian_with_jacfwd(f, x):
    return torch.func.jacfwd(f)(x.detach())


def jacobian_rows_without_clone(f, x):       # every row is the same tensor x.grad, zeroed and refilled
    y = f(x)
    rows = []
    for i in range(y.numel()):
        if x.grad is not None:
            x.grad.zero_()
        y.backward(torch.eye(y.numel(), dtype=y.dtype)[i], retain_graph=True)
        rows.append(x.grad)
    return torch.stack(rows)


def jacobian_moves_x(f, x):                   # changes the caller's x while computing
    with torch.no_grad():
        x += 0.0
        x *= 2.0
    return jacobian_right(f, x)


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


def accumulate_with_grad_set_to_none(w, chunks):
    w.grad = None
    for X, y in chunks:
        (0.5 * (X @ w - y).pow(2).sum()).backward()
    return w.grad.float()                     # float32: close enough


def accumulate_one_backward_over_all(w, chunks):  # the right numbers, but every chunk's graph at once
    w.grad.zero_()
    sum(0.5 * ((X @ w - y) ** 2).sum() for X, y in chunks).backward()
    return w.grad


def accumulate_concatenated(w, chunks):          # one big batch: the same numbers, one backward
    w.grad.zero_()
    X, y = torch.cat([X for X, _ in chunks]), torch.cat([y for _, y in chunks])
    (0.5 * ((X @ w - y) ** 2).sum()).backward()
    return w.grad


def accumulate_moves_w(w, chunks):               # takes a step too: not asked for, and w is the caller's
    accumulate_right(w, chunks)
    with torch.no_grad():
        w -= 0.1 * w.grad
    return w.grad


def accumulate_returns_but_resets(w, chunks):    # returns the right numbers but leaves w.grad None
    g = accumulate_right(w, chunks).clone()
    w.grad = None
    return g


def crashes(*args):
    raise ZeroDivisionError("oops")


RIGHT = [(check.gradient_descent_step, step_right), (check.gradient_descent_step, step_right_grads_set_to_none),
         (check.gradient_descent_step, step_with_sub_and_none), (check.gradient_descent_step, step_with_torch_optim),
         (check.jacobian_by_backward, jacobian_right), (check.jacobian_by_backward, jacobian_with_autograd_grad),
         (check.jacobian_by_backward, jacobian_with_grad_set_to_none),
         (check.jacobian_by_backward, jacobian_as_numpy_list), (check.accumulate_gradient, accumulate_right),
         (check.accumulate_gradient, accumulate_with_grad_set_to_none)]

WRONG = [(check.gradient_descent_step, gradient_descent_step_buggy, "did not change them"),
         (check.gradient_descent_step, step_without_zeroing, "zero"),
         (check.gradient_descent_step, step_outside_no_grad, "raised RuntimeError"),
         (check.gradient_descent_step, step_rebinding, "did not change them"),
         (check.gradient_descent_step, step_rebinding_but_zeroing, "did not change them"),
         (check.gradient_descent_step, step_gradient_ascent, "w after the step"),
         (check.gradient_descent_step, step_returns_loss_after_update, "returned loss"),
         (check.jacobian_by_backward, jacobian_without_zeroing, "J is wrong"),
         (check.jacobian_by_backward, jacobian_without_retain_graph, "raised RuntimeError"),
         (check.jacobian_by_backward, jacobian_rows_without_clone, "J is wrong"),
         (check.jacobian_by_backward, jacobian_transposed, "J "),
         (check.accumulate_gradient, accumulate_keeping_stale, "returned gradient is wrong"),
         (check.accumulate_gradient, accumulate_zeroing_every_chunk, "returned gradient is wrong"),
         (check.accumulate_gradient, accumulate_mean_loss, "returned gradient is wrong"),
         (check.accumulate_gradient, accumulate_returns_but_resets, "w.grad is None")]

NOT_ALLOWED = [(check.accumulate_gradient, accumulate_one_backward_over_all, "1 backward pass reached w for 3 chunks"),
               (check.accumulate_gradient, accumulate_concatenated, "one backward per chunk"),
               (check.accumulate_gradient, accumulate_moves_w, "changed its input w in place"),
               (check.gradient_descent_step, step_changes_the_data, "changed its input x in place"),
               (check.jacobian_by_backward, jacobian_moves_x, "changed its input x in place"),
               (check.jacobian_by_backward, jacobian_with_torch, "it calls torch.autograd.functional.jacobian"),
               (check.jacobian_by_backward, jacobian_with_jacrev, "it calls torch.func.jacrev"),
               (check.jacobian_by_backward, jacobian_with_jacfwd, "it calls torch.func.jacfwd")]


def name_of(value):
    return getattr(value, "__name__", str(value))


@pytest.mark.parametrize("check_fn, answer", RIGHT, ids=name_of)
def test_right_answers_pass(check_fn, answer, capsys):
    assert bool(check_fn(answer)) is True
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("check_fn, answer, says", WRONG, ids=name_of)
def test_wrong_answers_fail_with_the_reason_and_a_hint(check_fn, answer, says, capsys):
    assert bool(check_fn(answer)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘") and says in " ".join(out.split()) and "Hint:" in out


@pytest.mark.parametrize("check_fn, answer, says", NOT_ALLOWED, ids=name_of)
def test_right_numbers_by_a_way_the_task_rules_out_fail_and_say_why_without_a_hint(check_fn, answer, says,
                                                                                 capsys):
    assert bool(check_fn(answer)) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("✘") and says in out and "Hint:" not in out


def test_the_shortcuts_work_again_after_the_check():
    check.jacobian_by_backward(jacobian_with_jacrev, quiet=True)
    f = lambda x: torch.stack([x[0] * x[1], x[1]])          # noqa: E731
    x = torch.tensor([2.0, 3.0])
    expected = torch.tensor([[3.0, 2.0], [0.0, 1.0]])
    assert torch.equal(torch.autograd.functional.jacobian(f, x), expected)
    assert torch.equal(torch.func.jacrev(f)(x), expected)


def test_the_given_step_returns_the_right_loss_but_moves_nothing():
    w = torch.tensor([[1.0]], requires_grad=True)
    b = torch.tensor([[0.0]], requires_grad=True)
    x, y = torch.tensor([[1.0], [2.0]]), torch.tensor([[2.0], [3.0]])
    loss = gradient_descent_step_buggy(w, b, x, y, 0.1)
    assert loss == pytest.approx(0.5 * (1 + 1)) and w.item() == 1.0 and b.item() == 0.0
    assert w.grad is not None and w.grad.item() != 0, "and the gradient stays behind for the next step"


def test_lecture_jacobian_failure_names_the_lecture_case(capsys):
    check.jacobian_by_backward(jacobian_transposed)
    out = capsys.readouterr().out
    assert "the lecture's" in out and "[2.0, 3.0]" in out


@pytest.mark.parametrize("prediction", ["exp", " EXP "])
def test_in_place_prediction_right(prediction, capsys):
    assert bool(check.in_place_after_forward(prediction)) is True
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("✔ in_place_after_forward") and "saves its OUTPUT" in out and "cos(a)" in out


@pytest.mark.parametrize("prediction", ["sin", "both", "neither"])
def test_in_place_prediction_wrong_says_what_happened(prediction, capsys):
    assert bool(check.in_place_after_forward(prediction)) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("✘ in_place_after_forward") and "backward fails for exp" in out and "Hint:" in out


def test_in_place_experiment():
    from course_lib.check.autograd import in_place_after_forward_experiment
    outcome = in_place_after_forward_experiment()
    assert outcome["sin"] is None and "inplace operation" in outcome["exp"]


@pytest.mark.parametrize("name", ["accumulate_gradient", "in_place_after_forward", "jacobian_by_backward",
                                  "gradient_descent_step", "power_node"])
def test_hints_come_in_steps_and_give_no_code(name, capsys):
    hints = getattr(check, name).hint
    assert len(hints.steps) >= 2
    hints(2)
    assert capsys.readouterr().out.startswith("  Hint 2 of")
    for code in ("zero_()", "retain_graph=True", "-=", "sub_", "torch.eye", "one_hot"):
        assert all(code not in step for step in hints.steps), code


def test_quiet_prints_nothing(capsys):
    assert bool(check.accumulate_gradient(accumulate_right, quiet=True)) is True
    assert bool(check.in_place_after_forward(None, quiet=True)) is False
    assert capsys.readouterr().out == ""


# --- power_node ------------------------------------------------------------------------------

def _power(u, v, backward_rule):
    out = Value(u.data ** v.data, _parents=(u, v), _op="pow")
    out._backward = lambda: backward_rule(u, v, out)
    return out


def power_right(u, v):
    out = Value(u.data ** v.data, _parents=(u, v), _op="pow")

    def _backward():
        u.grad += out.grad * v.data * u.data ** (v.data - 1)
        v.grad += out.grad * out.data * math.log(u.data)
    out._backward = _backward
    return out


def _add_both(u, v, out):                                # the lecture's way of writing it: du and dv first
    du, dv = v.data * out.data / u.data, out.data * math.log(u.data)
    u.grad = u.grad + du * out.grad
    v.grad = v.grad + dv * out.grad


def power_right_via_out(u, v):
    return _power(u, v, _add_both)


def power_assigning(u, v):                               # = instead of +=: x ** x loses a path
    def rule(u, v, out):
        u.grad = out.grad * v.data * u.data ** (v.data - 1)
        v.grad = out.grad * out.data * math.log(u.data)
    return _power(u, v, rule)


def power_ignoring_out_grad(u, v):                       # right for the output alone, wrong inside a graph
    def rule(u, v, out):
        u.grad += v.data * u.data ** (v.data - 1)
        v.grad += out.data * math.log(u.data)
    return _power(u, v, rule)


def power_swapped(u, v):
    def rule(u, v, out):
        u.grad += out.grad * out.data * math.log(u.data)
        v.grad += out.grad * v.data * u.data ** (v.data - 1)
    return _power(u, v, rule)


def power_exponent_treated_as_constant(u, v):
    def rule(u, v, out):
        u.grad += out.grad * v.data * u.data ** (v.data - 1)
    return _power(u, v, rule)


def power_composed(u, v):                                # right numbers, three nodes
    return (v * u.log()).exp()


def power_returning_a_float(u, v):
    return u.data ** v.data


def power_changing_u(u, v):
    out = power_right(u, v)
    u.data += 1.0
    return out


def power_crashing(u, v):
    return u ** v                                          # the engine refuses a Value exponent


def test_power_right_answers_pass(capsys):
    for answer in (power_right, power_right_via_out):
        assert bool(check.power_node(answer)) is True
        assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("answer, says", [
    (power_assigning, "x ** x"), (power_ignoring_out_grad, "p·p + x"), (power_swapped, "u.grad"),
    (power_exponent_treated_as_constant, "v.grad"), (power_returning_a_float, "should return a Value"),
    (power_changing_u, "changed the data"), (power_crashing, "raised TypeError")], ids=name_of)
def test_power_wrong_answers_fail_with_the_case(answer, says, capsys):
    assert bool(check.power_node(answer)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘") and says in out and "Hint:" in out


def test_power_composed_of_exp_and_log_is_refused_by_name_without_a_hint(capsys):
    assert bool(check.power_node(power_composed)) is False
    out = capsys.readouterr().out
    assert "parents should be (u, v)" in out and "Hint:" not in out
