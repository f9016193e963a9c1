"""Checks for chapter 07 (optimizers)."""
import functools

import numpy as np

from ..experiments.surfaces import QUADRATIC, run_optimizer
from ..optim import SGD, Adam
from ._core import CheckFailed, Hints, call_student, compare, fmt, prediction_value, run

__all__ = ["minibatch_indices", "saddle_free_newton_step", "momentum_step", "adam_step", "bowl_race"]


def _pair(out, names):
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        raise CheckFailed(f"return a tuple ({', '.join(names)}); got {type(out).__name__}"
                          + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    return out


# --- exercise 1: find the bug --------------------------------------------------------------------

def given_minibatch_indices(n, batch_size, rng):
    """The buggy code of the exercise: a fresh shuffle for every batch, and the remainder lost."""
    batches = []
    for k in range(n // batch_size):
        order = rng.permutation(n)                    # shuffle the samples
        batches.append(order[:batch_size])            # and take a batch
    return batches


def _minibatch_indices(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatch_indices(fn, quiet=False):
    """Check ``fn(n, batch_size, rng) -> list of index arrays``: a shuffled epoch cut into mini-batches.

    The exercise gives :func:`given_minibatch_indices`; the repaired version draws one permutation
    from ``rng`` per epoch (so the batches match the reference's exactly). Drawing from ``rng``
    advances it: the only argument the function may change.
    """
    cases = [(10, 3, 0), (10, 10, 1), (10, 1, 2), (7, 20, 3), (100, 32, 4), (1437, 50, 5), (6, 2, 6)]

    def make(n, batch_size, seed):
        def case():
            what = f"n = {n}, batch_size = {batch_size}, rng = np.random.default_rng({seed})"
            got = call_student(fn, n, batch_size, np.random.default_rng(seed), may_change=(2,))
            expected = _minibatch_indices(n, batch_size, np.random.default_rng(seed))
            try:
                got = [np.asarray(b) for b in got]
            except TypeError:
                raise CheckFailed(f"return a list of index arrays; got {type(got).__name__} ({what})") from None
            if len(got) != len(expected):
                raise CheckFailed(f"{len(got)} batches for {what}; expected {len(expected)}, "
                                  "enough to hold every sample")
            seen = np.sort(np.concatenate(got)) if got else np.array([])
            if seen.shape != (n,) or not np.array_equal(seen, np.arange(n)):
                missing = np.setdiff1d(np.arange(n), seen).size
                raise CheckFailed(f"the batches do not hold every index 0 … {n - 1} exactly once "
                                  f"({missing} never seen in this epoch; {what})")
            for k, (g, e) in enumerate(zip(got, expected)):
                if not np.array_equal(g, e):
                    raise CheckFailed(f"batch {k} is {g[:8]}{' …' if g.size > 8 else ''}, expected "
                                      f"{e[:8]}{' …' if e.size > 8 else ''} ({what}): keep the "
                                      "given rng.permutation, one per epoch")
        return case

    return run("minibatch_indices", [make(*c) for c in cases], minibatch_indices.hint,
               quiet=quiet, success="one shuffled epoch, every sample once, cut into batches, on "
                                    f"{len(cases)} cases (batch size 1, n and more than n included).")


minibatch_indices.hint = Hints(
    "minibatch_indices",
    "an epoch is one pass over the data: every sample exactly once. Count, for n = 10 and "
    "batch_size = 3, how many batches the given loop makes and how many samples they can hold; "
    "then ask whether two batches can contain the same sample.",
    "there are two bugs: where the shuffle happens (how many permutations does one epoch need?) and "
    "how many batches the loop makes when batch_size does not divide n. The k-th batch is the k-th "
    "consecutive piece of a single shuffled order.",
)


# --- exercise 2: derive a Newton step that leaves saddles ----------------------------------------

def _saddle_free_newton_step(theta, grad, hessian):
    lam, Q = np.linalg.eigh(hessian)
    return theta - Q @ ((Q.T @ grad) / np.abs(lam))


def saddle_free_newton_step(fn, quiet=False):
    """Check ``fn(theta, grad, hessian) -> theta``: Newton's step with |λ| for each eigenvalue λ of H."""
    rng = np.random.RandomState(72)
    A = rng.randn(4, 4)
    Q, _ = np.linalg.qr(rng.randn(4, 4))
    indefinite = Q @ np.diag([3.0, -2.0, 0.5, -0.7]) @ Q.T
    cases = [("a bowl", np.array([-2.0, 1.0]), np.array([-2.0, 10.0]), np.diag([1.0, 10.0])),
             ("a tilted bowl", np.array([1.0, 1.0]), np.array([1.0, 2.0]), np.array([[2.0, 1.0], [1.0, 3.0]])),
             ("the saddle x² − y² at (0.5, 0.5)", np.array([0.5, 0.5]), np.array([1.0, -1.0]),
              np.diag([2.0, -2.0])),
             ("a tilted saddle", np.array([0.3, -0.2]), np.array([0.4, 1.0]),
              np.array([[1.0, 2.0], [2.0, 1.0]])),
             ("a 4×4 positive definite H", rng.randn(4), rng.randn(4), A @ A.T + 0.5 * np.eye(4)),
             ("a 4×4 H with two negative eigenvalues", rng.randn(4), rng.randn(4), indefinite)]

    def make(name, theta, grad, hessian):
        def case():
            what = (f"{name}: θ = {fmt(theta)}, g = {fmt(grad)}, "
                    f"eigenvalues of H {fmt(np.linalg.eigvalsh(hessian))}")
            got = call_student(fn, theta, grad, hessian)
            compare("the new θ", got, _saddle_free_newton_step(theta, grad, hessian), what)
        return case

    return run("saddle_free_newton_step", [make(*c) for c in cases], saddle_free_newton_step.hint,
               quiet=quiet, success=f"Newton's step on the bowls and a downhill step of Newton's length "
                                    f"on the saddles, on {len(cases)} cases (2×2 and 4×4, tilted ones "
                                    "included).")


saddle_free_newton_step.hint = Hints(
    "saddle_free_newton_step",
    "look at Newton's step one eigenvector of H at a time: along each, the gradient's component is "
    "divided by that direction's curvature λ. Where λ < 0 that division flips the step uphill, "
    "towards the saddle. You want the same length, always downhill.",
    "np.linalg.eigh splits a symmetric H into its eigenvalues and an orthonormal matrix of "
    "eigenvectors. Write g in that basis, divide each component by a curvature that is never "
    "negative, and turn the result back into the original coordinates. Test it on diag(2, −2) by "
    "hand first.",
)


# --- exercise 3: momentum, updating in place allowed ---------------------------------------------

def _momentum_step(theta, m, grad, lr, gamma):
    m = gamma * m + lr * grad
    return theta - m, m


def momentum_step(fn, quiet=False):
    """Check ``fn(theta, m, grad, lr, gamma) -> (theta, m)``: the lecture's momentum step.

    Like ``torch.optim``, the step may update ``theta`` and ``m`` in place (the task allows it); it
    must not change ``grad``.
    """
    rng = np.random.RandomState(70)
    cases = [(np.array([1.0, -2.0]), np.zeros(2), np.array([0.5, 0.5]), 0.1, 0.9),
             (np.array([1.0, -2.0]), np.array([0.3, -0.1]), np.array([0.5, 0.5]), 0.1, 0.9),
             (np.array([3.0]), np.array([1.0]), np.array([-2.0]), 0.05, 0.5),
             (rng.randn(3, 4), rng.randn(3, 4), rng.randn(3, 4), 0.01, 0.99),
             (rng.randn(5), rng.randn(5), rng.randn(5), 0.2, 0.0)]

    def make(theta, m, grad, lr, gamma):
        def case():
            what = (f"θ = {fmt(theta.ravel()[:3])}, m = {fmt(m.ravel()[:3])}, g = {fmt(grad.ravel()[:3])}, "
                    f"η = {lr}, γ = {gamma}")
            out = _pair(call_student(fn, theta, m, grad, lr, gamma, may_change=(0, 1)), ["theta", "m"])
            new_theta, new_m = _momentum_step(theta, m, grad, lr, gamma)
            compare("the new m", out[1], new_m, what)
            compare("the new θ", out[0], new_theta, what)
        return case

    return run("momentum_step", [make(*c) for c in cases], momentum_step.hint,
               quiet=quiet, success=f"m_t = γ m_(t−1) + η g_t and θ_t = θ_(t−1) − m_t on {len(cases)} cases.")


momentum_step.hint = Hints(
    "momentum_step",
    "the lecture's velocity already contains the learning rate, and the step uses the velocity of "
    "this step, not the previous one: update m first, then θ.",
    "compare with PyTorch's form in the chapter: there the buffer holds raw gradients and η "
    "multiplies it at the end. In the lecture's form, where does η enter, and what multiplies the "
    "new m when it is subtracted from θ?",
)


# --- exercise 4: Adam, in the textbook form or the lecture's ---------------------------------------

def _adam_moments(m, v, grad, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2


def _adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps):
    """The paper's and PyTorch's form: θ − lr·m̂/(√v̂ + ε)."""
    m, v = _adam_moments(m, v, grad, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_step_folded(theta, m, v, grad, t, lr, beta1, beta2, eps):
    """The lecture's (MXNet's) form: both corrections in the rate, lr_t = lr·√(1 − β2^t)/(1 − β1^t)."""
    m, v = _adam_moments(m, v, grad, beta1, beta2)
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v


def adam_step(fn, quiet=False):
    """Check ``fn(theta, m, v, grad, t, lr, beta1, beta2, eps) -> (theta, m, v)``: one Adam step.

    Two forms are right: the paper's (ε added to √v̂) and the lecture's, which folds both bias
    corrections into the rate and so adds ε to √v, i.e. ε/√(1 − β2^t) to √v̂. Each is compared
    tightly with its own reference; on the cases below the two differ by far more than the
    tolerance, and ε inside the root matches neither. The inputs must not change (new arrays).
    """
    rng = np.random.RandomState(71)
    g = np.array([0.5, -1.0, 2e-3])
    cases = [(np.array([1.0, 2.0, 3.0]), np.zeros(3), np.zeros(3), g, 1, 1e-3, 0.9, 0.999, 1e-8),
             (np.array([1.0, 2.0, 3.0]), 0.1 * g, 0.001 * g**2, g, 2, 1e-3, 0.9, 0.999, 1e-8),
             (np.zeros(3), np.zeros(3), np.zeros(3), np.array([1e-4, -3e-5, 1e-6]), 1, 1e-3, 0.9, 0.999, 1e-8),
             (rng.randn(4), 0.1 * rng.randn(4), 0.01 * rng.rand(4), rng.randn(4), 10, 0.01, 0.9, 0.999, 1e-8),
             (rng.randn(2, 3), 0.1 * rng.randn(2, 3), 0.01 * rng.rand(2, 3), rng.randn(2, 3), 1000, 0.1, 0.8,
              0.99, 1e-6),
             (np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([0.0]), 1, 0.1, 0.9, 0.999, 1e-8)]

    def make(theta, m, v, grad, t, lr, beta1, beta2, eps):
        def case():
            what = f"t = {t}, g = {fmt(grad.ravel()[:3])}, lr = {lr}, β1 = {beta1}, β2 = {beta2}, ε = {eps}"
            args = (theta, m, v, grad, t, lr, beta1, beta2, eps)
            out = _pair(call_student(fn, *args), ["theta", "m", "v"])
            new_theta, new_m, new_v = _adam_step(*args)
            compare("the new m", out[1], new_m, what, rtol=1e-9, atol=1e-15)
            compare("the new v", out[2], new_v, what, rtol=1e-9, atol=1e-18)
            try:
                compare("the new θ", out[0], new_theta, what, rtol=1e-9, atol=1e-12)
            except CheckFailed as textbook:
                try:                                   # the lecture's form, against its own reference
                    compare("the new θ", out[0], _adam_step_folded(*args)[0], what, rtol=1e-9, atol=1e-12)
                except CheckFailed:
                    raise CheckFailed(f"{textbook}\n  (the expected θ is the paper's form; the "
                                      "lecture's form, both corrections in the rate, would also "
                                      "pass: the new θ matches neither)") from None
        return case

    return run("adam_step", [make(*c) for c in cases], adam_step.hint, quiet=quiet,
               success=f"moments, bias correction and step match on {len(cases)} cases (t = 1 and tiny "
                       "gradients included), in the paper's form or the lecture's.")


adam_step.hint = Hints(
    "adam_step",
    "m and v are running averages of g and of g² that start at 0; what you return is the raw "
    "averages, and only the step uses their bias-corrected versions. ε guards the division, next "
    "to the square root, not under it.",
    "on a first step with a constant gradient the corrected averages are exactly g and g², so the "
    "step is η in the direction of −g: test your function on t = 1 by hand. If the moments pass "
    "and θ does not, look at which power of β (β1 or β2) corrects which average, and where ε sits.",
)


# --- exercise 5: predict, then run ----------------------------------------------------------------

RACE_LR, RACE_TARGET = 0.02, 1e-4
RACE_CHOICES = ("SGD", "momentum", "Adam")


def bowl_race_experiment(max_steps=1000):
    """Steps each optimizer needs on the bowl ½(x² + 10y²) from (−2, 1) until f < 1e-4 (f starts at 7).

    All three with the same rate η = 0.02: SGD, momentum (γ = 0.9, ``course_lib.optim.SGD``) and
    Adam (β = 0.9, 0.999). Returns ``{name: steps}`` (``None`` if not reached in ``max_steps``).
    """
    optimizers = {"SGD": functools.partial(SGD, lr=RACE_LR),
                  "momentum": functools.partial(SGD, lr=RACE_LR, momentum=0.9),
                  "Adam": functools.partial(Adam, lr=RACE_LR)}
    steps = {}
    for name, optimizer in optimizers.items():
        path = run_optimizer(QUADRATIC, optimizer, steps=max_steps)
        below = QUADRATIC(path[:, 0], path[:, 1]) < RACE_TARGET
        steps[name] = int(np.argmax(below)) if below.any() else None
    return steps


def bowl_race(prediction, quiet=False):
    """Check a prediction: which of SGD, momentum and Adam, all at η = 0.02, first gets f < 1e-4 on the bowl?"""
    steps = bowl_race_experiment()
    winner = min(steps, key=lambda name: steps[name] if steps[name] is not None else np.inf)
    story = "steps to f < 1e-4: " + ", ".join(f"{name} {k}" for name, k in steps.items()) + "."
    why = ("Adam's steps are about η per coordinate whatever the gradient, so it needs at least "
           "2/η = 100 steps to cover the distance 2 along the flat x direction. SGD's steps shrink "
           "with the gradient: x falls by the factor 1 − η per step, and needs ln(2/0.014)/η ≈ 250. "
           "Momentum's velocity keeps adding up along the flat direction, where the gradients agree, "
           "up to 1/(1 − γ) = 10 times SGD's step.")

    def case():
        guess = prediction_value(prediction, RACE_CHOICES)
        if guess != winner:
            raise CheckFailed(f"you predicted {guess!r}, but {winner} wins: {story}\n  {why}")

    return run("bowl_race", [case], bowl_race.hint, quiet=quiet, success=f"right: {story} {why}")


bowl_race.hint = Hints(
    "bowl_race",
    "the minimum is 2 away along the flat x direction, where the gradient is small and keeps its "
    "sign; across the valley (y) everything settles quickly. So ask how fast each method moves along "
    "x when the gradient there is small.",
    "SGD moves by η times the gradient; Adam by about η whatever the gradient's size; momentum adds "
    "each step to a velocity that remembers the previous ones (γ = 0.9). Estimate how many steps "
    "each needs to travel 2 along x.",
)
