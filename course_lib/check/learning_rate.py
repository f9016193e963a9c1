"""Checks for chapter 05 (learning rate)."""
import numpy as np

from ..schedules import step_lr
from ._core import CheckFailed, Hints, call_student, compare, fmt, prediction_value, run

__all__ = ["gradient_descent_path", "best_constant_lr", "summed_loss_regime", "step_decay"]


def _flat(a):
    """A matrix or vector on one line, for a message."""
    return str(np.round(np.asarray(a, dtype=float), 3).tolist())


def _path(H, theta0, eta, steps):
    """The reference: θ_0, …, θ_steps of gradient descent on ½ θᵀHθ, each iterate a new array."""
    path = [np.array(theta0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - eta * (H @ path[-1]))
    return np.array(path)


def gradient_descent_path(fn, quiet=False):
    """Check ``fn(H, theta0, eta, steps) -> (steps + 1, d)``: the iterates of gradient descent on ½ θᵀHθ.

    The exercise gives a version that updates θ in place (``theta -= …``): every row of its path is
    the last iterate, and the caller's ``theta0`` is overwritten. The task asks for ``theta0`` to be
    left as it was, so the check fails a function that changes it (no ``may_change``).
    """
    cases = [(np.array([[10.0]]), np.array([1.0]), 0.15, 5),                 # zig-zags in, 1-D
             (np.array([[10.0]]), np.array([-0.5]), 0.25, 6),                # diverges
             (np.diag([1.0, 10.0]), np.array([-2.0, 1.0]), 0.19, 30),        # the chapter's bowl
             (np.array([[3.0, 1.0], [1.0, 3.0]]), np.array([1.0, 0.5]), 0.3, 12),
             (np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 4.0]]), np.array([1.0, -1.0, 2.0]),
              0.4, 8),
             (np.diag([1.0, 10.0]), np.array([1.0, 1.0]), 0.1, 0)]              # no step: only θ_0

    def make(H, theta0, eta, steps):
        def case():
            try:
                got = call_student(fn, H, theta0, eta, steps)
            except CheckFailed as failure:
                if "in place" in str(failure):      # the bug of the exercise: its hints are about it
                    raise CheckFailed(str(failure)) from None
                raise
            label = f"H = {_flat(H)}, theta0 = {_flat(theta0)}, eta = {eta}, steps = {steps}"
            expected = _path(H, theta0, eta, steps)
            got_array = np.asarray(got, dtype=float) if np.size(got) == expected.size else None
            if steps > 1 and got_array is not None and got_array.shape == expected.shape \
                    and np.all(got_array == got_array[-1]):
                raise CheckFailed(f"every row of the path is the same point, {fmt(got_array[-1])} "
                                  f"({label}): the rows are one array, updated in place after it was "
                                  "stored")
            compare("the path", got, expected, label, rtol=1e-9, atol=1e-12)
        return case

    return run("gradient_descent_path", [make(*c) for c in cases], gradient_descent_path.hint,
               quiet=quiet,
               success="the path matches gradient descent on 6 bowls (1-D and 2-D, converging, "
                       "zig-zagging and diverging; no step at all), and theta0 is left as it was.")


gradient_descent_path.hint = Hints(
    "gradient_descent_path",
    "print the path the given code returns for two or three steps, and print theta0 after the call: "
    "what do the rows have in common, and what happened to theta0?",
    "in numpy, theta = theta0 does not copy anything, and theta -= … changes the array itself, so "
    "every name bound to it (theta0, every row already appended) sees the change. Each step needs a "
    "new array.",
)


def _worst_factor(eta, eigenvalues):
    """The slowest shrink factor max_i |1 − η λ_i| of gradient descent at rate ``eta``."""
    return float(np.max(np.abs(1 - eta * eigenvalues)))


def best_constant_lr(fn, quiet=False):
    """Check ``fn(H) -> η``: the constant rate that makes gradient descent on ½ θᵀHθ converge fastest.

    That is the η that minimises the slowest factor max_i |1 − η λ_i| over the eigenvalues of H
    (symmetric positive definite, not necessarily diagonal): 2 / (λ_min + λ_max). A failure reports
    the slowest factor at the student's rate and at the best one.
    """
    rng = np.random.RandomState(7)
    matrices = [np.diag([1.0, 10.0]), np.array([[2.0]]), np.array([[3.0, 1.0], [1.0, 3.0]]),
                np.array([[4.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 4.0]]),
                np.array([[5.0, 2.0], [2.0, 1.0]])]
    for n in (3, 5):
        A = rng.randn(n, n)
        matrices.append(A @ A.T + 0.1 * np.eye(n))

    def make(H):
        def case():
            got = call_student(fn, H)
            eigenvalues = np.linalg.eigvalsh(H)
            best = 2 / (eigenvalues[0] + eigenvalues[-1])
            label = f"H = {_flat(H)} (eigenvalues {_flat(eigenvalues)})"
            try:
                rate = float(np.asarray(got, dtype=float).item())
            except (TypeError, ValueError):
                raise CheckFailed(f"expected one number (the rate); got {type(got).__name__} for {label}") \
                    from None
            if not np.isclose(rate, best, rtol=1e-6, atol=1e-12):
                yours = _worst_factor(rate, eigenvalues)
                story = (f"the rate is wrong for {label}:\n  got      {fmt(rate)}\n  expected {fmt(best)}\n"
                         f"  at your rate the slowest direction is multiplied by {fmt(yours)} per step")
                story += (" (it does not converge at all)" if yours >= 1 else "")
                story += f"; at the best rate by {fmt(_worst_factor(best, eigenvalues))}"
                raise CheckFailed(story)
            compare("the rate", got, best, label)
        return case

    return run("best_constant_lr", [make(H) for H in matrices], best_constant_lr.hint, quiet=quiet,
               success="gives the fastest constant rate for 7 Hessians, diagonal and not: at it the flattest "
                       "and the sharpest directions shrink by the same factor, one from each side.")


best_constant_lr.hint = Hints(
    "best_constant_lr",
    "along eigenvector i the error is multiplied by (1 − ηλ_i) every step, so the whole error shrinks "
    "only as fast as the largest of the |1 − ηλ_i|. Which of the eigenvalues can give that largest "
    "factor?",
    "only λ_min and λ_max matter. As η grows, |1 − ηλ_min| keeps falling, while |1 − ηλ_max| falls "
    "and then rises again once ηλ_max passes 1. The best η is where these two factors are equal "
    "(the flat direction still on its own side, the sharp one already overshooting).",
    "draw |1 − ηλ_min| and |1 − ηλ_max| against η for the chapter's bowl (λ = 1 and 10) and read off "
    "where they cross; then solve for that crossing with symbols.",
)


# The "predict, then run" experiment: gradient descent on a loss summed over samples.
SUMMED_SAMPLES, SUMMED_STEP, SUMMED_STEPS = 40, 0.04, 20
REGIMES = ("converges", "oscillates", "diverges")


def summed_loss_experiment():
    """Gradient descent with step ε = 0.04 on L(x) = Σ_i ½ (x − a_i)² over 40 seeded numbers a_i.

    Starts one unit above the minimum (the mean of the a_i) and takes 20 steps. Returns
    ``(distances, factor)``: the signed distance to the minimum after each step (21 numbers) and
    the measured factor by which one step multiplies it.
    """
    a = np.random.RandomState(5).randn(SUMMED_SAMPLES)
    x = [a.mean() + 1.0]
    for _ in range(SUMMED_STEPS):
        x.append(x[-1] - SUMMED_STEP * np.sum(x[-1] - a))       # the gradient of the sum
    distances = np.array(x) - a.mean()
    return distances, float(distances[1] / distances[0])


def _regime(distances):
    """Name what the run did: converges (from one side), oscillates (crossing, shrinking), diverges."""
    if abs(distances[-1]) > abs(distances[0]):
        return "diverges"
    return "oscillates" if np.all(np.sign(distances[1:]) != np.sign(distances[:-1])) else "converges"


def summed_loss_regime(prediction, quiet=False):
    """Check a prediction: gradient descent with ε = 0.04 on a loss summed over 40 samples.

    ``prediction`` is ``"converges"``, ``"oscillates"`` or ``"diverges"``. The check runs the 20 steps
    and explains the outcome: the curvature of the sum is 40, so the step on it is ε·40 = 1.6 times
    the step 1/λ that lands on the minimum.
    """
    distances, factor = summed_loss_experiment()
    outcome = _regime(distances)
    story = (f"the run started 1 from the minimum; after steps 1, 2, 3 it was at {distances[1]:+.3f}, "
             f"{distances[2]:+.3f}, {distances[3]:+.3f}, and after {SUMMED_STEPS} steps at "
             f"{distances[-1]:+.1e}: every step multiplies the distance by {factor:+.2f}, so it "
             f"{outcome}.")
    why = (f"Each sample's loss has curvature 1, but the sum of {SUMMED_SAMPLES} has curvature "
           f"{SUMMED_SAMPLES}: the step ε = {SUMMED_STEP} on the sum is the step εN = "
           f"{SUMMED_STEP * SUMMED_SAMPLES:.1f} on the mean, between 1/λ = 1 and 2/λ = 2: the same "
           "factor N that puts the lecture's run at the edge of stability.")

    def case():
        guess = prediction_value(prediction, REGIMES)
        if guess != outcome:
            raise CheckFailed(f"you predicted {guess!r}, but {story}")

    return run("summed_loss_regime", [case], summed_loss_regime.hint, quiet=quiet,
               success=f"right: {story} {why}")


summed_loss_regime.hint = Hints(
    "summed_loss_regime",
    "the step is applied to the gradient of the sum, not of the mean. What is the curvature (second "
    "derivative) of the summed loss, compared with that of one sample's loss?",
    "compare the step with the chapter's two thresholds for that curvature: 1/λ (one step lands on the "
    "minimum) and 2/λ (the edge of divergence). Which side of each is it on?",
)


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

    return run("step_decay", [make(*c) for c in cases], step_decay.hint,
               quiet=quiet, success="matches torch's StepLR on 7 cases, including the epochs where the rate drops.")


step_decay.hint = Hints(
    "step_decay",
    "the rate is constant within a block of drop_every epochs and changes only at a block's first "
    "epoch: by how many blocks is epoch past the start?",
    "count the whole blocks that have passed (a number that stays the same for drop_every epochs in a "
    "row) and apply the factor once per block; epoch 0 is in block 0, where the rate is base_lr.",
)
