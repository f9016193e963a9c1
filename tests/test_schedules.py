"""Tests of course_lib/schedules.py: equal to torch.optim.lr_scheduler step by step; the range test; bad input."""
import math
import warnings

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler

from course_lib.schedules import (cosine_warm_restarts, cyclic_lr, exponential_lr, lr_range_test, one_cycle_lr,
                                  step_lr)


def torch_rates(make_scheduler, n_steps, lr=1.0):
    """get_last_lr() after 0, 1, ..., n_steps - 1 calls of scheduler.step(), with a dummy optimizer."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make_scheduler(optimizer)
    rates = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "lr_scheduler.step() before optimizer.step()"
        for _ in range(n_steps):
            rates.append(scheduler.get_last_lr()[0])
            scheduler.step()
    return np.array(rates)


def assert_same_rates(ours, theirs):
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (7, 0.1), (10, 0.9), (3, 1.5)])
def test_step_lr_equals_torch(step_size, gamma):
    theirs = torch_rates(lambda opt: lr_scheduler.StepLR(opt, step_size, gamma), 60, lr=0.3)
    assert_same_rates([step_lr(t, 0.3, step_size, gamma) for t in range(60)], theirs)


@pytest.mark.parametrize("gamma", [0.5, 0.95, 0.999, 1.02])
def test_exponential_lr_equals_torch(gamma):
    theirs = torch_rates(lambda opt: lr_scheduler.ExponentialLR(opt, gamma), 100, lr=0.1)
    assert_same_rates([exponential_lr(t, 0.1, gamma) for t in range(100)], theirs)


@pytest.mark.parametrize("mode, gamma", [("triangular", 1.0), ("triangular2", 1.0), ("exp_range", 0.99),
                                         ("exp_range", 0.9)])
@pytest.mark.parametrize("step_size_up", [1, 4, 5.5])
def test_cyclic_lr_equals_torch_in_every_mode(mode, gamma, step_size_up):
    theirs = torch_rates(lambda opt: lr_scheduler.CyclicLR(opt, base_lr=0.001, max_lr=0.1, step_size_up=step_size_up,
                                                           mode=mode, gamma=gamma, cycle_momentum=False), 80)
    ours = [cyclic_lr(t, 0.001, 0.1, step_size_up, mode=mode, gamma=gamma) for t in range(80)]
    assert_same_rates(ours, theirs)


def test_cyclic_lr_triangular_climbs_to_max_lr_and_back():
    rates = [cyclic_lr(t, 0.0, 1.0, 4) for t in range(9)]
    np.testing.assert_allclose(rates, [0, 0.25, 0.5, 0.75, 1.0, 0.75, 0.5, 0.25, 0.0])
    peaks = [cyclic_lr(4 + 8 * c, 0.0, 1.0, 4, mode="triangular2") for c in range(3)]
    np.testing.assert_allclose(peaks, [1.0, 0.5, 0.25])


@pytest.mark.parametrize("T_0, T_mult, eta_min", [(10, 1, 0.0), (5, 2, 0.001), (3, 3, 0.0), (1, 2, 0.01),
                                                  (7, 1, 0.05)])
def test_cosine_warm_restarts_equals_torch(T_0, T_mult, eta_min):
    theirs = torch_rates(lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0, T_mult, eta_min), 120, lr=0.1)
    assert_same_rates([cosine_warm_restarts(t, 0.1, T_0, T_mult, eta_min) for t in range(120)], theirs)


def test_cosine_warm_restarts_restart_at_the_right_steps():
    rates = np.array([cosine_warm_restarts(t, 1.0, 2, T_mult=2) for t in range(16)])
    assert list(np.flatnonzero(rates == 1.0)) == [0, 2, 6, 14]  # runs of 2, 4, 8 steps


@pytest.mark.parametrize("total_steps, pct_start, div_factor, final_div_factor",
                         [(100, 0.3, 25.0, 1e4), (37, 0.25, 10.0, 100.0), (50, 0.5, 5.0, 1e3), (20, 0.01, 25.0, 1e4),
                          (10, 1.0, 25.0, 1e4), (1000, 0.1, 25.0, 1e4)])
def test_one_cycle_lr_equals_torch(total_steps, pct_start, div_factor, final_div_factor):
    def make(opt):
        return lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=total_steps, pct_start=pct_start,
                                       anneal_strategy="cos", cycle_momentum=False, div_factor=div_factor,
                                       final_div_factor=final_div_factor, three_phase=False)
    n = total_steps if pct_start < 1 else total_steps - 1
    theirs = torch_rates(make, n)
    ours = [one_cycle_lr(t, 0.2, total_steps, pct_start, div_factor, final_div_factor) for t in range(n)]
    assert_same_rates(ours, theirs)


def test_one_cycle_lr_starts_peaks_and_ends_where_documented():
    rates = [one_cycle_lr(t, 1.0, 100, pct_start=0.1, div_factor=20.0, final_div_factor=50.0) for t in range(100)]
    assert rates[0] == pytest.approx(1 / 20)
    assert rates[9] == max(rates) == pytest.approx(1.0)  # the warm-up ends at pct_start·total_steps − 1
    assert rates[99] == pytest.approx(1 / 20 / 50)


def test_lr_range_test_grows_exponentially_from_start_to_end():
    seen = []
    lrs, losses = lr_range_test(lambda lr: seen.append(lr) or 1.0, start_lr=1e-6, end_lr=1.0, num_iters=7)
    np.testing.assert_allclose(lrs, 10.0 ** np.arange(-6, 1), rtol=1e-12)
    np.testing.assert_allclose(seen, lrs)
    np.testing.assert_array_equal(losses, np.ones(7))


def test_lr_range_test_grows_linearly_in_linear_mode():
    lrs, losses = lr_range_test(lambda lr: 2.0, start_lr=0.0, end_lr=1.0, num_iters=5, mode="linear")
    np.testing.assert_allclose(lrs, [0.0, 0.25, 0.5, 0.75, 1.0])
    assert len(losses) == 5


def quadratic_trainer():
    """Gradient descent on f(w) = w²: the loss falls for lr < 1 and blows up for lr > 1."""
    state = {"w": 1.0}

    def train_step(lr):
        state["w"] -= lr * 2 * state["w"]
        return state["w"] ** 2
    return train_step


def test_lr_range_test_stops_early_when_the_loss_exceeds_four_times_the_best():
    lrs, losses = lr_range_test(quadratic_trainer(), start_lr=1e-3, end_lr=10.0, num_iters=100)
    assert len(lrs) < 100 and len(lrs) == len(losses)
    assert losses[-1] > 4 * losses[:-1].min()             # the last step diverged ...
    assert np.all(losses[1:-1] <= 4 * np.minimum.accumulate(losses[:-2]))  # ... and none before it
    assert 1.0 < lrs[-1] < 10.0


def test_lr_range_test_stops_on_a_non_finite_loss():
    losses_in = iter([3.0, 2.0, float("nan"), 1.0])
    lrs, losses = lr_range_test(lambda lr: next(losses_in), num_iters=4)
    assert len(lrs) == 3 and math.isnan(losses[-1])


def test_lr_range_test_accepts_a_torch_scalar_loss():
    lrs, losses = lr_range_test(lambda lr: torch.tensor(lr), start_lr=1.0, end_lr=2.0, num_iters=3, mode="linear")
    np.testing.assert_allclose(losses, [1.0, 1.5, 2.0])


@pytest.mark.parametrize("fn, kwargs, name", [
    (step_lr, {"step": -1, "base_lr": 0.1, "step_size": 2}, "step"),
    (step_lr, {"step": 1.5, "base_lr": 0.1, "step_size": 2}, "step"),
    (step_lr, {"step": 1, "base_lr": -0.1, "step_size": 2}, "base_lr"),
    (step_lr, {"step": 1, "base_lr": 0.1, "step_size": 0}, "step_size"),
    (step_lr, {"step": 1, "base_lr": 0.1, "step_size": 2, "gamma": -0.5}, "gamma"),
    (exponential_lr, {"step": 1, "base_lr": float("inf"), "gamma": 0.9}, "base_lr"),
    (exponential_lr, {"step": 1, "base_lr": 0.1, "gamma": "0.9"}, "gamma"),
    (cyclic_lr, {"step": 1, "base_lr": 0.1, "max_lr": -1.0, "step_size_up": 4}, "max_lr"),
    (cyclic_lr, {"step": 1, "base_lr": 0.1, "max_lr": 1.0, "step_size_up": 0}, "step_size_up"),
    (cyclic_lr, {"step": 1, "base_lr": 0.1, "max_lr": 1.0, "step_size_up": 4, "mode": "cosine"}, "mode"),
    (cyclic_lr, {"step": 1, "base_lr": 0.1, "max_lr": 1.0, "step_size_up": 4, "gamma": 0.0}, "gamma"),
    (cosine_warm_restarts, {"step": 1, "base_lr": 0.1, "T_0": 0}, "T_0"),
    (cosine_warm_restarts, {"step": 1, "base_lr": 0.1, "T_0": 2.5}, "T_0"),
    (cosine_warm_restarts, {"step": 1, "base_lr": 0.1, "T_0": 5, "T_mult": 0}, "T_mult"),
    (cosine_warm_restarts, {"step": 1, "base_lr": 0.1, "T_0": 5, "eta_min": float("nan")}, "eta_min"),
    (one_cycle_lr, {"step": 1, "max_lr": 0.1, "total_steps": 0}, "total_steps"),
    (one_cycle_lr, {"step": 11, "max_lr": 0.1, "total_steps": 10}, "step"),
    (one_cycle_lr, {"step": 1, "max_lr": 0.1, "total_steps": 10, "pct_start": 1.3}, "pct_start"),
    (one_cycle_lr, {"step": 0, "max_lr": 0.1, "total_steps": 10, "pct_start": 0.1}, "pct_start"),
    (one_cycle_lr, {"step": 1, "max_lr": 0.1, "total_steps": 10, "div_factor": 0.0}, "div_factor"),
    (one_cycle_lr, {"step": 1, "max_lr": 0.1, "total_steps": 10, "final_div_factor": -1.0}, "final_div_factor"),
    (lr_range_test, {"train_step": 3.0}, "train_step"),
    (lr_range_test, {"train_step": lambda lr: 1.0, "start_lr": 0.0}, "start_lr"),
    (lr_range_test, {"train_step": lambda lr: 1.0, "start_lr": 1.0, "end_lr": 0.5}, "end_lr"),
    (lr_range_test, {"train_step": lambda lr: 1.0, "num_iters": 1}, "num_iters"),
    (lr_range_test, {"train_step": lambda lr: 1.0, "mode": "log"}, "mode"),
    (lr_range_test, {"train_step": lambda lr: 1.0, "diverge_factor": 1.0}, "diverge_factor"),
    (lr_range_test, {"train_step": lambda lr: "low"}, "train_step"),
    (lr_range_test, {"train_step": lambda lr: None}, "train_step"),
    (lr_range_test, {"train_step": lambda lr: np.ones(3)}, "train_step"),
])
def test_bad_input_raises_naming_the_argument(fn, kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        fn(**kwargs)
