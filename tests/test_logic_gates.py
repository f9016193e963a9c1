"""Tests of course_lib/logic_gates.py: one neuron draws a line; AND/OR are separable, XOR is not."""
import numpy as np
import pytest

from course_lib.experiments import logic_gates as lg
from course_lib.network import MLP


def test_truth_tables():
    X, y = lg.truth_table("xor")
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 1, 1, 0]
    assert lg.truth_table("AND")[1].tolist() == [0, 0, 0, 1]
    X[0, 0] = 5                                       # a copy: the module's table is unchanged
    assert lg.GATE_INPUTS[0, 0] == 0


def test_step_is_strict_at_zero():
    assert lg.step(np.array([-1.0, 0.0, 1e-12])).tolist() == [0.0, 0.0, 1.0]


def test_neuron_output_is_activation_of_weighted_sum_plus_bias():
    x, w, b = np.array([1.0, 2.0, -1.0]), np.array([0.5, -0.25, 2.0]), 0.3
    z = 0.5 - 0.5 - 2.0 + 0.3
    assert lg.neuron_output(x, w, b, "identity") == pytest.approx(z)
    assert lg.neuron_output(x, w, b, "sigmoid") == pytest.approx(1 / (1 + np.exp(-z)))
    assert lg.neuron_output(x, w, b) == 0.0
    batch = lg.neuron_output(np.stack([x, -x]), w, b, "identity")
    assert batch.shape == (2,) and batch[1] == pytest.approx(-z + 2 * b)


def test_sigmoid_neuron_is_stable_for_huge_inputs():
    y = lg.neuron_output(np.array([[1e3], [-1e3]]), np.array([1.0]), 0.0, "sigmoid")
    assert np.all(np.isfinite(y)) and y.tolist() == [1.0, 0.0]


@pytest.mark.parametrize("gate, weights", [("AND", (1, 1, -1.5)), ("OR", (1, 1, -0.5)), ("NAND", (-1, -1, 1.5))])
def test_hand_weights_compute_the_gates(gate, weights):
    assert lg.predict_gate(*weights).tolist() == lg.GATES[gate].tolist()


@pytest.mark.parametrize("gate, best", [("AND", 1.0), ("OR", 1.0), ("NAND", 1.0), ("XOR", 0.75)])
def test_only_xor_has_no_separating_line(gate, best):
    accuracy, (w1, w2, b) = lg.best_linear_accuracy(gate)
    assert accuracy == best
    assert np.mean(lg.predict_gate(w1, w2, b) == lg.GATES[gate]) == best    # the returned line achieves it


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_perceptron_rule_converges_on_separable_gates(gate):
    w, b, mistakes = lg.perceptron_train(gate, epochs=20)
    assert mistakes[-1] == 0 and mistakes[0] > 0
    assert lg.predict_gate(w[0], w[1], b).tolist() == lg.GATES[gate].tolist()


def test_perceptron_rule_never_settles_on_xor():
    w, b, mistakes = lg.perceptron_train("XOR", epochs=50)
    assert min(mistakes) >= 1


def test_hand_built_network_computes_xor_through_or_and_nand():
    X, y = lg.truth_table("XOR")
    out, h = lg.two_layer_output(X, **lg.XOR_NETWORK)
    assert out.tolist() == y.tolist()
    assert h[:, 0].tolist() == lg.GATES["OR"].tolist() and h[:, 1].tolist() == lg.GATES["NAND"].tolist()


@pytest.mark.parametrize("sizes", [[2, 3, 2], [3, 4, 4, 2], [784, 128, 10]])
def test_count_parameters_matches_an_actual_network(sizes):
    assert lg.count_parameters(sizes) == MLP(sizes, seed=0).flat_params().size


def test_count_parameters_of_one_neuron():
    assert lg.count_parameters([2, 1]) == 3          # w1, w2, b


def test_half_plane_polygon_is_the_positive_side_clipped_to_the_box():
    poly = lg.half_plane_polygon(1.0, 1.0, -1.0, box=(0, 1, 0, 1))    # x1 + x2 > 1: the upper-right triangle
    assert sorted(map(tuple, np.round(poly, 12))) == [(0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
    assert lg.half_plane_polygon(0.0, 0.0, -1.0).shape == (0, 2)      # nothing fires
    assert lg.half_plane_polygon(0.0, 0.0, 1.0).shape == (4, 2)       # everything fires
    rng = np.random.default_rng(0)
    for w1, w2, b in rng.normal(size=(20, 3)):                        # area agrees with a fine grid count
        poly = lg.half_plane_polygon(w1, w2, b, box=(0, 1, 0, 1))
        x, y = poly[:, 0], poly[:, 1]
        area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) if len(poly) else 0.0
        g = (np.arange(400) + 0.5) / 400
        fraction = np.mean(lg.step(np.add.outer(w1 * g, w2 * g) + b))
        assert abs(area - fraction) < 0.01


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="gate"):
        lg.truth_table("XNOR")
    with pytest.raises(ValueError, match="x must have 2 features"):
        lg.neuron_output(np.ones(3), np.ones(2), 0.0)
    with pytest.raises(ValueError, match="activation"):
        lg.neuron_output(np.ones(2), np.ones(2), 0.0, "relu6")
    with pytest.raises(TypeError, match="b"):
        lg.neuron_output(np.ones(2), np.ones(2), "zero")
    with pytest.raises(ValueError, match="w1"):
        lg.predict_gate(np.inf, 1.0, 0.0)
    with pytest.raises(ValueError, match="shapes do not fit"):
        lg.two_layer_output(np.ones((4, 2)), np.ones((3, 2)), np.ones(2), np.ones(2), 0.0)
    with pytest.raises(TypeError, match="layer_sizes"):
        lg.count_parameters(5)
    with pytest.raises(ValueError, match=r"layer_sizes\[1\]"):
        lg.count_parameters([3, 0, 2])
    with pytest.raises(TypeError, match=r"box\[1\]"):
        lg.half_plane_polygon(1.0, 1.0, 0.0, box=(0, "one", 0, 1))
    with pytest.raises(ValueError, match="lr"):
        lg.perceptron_train("AND", lr=0)
