"""Tests of course_lib/check/learning_rate.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import math

import numpy as np
import pytest

from course_lib import check


def path_right(lam, eta, x0, steps):
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - eta * lam * xs[-1])
    return np.array(xs)


def path_without_start(lam, eta, x0, steps):
    return path_right(lam, eta, x0, steps)[1:]


def path_forgets_curvature(lam, eta, x0, steps):      # steps by η·x, as if λ were 1
    return path_right(1.0, eta, x0, steps)


def max_lr_right(H):
    return 2 / np.linalg.eigvalsh(H)[-1]


def max_lr_smallest_eigenvalue(H):
    return 2 / np.linalg.eigvalsh(H)[0]


def max_lr_diagonal_only(H):                           # ignores the off-diagonal entries
    return 2 / np.max(np.diag(H))


def step_decay_right(epoch, base_lr, drop_every, factor):
    return base_lr * factor ** (epoch // drop_every)


def step_decay_smooth(epoch, base_lr, drop_every, factor):   # exponential decay, not steps
    return base_lr * factor ** (epoch / drop_every)


def triangular_right(step, base_lr, max_lr, step_size):
    cycle = math.floor(1 + step / (2 * step_size))
    x = abs(step / step_size - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0.0, 1 - x)


def triangular_sawtooth(step, base_lr, max_lr, step_size):    # climbs, then jumps back down
    return base_lr + (max_lr - base_lr) * (step % (2 * step_size)) / (2 * step_size)


def crashes(*args):
    raise ZeroDivisionError("oops")


RIGHT = {"gradient_descent_path": path_right, "max_stable_lr": max_lr_right,
         "step_decay": step_decay_right, "triangular_lr": triangular_right}
WRONG = [("gradient_descent_path", path_without_start), ("gradient_descent_path", path_forgets_curvature),
         ("max_stable_lr", max_lr_smallest_eigenvalue), ("max_stable_lr", max_lr_diagonal_only),
         ("step_decay", step_decay_smooth), ("triangular_lr", triangular_sawtooth)]


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_answer_passes(name, capsys):
    assert bool(getattr(check, name)(RIGHT[name])) is True
    assert capsys.readouterr().out.startswith("✔")


@pytest.mark.parametrize("name, fn", WRONG)
def test_wrong_answer_fails_with_a_hint(name, fn, capsys):
    assert bool(getattr(check, name)(fn)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘") and "Hint:" in out


def test_triangular_hint_points_at_the_idea_not_the_formula(capsys):
    check.triangular_lr(triangular_sawtooth)
    hint = " ".join(capsys.readouterr().out.split("Hint:")[1].split())   # the hint may be wrapped
    assert "cycle" in hint and "peak" in hint
    for answer in ("floor", "max(0", "2·cycle", "1 − x", "(max_lr − base_lr)·"):
        assert answer not in hint, f"the hint gives the formula away: {answer!r}"


def test_quiet_prints_nothing(capsys):
    assert bool(check.step_decay(step_decay_right, quiet=True)) is True
    assert capsys.readouterr().out == ""


def test_checks_are_exported():
    for name in RIGHT:
        assert name in check.__all__
