"""Checks for chapter 02 (backpropagation)."""
import contextlib

import numpy as np

from .. import layers, losses
from ..gradcheck import numerical_gradient, relative_error
from ..layers import Affine
from ..losses import softmax_cross_entropy
from ._core import CheckFailed, Hints, call_student, compare, fmt, forbidding, prediction_value, run

__all__ = ["divide_backward", "centre_backward", "affine_backward", "softmax_cross_entropy_gradient",
           "duplicated_batch"]


def _unpack(out, n, what):
    if not isinstance(out, (tuple, list)) or len(out) != n:
        raise CheckFailed(f"it should return {what}; got {type(out).__name__}"
                          + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    return out


def _finite(label, got, case, why):
    """Fail with an explanation when ``got`` holds nan or inf (before ``compare`` prints them)."""
    try:
        values = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return                                   # compare says what is wrong with the type
    if not np.all(np.isfinite(values)):
        raise CheckFailed(f"{label} contains nan or inf for {case}:\n  got      {fmt(values)}\n  {why}")


# --- exercise 1: derive a node the chapter has not shown -----------------------------------------

def divide_backward(fn, quiet=False):
    """Check ``fn(dout, x, y) -> (dx, dy)``, the backward pass of the divide node z = x / y.

    ``x``, ``y`` and ``dout`` are numbers or arrays of one shape (the node acts element-wise).
    The cases include x = 0 exactly (where ∂L/∂y is 0, and a form that divides by x gives nan),
    negative denominators, arrays, and a finite-difference check of both gradients.
    """
    rng = np.random.RandomState(2)
    scalars = [(1.0, 6.0, 3.0), (0.5, -1.5, 0.5), (2.0, 0.0, -4.0), (-1.0, 2.0, -0.25)]
    for _ in range(12):
        dout, x = rng.randn(2)
        y = rng.choice([-1, 1]) * rng.uniform(0.5, 3.0)
        scalars.append((float(dout), float(x), float(y)))
    arrays = [(rng.randn(4), np.array([3.0, 0.0, -2.0, 0.5]), np.array([2.0, -1.0, 0.5, -4.0])),
              (rng.randn(2, 3), rng.randn(2, 3), rng.uniform(0.5, 2.0, (2, 3)) * rng.choice([-1, 1], (2, 3)))]

    def make(dout, x, y):
        def case():
            dx, dy = _unpack(call_student(fn, dout, x, y), 2, "a pair (dx, dy)")
            if np.ndim(x) == 0:
                label = f"x = {x:.3g}, y = {y:.3g}, dout = {dout:.3g}"
            else:
                label = f"x = {fmt(x)}, y = {fmt(y)}, dout = {fmt(dout)}"
            if np.any(np.asarray(x) == 0):
                _finite("dy", dy, label, "(at x = 0 the gradient of y is an ordinary number: z = 0/y "
                        "does not change when y moves)")
            compare("dx", dx, dout / np.asarray(y), label)
            compare("dy", dy, -dout * np.asarray(x) / np.asarray(y) ** 2, label)
        return case

    def gradient_check():
        x, y, dout = rng.randn(5), rng.uniform(0.5, 2.0, 5) * np.array([1, -1, 1, -1, 1]), rng.randn(5)
        dx, dy = _unpack(call_student(fn, dout, x, y), 2, "a pair (dx, dy)")
        for name, got, num in (("dx", dx, numerical_gradient(lambda v: np.sum(dout * v / y), x.copy())),
                               ("dy", dy, numerical_gradient(lambda v: np.sum(dout * x / v), y.copy()))):
            if np.shape(got) != num.shape or relative_error(np.asarray(got, float), num) > 1e-6:
                raise CheckFailed(f"{name} fails the gradient check against finite differences "
                                  f"(L = Σ dout·x/y, x = {fmt(x)}, y = {fmt(y)}):\n"
                                  f"  got      {fmt(np.asarray(got, float))}\n  expected {fmt(num)}")

    cases = [make(*c) for c in scalars + arrays] + [gradient_check]
    return run("divide_backward", cases, divide_backward.hint, quiet=quiet,
               success=f"matches the reference on {len(scalars)} numbers and {len(arrays)} arrays "
                       "(x = 0 and negative y included) and passes a gradient check.")


divide_backward.hint = Hints(
    "divide_backward",
    "one input at a time: hold y fixed and ask how z moves when x moves, then hold x fixed and ask "
    "how z moves when y moves. Each local derivative is multiplied by dout, as in every node.",
    "for x, y is just a constant factor (1/y). For y, write the quotient as x times a power of y and "
    "use the power rule; check the sign by a nudge: with x > 0 and y > 0, a larger y makes z smaller.",
)


# --- exercise 2: gradients add where a value is used twice ---------------------------------------

def centre_backward(fn, quiet=False):
    """Check ``fn(dout, x) -> dx``, the backward pass of the centring node y = x − mean(x).

    ``x`` and ``dout`` are 1-D arrays of n ≥ 1 entries. Each x_k reaches the outputs along two kinds
    of path, directly to y_k and through the mean to every y_j, so ∂L/∂x_k = dout_k − mean(dout).
    The cases include n = 1 (where y = 0 whatever x is), a two-entry case whose wrong answers all
    differ, random vectors and a finite-difference check. The two typical one-path answers are
    named: ``dout`` (the direct path only) and ``dout − dout/n`` (the mean's path into y_k only).
    """
    rng = np.random.RandomState(4)
    vectors = [(np.array([1.0, 0.0]), np.array([1.0, 3.0])), (np.array([1.5]), np.array([2.5]))]
    vectors += [(rng.randn(n), rng.randn(n) * 3) for n in (3, 5, 8)]

    def make(dout, x):
        def case():
            dx = call_student(fn, dout, x)
            label = f"x = {fmt(x)}, dout = {fmt(dout)}"
            expected = dout - dout.mean()
            try:
                got = np.asarray(dx, dtype=float)
            except (TypeError, ValueError):
                got = None
            if got is not None and got.shape == dout.shape and not np.allclose(got, expected):
                if np.allclose(got, dout):
                    raise CheckFailed(
                        f"dx is dout itself for {label}: that is the gradient along the direct path "
                        "x_k → y_k only. Each x_k is also used by the mean, and the mean by every "
                        "y_j: the gradients along those paths add to it.")
                if len(dout) > 1 and np.allclose(got, dout - dout / len(dout)):
                    raise CheckFailed(
                        f"dx is dout − dout/n for {label}: it counts the path through the mean into "
                        "y_k only. The mean is used by every y_j, so the gradient that reaches it "
                        "collects something from every one of them.")
            compare("dx", dx, expected, label)
        return case

    def gradient_check():
        x, dout = rng.randn(6), rng.randn(6)
        dx = call_student(fn, dout, x)
        num = numerical_gradient(lambda v: np.sum(dout * (v - v.mean())), x.copy())
        got = np.asarray(dx, dtype=float)
        if got.shape != num.shape or relative_error(got, num) > 1e-6:
            raise CheckFailed(f"dx fails the gradient check against finite differences "
                              f"(L = Σ dout·(x − mean x), x = {fmt(x)}, dout = {fmt(dout)}):\n"
                              f"  got      {fmt(got)}\n  expected {fmt(num)}")

    return run("centre_backward", [make(*v) for v in vectors] + [gradient_check], centre_backward.hint,
               quiet=quiet, success=f"matches the reference on {len(vectors)} vectors (n = 1 and n = 2 "
                                    "among them) and passes a gradient check.")


centre_backward.hint = Hints(
    "centre_backward",
    "draw the graph: the mean x̄ is computed from every x_j and then used by every y_i = x_i − x̄. "
    "List the paths from one x_k to the outputs and add the gradients along all of them.",
    "along the direct path x_k → y_k the gradient is dout_k. For the other paths, first work out "
    "∂L/∂x̄ (x̄ feeds every y_i, with a minus sign), then what share of it x_k gets back from "
    "x̄ = (1/n)·Σ_j x_j.",
)


# --- exercise 3: find the bug --------------------------------------------------------------------

def given_affine_backward(dH, X, W):
    """The buggy backward pass of the exercise, one sample at a time (the bias keeps only the last row)."""
    N, D = X.shape
    dX = np.zeros_like(X)
    dW = np.zeros_like(W)
    for n in range(N):
        dX[n] = W @ dH[n]
        dW += np.outer(X[n], dH[n])
        db = dH[n]
    return dX, dW, db


def affine_backward(fn, quiet=False):
    """Check ``fn(dH, X, W) -> (dX, dW, db)`` for H = XW + b, with shapes and a gradient check.

    The exercise gives :func:`given_affine_backward`, which runs and is right for a batch of one
    sample; the shapes below include N = 1 and batches where D = M.
    """
    rng = np.random.RandomState(3)
    shapes = [(1, 5, 3), (4, 3, 2), (6, 2, 4), (3, 1, 1), (5, 3, 3)]

    def make(n, d, m):
        X, W, b, dH = rng.randn(n, d), rng.randn(d, m), rng.randn(m), rng.randn(n, m)

        def case():
            layer = Affine(W.copy(), b.copy())
            layer.forward(X)
            dX_ref = layer.backward(dH)
            out = _unpack(call_student(fn, dH, X, W), 3, "a triple (dX, dW, db)")
            label = f"a batch of N = {n} samples, X {X.shape}, W {W.shape}"
            for got, ref, nm in zip(out, (dX_ref, layer.dW, layer.db), ("dX", "dW", "db")):
                compare(nm, got, ref, label)
        return case

    def gradient_check():
        X, W, b, dH = rng.randn(3, 2), rng.randn(2, 2), rng.randn(2), rng.randn(3, 2)
        out = _unpack(call_student(fn, dH, X, W), 3, "a triple (dX, dW, db)")
        numeric = (numerical_gradient(lambda v: np.sum((v @ W + b) * dH), X.copy()),
                   numerical_gradient(lambda v: np.sum((X @ v + b) * dH), W.copy()),
                   numerical_gradient(lambda v: np.sum((X @ W + v) * dH), b.copy()))
        for got, num, nm in zip(out, numeric, ("dX", "dW", "db")):
            got = np.asarray(got, dtype=float)
            if got.shape != num.shape or relative_error(got, num) > 1e-6:
                raise CheckFailed(f"{nm} fails the gradient check against finite differences "
                                  "(L = Σ dH·H on a batch of 3)")

    return run("affine_backward", [make(*s) for s in shapes] + [gradient_check], affine_backward.hint,
               quiet=quiet, success=f"matches the reference on {len(shapes)} shapes, batches of 1 to 6 "
                                    "samples, and passes a gradient check of dX, dW and db.")


affine_backward.hint = Hints(
    "affine_backward",
    "the given code is right for a batch of one sample (try it: the first case the check runs has "
    "N = 1). Every sample of a batch uses the same W and b, so a parameter shared by the samples "
    "collects a gradient from each of them.",
    "go through the loop line by line and ask, for dX, dW and db, what is left after the last "
    "sample: the contribution of every sample, or only of the last? A finite-difference check of b, "
    "as in the affine cell above, confirms which gradient is short.",
)


# --- exercise 4: the softmax-with-loss gradient, exact for any finite scores ---------------------

LARGE_SCORES = [  # (z, y): a confident network; e^1000 overflows float64, e^-1000 underflows to 0
    (np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 999.0]]), np.array([0, 2])),
    (np.array([[-1000.0, -1001.0, -1002.0]]), np.array([1])),
    (np.array([[800.0, 800.0], [-900.0, 0.0], [0.0, 750.0]]), np.array([1, 0, 1])),
]
SOFTMAX_SHORTCUTS = [(losses, "softmax_cross_entropy"), (losses, "softmax"), (losses, "log_softmax"),
                     (layers, "SoftmaxWithLoss")]


def softmax_cross_entropy_gradient(fn, quiet=False):
    """Check ``fn(z, y) -> dz``, the gradient of the mean softmax cross-entropy w.r.t. the logits.

    Cases with scores of ±1000 (where a softmax that does not shift the scores overflows to
    inf/inf = nan, or underflows to 0/0) make an unstable form fail. The course's own softmax
    (``losses.softmax``, ``losses.softmax_cross_entropy``, ``layers.SoftmaxWithLoss``) is the
    answer, so the task asks for it to be written with numpy, and the check refuses it.
    """
    rng = np.random.RandomState(4)
    cases = [(rng.randn(n, c) * 2, rng.randint(0, c, size=n)) for n, c in [(1, 3), (4, 3), (5, 2), (8, 10)]]
    references = [softmax_cross_entropy(z, y)[1] for z, y in cases + LARGE_SCORES]
    z_check, y_check = rng.randn(3, 4), np.array([0, 3, 1])
    numeric = numerical_gradient(lambda zz: softmax_cross_entropy(zz, y_check)[0], z_check.copy())

    def make(z, y, dz_ref):
        def case():
            label = f"z of shape {z.shape}, y = {y.tolist()}"
            with np.errstate(all="ignore"):
                dz = call_student(fn, z, y)
            if np.max(np.abs(z)) >= 100:
                label = f"z = {fmt(z)}, y = {y.tolist()} (scores of a very confident network)"
                _finite("dz", dz, label,
                        "e^1000 is beyond the largest float64 (about 1.8e308), so it becomes inf, and "
                        "inf/inf is nan; e^-1000 becomes 0, and 0/0 is nan. The softmax itself is an "
                        "ordinary number there.")
            compare("dz", dz, dz_ref, label)
        return case

    def gradient_check():
        got = np.asarray(call_student(fn, z_check, y_check), dtype=float)
        if got.shape != numeric.shape or relative_error(got, numeric) > 1e-6:
            raise CheckFailed("dz fails the gradient check against finite differences of the mean "
                              "cross-entropy")

    why = "the exercise is to compute the softmax and its gradient yourself, with numpy"
    with contextlib.ExitStack() as stack:
        for owner, name in SOFTMAX_SHORTCUTS:
            stack.enter_context(forbidding(owner, name, why))
        return run("softmax_cross_entropy_gradient",
                   [make(z, y, ref) for (z, y), ref in zip(cases + LARGE_SCORES, references)]
                   + [gradient_check], softmax_cross_entropy_gradient.hint, quiet=quiet,
                   success=f"matches the reference on {len(cases)} random batches and {len(LARGE_SCORES)} "
                           "with scores of ±1000, and passes a gradient check.")


softmax_cross_entropy_gradient.hint = Hints(
    "softmax_cross_entropy_gradient",
    "two things the one-sample result above does not settle: the loss of a batch is the mean of its "
    "N samples' losses, and a score can be 1000, where e^z is not a float64 number. Run your "
    "function on z = [[1000, 0]] and look.",
    "for the batch: how does one sample's gradient enter the gradient of an average of N losses? "
    "For large scores: adding the same constant to every score of a row leaves its softmax "
    "unchanged (numerator and denominator gain the same factor); pick the constant so that no "
    "exponent is positive.",
)


# --- exercise 5: predict, then run ---------------------------------------------------------------

BATCH_CHOICES = ("same", "doubled", "halved")


def duplicated_batch_experiment():
    """∂L/∂b of an affine layer under the mean softmax cross-entropy, for a batch and for it twice.

    The batch: 6 samples, 3 features, 4 classes (seeded). The second batch stacks the first on
    itself (12 rows, the labels repeated). Returns ``(db_once, db_twice)``, both by backpropagation
    through ``layers.Affine`` and ``losses.softmax_cross_entropy``.
    """
    rng = np.random.RandomState(5)
    X, W, b, y = rng.randn(6, 3), rng.randn(3, 4), rng.randn(4), rng.randint(0, 4, size=6)
    grads = []
    for X_, y_ in ((X, y), (np.vstack([X, X]), np.concatenate([y, y]))):
        layer = Affine(W.copy(), b.copy())
        _, dz = softmax_cross_entropy(layer.forward(X_), y_)
        layer.backward(dz)
        grads.append(layer.db)
    return tuple(grads)


def duplicated_batch(prediction, quiet=False):
    """Check a prediction: feed a batch twice (stacked on itself); what happens to ∂L/∂b?

    ``prediction`` is ``"same"``, ``"doubled"`` or ``"halved"``. The check backpropagates the mean
    softmax cross-entropy through an affine layer for both batches and explains the outcome.
    """
    once, twice = duplicated_batch_experiment()
    ratio = twice / once
    outcome = next((name for name, factor in zip(BATCH_CHOICES, (1.0, 2.0, 0.5))
                    if np.allclose(ratio, factor, rtol=1e-9)), None)
    story = (f"∂L/∂b for the batch is {fmt(once)}; for the batch fed twice it is {fmt(twice)} "
             f"(ratio {fmt(np.mean(ratio))}).")
    why = ("The mean loss of the doubled batch is the same function of W and b as the mean loss of "
           "the batch, so it has the same gradient. Backpropagation agrees step by step: each row of "
           "∂L/∂z now carries 1/(2N) instead of 1/N, and the bias sums twice as many rows.")

    def case():
        guess = prediction_value(prediction, BATCH_CHOICES)
        if guess != outcome:
            raise CheckFailed(f"you predicted {guess!r}, but {story}")

    return run("duplicated_batch", [case], duplicated_batch.hint, quiet=quiet,
               success=f"right: {story} {why}")


duplicated_batch.hint = Hints(
    "duplicated_batch",
    "before any backpropagation: is the loss of the doubled batch a different function of W and b "
    "from the loss of the batch? A gradient only describes how its loss changes.",
    "follow the two effects through the backward pass: the mean divides each row of ∂L/∂z by the "
    "number of rows, and the bias gradient adds up one contribution per row. Which wins, or do they "
    "cancel?",
)
