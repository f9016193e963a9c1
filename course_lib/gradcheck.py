r"""Numerical gradients by central differences, to check every backward pass.

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}

The error of this estimate is :math:`O(\varepsilon^2)`; in float64 with ε = 1e-6 a correct
analytic gradient agrees to a relative error of about 1e-8 or better.
"""
import numpy as np

from ._validate import as_array, as_number

__all__ = ["numerical_gradient", "numerical_hessian", "network_gradient_error", "relative_error"]

TINY = 1e-8


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function ``f`` at the float64 array ``x``.

    ``x`` is perturbed in place one entry at a time and restored, so ``f`` may close over it
    (as with a layer's weights). Returns an array of ``x``'s shape.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of x returning a number; got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"x must be a float64 numpy array (it is perturbed in place); got {type(x).__name__}"
                        + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    as_array(x, "x")
    eps = as_number(eps, "eps", low=0, low_inclusive=False)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """Relative error max |a − b| / max(|a| + |b|, tiny), the maximum over elements.

    ``tiny`` = 1e-8 (as in CS231n): where both values are tiny (a gradient that is exactly 0
    and its finite-difference estimate of 1e-11) the error is measured against 1e-8 rather than
    blowing up. A correct backward pass gives about 1e-7 or less; a wrong one, 1e-2 or more.
    """
    a = as_array(a, "a")
    b = as_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), TINY)))


def numerical_hessian(grad, x, eps=1e-5):
    r"""The Hessian :math:`H_{ij} = \partial^2 f/\partial x_i \partial x_j` by central differences of a gradient.

    ``grad(x)`` returns the gradient vector of f at the 1-D float64 array ``x``. Column j is
    :math:`(\nabla f(x + \varepsilon e_j) - \nabla f(x - \varepsilon e_j)) / 2\varepsilon`; the result is
    symmetrised. It costs 2n gradient evaluations for n parameters, and stores n² numbers.
    """
    if not callable(grad):
        raise TypeError(f"grad must be a function of x returning the gradient; got {type(grad).__name__}")
    x = as_array(x, "x", ndim=1).copy()
    eps = as_number(eps, "eps", low=0, low_inclusive=False)
    n = x.size
    hess = np.zeros((n, n))
    for j in range(n):
        step = np.zeros(n)
        step[j] = eps
        g_plus = as_array(grad(x + step), "grad(x)", ndim=1)
        g_minus = as_array(grad(x - step), "grad(x)", ndim=1)
        if g_plus.size != n:
            raise ValueError(f"grad(x) must return {n} numbers, one per entry of x; got {g_plus.size}")
        hess[:, j] = (g_plus - g_minus) / (2 * eps)
    return 0.5 * (hess + hess.T)


def network_gradient_error(net, X, y, samples=None, seed=0, **penalty):
    r"""Backpropagation against finite differences over a network's parameters θ, compared norm-wise.

    .. math:: \text{error} = \frac{\lVert g - \hat g \rVert}{\max(\lVert g \rVert + \lVert \hat g \rVert,\ \text{tiny})}

    with g the backpropagated gradient (``net.gradient_at``) and ĝ the central differences of
    ``net.loss_at`` on the checked entries: all of θ, or ``samples`` entries drawn at random with
    ``seed`` (a deep network has too many parameters to perturb them all quickly). Norm-wise,
    because a deep network has gradients of 1e-7 and less (they vanish) and exact zeros (a bias
    before batch norm), where an element-wise ratio (:func:`relative_error`) measures the rounding
    of the finite difference, not a mistake. A correct backward pass gives about 1e-8 or less; a
    wrong one, 1e-2 or more.

    ``net`` is a course network (:class:`~course_lib.network.Network` such as ``MLP``);
    ``penalty`` (``l2=``, ``l1=``) goes to both. The parameters are left as they were.
    """
    for method in ("gradient_at", "loss_at", "flat_params"):
        if not callable(getattr(net, method, None)):
            raise TypeError(f"net must be a course network with a {method}() method, such as MLP; "
                            f"got {type(net).__name__}")
    theta = net.flat_params()
    analytic = net.gradient_at(theta, X, y, **penalty)
    if samples is None:
        chosen = np.arange(theta.size)
    else:
        samples = as_number(samples, "samples", low=1, high=theta.size, integer=True)
        chosen = np.random.RandomState(as_number(seed, "seed", low=0, integer=True)).choice(
            theta.size, size=samples, replace=False)
    numeric = np.empty(chosen.size)
    eps = 1e-6
    for k, i in enumerate(chosen):
        step = np.zeros_like(theta)
        step[i] = eps
        numeric[k] = (net.loss_at(theta + step, X, y, **penalty) - net.loss_at(theta - step, X, y, **penalty)) / (2 * eps)
    difference = np.linalg.norm(analytic[chosen] - numeric)
    return float(difference / max(np.linalg.norm(analytic[chosen]) + np.linalg.norm(numeric), TINY))
