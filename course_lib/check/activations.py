"""Checks for chapter 03 (activation functions)."""
import warnings

import numpy as np

from ..activations import leaky_relu as reference_leaky_relu
from ..activations import leaky_relu_derivative, maxout, maxout_backward as reference_maxout_backward
from ..gradcheck import numerical_gradient, relative_error
from ._core import CheckFailed, Hints, call_student, compare, fmt, run

__all__ = ["affine_from_black_box", "leaky_relu", "maxout_backward"]


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


def _linear_stack(weights, biases):
    """The deep stack without activations, as a black box: only its outputs can be seen."""
    def f(x):
        h = np.asarray(x, dtype=float)
        for W, b in zip(weights, biases):
            h = h @ W + b
        return h
    return f


def affine_from_black_box(fn, quiet=False):
    r"""Check ``fn(f, n_inputs) -> (W, b)``: the affine map of a stack of linear layers, found from calls alone.

    ``f`` maps a batch ``x`` of shape (N, n_inputs) (or one input of shape (n_inputs,)) to the
    outputs of a stack :math:`h_\ell = h_{\ell-1} W_\ell + b_\ell` with no activation; the student
    never sees the weights. Since the stack is :math:`xW + b`, :math:`f(0) = b` and
    :math:`f(e_i) - f(0)` is row i of W.
    """
    rng = np.random.RandomState(31)
    shapes = [[2, 3], [3, 3, 3], [2, 4, 3], [3, 5, 5, 2], [4, 3, 6, 2, 1], [1, 1, 1]]

    def make(sizes):
        weights = [rng.randn(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        biases = [rng.randn(b) for b in sizes[1:]]
        x = rng.randn(7, sizes[0])
        W_ref, b_ref = weights[0], biases[0]
        for w, v in zip(weights[1:], biases[1:]):
            W_ref, b_ref = W_ref @ w, b_ref @ w + v

        def case():
            with np.errstate(all="ignore"):
                W, b = _unpack(call_student(fn, _linear_stack(weights, biases), sizes[0]), 2,
                               "a pair (W, b)")
            label = f"a hidden stack of layer sizes {sizes}"
            W = _as_float("W", W)
            if W.shape == W_ref.T.shape != W_ref.shape:
                raise CheckFailed(f"W has shape {W.shape}, expected {W_ref.shape} (n_inputs × n_outputs) "
                                  f"for {label}: in x·W each input's row of W holds what that input "
                                  "adds to every output")
            compare("W", W, W_ref, label)
            b = _as_float("b", b)
            compare("b", b.reshape(b_ref.shape) if b.size == b_ref.size else b, b_ref, label)
            compare("x·W + b", x @ W + b.reshape(-1), _linear_stack(weights, biases)(x),
                    f"{label}: your (W, b) must give the stack's outputs for any x")
        return case

    return run("affine_from_black_box", [make(s) for s in shapes], affine_from_black_box.hint,
               quiet=quiet,
               success="recovers W and b of 6 hidden linear stacks from their outputs alone. Now try "
                       "it on lambda v: deep(v, np.tanh): the map it returns no longer reproduces "
                       "the network — that is what an activation buys.")


affine_from_black_box.hint = Hints(
    "affine_from_black_box",
    "an affine map x ↦ xW + b is fixed by what it does to a few well-chosen inputs. Which input "
    "makes the term xW vanish, so that f shows you b alone?",
    "after b, feed one unit vector e_i at a time (1 in position i, 0 elsewhere): what does e_i W "
    "pick out of W, and what do you have to take away from f(e_i) to keep only that part?")


def leaky_relu(fn, quiet=False):
    """Check ``fn(x, negative_slope) -> (y, dydx)``, Leaky ReLU and its derivative, element-wise.

    At the kink x = 0 the derivative is the negative side's slope, ``negative_slope``, as in
    :func:`course_lib.activations.leaky_relu_derivative` and in PyTorch (whose backward uses x > 0).
    Cases contain exact zeros, where a derivative computed as y / x gives 0/0 = nan.
    """
    rng = np.random.RandomState(32)
    cases = [(np.array([-2.0, -0.5, 0.5, 3.0]), 0.01), (np.array([-1.0, 0.0, 2.0]), 0.01),
             (np.array([[-1.0, 2.0], [0.0, -3.0]]), 0.2), (rng.randn(5, 3) * 3, 0.1),
             (np.array([-1e3, 0.0, 1e3]), 0.3), (np.array([-5.0, 0.0, 5.0]), 0.0),
             (np.zeros(3), 0.5)]

    def make(x, a):
        def case():
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                y, dy = _unpack(call_student(fn, x, a), 2, "a pair (y, dydx)")
            label = f"x = {np.round(x, 3).tolist()}, negative_slope = {a}"
            compare("y", y, reference_leaky_relu(x, a), label)
            dy_arr = _as_float("dydx", dy)
            if dy_arr.shape == x.shape and np.any(np.isnan(dy_arr[x == 0])):
                raise CheckFailed(f"dydx is nan at x = 0 for {label}:\n  got      {fmt(dy_arr)}\n"
                                  f"  expected {fmt(leaky_relu_derivative(x, a))}\n"
                                  "  (0/0 is nan; at the kink x = 0 the task takes the negative "
                                  "side's slope, negative_slope)")
            at_zero = " (at the kink x = 0 the task takes negative_slope)" if np.any(x == 0) else ""
            compare("dydx", dy, leaky_relu_derivative(x, a), label + at_zero)
        return case

    def gradient_check():
        x, a = rng.randn(6) * 2 + 0.05, 0.15
        x[np.abs(x) < 0.05] = 0.3                      # away from the kink at 0
        y_of = lambda v: float(np.sum(np.asarray(_unpack(call_student(fn, v, a), 2, "a pair (y, dydx)")[0], float)))
        num = numerical_gradient(y_of, x.copy())
        _, dy = _unpack(call_student(fn, x, a), 2, "a pair (y, dydx)")
        if np.shape(dy) != x.shape or relative_error(np.asarray(dy, float), num) > 1e-6:
            raise CheckFailed("dydx disagrees with finite differences of your own y")

    return run("leaky_relu", [make(*c) for c in cases] + [gradient_check], leaky_relu.hint,
               quiet=quiet, success=f"matches the reference on {len(cases)} inputs (exact zeros "
                                    "included) and passes a gradient check.")


leaky_relu.hint = Hints(
    "leaky_relu",
    "run the given function yourself on an array that contains an exact 0 and look at dydx. Which "
    "operation in it has no answer at x = 0?",
    "the slope of Leaky ReLU does not depend on y at all: it depends only on which side of 0 each x "
    "lies. Decide it from a comparison with 0, not by dividing; at x = 0 itself the task takes the "
    "negative side's slope.")


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

    return run("maxout_backward", [make(*s) for s in shapes] + [gradient_check], maxout_backward.hint,
               quiet=quiet, success="matches the reference on 5 shapes and passes a gradient check.")


maxout_backward.hint = Hints(
    "maxout_backward",
    "a max passes the gradient only to the input that won, like a ReLU gate: the arg-max piece of "
    "each group gets dout, the other pieces of that group get 0.",
    "bring each unit's k consecutive pieces onto an axis of their own (a reshape), mark the winner "
    "of every group along that axis, give it its unit's dout, and reshape back to z's shape.")
