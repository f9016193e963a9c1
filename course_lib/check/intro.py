"""The demonstration exercise of notebook 00 (start here)."""
import warnings

import numpy as np

from ..activations import sigmoid as reference_sigmoid
from ._core import CheckFailed, call_student, compare, run

__all__ = ["sigmoid"]


def sigmoid(fn, quiet=False):
    """Check ``fn(x) -> σ(x)`` element-wise, including its stability for inputs of ±1000."""
    cases = [np.array(0.0), np.linspace(-6, 6, 13), np.array([[1.0, -2.0], [3.0, -4.0]])]

    def make(x):
        def case():
            compare("σ(x)", call_student(fn, x), reference_sigmoid(x), f"x = {np.round(x, 3).tolist()}")
        return case

    def extreme():
        x = np.array([-1000.0, 1000.0])
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                got = call_student(fn, x)
            except CheckFailed as failure:
                if "RuntimeWarning" in str(failure) or "overflow" in str(failure):
                    raise CheckFailed("np.exp overflowed for x = -1000 (e^1000 is too large for a float)") from None
                raise
        compare("σ(x)", got, reference_sigmoid(x), "x = [-1000, 1000]")

    return run("sigmoid", [make(x) for x in cases] + [extreme],
               hint="exp overflows only for large positive arguments, and e^(−x) gets one when x is very negative: "
                    "for x < 0, rewrite σ(x) so that exp only ever sees a number ≤ 0, and choose the form element by element.",
               quiet=quiet, success="matches the reference on 3 inputs and stays finite at ±1000.")
