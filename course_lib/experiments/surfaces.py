r"""Two-dimensional loss surfaces f(x, y) with analytic gradients, and a runner that records an
optimizer's path across them (for the trajectory widgets of chapters 05 and 07).

Each surface is a :class:`Surface`: call it on grids for contour plots, ask for its gradient at a
point, and read a sensible plot window, start point and minima from its attributes.

- :func:`quadratic` — :math:`\tfrac12(a x^2 + b y^2)`, Hessian diag(a, b): with b ≫ a it is
  ill-conditioned (condition number b/a), and gradient descent diverges for η > 2/max(a, b).
- :data:`ROSENBROCK` — :math:`(1 - x)^2 + 100 (y - x^2)^2`: a curved, flat-bottomed valley, minimum (1, 1).
- :data:`SADDLE` — :math:`x^2 - y^2`: a saddle point at the origin (downhill along y, uphill along x).
- :data:`BEALE` — :math:`(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`: flat plateaus
  and steep walls, minimum (3, 0.5).

>>> path = run_optimizer(ROSENBROCK, functools.partial(Adam, lr=0.05), steps=500)   # (501, 2)
"""
import math

import numpy as np

from .._validate import _describe, as_array, as_number
from ..optim import Optimizer

__all__ = ["Surface", "quadratic", "QUADRATIC", "ROSENBROCK", "SADDLE", "BEALE", "SURFACES", "run_optimizer"]


class Surface:
    """A function f(x, y) with its gradient, and where to look at it.

    Parameters
    ----------
    name : str
    function : callable (x, y) -> f, element-wise on arrays of any (broadcastable) shape
    partials : callable (x, y) -> (∂f/∂x, ∂f/∂y), element-wise likewise (``gradient`` wraps it for a point)
    xlim, ylim : (float, float), a plot window that shows the interesting part
    start : (float, float), a start point that shows the surface's difficulty
    minima : list of (x, y), the minimisers (empty if f is unbounded below)
    """

    def __init__(self, name, function, partials, xlim, ylim, start, minima=()):
        self.name, self.function, self.partials = name, function, partials
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)
        self.start = np.array(start, dtype=np.float64)
        self.minima = [tuple(m) for m in minima]

    def __call__(self, x, y):
        """f(x, y), element-wise (pass meshgrid arrays for a contour plot)."""
        return self.function(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))

    def value(self, point):
        """f at a point given as a (2,) array."""
        point = _as_point(point, "point")
        return float(self.function(point[0], point[1]))

    def gradient(self, point):
        """∇f at a point given as a (2,) array; returns a (2,) array."""
        point = _as_point(point, "point")
        return np.array(self.partials(point[0], point[1]), dtype=np.float64)

    def grid(self, n=100):
        """Meshgrid X, Y of n × n points over the plot window, and Z = f(X, Y), for contour plots."""
        n = as_number(n, "n", low=2, integer=True)
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self(X, Y)

    def __repr__(self):
        return f"Surface({self.name!r})"


def _as_point(point, name):
    point = as_array(point, name)
    if point.shape != (2,):
        raise ValueError(f"{name} must be a point (x, y), an array of shape (2,); got shape {point.shape}")
    return point


def quadratic(a=1.0, b=10.0):
    r"""The quadratic bowl f = ½(a x² + b y²), Hessian diag(a, b), minimum at the origin.

    Its condition number is max(a, b)/min(a, b); gradient descent converges for 0 < η < 2/max(a, b).
    """
    a = as_number(a, "a", low=0.0, low_inclusive=False)
    b = as_number(b, "b", low=0.0, low_inclusive=False)
    return Surface(f"quadratic (a={a:g}, b={b:g})",
                   lambda x, y: 0.5 * (a * x**2 + b * y**2),
                   lambda x, y: (a * x, b * y),
                   xlim=(-2.5, 2.5), ylim=(-1.5, 1.5), start=(-2.0, 1.0), minima=[(0.0, 0.0)])


def rosenbrock(x, y):
    """Rosenbrock's banana function (1 − x)² + 100 (y − x²)²."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_gradient(x, y):
    """∂f/∂x = −2(1 − x) − 400 x (y − x²), ∂f/∂y = 200 (y − x²)."""
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


def saddle(x, y):
    """The saddle x² − y²."""
    return x**2 - y**2


def saddle_gradient(x, y):
    """∂f/∂x = 2x, ∂f/∂y = −2y."""
    return 2 * x, -2 * y


def beale(x, y):
    """Beale's function: three squared residuals, minimum 0 at (3, 0.5)."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def beale_gradient(x, y):
    """The chain rule on each residual rₖ = cₖ − x + x yᵏ: ∂rₖ/∂x = yᵏ − 1, ∂rₖ/∂y = k x yᵏ⁻¹."""
    r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    dx = 2 * r1 * (y - 1) + 2 * r2 * (y**2 - 1) + 2 * r3 * (y**3 - 1)
    dy = 2 * r1 * x + 2 * r2 * 2 * x * y + 2 * r3 * 3 * x * y**2
    return dx, dy


QUADRATIC = quadratic(1.0, 10.0)
ROSENBROCK = Surface("Rosenbrock", rosenbrock, rosenbrock_gradient,
                     xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), start=(-1.5, 2.0), minima=[(1.0, 1.0)])
SADDLE = Surface("saddle x² − y²", saddle, saddle_gradient,
                 xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), start=(-1.0, 1e-3), minima=[])
BEALE = Surface("Beale", beale, beale_gradient,
                xlim=(-4.5, 4.5), ylim=(-4.5, 4.5), start=(1.0, 1.5), minima=[(3.0, 0.5)])
SURFACES = {"quadratic": QUADRATIC, "Rosenbrock": ROSENBROCK, "saddle": SADDLE, "Beale": BEALE}


def run_optimizer(surface, optimizer, start=None, steps=100):
    """Run an optimizer of :mod:`course_lib.optim` on a surface and record the path.

    Parameters
    ----------
    surface : Surface
    optimizer : callable or Optimizer
        Either a factory ``params -> optimizer``, e.g. the class ``SGD`` itself or
        ``functools.partial(Adam, lr=0.1)``, which is given ``[point]`` (a fresh run); or an optimizer
        already built on exactly one parameter of shape (2,), which is moved to ``start`` (if given)
        and stepped from there, keeping its state and lr (so a schedule may change ``lr``; to change
        it every step, call this once per step with ``steps=1``).
    start : (2,) array_like, optional
        Where to start; default the surface's ``start`` (with a factory) or the optimizer's current
        parameter (with an optimizer).
    steps : int ≥ 0

    Returns
    -------
    path : (steps + 1, 2) array
        path[0] is the start, path[k] the point after k steps. If the run diverges (the point or
        the gradient overflows), the remaining rows are NaN, which matplotlib leaves undrawn.
    """
    if not isinstance(surface, Surface):
        raise TypeError(f"surface must be a Surface (such as ROSENBROCK); got {_describe(surface)}")
    steps = as_number(steps, "steps", low=0, integer=True)
    opt, point = _optimizer_on_point(optimizer, start, surface)
    path = np.full((steps + 1, 2), np.nan)
    path[0] = point
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            dx, dy = surface.partials(point[0], point[1])
            if not (math.isfinite(dx) and math.isfinite(dy)):
                break  # diverged: leave the rest NaN
            opt.step([np.array([dx, dy])])
            if not (math.isfinite(point[0]) and math.isfinite(point[1])):
                break
            path[k] = point
    return path


def _optimizer_on_point(optimizer, start, surface):
    """The optimizer and the (2,) array it updates in place, placed at the start."""
    if isinstance(optimizer, Optimizer):
        if len(optimizer.params) != 1 or optimizer.params[0].shape != (2,):
            shapes = [p.shape for p in optimizer.params]
            raise ValueError(f"optimizer must hold one parameter of shape (2,), the point (x, y); got shapes {shapes}")
        point = optimizer.params[0]
        if start is not None:
            point[:] = _as_point(start, "start")
        return optimizer, point
    if not callable(optimizer):
        raise TypeError("optimizer must be an optimizer of course_lib.optim or a factory params -> optimizer "
                        f"(e.g. functools.partial(SGD, lr=0.1)); got {_describe(optimizer)}")
    point = (surface.start if start is None else _as_point(start, "start")).copy()
    opt = optimizer([point])
    if not isinstance(opt, Optimizer):
        raise TypeError(f"optimizer(params) must return an optimizer of course_lib.optim; got {_describe(opt)}")
    return opt, point
