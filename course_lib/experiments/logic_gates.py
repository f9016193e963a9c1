r"""One artificial neuron (人工神经元) and the logic gates it can and cannot compute.

A neuron with inputs :math:`x \in \mathbb{R}^D`, weights :math:`w`, bias :math:`b` and activation
:math:`f` outputs :math:`y = f(w \cdot x + b)`. With the step activation (:math:`f(z) = 1` if
:math:`z > 0`, else 0) it answers 1 on one side of the line :math:`w_1 x_1 + w_2 x_2 + b = 0` and 0
on the other: AND and OR are such half-planes, XOR is not, and a hidden layer fixes that.
"""
import numpy as np

from .._validate import as_array, as_number
from ..activations import sigmoid

__all__ = ["GATE_INPUTS", "GATES", "truth_table", "step", "neuron_output", "predict_gate",
           "best_linear_accuracy", "perceptron_train", "half_plane_polygon", "XOR_NETWORK", "two_layer_output", "count_parameters"]

GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])   # (4, 2): the rows of a truth table
GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "XOR": np.array([0, 1, 1, 0]),
}


def _gate_name(gate):
    if not isinstance(gate, str) or gate.upper() not in GATES:
        raise ValueError(f"gate must be one of {sorted(GATES)}; got {gate!r}")
    return gate.upper()


def truth_table(gate):
    """The inputs (4, 2) and the gate's outputs (4,) as int, e.g. ``truth_table("XOR")``."""
    return GATE_INPUTS.copy(), GATES[_gate_name(gate)].copy()


def step(z):
    """The threshold activation: 1 where z > 0, else 0 (float array of z's shape)."""
    z = as_array(z, "z")
    return (z > 0).astype(float)


def neuron_output(x, w, b, activation="step"):
    r"""One neuron: :math:`y = f(w \cdot x + b)`.

    Parameters
    ----------
    x : (D,) or (N, D) inputs; w : (D,) weights; b : float bias
    activation : {"step", "sigmoid", "identity"}

    Returns
    -------
    float or (N,) array.
    """
    x = as_array(x, "x", ndim=(1, 2))
    w = as_array(w, "w", ndim=1)
    b = as_number(b, "b")
    if x.shape[-1] != w.size:
        raise ValueError(f"x must have {w.size} features (one per weight in w); got shape {x.shape}")
    z = x @ w + b
    if activation == "step":
        y = step(z)
    elif activation == "sigmoid":
        y = sigmoid(z)
    elif activation == "identity":
        y = z
    else:
        raise ValueError(f"activation must be 'step', 'sigmoid' or 'identity'; got {activation!r}")
    return float(y) if np.ndim(y) == 0 else y


def predict_gate(w1, w2, b, X=GATE_INPUTS):
    """Step-neuron outputs (N,) for the points X (N, 2) with weights (w1, w2) and bias b."""
    w = np.array([as_number(w1, "w1"), as_number(w2, "w2")])
    return neuron_output(as_array(X, "X", ndim=2), w, b)


def half_plane_polygon(w1, w2, b, box=(-0.5, 1.5, -0.5, 1.5)):
    """The part of a rectangle where the step neuron says 1 (w1·x1 + w2·x2 + b > 0), as a polygon.

    Clips the rectangle ``box = (x_min, x_max, y_min, y_max)`` by the half-plane (Sutherland–Hodgman
    for one edge). Returns an (K, 2) array of vertices in order, K = 0 when the region is empty.
    """
    w1, w2, b = as_number(w1, "w1"), as_number(w2, "w2"), as_number(b, "b")
    x0, x1, y0, y1 = (as_number(v, f"box[{i}]") for i, v in enumerate(box))
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    z = corners @ np.array([w1, w2]) + b
    vertices = []
    for k in range(4):
        p, q, zp, zq = corners[k], corners[(k + 1) % 4], z[k], z[(k + 1) % 4]
        if zp > 0:
            vertices.append(p)
        if (zp > 0) != (zq > 0):                 # the edge crosses the line: add the crossing point
            vertices.append(p + (q - p) * zp / (zp - zq))
    return np.array(vertices).reshape(-1, 2)


def best_linear_accuracy(gate, n_angles=720, n_offsets=801):
    """The best fraction of the gate's 4 rows that any single step neuron gets right, by exhaustive search.

    Every line is :math:`\\cos\\theta\\,x_1 + \\sin\\theta\\,x_2 + b = 0` (scaling w and b together changes
    nothing); θ runs over ``n_angles`` directions and b over ``n_offsets`` values in [−3, 3], enough to
    reach every way of splitting 4 points of the unit square with a line.

    Returns ``(accuracy, (w1, w2, b))`` for a best line.
    """
    X, y = truth_table(gate)
    n_angles = as_number(n_angles, "n_angles", low=4, integer=True)
    n_offsets = as_number(n_offsets, "n_offsets", low=3, integer=True)
    theta = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    W = np.stack([np.cos(theta), np.sin(theta)], axis=1)                 # (A, 2)
    offsets = np.linspace(-3, 3, n_offsets)                              # (B,)
    z = (X @ W.T)[:, :, None] + offsets[None, None, :]                   # (4, A, B)
    correct = ((z > 0) == y[:, None, None].astype(bool)).mean(axis=0)    # (A, B)
    a, k = np.unravel_index(np.argmax(correct), correct.shape)
    return float(correct[a, k]), (float(W[a, 0]), float(W[a, 1]), float(offsets[k]))


def perceptron_train(gate, epochs=20, lr=1.0):
    r"""Rosenblatt's perceptron rule on a gate's truth table, from w = 0, b = 0.

    For each row in turn: :math:`\hat y = \mathrm{step}(w\cdot x + b)`, then
    :math:`w \leftarrow w + \eta\,(y - \hat y)\,x` and :math:`b \leftarrow b + \eta\,(y - \hat y)`.
    It stops changing once every row is right, which happens (in finitely many steps) exactly when
    a separating line exists.

    Returns ``(w, b, mistakes)``: the final weights and bias, and the number of misclassified rows
    in each epoch (a list of length ``epochs``).
    """
    X, y = truth_table(gate)
    epochs = as_number(epochs, "epochs", low=1, integer=True)
    lr = as_number(lr, "lr", low=0, low_inclusive=False)
    w, b, mistakes = np.zeros(2), 0.0, []
    for _ in range(epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            error = y_i - float(x_i @ w + b > 0)
            w += lr * error * x_i
            b += lr * error
            wrong += int(error != 0)
        mistakes.append(wrong)
    return w, b, mistakes


# A network for XOR, built by hand: hidden unit 1 is OR, hidden unit 2 is NAND, the output is their AND.
XOR_NETWORK = {
    "W1": np.array([[1.0, -1.0], [1.0, -1.0]]),   # (2 inputs, 2 hidden): columns are the OR and NAND neurons
    "b1": np.array([-0.5, 1.5]),
    "w2": np.array([1.0, 1.0]),                   # AND of the two hidden units
    "b2": -1.5,
}


def two_layer_output(X, W1, b1, w2, b2):
    r"""A network with one hidden layer of step neurons: :math:`h = \mathrm{step}(X W_1 + b_1)`,
    :math:`y = \mathrm{step}(h \cdot w_2 + b_2)`.

    Shapes: X (N, D), W1 (D, H), b1 (H,), w2 (H,), b2 float. Returns ``(y, h)``: (N,) and (N, H).
    """
    X = as_array(X, "X", ndim=2)
    W1 = as_array(W1, "W1", ndim=2)
    b1 = as_array(b1, "b1", ndim=1)
    w2 = as_array(w2, "w2", ndim=1)
    if X.shape[1] != W1.shape[0] or b1.size != W1.shape[1] or w2.size != W1.shape[1]:
        raise ValueError(f"shapes do not fit: X {X.shape}, W1 {W1.shape}, b1 {b1.shape}, w2 {w2.shape} "
                         "(need X (N, D), W1 (D, H), b1 (H,), w2 (H,))")
    h = step(X @ W1 + b1)
    return neuron_output(h, w2, b2), h


def count_parameters(layer_sizes):
    r"""Weights and biases of a fully connected network with the given layer sizes.

    Each layer from :math:`n_{\ell}` to :math:`n_{\ell+1}` units has an :math:`n_\ell \times n_{\ell+1}`
    weight matrix and :math:`n_{\ell+1}` biases: :math:`\sum_\ell (n_\ell + 1)\,n_{\ell+1}`.
    """
    if not isinstance(layer_sizes, (list, tuple)) or len(layer_sizes) < 2:
        raise TypeError(f"layer_sizes must be a list of at least two ints, e.g. [2, 3, 2]; got {layer_sizes!r}")
    sizes = [as_number(s, f"layer_sizes[{i}]", low=1, integer=True) for i, s in enumerate(layer_sizes)]
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
