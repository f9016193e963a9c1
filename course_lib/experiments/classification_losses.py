r"""Why classifiers are trained with cross-entropy and not MSE: gradients and curvature, in numpy.

The lecture's losses for one sample with one-hot target :math:`y` and predicted probabilities :math:`p`
over :math:`k` classes are

.. math:: \text{MSE: } L = \sum_c (y_c - p_c)^2, \qquad \text{cross-entropy: } L = -\sum_c y_c \log p_c ,

and the batch loss is the mean over the :math:`N` samples (``course_lib.losses.mse`` and
``course_lib.losses.cross_entropy``). This module adds their gradients with respect to the
prediction :math:`p`, and with respect to the logit when :math:`p` comes from a sigmoid or a
softmax; and, for a logistic model :math:`p = \sigma(s)`, :math:`s = x^\top\theta`, the second
derivatives that decide whether the loss is convex in the weights :math:`\theta`.

With two classes and a sigmoid output the lecture's MSE has two equal terms,
:math:`(y - p)^2 + ((1 - y) - (1 - p))^2 = 2\,(y - p)^2`; the functions here keep that factor 2, so
they agree with ``losses.mse`` on the two-column rows :math:`(1 - p, p)`.
"""
import numpy as np

from .._validate import as_array, as_number, as_targets
from ..activations import sigmoid
from ..losses import sigmoid_binary_cross_entropy, softmax, softmax_cross_entropy

__all__ = [
    "mse_gradient", "cross_entropy_gradient", "sigmoid_mse", "softmax_mse",
    "sigmoid_mse_curvature", "sigmoid_cross_entropy_curvature", "logistic_loss", "logistic_hessian",
    "logistic_landscape",
    "losses_along_weight", "midpoint_convexity_violation", "train_logistic",
    "smoothed_targets", "double_softmax_cross_entropy", "double_softmax_floor",
]

LOSSES = ("mse", "cross_entropy")


def _binary_targets(y, shape, name="y"):
    y = as_array(y, name)
    if y.shape != shape:
        raise ValueError(f"{name} must have the shape of the logits {shape}; got {y.shape}")
    if np.any(y < 0) or np.any(y > 1):
        raise ValueError(f"{name} must be targets in [0, 1]; got values from {y.min()} to {y.max()}")
    return y


def _loss_name(loss):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
    return loss


def _loss_and_dlogits(s, y, loss):
    """The mean loss over a row of logits s after a sigmoid, and ∂L/∂s: :func:`sigmoid_mse` or
    :func:`course_lib.losses.sigmoid_binary_cross_entropy`."""
    if _loss_name(loss) == "mse":
        return sigmoid_mse(s, y)
    return sigmoid_binary_cross_entropy(s, y)


def _back_through_softmax(p, g):
    r""":math:`\partial L/\partial z` from :math:`g = \partial L/\partial p`, p = softmax(z) row-wise:
    the Jacobian :math:`p_c(\delta_{ck} - p_k)` applied to g, :math:`p_k\,(g_k - \sum_c p_c g_c)`."""
    return p * (g - np.sum(g * p, axis=1, keepdims=True))


def mse_gradient(pred, target):
    r""":math:`\partial L/\partial p = 2\,(p - y)/N` for the mean over samples of :math:`\sum_c (y_c - p_c)^2`.

    Parameters
    ----------
    pred : (N, C) array of predictions p
    target : (N,) class indices or (N, C) one-hot rows y

    Returns
    -------
    (N, C) array, the gradient of ``losses.mse(pred, target)`` with respect to ``pred``.
    """
    p = as_array(pred, "pred", ndim=2)
    y = as_targets(target, p.shape[0], p.shape[1], "target")
    return 2.0 * (p - y) / p.shape[0]


def cross_entropy_gradient(probs, targets):
    r""":math:`\partial L/\partial p_c = -y_c / (N\,p_c)` for the mean of :math:`-\sum_c y_c \log p_c`.

    Parameters
    ----------
    probs : (N, C) array of probabilities p; must be > 0 wherever the target is > 0
    targets : (N,) class indices or (N, C) one-hot / probability rows y

    Returns
    -------
    (N, C) array (zero where :math:`y_c = 0`).
    """
    p = as_array(probs, "probs", ndim=2)
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"probs must be probabilities in [0, 1]; got values from {p.min()} to {p.max()}")
    y = as_targets(targets, p.shape[0], p.shape[1])
    if np.any((p == 0) & (y > 0)):
        raise ValueError("probs must be > 0 wherever the target is > 0 (the gradient of −y·log p is infinite at p = 0)")
    safe = np.where(y > 0, p, 1.0)
    return -y / safe / p.shape[0]


def sigmoid_mse(logits, y):
    r"""The lecture's MSE after a sigmoid, and its gradient with respect to the logits s.

    .. math:: L = \frac{1}{N}\sum_i 2\,(\sigma(s_i) - y_i)^2,\qquad
              \frac{\partial L}{\partial s_i} = \frac{4\,(\sigma(s_i) - y_i)\,\sigma'(s_i)}{N},
              \quad \sigma' = \sigma(1 - \sigma).

    The factor :math:`\sigma'(s) \le 1/4` is what vanishes when the output saturates.

    Parameters
    ----------
    logits : array of any shape, s
    y : array of the same shape, targets in [0, 1]

    Returns
    -------
    loss : float
    dlogits : array of the shape of ``logits``
    """
    s = as_array(logits, "logits")
    y = _binary_targets(y, s.shape)
    p = sigmoid(s)
    n = max(s.size, 1)
    return float(np.sum(2.0 * (p - y) ** 2) / n), 4.0 * (p - y) * p * (1.0 - p) / n


def softmax_mse(logits, targets):
    r"""The lecture's MSE after a softmax, and its gradient with respect to the logits z.

    .. math:: L = \frac{1}{N}\sum_i \sum_c (y_{ic} - p_{ic})^2,\qquad
              \frac{\partial L}{\partial z_{ik}} = \frac{2}{N}\,p_{ik}\Big[(p_{ik} - y_{ik}) - \sum_c p_{ic}(p_{ic} - y_{ic})\Big],

    the gradient with respect to p, :math:`2(p - y)/N`, multiplied by the softmax Jacobian
    :math:`\partial p_c/\partial z_k = p_c(\delta_{ck} - p_k)`.

    Parameters
    ----------
    logits : (N, C) array
    targets : (N,) class indices or (N, C) one-hot rows

    Returns
    -------
    loss : float
    dlogits : (N, C) array
    """
    z = as_array(logits, "logits", ndim=2)
    y = as_targets(targets, z.shape[0], z.shape[1])
    p = softmax(z)
    n = z.shape[0]
    g = 2.0 * (p - y) / n                               # ∂L/∂p
    return float(np.sum((y - p) ** 2) / n), _back_through_softmax(p, g)


def sigmoid_mse_curvature(logits, y):
    r""":math:`\mathrm{d}^2/\mathrm{d}s^2` of one sample's :math:`2(\sigma(s) - y)^2`, element-wise.

    .. math:: 4\,\sigma'(s)\,\big[\sigma'(s) + (\sigma(s) - y)(1 - 2\sigma(s))\big]

    For y = 1 this is :math:`4\sigma'(1-\sigma)(3\sigma - 1)`: negative (concave) wherever
    :math:`\sigma(s) < 1/3`, i.e. where the prediction is wrong enough.
    """
    s = as_array(logits, "logits")
    y = _binary_targets(y, s.shape)
    p = sigmoid(s)
    d = p * (1.0 - p)
    return 4.0 * d * (d + (p - y) * (1.0 - 2.0 * p))


def sigmoid_cross_entropy_curvature(logits):
    r""":math:`\mathrm{d}^2/\mathrm{d}s^2` of one sample's binary cross-entropy: :math:`\sigma(s)(1 - \sigma(s)) > 0` for any target."""
    p = sigmoid(as_array(logits, "logits"))
    return p * (1.0 - p)


def _design(theta, X):
    theta = as_array(theta, "theta", ndim=1)
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != theta.size:
        raise ValueError(f"X must have one column per weight ({theta.size}); got shape {X.shape}")
    return theta, X


def logistic_loss(theta, X, y, loss="cross_entropy"):
    r"""Loss of the logistic model :math:`p_i = \sigma(x_i^\top\theta)` and its gradient in θ.

    Parameters
    ----------
    theta : (D,) weights (include a column of ones in X for a bias)
    X : (N, D) inputs
    y : (N,) targets in {0, 1}
    loss : "cross_entropy" (binary cross-entropy) or "mse" (the lecture's MSE, 2(σ − y)² per sample)

    Returns
    -------
    loss : float
    grad : (D,) array, :math:`X^\top\,\partial L/\partial s`
    """
    theta, X = _design(theta, X)
    s = X @ theta
    y = _binary_targets(y, s.shape)
    value, ds = _loss_and_dlogits(s, y, loss)
    return value, X.T @ ds


def logistic_hessian(theta, X, y, loss="cross_entropy"):
    r"""Hessian in θ of :func:`logistic_loss`: :math:`H = \frac{1}{N} X^\top \operatorname{diag}(c)\, X`.

    :math:`c_i` is the second derivative of sample i's loss in its logit :math:`s_i`. For
    cross-entropy :math:`c_i = \sigma'(s_i) > 0`, so H is positive semi-definite for every θ
    (the loss is convex in θ). For MSE :math:`c_i` is negative for wrong enough predictions,
    and H can have negative eigenvalues (not convex).

    Returns
    -------
    (D, D) symmetric array
    """
    theta, X = _design(theta, X)
    s = X @ theta
    y = _binary_targets(y, s.shape)
    c = sigmoid_mse_curvature(s, y) if _loss_name(loss) == "mse" else sigmoid_cross_entropy_curvature(s)
    return (X * c[:, None]).T @ X / X.shape[0]


def logistic_landscape(thetas, X, y, loss="cross_entropy"):
    r""":func:`logistic_loss` and :func:`logistic_hessian` at many weight vectors at once (for maps of the loss).

    Parameters
    ----------
    thetas : (G, D) weight vectors θ, one per row
    X : (N, D) inputs; y : (N,) targets in {0, 1}
    loss : "cross_entropy" or "mse"

    Returns
    -------
    values : (G,) the loss at each θ
    hessians : (G, D, D) :math:`\frac{1}{N} X^\top \operatorname{diag}(c)\, X` at each θ
    """
    thetas = as_array(thetas, "thetas", ndim=2)
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != thetas.shape[1]:
        raise ValueError(f"X must have one column per weight ({thetas.shape[1]}); got shape {X.shape}")
    y = _binary_targets(y, (X.shape[0],))
    loss = _loss_name(loss)
    s = thetas @ X.T                                    # (G, N) logits
    values = np.array([_loss_and_dlogits(row, y, loss)[0] for row in s])
    if loss == "mse":
        c = sigmoid_mse_curvature(s, np.broadcast_to(y, s.shape))
    else:
        c = sigmoid_cross_entropy_curvature(s)
    return values, np.einsum("gn,ni,nj->gij", c, X, X) / X.shape[0]


def losses_along_weight(weights, x, y, bias=0.0, loss="cross_entropy"):
    r"""A 1-D logistic model :math:`p_i = \sigma(w x_i + b)` at many weights w at once.

    Parameters
    ----------
    weights : (W,) weights w to evaluate at
    x : (N,) inputs; y : (N,) targets in {0, 1}
    bias : float, b (held fixed)
    loss : "cross_entropy" or "mse"

    Returns
    -------
    values, slopes, curvatures : three (W,) arrays, :math:`L(w)`, :math:`L'(w)` and :math:`L''(w)`
    """
    w = as_array(weights, "weights", ndim=1)
    x = as_array(x, "x", ndim=1)
    y = _binary_targets(y, x.shape)
    b = as_number(bias, "bias")
    loss = _loss_name(loss)
    s = w[:, None] * x[None, :] + b                     # (W, N) logits
    rows = [_loss_and_dlogits(row, y, loss) for row in s]
    values = np.array([value for value, _ in rows])
    slopes = np.array([dlogits @ x for _, dlogits in rows])              # L'(w) = Σ_i ∂L/∂s_i · x_i
    if loss == "mse":
        dss = sigmoid_mse_curvature(s, np.broadcast_to(y, s.shape))
    else:
        dss = sigmoid_cross_entropy_curvature(s)
    return values, slopes, (dss * x ** 2).mean(axis=1)


def midpoint_convexity_violation(values):
    r"""The worst breach of convexity on a uniform grid: the chord must lie above the graph.

    For every pair of grid points i < k whose midpoint m = (i + k)/2 is a grid point, a convex
    function has :math:`f_m \le (f_i + f_k)/2`. Returns ``(gap, (i, m, k))`` for the largest
    :math:`f_m - (f_i + f_k)/2`; a gap ≤ 0 (up to rounding) means no chord of the grid lies below the graph.
    """
    f = as_array(values, "values", ndim=1)
    if f.size < 3:
        raise ValueError(f"values must hold at least 3 points of a uniform grid; got {f.size}")
    best, where = -np.inf, None
    for half in range(1, (f.size - 1) // 2 + 1):        # i = m − half, k = m + half
        gaps = f[half:f.size - half] - 0.5 * (f[:f.size - 2 * half] + f[2 * half:])
        m = int(np.argmax(gaps))
        if gaps[m] > best:
            best, where = float(gaps[m]), (m, m + half, m + 2 * half)
    return best, where


def train_logistic(X, y, theta0, loss="cross_entropy", lr=1.0, steps=100):
    r"""Full-batch gradient descent :math:`\theta \leftarrow \theta - \eta\,\nabla L(\theta)` on :func:`logistic_loss`.

    Returns
    -------
    thetas : (steps + 1, D) array, the weights before each step and after the last
    losses : (steps + 1,) array, the loss at each of them
    """
    theta = as_array(theta0, "theta0", ndim=1).copy()
    lr = as_number(lr, "lr", low=0, low_inclusive=False)
    steps = as_number(steps, "steps", low=0, integer=True)
    thetas, values = [theta.copy()], []
    for _ in range(steps):
        value, grad = logistic_loss(theta, X, y, loss)
        values.append(value)
        theta -= lr * grad
        thetas.append(theta.copy())
    values.append(logistic_loss(theta, X, y, loss)[0])
    return np.array(thetas), np.array(values)


# --- Cross-entropy in practice: soft targets, and softmax applied twice --------------------------------

def smoothed_targets(labels, n_classes, smoothing):
    r"""Label smoothing: :math:`q = (1 - \varepsilon)\,\mathrm{onehot}(y) + \varepsilon / C`, as torch's ``label_smoothing``.

    Parameters
    ----------
    labels : (N,) class indices y
    n_classes : int C ≥ 2
    smoothing : float ε in [0, 1]

    Returns
    -------
    (N, C) rows of probabilities q: :math:`1 - \varepsilon + \varepsilon/C` on the label,
    :math:`\varepsilon/C` on every other class.
    """
    c = as_number(n_classes, "n_classes", low=2, integer=True)
    eps = as_number(smoothing, "smoothing", low=0, high=1)
    labels = as_array(labels, "labels", ndim=1)
    onehot = as_targets(labels, labels.shape[0], c, "labels")
    return (1.0 - eps) * onehot + eps / c


def double_softmax_cross_entropy(logits, targets):
    r"""What ``F.cross_entropy(torch.softmax(z, 1), y)`` computes, and its gradient in the logits z.

    ``F.cross_entropy`` expects logits and applies a softmax itself; given probabilities
    :math:`q = \mathrm{softmax}(z)` it applies a second one:

    .. math:: L = -\frac{1}{N}\sum_i\sum_c y_{ic}\log\mathrm{softmax}(q_i)_c,\qquad
              \frac{\partial L}{\partial z_{ik}} = q_{ik}\Big(g_{ik} - \sum_c q_{ic}\,g_{ic}\Big),
              \quad g = \frac{\mathrm{softmax}(q) - y}{N}.

    Since :math:`q \in [0, 1]`, the second softmax can never concentrate: the loss of a perfect
    prediction (q one-hot on the label) is :func:`double_softmax_floor` (C), not 0, and the
    gradient carries the softmax Jacobian of z, which vanishes as the first softmax saturates.

    Parameters
    ----------
    logits : (N, C) array z
    targets : (N,) class indices or (N, C) one-hot / probability rows y

    Returns
    -------
    loss : float
    dlogits : (N, C) array
    """
    z = as_array(logits, "logits", ndim=2)
    y = as_targets(targets, z.shape[0], z.shape[1])
    q = softmax(z)
    loss, g = softmax_cross_entropy(q, y)                 # g = ∂L/∂q = (softmax(q) − y)/N
    return loss, _back_through_softmax(q, g)


def double_softmax_floor(n_classes):
    r""":math:`\log(1 + (C - 1)/e)`: the least loss ``F.cross_entropy`` reports when fed probabilities.

    A one-hot row of probabilities, read as logits, gives the label :math:`e^1` against
    :math:`e^0 = 1` for each of the other :math:`C - 1` classes, so
    :math:`-\log\frac{e}{e + C - 1} = \log(1 + (C - 1)/e)`; no row of probabilities does better.
    """
    c = as_number(n_classes, "n_classes", low=2, integer=True)
    return float(np.log1p((c - 1) / np.e))
