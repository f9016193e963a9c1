"""Checks for chapter 08 (overfitting)."""
import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..experiments.regularisation import early_stopping_epoch
from ..losses import l1_penalty, l2_penalty
from ._core import CheckFailed, call_student, compare, run

__all__ = ["regularised_gradient", "early_stopping", "inverted_dropout_forward"]


def regularised_gradient(fn, quiet=False):
    """Check ``fn(dW, W, l1, l2) -> dW + λ₁·sign(W) + λ₂·W``, the gradient of the penalised loss."""
    rng = np.random.RandomState(8)
    cases = [((2, 3), 0.0, 0.1), ((2, 3), 0.1, 0.0), ((4, 2), 0.05, 0.2), ((1, 5), 0.3, 0.0), ((3, 3), 0.0, 0.0)]

    def make(shape, l1, l2):
        W, dW = rng.randn(*shape), rng.randn(*shape)

        def case():
            expected = dW + l1_penalty(W, l1)[1] + l2_penalty(W, l2)[1]
            compare("the gradient", call_student(fn, dW, W, l1, l2), expected,
                    f"λ₁={l1}, λ₂={l2}, W of shape {shape}")
        return case

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

    return run("regularised_gradient", [make(*c) for c in cases] + [gradient_check],
               hint="differentiate each term: λ₁|w| gives λ₁·sign(w), λ₂/2·w² gives λ₂·w; add both to dW.",
               quiet=quiet, success="matches the reference on 5 cases and passes a gradient check.")


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

    return run("early_stopping", [make(*c) for c in cases],
               hint="keep the index of the lowest loss so far (strictly lower counts); stop at the first "
                    "epoch t with t − best = patience, else at the last epoch.",
               quiet=quiet, success=f"matches the reference on {len(cases)} runs of validation losses.")


def inverted_dropout_forward(fn, quiet=False):
    """Check ``fn(x, mask, p) -> x·mask/(1 − p)``: inverted dropout in training mode, given the keep mask."""
    rng = np.random.RandomState(9)
    cases = [((4, 5), 0.5), ((3, 2), 0.2), ((2, 6), 0.8), ((5,), 0.0), ((3, 3), 0.3)]

    def make(shape, p):
        x = rng.randn(*shape)
        mask = (rng.rand(*shape) >= p).astype(float)

        def case():
            compare("the output", call_student(fn, x, mask, p), x * mask / (1 - p), f"p={p}, x of shape {shape}")
        return case

    def expectation():
        x, p = np.linspace(-1, 2, 6), 0.5
        masks = (rng.rand(4000, 6) >= p).astype(float)
        mean = np.mean([np.asarray(call_student(fn, x, m, p), dtype=float) for m in masks], axis=0)
        if np.max(np.abs(mean - x)) > 0.12:
            raise CheckFailed(f"averaged over 4000 masks with p={p} the output should be about x = {x.round(2)}; "
                              f"got {mean.round(2)}")

    return run("inverted_dropout_forward", [make(*c) for c in cases] + [expectation],
               hint="zero the dropped units (multiply by the mask) and divide the kept ones by the keep "
                    "probability 1 − p, so that the expected output equals x.",
               quiet=quiet, success="matches the reference on 5 cases, and its average over masks is x.")
