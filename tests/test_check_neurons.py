"""Tests of course_lib/check/neurons.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import numpy as np
import pytest

from course_lib import check


def neuron_right(x, w, b):
    return 1 / (1 + np.exp(-(np.dot(w, x) + b)))


def neuron_without_bias(x, w, b):
    return 1 / (1 + np.exp(-np.dot(w, x)))


def neuron_without_activation(x, w, b):
    return np.dot(w, x) + b


def gates_right(gate):
    return {"AND": (1.0, 1.0, -1.5), "OR": (1.0, 1.0, -0.5), "NAND": (-1.0, -1.0, 1.5)}[gate]


def gates_scaled(gate):                  # any positive multiple of a right answer is right too
    return tuple(10 * v for v in gates_right(gate))


def gates_and_on_the_line(gate):         # z = 0 at (1, 1): the step neuron says 0 there
    return {"AND": (1.0, 1.0, -2.0), "OR": (1.0, 1.0, -0.5), "NAND": (-1.0, -1.0, 1.5)}[gate]


def gates_always_or(gate):
    return 1.0, 1.0, -0.5


def gates_two_numbers(gate):
    return 1.0, 1.0


def gates_nan(gate):
    return np.nan, 1.0, 0.0


def count_right(sizes):
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def count_weights_only(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def count_biases_of_inputs(sizes):
    return sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:]))


def potassium_right(V, n):
    return 36.0 * np.asarray(n) ** 4 * (np.asarray(V) + 77.0)


def potassium_n_cubed(V, n):
    return 36.0 * np.asarray(n) ** 3 * (np.asarray(V) + 77.0)


def potassium_sodium_reversal(V, n):
    return 36.0 * np.asarray(n) ** 4 * (np.asarray(V) - 50.0)


def potassium_scalar_only(V, n):
    return 36.0 * float(n) ** 4 * (float(V) + 77.0)


def crashes(*args):
    return 1 / 0


RIGHT = [(check.neuron_output, neuron_right), (check.gate_weights, gates_right), (check.gate_weights, gates_scaled),
         (check.count_parameters, count_right), (check.potassium_current, potassium_right)]
WRONG = [(check.neuron_output, neuron_without_bias, "b = "), (check.neuron_output, neuron_without_activation, "y"),
         (check.gate_weights, gates_and_on_the_line, "AND"), (check.gate_weights, gates_always_or, "AND"),
         (check.gate_weights, gates_two_numbers, "three numbers"), (check.gate_weights, gates_nan, "non-finite"),
         (check.count_parameters, count_weights_only, "[2, 1]"), (check.count_parameters, count_biases_of_inputs, "count"),
         (check.potassium_current, potassium_n_cubed, "I_K"), (check.potassium_current, potassium_sodium_reversal, "I_K"),
         (check.potassium_current, potassium_scalar_only, "raised")]
ALL_CHECKS = [check.neuron_output, check.gate_weights, check.count_parameters, check.potassium_current]


@pytest.mark.parametrize("check_fn, answer", RIGHT, ids=lambda v: getattr(v, "__name__", ""))
def test_right_answers_pass(check_fn, answer, capsys):
    assert bool(check_fn(answer)) is True
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("check_fn, answer, words", WRONG, ids=lambda v: getattr(v, "__name__", str(v)))
def test_wrong_answers_fail_with_the_case_and_a_hint(check_fn, answer, words, capsys):
    assert bool(check_fn(answer)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘") and "Hint:" in out and words in out


def test_quiet_checks_print_nothing(capsys):
    assert bool(check.count_parameters(count_right, quiet=True)) is True
    assert bool(check.count_parameters(count_weights_only, quiet=True)) is False
    assert capsys.readouterr().out == ""
