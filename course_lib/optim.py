r"""Optimizers in numpy with PyTorch's update rules and defaults.

Each optimizer holds a list of parameter arrays ``params`` and updates them **in place** when
``step(grads)`` is called with the gradients :math:`g_t = \nabla_\theta L(\theta_{t-1})`, one array
per parameter, same shapes, same order. Given the same gradients they produce the same parameters as
``torch.optim`` (the docstrings restate the algorithm boxes of the PyTorch documentation, with γ the
learning rate and λ the weight decay).

``lr`` is a plain attribute: a schedule may change it between steps (``opt.lr = step_lr(t, ...)``),
just as one would set ``param_group["lr"]`` in PyTorch. The state (momentum buffers, running averages)
is kept in lists named like PyTorch's state keys, one entry per parameter, for plotting and teaching.

Example
-------
>>> w = np.array([1.0, -2.0])
>>> opt = SGD([w], lr=0.1, momentum=0.9)
>>> opt.step([2 * w])          # w is updated in place
"""
import numpy as np

from ._validate import _describe, as_array, as_flag, as_number

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]


def _as_params(params):
    """Check that params is a non-empty list of distinct float numpy arrays (updated in place)."""
    if isinstance(params, np.ndarray):
        raise TypeError("params must be a list of arrays; got a single array (wrap it in a list: [w])")
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"params must be a list of numpy arrays; got {_describe(params)}")
    if len(params) == 0:
        raise ValueError("params must hold at least one array; got an empty list")
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise TypeError(f"params[{i}] must be a float numpy array (it is updated in place); got {_describe(p)}")
        if not p.flags.writeable:
            raise ValueError(f"params[{i}] must be writeable (it is updated in place); got a read-only array")
        as_array(p, f"params[{i}]", dtype=p.dtype)  # finite
    ids = [id(p) for p in params]
    if len(set(ids)) != len(ids):
        raise ValueError("params must not hold the same array twice (it would be updated twice per step)")
    return list(params)


class Optimizer:
    """What every optimizer shares: the parameters, the learning rate, the step count and ``step``.

    Subclasses implement ``_update(i, param, grad, lr)``, the in-place update of parameter ``i``.
    """

    def __init__(self, params, lr):
        self.params = _as_params(params)
        self.lr = as_number(lr, "lr", low=0.0)
        self.step_count = 0  # t in the maths: the number of steps taken so far

    def step(self, grads):
        """Update every parameter in place from its gradient.

        Parameters
        ----------
        grads : list of arrays
            One finite array per parameter, with the parameter's shape, in the order of ``params``.
        """
        grads = self._check_grads(grads)
        lr = as_number(self.lr, "lr", low=0.0)  # a schedule may have set it since the last step
        self.step_count += 1
        for i, (param, grad) in enumerate(zip(self.params, grads)):
            self._update(i, param, grad, lr)

    def _check_grads(self, grads):
        if isinstance(grads, np.ndarray):
            raise TypeError("grads must be a list of arrays, one per parameter; got a single array (wrap it: [g])")
        if not isinstance(grads, (list, tuple)):
            raise TypeError(f"grads must be a list of arrays, one per parameter; got {_describe(grads)}")
        if len(grads) != len(self.params):
            raise ValueError(f"grads must hold {len(self.params)} arrays, one per parameter; got {len(grads)}")
        checked = []
        for i, (grad, param) in enumerate(zip(grads, self.params)):
            grad = as_array(grad, f"grads[{i}]")
            if grad.shape != param.shape:
                raise ValueError(f"grads[{i}] must have the shape of params[{i}] {param.shape}; got {grad.shape}")
            if np.may_share_memory(grad, param):
                grad = grad.copy()  # step([w]) for a gradient equal to w: keep g_t while θ changes
            checked.append(grad)
        return checked

    def _update(self, i, param, grad, lr):
        raise NotImplementedError


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay.

    With learning rate γ, momentum μ, dampening τ and weight decay λ, at step t:

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        b_t &= g_t \ \text{if } t = 1, \quad b_t = \mu b_{t-1} + (1 - \tau) g_t \ \text{otherwise} \\
        g_t &\leftarrow g_t + \mu b_t \ \text{(Nesterov)}, \quad g_t \leftarrow b_t \ \text{(otherwise)} \\
        \theta_t &= \theta_{t-1} - \gamma g_t

    (the momentum lines only when μ ≠ 0). This is PyTorch's form of momentum: the buffer
    accumulates gradients and γ multiplies it, whereas the lecture's form m_t = γ_m m_{t-1} + η g_t
    puts η inside; both take the same steps while η is constant.

    Parameters
    ----------
    params : list of float arrays, updated in place
    lr : float ≥ 0, default 1e-3
    momentum : float ≥ 0, default 0
    dampening : float in [0, 1], default 0
    nesterov : bool, default False (needs momentum > 0 and dampening = 0)
    weight_decay : float ≥ 0, default 0 (L2 penalty λ/2·‖θ‖², added to the gradient)

    Attributes
    ----------
    momentum_buffers : list of arrays or None, the b_t of each parameter (None before the first step
        or without momentum).
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr)
        self.momentum = as_number(momentum, "momentum", low=0.0)
        self.dampening = as_number(dampening, "dampening", low=0.0, high=1.0)
        self.nesterov = as_flag(nesterov, "nesterov")
        self.weight_decay = as_number(weight_decay, "weight_decay", low=0.0)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov=True requires momentum > 0 and dampening = 0; "
                             f"got momentum={self.momentum}, dampening={self.dampening}")
        self.momentum_buffers = [None] * len(self.params)

    def _update(self, i, param, grad, lr):
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        if self.momentum != 0:
            buf = self.momentum_buffers[i]
            if buf is None:
                buf = self.momentum_buffers[i] = np.array(grad)  # a copy (and an array even for 0-d)
            else:
                buf *= self.momentum
                buf += (1 - self.dampening) * grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        param -= lr * grad


class Adagrad(Optimizer):
    r"""AdaGrad: each coordinate's step is divided by the root of its summed squared gradients.

    With learning rate γ, learning-rate decay η, weight decay λ, initial accumulator value s₀ and ε:

    .. math::
        \tilde\gamma &= \gamma / (1 + (t - 1)\eta) \\
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \tilde\gamma \, g_t / (\sqrt{s_t} + \varepsilon)

    (element-wise). Coordinates with large past gradients take small steps; the sum only grows, so the
    steps shrink for good. The lecture's δ = 1e-7 plays the role of ε (PyTorch's default is 1e-10).

    Parameters
    ----------
    params : list of float arrays, updated in place
    lr : float ≥ 0, default 1e-2
    lr_decay : float ≥ 0, default 0
    weight_decay : float ≥ 0, default 0
    initial_accumulator_value : float ≥ 0, default 0
    eps : float ≥ 0, default 1e-10

    Attributes
    ----------
    sums : list of arrays, the s_t of each parameter.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params, lr)
        self.lr_decay = as_number(lr_decay, "lr_decay", low=0.0)
        self.weight_decay = as_number(weight_decay, "weight_decay", low=0.0)
        self.initial_accumulator_value = as_number(initial_accumulator_value, "initial_accumulator_value", low=0.0)
        self.eps = as_number(eps, "eps", low=0.0)
        self.sums = [np.full_like(p, self.initial_accumulator_value) for p in self.params]

    def _update(self, i, param, grad, lr):
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        decayed_lr = lr / (1 + (self.step_count - 1) * self.lr_decay)
        self.sums[i] += grad * grad
        param -= decayed_lr * grad / (np.sqrt(self.sums[i]) + self.eps)


class RMSprop(Optimizer):
    r"""RMSprop: divide the step by the root of a running average of squared gradients.

    With learning rate γ, smoothing constant α, weight decay λ, momentum μ and ε:

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \tilde v_t &= v_t - \bar g_t^2, \quad \bar g_t = \alpha \bar g_{t-1} + (1 - \alpha) g_t
            \quad \text{(centered only; otherwise } \tilde v_t = v_t) \\
        b_t &= \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \varepsilon), \quad \theta_t = \theta_{t-1} - \gamma b_t
            \quad (\mu > 0) \\
        \theta_t &= \theta_{t-1} - \gamma g_t / (\sqrt{\tilde v_t} + \varepsilon) \quad (\mu = 0)

    with v₀ = ḡ₀ = b₀ = 0. Unlike AdaGrad's sum, the average forgets old gradients, so steps do not
    shrink for good. (The lecture calls α "usually 0.001"; Hinton used 0.9, PyTorch defaults to 0.99.)

    Parameters
    ----------
    params : list of float arrays, updated in place
    lr : float ≥ 0, default 1e-2
    alpha : float in [0, 1], default 0.99
    eps : float ≥ 0, default 1e-8
    weight_decay : float ≥ 0, default 0
    momentum : float ≥ 0, default 0
    centered : bool, default False (subtract the squared running mean of the gradient: a variance)

    Attributes
    ----------
    square_avgs, grad_avgs, momentum_buffers : lists of arrays, the v_t, ḡ_t and b_t of each parameter.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        super().__init__(params, lr)
        self.alpha = as_number(alpha, "alpha", low=0.0, high=1.0)
        self.eps = as_number(eps, "eps", low=0.0)
        self.weight_decay = as_number(weight_decay, "weight_decay", low=0.0)
        self.momentum = as_number(momentum, "momentum", low=0.0)
        self.centered = as_flag(centered, "centered")
        self.square_avgs = [np.zeros_like(p) for p in self.params]
        self.grad_avgs = [np.zeros_like(p) for p in self.params]
        self.momentum_buffers = [np.zeros_like(p) for p in self.params]

    def _update(self, i, param, grad, lr):
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        square_avg = self.square_avgs[i]
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * grad * grad
        if self.centered:
            grad_avg = self.grad_avgs[i]
            grad_avg += (1 - self.alpha) * (grad - grad_avg)
            avg = np.sqrt(square_avg - grad_avg * grad_avg) + self.eps
        else:
            avg = np.sqrt(square_avg) + self.eps
        if self.momentum > 0:
            buf = self.momentum_buffers[i]
            buf *= self.momentum
            buf += grad / avg
            param -= lr * buf
        else:
            param -= lr * grad / avg


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSprop's scaling, both bias-corrected.

    With learning rate γ, betas (β₁, β₂), weight decay λ and ε:

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \quad \hat v_t = v_t / (1 - \beta_2^t) \\
        \theta_t &= \theta_{t-1} - \gamma \hat m_t / (\sqrt{\hat v_t} + \varepsilon)

    with m₀ = v₀ = 0. Without the bias correction the first steps would be too small, because the
    averages start at 0. Weight decay here is an L2 term added to the gradient (and so rescaled by
    √v̂); :class:`AdamW` decouples it.

    Parameters
    ----------
    params : list of float arrays, updated in place
    lr : float ≥ 0, default 1e-3
    betas : (float, float), each in [0, 1), default (0.9, 0.999)
    eps : float ≥ 0, default 1e-8
    weight_decay : float ≥ 0, default 0

    Attributes
    ----------
    exp_avgs, exp_avg_sqs : lists of arrays, the m_t and v_t of each parameter.
    """

    decoupled_weight_decay = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2); got {_describe(betas)}")
        self.betas = (as_number(betas[0], "betas[0]", low=0.0, high=1.0, high_inclusive=False),
                      as_number(betas[1], "betas[1]", low=0.0, high=1.0, high_inclusive=False))
        self.eps = as_number(eps, "eps", low=0.0)
        self.weight_decay = as_number(weight_decay, "weight_decay", low=0.0)
        self.exp_avgs = [np.zeros_like(p) for p in self.params]
        self.exp_avg_sqs = [np.zeros_like(p) for p in self.params]

    def _update(self, i, param, grad, lr):
        beta1, beta2 = self.betas
        t = self.step_count
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                param *= 1 - lr * self.weight_decay
            else:
                grad = grad + self.weight_decay * param
        exp_avg, exp_avg_sq = self.exp_avgs[i], self.exp_avg_sqs[i]
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        denom = np.sqrt(exp_avg_sq) / bias_correction2**0.5 + self.eps
        param -= (lr / bias_correction1) * exp_avg / denom


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter): the decay shrinks θ directly.

    .. math::
        \theta_{t-1} &\leftarrow \theta_{t-1}(1 - \gamma\lambda) \\
        m_t, v_t, \hat m_t, \hat v_t &\ \text{as in Adam, from the raw gradient } g_t \\
        \theta_t &= \theta_{t-1} - \gamma \hat m_t / (\sqrt{\hat v_t} + \varepsilon)

    Every weight decays by the same factor, whatever its gradient history; in Adam the L2 term is
    divided by √v̂ like the rest of the gradient. Same parameters as :class:`Adam`, but
    ``weight_decay`` defaults to 1e-2 as in PyTorch.
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
