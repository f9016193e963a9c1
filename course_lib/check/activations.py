"""Checks for chapter 03 (activation functions)."""
import warnings

import numpy as np

from ..activations import leaky_relu as reference_leaky_relu
from ..activations import leaky_relu_derivative, maxout, maxout_backward as reference_maxout_backward
from ..gradcheck import numerical_gradient, relative_error
from ._core import CheckFailed, call_student, compare, run

__all__ = ["collapse_linear_layers", "leaky_relu", "maxout_backward"]


def _unpack(out, n, what):
    if not isinstance(out, (tuple, list)) or len(out) != n:
        raise CheckFailed(f"it should return {what}; got {type(out).__name__}"
                          + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    return out


def _as_float(label, value):
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{label} should be an array of numbers; got {type(value).__name__}") from None


def collapse_linear_layers(fn, quiet=False):
    """Check ``fn(weights, biases) -> (W, b)``: the one affine map equal to a stack of affine layers.

    The layers are :math:`h_\\ell = h_{\\ell-1} W_\\ell + b_\\ell` with no activation in between,
    so the stack is :math:`x W + b` with :math:`W = W_1 W_2 \\cdots W_L` and
    :math:`b = (\\cdots(b_1 W_2 + b_2) W_3 + \\cdots) W_L + b_L`.
    """
    rng = np.random.RandomState(31)
    shapes = [[2, 3], [3, 3, 3], [2, 4, 3], [3, 5, 5, 2], [4, 3, 6, 2, 1], [1, 1, 1]]

    def make(sizes):
        weights = [rng.randn(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        biases = [rng.randn(b) for b in sizes[1:]]
        x = rng.randn(7, sizes[0])

        def case():
            W, b = _unpack(call_student(fn, [w.copy() for w in weights], [v.copy() for v in biases]), 2,
                           "a pair (W, b)")
            W_ref, b_ref = weights[0], biases[0]
            for w, v in zip(weights[1:], biases[1:]):
                W_ref, b_ref = W_ref @ w, b_ref @ w + v
            label = f"layer sizes {sizes}"
            compare("W", W, W_ref, label)
            b = _as_float("b", b)
            compare("b", b.reshape(b_ref.shape) if b.size == b_ref.size else b, b_ref, label)
            deep = x
            for w, v in zip(weights, biases):
                deep = deep @ w + v
            compare("x·W + b", x @ _as_float("W", W) + b.reshape(-1), deep,
                    f"{label}: the one map must give the deep stack's outputs")
        return case

    return run("collapse_linear_layers", [make(s) for s in shapes],
               hint="push the layers through one at a time: after a layer (W_ℓ, b_ℓ) the map x·W + b becomes "
                    "x·(W W_ℓ) + (b W_ℓ + b_ℓ) — the bias is multiplied by every later W too.",
               quiet=quiet, success="matches the deep stack on 6 architectures.")


def leaky_relu(fn, quiet=False):
    """Check ``fn(x, negative_slope) -> (y, dydx)``, Leaky ReLU and its derivative, element-wise."""
    rng = np.random.RandomState(32)
    cases = [(np.array([-2.0, -0.5, 0.5, 3.0]), 0.01), (np.array([[-1.0, 2.0], [4.0, -3.0]]), 0.2),
             (rng.randn(5, 3) * 3, 0.1), (np.array([-1e3, 1e3]), 0.3), (np.array([-5.0, 5.0]), 0.0)]

    def make(x, a):
        def case():
            y, dy = _unpack(call_student(fn, x, a), 2, "a pair (y, dydx)")
            label = f"x = {np.round(x, 3).tolist()}, negative_slope = {a}"
            compare("y", y, reference_leaky_relu(x, a), label)
            compare("dydx", dy, leaky_relu_derivative(x, a), label)
        return case

    def gradient_check():
        x, a = rng.randn(6) * 2 + 0.05, 0.15
        x[np.abs(x) < 0.05] = 0.3                      # away from the kink at 0
        y_of = lambda v: float(np.sum(np.asarray(_unpack(call_student(fn, v, a), 2, "a pair (y, dydx)")[0], float)))
        num = numerical_gradient(y_of, x.copy())
        _, dy = _unpack(call_student(fn, x, a), 2, "a pair (y, dydx)")
        if np.shape(dy) != x.shape or relative_error(np.asarray(dy, float), num) > 1e-6:
            raise CheckFailed("dydx disagrees with finite differences of your own y")

    return run("leaky_relu", [make(*c) for c in cases] + [gradient_check],
               hint="y = x where x > 0 and negative_slope·x elsewhere; the derivative is 1 or negative_slope "
                    "(np.where picks per element; don't multiply by x in the derivative).",
               quiet=quiet, success="matches the reference on 5 inputs and passes a gradient check.")


def maxout_backward(fn, quiet=False):
    """Check ``fn(z, k, dout) -> dz``: the gradient routed to the winning piece of each maxout group."""
    rng = np.random.RandomState(33)
    shapes = [(1, 2, 2), (4, 3, 2), (3, 2, 4), (5, 1, 5), (2, 3, 1)]      # (N, units, k)

    def make(n, units, k):
        z, dout = rng.randn(n, units * k), rng.randn(n, units)

        def case():
            dz = call_student(fn, z, k, dout)
            compare("dz", dz, reference_maxout_backward(z, k, dout), f"z of shape {z.shape}, k = {k}")
        return case

    def gradient_check():
        z, dout = rng.randn(3, 6), rng.randn(3, 2)
        num = numerical_gradient(lambda v: float(np.sum(maxout(v, 3) * dout)), z.copy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = np.asarray(call_student(fn, z, 3, dout), dtype=float)
        if got.shape != num.shape or relative_error(got, num) > 1e-6:
            raise CheckFailed("dz fails the gradient check against finite differences")

    return run("maxout_backward", [make(*s) for s in shapes] + [gradient_check],
               hint="reshape z to (N, units, k); only the arg-max of each group gets dout (the others get 0), "
                    "like a ReLU gate — then reshape back to z's shape.",
               quiet=quiet, success="matches the reference on 5 shapes and passes a gradient check.")
