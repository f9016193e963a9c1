"""Checks for chapter 05 (learning rate)."""
import numpy as np

from ..schedules import cyclic_lr, step_lr
from ._core import call_student, compare, run

__all__ = ["gradient_descent_path", "max_stable_lr", "step_decay", "triangular_lr"]


def _path(lam, eta, x0, steps):
    return x0 * (1 - eta * lam) ** np.arange(steps + 1)


def gradient_descent_path(fn, quiet=False):
    """Check ``fn(lam, eta, x0, steps) -> (steps + 1,) iterates`` of gradient descent on f(x) = ½ λ x²."""
    cases = [(1.0, 0.1, 2.0, 5), (1.0, 1.0, -3.0, 3), (4.0, 0.4, 1.0, 6), (2.0, 1.2, 0.5, 8),
             (10.0, 0.05, -1.5, 10), (0.5, 0.0, 1.0, 4), (3.0, 0.3, 1.0, 0)]

    def make(lam, eta, x0, steps):
        def case():
            got = call_student(fn, lam, eta, x0, steps)
            compare("the iterates", got, _path(lam, eta, x0, steps),
                    f"λ = {lam}, η = {eta}, x0 = {x0}, steps = {steps}", rtol=1e-9, atol=1e-12)
        return case

    return run("gradient_descent_path", [make(*c) for c in cases],
               hint="f'(x) = λx, so each step is x ← x − η·λ·x; return the start and every iterate after it "
                    "(steps + 1 numbers).",
               quiet=quiet, success="matches x_k = (1 − ηλ)^k x_0 on 7 runs, converging, oscillating and diverging.")


def max_stable_lr(fn, quiet=False):
    """Check ``fn(H) -> 2/λ_max``, the largest stable rate of gradient descent on ½ θᵀHθ (H symmetric, positive definite)."""
    rng = np.random.RandomState(7)
    matrices = [np.array([[1.0, 0.0], [0.0, 10.0]]), np.array([[2.0]]), np.array([[3.0, 1.0], [1.0, 3.0]])]
    for n in (3, 5):
        A = rng.randn(n, n)
        matrices.append(A @ A.T + 0.1 * np.eye(n))

    def make(H):
        def case():
            got = call_student(fn, H)
            compare("the rate", got, 2 / np.linalg.eigvalsh(H)[-1], f"H = {np.array2string(H, precision=3)}")
        return case

    return run("max_stable_lr", [make(H) for H in matrices],
               hint="along each eigenvector the error is multiplied by (1 − η λ_i) every step; the sharpest "
                    "direction (largest eigenvalue, np.linalg.eigvalsh) sets the limit |1 − η λ| < 1.",
               quiet=quiet, success="gives 2/λ_max for 5 Hessians, diagonal and not.")


def step_decay(fn, quiet=False):
    """Check ``fn(epoch, base_lr, drop_every, factor) -> rate``: base_lr · factor^⌊epoch / drop_every⌋."""
    cases = [(0, 0.1, 10, 0.5), (9, 0.1, 10, 0.5), (10, 0.1, 10, 0.5), (25, 0.1, 10, 0.5), (7, 1.0, 3, 0.1),
             (3, 0.05, 1, 0.9), (100, 0.2, 30, 0.1)]

    def make(epoch, base_lr, drop_every, factor):
        def case():
            got = call_student(fn, epoch, base_lr, drop_every, factor)
            compare("the rate", got, step_lr(epoch, base_lr, drop_every, factor),
                    f"epoch = {epoch}, base_lr = {base_lr}, drop_every = {drop_every}, factor = {factor}")
        return case

    return run("step_decay", [make(*c) for c in cases],
               hint="count how many whole blocks of drop_every epochs have passed (integer division) and apply "
                    "the factor that many times.",
               quiet=quiet, success="matches torch's StepLR on 7 cases, including the epochs where the rate drops.")


def triangular_lr(fn, quiet=False):
    """Check ``fn(step, base_lr, max_lr, step_size) -> rate`` of Smith's triangular cyclical schedule."""
    cases = [(0, 0.001, 0.006, 2000), (1000, 0.001, 0.006, 2000), (2000, 0.001, 0.006, 2000),
             (3000, 0.001, 0.006, 2000), (4000, 0.001, 0.006, 2000), (5000, 0.001, 0.006, 2000),
             (7, 0.1, 1.0, 4), (13, 0.1, 1.0, 4), (6, 0.0, 2.0, 3)]

    def make(step, base_lr, max_lr, step_size):
        def case():
            got = call_student(fn, step, base_lr, max_lr, step_size)
            compare("the rate", got, cyclic_lr(step, base_lr, max_lr, step_size),
                    f"step = {step}, base_lr = {base_lr}, max_lr = {max_lr}, step_size = {step_size}")
        return case

    return run("triangular_lr", [make(*c) for c in cases],
               hint="a cycle lasts 2·step_size steps: the rate is base_lr at its ends and max_lr in its middle, "
                    "linear in between. Find where step lies in its cycle and how far (in step_sizes) it is from the peak.",
               quiet=quiet, success="matches torch's CyclicLR (triangular) on 9 steps: ends, peaks and slopes.")
