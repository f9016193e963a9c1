"""The machinery of exercise checks: run a student's function on cases, compare, report.

A check prints one line that starts with ✔ or ✘, names the exercise, and on failure says
which case failed with the numbers and gives a hint (the idea, not the code). It returns a
:class:`Verdict`, true when the answer passed (so ``assert check.NAME(f)`` works), and never raises
because of the student's code, so a notebook always runs on.
"""
import contextlib
import copy
import inspect
import textwrap
import types

import numpy as np

PASS, FAIL = "✔", "✘"
WIDTH = 88


class CheckFailed(Exception):
    """Raised inside a check to stop at the first failing case, with its message.

    ``with_hint=False`` for a failure the exercise's hint does not address (an input changed in
    place, a forbidden shortcut): the message says all there is to say.
    """

    def __init__(self, message, with_hint=True):
        super().__init__(message)
        self.with_hint = with_hint


class Verdict:
    """The outcome of a check: true if the answer passed.

    It shows nothing when it ends a notebook cell (the check has printed its line already),
    so the student sees ✔/✘ and the hint, not a stray ``True``/``False``.
    """

    def __init__(self, ok, line):
        self.ok, self.line = bool(ok), line

    def __bool__(self):
        return self.ok

    def __eq__(self, other):
        return self.ok == other

    __hash__ = None

    def __repr__(self):
        return self.line

    def _ipython_display_(self):
        pass


def _steps(hint):
    """The hints of a check as a tuple of steps (a single string is one step)."""
    if hint is None:
        return ()
    if isinstance(hint, Hints):
        return hint.steps
    return (hint,) if isinstance(hint, str) else tuple(hint)


def report(name, ok, message, hint=None, quiet=False):
    """Print the verdict of a check (unless ``quiet``) and return it as a :class:`Verdict`.

    ``hint`` is a string or a sequence of hints in steps: on a failure the first (the idea) is
    printed, and the line says how to ask for the next one (``check.NAME.hint(2)``).
    Lines are wrapped at ``WIDTH`` characters, so they fit a notebook's output area at 1280 px.
    """
    line = "\n".join(textwrap.fill(part, WIDTH, subsequent_indent="  ", break_long_words=False)
                     for part in f"{PASS if ok else FAIL} {name}: {message}".splitlines())
    steps = _steps(hint)
    if not ok and steps:
        line += "\n" + _wrap_hint(steps[0])
        if len(steps) > 1:
            line += f"\n  Stuck? check.{name}.hint(2) gives a closer hint."
    if not quiet:
        print(line)
    return Verdict(ok, line)


def _wrap_hint(text, label="Hint"):
    return textwrap.fill(text, WIDTH, initial_indent=f"  {label}: ",
                         subsequent_indent=" " * (len(label) + 4), break_long_words=False)


class Hints:
    """The hints of one check in steps: ``check.NAME.hint(n)`` prints step ``n`` (1 = the idea).

    Steps come closer to the answer one at a time; none gives the code or the final formula.
    """

    def __init__(self, name, *steps):
        if not steps:
            raise ValueError(f"Hints for {name} needs at least one step")
        self.name, self.steps = name, steps

    def __call__(self, n=1):
        """Print hint ``n`` of ``len(steps)`` (the last one if ``n`` is larger)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"hint(n) takes a step number 1, 2, …; got {n!r}")
        step = min(n, len(self.steps))
        more = (f"\n  (check.{self.name}.hint({step + 1}) comes closer.)" if step < len(self.steps)
                else "")
        print(_wrap_hint(self.steps[step - 1], f"Hint {step} of {len(self.steps)}") + more)


class _ForbiddenCall(Exception):
    """Raised by a function a task forbids, while a check runs the student's code."""


@contextlib.contextmanager
def forbidding(owner, name, why):
    """Within the block, ``owner.name`` (e.g. ``np, "broadcast_shapes"``) fails the check when called.

    Use around the cases of a check whose task forbids a shortcut; the message names the function
    and says ``why`` the task asks for it to be written by hand. :func:`call_student` also fails a
    function that refers to the shortcut under another name imported before the check ran
    (``from numpy import broadcast_shapes``), by looking at the globals its code reads.
    """
    original, had_own = getattr(owner, name), name in vars(owner)
    label = f"{getattr(owner, '__name__', type(owner).__name__)}.{name}"

    def refuse(*args, **kwargs):
        raise _ForbiddenCall(f"it calls {label}, which this task asks you not to use: {why}")

    _FORBIDDEN.append((original, label, why))
    setattr(owner, name, refuse)
    try:
        yield
    finally:
        if had_own:
            setattr(owner, name, original)
        else:                       # it was inherited (e.g. a method of torch.Tensor's base class)
            delattr(owner, name)
        _FORBIDDEN.pop()


_FORBIDDEN = []           # (object, label, why) of the shortcuts forbidden while a check runs


def _names_read(code):
    """The global names a function's code (and the code of functions nested in it) reads."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_read(const)
    return names


def _refuse_aliases(fn):
    """Fail if ``fn`` reads a global bound to a forbidden function (imported under its own name)."""
    code, scope = getattr(fn, "__code__", None), getattr(fn, "__globals__", {})
    if code is None:
        return
    for name in _names_read(code):
        value = scope.get(name)
        for original, label, why in _FORBIDDEN:
            if value is original:
                raise CheckFailed(f"it calls {label} (as {name}), which this task asks you not to use: "
                                  f"{why}",
                                  with_hint=False)


def _argument_names(fn, n):
    """Names of the first ``n`` parameters of the student's function, for messages."""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"argument {i + 1}" for i in range(n)]


def _copy(value):
    """A deep copy of an argument's data (arrays, tensors, lists and tuples of them)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    if hasattr(value, "detach") and hasattr(value, "clone"):          # a torch tensor
        return value.detach().clone()
    return copy.deepcopy(value)


def _same(a, b):
    """True when two arguments hold the same data (NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if hasattr(a, "detach") and hasattr(a, "clone"):
        import torch
        return a.shape == b.shape and bool(torch.equal(a.detach(), b.detach()))
    try:
        return bool(a == b)
    except Exception:  # objects without a meaningful ==
        return True


def describe_inputs(names, args):
    """``x = [1. 2.], k = 3``: the inputs of a case, short enough for one message."""
    parts = []
    for name, value in zip(names, args):
        if isinstance(value, np.ndarray) or (hasattr(value, "shape") and hasattr(value, "detach")):
            shown = fmt(np.asarray(value.detach() if hasattr(value, "detach") else value, dtype=float))
        else:
            shown = repr(value)
        if len(shown) > 160:
            shown = shown[:150] + " …"
        parts.append(f"{name} = {shown}")
    return ", ".join(parts)


def call_student(fn, *args, may_change=(), live=()):
    """Call the student's function on copies of ``args``; turn its failures into CheckFailed.

    A crash is reported with the case's inputs. An argument whose contents the function changed is
    a failure too (a function that overwrites its input corrupts the caller's data, e.g. the
    weights in a training loop), unless its position is in ``may_change``: the arguments the task
    allows to be updated in place. The arguments at the positions in ``live`` are passed as they
    are, not copied: leaf tensors whose autograd state (``requires_grad``, ``.grad``) the exercise
    is about.
    """
    if not callable(fn):
        raise CheckFailed(f"expected a function, got {type(fn).__name__}")
    _refuse_aliases(fn)
    before = [_copy(a) for a in args]
    given = [a if i in live else _copy(a) for i, a in enumerate(args)]
    try:
        out = fn(*given)
    except NotImplementedError:
        raise CheckFailed("not implemented yet (it raised NotImplementedError)") from None
    except _ForbiddenCall as refusal:
        raise CheckFailed(str(refusal), with_hint=False) from None
    except Exception as err:  # the student's bug, reported rather than raised
        names = _argument_names(fn, len(args))
        raise CheckFailed(f"it raised {type(err).__name__}: {err}\n"
                          f"  for {describe_inputs(names, before)}") from None
    if out is None or out is Ellipsis:
        raise CheckFailed("not implemented yet (it returned None)")
    names = _argument_names(fn, len(args))
    for i, (old, new) in enumerate(zip(before, given)):
        if i not in may_change and not _same(old, new):
            raise CheckFailed(f"it changed its input {names[i]} in place (the caller's array is "
                              "overwritten): "
                              "compute into a new array instead, e.g. x = x - m rather than x -= m",
                              with_hint=False)
    return out


def prediction_value(prediction, kind):
    """The student's prediction for a "predict, then run" exercise, or CheckFailed saying what is wrong.

    ``kind`` is ``"number"``, ``"integer"`` or a tuple of the allowed choices (strings, compared
    without regard to case or surrounding spaces). Returns a float, an int or the matching choice.
    """
    if prediction is None or prediction is Ellipsis:
        raise CheckFailed("no prediction yet: replace None with your prediction, then run the cell")
    if isinstance(kind, tuple):
        if isinstance(prediction, str):
            for choice in kind:
                if prediction.strip().lower() == choice.lower():
                    return choice
        raise CheckFailed(f"the prediction should be one of {', '.join(repr(c) for c in kind)}; "
                          f"got {prediction!r}")
    if isinstance(prediction, (bool, str)) or callable(prediction):
        raise CheckFailed(f"the prediction should be a{'n integer' if kind == 'integer' else ' number'}; "
                          f"got {type(prediction).__name__} {prediction!r}")
    try:
        value = float(prediction)
    except (TypeError, ValueError):
        raise CheckFailed(f"the prediction should be a number; got {type(prediction).__name__}") from None
    if kind == "integer":
        if value != int(value):
            raise CheckFailed(f"the prediction should be a whole number; got {prediction!r}")
        return int(value)
    return value


def fmt(a):
    """A short, readable rendering of a number or array for a message."""
    a = np.asarray(a, dtype=float)
    if a.size == 1:
        return f"{a.item():.6g}"
    return np.array2string(a, precision=4, suppress_small=True, max_line_width=90, threshold=12)


def compare(label, got, expected, case, rtol=1e-6, atol=1e-9):
    """Raise CheckFailed unless ``got`` matches ``expected`` in shape and values."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{label} should be a number or array; got {type(got).__name__}") from None
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        raise CheckFailed(f"{label} has shape {got.shape}, expected {expected.shape} ({case})")
    if not np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=False):
        message = f"{label} is wrong for {case}:\n  got      {fmt(got)}\n  expected {fmt(expected)}"
        gap = np.abs(got - expected)
        if fmt(got) == fmt(expected) and not np.all(np.isnan(gap)):
            worst = np.unravel_index(np.nanargmax(gap), gap.shape)
            where = f" at index {tuple(int(i) for i in worst)}" if gap.ndim else ""
            message += (f"\n  they differ by {fmt(gap[worst])}{where}, more than the "
                        f"{atol:g} + {rtol:g}·|expected| allowed")
        raise CheckFailed(message)


def run(name, cases, hint, quiet=False, success=None):
    """Run each case (a function that raises CheckFailed on a mismatch) and report.

    ``cases`` is a list of zero-argument callables; ``success`` is the message on a pass (or a function
    that returns it, called only then: it may report what the cases measured).
    """
    try:
        for case in cases:
            case()
    except CheckFailed as failure:
        return report(name, False, str(failure), hint if failure.with_hint else None, quiet)
    if callable(success):
        success = success()
    return report(name, True, success or f"matches the reference on {len(cases)} cases.", quiet=quiet)
