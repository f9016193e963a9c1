r"""Learning-rate schedules as plain functions of the step, equal to PyTorch's schedulers.

``step`` counts from 0 (the first update uses ``schedule(0, ...)``), as ``last_epoch`` does in
``torch.optim.lr_scheduler``: after k calls of ``scheduler.step()``, ``get_last_lr()`` is the value
of the matching function here at ``step = k``. Set it on an optimizer of :mod:`course_lib.optim`
before each update::

    for t in range(n_steps):
        opt.lr = cosine_warm_restarts(t, base_lr=0.1, T_0=10)
        opt.step(grads(params))

Also here: :func:`lr_range_test`, Smith's learning-rate range test.
"""
import math

import numpy as np

from ._validate import _describe, as_number

__all__ = ["step_lr", "exponential_lr", "cyclic_lr", "cosine_warm_restarts", "one_cycle_lr", "lr_range_test"]

CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


def _as_step(step):
    return as_number(step, "step", low=0, integer=True)


def step_lr(step, base_lr, step_size, gamma=0.1):
    r"""Step decay (StepLR): multiply the rate by γ every ``step_size`` steps.

    .. math:: \eta_t = \eta_0 \, \gamma^{\lfloor t / \text{step\_size} \rfloor}
    """
    step = _as_step(step)
    base_lr = as_number(base_lr, "base_lr", low=0.0)
    step_size = as_number(step_size, "step_size", low=1, integer=True)
    gamma = as_number(gamma, "gamma", low=0.0)
    return base_lr * gamma ** (step // step_size)


def exponential_lr(step, base_lr, gamma):
    r"""Exponential decay (ExponentialLR): multiply the rate by γ every step.

    .. math:: \eta_t = \eta_0 \, \gamma^t
    """
    step = _as_step(step)
    base_lr = as_number(base_lr, "base_lr", low=0.0)
    gamma = as_number(gamma, "gamma", low=0.0)
    return base_lr * gamma**step


def cyclic_lr(step, base_lr, max_lr, step_size_up, mode="triangular", gamma=1.0):
    r"""Cyclical learning rate (Smith 2017; CyclicLR with ``step_size_down = step_size_up``).

    The rate climbs linearly from ``base_lr`` to ``max_lr`` in ``step_size_up`` steps and falls back
    in as many. With cycle :math:`c = \lfloor 1 + t / 2s \rfloor` and position
    :math:`x = |t/s - 2c + 1|` (0 at the peak, 1 at the ends):

    .. math:: \eta_t = \eta_{\text{base}} + (\eta_{\text{max}} - \eta_{\text{base}}) \max(0, 1 - x) \, \text{scale}

    where scale is 1 ("triangular"), :math:`1/2^{c-1}` ("triangular2": the amplitude halves every
    cycle) or :math:`\gamma^t` ("exp_range": it decays every step).
    """
    step = _as_step(step)
    base_lr = as_number(base_lr, "base_lr", low=0.0)
    max_lr = as_number(max_lr, "max_lr", low=0.0)
    step_size_up = as_number(step_size_up, "step_size_up", low=0.0, low_inclusive=False)
    gamma = as_number(gamma, "gamma", low=0.0, low_inclusive=False)
    if mode not in CYCLIC_MODES:
        raise ValueError(f"mode must be one of {CYCLIC_MODES}; got {mode!r}")
    # The arithmetic below follows torch.optim.lr_scheduler.CyclicLR line by line, so that the
    # rates agree to the last bits.
    total_size = 2 * step_size_up
    step_ratio = step_size_up / total_size
    cycle = math.floor(1 + step / total_size)
    x = 1.0 + step / total_size - cycle
    if x <= step_ratio:
        scale_factor = x / step_ratio
    else:
        scale_factor = (x - 1) / (step_ratio - 1)
    if mode == "triangular":
        scale = 1.0
    elif mode == "triangular2":
        scale = 1 / (2.0 ** (cycle - 1))
    else:
        scale = gamma**step
    return base_lr + (max_lr - base_lr) * scale_factor * scale


def cosine_warm_restarts(step, base_lr, T_0, T_mult=1, eta_min=0.0):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter; CosineAnnealingWarmRestarts).

    Within a run of :math:`T_i` steps the rate falls along half a cosine, then jumps back ("warm
    restart"); each run is ``T_mult`` times longer than the one before (:math:`T_0, T_0 m, T_0 m^2, …`):

    .. math:: \eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\left(1 + \cos\frac{\pi T_{\text{cur}}}{T_i}\right)

    with :math:`T_{\text{cur}}` the steps since the last restart.
    """
    step = _as_step(step)
    base_lr = as_number(base_lr, "base_lr", low=0.0)
    T_0 = as_number(T_0, "T_0", low=1, integer=True)
    T_mult = as_number(T_mult, "T_mult", low=1, integer=True)
    eta_min = as_number(eta_min, "eta_min")
    T_cur, T_i = step, T_0
    if T_mult == 1:
        T_cur = step % T_0
    else:
        while T_cur >= T_i:  # integer arithmetic: restarts land exactly on their steps
            T_cur -= T_i
            T_i *= T_mult
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2


def one_cycle_lr(step, max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    r"""The one-cycle policy (Smith & Topin; OneCycleLR with cosine annealing, two phases).

    Warm up from :math:`\eta_{\max}/\text{div\_factor}` to :math:`\eta_{\max}` over the first
    ``pct_start`` of ``total_steps``, then anneal down to
    :math:`\eta_{\max}/(\text{div\_factor}\cdot\text{final\_div\_factor})` at the last step. Each
    phase is a half cosine from a to b: :math:`b + \tfrac12(a - b)(1 + \cos\pi p)`, p from 0 to 1.
    As in PyTorch the first phase ends at step ``pct_start·total_steps − 1``; ``step`` may run
    from 0 to ``total_steps`` (PyTorch allows that one step past the end).
    """
    step = _as_step(step)
    max_lr = as_number(max_lr, "max_lr", low=0.0)
    total_steps = as_number(total_steps, "total_steps", low=1, integer=True)
    pct_start = as_number(pct_start, "pct_start", low=0.0, high=1.0)
    div_factor = as_number(div_factor, "div_factor", low=0.0, low_inclusive=False)
    final_div_factor = as_number(final_div_factor, "final_div_factor", low=0.0, low_inclusive=False)
    if step > total_steps:
        raise ValueError(f"step must be <= total_steps = {total_steps}; got {step}")
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    warmup_end = float(pct_start * total_steps) - 1
    if step <= warmup_end:
        start_step, end_step, start_lr, end_lr = 0.0, warmup_end, initial_lr, max_lr
    else:
        start_step, end_step, start_lr, end_lr = warmup_end, total_steps - 1, max_lr, min_lr
    if end_step == start_step:
        raise ValueError(f"pct_start={pct_start} with total_steps={total_steps} leaves a phase of zero steps "
                         f"(PyTorch divides by zero here); choose pct_start so that pct_start·total_steps is "
                         f"neither 1 nor total_steps")
    pct = (step - start_step) / (end_step - start_step)
    return end_lr + (start_lr - end_lr) / 2.0 * (math.cos(math.pi * pct) + 1)


def _as_loss(loss):
    """The loss returned by train_step as a float (NaN and inf allowed: they mean divergence)."""
    if isinstance(loss, (str, bytes, bool)) or loss is None:
        raise TypeError(f"train_step must return the loss as a number; got {_describe(loss)}")
    try:
        return float(loss)  # numbers, 0-d and 1-element arrays, torch scalars
    except (TypeError, ValueError):
        raise TypeError(f"train_step must return the loss as a number; got {_describe(loss)}") from None


def lr_range_test(train_step, start_lr=1e-7, end_lr=10.0, num_iters=100, mode="exp", diverge_factor=4.0):
    r"""The learning-rate range test (Smith 2017): raise the rate every step and watch the loss.

    Step i (0 ≤ i < ``num_iters``) trains at

    .. math:: \eta_i = \eta_{\text{start}} (\eta_{\text{end}}/\eta_{\text{start}})^{i/(n-1)} \ \text{("exp")}
              \quad\text{or}\quad \eta_{\text{start}} + (\eta_{\text{end}} - \eta_{\text{start}})\, i/(n-1)
              \ \text{("linear")},

    so the first step uses ``start_lr`` and the last ``end_lr``. A good rate lies where the loss
    falls fastest, somewhat below where it turns up.

    **Divergence rule.** The test stops early, after recording the step at which the loss diverged:
    when the loss is not finite (NaN or ±inf), or when it exceeds ``diverge_factor`` (4) times the best
    (lowest) loss so far. (For a negative best loss b the threshold is b + (factor − 1)|b|, the same
    rule written so it still makes sense.) The raw losses are returned; smooth them for plotting if
    they are noisy.

    Parameters
    ----------
    train_step : callable
        ``train_step(lr)`` takes one training step (e.g. one mini-batch) at rate ``lr`` and returns
        the loss, a real number.
    start_lr, end_lr : float, 0 < start_lr < end_lr (start_lr may be 0 with mode="linear")
    num_iters : int ≥ 2
    mode : "exp" or "linear"
    diverge_factor : float > 1

    Returns
    -------
    lrs, losses : (k,) arrays, the rates tried and the losses returned, k ≤ num_iters.
    """
    if not callable(train_step):
        raise TypeError(f"train_step must be a function of the learning rate returning the loss; "
                        f"got {_describe(train_step)}")
    if mode not in ("exp", "linear"):
        raise ValueError(f"mode must be 'exp' or 'linear'; got {mode!r}")
    start_lr = as_number(start_lr, "start_lr", low=0.0, low_inclusive=(mode == "linear"))
    end_lr = as_number(end_lr, "end_lr", low=start_lr, low_inclusive=False)
    num_iters = as_number(num_iters, "num_iters", low=2, integer=True)
    diverge_factor = as_number(diverge_factor, "diverge_factor", low=1.0, low_inclusive=False)
    fraction = np.arange(num_iters) / (num_iters - 1)
    if mode == "exp":
        schedule = start_lr * (end_lr / start_lr) ** fraction
    else:
        schedule = start_lr + (end_lr - start_lr) * fraction
    lrs, losses = [], []
    best = math.inf
    for lr in schedule:
        loss = _as_loss(train_step(float(lr)))
        lrs.append(float(lr))
        losses.append(loss)
        if not math.isfinite(loss) or loss > best + (diverge_factor - 1) * abs(best):
            break
        best = min(best, loss)
    return np.array(lrs), np.array(losses)
