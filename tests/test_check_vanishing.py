"""Tests of course_lib/check/vanishing.py: right answers pass; wrong ones, stubs and crashes fail with a hint."""
import numpy as np
import pytest

from course_lib import check


def sigmoid_derivative_right(s):
    return s * (1 - s)


def sigmoid_derivative_forgets_one_minus(s):
    return s


def sigmoid_derivative_from_z(s):           # treats its input as z rather than σ(z)
    e = 1 / (1 + np.exp(-s))
    return e * (1 - e)


def chain_gradient_right(weights, x, y):
    h, zs = x, []
    for w in weights:
        zs.append(w * h)
        h = 1 / (1 + np.exp(-zs[-1]))
    ds = [1 / (1 + np.exp(-z)) * (1 - 1 / (1 + np.exp(-z))) for z in zs]
    grad = (h - y) * ds[0] * x
    for w, d in zip(weights[1:], ds[1:]):
        grad *= w * d
    return grad


def chain_gradient_lecture_bound(weights, x, y):   # replaces the middle factors by 1/4, as the slide's equation
    return chain_gradient_right(weights[:1], x, y) * 0.25 ** (len(weights) - 1)


def chain_gradient_forgets_weights(weights, x, y):
    return chain_gradient_right(np.sign(weights) * 0 + 1, x, y)


def init_std_right(fan_in, fan_out, scheme):
    return np.sqrt(2 / (fan_in + fan_out)) if scheme == "xavier" else np.sqrt(2 / fan_in)


def init_std_variance_not_std(fan_in, fan_out, scheme):
    return 2 / (fan_in + fan_out) if scheme == "xavier" else 2 / fan_in


def init_std_he_without_two(fan_in, fan_out, scheme):
    return np.sqrt(2 / (fan_in + fan_out)) if scheme == "xavier" else np.sqrt(1 / fan_in)


def stub(*args):
    return None


def crashes(*args):
    raise ZeroDivisionError("oops")


CHECKS = {
    "sigmoid_derivative": (sigmoid_derivative_right, [sigmoid_derivative_forgets_one_minus, sigmoid_derivative_from_z]),
    "chain_gradient": (chain_gradient_right, [chain_gradient_lecture_bound, chain_gradient_forgets_weights]),
    "init_std": (init_std_right, [init_std_variance_not_std, init_std_he_without_two]),
}


@pytest.mark.parametrize("name", CHECKS)
def test_right_answer_passes(name, capsys):
    assert bool(getattr(check, name)(CHECKS[name][0])) is True
    assert capsys.readouterr().out.startswith("✔ " + name)


@pytest.mark.parametrize("name,wrong", [(n, w) for n, (_, ws) in CHECKS.items() for w in ws],
                         ids=lambda v: getattr(v, "__name__", v))
def test_wrong_answers_fail_with_a_hint(name, wrong, capsys):
    assert bool(getattr(check, name)(wrong)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘ " + name) and "Hint:" in out


def test_quiet_checks_print_nothing(capsys):
    assert bool(check.init_std(init_std_right, quiet=True)) is True
    assert bool(check.chain_gradient(stub, quiet=True)) is False
    assert capsys.readouterr().out == ""


def test_failure_message_names_the_case(capsys):
    check.init_std(init_std_he_without_two)
    out = capsys.readouterr().out
    assert "scheme = 'he'" in out and "fan_in = 64" in out
