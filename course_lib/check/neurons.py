"""Checks for chapter 01 (neurons)."""
import numpy as np

from ..activations import sigmoid as reference_sigmoid
from ..experiments.logic_gates import GATE_INPUTS, GATES, count_parameters as reference_count
from .. import neuron
from ._core import CheckFailed, Hints, call_student, compare, fmt, prediction_value, run

__all__ = ["same_charge", "neuron_output", "gate_weights", "widest_hidden_layer"]


# --- exercise 1: predict, then run ---------------------------------------------------------------

CHARGE_PULSES = {"short": (40.0, 0.25), "long": (1.0, 10.0)}     # µA/cm², ms: 10 nC/cm² each
CHARGE_CHOICES = ("both", "short", "long", "neither")


def charge_experiment():
    """Fire the two pulses of :func:`same_charge` into the resting axon.

    Returns ``{name: (spikes, peak V in mV)}`` for ``"short"`` (40 µA/cm² for 0.25 ms) and
    ``"long"`` (1 µA/cm² for 10 ms), both delivering the charge of the chapter's 1 ms pulse of
    10 µA/cm².
    """
    amplitudes = np.array([a for a, _ in CHARGE_PULSES.values()])
    durations = np.array([d for _, d in CHARGE_PULSES.values()])
    runs = neuron.simulate(amplitudes, duration=30.0, pulse_start=2.0, pulse_duration=durations)
    counts, peaks = neuron.spike_counts(runs.V), runs.V.max(axis=-1)
    return {name: (int(c), float(p)) for name, c, p in zip(CHARGE_PULSES, counts, peaks)}


def same_charge(prediction, quiet=False):
    """Check a prediction: which of two pulses with the charge of the 1 ms, 10 µA/cm² pulse fires?

    ``prediction`` is one of ``"both"``, ``"short"`` (only 40 µA/cm² for 0.25 ms), ``"long"``
    (only 1 µA/cm² for 10 ms) or ``"neither"``. The check runs the Hodgkin–Huxley axon on both
    pulses and explains the outcome with the measured spikes and peak voltages.
    """
    measured = charge_experiment()
    fired = [name for name, (spikes, _) in measured.items() if spikes > 0]
    outcome = {2: "both", 1: fired[0] if fired else None}.get(len(fired), "neither")
    (s_short, v_short), (s_long, v_long) = measured["short"], measured["long"]
    story = (f"the short pulse (40 µA/cm² for 0.25 ms) fired {s_short} spike{'s' * (s_short != 1)}, "
             f"peak {v_short:+.0f} mV; the long one (1 µA/cm² for 10 ms) fired {s_long}, peak "
             f"{v_long:+.0f} mV, only {v_long - neuron.resting_state()[0]:.0f} mV above rest.")

    why = ("The short pulse charges the membrane faster than the leak drains it, so V crosses "
           "threshold; the long one brings its charge so slowly that the leak carries it away as it "
           "comes. Charge alone does not decide: charge delivered before the leak removes it does.")

    def case():
        guess = prediction_value(prediction, CHARGE_CHOICES)
        if guess != outcome:
            raise CheckFailed(f"you predicted {guess!r}, but {story} {why}")

    return run("same_charge", [case], same_charge.hint, quiet=quiet, success=f"right: {story} {why}")


same_charge.hint = Hints(
    "same_charge",
    "The membrane is a capacitor with a leak: injected charge raises V, and the leak drains it "
    "away, the faster the further V is above rest. A spike needs V to reach threshold, not just "
    "some charge to arrive eventually.",
    "Compare each pulse's length with how fast the membrane leaks (its time constant is a few ms), "
    "and remember the current a step must exceed to fire at all (found in the f–I section). "
    "Which pulse delivers its charge before the leak can remove it?",
)


# --- exercise 2: find the bug --------------------------------------------------------------------

def buggy_sigmoid_neuron(X, w, b):
    """The function the student is given: it runs, gives numbers in (0, 1), and is wrong."""
    return 1 / (1 + np.exp(-X @ w + b))


def neuron_output(fn, quiet=False):
    """Check ``fn(X, w, b) -> σ(X·w + b)``: one sigmoid neuron on one input (D,) or a batch (N, D).

    Cases include a bias of each sign (where the given buggy version, which adds −b, fails) and a
    square batch (N = D), where ``w @ X`` runs but is wrong.
    """
    rng = np.random.RandomState(11)
    cases = [(np.array([1.0, 0.5, -1.0]), np.array([0.8, -0.4, 0.3]), 0.1),
             (np.array([0.0, 0.0]), np.array([1.0, 1.0]), 1.0),
             (np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([2.0, -1.0]), -0.5),
             (rng.randn(4, 4), rng.randn(4), 0.7),
             (rng.randn(6, 3), rng.randn(3), -1.3),
             (rng.randn(5, 2), np.zeros(2), 0.0)]

    def make(X, w, b):
        def case():
            expected = reference_sigmoid(X @ w + b)
            compare("y", call_student(fn, X, w, b), expected,
                    f"X = {fmt(X)}, w = {fmt(w)}, b = {b:g}")
        return case

    return run("neuron_output", [make(*c) for c in cases], neuron_output.hint, quiet=quiet,
               success=f"matches σ(w·x + b) on {len(cases)} cases, one input and batches.")


neuron_output.hint = Hints(
    "neuron_output",
    "Test the given function on a case you can do in your head: one input x = [0, 0], weights "
    "[1, 1] and bias b = 1 give z = 1, so the neuron should answer σ(1) ≈ 0.731. What does the "
    "function answer, and which single number explains the difference?",
    "Write out, for that case, the exact number the function hands to np.exp, and compare it with "
    "−z = −(w·x + b). Which terms does the minus sign reach, and which does it miss?",
)


# --- exercise 3: a model thinking exercise -------------------------------------------------------

def _weights_case(fn, gate):
    def case():
        out = call_student(fn, gate)
        if not isinstance(out, (tuple, list, np.ndarray)) or len(out) != 3:
            raise CheckFailed(f"gate_weights({gate!r}) should return three numbers (w1, w2, b); "
                              f"got {out!r:.60}")
        try:
            w1, w2, b = (float(v) for v in out)
        except (TypeError, ValueError):
            raise CheckFailed(f"gate_weights({gate!r}) should return three numbers (w1, w2, b); "
                              f"got {out!r:.60}") from None
        if not np.all(np.isfinite([w1, w2, b])):
            raise CheckFailed(f"gate_weights({gate!r}) returned a non-finite number: {(w1, w2, b)}")
        z = GATE_INPUTS @ np.array([w1, w2]) + b
        got = (z > 0).astype(int)
        wrong = np.flatnonzero(got != GATES[gate])
        if wrong.size:
            x = GATE_INPUTS[wrong[0]].astype(int).tolist()
            raise CheckFailed(f"with w1={w1:g}, w2={w2:g}, b={b:g} the neuron computes {got.tolist()} "
                              f"on the inputs (0,0), (0,1), (1,0), (1,1); {gate} is "
                              f"{GATES[gate].tolist()}. First wrong row: x = {x}, w·x + b = "
                              f"{z[wrong[0]]:g}")
    return case


def gate_weights(fn, quiet=False):
    """Check ``fn(gate) -> (w1, w2, b)`` for "AND", "OR" and "NAND".

    A step neuron (1 if w·x + b > 0) with the returned weights must compute the gate on all four rows.
    """
    return run("gate_weights", [_weights_case(fn, g) for g in ("AND", "OR", "NAND")],
               gate_weights.hint, quiet=quiet,
               success="the step neuron computes AND, OR and NAND with your weights.")


gate_weights.hint = Hints(
    "gate_weights",
    "The line w1·x1 + w2·x2 + b = 0 must put the corners whose answer is 1 strictly on its "
    "positive side and the others on or below it. Write the four inequalities, one per corner.",
    "For AND only (1, 1) may get above the line: with equal weights, the bias must cancel one "
    "input but not two. OR needs the bias to cancel nothing but zero inputs. NAND is AND with "
    "every answer flipped: what does changing the sign of all three numbers do to the sides?",
)


# --- exercise 4: derive, then implement ----------------------------------------------------------

def _widest(n_in, n_out, budget):
    """The reference, by search: the largest h with count_parameters([n_in, h, n_out]) ≤ budget."""
    h = 0
    while reference_count([n_in, h + 1, n_out]) <= budget:
        h += 1
    return h


def widest_hidden_layer(fn, quiet=False):
    """Check ``fn(n_in, n_out, budget) -> h``: the most hidden units a [n_in, h, n_out] network
    can have with at most ``budget`` weights and biases (0 if not even one fits).

    Cases include budgets met exactly (``< budget`` instead of ``≤`` fails), budgets one short of
    that, budgets too small for one unit, and large ones (a formula that forgets a set of biases
    is off there).
    """
    cases = [(2, 1, 9), (2, 1, 8), (3, 2, 14), (3, 2, 13), (2, 2, 5), (2, 2, 7), (1, 1, 4),
             (784, 10, 100_000), (784, 10, 1_000_000), (10, 3, 1234), (100, 100, 20_301)]

    def make(n_in, n_out, budget):
        def case():
            expected = _widest(n_in, n_out, budget)
            got = call_student(fn, n_in, n_out, budget)
            label = f"n_in = {n_in}, n_out = {n_out}, budget = {budget:,}"
            try:
                value = float(got)
            except (TypeError, ValueError):
                raise CheckFailed(f"it should return a whole number of units; got {got!r:.60} "
                                  f"for {label}") from None
            if value != expected:
                over = reference_count([n_in, expected + 1, n_out])
                used = (f"h = {expected} uses {reference_count([n_in, expected, n_out]):,} "
                        "parameters, " if expected else "")
                raise CheckFailed(f"wrong for {label}: got {fmt(value)}, expected {expected} "
                                  f"({used}h = {expected + 1} would need {over:,})")
        return case

    return run("widest_hidden_layer", [make(*c) for c in cases], widest_hidden_layer.hint,
               quiet=quiet, success=f"right on {len(cases)} budgets, exact fits and near misses "
                                    "included.")


widest_hidden_layer.hint = Hints(
    "widest_hidden_layer",
    "Write the parameter count of the network [n_in, h, n_out] as a function of h: each of its two "
    "layers has a weight matrix and biases. Then ask for the largest whole h with count ≤ budget.",
    "The count is a straight line in h: some number of parameters per hidden unit (count what one "
    "extra unit adds, in both layers) plus a fixed part that is there even with no hidden unit. "
    "Solve for h and round the right way; a budget met exactly is allowed.",
)
