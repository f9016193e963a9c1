"""Checks for chapter 10 (autograd).

torch is imported inside each check, so that ``from course_lib import check`` stays fast for
the chapters that do not use torch.

The core's :func:`~course_lib.check._core.call_student` hands the student copies of every
argument, detached from autograd; these exercises are about a leaf's ``.grad``, so the checks pass
the leaf tensors themselves (``live=``); a function that changes the data of an argument the task
does not let it change still fails.
"""
import contextlib

import numpy as np

from ._core import CheckFailed, Hints, call_student, compare, fmt, forbidding, prediction_value, run

__all__ = ["accumulate_gradient", "in_place_after_forward", "jacobian_by_backward", "gradient_descent_step",
           "power_node"]


def _numbers(value, label):
    """A tensor, number or array as a float64 numpy array (detached), or CheckFailed."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64).cpu().numpy()
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError, RuntimeError):
        raise CheckFailed(f"{label} should be a tensor or a number; got {type(value).__name__}") from None


def _grad_is_cleared(tensor):
    return tensor.grad is None or bool((tensor.grad == 0).all())


# --- exercise 1: accumulate on purpose ----------------------------------------------------------

def accumulate_gradient(fn, quiet=False):
    """Check ``fn(w, chunks) -> grad``: the gradient of a loss summed over chunks, one backward per chunk.

    ``w`` is a leaf tensor of shape (D,) that arrives with a stale gradient in ``w.grad``;
    ``chunks`` is a list of ``(X, y)`` with X of shape (n, D), y of shape (n,); the loss of a chunk
    is ½ Σ (Xw − y)². The answer (returned, and left in ``w.grad``) is
    Σ_chunks Xᵀ(Xw − y), the gradient of the total loss. A hook on ``w`` counts the backward passes
    that reach it: fewer than one per chunk (one backward over the sum of all chunks' losses, which
    holds every chunk's graph in memory at once) fails.
    """
    import torch

    rng = np.random.RandomState(11)
    shapes = [(3, [4, 4, 2]), (1, [1, 1]), (2, [5]), (4, [3, 6, 1, 2])]

    def make(d, sizes):
        w0, stale = rng.randn(d), rng.randn(d)
        chunks = [(rng.randn(n, d), rng.randn(n)) for n in sizes]

        def case():
            w = torch.tensor(w0, requires_grad=True)
            w.grad = torch.tensor(stale)            # left over from an earlier step
            passes = []
            w.register_hook(lambda grad: passes.append(1))
            expected = sum(X.T @ (X @ w0 - y) for X, y in chunks)
            label = f"D={d}, chunks of sizes {sizes}, w.grad arriving as {np.round(stale, 3).tolist()}"
            got = _numbers(call_student(fn, w, [(torch.tensor(X), torch.tensor(y)) for X, y in chunks], live=(0,)),
                           "the returned gradient")
            compare("the returned gradient", got, expected, label)
            if w.grad is None:
                raise CheckFailed(f"w.grad is None after the call ({label}); leave the gradient in w.grad")
            compare("w.grad", w.grad.detach().numpy(), expected, label)
            if len(passes) < len(chunks):
                raise CheckFailed(f"the gradient is right, but {len(passes)} backward pass"
                                  f"{'es' if len(passes) != 1 else ''} reached w for {len(chunks)} chunks "
                                  f"({label}). The task asks for one backward per chunk: a single backward "
                                  "over all chunks' losses keeps every chunk's graph in memory at once, which "
                                  "is what accumulating is meant to avoid.", with_hint=False)
        return case

    return run("accumulate_gradient", [make(*c) for c in shapes], accumulate_gradient.hint, quiet=quiet,
               success="matches the reference on 4 cases, stale gradients included, one backward per chunk.")


accumulate_gradient.hint = Hints(
    "accumulate_gradient",
    "w.grad already holds something when your function starts, and every backward() ADDS to "
    "w.grad. What must w.grad hold before the first chunk, and what happens to it after each chunk?",
    "each chunk's backward adds that chunk's gradient, and the gradient of a sum of losses is the "
    "sum of their gradients. So the only thing to do outside the loop over chunks happens once, "
    "before it; nothing may reset w.grad between chunks.",
)


# --- exercise 2: predict, then run --------------------------------------------------------------

IN_PLACE_CHOICES = ("exp", "sin", "both", "neither")


def in_place_after_forward_experiment():
    """Which of ``h = f(a); h += 1; h.sum().backward()`` fails, for f = exp and f = sin.

    Returns a dict ``{"exp": message or None, "sin": message or None}``: autograd's error message
    when ``backward`` refused, None when it ran (then ``a.grad`` is f's derivative, checked).
    """
    import torch

    outcome = {}
    for name, f, derivative in (("exp", torch.exp, torch.exp), ("sin", torch.sin, torch.cos)):
        a = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
        h = f(a)
        h += 1                                    # in place, after the forward pass
        try:
            h.sum().backward()
        except RuntimeError as err:
            outcome[name] = str(err).split(":")[0]
            continue
        assert torch.allclose(a.grad, derivative(a.detach()))
        outcome[name] = None
    return outcome


def in_place_after_forward(prediction, quiet=False):
    """Check a prediction: after ``h = f(a)`` and ``h += 1``, for which f does ``h.sum().backward()`` fail?

    ``prediction`` is ``"exp"``, ``"sin"``, ``"both"`` or ``"neither"``. The check runs both and
    explains which values each backward node saved.
    """
    outcome = in_place_after_forward_experiment()
    failed = [name for name in ("exp", "sin") if outcome[name] is not None]
    answer = {("exp",): "exp", ("sin",): "sin", ("exp", "sin"): "both", (): "neither"}[tuple(failed)]
    story = (f"backward fails for {' and '.join(failed) or 'neither'}"
             + (f" (\"{outcome[failed[0]]}\")" if failed else "") + ".")
    why = ("The derivative of exp is exp itself, so exp's backward node saves its OUTPUT h, and h += 1 "
           "changed that saved tensor (autograd notices through the tensor's version counter). The "
           "derivative of sin is cos(a), so sin's node saves its INPUT a, which nobody changed: the "
           "in-place add on its output is harmless, and a.grad = cos(a).")

    def case():
        guess = prediction_value(prediction, IN_PLACE_CHOICES)
        if guess != answer:
            raise CheckFailed(f"you predicted {guess!r}, but {story}")

    return run("in_place_after_forward", [case], in_place_after_forward.hint, quiet=quiet,
               success=f"right: {story} {why}")


in_place_after_forward.hint = Hints(
    "in_place_after_forward",
    "a backward node needs some values of the forward pass, and saves them. For each of exp and "
    "sin, write down its derivative: which tensor does it need, the input a or the output h?",
    "h += 1 changes h and nothing else. Backward fails only where a value the node saved has been "
    "changed since; it does not mind changes to tensors it never saved.",
)


# --- exercise 3: a Jacobian with backward ---------------------------------------------------------

def _lecture_f(x):
    import torch
    return torch.stack([x[0] ** 2 + 3 * x[1], x[1] ** 2 + 2 * x[0]])


def _trig_f(x):
    import torch
    return torch.stack([torch.sin(x[0]) * x[1], x[0] * x[1] * x[2], torch.exp(x[2]) - x[0]])


def _wide_f(x):
    import torch
    return torch.stack([x.sum(), (x ** 2).sum() * x[0]])


def _tall_f(x):
    import torch
    return torch.stack([x[0] * x[1], x[0] + x[1], x[1] ** 2])


def _jacobian_shortcuts():
    import torch
    import torch.autograd.functional
    import torch.func

    return [(torch.autograd.functional, "jacobian"), (torch.autograd.functional, "hessian"),
            (torch.func, "jacrev"), (torch.func, "jacfwd"), (torch.func, "vmap"), (torch, "vmap")]


JACOBIAN_WHY = "the exercise is to build J from backward passes yourself, one row each"


def jacobian_by_backward(fn, quiet=False):
    """Check ``fn(f, x) -> J``: the Jacobian of f at x, one row per ``backward(gradient=...)``.

    ``x`` is a 1-D tensor of n numbers with ``requires_grad=True``; ``f(x)`` returns a 1-D tensor
    of m numbers; J has shape (m, n), J[i, j] = ∂f_i/∂x_j. Compared with
    ``torch.autograd.functional.jacobian``, computed before the student's function runs: while it
    runs, ``torch.autograd.functional.jacobian``, ``torch.func.jacrev``/``jacfwd`` and ``vmap``
    fail the check.
    """
    import torch

    cases = [("the lecture's y = (x₁² + 3x₂, x₂² + 2x₁)", _lecture_f, [2.0, 3.0]),
             ("y = (x₁² + 3x₂, x₂² + 2x₁)", _lecture_f, [-1.0, 0.5]),
             ("y = (sin x₁ · x₂, x₁x₂x₃, exp x₃ − x₁)", _trig_f, [0.3, -1.2, 0.7]),
             ("y = (Σx, x₁ Σx²)", _wide_f, [1.0, 2.0, -1.0, 0.5]),
             ("y = (x₁x₂, x₁ + x₂, x₂²)", _tall_f, [1.5, -2.0])]
    expected = [torch.autograd.functional.jacobian(f, torch.tensor(at, dtype=torch.float64)).numpy()
                for _, f, at in cases]
    shortcuts = _jacobian_shortcuts()

    def make(description, f, at, J):
        def case():
            x = torch.tensor(at, dtype=torch.float64, requires_grad=True)
            with contextlib.ExitStack() as stack:
                for owner, name in shortcuts:
                    stack.enter_context(forbidding(owner, name, JACOBIAN_WHY))
                got = _numbers(call_student(fn, f, x, live=(1,)), "J")
            compare("J", got, J, f"{description} at x = {at}")
        return case

    return run("jacobian_by_backward", [make(*c, J) for c, J in zip(cases, expected)],
               jacobian_by_backward.hint, quiet=quiet,
               success=f"matches torch.autograd.functional.jacobian in {len(cases)} cases: square, wide and tall Jacobians.")


jacobian_by_backward.hint = Hints(
    "jacobian_by_backward",
    "y.backward(gradient=v) puts vᵀJ into x.grad. Which v makes vᵀJ one row of J? Then there is "
    "one backward per row, all over the same graph.",
    "two things go wrong on the second row unless you see to them: the graph's saved values are "
    "freed by the first backward (the section on backward twice says how to keep them), and x.grad "
    "still holds the first row, to which backward adds.",
)


# --- exercise 4: find the bug ---------------------------------------------------------------------

def gradient_descent_step_buggy(w, b, x, y, lr):
    """The notebook's given version: the right loss, but it rebinds w and b and never zeroes the gradients."""
    import torch

    loss = 0.5 * ((x.pow(2).mm(w) + b - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        w = w - lr * w.grad
        b = b - lr * b.grad
    return loss.item()


def gradient_descent_step(fn, quiet=False):
    """Check ``fn(w, b, x, y, lr) -> loss``: one step of the lecture's loop, updating w and b in place.

    The model is ŷ = x²·w + b with x, y of shape (N, 1) and w, b of shape (1, 1); the loss is
    L = ½ Σ (ŷ − y)². The step returns L (before the update), leaves w ← w − lr·∂L/∂w and
    b ← b − lr·∂L/∂b in the caller's tensors, and their gradients zeroed (or None).
    Each case takes three steps in a row, so gradients left over from a step are caught.
    """
    import torch

    rng = np.random.RandomState(10)
    cases = [(5, 0.01), (1, 0.1), (20, 0.001), (8, 0.05)]

    def make(n, lr):
        x = rng.uniform(-1, 1, size=(n, 1))
        y = 3 * x ** 2 + 2 + 0.2 * rng.rand(n, 1)
        w0, b0 = rng.randn(), rng.randn()

        def case():
            w = torch.tensor([[w0]], dtype=torch.float64, requires_grad=True)
            b = torch.tensor([[b0]], dtype=torch.float64, requires_grad=True)
            w_ref, b_ref = w0, b0
            xt, yt = torch.tensor(x), torch.tensor(y)
            for step in (1, 2, 3):
                residual = x[:, 0] ** 2 * w_ref + b_ref - y[:, 0]
                loss_ref = 0.5 * np.sum(residual ** 2)
                w_before, b_before = w.item(), b.item()
                w_ref, b_ref = w_ref - lr * np.sum(residual * x[:, 0] ** 2), b_ref - lr * np.sum(residual)
                label = f"N={n}, lr={lr}, step {step} from w={w0:.3g}, b={b0:.3g}"
                loss = _numbers(call_student(fn, w, b, xt, yt, lr, live=(0, 1), may_change=(0, 1)),
                                "the returned loss")
                compare("the returned loss", loss.reshape(()) if loss.size == 1 else loss, loss_ref, label)
                if not (w.is_leaf and b.is_leaf and w.requires_grad and b.requires_grad):
                    raise CheckFailed(f"after {label}, w and b must still be leaves with requires_grad=True "
                                      "(update them in place inside torch.no_grad())")
                if (w.item(), b.item()) == (w_before, b_before):
                    raise CheckFailed(f"after {label}, the caller's w and b still hold {fmt(w_before)} and "
                                      f"{fmt(b_before)}: the step did not change them. Expected w = "
                                      f"{fmt(w_ref)}, b = {fmt(b_ref)}.")
                compare("w after the step", w.detach().numpy(), [[w_ref]], label)
                compare("b after the step", b.detach().numpy(), [[b_ref]], label)
                if not (_grad_is_cleared(w) and _grad_is_cleared(b)):
                    raise CheckFailed(f"after {label}, w.grad and b.grad should be zero (or None), got "
                                      f"{fmt(w.grad) if w.grad is not None else None} and "
                                      f"{fmt(b.grad) if b.grad is not None else None}: the next step's "
                                      "backward would add its gradient to them")
        return case

    return run("gradient_descent_step", [make(*c) for c in cases], gradient_descent_step.hint, quiet=quiet,
               success="matches the reference on 4 cases of three consecutive steps.")


gradient_descent_step.hint = Hints(
    "gradient_descent_step",
    "the given step computes the right loss and the right new values, yet the caller sees no "
    "change. Inside a function, what is the difference between giving a name a new tensor and "
    "changing the tensor the name already refers to?",
    "once the caller's w and b do move, run three steps in a row: the second step's gradient is "
    "wrong if anything of the first is still in w.grad and b.grad when its backward runs.",
)


# --- exercise 5: derive and implement a node of the scalar engine --------------------------------

def _power_cases():
    """(label, leaves' data, build(power, *leaves) -> output): u ** v, x ** x, a result used twice."""
    return [
        ("u ** v at u=2, v=3", (2.0, 3.0), lambda power, u, v: power(u, v)),
        ("u ** v at u=0.5, v=-1.5", (0.5, -1.5), lambda power, u, v: power(u, v)),
        ("u ** v at u=1.7, v=0", (1.7, 0.0), lambda power, u, v: power(u, v)),
        ("x ** x at x=1.3 (the same Value as base and exponent)", (1.3,), lambda power, x: power(x, x)),
        ("p = x ** (x·y); p·p + x at x=1.4, y=0.6", (1.4, 0.6),
         lambda power, x, y: (lambda p: p * p + x)(power(x, x * y))),
    ]


def _torch_power(u, v):
    import torch
    return torch.pow(u, v)


def power_node(fn, quiet=False):
    """Check ``fn(u, v)``: one node of the scalar engine for ``u ** v``, u > 0, both Values.

    The output must be a new :class:`~course_lib.scalar_autograd.Value` whose ``data`` is u^v, whose
    ``parents`` are exactly ``(u, v)`` (one node, not a composition of exp and log) and whose
    ``_backward`` adds ∂out/∂u = v·u^(v−1) and ∂out/∂v = u^v·ln u, times ``out.grad``, into the
    parents' ``grad``. The leaves' gradients after ``backward()`` are compared with torch (float64)
    on five cases, among them x ** x, where a plain ``=`` in ``_backward`` loses one path.
    """
    import torch

    from ..scalar_autograd import Value

    def make(label, data, build):
        def case():
            leaves = [Value(d) for d in data]
            nodes = []

            def recording(u, v):                       # the student's function, noting each node made
                before = (u.data, v.data)
                out = call_student(fn, u, v, live=(0, 1), may_change=(0, 1))
                if (u.data, v.data) != before:
                    raise CheckFailed(f"power changed the data of its inputs ({label}): u and v are "
                                      "the caller's values, read them only")
                nodes.append((out, u, v))
                return out

            output = build(recording, *leaves)
            for out, u, v in nodes:
                if not isinstance(out, Value):
                    raise CheckFailed(f"power should return a Value, got {type(out).__name__} ({label})")
                if out is u or out is v:
                    raise CheckFailed(f"power returned one of its inputs ({label}); make a new Value")
                if len(out.parents) != 2 or out.parents[0] is not u or out.parents[1] is not v:
                    raise CheckFailed(f"the returned node's parents should be (u, v), got "
                                      f"{len(out.parents)} parent(s) ({label}). Build ONE node, as "
                                      "Value.__mul__ does, "
                                      "not a composition of exp, log and *: that is the task.",
                                      with_hint=False)
                compare("out.data", out.data, u.data ** v.data, label)
            output.backward()
            tensors = [torch.tensor(d, dtype=torch.float64, requires_grad=True) for d in data]
            build(_torch_power, *tensors).backward()
            names = ["u", "v"] if len(data) == 2 and "u ** v" in label else ["x", "y"][:len(data)]
            for name, leaf, tensor in zip(names, leaves, tensors):
                compare(f"{name}.grad after backward()", leaf.grad, tensor.grad.item(), label,
                        rtol=1e-9, atol=1e-12)
        return case

    return run("power_node", [make(*c) for c in _power_cases()], power_node.hint, quiet=quiet,
               success="matches torch on 5 cases, x ** x and a result used twice among them.")


power_node.hint = Hints(
    "power_node",
    "treat the two inputs one at a time. With v held fixed, u ** v is a power of u; with u held "
    "fixed, it is an exponential in v: rewrite u ** v as e raised to something to differentiate it.",
    "each derivative is multiplied by the gradient arriving at the output, and ADDED to what the "
    "input already holds: in x ** x the same Value receives both contributions.",
)
