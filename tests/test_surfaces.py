"""Tests of course_lib/surfaces.py: gradient checks of every surface, its minima, and the trajectory runner."""
import functools

import numpy as np
import pytest
import torch

from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from course_lib.experiments.surfaces import BEALE, QUADRATIC, ROSENBROCK, SADDLE, SURFACES, Surface, quadratic, run_optimizer

ALL_SURFACES = list(SURFACES.values()) + [quadratic(0.5, 50.0)]


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=lambda s: s.name)
def test_surface_gradient_passes_gradient_check(surface, rng):
    points = np.column_stack([rng.uniform(*surface.xlim, 10), rng.uniform(*surface.ylim, 10)])
    for point in np.vstack([points, [surface.start]]):
        numeric = numerical_gradient(lambda p: surface.value(p), point.copy())
        assert relative_error(surface.gradient(point), numeric) < 1e-7


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=lambda s: s.name)
def test_surface_gradient_matches_torch_autograd(surface, rng):
    x, y = rng.uniform(*surface.xlim, 20), rng.uniform(*surface.ylim, 20)
    tx, ty = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    surface.function(tx, ty).sum().backward()
    dx, dy = surface.partials(x, y)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(dy, ty.grad.numpy(), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("surface", [QUADRATIC, ROSENBROCK, BEALE], ids=lambda s: s.name)
def test_minima_are_stationary_and_lowest_on_a_grid(surface):
    X, Y, Z = surface.grid(101)
    for m in surface.minima:
        np.testing.assert_allclose(surface.gradient(m), [0.0, 0.0], atol=1e-12)
        assert surface.value(m) <= Z.min() + 1e-12


def test_saddle_is_stationary_with_curvature_of_both_signs():
    np.testing.assert_array_equal(SADDLE.gradient([0.0, 0.0]), [0.0, 0.0])
    assert SADDLE.value([0.1, 0.0]) > 0 > SADDLE.value([0.0, 0.1])
    assert SADDLE.minima == []


def test_surface_is_element_wise_on_grids():
    X, Y, Z = ROSENBROCK.grid(7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    assert Z[3, 2] == ROSENBROCK.value([X[3, 2], Y[3, 2]])
    assert X.min() == ROSENBROCK.xlim[0] and Y.max() == ROSENBROCK.ylim[1]


def test_run_optimizer_records_plain_gradient_descent_steps():
    path = run_optimizer(QUADRATIC, functools.partial(SGD, lr=0.05), start=[1.0, 1.0], steps=30)
    assert path.shape == (31, 2)
    k = np.arange(31)
    np.testing.assert_allclose(path[:, 0], (1 - 0.05 * 1.0) ** k)   # x_k = (1 − ηa)^k x_0
    np.testing.assert_allclose(path[:, 1], (1 - 0.05 * 10.0) ** k)  # y_k = (1 − ηb)^k y_0


@pytest.mark.parametrize("make", [functools.partial(SGD, lr=1e-3, momentum=0.9, nesterov=True),
                                  functools.partial(Adagrad, lr=0.5),
                                  functools.partial(RMSprop, lr=1e-2, centered=True),
                                  functools.partial(Adam, lr=0.05), functools.partial(AdamW, lr=0.05)])
def test_run_optimizer_follows_torch_optim_on_rosenbrock(make):
    path = run_optimizer(ROSENBROCK, make, steps=100)
    point = torch.tensor(ROSENBROCK.start, requires_grad=True)
    opt = getattr(torch.optim, make.func.__name__)([point], foreach=False, **make.keywords)
    for k in range(1, 101):
        opt.zero_grad()
        ROSENBROCK.function(point[0], point[1]).backward()
        opt.step()
        np.testing.assert_allclose(path[k], point.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["quadratic", "Rosenbrock", "Beale"])
def test_adam_gets_close_to_the_minimum(name):
    surface = SURFACES[name]
    path = run_optimizer(surface, functools.partial(Adam, lr=0.05), steps=2000)
    assert np.linalg.norm(path[-1] - surface.minima[0]) < 0.05
    assert surface.value(path[-1]) < 1e-2 * surface.value(path[0])


def test_gradient_descent_escapes_the_saddle_along_the_downhill_direction():
    path = run_optimizer(SADDLE, functools.partial(SGD, lr=0.1), steps=40)
    assert abs(path[-1, 0]) < 1e-3 < 1.0 < abs(path[-1, 1])
    np.testing.assert_allclose(path[:, 1], 1e-3 * 1.2 ** np.arange(41))  # y_k = (1 + 2η)^k y_0


def test_a_divergent_run_leaves_the_rest_of_the_path_nan():
    path = run_optimizer(QUADRATIC, functools.partial(SGD, lr=0.25), steps=2000)  # η > 2/λ_max = 0.2
    assert path.shape == (2001, 2)
    finite = np.isfinite(path).all(axis=1)
    assert finite[0] and not finite[-1]
    assert np.all(finite[: finite.argmin()]) and not np.any(finite[finite.argmin():])
    assert np.abs(path[finite]).max() > 1e100


def test_run_optimizer_continues_an_optimizer_instance_with_its_state():
    point = np.array([1.0, 1.0])
    opt = SGD([point], lr=0.01, momentum=0.9)
    first = run_optimizer(QUADRATIC, opt, steps=10)
    second = run_optimizer(QUADRATIC, opt, steps=10)
    whole = run_optimizer(QUADRATIC, functools.partial(SGD, lr=0.01, momentum=0.9), start=[1.0, 1.0], steps=20)
    np.testing.assert_array_equal(np.vstack([first, second[1:]]), whole)
    np.testing.assert_array_equal(point, whole[-1])
    moved = run_optimizer(QUADRATIC, SGD([np.zeros(2)], lr=0.01), start=[2.0, 0.0], steps=1)
    np.testing.assert_allclose(moved, [[2.0, 0.0], [1.98, 0.0]])


def test_run_optimizer_does_not_change_the_surface_start():
    before = BEALE.start.copy()
    run_optimizer(BEALE, Adam, steps=5)
    np.testing.assert_array_equal(BEALE.start, before)


def test_zero_steps_returns_the_start():
    np.testing.assert_array_equal(run_optimizer(BEALE, SGD, steps=0), [BEALE.start])


@pytest.mark.parametrize("kwargs, match", [
    ({"surface": "rosenbrock"}, "surface must be a Surface"),
    ({"optimizer": "adam"}, "optimizer must be"),
    ({"optimizer": lambda params: None}, r"optimizer\(params\) must return"),
    ({"optimizer": SGD([np.zeros(3)])}, "one parameter of shape"),
    ({"start": [1.0, 2.0, 3.0]}, "start must be a point"),
    ({"start": [np.nan, 0.0]}, "start must be finite"),
    ({"steps": -1}, "steps"),
    ({"steps": 2.5}, "steps"),
])
def test_run_optimizer_bad_input_raises(kwargs, match):
    args = {"surface": ROSENBROCK, "optimizer": SGD, "start": None, "steps": 3} | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        run_optimizer(**args)


@pytest.mark.parametrize("a, b, name", [(0.0, 1.0, "a"), (1.0, -2.0, "b"), (1.0, float("inf"), "b")])
def test_quadratic_bad_curvature_raises(a, b, name):
    with pytest.raises(ValueError, match=name):
        quadratic(a, b)


def test_gradient_of_a_non_point_raises():
    with pytest.raises(ValueError, match="point must be a point"):
        ROSENBROCK.gradient(np.zeros(3))
    with pytest.raises(TypeError, match="point must be an array"):
        ROSENBROCK.value("1, 2")
    assert isinstance(ROSENBROCK, Surface)
