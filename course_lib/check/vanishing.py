"""Checks for chapter 04 (vanishing gradients)."""
import numpy as np

from ..activations import sigmoid
from ..experiments.deep_nets import ScalarChain
from ..gradcheck import numerical_gradient
from ..network import INITIALISATIONS
from ._core import CheckFailed, call_student, compare, run

__all__ = ["sigmoid_derivative", "chain_gradient", "init_std"]


def sigmoid_derivative(fn, quiet=False):
    """Check ``fn(s) -> σ'`` computed from the sigmoid's output s = σ(z) alone."""
    rng = np.random.RandomState(5)
    zs = [np.array([0.0]), np.array([-2.0, 0.5, 3.0]), rng.randn(4, 3) * 3, np.array([-1e3, 1e3, 40.0])]

    def make(z):
        def case():
            s = sigmoid(z)
            expected = s * (1 - s)
            compare("σ'(z)", call_student(fn, s), expected, f"z = {np.array2string(z, precision=3, threshold=6)}")
        return case

    def against_finite_differences():
        z = np.linspace(-6, 6, 13)
        got = np.asarray(call_student(fn, sigmoid(z)), dtype=float)
        numeric = numerical_gradient(lambda v: float(np.sum(sigmoid(v))), z.copy())
        if got.shape != z.shape or not np.allclose(got, numeric, atol=1e-8):
            raise CheckFailed("it disagrees with a finite difference of σ on z = −6 … 6")

    return run("sigmoid_derivative", [make(z) for z in zs] + [against_finite_differences],
               hint="differentiate σ(z) = 1/(1 + e^(−z)) and write the result in terms of σ itself: σ' = σ·(…).",
               quiet=quiet, success="matches σ(1 − σ) on 4 inputs (scalars, matrices, ±1000) and a finite difference.")


def _chain_case(weights, x, y):
    chain = ScalarChain(weights)
    p = chain.forward(x)
    return chain.backward(p - y)[0]


def chain_gradient(fn, quiet=False):
    """Check ``fn(weights, x, y) -> ∂L/∂w₁`` for the lecture's chain h_j = σ(w_j h_{j−1}), L = ½(p − y)²."""
    rng = np.random.RandomState(6)
    cases = [(np.array([0.5, -0.8, 0.9, 0.3]), 1.0, 1.0), (np.array([2.0]), -1.5, 0.0),
             (np.array([3.0, -4.0, 2.5, 5.0, -1.0]), 0.7, 0.2)]
    cases += [(rng.randn(rng.randint(2, 7)) * 2, float(rng.randn()), float(rng.rand())) for _ in range(7)]

    def make(weights, x, y):
        def case():
            got = call_student(fn, weights, x, y)
            label = f"weights = {np.array2string(weights, precision=3)}, x = {x:.3g}, y = {y:.3g}"
            compare("∂L/∂w₁", got, _chain_case(weights, x, y), label, rtol=1e-6, atol=1e-14)
        return case

    return run("chain_gradient", [make(*c) for c in cases],
               hint="go forward storing every z_j; then ∂L/∂w₁ = (p − y) · ∏_{j≥2} w_j σ'(z_j) · σ'(z₁) · x.",
               quiet=quiet, success="matches backpropagation on 10 chains of 1 to 6 layers.")


def init_std(fn, quiet=False):
    """Check ``fn(fan_in, fan_out, scheme) -> std`` for scheme "xavier" (Glorot, normal) and "he"."""
    shapes = [(64, 30), (30, 30), (1, 1), (784, 10), (3, 500)]
    cases = [(a, b, scheme) for scheme in ("xavier", "he") for a, b in shapes]

    def make(fan_in, fan_out, scheme):
        def case():
            got = call_student(fn, fan_in, fan_out, scheme)
            compare("std", got, INITIALISATIONS[scheme](fan_in, fan_out),
                    f"fan_in = {fan_in}, fan_out = {fan_out}, scheme = {scheme!r}")
        return case

    return run("init_std", [make(*c) for c in cases],
               hint="Xavier keeps the variance of activations and of gradients: Var W = 2/(fan_in + fan_out); "
                    "He doubles 1/fan_in because a ReLU zeroes half its inputs. The answer is a standard deviation.",
               quiet=quiet, success="gives Xavier's and He's standard deviations for 5 layer shapes.")
