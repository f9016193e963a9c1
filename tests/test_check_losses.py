"""Tests of course_lib/check/losses.py: right answers in other forms pass; the given buggy code, typical wrong
answers, inputs changed in place, the forbidden shortcut, stubs and crashes fail and say why."""
import numpy as np
import pytest

from course_lib import check, losses
from course_lib.check.losses import strongest_push_experiment
from course_lib.experiments import classification_losses as cl


def sigmoid(s):
    return 1 / (1 + np.exp(-s))


def words(capsys):
    """The printed verdict with its line breaks folded (messages are wrapped)."""
    return " ".join(capsys.readouterr().out.split())


# --- cross_entropy_loss (find the bug) -------------------------------------------------------

def ce_given(probs, targets):                 # the notebook's buggy version, verbatim
    return -np.mean(targets * np.log(probs))


def ce_right_pick(p, y):
    return -np.mean(np.log(np.sum(y * p, axis=1)))


def ce_right_mask(p, y):
    return -np.mean(np.log(p[y == 1]))


def ce_right_where(p, y):
    with np.errstate(divide="ignore"):
        return -np.sum(np.where(y > 0, np.log(p), 0.0)) / len(p)


def ce_right_epsilon(p, y):                   # the common guard against log 0
    return -np.sum(y * np.log(p + 1e-12)) / p.shape[0]


def ce_right_loop(p, y):
    total = 0.0
    for row, target in zip(p.tolist(), y.tolist()):
        total -= np.log(row[target.index(1.0)])
    return total / len(p)


def ce_right_float32(p, y):
    return np.float32(-np.mean(np.log(np.sum(y * p, axis=1).astype(np.float32))))


def ce_only_the_mean_fixed(p, y):             # still nan where a wrong class has p = 0
    return -np.sum(y * np.log(p)) / len(p)


def ce_only_the_nan_fixed(p, y):              # still a mean over N·C entries
    return -np.mean(np.where(y > 0, np.log(np.where(y > 0, p, 1.0)), 0.0))


def ce_summed(p, y):                          # forgets the mean over samples
    return -np.sum(np.log(np.sum(y * p, axis=1)))


def ce_all_classes(p, y):                     # adds the (1 − y) log(1 − p) terms of binary cross-entropy
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / len(p)


def ce_log10(p, y):
    return -np.mean(np.log10(np.sum(y * p, axis=1)))


def ce_normalises_in_place(p, y):             # "renormalises" the caller's probabilities
    p /= p.sum(axis=1, keepdims=True)
    return ce_right_pick(p, y)


# --- sigmoid_mse_gradient --------------------------------------------------------------------

def sig_mse_right(s, y):
    p = sigmoid(s)
    return 4 * (p - y) * p * (1 - p) / len(s)


def sig_mse_right_loop(s, y):
    out = []
    for si, yi in zip(s, y):
        p = 1 / (1 + np.exp(-si))
        out.append(2 * 2 * (p - yi) * p * (1 - p) / len(s))
    return np.array(out)


def sig_mse_without_sigma_prime(s, y):       # the cross-entropy answer: forgets σ′
    return 4 * (sigmoid(s) - y) / len(s)


def sig_mse_one_class_term(s, y):            # (σ − y)² instead of the lecture's two-class sum
    p = sigmoid(s)
    return 2 * (p - y) * p * (1 - p) / len(s)


def sig_mse_target_one_only(s, y):           # the printed formula for y = 1, whatever y is
    p = sigmoid(s)
    return -4 * (1 - p) * p * (1 - p) / len(s)


# --- softmax_mse_gradient (derive) -----------------------------------------------------------

def stable_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def smse_right(z, y):
    p = stable_softmax(z)
    g = 2 * (p - y) / len(z)
    return p * (g - np.sum(g * p, axis=1, keepdims=True))


def smse_right_jacobian_loop(z, y):          # the C × C Jacobian of each row, as the text writes it
    out = np.zeros_like(z, dtype=float)
    for i in range(len(z)):
        p = losses.softmax(z[i])
        J = np.diag(p) - np.outer(p, p)
        out[i] = J.T @ (2 * (p - y[i]) / len(z))
    return out


def smse_right_einsum(z, y):
    p = stable_softmax(z)
    J = np.einsum("nc,ck->nck", p, np.eye(z.shape[1])) - np.einsum("nc,nk->nck", p, p)
    return np.einsum("nc,nck->nk", 2 * (p - y) / len(z), J)


def smse_naive_softmax(z, y):                # no max subtracted: nan at ±1000
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    g = 2 * (p - y) / len(z)
    return p * (g - np.sum(g * p, axis=1, keepdims=True))


def smse_no_jacobian(z, y):                  # stops at ∂L/∂p
    return 2 * (stable_softmax(z) - y) / len(z)


def smse_cross_entropy_answer(z, y):         # p − y: the cross-entropy gradient
    return (stable_softmax(z) - y) / len(z)


def smse_diagonal_only(z, y):                # keeps only the δ_ck part of the Jacobian
    p = stable_softmax(z)
    return p * 2 * (p - y) / len(z)


def smse_no_mean(z, y):
    return smse_right(z, y) * len(z)


def smse_shortcut(z, y):                     # the experiment module's own answer
    return cl.softmax_mse(z, y)[1]


def stub(*args):
    return None


def crashes(*args):
    raise RuntimeError("boom")


RIGHT = [(check.cross_entropy_loss, f) for f in (ce_right_pick, ce_right_mask, ce_right_where, ce_right_epsilon,
                                                  ce_right_loop, ce_right_float32)] + \
        [(check.sigmoid_mse_gradient, f) for f in (sig_mse_right, sig_mse_right_loop)] + \
        [(check.softmax_mse_gradient, f) for f in (smse_right, smse_right_jacobian_loop, smse_right_einsum)]
WRONG = [(check.cross_entropy_loss, f) for f in (ce_given, ce_only_the_mean_fixed, ce_only_the_nan_fixed,
                                                  ce_summed, ce_all_classes, ce_log10)] + \
        [(check.sigmoid_mse_gradient, f) for f in (sig_mse_without_sigma_prime, sig_mse_one_class_term,
                                                    sig_mse_target_one_only)] + \
        [(check.softmax_mse_gradient, f) for f in (smse_no_jacobian, smse_cross_entropy_answer, smse_diagonal_only,
                                                    smse_no_mean)]


@pytest.mark.parametrize("check_fn, answer", RIGHT, ids=lambda x: getattr(x, "__name__", ""))
def test_right_answers_in_other_forms_pass(check_fn, answer, capsys):
    assert bool(check_fn(answer)) is True
    out = capsys.readouterr().out
    assert out.startswith("✔") and "Hint" not in out


@pytest.mark.parametrize("check_fn, answer", WRONG, ids=lambda x: getattr(x, "__name__", ""))
def test_wrong_answers_fail_with_numbers_and_a_hint(check_fn, answer, capsys):
    assert bool(check_fn(answer)) is False
    out = capsys.readouterr().out
    assert out.startswith("✘") and "Hint:" in out and ".hint(2)" in out
    assert "expected" in out or "gradient check" in out or "nan" in out


def test_the_given_cross_entropy_fails_on_the_lecture_table(capsys):
    assert not check.cross_entropy_loss(ce_given)
    out = words(capsys)
    assert "got 0.459463 expected 1.37839" in out           # C = 3 times too small


def test_cross_entropy_with_nan_at_an_exact_zero_is_told_why(capsys):
    assert not check.cross_entropy_loss(ce_only_the_mean_fixed)
    out = words(capsys)
    assert "the loss is nan" in out and "probability exactly 0" in out
    assert "RuntimeWarning" not in out


def test_cross_entropy_fails_a_function_that_changes_the_probabilities_in_place(capsys):
    assert not check.cross_entropy_loss(ce_normalises_in_place)
    out = words(capsys)
    assert "changed its input p in place" in out and "Hint" not in out
    assert check.cross_entropy_loss(ce_right_pick, quiet=True)     # the check's own tables are intact


def test_softmax_mse_naive_exp_fails_saying_it_overflows(capsys):
    assert not check.softmax_mse_gradient(smse_naive_softmax)
    out = words(capsys)
    assert "nan" in out and "overflows" in out and "max" in out


def test_softmax_mse_shortcut_is_refused_by_name(capsys):
    assert not check.softmax_mse_gradient(smse_shortcut)
    out = words(capsys)
    assert "softmax_mse" in out and "not to use" in out
    assert cl.softmax_mse.__name__ == "softmax_mse"                 # restored afterwards
    assert check.softmax_mse_gradient(smse_right, quiet=True)


def test_softmax_mse_gradient_fails_in_place_changes_of_the_logits(capsys):
    def shifts_in_place(z, y):
        z -= z.max(axis=1, keepdims=True)
        return smse_right(z, y)
    assert not check.softmax_mse_gradient(shifts_in_place)
    assert "changed its input z in place" in words(capsys)


def test_strongest_push_is_at_one_third():
    p, push = strongest_push_experiment()
    assert abs(p[np.argmax(push)] - 1 / 3) < 1e-3
    assert np.isclose(push.max(), 16 / 27, rtol=1e-6)


@pytest.mark.parametrize("prediction", [1 / 3, 0.33, 0.35, np.float32(0.32), np.array(0.34)])
def test_strongest_push_right_predictions_pass_and_explain(prediction, capsys):
    assert check.strongest_mse_push(prediction)
    out = words(capsys)
    assert out.startswith("✔ strongest_mse_push: right") and "p = 0.333" in out and "σ′" in out


@pytest.mark.parametrize("prediction", [0.0, 0.01, 0.5, 0.25, 1.0])
def test_strongest_push_wrong_predictions_fail_and_show_the_measurement(prediction, capsys):
    assert not check.strongest_mse_push(prediction)
    out = words(capsys)
    assert out.startswith(f"✘ strongest_mse_push: you predicted p = {prediction:.3f}")
    assert "strongest at p = 0.333" in out and "Hint:" in out


@pytest.mark.parametrize("prediction, says", [(None, "no prediction yet"), (-0.2, "between 0 and 1"),
                                              (3, "between 0 and 1"), ("p = 1/3", "should be a number"),
                                              (sigmoid, "should be a number"), (True, "should be a number")])
def test_strongest_push_missing_or_malformed_prediction_fails_without_raising(prediction, says, capsys):
    assert not check.strongest_mse_push(prediction)
    assert says in words(capsys)


@pytest.mark.parametrize("check_fn", [check.cross_entropy_loss, check.sigmoid_mse_gradient,
                                      check.softmax_mse_gradient])
def test_stubs_and_crashes_fail(check_fn, capsys):
    assert not check_fn(stub)
    assert "not implemented yet" in capsys.readouterr().out
    assert not check_fn(crashes)
    out = capsys.readouterr().out
    assert "it raised RuntimeError" in out and " = " in out


def test_wrong_shape_is_reported(capsys):
    assert not check.softmax_mse_gradient(lambda z, y: smse_right(z, y).ravel())
    assert "shape" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["cross_entropy_loss", "sigmoid_mse_gradient", "strongest_mse_push",
                                  "softmax_mse_gradient"])
def test_hints_come_in_steps_without_the_formula(name, capsys):
    hints = getattr(check, name).hint
    assert len(hints.steps) >= 2
    hints(2)
    assert capsys.readouterr().out.startswith("  Hint 2 of")
    text = " ".join(hints.steps)
    for answer in ("4(p − y)", "4 * (p", "2(p − y)/N", "1/3", "np.sum(y * np.log", "keepdims"):
        assert answer not in text, f"a hint gives the answer away: {answer!r}"


def test_quiet_prints_nothing(capsys):
    assert check.cross_entropy_loss(ce_right_pick, quiet=True)
    assert not check.sigmoid_mse_gradient(stub, quiet=True)
    assert check.strongest_mse_push(1 / 3, quiet=True)
    assert not check.softmax_mse_gradient(smse_naive_softmax, quiet=True)
    assert capsys.readouterr().out == ""


# --- probabilities_as_logits (predict, then run) ------------------------------------------------

def test_probabilities_as_logits_experiment_is_what_torch_reports():
    import torch
    import torch.nn.functional as F

    from course_lib.check.losses import probabilities_as_logits_experiment
    loss, share = probabilities_as_logits_experiment(10)
    probs = torch.softmax(50.0 * torch.eye(10, dtype=torch.float64)[:1], dim=1)
    assert loss == pytest.approx(F.cross_entropy(probs, torch.tensor([0])).item(), rel=1e-12)
    assert loss == pytest.approx(np.log(1 + 9 / np.e), rel=1e-12)
    assert share == pytest.approx(np.e / (np.e + 9), rel=1e-12)


@pytest.mark.parametrize("prediction", [np.log(1 + 9 / np.e), 1.46, 1.45, np.float32(1.47), np.array(1.461)])
def test_probabilities_as_logits_right_predictions_pass_and_explain(prediction, capsys):
    assert check.probabilities_as_logits(prediction)
    out = words(capsys)
    assert out.startswith("✔ probabilities_as_logits: right") and "1.4612" in out and "logits" in out


@pytest.mark.parametrize("prediction", [0, 0.0001, np.log(10), 1.0, 1 - np.log(np.e / (np.e + 9)), 1.4])
def test_probabilities_as_logits_wrong_predictions_fail_and_show_the_measurement(prediction, capsys):
    # 0: "the prediction is perfect"; log 10: uniform probabilities; 1.0 and 1.4: rough guesses
    assert not check.probabilities_as_logits(prediction)
    out = words(capsys)
    assert out.startswith(f"✘ probabilities_as_logits: you predicted {prediction:g}")
    assert "1.4612" in out and "e/(e + 9)" in out and "Hint:" in out


@pytest.mark.parametrize("prediction, says", [(None, "no prediction yet"), ("1.46", "should be a number"),
                                              (sigmoid, "should be a number"), (True, "should be a number")])
def test_probabilities_as_logits_missing_or_malformed_prediction_fails_without_raising(prediction, says, capsys):
    assert not check.probabilities_as_logits(prediction)
    assert says in words(capsys)


def test_probabilities_as_logits_hints_do_not_give_the_number_away(capsys):
    text = " ".join(check.probabilities_as_logits.hint.steps)
    for answer in ("1.46", "e + 9", "log(1 +", "0.232"):
        assert answer not in text
    assert check.probabilities_as_logits(1.4612, quiet=True)
    assert capsys.readouterr().out == ""
