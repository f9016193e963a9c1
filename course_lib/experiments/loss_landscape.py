r"""Loss landscapes of small networks: slices through weight space and the sharpness (chapter 05).

Li, Xu, Taylor, Studer and Goldstein, "Visualizing the Loss Landscape of Neural Nets" (NeurIPS 2018)
look at a trained network's loss along random directions in weight space,

.. math:: f(\alpha) = L(\theta^* + \alpha\,\delta), \qquad f(\alpha, \beta) = L(\theta^* + \alpha\,\delta + \beta\,\eta),

with each direction **filter-normalised**: every filter of δ (here: the incoming weights of one
unit, a column of W) is rescaled to the norm of the same filter of θ*, and biases get no
direction. Without that, a network whose weights are simply larger looks flatter, because the
same step α is a smaller change relative to its weights.

The networks are :class:`course_lib.network.MLP`; chapter 05 compares
``MLP([64] + [16] * 9 + [10], residual=True)`` (a **skip connection** around every hidden layer
of equal widths, :math:`h \leftarrow h + \phi(hW + b)`) with the same network without skips
(:math:`h \leftarrow \phi(hW + b)`), both drawn from the same initial weights.

The curvature of the loss at θ is its Hessian :math:`H = \nabla^2 L(\theta)`. The chapters use
one measure of it, the **sharpness** :math:`\lambda_{\max}`, the largest eigenvalue of H: gradient
descent at a fixed rate η is stable along the sharpest direction only if η < 2/λ_max.
:func:`sharpness` finds it by power iteration on Hessian-vector products (cheap for any network);
:func:`full_hessian` builds the whole n × n matrix, for a small network whose every eigenvalue
is wanted.
"""
import numpy as np

from .._validate import as_array, as_number
from ..gradcheck import numerical_hessian

__all__ = ["filter_normalized_direction", "loss_along_line", "loss_surface", "sharpness", "full_hessian"]


def _check_net(net):
    for name in ("params", "weights", "flat_params", "loss_at", "gradient_at"):
        if not hasattr(net, name):
            raise TypeError(f"net must be a course Network such as MLP(...) (it has no `{name}`); "
                            f"got {type(net).__name__}")
    return net


def filter_normalized_direction(net, seed=0):
    r"""A random direction δ in weight space, filter-normalised (Li et al. 2018), as a flat vector.

    Each weight matrix W (fan-in, fan-out) gets a Gaussian direction D of its shape whose every
    column (the incoming weights of one unit, a "filter") is rescaled to that column's norm in W:
    :math:`D_{:,j} \leftarrow D_{:,j}\,\lVert W_{:,j}\rVert / \lVert D_{:,j}\rVert`. Biases (and
    batch-norm parameters) get 0, as Li et al. do. Laid out like ``net.flat_params()``.
    """
    _check_net(net)
    seed = as_number(seed, "seed", low=0, integer=True)
    rng = np.random.RandomState(seed)
    parts = []
    for p in net.params:
        if any(p is W for W in net.weights):
            d = rng.randn(*p.shape)
            d *= np.linalg.norm(p, axis=0, keepdims=True) / np.linalg.norm(d, axis=0, keepdims=True)
        else:
            d = np.zeros_like(p)
        parts.append(d.ravel())
    return np.concatenate(parts)


def _direction(net, direction, name):
    direction = as_array(direction, name, ndim=1)
    size = sum(p.size for p in net.params)
    if direction.size != size:
        raise ValueError(f"{name} must have {size} entries, one per parameter (see filter_normalized_direction); "
                         f"got {direction.size}")
    return direction


def loss_along_line(net, X, y, direction, alphas):
    r"""The 1-D slice :math:`f(\alpha) = L(\theta + \alpha\,\delta)` for each α; shape (K,).

    θ is the network's current parameters, which are left as they were.
    """
    direction = _direction(_check_net(net), direction, "direction")
    alphas = as_array(alphas, "alphas", ndim=1)
    theta = net.flat_params()
    return np.array([net.loss_at(theta + a * direction, X, y) for a in alphas])


def loss_surface(net, X, y, direction1, direction2, alphas, betas):
    r"""The 2-D slice :math:`f(\alpha, \beta) = L(\theta + \alpha\,\delta + \beta\,\eta)`; shape (len(betas), len(alphas)).

    Row i is β = betas[i], column j is α = alphas[j] (ready for ``contour(alphas, betas, Z)``).
    θ is the network's current parameters, which are left as they were.
    """
    d1 = _direction(_check_net(net), direction1, "direction1")
    d2 = _direction(net, direction2, "direction2")
    alphas = as_array(alphas, "alphas", ndim=1)
    betas = as_array(betas, "betas", ndim=1)
    theta = net.flat_params()
    return np.array([[net.loss_at(theta + a * d1 + b * d2, X, y) for a in alphas] for b in betas])


def sharpness(net, X, y, iterations=50, eps=1e-4, seed=0, **penalty):
    r"""The sharpness λ_max: the largest eigenvalue of the Hessian of the loss at the network's parameters.

    Power iteration :math:`v \leftarrow Hv/\lVert Hv\rVert` from a random unit vector (drawn from
    ``seed``), with the Hessian-vector product by central differences of backpropagation's gradient,
    :math:`Hv \approx (\nabla L(\theta + \epsilon v) - \nabla L(\theta - \epsilon v))/2\epsilon`
    (two gradients per iteration, never the n × n matrix). Returns the Rayleigh quotient
    :math:`v^\top H v` of the last v. Power iteration finds the eigenvalue of largest *magnitude*;
    near a minimum, and wherever training has made the loss sharp, that is λ_max.

    Parameters
    ----------
    net : Network (its parameters are left as they were)
    X, y : the data of the loss
    iterations : int ≥ 1
    eps : float > 0, the finite-difference step
    seed : int, for the start vector
    **penalty : ``l2=``, ``l1=`` of the loss (see :meth:`~course_lib.network.Network.loss`)
    """
    _check_net(net)
    iterations = as_number(iterations, "iterations", low=1, integer=True)
    eps = as_number(eps, "eps", low=0.0, low_inclusive=False)
    seed = as_number(seed, "seed", low=0, integer=True)
    theta = net.flat_params()
    v = np.random.RandomState(seed).randn(theta.size)
    v /= np.linalg.norm(v)
    value = 0.0
    for _ in range(iterations):
        hv = (net.gradient_at(theta + eps * v, X, y, **penalty)
              - net.gradient_at(theta - eps * v, X, y, **penalty)) / (2 * eps)
        value = float(v @ hv)
        norm = np.linalg.norm(hv)
        if norm == 0:
            break
        v = hv / norm
    return value


def full_hessian(net, X, y, **penalty):
    r"""The whole Hessian :math:`\nabla^2 L(\theta)` of the network's loss at its parameters, (n, n).

    :func:`course_lib.gradcheck.numerical_hessian` of backpropagation's gradient
    (``net.gradient_at``): 2n gradients for n parameters, n² numbers. For a small network whose
    whole spectrum is wanted (``np.linalg.eigvalsh``); for λ_max alone use :func:`sharpness`.
    ``penalty``: ``l2=``, ``l1=`` of the loss. The parameters are left as they were.
    """
    _check_net(net)
    return numerical_hessian(lambda theta: net.gradient_at(theta, X, y, **penalty), net.flat_params())
