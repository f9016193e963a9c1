"""Checks for chapter 06 (loss functions)."""
import numpy as np

from ..experiments.classification_losses import mse_gradient as mse_gradient_reference
from ..experiments.classification_losses import sigmoid_mse
from ..gradcheck import numerical_gradient, relative_error
from ..losses import cross_entropy, mse, softmax
from ._core import CheckFailed, call_student, compare, run

__all__ = ["cross_entropy_loss", "mse_gradient", "sigmoid_mse_gradient"]

# The lecture's two tables: computed probabilities and one-hot targets (democrat, republican, other).
LECTURE_TARGETS = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]], dtype=float)
LECTURE_MODEL_1 = np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]])
LECTURE_MODEL_2 = np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])


def _random_cases(rng, shapes):
    cases = []
    for n, c in shapes:
        p = softmax(rng.randn(n, c) * 2)
        cases.append((p, np.eye(c)[rng.randint(0, c, size=n)]))
    return cases


def cross_entropy_loss(fn, quiet=False):
    """Check ``fn(probs, targets) -> float``: the mean over samples of −Σ_c y log p, targets one-hot (N, C)."""
    rng = np.random.RandomState(61)
    cases = [(LECTURE_MODEL_1, LECTURE_TARGETS), (LECTURE_MODEL_2, LECTURE_TARGETS)]
    cases += _random_cases(rng, [(1, 2), (4, 3), (6, 5)])

    def make(p, y):
        def case():
            got = call_student(fn, p, y)
            compare("the loss", got, cross_entropy(p, y), f"probs {p.shape} starting {np.round(p[0], 3).tolist()}")
        return case

    return run("cross_entropy_loss", [make(*c) for c in cases],
               hint="only the target class counts in each row: take −log of its probability, then average over the N rows "
                    "(np.sum(y * np.log(p)) picks it out).",
               quiet=quiet, success="matches the reference on the lecture's two tables and 3 random cases.")


def mse_gradient(fn, quiet=False):
    """Check ``fn(pred, target) -> dpred`` for the mean over samples of Σ_c (y − p)², with a gradient check."""
    rng = np.random.RandomState(62)
    cases = [(LECTURE_MODEL_1, LECTURE_TARGETS)] + _random_cases(rng, [(1, 3), (5, 2), (4, 4)])

    def make(p, y):
        def case():
            got = call_student(fn, p, y)
            compare("∂L/∂p", got, mse_gradient_reference(p, y), f"pred of shape {p.shape}")
        return case

    def gradient_check():
        p, y = _random_cases(rng, [(3, 3)])[0]
        got = np.asarray(call_student(fn, p, y), dtype=float)
        num = numerical_gradient(lambda q: mse(q, y), p.copy())
        if got.shape != num.shape or relative_error(got, num) > 1e-6:
            raise CheckFailed("∂L/∂p fails the gradient check against finite differences")

    return run("mse_gradient", [make(*c) for c in cases] + [gradient_check],
               hint="differentiate (y − p)² with respect to p: 2(p − y); the loss is a mean over the N rows, so divide by N.",
               quiet=quiet, success="matches the reference on 4 cases and passes a gradient check.")


def sigmoid_mse_gradient(fn, quiet=False):
    """Check ``fn(s, y) -> ds`` for L = mean_i 2(σ(s_i) − y_i)², the lecture's MSE on two classes after a sigmoid."""
    rng = np.random.RandomState(63)
    cases = [(np.array([-6.0, 0.0, 6.0]), np.array([1.0, 1.0, 1.0]))]
    cases += [(rng.randn(n) * 3, rng.randint(0, 2, size=n).astype(float)) for n in (1, 4, 9)]

    def make(s, y):
        def case():
            got = call_student(fn, s, y)
            compare("∂L/∂s", got, sigmoid_mse(s, y)[1], f"s={np.round(s, 3).tolist()}, y={y.tolist()}")
        return case

    def gradient_check():
        s, y = rng.randn(5) * 2, rng.randint(0, 2, size=5).astype(float)
        got = np.asarray(call_student(fn, s, y), dtype=float)
        num = numerical_gradient(lambda v: sigmoid_mse(v, y)[0], s.copy())
        if got.shape != num.shape or relative_error(got, num) > 1e-5:
            raise CheckFailed("∂L/∂s fails the gradient check against finite differences")

    return run("sigmoid_mse_gradient", [make(*c) for c in cases] + [gradient_check],
               hint="chain rule: ∂L/∂p = 4(p − y)/N (two equal class terms, mean over N), times σ′(s) = p(1 − p).",
               quiet=quiet, success="matches the reference on 4 cases and passes a gradient check.")
