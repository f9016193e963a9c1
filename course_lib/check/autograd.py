"""Checks for chapter 10 (autograd).

torch is imported inside each check, so that ``from course_lib import check`` stays fast for
the chapters that do not use torch.
"""
import numpy as np

from ._core import CheckFailed, call_student, compare, run

__all__ = ["gradient_descent_step", "jacobian_by_backward", "accumulate_gradient"]


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
                w_ref, b_ref = w_ref - lr * np.sum(residual * x[:, 0] ** 2), b_ref - lr * np.sum(residual)
                label = f"N={n}, lr={lr}, step {step} from w={w0:.3g}, b={b0:.3g}"
                loss = _numbers(call_student(fn, w, b, xt, yt, lr), "the returned loss")
                compare("the returned loss", loss.reshape(()) if loss.size == 1 else loss, loss_ref, label)
                if not (w.is_leaf and b.is_leaf and w.requires_grad and b.requires_grad):
                    raise CheckFailed(f"after {label}, w and b must still be leaves with requires_grad=True "
                                      "(update them in place inside torch.no_grad())")
                compare("w after the step", w.detach().numpy(), [[w_ref]], label)
                compare("b after the step", b.detach().numpy(), [[b_ref]], label)
                if not (_grad_is_cleared(w) and _grad_is_cleared(b)):
                    raise CheckFailed(f"after {label}, w.grad and b.grad should be zero (or None), got "
                                      f"{w.grad.flatten().tolist() if w.grad is not None else None} and "
                                      f"{b.grad.flatten().tolist() if b.grad is not None else None}")
        return case

    return run("gradient_descent_step", [make(*c) for c in cases],
               hint="loss.backward() fills w.grad and b.grad; change w and b in place (w -= lr * w.grad) "
                    "inside `with torch.no_grad():`, then zero both gradients, or the next step adds to them.",
               quiet=quiet, success="matches the reference on 4 cases of three consecutive steps.")


def _lecture_f(x):
    import torch
    return torch.stack([x[0] ** 2 + 3 * x[1], x[1] ** 2 + 2 * x[0]])


def _trig_f(x):
    import torch
    return torch.stack([torch.sin(x[0]) * x[1], x[0] * x[1] * x[2], torch.exp(x[2]) - x[0]])


def _wide_f(x):
    import torch
    return torch.stack([x.sum(), (x ** 2).sum() * x[0]])


def jacobian_by_backward(fn, quiet=False):
    """Check ``fn(f, x) -> J``: the Jacobian of f at x, one row per ``backward(gradient=...)``.

    ``x`` is a 1-D tensor of n numbers with ``requires_grad=True``; ``f(x)`` returns a 1-D tensor
    of m numbers; J has shape (m, n), J[i, j] = ∂f_i/∂x_j. Compared with
    ``torch.autograd.functional.jacobian``.
    """
    import torch

    cases = [("the lecture's y = (x₁² + 3x₂, x₂² + 2x₁)", _lecture_f, [2.0, 3.0]),
             ("y = (x₁² + 3x₂, x₂² + 2x₁)", _lecture_f, [-1.0, 0.5]),
             ("y = (sin x₁ · x₂, x₁x₂x₃, exp x₃ − x₁)", _trig_f, [0.3, -1.2, 0.7]),
             ("y = (Σx, x₁ Σx²)", _wide_f, [1.0, 2.0, -1.0, 0.5])]

    def make(description, f, at):
        def case():
            x = torch.tensor(at, dtype=torch.float64, requires_grad=True)
            expected = torch.autograd.functional.jacobian(f, x.detach()).numpy()
            got = _numbers(call_student(fn, f, x), "J")
            compare("J", got, expected, f"{description} at x = {at}")
        return case

    return run("jacobian_by_backward", [make(*c) for c in cases],
               hint="row i is x.grad after y.backward(gradient=e_i), e_i the i-th one-hot vector; keep the "
                    "graph with retain_graph=True and zero x.grad between rows, since backward adds to it.",
               quiet=quiet, success="matches torch.autograd.functional.jacobian on 4 functions.")


def accumulate_gradient(fn, quiet=False):
    """Check ``fn(w, chunks) -> grad``: the gradient of a loss summed over chunks, one backward per chunk.

    ``w`` is a leaf tensor of shape (D,) that arrives with a stale gradient in ``w.grad``;
    ``chunks`` is a list of ``(X, y)`` with X of shape (n, D), y of shape (n,); the loss of a chunk
    is ½ Σ (Xw − y)². The answer (returned, and left in ``w.grad``) is
    Σ_chunks Xᵀ(Xw − y), the gradient of the total loss.
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
            expected = sum(X.T @ (X @ w0 - y) for X, y in chunks)
            label = f"D={d}, chunks of sizes {sizes}, w.grad arriving as {np.round(stale, 3).tolist()}"
            got = _numbers(call_student(fn, w, [(torch.tensor(X), torch.tensor(y)) for X, y in chunks]),
                           "the returned gradient")
            compare("the returned gradient", got, expected, label)
            if w.grad is None:
                raise CheckFailed(f"w.grad is None after the call ({label}); leave the gradient in w.grad")
            compare("w.grad", w.grad.detach().numpy(), expected, label)
        return case

    return run("accumulate_gradient", [make(*c) for c in shapes],
               hint="backward adds to w.grad: zero the stale gradient first (w.grad.zero_()), then call "
                    "backward once per chunk and let the chunks' gradients add up.",
               quiet=quiet, success="matches the reference on 4 cases, stale gradients included.")
