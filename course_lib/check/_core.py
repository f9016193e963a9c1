"""The machinery of exercise checks: run a student's function on cases, compare, report.

A check prints one line that starts with ✔ or ✘, names the exercise, and on failure says
which case failed with the numbers and gives a hint (the idea, not the code). It returns a
:class:`Verdict`, true when the answer passed (so ``assert check.NAME(f)`` works), and never raises
because of the student's code, so a notebook always runs on.
"""
import textwrap

import numpy as np

PASS, FAIL = "✔", "✘"
WIDTH = 88


class CheckFailed(Exception):
    """Raised inside a check to stop at the first failing case, with its message."""


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


def report(name, ok, message, hint=None, quiet=False):
    """Print the verdict of a check (unless ``quiet``) and return it as a :class:`Verdict`.

    Lines are wrapped at ``WIDTH`` characters, so they fit a notebook's output area at 1280 px.
    """
    line = "\n".join(textwrap.fill(part, WIDTH, subsequent_indent="  ", break_long_words=False)
                     for part in f"{PASS if ok else FAIL} {name}: {message}".splitlines())
    if not ok and hint:
        line += "\n" + textwrap.fill(hint, WIDTH, initial_indent="  Hint: ", subsequent_indent="        ",
                                     break_long_words=False)
    if not quiet:
        print(line)
    return Verdict(ok, line)


def call_student(fn, *args):
    """Call the student's function; turn its exceptions and empty answers into CheckFailed."""
    if not callable(fn):
        raise CheckFailed(f"expected a function, got {type(fn).__name__}")
    try:
        out = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    except NotImplementedError:
        raise CheckFailed("not implemented yet (it raised NotImplementedError)") from None
    except Exception as err:  # the student's bug, reported rather than raised
        raise CheckFailed(f"it raised {type(err).__name__}: {err}") from None
    if out is None or out is Ellipsis:
        raise CheckFailed("not implemented yet (it returned None)")
    return out


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
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        raise CheckFailed(f"{label} is wrong for {case}:\n  got      {fmt(got)}\n  expected {fmt(expected)}")


def run(name, cases, hint, quiet=False, success=None):
    """Run each case (a function that raises CheckFailed on a mismatch) and report.

    ``cases`` is a list of zero-argument callables; ``success`` is the message on a pass.
    """
    try:
        for case in cases:
            case()
    except CheckFailed as failure:
        return report(name, False, str(failure), hint, quiet)
    return report(name, True, success or f"matches the reference on {len(cases)} cases.", quiet=quiet)
