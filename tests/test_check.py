"""Tests of course_lib/check/_core.py and the contracts every check meets (each chapter's own cases are in
tests/test_check_<module>.py)."""
import numpy as np
import pytest

from course_lib import check


# --- students' answers ------------------------------------------------------------------

def sigmoid_in_place(x):
    np.negative(x, out=x)      # overwrites the caller's array: a bug in a training loop
    np.exp(x, out=x)
    return 1 / (1 + x)


def stub(*args):
    pass


def stub_ellipsis(*args):
    return ...


def not_implemented(*args):
    raise NotImplementedError


def crashes(*args):
    return 1 / 0


def returns_text(*args):
    return "dx", "dy", "db"


def sigmoid_right(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_naive(x):  # right for moderate x, overflows at x = -1000
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def sigmoid_wrong_sign(x):
    return 1 / (1 + np.exp(np.asarray(x, dtype=float)))


CHECKS = {
    "sigmoid": (check.sigmoid, sigmoid_right, [sigmoid_naive, sigmoid_wrong_sign]),
}
GENERIC_WRONG = [stub, stub_ellipsis, not_implemented, crashes, returns_text, None, 42]
WRONG = [(name, bad) for name, (_, _, specific) in CHECKS.items() for bad in specific + GENERIC_WRONG]


def wrong_id(case):
    name, bad = case
    return f"{name}-{getattr(bad, '__name__', repr(bad))}"


@pytest.mark.parametrize("name", list(CHECKS))
def test_check_passes_a_correct_implementation(name, capsys):
    fn, right, _ = CHECKS[name]
    assert bool(fn(right)) is True
    out = capsys.readouterr().out
    assert out.startswith(f"✔ {name}:")
    assert "Hint" not in out


def test_check_fails_an_implementation_that_modifies_its_inputs_and_says_so(capsys):
    assert bool(check.sigmoid(sigmoid_in_place)) is False
    out = capsys.readouterr().out
    assert "changed its input x in place" in out
    assert "Hint" not in out, "the exercise's hint is not about this mistake"


@pytest.mark.parametrize("case", WRONG, ids=[wrong_id(c) for c in WRONG])
def test_check_fails_a_wrong_implementation_with_a_hint_and_never_raises(case, capsys):
    name, bad = case
    fn = CHECKS[name][0]
    assert bool(fn(bad)) is False
    out = capsys.readouterr().out
    assert out.startswith(f"✘ {name}:")
    assert "\n  Hint: " in out


@pytest.mark.parametrize("name", list(CHECKS))
def test_check_says_what_went_wrong(name, capsys):
    fn = CHECKS[name][0]
    fn(stub)
    assert "not implemented yet (it returned None)" in capsys.readouterr().out
    fn(not_implemented)
    assert "not implemented yet (it raised NotImplementedError)" in capsys.readouterr().out
    fn(crashes)
    assert "it raised ZeroDivisionError" in capsys.readouterr().out


@pytest.mark.parametrize("name", list(CHECKS))
def test_quiet_check_prints_nothing(name, capsys):
    fn, right, wrong = CHECKS[name]
    assert bool(fn(right, quiet=True)) is True
    assert bool(fn(wrong[0], quiet=True)) is False
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name", check.__all__)
def test_every_check_can_be_silenced(name, capsys):
    """The notebooks' hidden reference solutions call `assert check.NAME(NAME_solution, quiet=True)`,
    so the student sees only their own verdict: every check takes quiet (off by default), and when
    quiet it prints nothing for an unsolved stub or a crashing function, and still returns the verdict."""
    import inspect

    fn = getattr(check, name)
    assert inspect.signature(fn).parameters["quiet"].default is False

    def crashes(*args):
        raise RuntimeError("boom")

    assert bool(fn(stub, quiet=True)) is False and bool(fn(crashes, quiet=True)) is False
    assert capsys.readouterr().out == ""
    assert not fn(stub)
    assert capsys.readouterr().out.startswith(f"✘ {name}")


def test_a_verdict_is_truthy_when_passed_and_displays_nothing_in_a_notebook(capsys):
    verdict = check.sigmoid(sigmoid_right)
    assert verdict and verdict == True  # noqa: E712  (it compares like the bool it stands for)
    assert verdict._ipython_display_() is None and repr(verdict).startswith("✔")
    assert not check.sigmoid(stub, quiet=True) and check.sigmoid(stub, quiet=True) == False  # noqa: E712


def test_importing_the_checks_does_not_import_torch():
    # every chapter imports `check` in its first cell; torch would add seconds to the numpy chapters
    import subprocess
    import sys

    code = "import sys; from course_lib import check; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def takes_a_prediction(name):
    """A "predict, then run" check takes the student's value (its first parameter is `prediction`)."""
    import inspect

    return next(iter(inspect.signature(getattr(check, name)).parameters)) == "prediction"


FUNCTION_CHECKS = [name for name in check.__all__ if not takes_a_prediction(name)]
PREDICTION_CHECKS = [name for name in check.__all__ if takes_a_prediction(name)]


@pytest.mark.parametrize("name", FUNCTION_CHECKS)
@pytest.mark.parametrize("answer, says", [(stub, "not implemented yet (it returned None)"),
                                          (not_implemented, "not implemented yet (it raised NotImplementedError)"),
                                          (crashes, "it raised ZeroDivisionError"), (None, "expected a function")],
                         ids=["stub", "not-implemented", "crashes", "not-a-function"])
def test_every_check_fails_an_unfinished_or_broken_answer_with_a_hint_and_never_raises(name, answer, says, capsys):
    # one contract for every exercise of every chapter, so a new check is covered without a new test
    verdict = getattr(check, name)(answer)
    out = capsys.readouterr().out
    assert not verdict
    assert out.startswith(f"✘ {name}:") and says in out and "\n  Hint: " in out


@pytest.mark.parametrize("name", PREDICTION_CHECKS)
@pytest.mark.parametrize("answer, says", [(None, "no prediction yet"), (stub, "the prediction should be"),
                                          ("🙂", "the prediction should be")],
                         ids=["unanswered", "a-function", "nonsense"])
def test_every_prediction_check_fails_a_missing_or_malformed_prediction_and_never_raises(name, answer, says, capsys):
    verdict = getattr(check, name)(answer)
    out = capsys.readouterr().out
    assert not verdict
    assert out.startswith(f"✘ {name}:") and says in out


def test_some_chapters_ask_for_a_prediction():
    assert len(PREDICTION_CHECKS) >= 3, PREDICTION_CHECKS


@pytest.mark.parametrize("name", check.__all__)
def test_every_check_has_hints_in_steps(name, capsys):
    """`check.NAME.hint(n)`: at least two steps, the first printed under a failure, each asked for by number."""
    from course_lib.check._core import Hints

    hints = getattr(check, name).hint
    assert isinstance(hints, Hints) and hints.name == name and len(hints.steps) >= 2
    assert len(set(hints.steps)) == len(hints.steps), "each step says something new"
    hints(2)
    out = capsys.readouterr().out
    assert out.startswith(f"  Hint 2 of {len(hints.steps)}:")
    assert hints.steps[1].split()[-1] in out, "hint(2) prints the second step"
    verdict = getattr(check, name)(None)
    assert f"check.{name}.hint(2)" in capsys.readouterr().out and not verdict


def test_verdicts_and_hints_are_wrapped_to_fit_the_output_area(capsys):
    from course_lib.check._core import WIDTH, report
    report("long_exercise", False, "it returned " + "a very long description of the case " * 6,
           hint="think about " + "the idea behind the computation " * 8)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 3 and all(len(line) <= WIDTH for line in lines)
    assert lines[0].startswith("✘ long_exercise") and any(line.startswith("  Hint: think") for line in lines)


# --- the core: what every check does with any student's function --------------------------------

from course_lib.check._core import (CheckFailed, Hints, call_student, compare, forbidding,  # noqa: E402
                                    prediction_value, run)


def test_an_input_changed_in_place_fails_unless_the_task_allows_it():
    def scale_in_place(x, factor):
        x *= factor
        return x

    with pytest.raises(CheckFailed, match="changed its input x in place"):
        call_student(scale_in_place, np.ones(3), 2.0)
    assert np.array_equal(call_student(scale_in_place, np.ones(3), 2.0, may_change=(0,)), [2, 2, 2])


def test_the_student_gets_copies_so_a_check_keeps_its_own_arrays():
    x = np.ones(3)
    call_student(lambda v: v.fill(7) or v, x, may_change=(0,))
    assert np.array_equal(x, np.ones(3))


def test_a_change_inside_a_list_of_arrays_or_a_tensor_is_seen_too():
    import torch

    def zero_first(arrays):
        arrays[0][0] = 0.0
        return 1.0

    with pytest.raises(CheckFailed, match="changed its input arrays"):
        call_student(zero_first, [np.ones(2), np.ones(3)])

    def add_one_(t):
        t.add_(1.0)
        return t.sum()

    with pytest.raises(CheckFailed, match="changed its input t in place"):
        call_student(add_one_, torch.zeros(3))
    assert float(call_student(lambda t: (t + 1).sum(), torch.zeros(3))) == 3.0


def test_a_crash_is_reported_with_the_inputs_of_the_failing_case():
    def divide(x, k):
        return x / k[0]

    with pytest.raises(CheckFailed) as failure:
        call_student(divide, np.array([1.0, 2.0]), 3)
    message = str(failure.value)
    assert "it raised TypeError" in message and "for x = [1. 2.], k = 3" in message


def test_values_that_print_alike_say_by_how_much_they_differ():
    with pytest.raises(CheckFailed) as failure:
        compare("y", np.array([1.0, 2.0 + 3e-6]), np.array([1.0, 2.0]), "a case")
    message = str(failure.value)
    assert "got      [1. 2.]" in message and "they differ by 3e-06 at index (1,)" in message
    with pytest.raises(CheckFailed) as failure:
        compare("y", np.array([1.0, 2.5]), np.array([1.0, 2.0]), "a case")
    assert "differ by" not in str(failure.value), "only when the printed numbers cannot tell them apart"


def test_a_forbidden_shortcut_fails_by_name_also_under_an_alias_and_is_restored_afterwards():
    import types

    owner = types.SimpleNamespace(__name__="np", shortcut=lambda a: a + 1)
    original = owner.shortcut
    by_attribute = lambda a: owner.shortcut(a)          # noqa: E731
    alias_scope = {"shortcut": original}
    by_alias = types.FunctionType((lambda a: shortcut(a)).__code__, alias_scope)  # noqa: F821
    with forbidding(owner, "shortcut", "the exercise is to write it by hand"):
        for answer in (by_attribute, by_alias):
            with pytest.raises(CheckFailed, match="it calls np.shortcut.*write it by hand") as failure:
                call_student(answer, 1)
            assert failure.value.with_hint is False
    assert owner.shortcut is original and call_student(by_alias, 1) == 2
    with pytest.raises(RuntimeError):
        with forbidding(owner, "shortcut", "why"):
            raise RuntimeError("a check's own bug")
    assert owner.shortcut is original


def test_hints_come_in_steps_and_a_failure_points_to_the_next_one(capsys):
    hints = Hints("toy", "think about the shapes", "the bias is summed over the batch axis")
    verdict = run("toy", [lambda: compare("y", 1.0, 2.0, "x = 1")], hints)
    out = capsys.readouterr().out
    assert "Hint: think about the shapes" in out and "check.toy.hint(2)" in out
    assert "summed" not in out
    hints(2)
    assert capsys.readouterr().out.startswith("  Hint 2 of 2: the bias is summed")
    hints(9)
    assert "Hint 2 of 2" in capsys.readouterr().out
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="step number"):
            hints(bad)
    assert not verdict
    with pytest.raises(ValueError):
        Hints("empty")


@pytest.mark.parametrize("value, kind, expected", [(3, "number", 3.0), (np.float32(0.5), "number", 0.5),
                                                   (4.0, "integer", 4), (" Diverges ", ("converges", "diverges"),
                                                                          "diverges")])
def test_a_prediction_is_read_as_the_kind_asked_for(value, kind, expected):
    got = prediction_value(value, kind)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("value, kind, says", [(None, "number", "no prediction yet"),
                                               (print, "number", "should be a number"),
                                               ("3", "number", "should be a number"),
                                               (True, "integer", "should be an integer"),
                                               (2.5, "integer", "whole number"),
                                               ("maybe", ("yes", "no"), "one of 'yes', 'no'")])
def test_a_missing_or_malformed_prediction_fails_saying_what_is_expected(value, kind, says):
    with pytest.raises(CheckFailed, match=says):
        prediction_value(value, kind)


def test_a_live_leaf_tensor_is_passed_as_it_is_and_still_may_not_change_unless_allowed():
    import torch

    w = torch.ones(2, requires_grad=True)

    def backward_once(w):
        (w * 3).sum().backward()
        return w.grad

    assert torch.equal(call_student(backward_once, w, live=(0,)), torch.full((2,), 3.0))
    assert torch.equal(w.grad, torch.full((2,), 3.0)), "the exercise is about the caller's leaf"

    def step(w):
        with torch.no_grad():
            w -= 1.0
        return w

    with pytest.raises(CheckFailed, match="changed its input w in place"):
        call_student(step, w, live=(0,))
    assert float(call_student(step, torch.ones(2, requires_grad=True), live=(0,), may_change=(0,)).detach().sum()) == 0.0


def test_forbidding_an_inherited_method_leaves_the_class_as_it_was():
    import torch

    assert "gather" not in vars(torch.Tensor)
    with forbidding(torch.Tensor, "gather", "by hand"):
        with pytest.raises(CheckFailed, match="it calls Tensor.gather"):
            call_student(lambda x: x.gather(0, torch.tensor([0])), torch.ones(2))
    assert "gather" not in vars(torch.Tensor)
    assert torch.ones(2).gather(0, torch.tensor([1])).item() == 1.0
