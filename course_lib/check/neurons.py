"""Checks for chapter 01 (neurons)."""
import numpy as np

from ..activations import sigmoid as reference_sigmoid
from ..experiments.logic_gates import GATE_INPUTS, GATES, count_parameters as reference_count
from ..neuron import ionic_currents
from ._core import CheckFailed, call_student, compare, fmt, run

__all__ = ["neuron_output", "gate_weights", "count_parameters", "potassium_current"]


def neuron_output(fn, quiet=False):
    """Check ``fn(x, w, b) -> σ(w·x + b)`` for one input vector x (D,), weights w (D,) and bias b."""
    rng = np.random.RandomState(11)
    cases = [(np.array([1.0, 0.0]), np.array([2.0, -1.0]), 0.5),
             (np.array([0.5, -1.0, 2.0]), np.array([0.0, 0.0, 0.0]), 0.0)]
    cases += [(rng.randn(d), rng.randn(d), float(rng.randn())) for d in (1, 2, 4, 5, 7)]

    def make(x, w, b):
        def case():
            expected = reference_sigmoid(np.dot(w, x) + b)
            compare("y", call_student(fn, x, w, b), expected, f"x = {fmt(x)}, w = {fmt(w)}, b = {b:.3g}")
        return case

    return run("neuron_output", [make(*c) for c in cases],
               hint="first the weighted sum plus bias, z = Σ wᵢxᵢ + b (np.dot), then the activation σ(z) = 1 / (1 + e^(−z)).",
               quiet=quiet, success=f"matches σ(w·x + b) on {len(cases)} cases.")


def _weights_case(fn, gate):
    def case():
        out = call_student(fn, gate)
        if not isinstance(out, (tuple, list, np.ndarray)) or len(out) != 3:
            raise CheckFailed(f"gate_weights({gate!r}) should return three numbers (w1, w2, b); got {out!r:.60}")
        try:
            w1, w2, b = (float(v) for v in out)
        except (TypeError, ValueError):
            raise CheckFailed(f"gate_weights({gate!r}) should return three numbers (w1, w2, b); got {out!r:.60}") from None
        if not np.all(np.isfinite([w1, w2, b])):
            raise CheckFailed(f"gate_weights({gate!r}) returned a non-finite number: {(w1, w2, b)}")
        z = GATE_INPUTS @ np.array([w1, w2]) + b
        got = (z > 0).astype(int)
        wrong = np.flatnonzero(got != GATES[gate])
        if wrong.size:
            x = GATE_INPUTS[wrong[0]].astype(int).tolist()
            raise CheckFailed(f"with w1={w1:g}, w2={w2:g}, b={b:g} the neuron computes {got.tolist()} on the inputs "
                              f"(0,0), (0,1), (1,0), (1,1); {gate} is {GATES[gate].tolist()}. First wrong row: x = {x}, "
                              f"w·x + b = {z[wrong[0]]:g}")
    return case


def gate_weights(fn, quiet=False):
    """Check ``fn(gate) -> (w1, w2, b)`` for "AND", "OR" and "NAND": a step neuron (1 if w·x + b > 0) with them computes the gate."""
    return run("gate_weights", [_weights_case(fn, g) for g in ("AND", "OR", "NAND")],
               hint="the line w1·x1 + w2·x2 + b = 0 must put the rows whose answer is 1 on its positive side; "
                    "for AND only (1, 1) may get there, so the bias must cancel one input but not two.",
               quiet=quiet, success="the step neuron computes AND, OR and NAND with your weights.")


def count_parameters(fn, quiet=False):
    """Check ``fn(layer_sizes) -> int``, the number of weights and biases of a fully connected network."""
    cases = [[2, 1], [2, 3, 2], [3, 4, 4, 2], [784, 128, 10], [10, 1, 10], [5, 5, 5, 5, 5]]

    def make(sizes):
        def case():
            got = call_student(fn, list(sizes))
            compare("the count", got, reference_count(sizes), f"layer_sizes = {sizes}", rtol=0, atol=0)
        return case

    return run("count_parameters", [make(s) for s in cases],
               hint="between layers of n_in and n_out units there are n_in·n_out weights and n_out biases; add over consecutive pairs.",
               quiet=quiet, success=f"right on {len(cases)} networks, from [2, 1] to [784, 128, 10].")


def potassium_current(fn, quiet=False):
    """Check ``fn(V, n) -> I_K = ḡ_K n⁴ (V − E_K)`` element-wise (V in mV, n in [0, 1])."""
    rng = np.random.RandomState(12)
    cases = [(-65.0, 0.3177), (-77.0, 0.9), (20.0, 0.0), (30.0, 1.0),
             (np.linspace(-80, 40, 7), rng.uniform(0, 1, 7))]

    def make(V, n):
        def case():
            expected = ionic_currents(V, 0.0, 0.0, n)[1]
            compare("I_K", call_student(fn, V, n), expected, f"V = {fmt(V)} mV, n = {fmt(n)}", rtol=1e-9)
        return case

    return run("potassium_current", [make(*c) for c in cases],
               hint="I_K = g_K · n⁴ · (V − E_K) with g_K = 36 mS/cm² and E_K = −77 mV; it is 0 at V = E_K.",
               quiet=quiet, success=f"matches ḡ_K n⁴ (V − E_K) on {len(cases)} cases, arrays included.")
