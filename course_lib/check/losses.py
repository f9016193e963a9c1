"""Checks for chapter 06 (loss functions)."""
import numpy as np

from ..experiments import classification_losses
from ..experiments.classification_losses import (double_softmax_cross_entropy, double_softmax_floor,
                                                  sigmoid_mse, softmax_mse)
from ..gradcheck import numerical_gradient, relative_error
from ..losses import softmax
from ._core import CheckFailed, Hints, call_student, compare, fmt, forbidding, prediction_value, run

__all__ = ["cross_entropy_loss", "sigmoid_mse_gradient", "strongest_mse_push", "softmax_mse_gradient",
           "probabilities_as_logits"]

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


def _cross_entropy(p, y):
    """The reference: mean over rows of −log(probability of the target); exact zeros elsewhere are fine."""
    return float(-np.mean(np.log(np.sum(y * p, axis=1))))


def _is_nan(value):
    try:
        return bool(np.any(np.isnan(np.asarray(value, dtype=float))))
    except (TypeError, ValueError):
        return False


def cross_entropy_loss(fn, quiet=False):
    """Check ``fn(probs, targets) -> float``: the mean over samples of −Σ_c y log p, targets one-hot (N, C).

    The exercise gives a version with two bugs: ``np.mean`` over all N·C entries (a loss C times too
    small) and ``y * log p``, which is nan where a class that is not the target has p = 0 exactly.
    The cases: the lecture's two tables, random tables, and tables with exact zeros off the target.
    """
    rng = np.random.RandomState(61)
    cases = [(LECTURE_MODEL_1, LECTURE_TARGETS), (LECTURE_MODEL_2, LECTURE_TARGETS)]
    cases += _random_cases(rng, [(1, 2), (4, 3), (6, 5)])
    cases += [(np.array([[0.0, 0.2, 0.8], [1.0, 0.0, 0.0], [0.25, 0.0, 0.75]]),
               np.array([[0, 0, 1], [1, 0, 0], [1, 0, 0]], dtype=float)),
              (np.array([[0.0, 1.0, 0.0, 0.0], [0.5, 0.0, 0.0, 0.5]]),
               np.array([[0, 1, 0, 0], [0, 0, 0, 1]], dtype=float))]

    def make(p, y):
        def case():
            label = f"probs = {np.round(p, 3).tolist()}, targets = {y.astype(int).tolist()}"
            with np.errstate(divide="ignore", invalid="ignore"):
                got = call_student(fn, p, y)
            if _is_nan(got):
                raise CheckFailed(f"the loss is nan for {label}, where some class that is not the "
                                  "target has probability exactly 0 (a confident model); the loss there "
                                  f"is an ordinary number, {fmt(_cross_entropy(p, y))}")
            compare("the loss", got, _cross_entropy(p, y), label)
        return case

    return run("cross_entropy_loss", [make(*c) for c in cases], cross_entropy_loss.hint, quiet=quiet,
               success="matches the reference on the lecture's two tables, 3 random tables and 2 tables "
                       "with exact zeros off the target.")


cross_entropy_loss.hint = Hints(
    "cross_entropy_loss",
    "run the given function on model 1's table and compare with the per-sample cross-entropies printed "
    "in the first section: by what factor is it off? What does np.mean divide by on an N × C array?",
    "each row's loss involves only the probability of its target class. Take that probability out "
    "of each row before any log, so the log never sees the zeros of the other classes, and average "
    "over the N rows.",
)


def sigmoid_mse_gradient(fn, quiet=False):
    """Check ``fn(s, y) -> ds`` for L = mean_i 2(σ(s_i) − y_i)², the lecture's MSE on two classes after a sigmoid."""
    rng = np.random.RandomState(63)
    cases = [(np.array([-6.0, 0.0, 6.0]), np.array([1.0, 1.0, 1.0])),
             (np.array([-6.0, 0.0, 6.0]), np.array([0.0, 0.0, 0.0]))]
    cases += [(rng.randn(n) * 3, rng.randint(0, 2, size=n).astype(float)) for n in (1, 4, 9)]

    def make(s, y):
        def case():
            got = call_student(fn, s, y)
            compare("∂L/∂s", got, sigmoid_mse(s, y)[1], f"s = {np.round(s, 3).tolist()}, y = {y.tolist()}")
        return case

    def gradient_check():
        s, y = rng.randn(5) * 2, rng.randint(0, 2, size=5).astype(float)
        got = np.asarray(call_student(fn, s, y), dtype=float)
        num = numerical_gradient(lambda v: sigmoid_mse(v, y)[0], s.copy())
        if got.shape != num.shape or relative_error(got, num) > 1e-5:
            raise CheckFailed("∂L/∂s fails the gradient check against finite differences "
                              f"(s = {fmt(s)}, y = {fmt(y)}):\n  got      {fmt(got)}\n  expected {fmt(num)}")

    return run("sigmoid_mse_gradient", [make(*c) for c in cases] + [gradient_check],
               sigmoid_mse_gradient.hint, quiet=quiet,
               success="matches the reference on 5 cases, targets 0 and 1, and passes a gradient check.")


sigmoid_mse_gradient.hint = Hints(
    "sigmoid_mse_gradient",
    "chain rule: ∂L/∂s_i is ∂L/∂p_i times σ′(s_i). The section above derives both factors for one "
    "sample with target 1; redo the first one for a target y that may be 0 or 1.",
    "the lecture's MSE over two classes has two equal terms, so each sample's loss is twice (p − y)²; "
    "the mean over N puts a 1/N into every entry; σ′(s) can be written with σ(s) alone.",
)


def strongest_push_experiment():
    """|∂L/∂s| of the lecture's two-class MSE for one sample of target 1, over logits s in [−12, 12].

    Returns ``(p, push)``: p = σ(s) on the grid and the size of the gradient there (``sigmoid_mse``).
    """
    s = np.linspace(-12.0, 12.0, 24001)
    push = np.abs(sigmoid_mse(s, np.ones_like(s))[1]) * s.size     # one sample's gradient at each s
    return 1 / (1 + np.exp(-s)), push


def strongest_mse_push(prediction, quiet=False):
    """Check a prediction: the probability p of the true class at which MSE pushes the logit hardest.

    ``prediction`` is a number in [0, 1]; it passes within 0.02 of the measured place of the largest
    |∂L/∂s| (p = 1/3). The check computes the push over a grid of logits and explains the outcome.
    """
    p, push = strongest_push_experiment()
    best = int(np.argmax(push))

    def push_at(q):
        return float(np.interp(q, p, push))

    story = (f"MSE's push on the logit is strongest at p = {p[best]:.3f} (|∂L/∂s| = {push[best]:.3f}); "
             f"at p = 0.5 it is {push_at(0.5):.3f}, at p = 0.1 {push_at(0.1):.3f} and at p = 0.01 only "
             f"{push_at(0.01):.3f}.")
    why = ("Of its two factors, 4(1 − p) grows as the prediction gets worse while σ′ = p(1 − p) shrinks; "
           "below p = 1/3 the shrinking wins, so the more confidently wrong the model is, the less MSE "
           "pushes it: the plateau of the next sections.")

    def case():
        guess = prediction_value(prediction, "number")
        if not 0 <= guess <= 1:
            raise CheckFailed(f"the prediction should be a probability between 0 and 1; got {guess:g}")
        if abs(guess - p[best]) > 0.02:
            raise CheckFailed(f"you predicted p = {guess:.3f}, where the push is {push_at(guess):.3f}, but "
                              f"{story}")

    return run("strongest_mse_push", [case], strongest_mse_push.hint, quiet=quiet,
               success=f"right: {story} {why}")


strongest_mse_push.hint = Hints(
    "strongest_mse_push",
    "∂L/∂s for target 1 is a product of two factors of p (see the section above): one grows as the "
    "prediction gets worse, the other, σ′, shrinks. Where is their product largest?",
    "write the size of the push as a polynomial in p and set its derivative with respect to p to zero; "
    "or drag the widget's slider and watch the MSE readout in its right panel.",
)


def softmax_mse_gradient(fn, quiet=False):
    """Check ``fn(z, targets) -> dz`` for L = (1/N) Σ_i Σ_c (y_ic − p_ic)², p_i = softmax(z_i), targets one-hot.

    The cases include the chapter's confident mistake, random logits and logits of ±1000 (a softmax
    without its max subtracted overflows there), and a gradient check. ``softmax_mse`` of
    ``course_lib.experiments.classification_losses``, which returns this gradient, is refused.
    """
    rng = np.random.RandomState(64)
    cases = [(np.array([[0.0, 0.0, 9.0]]), np.array([[1.0, 0.0, 0.0]]))]
    for n, c in [(1, 3), (4, 3), (5, 2), (3, 6)]:
        cases.append((rng.randn(n, c) * 2, np.eye(c)[rng.randint(0, c, size=n)]))
    cases.append((np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 999.0]]),
                  np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])))
    expected = [softmax_mse(z, y)[1] for z, y in cases]          # outside the forbidding block
    z_check, y_check = rng.randn(4, 3), np.eye(3)[[0, 2, 1, 2]]
    numeric = numerical_gradient(lambda v: softmax_mse(v, y_check)[0], z_check.copy())

    def make(z, y, want):
        def case():
            label = f"z = {np.round(z, 3).tolist()}, targets = {y.astype(int).tolist()}"
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                got = call_student(fn, z, y)
            if _is_nan(got) and np.abs(z).max() > 700:
                raise CheckFailed(f"∂L/∂z is nan for {label}: e^1000 overflows to inf, and inf/inf is nan. "
                                  "A softmax stays finite for any logits when each row's max is "
                                  "subtracted first (chapter 02)", with_hint=False)
            compare("∂L/∂z", got, want, label)
        return case

    def gradient_check():
        got = np.asarray(call_student(fn, z_check, y_check), dtype=float)
        if got.shape != numeric.shape or relative_error(got, numeric) > 1e-6:
            raise CheckFailed("∂L/∂z fails the gradient check against finite differences "
                              f"(z = {fmt(z_check)}):\n  got      {fmt(got)}\n  expected {fmt(numeric)}")

    tests = [make(z, y, want) for (z, y), want in zip(cases, expected)] + [gradient_check]
    with forbidding(classification_losses, "softmax_mse",
                    "it returns this very gradient; the exercise is to derive it"):
        return run("softmax_mse_gradient", tests, softmax_mse_gradient.hint, quiet=quiet,
                   success="matches the reference on 6 cases, among them the chapter's confident mistake "
                           "and logits of ±1000, and passes a gradient check.")


softmax_mse_gradient.hint = Hints(
    "softmax_mse_gradient",
    "chain rule, one row at a time: ∂L/∂z_k = Σ_c ∂L/∂p_c · ∂p_c/∂z_k. First the gradient in p (the "
    "mean over N rows puts 1/N in it), then push it back through the softmax Jacobian given above.",
    "split the Jacobian into its δ_ck part and its −p_c·p_k part and apply each to g = ∂L/∂p of one row: "
    "the first multiplies g by p entry by entry; the second takes away the same number from every "
    "entry (which weighted sum of g?) before that multiplication. A loop over rows with the C × C "
    "Jacobian is fine too.",
    "nan for logits of ±1000 means your softmax overflows: subtract each row's max from it before "
    "exponentiating.",
)


def probabilities_as_logits_experiment(n_classes=10):
    """The loss ``F.cross_entropy`` reports for a perfect prediction given as probabilities.

    The network's softmax output is one-hot on the label (its logits 50 apart: the softmax is one-hot
    to 1e-21); ``double_softmax_cross_entropy`` computes what ``F.cross_entropy`` does with it (the
    tests check it against torch). Returns ``(loss, share)``: the loss and the probability the second
    softmax gives the label.
    """
    z = 50.0 * np.eye(n_classes)[:1]
    loss, _ = double_softmax_cross_entropy(z, [0])
    return loss, float(softmax(softmax(z))[0, 0])


def probabilities_as_logits(prediction, quiet=False):
    """Check a prediction: the loss ``F.cross_entropy(probs, y)`` reports for a perfect prediction, 10 classes.

    ``probs`` is one-hot on the label y. It passes within 0.02 of the measured loss,
    log(1 + 9/e) = 1.4612; the check runs the experiment and explains the outcome.
    """
    loss, share = probabilities_as_logits_experiment(10)
    story = (f"F.cross_entropy reads the probabilities (1, 0, …, 0) as logits and applies its own softmax: "
             f"the label gets e¹ against e⁰ = 1 for each of the 9 other classes, a probability of "
             f"e/(e + 9) = {share:.4f}, so the loss is −log {share:.4f} = {loss:.4f}, not 0.")
    why = (f"No row of probabilities does better: the loss of this model can never fall below "
           f"{double_softmax_floor(10):.4f} with 10 classes ({double_softmax_floor(2):.4f} with 2, "
           f"{double_softmax_floor(1000):.4f} with 1000): a loss curve that levels off there hides a "
           "model that is already right. Feed F.cross_entropy the logits.")

    def case():
        guess = prediction_value(prediction, "number")
        if abs(guess - loss) > 0.02:
            raise CheckFailed(f"you predicted {guess:g}. {story}")

    return run("probabilities_as_logits", [case], probabilities_as_logits.hint, quiet=quiet,
               success=f"right: {story} {why}")


probabilities_as_logits.hint = Hints(
    "probabilities_as_logits",
    "F.cross_entropy does not know its input is already a probability: it treats every input as logits. "
    "What does it do to logits before it takes the log?",
    "write out the softmax of the row (1, 0, 0, 0, 0, 0, 0, 0, 0, 0): one exponential for the label, "
    "nine for the other classes. The loss is minus the log of the label's share.",
)
