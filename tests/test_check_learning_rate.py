"""Tests of course_lib/check/learning_rate.py: right answers in other forms pass; the given buggy code, typical
wrong answers, inputs changed in place, stubs and crashes fail and say why."""
import numpy as np
import pytest

from course_lib import check
from course_lib.check.learning_rate import summed_loss_experiment


# --- gradient_descent_path (find the bug) ---------------------------------------------------

def path_given(H, theta0, eta, steps):           # the notebook's buggy version, verbatim
    theta = theta0
    path = [theta]
    for _ in range(steps):
        theta -= eta * (H @ theta)
        path.append(theta)
    return np.array(path)


def path_copies_theta0_only(H, theta0, eta, steps):   # theta0 is safe, the rows still alias
    theta = theta0.copy()
    path = [theta]
    for _ in range(steps):
        theta -= eta * (H @ theta)
        path.append(theta)
    return np.array(path)


def path_right_loop(H, theta0, eta, steps):
    theta = theta0
    path = [theta]
    for _ in range(steps):
        theta = theta - eta * (H @ theta)
        path.append(theta)
    return np.array(path)


def path_right_in_place_on_a_preallocated_array(H, theta0, eta, steps):
    path = np.empty((steps + 1, len(theta0)))
    path[0] = theta0
    for k in range(steps):
        path[k + 1] = path[k] - eta * H.dot(path[k])
    return path


def path_right_copy_per_row(H, theta0, eta, steps):   # in place on a private copy, each row copied
    theta = theta0.copy()
    rows = [theta.copy()]
    for _ in range(steps):
        theta -= eta * (H @ theta)
        rows.append(theta.copy())
    return np.stack(rows)


def path_right_lists(H, theta0, eta, steps):
    rows = [list(theta0)]
    for _ in range(steps):
        t = rows[-1]
        g = [sum(H[i][j] * t[j] for j in range(len(t))) for i in range(len(t))]
        rows.append([t[i] - eta * g[i] for i in range(len(t))])
    return rows


def path_without_start(H, theta0, eta, steps):
    return path_right_loop(H, theta0, eta, steps)[1:]


def path_ascends(H, theta0, eta, steps):         # the sign of the step
    return path_right_loop(H, theta0, -eta, steps)


def path_diagonal_only(H, theta0, eta, steps):   # treats H as diagonal
    return path_right_loop(np.diag(np.diag(H)), theta0, eta, steps)


# --- best_constant_lr (derive) ---------------------------------------------------------------

def best_right(H):
    lam = np.linalg.eigvalsh(H)
    return 2 / (lam[0] + lam[-1])


def best_right_eig(H):                           # np.linalg.eig, unsorted, complex-typed
    lam = np.real(np.linalg.eig(H)[0])
    return float(2 / (lam.min() + lam.max()))


def best_right_float32(H):
    lam = np.linalg.eigvalsh(H.astype(np.float32))
    return np.float32(2) / (lam[0] + lam[-1])


def best_is_stability_limit(H):                  # the largest stable rate, not the fastest
    return 2 / np.linalg.eigvalsh(H)[-1]


def best_is_one_over_lmax(H):                    # one step lands on the sharp direction's minimum
    return 1 / np.linalg.eigvalsh(H)[-1]


def best_from_diagonal(H):                       # reads the curvatures off the diagonal
    d = np.diag(H)
    return 2 / (d.min() + d.max())


def best_mean_eigenvalue(H):
    return 1 / np.mean(np.linalg.eigvalsh(H))


# --- step_decay ------------------------------------------------------------------------------

def step_decay_right(epoch, base_lr, drop_every, factor):
    return base_lr * factor ** (epoch // drop_every)


def step_decay_loop(epoch, base_lr, drop_every, factor):
    rate = base_lr
    for e in range(1, epoch + 1):
        if e % drop_every == 0:
            rate *= factor
    return rate


def step_decay_smooth(epoch, base_lr, drop_every, factor):   # exponential decay, not steps
    return base_lr * factor ** (epoch / drop_every)


def step_decay_counts_from_one(epoch, base_lr, drop_every, factor):
    return base_lr * factor ** ((epoch + 1) // drop_every)


def stub(*args):
    return None


def crashes(*args):
    raise ZeroDivisionError("oops")


RIGHT = [("gradient_descent_path", f) for f in (path_right_loop, path_right_in_place_on_a_preallocated_array,
                                                 path_right_copy_per_row, path_right_lists)] + \
        [("best_constant_lr", f) for f in (best_right, best_right_eig, best_right_float32)] + \
        [("step_decay", f) for f in (step_decay_right, step_decay_loop)]
WRONG = [("gradient_descent_path", f) for f in (path_copies_theta0_only, path_without_start, path_ascends,
                                                 path_diagonal_only)] + \
        [("best_constant_lr", f) for f in (best_is_stability_limit, best_is_one_over_lmax, best_from_diagonal,
                                           best_mean_eigenvalue)] + \
        [("step_decay", f) for f in (step_decay_smooth, step_decay_counts_from_one)]


@pytest.mark.parametrize("name, fn", RIGHT, ids=lambda x: getattr(x, "__name__", x))
def test_right_answers_in_other_forms_pass(name, fn, capsys):
    assert bool(getattr(check, name)(fn)) is True
    out = capsys.readouterr().out
    assert out.startswith(f"✔ {name}:") and "Hint" not in out


@pytest.mark.parametrize("name, fn", WRONG, ids=lambda x: getattr(x, "__name__", x))
def test_wrong_answers_fail_with_a_hint(name, fn, capsys):
    assert bool(getattr(check, name)(fn)) is False
    out = capsys.readouterr().out
    assert out.startswith(f"✘ {name}:") and "Hint:" in out and f"check.{name}.hint(2)" in out


def test_the_given_gradient_descent_path_fails_because_it_overwrites_theta0(capsys):
    assert not check.gradient_descent_path(path_given)
    out = capsys.readouterr().out
    assert "changed its input theta0 in place" in out
    assert "\n  Hint: " in out, "the in-place update is the bug this exercise's hints are about"


def test_a_path_whose_rows_are_one_array_is_named(capsys):
    assert not check.gradient_descent_path(path_copies_theta0_only)
    out = " ".join(capsys.readouterr().out.split())       # the message may be wrapped
    assert "every row of the path is the same point" in out and "in place" in out


def test_the_path_check_does_not_allow_theta0_to_change():
    def right_but_scribbles_on_theta0(H, theta0, eta, steps):
        path = path_right_loop(H, theta0.copy(), eta, steps)
        theta0[:] = 0.0
        return path
    assert not check.gradient_descent_path(right_but_scribbles_on_theta0, quiet=True)


def test_best_rate_failure_reports_the_slowest_factor_at_both_rates(capsys):
    check.best_constant_lr(best_is_stability_limit)
    out = " ".join(capsys.readouterr().out.split())       # the message may be wrapped
    assert "slowest direction is multiplied by 1 per step (it does not converge at all)" in out
    assert "at the best rate by 0.818182" in out          # diag(1, 10): (10 − 1) / (10 + 1)


def test_best_rate_hints_give_the_idea_not_the_formula(capsys):
    for step in (1, 2, 3):
        check.best_constant_lr.hint(step)
    hints = " ".join(capsys.readouterr().out.split())
    assert "λ_min" in hints and "λ_max" in hints
    for answer in ("2 / (", "2/(λ_min + λ_max)", "λ_min + λ_max", "eigvalsh"):
        assert answer not in hints, f"a hint gives the answer away: {answer!r}"


def test_summed_loss_experiment_oscillates_with_a_clear_margin():
    distances, factor = summed_loss_experiment()
    assert abs(factor - (1 - 0.04 * 40)) < 1e-9          # −0.6: far from 0 and from −1
    assert np.all(np.sign(distances[1:]) != np.sign(distances[:-1]))
    assert abs(distances[-1]) < 1e-3 * abs(distances[0])


@pytest.mark.parametrize("prediction", ["oscillates", " Oscillates "])
def test_summed_loss_right_prediction_passes_and_explains(prediction, capsys):
    assert check.summed_loss_regime(prediction)
    out = capsys.readouterr().out
    assert out.startswith("✔ summed_loss_regime: right") and "curvature 40" in out and "1.6" in out


@pytest.mark.parametrize("prediction", ["converges", "diverges"])
def test_summed_loss_wrong_prediction_fails_and_shows_the_run(prediction, capsys):
    assert not check.summed_loss_regime(prediction)
    out = capsys.readouterr().out
    assert out.startswith(f"✘ summed_loss_regime: you predicted {prediction!r}") and "-0.60" in out
    assert "Hint:" in out


@pytest.mark.parametrize("prediction, says", [(None, "no prediction yet"), ("zigzag", "one of"),
                                              (0.6, "one of"), (path_right_loop, "one of")])
def test_summed_loss_missing_or_malformed_prediction_fails_without_raising(prediction, says, capsys):
    assert not check.summed_loss_regime(prediction)
    assert says in capsys.readouterr().out


@pytest.mark.parametrize("name", ["gradient_descent_path", "best_constant_lr", "step_decay"])
def test_stubs_and_crashes_fail(name, capsys):
    assert not getattr(check, name)(stub)
    assert "not implemented yet" in capsys.readouterr().out
    assert not getattr(check, name)(crashes)
    out = capsys.readouterr().out
    assert "it raised ZeroDivisionError" in out and " = " in out     # the case's inputs


@pytest.mark.parametrize("name", ["gradient_descent_path", "best_constant_lr", "summed_loss_regime",
                                  "step_decay"])
def test_every_check_has_a_second_hint(name, capsys):
    getattr(check, name).hint(2)
    assert capsys.readouterr().out.startswith("  Hint 2 of")


def test_quiet_prints_nothing(capsys):
    assert check.step_decay(step_decay_right, quiet=True)
    assert not check.gradient_descent_path(path_given, quiet=True)
    assert check.summed_loss_regime("oscillates", quiet=True)
    assert capsys.readouterr().out == ""


def test_checks_are_exported():
    for name in ("gradient_descent_path", "best_constant_lr", "summed_loss_regime", "step_decay"):
        assert name in check.__all__
