r"""Activation functions and their derivatives, element-wise, in plain numpy.

Every function ``NAME(x, ...)`` has a partner ``NAME_derivative(x, ...)`` that returns
:math:`\mathrm{d}\,\mathrm{NAME}(x)/\mathrm{d}x` element-wise, with the same parameters.
Parameters and defaults are PyTorch's, and ``tests/test_activations.py`` checks each pair
against ``torch.nn.functional`` and against finite differences.

All are stable for inputs as large as ±1e4: no overflow warnings, no NaN.

The activations that mix several inputs (``glu``, ``gtu``, ``maxout``) have backward passes
instead of element-wise derivatives: ``glu_backward(x, dout, axis)``, ``gtu_backward(x, dout, axis)``
and ``maxout_backward(z, k, dout)`` return ∂L/∂x (∂L/∂z) given ``dout`` = ∂L/∂h; they are checked
in ``tests/test_activations_gated.py``.
"""
import numpy as np
from scipy.special import erf

from ._validate import as_array, as_number

__all__ = [
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
    "leaky_relu", "leaky_relu_derivative", "elu", "elu_derivative", "swish", "swish_derivative",
    "gelu", "gelu_derivative", "softplus", "softplus_derivative", "glu", "gtu", "maxout", "ACTIVATIONS",
    "glu_backward", "gtu_backward", "maxout_backward",
]


def sigmoid(x):
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, in (0, 1).

    Computed from :math:`e^{-|x|}` so that no exponential overflows.
    """
    x = as_array(x, "x")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(x):
    r""":math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`; its maximum is 1/4, at x = 0."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    r"""Hyperbolic tangent :math:`\tanh(x) = (e^x - e^{-x}) / (e^x + e^{-x})`, in (−1, 1); zero-centred."""
    return np.tanh(as_array(x, "x"))


def tanh_derivative(x):
    r""":math:`\tanh'(x) = 1 - \tanh^2(x)`; its maximum is 1, at x = 0."""
    t = tanh(x)
    return 1.0 - t * t


def relu(x):
    r"""Rectified linear unit :math:`\max(0, x)`."""
    x = as_array(x, "x")
    return np.maximum(x, 0.0)


def relu_derivative(x):
    r"""1 where x > 0, else 0 (0 at x = 0, as PyTorch's autograd uses)."""
    x = as_array(x, "x")
    return (x > 0).astype(np.float64)


def leaky_relu(x, negative_slope=0.01):
    r""":math:`x` for x > 0, :math:`a\,x` otherwise, with a = ``negative_slope``."""
    x = as_array(x, "x")
    a = as_number(negative_slope, "negative_slope")
    return np.where(x > 0, x, a * x)


def leaky_relu_derivative(x, negative_slope=0.01):
    r"""1 for x > 0, ``negative_slope`` otherwise."""
    x = as_array(x, "x")
    a = as_number(negative_slope, "negative_slope")
    return np.where(x > 0, 1.0, a)


def elu(x, alpha=1.0):
    r"""Exponential linear unit: :math:`x` for x > 0, :math:`\alpha (e^x - 1)` otherwise."""
    x = as_array(x, "x")
    alpha = as_number(alpha, "alpha")
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x, alpha=1.0):
    r"""1 for x > 0, :math:`\alpha e^x` otherwise."""
    x = as_array(x, "x")
    alpha = as_number(alpha, "alpha")
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def swish(x, beta=1.0):
    r"""Swish :math:`x\,\sigma(\beta x)`; β = 1 is SiLU (``torch.nn.functional.silu``)."""
    x = as_array(x, "x")
    beta = as_number(beta, "beta")
    return x * sigmoid(beta * x)


def swish_derivative(x, beta=1.0):
    r""":math:`\sigma(\beta x) + \beta x\,\sigma(\beta x)(1 - \sigma(\beta x))`."""
    x = as_array(x, "x")
    beta = as_number(beta, "beta")
    s = sigmoid(beta * x)
    return s + beta * x * s * (1.0 - s)


def gelu(x):
    r"""Gaussian error linear unit, exact form :math:`x\,\Phi(x)`, Φ the standard normal CDF."""
    x = as_array(x, "x")
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def gelu_derivative(x):
    r""":math:`\Phi(x) + x\,\varphi(x)`, φ the standard normal density."""
    x = as_array(x, "x")
    cdf = 0.5 * (1.0 + erf(x / np.sqrt(2.0)))
    pdf = np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
    return cdf + x * pdf


def softplus(x, beta=1.0, threshold=20.0):
    r""":math:`\frac{1}{\beta}\log(1 + e^{\beta x})`, a smooth ReLU.

    As in PyTorch, it returns x itself where :math:`\beta x` > ``threshold``.
    """
    x = as_array(x, "x")
    beta = as_number(beta, "beta", low=0, low_inclusive=False)
    threshold = as_number(threshold, "threshold")
    bx = beta * x
    smooth = (np.maximum(bx, 0.0) + np.log1p(np.exp(-np.abs(bx)))) / beta
    return np.where(bx > threshold, x, smooth)


def softplus_derivative(x, beta=1.0, threshold=20.0):
    r""":math:`\sigma(\beta x)`, and 1 where :math:`\beta x` > ``threshold``."""
    x = as_array(x, "x")
    beta = as_number(beta, "beta", low=0, low_inclusive=False)
    threshold = as_number(threshold, "threshold")
    return np.where(beta * x > threshold, 1.0, sigmoid(beta * x))


def _halves(x, axis):
    x = as_array(x, "x")
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension to split in halves; got a scalar")
    axis = as_number(axis, "axis", integer=True)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis must be in [{-x.ndim}, {x.ndim - 1}] for x of shape {x.shape}; got {axis}")
    if x.shape[axis] % 2:
        raise ValueError(f"x must have an even size along axis {axis} to split in halves; got {x.shape[axis]}")
    return np.split(x, 2, axis=axis)


def glu(x, axis=-1):
    r"""Gated linear unit: split x in halves a, b along ``axis``; return :math:`a \otimes \sigma(b)`.

    With x = [XW + b, XV + c] this is the lecture's :math:`h(X) = (XW + b) \otimes \sigma(XV + c)`
    (the lecture writes δ for σ). Shapes: (..., 2k, ...) → (..., k, ...).
    """
    a, b = _halves(x, axis)
    return a * sigmoid(b)


def gtu(x, axis=-1):
    r"""Gated tanh unit: :math:`\tanh(a) \otimes \sigma(b)` for the halves a, b of x along ``axis``."""
    a, b = _halves(x, axis)
    return np.tanh(a) * sigmoid(b)


def maxout(z, k):
    r"""Maxout :math:`h_i = \max_{j \in [1, k]} z_{ij}`: the max over each group of k consecutive columns.

    Shapes: z (N, units·k) → (N, units).
    """
    z = as_array(z, "z", ndim=2)
    k = as_number(k, "k", low=1, integer=True)
    if z.shape[1] % k:
        raise ValueError(f"z must have a multiple of k={k} columns; got {z.shape[1]}")
    return z.reshape(z.shape[0], -1, k).max(axis=2)


# --- backward passes of the activations that are not element-wise ---------------------------

def _upstream(dout, shape, name="dout"):
    dout = as_array(dout, name)
    if dout.shape != shape:
        raise ValueError(f"{name} must have the output's shape {shape}; got {dout.shape}")
    return dout


def glu_backward(x, dout, axis=-1):
    r"""Gradient of a loss with respect to x through :func:`glu`, given ``dout`` = ∂L/∂h.

    For h = a ⊗ σ(b), with a, b the halves of x along ``axis``:

    .. math:: \frac{\partial L}{\partial a} = \frac{\partial L}{\partial h} \otimes \sigma(b),\qquad
              \frac{\partial L}{\partial b} = \frac{\partial L}{\partial h} \otimes a
              \otimes \sigma(b)\,(1 - \sigma(b)),

    joined back along ``axis``. Shapes: x (..., 2k, ...), dout (..., k, ...) → dx of x's shape.
    """
    a, b = _halves(x, axis)
    dout = _upstream(dout, a.shape)
    s = sigmoid(b)
    return np.concatenate([dout * s, dout * a * s * (1.0 - s)], axis=axis)


def gtu_backward(x, dout, axis=-1):
    r"""Gradient of a loss with respect to x through :func:`gtu`, given ``dout`` = ∂L/∂h.

    For h = tanh(a) ⊗ σ(b):

    .. math:: \frac{\partial L}{\partial a} = \frac{\partial L}{\partial h} \otimes (1 - \tanh^2 a) \otimes \sigma(b),\qquad
              \frac{\partial L}{\partial b} = \frac{\partial L}{\partial h} \otimes \tanh(a) \otimes \sigma(b)\,(1 - \sigma(b)).

    Shapes: x (..., 2k, ...), dout (..., k, ...) → dx of x's shape.
    """
    a, b = _halves(x, axis)
    dout = _upstream(dout, a.shape)
    t, s = np.tanh(a), sigmoid(b)
    return np.concatenate([dout * (1.0 - t * t) * s, dout * t * s * (1.0 - s)], axis=axis)


def maxout_backward(z, k, dout):
    r"""Gradient of a loss with respect to z through :func:`maxout`, given ``dout`` = ∂L/∂h.

    :math:`h_i = \max_j z_{ij}` passes the gradient to the winning piece only:
    :math:`\partial L/\partial z_{ij} = \partial L/\partial h_i` where j is the arg-max of its
    group, 0 elsewhere. On a tie the first of the tied pieces wins (as ``torch.max(dim=...)``).
    Shapes: z (N, units·k), dout (N, units) → dz (N, units·k).
    """
    h = maxout(z, k)                      # validates z and k
    z = as_array(z, "z")
    dout = _upstream(dout, h.shape)
    n, units = h.shape
    groups = z.reshape(n, units, int(k))
    winner = groups.argmax(axis=2)
    dz = np.zeros_like(groups)
    np.put_along_axis(dz, winner[:, :, None], dout[:, :, None], axis=2)
    return dz.reshape(z.shape)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "elu": (elu, elu_derivative),
    "swish": (swish, swish_derivative),
    "gelu": (gelu, gelu_derivative),
    "softplus": (softplus, softplus_derivative),
}
