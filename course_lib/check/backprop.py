"""Checks for chapter 02 (backpropagation)."""
import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..layers import Affine, Multiply
from ..losses import softmax_cross_entropy
from ._core import CheckFailed, call_student, compare, run

__all__ = ["multiply_backward", "affine_backward", "softmax_cross_entropy_gradient"]


def _unpack(out, n, what):
    if not isinstance(out, (tuple, list)) or len(out) != n:
        raise CheckFailed(f"it should return {what}; got {type(out).__name__}"
                          + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    return out


def multiply_backward(fn, quiet=False):
    """Check ``fn(dout, x, y) -> (dx, dy)``, the backward pass of the multiply node z = x·y."""
    rng = np.random.RandomState(2)
    cases = [(1.0, 2.0, -3.0), (0.5, -1.5, 4.0)] + [tuple(rng.randn(3)) for _ in range(18)]

    def make(dout, x, y):
        def case():
            node = Multiply()
            node.forward(x, y)
            dx_ref, dy_ref = node.backward(dout)
            dx, dy = _unpack(call_student(fn, dout, x, y), 2, "a pair (dx, dy)")
            label = f"x={x:.3g}, y={y:.3g}, dout={dout:.3g}"
            compare("dx", dx, dx_ref, label)
            compare("dy", dy, dy_ref, label)
        return case

    return run("multiply_backward", [make(*c) for c in cases],
               hint="the multiply node swaps its inputs on the way back: ∂L/∂x = ∂L/∂z · y.",
               quiet=quiet, success="matches the reference on 20 cases.")


def affine_backward(fn, quiet=False):
    """Check ``fn(dH, X, W) -> (dX, dW, db)`` for H = XW + b, with shapes and a gradient check."""
    rng = np.random.RandomState(3)
    shapes = [(4, 3, 2), (1, 5, 3), (6, 2, 4), (3, 1, 1)]

    def make(n, d, m):
        X, W, b, dH = rng.randn(n, d), rng.randn(d, m), rng.randn(m), rng.randn(n, m)

        def case():
            layer = Affine(W.copy(), b.copy())
            layer.forward(X)
            dX_ref = layer.backward(dH)
            out = _unpack(call_student(fn, dH, X, W), 3, "a triple (dX, dW, db)")
            label = f"X {X.shape}, W {W.shape}"
            for got, ref, nm in zip(out, (dX_ref, layer.dW, layer.db), ("dX", "dW", "db")):
                compare(nm, got, ref, label)
        return case

    def gradient_check():
        X, W, dH = rng.randn(3, 2), rng.randn(2, 2), rng.randn(3, 2)
        dX, dW, _ = _unpack(call_student(fn, dH, X, W), 3, "a triple (dX, dW, db)")
        num = numerical_gradient(lambda w: float(np.sum((X @ w) * dH)), W.copy())
        if relative_error(np.asarray(dW, float), num) > 1e-6:
            raise CheckFailed("dW fails the gradient check against finite differences")

    return run("affine_backward", [make(*s) for s in shapes] + [gradient_check],
               hint="follow the shapes: dX = dH·Wᵀ is (N, D), dW = Xᵀ·dH is (D, M), db sums dH over the rows.",
               quiet=quiet, success="matches the reference on 4 shapes and passes a gradient check.")


def softmax_cross_entropy_gradient(fn, quiet=False):
    """Check ``fn(z, y) -> dz``, the gradient of the mean softmax cross-entropy w.r.t. the logits."""
    rng = np.random.RandomState(4)
    shapes = [(1, 3), (4, 3), (5, 2), (8, 10)]

    def make(n, c):
        z, y = rng.randn(n, c) * 2, rng.randint(0, c, size=n)

        def case():
            _, dz_ref = softmax_cross_entropy(z, y)
            compare("dz", call_student(fn, z, y), dz_ref, f"z of shape {z.shape}, y={y.tolist()}")
        return case

    def gradient_check():
        z, y = rng.randn(3, 4), np.array([0, 3, 1])
        num = numerical_gradient(lambda zz: softmax_cross_entropy(zz, y)[0], z.copy())
        got = np.asarray(call_student(fn, z, y), dtype=float)
        if got.shape != num.shape or relative_error(got, num) > 1e-6:
            raise CheckFailed("dz fails the gradient check against finite differences")

    return run("softmax_cross_entropy_gradient", [make(*s) for s in shapes] + [gradient_check],
               hint="p − y, with y one-hot, divided by the number of samples N (the loss is a mean).",
               quiet=quiet, success="matches the reference on 4 shapes and passes a gradient check.")
