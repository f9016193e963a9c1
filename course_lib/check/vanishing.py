"""Checks for chapter 04 (vanishing gradients)."""
import numpy as np

from ..activations import sigmoid
from ..experiments.deep_nets import ScalarChain, layer_gradient_norms
from ..gradcheck import numerical_gradient
from ..network import MLP
from ._core import CheckFailed, Hints, call_student, compare, fmt, prediction_value, report, run

__all__ = ["sigmoid_derivative", "chain_gradient", "first_layer_speed", "leaky_he_std"]


def sigmoid_derivative(fn, quiet=False):
    """Check ``fn(s) -> σ'`` computed from the sigmoid's output s = σ(z) alone.

    Each case is named by its z, and the student's function receives s = σ(z), not z.
    """
    rng = np.random.RandomState(5)
    zs = [np.array([0.0]), np.array([-2.0, 0.5, 3.0]), rng.randn(4, 3) * 3, np.array([-1e3, 1e3, 40.0])]

    def make(z):
        def case():
            s = sigmoid(z)
            expected = s * (1 - s)
            label = (f"s = σ(z) = {np.array2string(s, precision=4, threshold=6)} "
                     f"(z = {np.array2string(z, precision=3, threshold=6)})")
            got = call_student(fn, s)
            try:
                again = np.allclose(np.asarray(got, float), sigmoid(s) * (1 - sigmoid(s)))
            except (TypeError, ValueError):
                again = False
            if again and not np.allclose(np.asarray(got, float), expected):
                raise CheckFailed(f"σ'(z) is wrong for {label}: it looks as if you applied σ to s "
                                  f"again, but s already is σ(z):\n  got      {fmt(got)}\n"
                                  f"  expected {fmt(expected)}")
            compare("σ'(z)", got, expected, label)
        return case

    def against_finite_differences():
        z = np.linspace(-6, 6, 13)
        got = np.asarray(call_student(fn, sigmoid(z)), dtype=float)
        numeric = numerical_gradient(lambda v: float(np.sum(sigmoid(v))), z.copy())
        if got.shape != z.shape or not np.allclose(got, numeric, atol=1e-8):
            raise CheckFailed("given s = σ(z) for z = −6 … 6, it disagrees with a finite difference "
                              "of σ at z")

    return run("sigmoid_derivative", [make(z) for z in zs] + [against_finite_differences],
               sigmoid_derivative.hint, quiet=quiet,
               success="matches σ(1 − σ) on 4 inputs (scalars, matrices, ±1000) and a finite difference.")


sigmoid_derivative.hint = Hints(
    "sigmoid_derivative",
    "your function receives s = σ(z), the sigmoid's output, not z (the check names each case by "
    "both). Express σ'(z) with s alone: no exponential, no σ applied again.",
    "differentiate 1/(1 + e^(−z)) and split the result into two fractions: one of them is σ(z); "
    "write the other one with σ(z) too.")


def _chain_case(weights, x, y):
    chain = ScalarChain(weights)
    p = chain.forward(x)
    return chain.backward(p - y)[0]


def chain_gradient(fn, quiet=False):
    """Check ``fn(weights, x, y) -> ∂L/∂w₁`` for the lecture's chain h_j = σ(w_j h_{j−1}), L = ½(p − y)²."""
    rng = np.random.RandomState(6)
    cases = [(np.array([0.5, -0.8, 0.9, 0.3]), 1.0, 1.0), (np.array([2.0]), -1.5, 0.0),
             (np.array([3.0, -4.0, 2.5, 5.0, -1.0]), 0.7, 0.2)]
    cases += [(rng.randn(rng.randint(2, 7)) * 2, float(rng.randn()), float(rng.rand())) for _ in range(7)]

    def make(weights, x, y):
        def case():
            got = call_student(fn, weights, x, y)
            label = f"weights = {np.array2string(weights, precision=3)}, x = {x:.3g}, y = {y:.3g}"
            compare("∂L/∂w₁", got, _chain_case(weights, x, y), label, rtol=1e-6, atol=1e-14)
        return case

    return run("chain_gradient", [make(*c) for c in cases], chain_gradient.hint,
               quiet=quiet, success="matches backpropagation on 10 chains of 1 to 6 layers.")


chain_gradient.hint = Hints(
    "chain_gradient",
    "go forward through the chain once and keep every z_j; the gradient is then ∂L/∂p times one "
    "local factor per layer, read off the chain rule along the path from w₁ to p.",
    "a later layer j contributes ∂h_j/∂h_{j−1}, its weight times σ' at its own z_j; the first layer "
    "contributes ∂h₁/∂w₁ instead, in which x takes the place of a weight.")


# --- predict, then run: how much slower does the first hidden layer learn? ------------------------

_SPEED = {}


def _speed_ratios():
    """‖∂L/∂b‖ of hidden layer 4 over hidden layer 1 for the chapter's network, seeds 0–4 (seed 0 first)."""
    if not _SPEED:
        from ..data import digits_split           # imported here: scikit-learn loads only when asked
        X_train, y_train = digits_split(n_train=1500, seed=0)[:2]
        X, y = X_train[:300], y_train[:300]
        ratios = []
        for seed in range(5):
            net = MLP([64, 30, 30, 30, 30, 10], "sigmoid", seed=seed, init="lecture")
            speed = layer_gradient_norms(net, X, y, param="b")
            ratios.append(speed[3] / speed[0])
        _SPEED["ratios"] = np.array(ratios)
    return _SPEED["ratios"]


def first_layer_speed(prediction, quiet=False):
    """Check a prediction of ‖∂L/∂b₄‖ / ‖∂L/∂b₁‖ for chapter 04's network at initialisation.

    The network is 64 → 30 → 30 → 30 → 30 → 10, sigmoid, W ~ N(0, 1/fan-in), on the first 300
    training digits; seed 0 is the chapter's network. A prediction within a factor of 3 of the
    measured ratio passes: over seeds 0–4 the measurement lies between 72 and 114, so the verdict
    depends neither on the CPU's last bits nor on the seed.
    """
    try:
        guess = prediction_value(prediction, "number")
        if not np.isfinite(guess) or guess <= 0:
            raise CheckFailed(f"the prediction should be a positive number (how many times larger); "
                              f"got {prediction!r}")
    except CheckFailed as failure:
        return report("first_layer_speed", False, str(failure), first_layer_speed.hint, quiet)
    ratios = _speed_ratios()
    measured = ratios[0]
    seeds = f"(seeds 0–4 give {ratios.min():.0f} to {ratios.max():.0f})"
    why = ("Each layer back costs a factor of about 4 to 5: σ' is at most 1/4 and mostly less, while "
           "W ~ N(0, 1/fan-in) keeps the weights' part of the factor near 1, so three layers give "
           "roughly 4³ to 5³.")
    if measured / 3 <= guess <= measured * 3:
        return report("first_layer_speed", True,
                      f"you predicted {guess:.3g}; measured: hidden layer 4 learns {measured:.0f} times "
                      f"faster than hidden layer 1 {seeds}. {why}", quiet=quiet)
    if guess < 1:
        hint_word = ("below 1 says that layer 1 learns faster than layer 4; the question is how many "
                     "times LARGER layer 4's gradient is.")
    elif guess < measured:
        hint_word = "too small: the gap is larger than that."
    else:
        hint_word = "too large: the gap is smaller than that."
    return report("first_layer_speed", False,
                  f"you predicted {guess:.3g}, {hint_word} A prediction within a factor of 3 of the "
                  f"measured ratio passes. Think it through again before looking at the measurement "
                  f"(the cells below print it).", first_layer_speed.hint, quiet)


first_layer_speed.hint = Hints(
    "first_layer_speed",
    "between hidden layer 4 and hidden layer 1 the gradient passes back through three layers, and "
    "each multiplies it by its weights and by σ' at its units.",
    "with W ~ N(0, 1/fan-in) the weights' part of each layer's factor is about 1 in size; the "
    "sigmoid's part is at most 1/4 (at z = 0) and a little smaller for typical z. How many times "
    "smaller does the gradient get over three such layers?")


# --- derive: He's rule for Leaky ReLU -------------------------------------------------------------

def _leaky_he_std(fan_in, negative_slope):
    r"""std of W that keeps the second moment through a Leaky ReLU layer: √(2 / ((1 + a²) fan_in))."""
    return np.sqrt(2.0 / ((1.0 + negative_slope ** 2) * fan_in))


def leaky_he_std(fn, quiet=False):
    r"""Check ``fn(fan_in, negative_slope) -> std``: He's initialisation re-derived for Leaky ReLU.

    For z symmetric about 0, :math:`E[f(z)^2] = \tfrac{1 + a^2}{2} E[z^2]`, so keeping the second
    moment from layer to layer needs :math:`\operatorname{Var} W = 2 / ((1 + a^2)\,\text{fan-in})`
    (PyTorch's ``kaiming_normal_(w, a)``); a = 0 is He's rule, a = 1 a linear layer's 1/fan-in.
    """
    cases = [(64, 0.0), (30, 0.01), (30, 0.2), (784, 0.5), (1, 1.0), (500, 0.3), (10, 3.0)]

    def make(fan_in, a):
        def case():
            got = call_student(fn, fan_in, a)
            compare("std", got, _leaky_he_std(fan_in, a), f"fan_in = {fan_in}, negative_slope = {a}")
        return case

    return run("leaky_he_std", [make(*c) for c in cases], leaky_he_std.hint, quiet=quiet,
               success=f"gives the standard deviation that keeps the signal's second moment for "
                       f"{len(cases)} layers (a = 0 is He's rule, a = 1 a linear layer's).")


leaky_he_std.hint = Hints(
    "leaky_he_std",
    "redo He's argument: the factor 2 in 2/fan_in is there because ReLU keeps half of the second "
    "moment E[z²] of its input. How much of E[z²] does a Leaky ReLU with slope a keep, for z "
    "symmetric about 0?",
    "the positive half of z passes unchanged, the negative half is multiplied by a, so its square "
    "by a². Choose Var W so that fan_in · Var W times that kept share is 1; the task asks for the "
    "standard deviation.")
