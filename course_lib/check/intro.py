"""The demonstration exercise of notebook 00 (start here)."""
import warnings

import numpy as np

from ..activations import sigmoid as reference_sigmoid
from ._core import CheckFailed, Hints, call_student, compare, run

__all__ = ["sigmoid"]

EXTREMES = (-1000.0, 1000.0)


def _overflows(fn, x):
    """Run ``fn(x)`` with floating-point warnings recorded; return (output, overflowed)."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", invalid="warn"):
        warnings.simplefilter("always", RuntimeWarning)
        try:
            out = call_student(fn, x)
        except CheckFailed as failure:
            if "OverflowError" in str(failure):       # math.exp(1000), or a Python float power
                return None, True
            raise
    overflowed = any(issubclass(w.category, RuntimeWarning) and "overflow" in str(w.message)
                     for w in caught)
    return out, overflowed


def sigmoid(fn, quiet=False):
    """Check ``fn(x) -> σ(x)`` element-wise, including its stability for inputs of ±1000.

    ``np.exp`` overflowing is a failure even when the output happens to come out right
    (``1 / (1 + inf)`` is 0): the message names each input, −1000 or +1000, at which it overflowed.
    """
    cases = [np.array(0.0), np.linspace(-6, 6, 13), np.array([[1.0, -2.0], [3.0, -4.0]]),
             np.array([-30.0, -700.0, 30.0, 700.0])]

    def make(x):
        def case():
            expected = reference_sigmoid(x)
            got, _ = _overflows(fn, x)
            compare("σ(x)", got, expected, f"x = {np.round(x, 3).tolist()}")
        return case

    def extreme():
        x = np.array(EXTREMES)
        expected = reference_sigmoid(x)
        got, overflowed = _overflows(fn, x)
        if overflowed:
            culprits = [v for v in EXTREMES if _overflows(fn, np.array([v]))[1]]
            where = (" and ".join(f"x = {v:+.0f}" for v in culprits) if culprits
                     else "x = [-1000, +1000] (though not for either alone)")
            both = (" Both ends overflowed: a choice between two forms (np.where) computes both "
                    "forms on every element." if len(culprits) == 2 else "")
            raise CheckFailed(f"exp overflowed for {where}: e^1000 is far beyond the largest float "
                              "(about 1.8e308), so it became inf (numpy warns) or raised "
                              "OverflowError (math.exp). Even where the output comes out right, "
                              f"no exponential may overflow.{both}")
        compare("σ(x)", got, expected, "x = [-1000, +1000]")

    return run("sigmoid", [make(x) for x in cases] + [extreme], sigmoid.hint, quiet=quiet,
               success="matches the reference on 4 inputs and stays finite, without an overflow, at ±1000.")


sigmoid.hint = Hints(
    "sigmoid",
    "exp overflows only for large positive arguments: e^(−x) is harmless for x = +1000 but is e^1000 "
    "for x = −1000. For x < 0, rewrite σ(x) (multiply its numerator and denominator by the same "
    "factor) so that exp only ever sees a number ≤ 0.",
    "You now have two forms, one safe for x ≥ 0 and one for x < 0. Choosing between them element by "
    "element with np.where does not help by itself: np.where computes BOTH forms on EVERY element "
    "and only then picks, so the unsafe form still overflows. Compute a single exponential whose "
    "argument is ≤ 0 for every element (think of |x|), and build both forms from it.",
    "With that one exponential e, both forms are finite everywhere; the element-by-element choice "
    "only decides which of two finite numbers to keep. Check the two ends by hand: σ(+1000) must "
    "be 1 and σ(−1000) must be 0, and neither may warn.",
)
