"""Tests of course_lib/check/neurons.py (chapter 01): right answers in other forms pass; the given
buggy function, typical wrong answers, stubs and crashes fail saying why; hints come in steps."""
import numpy as np
import pytest

from course_lib import check, neuron
from course_lib.check.neurons import CHARGE_CHOICES, buggy_sigmoid_neuron, charge_experiment


# --- exercise 1: predict, then run (same_charge) ------------------------------------------------

def test_the_charge_experiment_has_a_clear_margin():
    """True on every machine: the short pulse fires with room to spare, the long one stays far below."""
    measured = charge_experiment()
    (short_spikes, short_peak), (long_spikes, long_peak) = measured["short"], measured["long"]
    assert short_spikes == 1 and short_peak > 20           # a full spike, peak near +40 mV
    assert long_spikes == 0 and long_peak < -55            # rest is −65 mV: a few mV above it
    # margins: half the short pulse's current still fires, twice the long pulse's does not
    runs = neuron.simulate(np.array([30.0, 2.0]), duration=30.0, pulse_start=2.0,
                           pulse_duration=np.array([0.25, 10.0]))
    assert neuron.spike_counts(runs.V).tolist() == [1, 0]


def test_the_right_prediction_passes_and_explains_with_the_measured_numbers(capsys):
    for spelling in ("short", " Short ", "SHORT"):
        assert bool(check.same_charge(spelling)) is True
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("✔ same_charge: right") and "fired 1 spike" in out and "leak" in out
    assert "Hint" not in out


@pytest.mark.parametrize("guess", [c for c in CHARGE_CHOICES if c != "short"])
def test_wrong_predictions_fail_with_what_happened_and_a_hint(guess, capsys):
    assert bool(check.same_charge(guess)) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith(f"✘ same_charge: you predicted {guess!r}") and "fired 0" in out
    assert "Hint:" in out and "check.same_charge.hint(2)" in out


@pytest.mark.parametrize("answer, words", [(None, "no prediction yet"), (2, "should be one of"),
                                           ("the short one", "should be one of"),
                                           (print, "should be one of")])
def test_a_missing_or_malformed_prediction_fails_and_never_raises(answer, words, capsys):
    assert bool(check.same_charge(answer)) is False
    assert words in capsys.readouterr().out


# --- exercise 2: find the bug (neuron_output) ---------------------------------------------------

def neuron_repaired(X, w, b):
    return 1 / (1 + np.exp(-(X @ w + b)))


def neuron_loop(X, w, b):                    # a loop over the rows, with lists
    X = np.asarray(X)
    rows = [X] if X.ndim == 1 else list(X)
    z = [sum(wi * xi for wi, xi in zip(w, row)) + b for row in rows]
    y = [1 / (1 + np.exp(-zi)) for zi in z]
    return y[0] if X.ndim == 1 else np.array(y)


def neuron_library_sigmoid(X, w, b):         # the course's stable sigmoid, with np.dot
    from course_lib.activations import sigmoid
    return sigmoid(np.dot(X, w) + b)


def neuron_float32(X, w, b):
    X32, w32 = np.asarray(X, np.float32), np.asarray(w, np.float32)
    return 1 / (1 + np.exp(-(X32 @ w32 + np.float32(b))))


def neuron_w_first(X, w, b):                 # w @ X: crashes on (N, D) with N ≠ D, wrong if N = D
    return 1 / (1 + np.exp(-(w @ X + b)))


def neuron_without_bias(X, w, b):
    return 1 / (1 + np.exp(-(X @ w)))


def neuron_without_activation(X, w, b):
    return X @ w + b


def neuron_bias_per_row_sum(X, w, b):        # the bias added to every input before the sum
    return 1 / (1 + np.exp(-((X + b) @ w)))


def neuron_in_place(X, w, b):
    X *= w                                   # overwrites the caller's inputs
    return 1 / (1 + np.exp(-(X.sum(axis=-1) + b)))


@pytest.mark.parametrize("answer", [neuron_repaired, neuron_loop, neuron_library_sigmoid, neuron_float32])
def test_repaired_neurons_in_any_form_pass(answer, capsys):
    assert bool(check.neuron_output(answer)) is True
    assert capsys.readouterr().out.startswith("✔ neuron_output:")


@pytest.mark.parametrize("answer, words", [
    (buggy_sigmoid_neuron, "y is wrong for X = [ 1. 0.5 -1. ]"),
    (neuron_w_first, "it raised ValueError"),
    (neuron_without_bias, "y is wrong"),
    (neuron_without_activation, "y is wrong"),
    (neuron_bias_per_row_sum, "y is wrong"),
], ids=lambda v: getattr(v, "__name__", "words"))
def test_the_given_bug_and_other_wrong_neurons_fail_with_the_case(answer, words, capsys):
    assert bool(check.neuron_output(answer)) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("✘ neuron_output:") and words in out and "Hint:" in out


def test_the_notebooks_buggy_function_is_the_one_the_check_fails():
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[1] / "notebooks" / "01_neurons.ipynb").read_text())
    cell = next("".join(c["source"]) for c in nb["cells"] if "check.neuron_output(sigmoid_neuron)"
                in "".join(c["source"]))
    assert "return 1 / (1 + np.exp(-X @ w + b))" in cell
    scope = {"np": np, "x": np.array([1.0, 0.5, -1.0]), "w": np.array([0.8, -0.4, 0.3]), "b": 0.1,
             "check": type("NoCheck", (), {"neuron_output": staticmethod(lambda f: None)})}
    exec(cell, scope)
    assert not check.neuron_output(scope["sigmoid_neuron"], quiet=True)


def test_a_square_batch_catches_w_times_X(capsys):
    # with N = D, w @ X runs: the square case must tell it from X @ w
    X, w = np.arange(16.0).reshape(4, 4) / 10, np.array([1.0, -1.0, 0.5, 0.0])
    assert not np.allclose(w @ X, X @ w)
    check.neuron_output(lambda X, w, b: neuron_w_first(X, w, b) if X.ndim == 2 and X.shape[0] == X.shape[1]
                        else neuron_repaired(X, w, b))
    assert "y is wrong for X = [[" in capsys.readouterr().out


def test_changing_the_inputs_in_place_fails_and_says_so(capsys):
    assert not check.neuron_output(neuron_in_place)
    out = capsys.readouterr().out
    assert "changed its input X in place" in out and "Hint" not in out


# --- exercise 3: gate weights -------------------------------------------------------------------

def gates_right(gate):
    return {"AND": (1.0, 1.0, -1.5), "OR": (1.0, 1.0, -0.5), "NAND": (-1.0, -1.0, 1.5)}[gate]


def gates_scaled(gate):                      # any positive multiple of a right answer is right too
    return tuple(10 * v for v in gates_right(gate))


def gates_as_list_of_ints(gate):             # a list, integers, unequal weights
    return {"AND": [2, 1, -2], "OR": [3, 1, 0], "NAND": [-2, -1, 3]}[gate]


def gates_and_on_the_line(gate):             # z = 0 at (1, 1): the step neuron says 0 there
    return {"AND": (1.0, 1.0, -2.0), "OR": (1.0, 1.0, -0.5), "NAND": (-1.0, -1.0, 1.5)}[gate]


def gates_nand_as_and(gate):                 # NAND with the signs of AND's weights only
    return {"AND": (1.0, 1.0, -1.5), "OR": (1.0, 1.0, -0.5), "NAND": (-1.0, -1.0, -1.5)}[gate]


def gates_always_or(gate):
    return 1.0, 1.0, -0.5


def gates_two_numbers(gate):
    return 1.0, 1.0


def gates_nan(gate):
    return np.nan, 1.0, 0.0


@pytest.mark.parametrize("answer", [gates_right, gates_scaled, gates_as_list_of_ints])
def test_right_gate_weights_pass(answer, capsys):
    assert bool(check.gate_weights(answer)) is True
    assert capsys.readouterr().out.startswith("✔ gate_weights:")


@pytest.mark.parametrize("answer, words", [
    (gates_and_on_the_line, "AND"), (gates_nand_as_and, "NAND is [1, 1, 1, 0]"),
    (gates_always_or, "AND"), (gates_two_numbers, "three numbers"), (gates_nan, "non-finite"),
], ids=lambda v: getattr(v, "__name__", "words"))
def test_wrong_gate_weights_fail_with_the_row(answer, words, capsys):
    assert bool(check.gate_weights(answer)) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("✘ gate_weights:") and words in out and "Hint:" in out


# --- exercise 4: derive, then implement (widest_hidden_layer) -----------------------------------

def widest_formula(n_in, n_out, budget):
    return max(0, (budget - n_out) // (n_in + 1 + n_out))


def widest_search(n_in, n_out, budget):      # trying h = 1, 2, … with the library's count
    from course_lib.experiments.logic_gates import count_parameters
    h = 0
    while count_parameters([n_in, h + 1, n_out]) <= budget:
        h += 1
    return h


def widest_float_floor(n_in, n_out, budget):  # a float that is a whole number is fine
    import math
    return float(max(0, math.floor((budget - n_out) / (n_in + 1 + n_out))))


def widest_numpy_int(n_in, n_out, budget):
    return np.int64(widest_formula(n_in, n_out, budget))


def widest_forgets_output_biases(n_in, n_out, budget):
    return budget // (n_in + 1 + n_out)


def widest_forgets_hidden_biases(n_in, n_out, budget):
    return (budget - n_out) // (n_in + n_out)


def widest_strict(n_in, n_out, budget):       # "< budget": an exact fit is refused
    return max(0, (budget - n_out - 1) // (n_in + 1 + n_out))


def widest_rounded(n_in, n_out, budget):
    return max(0, round((budget - n_out) / (n_in + 1 + n_out)))


def widest_unrounded(n_in, n_out, budget):
    return (budget - n_out) / (n_in + 1 + n_out)


def widest_text(n_in, n_out, budget):
    return "125 units"


@pytest.mark.parametrize("answer", [widest_formula, widest_search, widest_float_floor, widest_numpy_int])
def test_right_widths_pass(answer, capsys):
    assert bool(check.widest_hidden_layer(answer)) is True
    assert capsys.readouterr().out.startswith("✔ widest_hidden_layer:")


@pytest.mark.parametrize("answer, words", [
    (widest_forgets_output_biases, "expected"), (widest_forgets_hidden_biases, "expected"),
    (widest_strict, "budget = 9: got 1, expected 2 (h = 2 uses 9 parameters"),
    (widest_rounded, "expected"), (widest_unrounded, "expected"),
    (widest_text, "whole number of units"),
], ids=lambda v: getattr(v, "__name__", "words"))
def test_wrong_widths_fail_with_the_budget_and_the_counts(answer, words, capsys):
    assert bool(check.widest_hidden_layer(answer)) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("✘ widest_hidden_layer: ") and words in out and "Hint:" in out


def test_the_classic_digit_network_does_not_fit_in_100_000():
    assert widest_formula(784, 10, 100_000) == 125 < 128


# --- every check of the chapter ------------------------------------------------------------------

CHAPTER = ["same_charge", "neuron_output", "gate_weights", "widest_hidden_layer"]


def test_the_chapter_has_its_four_checks_and_no_retired_ones():
    assert all(name in check.__all__ for name in CHAPTER)
    assert not hasattr(check, "potassium_current") and not hasattr(check, "count_parameters")


@pytest.mark.parametrize("name", CHAPTER)
def test_hints_come_in_steps_and_none_gives_the_code(name, capsys):
    steps = getattr(check, name).hint.steps
    assert len(steps) >= 2 and len(set(steps)) == len(steps)
    for step in steps:
        for code in ("return ", "np.exp(-(", "//", "X @ w + b", "(n_in + 1 + n_out)"):
            assert code not in step, f"{name}'s hint gives code away: {code!r}"
    getattr(check, name).hint(2)
    assert capsys.readouterr().out.startswith(f"  Hint 2 of {len(steps)}:")


def test_quiet_checks_print_nothing(capsys):
    assert check.widest_hidden_layer(widest_formula, quiet=True)
    assert not check.widest_hidden_layer(widest_strict, quiet=True)
    assert check.same_charge("short", quiet=True) and not check.same_charge(None, quiet=True)
    assert not check.neuron_output(buggy_sigmoid_neuron, quiet=True)
    assert capsys.readouterr().out == ""
