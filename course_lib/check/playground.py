"""Checks for chapter 11 (the playground): which feature makes XOR linear, what a linear network can
learn, and how many parameters a network of the playground has.

Each "predict, then run" check runs the experiment in a :class:`~course_lib.experiments.playground.Playground`
(seed 0, 40 epochs of Adam): a set counts as learnt at a test accuracy of at least 90 %. Over seeds 0–2
the sets that are learnt reach 100 % and the others stay at or below 72 % (tests/test_check_playground.py).
"""
import functools
import numbers

from ..experiments.playground import FEATURES, Playground
from ._core import CheckFailed, Hints, call_student, compare, prediction_value, run

__all__ = ["xor_feature", "linear_network", "parameter_count"]

LEARNT = 0.9              # test accuracy at which a set counts as learnt
EPOCHS = 40


def _test_accuracy(**config):
    pg = Playground({"points": 200, "optimizer": "adam", "lr": 0.03, **config})
    pg.train(EPOCHS)
    return pg.accuracy()[1]


def _learnt(accuracy):
    return [name for name, a in accuracy.items() if a >= LEARNT]


def _table(accuracy):
    return f"test accuracy after {EPOCHS} epochs: " + ", ".join(f"{name}: {a:.0%}" for name, a in accuracy.items())


# --- exercise 1: predict, then run: one feature for XOR ---------------------------------------------

XOR_CHOICES = tuple(f for f in FEATURES if f not in ("x1", "x2"))


@functools.lru_cache(maxsize=1)
def xor_feature_experiment():
    """Test accuracy on XOR of a network with no hidden layer and inputs x1, x2 and one more feature, for each."""
    return {f: _test_accuracy(dataset="xor", hidden=[], features=["x1", "x2", f]) for f in XOR_CHOICES}


def xor_feature(prediction, quiet=False):
    """Check a prediction: which one feature, added to x1 and x2, lets a network with no hidden layer learn XOR?

    ``prediction`` is one of "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)".
    """
    why = ("With no hidden layer the network's logit is a weighted sum of its inputs, so its boundary is "
           "a straight line in the features. XOR's label is the sign of x1·x2: with x1·x2 as an input, one "
           "weight on it is the whole answer, a line (a plane) in the space (x1, x2, x1·x2). The other "
           "features are even in one coordinate or ignore one, so no weighted sum of them can tell the "
           "quadrants apart. A hidden layer learns such a feature itself.")

    def case():
        guess = prediction_value(prediction, XOR_CHOICES)        # before the experiment: None fails at once
        if guess not in _learnt(xor_feature_experiment()):
            raise CheckFailed(f"you predicted {guess!r}; {_table(xor_feature_experiment())}. {why}")

    return run("xor_feature", [case], xor_feature.hint, quiet=quiet,
               success=lambda: f"right: {_table(xor_feature_experiment())}. {why}")


xor_feature.hint = Hints(
    "xor_feature",
    "Without a hidden layer, the network separates the classes by a weighted sum of its inputs: "
    "which feature already has one sign on the class-1 quadrants and the other on the rest?",
    "XOR's class is 1 where x1 and x2 have the same sign. Which product or function of the "
    "coordinates is positive exactly there?",
)


# --- exercise 2: predict, then run: what a linear network learns ------------------------------------

LINEAR_CHOICES = ("circle", "xor", "gauss", "spiral")


@functools.lru_cache(maxsize=1)
def linear_network_experiment():
    """Test accuracy of a [8, 8] network with the linear activation on inputs x1, x2, for each data set."""
    return {d: _test_accuracy(dataset=d, hidden=[8, 8], activation="linear") for d in LINEAR_CHOICES}


def linear_network(prediction, quiet=False):
    """Check a prediction: which data sets does a network of two hidden layers of 8 linear neurons learn?

    ``prediction`` is a list (or set) of data set names, from "circle", "xor", "gauss", "spiral";
    an empty list says it learns none.
    """
    why = ("Without a non-linear activation every layer is an affine map, and affine maps of affine maps "
           "are one affine map: the 2-8-8-2 network is a one-layer network in disguise (chapter 03), its "
           "boundary a straight line. Only the two Gaussian clusters can be cut by a line.")

    def case():
        if prediction is None or prediction is Ellipsis:
            prediction_value(prediction, LINEAR_CHOICES)          # "no prediction yet"
        if isinstance(prediction, str) or not hasattr(prediction, "__iter__"):
            raise CheckFailed(f"the prediction should be a list of data set names, e.g. ['circle']; got "
                              f"{prediction!r}")
        guess = {prediction_value(p, LINEAR_CHOICES) for p in prediction}
        if guess != set(_learnt(linear_network_experiment())):
            raise CheckFailed(f"you predicted {sorted(guess)}; {_table(linear_network_experiment())}. {why}")

    return run("linear_network", [case], linear_network.hint, quiet=quiet,
               success=lambda: f"right: {_table(linear_network_experiment())}. {why}")


linear_network.hint = Hints(
    "linear_network",
    "Write one linear layer after another: (xW1 + b1)W2 + b2. What kind of function of x is that?",
    "So the whole network's boundary is what one affine map can draw: a straight line. Look at each "
    "data set: which can a single straight line separate?",
)


# --- exercise 3: derive: the parameters of a network ------------------------------------------------

PARAMETER_CASES = [
    {"features": ["x1", "x2"], "hidden": [4, 2], "classes": 2},
    {"features": ["x1", "x2"], "hidden": [], "classes": 2},
    {"features": list(FEATURES), "hidden": [8, 8, 8, 8, 8, 8], "classes": 2},
    {"features": ["x1", "x2", "sin(x1)"], "hidden": [5], "classes": 4, "dataset": "gauss"},
    {"features": ["x1", "x2"], "hidden": [3, 6], "classes": 2, "batchnorm": True},
    {"features": ["x1^2", "x2^2", "x1*x2"], "hidden": [1], "classes": 3, "dataset": "spiral", "batchnorm": True},
]


def parameter_count(fn, quiet=False):
    """Check ``fn(config) -> int``: the number of trainable parameters of the playground's network.

    ``config`` holds "features" (a list of names), "hidden" (a list of widths), "classes" and
    optionally "batchnorm"; the reference is the length of the network's flat parameter vector.
    """
    def make_case(config):
        def case():
            expected = Playground({"points": 20, **config}).net.flat_params().size
            got = call_student(fn, dict(config))
            if isinstance(got, bool) or not isinstance(got, numbers.Real) or float(got) != int(got):
                raise CheckFailed(f"for {config} it should return a whole number; got {got!r}")
            compare("the parameter count", int(got), expected, config, rtol=0, atol=0)
        return case

    return run("parameter_count", [make_case(c) for c in PARAMETER_CASES], parameter_count.hint, quiet=quiet,
               success=f"matches the network on {len(PARAMETER_CASES)} configurations, with and without "
                       f"hidden layers and batch norm.")


parameter_count.hint = Hints(
    "parameter_count",
    "Go layer by layer, from the inputs (one per feature) to the outputs (one per class): each layer "
    "has a weight for every pair of an input and an output unit, and a bias for every output unit.",
    "Batch norm adds two learnt numbers per normalised unit (γ and β); it normalises each hidden "
    "layer, not the output layer. With no hidden layer, the inputs connect straight to the outputs.",
)
