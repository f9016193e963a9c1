"""Tests of course_lib/optim.py: step-for-step parity with torch.optim, in-place updates, bad input."""
import numpy as np
import pytest
import torch

from course_lib.optim import SGD, Adagrad, Adam, AdamW, RMSprop

SHAPES = [(3, 4), (4,), ()]
N_STEPS = 50

OPTIMIZERS = {"SGD": (SGD, torch.optim.SGD), "Adagrad": (Adagrad, torch.optim.Adagrad),
              "RMSprop": (RMSprop, torch.optim.RMSprop), "Adam": (Adam, torch.optim.Adam),
              "AdamW": (AdamW, torch.optim.AdamW)}

SETTINGS = [
    ("SGD", {}),
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.9, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.2}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-7}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.05, "initial_accumulator_value": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.5, "eps": 1e-4, "weight_decay": 0.01}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99)}),
    ("Adam", {"lr": 0.05, "betas": (0.0, 0.5), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3}),
    ("AdamW", {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.0}),
]


def gradients(params, t, rng):
    """Gradients of an ill-conditioned quadratic at params, plus noise: they depend on the trajectory."""
    return [np.arange(1, p.size + 1).reshape(p.shape) * p + 0.1 * rng.standard_normal(p.shape) + 0.01 * t
            for p in params]


def run_both(name, kwargs, lrs=None, n_steps=N_STEPS, seed=0):
    """Run the course_lib and torch optimizers on the same gradients; return both parameter lists."""
    ours_cls, torch_cls = OPTIMIZERS[name]
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s) for s in SHAPES]
    tensors = [torch.tensor(p.copy(), dtype=torch.float64) for p in params]
    ours = ours_cls(params, **kwargs)
    theirs = torch_cls(tensors, foreach=False, **kwargs)
    for t in range(n_steps):
        if lrs is not None:
            ours.lr = lrs[t]
            for group in theirs.param_groups:
                group["lr"] = lrs[t]
        grads = gradients(params, t, rng)
        for tensor, g in zip(tensors, grads):
            tensor.grad = torch.tensor(g)
        ours.step(grads)
        theirs.step()
    return params, [t.numpy() for t in tensors]


@pytest.mark.parametrize("name, kwargs", SETTINGS, ids=[f"{n}-{k}" for n, k in SETTINGS])
def test_optimizer_takes_the_same_steps_as_torch(name, kwargs):
    ours, theirs = run_both(name, kwargs)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, kwargs", [("SGD", {"momentum": 0.9, "nesterov": True}),
                                          ("Adagrad", {"lr_decay": 0.1}), ("RMSprop", {"momentum": 0.9}),
                                          ("Adam", {"weight_decay": 0.1}), ("AdamW", {})])
def test_learning_rate_changed_between_steps_is_honoured_like_torch(name, kwargs):
    lrs = 0.05 * (1 + np.sin(np.arange(N_STEPS)))
    lrs[10] = 0.0
    ours, theirs = run_both(name, kwargs, lrs=lrs)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_defaults_are_torchs(name):
    ours_cls, torch_cls = OPTIMIZERS[name]
    ours = ours_cls([np.zeros(2)])
    defaults = torch_cls([torch.zeros(2)]).defaults
    for key in ["lr", "momentum", "dampening", "nesterov", "weight_decay", "lr_decay",
                "initial_accumulator_value", "eps", "alpha", "centered", "betas"]:
        if key in defaults and hasattr(ours, key):
            assert getattr(ours, key) == defaults[key], key


def test_step_updates_the_arrays_in_place():
    w = np.array([1.0, -2.0])
    b = np.array([[0.5]])
    ids = id(w), id(b)
    opt = SGD([w, b], lr=0.1)
    opt.step([np.array([1.0, 1.0]), np.array([[2.0]])])
    np.testing.assert_allclose(w, [0.9, -2.1])
    np.testing.assert_allclose(b, [[0.3]])
    assert (id(w), id(b)) == ids and opt.step_count == 1


def test_sgd_with_momentum_accumulates_the_gradient():
    w = np.array([0.0])
    opt = SGD([w], lr=1.0, momentum=0.5)
    for _ in range(3):
        opt.step([np.array([1.0])])
    # buffers 1, 1.5, 1.75: steps add up to 4.25
    np.testing.assert_allclose(w, [-4.25])
    np.testing.assert_allclose(opt.momentum_buffers[0], [1.75])


def test_adam_first_step_has_size_lr_whatever_the_gradient_scale():
    for scale in [1e-3, 1.0, 1e6]:
        w = np.array([0.0, 0.0])
        Adam([w], lr=0.01).step([np.array([scale, -scale])])
        np.testing.assert_allclose(w, [-0.01, 0.01], rtol=1e-4)


@pytest.mark.parametrize("cls, kwargs, name", [
    (SGD, {"lr": -0.1}, "lr"),
    (SGD, {"lr": float("nan")}, "lr"),
    (SGD, {"lr": "0.1"}, "lr"),
    (SGD, {"momentum": -0.5}, "momentum"),
    (SGD, {"dampening": 1.5}, "dampening"),
    (SGD, {"weight_decay": -1e-4}, "weight_decay"),
    (SGD, {"nesterov": True}, "nesterov"),
    (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "nesterov"),
    (SGD, {"nesterov": "yes", "momentum": 0.9}, "nesterov"),
    (Adagrad, {"lr_decay": -0.1}, "lr_decay"),
    (Adagrad, {"weight_decay": -0.1}, "weight_decay"),
    (Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
    (Adagrad, {"eps": -1e-10}, "eps"),
    (RMSprop, {"alpha": -0.1}, "alpha"),
    (RMSprop, {"alpha": 1.5}, "alpha"),
    (RMSprop, {"eps": -1.0}, "eps"),
    (RMSprop, {"momentum": -0.9}, "momentum"),
    (RMSprop, {"weight_decay": -0.1}, "weight_decay"),
    (RMSprop, {"centered": 1}, "centered"),
    (Adam, {"betas": (1.0, 0.999)}, "betas[0]"),
    (Adam, {"betas": (-0.1, 0.999)}, "betas[0]"),
    (Adam, {"betas": (0.9, 1.0)}, "betas[1]"),
    (Adam, {"betas": 0.9}, "betas"),
    (Adam, {"eps": -1e-8}, "eps"),
    (Adam, {"weight_decay": -0.01}, "weight_decay"),
    (AdamW, {"lr": -1e-3}, "lr"),
    (AdamW, {"weight_decay": -0.01}, "weight_decay"),
])
def test_bad_hyper_parameter_raises_naming_it(cls, kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name.replace("[", r"\[")):
        cls([np.zeros(3)], **kwargs)


@pytest.mark.parametrize("params, match", [
    (np.zeros(3), "single array"),
    ([], "at least one"),
    ("w", "params must be a list"),
    ([[1.0, 2.0]], r"params\[0\] must be a float numpy array"),
    ([np.zeros(2, dtype=int)], r"params\[0\] must be a float numpy array"),
    ([np.array([1.0, np.nan])], r"params\[0\] must be finite"),
])
def test_bad_params_raise(params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        SGD(params, lr=0.1)


def test_the_same_array_twice_is_rejected():
    w = np.zeros(2)
    with pytest.raises(ValueError, match="same array twice"):
        Adam([w, w])


def test_read_only_params_are_rejected():
    w = np.zeros(2)
    w.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        SGD([w])


@pytest.mark.parametrize("grads, match", [
    (np.zeros(2), "single array"),
    ([np.zeros(2)], "must hold 2 arrays"),
    ([np.zeros(2), np.zeros(4)], r"grads\[1\] must have the shape of params\[1\] \(3,\)"),
    ([np.zeros(2), np.array([0.0, np.inf, 0.0])], r"grads\[1\] must be finite"),
    ([np.zeros(2), "abc"], r"grads\[1\] must be an array"),
    (None, "grads must be a list"),
])
def test_bad_grads_raise_and_leave_params_unchanged(grads, match):
    params = [np.ones(2), np.ones(3)]
    opt = Adam(params, lr=0.1)
    with pytest.raises((ValueError, TypeError), match=match):
        opt.step(grads)
    assert opt.step_count == 0
    np.testing.assert_array_equal(params[0], 1.0)


@pytest.mark.parametrize("lr", [-0.1, float("nan"), None])
def test_a_bad_lr_set_by_a_schedule_is_caught_at_the_next_step(lr):
    opt = RMSprop([np.ones(2)])
    opt.lr = lr
    with pytest.raises((ValueError, TypeError), match="lr"):
        opt.step([np.ones(2)])


def test_a_gradient_that_is_the_parameter_array_itself_is_read_before_the_update():
    w, v = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    AdamW([w], lr=0.1, eps=1.0, weight_decay=0.5).step([w])  # f = ½‖w‖², ∇f = w: the same array
    AdamW([v], lr=0.1, eps=1.0, weight_decay=0.5).step([v.copy()])
    np.testing.assert_array_equal(w, v)
