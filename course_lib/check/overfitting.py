"""Checks for chapter 08 (overfitting)."""
import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..experiments.regularisation import early_stopping_epoch
from ..losses import l1_penalty, l2_penalty
from ._core import CheckFailed, Hints, call_student, compare, fmt, run

__all__ = ["regularised_gradient", "early_stopping", "dropout_forward"]


def regularised_gradient(fn, quiet=False):
    """Check ``fn(dW, W, l1, l2) -> dW + λ₁·sign(W) + λ₂·W``, the gradient of the penalised loss.

    At an exact 0, where |w| has a kink, the L1 term's (sub)gradient is 0, as in
    ``course_lib.losses.l1_penalty`` and PyTorch: two cases hold exact zeros.
    """
    rng = np.random.RandomState(8)
    cases = [((2, 3), 0.0, 0.1), ((2, 3), 0.1, 0.0), ((4, 2), 0.05, 0.2), ((1, 5), 0.3, 0.0), ((3, 3), 0.0, 0.0)]

    def make(shape, l1, l2):
        W, dW = rng.randn(*shape), rng.randn(*shape)
        return make_case(dW, W, l1, l2, f"λ₁={l1}, λ₂={l2}, W of shape {shape}")

    def make_case(dW, W, l1, l2, label):
        def case():
            expected = dW + l1_penalty(W, l1)[1] + l2_penalty(W, l2)[1]
            compare("the gradient", call_student(fn, dW, W, l1, l2), expected, label)
        return case

    zeros = np.array([0.0, 1.5, -2.0, 0.0, -0.3, 0.0])
    exact_zeros = [make_case(np.array([0.5, -1.0, 0.2, -0.4, 0.0, 1.0]), zeros, 0.1, 0.2,
                             f"λ₁=0.1, λ₂=0.2, W = {fmt(zeros)} (a weight of exactly 0 gets no pull "
                             "from L1: its subgradient there is 0)"),
                   make_case(np.array([0.3, -0.3]), np.zeros(2), 0.5, 0.0,
                             "λ₁=0.5, λ₂=0, W = [0. 0.] (all weights exactly 0)")]

    def gradient_check():
        W = rng.randn(3, 2)
        W[np.abs(W) < 0.1] = 0.5                     # away from the kink of |w| at 0
        G = rng.randn(3, 2)                          # the data loss Σ G·W has gradient G

        def J(w):
            return float(np.sum(G * w)) + l1_penalty(w, 0.2)[0] + l2_penalty(w, 0.3)[0]
        got = np.asarray(call_student(fn, G, W, 0.2, 0.3), dtype=float)
        if got.shape != W.shape or relative_error(got, numerical_gradient(J, W.copy())) > 1e-6:
            raise CheckFailed("the gradient fails the check against finite differences of "
                              "J = data loss + λ₁‖W‖₁ + λ₂/2‖W‖²")

    cases = [make(*c) for c in cases] + exact_zeros + [gradient_check]
    return run("regularised_gradient", cases, regularised_gradient.hint, quiet=quiet,
               success=f"matches the reference on {len(cases) - 1} cases (exact zeros included) and "
                       "passes a gradient check.")


regularised_gradient.hint = Hints(
    "regularised_gradient",
    "the gradient of a sum is the sum of the gradients, and each penalty is a sum over the weights of "
    "a function of one weight: differentiate λ₁|w| and λ₂/2·w² for a single w, then apply the "
    "result to every entry of W, and add the data term.",
    "|w| has slope −1 for w < 0 and +1 for w > 0; at w = 0 take the middle, 0 (no pull on a weight "
    "that is already 0). Dividing w by |w| gives nan there. For the square, mind the ½ in front.",
)


def early_stopping(fn, quiet=False):
    """Check ``fn(val_losses, patience) -> (stop, best)``, the patience rule of early stopping."""
    cases = [
        ([1.0, 0.8, 0.7, 0.75, 0.9, 1.1, 1.2], 2),        # a clear minimum at 2, stop at 4
        ([1.0, 0.8, 0.7, 0.75, 0.72, 0.69, 0.8, 0.9, 1.0], 3),  # a later, lower minimum resets the count
        ([1.0, 0.9, 0.8, 0.7, 0.6], 2),                  # never stops: the last epoch
        ([0.5, 0.5, 0.5, 0.5], 2),                       # a tie is not an improvement
        ([0.9, 1.0, 1.1], 5),                            # patience longer than the run
        ([0.3], 1),                                      # one epoch only
        ([1.0, 0.5, 0.6, 0.4, 0.45, 0.41, 0.42], 1),     # patience 1 stops at the first rise
        ([1.0, 0.5, 0.7, 0.6, 0.8, 0.7, 0.9], 3),         # small dips that are no new best do not reset the count
    ]

    def make(losses, patience):
        def case():
            out = call_student(fn, np.array(losses), patience)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise CheckFailed(f"it should return a pair (stop, best); got {out!r:.60}")
            expected = early_stopping_epoch(losses, patience)
            label = f"val_losses={losses}, patience={patience}"
            compare("stop", out[0], expected[0], label)
            compare("best", out[1], expected[1], label)
        return case

    return run("early_stopping", [make(*c) for c in cases], early_stopping.hint,
               quiet=quiet, success=f"matches the reference on {len(cases)} runs of validation losses.")


early_stopping.hint = Hints(
    "early_stopping",
    "walk through the epochs once, remembering one thing about the past: which epoch has been the "
    "best so far. Each new epoch either beats it (strictly: a tie does not) or adds to the wait.",
    "the wait is measured from the best epoch, not counted in rises: a dip that is no new best does "
    "not reset it. Run your function by hand on [1.0, 0.5, 0.7, 0.6, 0.8] with patience 2, and on a "
    "run that never stops.",
)


# --- exercise 3: find the bug ---------------------------------------------------------------------

def given_dropout_forward(x, p, training, rng):
    """The buggy code of the exercise: right at p = 0.5 only (it scales by the keep convention's p)."""
    if not training:
        return x                                      # inverted dropout: the identity at test time
    keep = rng.random(x.shape) >= p                   # each unit survives with probability 1 − p
    return x * keep / p                               # scale the survivors up


def dropout_forward(fn, quiet=False):
    """Check ``fn(x, p, training, rng) -> y``: inverted dropout, p the probability of dropping a unit.

    Training: each output is 0 or x/(1 − p), about a fraction p of them 0, the mask drawn from
    ``rng`` (the same generator state gives the same mask). Test time: y = x. Any way of drawing the
    mask from ``rng`` passes; drawing advances ``rng``, the only argument that may change.
    """
    rng = np.random.RandomState(9)

    def data(shape):
        return rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)   # no zeros

    def training_case(shape, p, seed):
        x = data(shape)

        def case():
            what = f"p = {p}, training = True, x of shape {shape} (entries between 0.5 and 2 in size)"
            y = np.asarray(call_student(fn, x, p, True, np.random.default_rng(seed), may_change=(3,)),
                           dtype=float)
            if y.shape != x.shape:
                raise CheckFailed(f"the output has shape {y.shape}, expected {x.shape} ({what})")
            dropped = y == 0
            if np.any(~dropped):
                compare("the value of a kept unit", y[~dropped], x[~dropped] / (1 - p),
                        what + ": the survivors' scale must make E[y] = x")
            if x.size >= 10_000 and abs(dropped.mean() - p) > 0.01:
                raise CheckFailed(f"it drops {dropped.mean():.1%} of the units, expected about {p:.0%} "
                                  f"({what}): p is the probability of dropping a unit")
            again = call_student(fn, x, p, True, np.random.default_rng(seed), may_change=(3,))
            if not np.array_equal(np.asarray(again, dtype=float), y):
                raise CheckFailed("two calls with the same rng state gave different masks: draw the "
                                  f"mask from the rng you are given ({what})")
        return case

    def other_seed_case():
        x, p = data((50, 40)), 0.5
        a, b = (np.asarray(call_student(fn, x, p, True, np.random.default_rng(s), may_change=(3,)))
                for s in (1, 2))
        if np.array_equal(a, b):
            raise CheckFailed("two different rng states gave the same mask: draw it from the rng you "
                              "are given")

    def test_time_case(shape, p):
        x = data(shape)

        def case():
            y = call_student(fn, x, p, False, np.random.default_rng(0), may_change=(3,))
            compare("the output", y, x, f"p = {p}, training = False (test time: the whole network, "
                                        "unscaled)")
        return case

    cases = [training_case((200, 500), 0.5, 0), training_case((200, 500), 0.2, 1),
             training_case((100, 300), 0.8, 2), training_case((3, 4), 0.0, 3),
             training_case((7,), 0.3, 4), other_seed_case,
             test_time_case((8,), 0.5), test_time_case((6,), 0.2)]
    return run("dropout_forward", cases, dropout_forward.hint, quiet=quiet,
               success=f"E[y] = x, a fraction p dropped, the mask from rng, the identity at "
                       f"test time: {len(cases)} cases, p from 0 to 0.8.")


dropout_forward.hint = Hints(
    "dropout_forward",
    "work out the expected value of one unit's training output: it survives with probability 1 − p "
    "and is then multiplied by the scale. Inverted dropout chooses the scale so that this "
    "expectation is x, the test-time output.",
    "try the given function on np.ones((1000, 1000)) with p = 0.5 and with p = 0.2, and print the "
    "means. Why is it right at one of them only? In the original dropout paper p was the probability "
    "of keeping a unit; here, as in PyTorch, it is the probability of dropping one.",
)
