r"""Softmax and the losses of the course, in plain numpy.

Targets are class indices (ints of shape (N,)) or one-hot / probability rows of shape
(N, C); every function here accepts both. Losses are means over the N samples.
"""
import numpy as np

from ._validate import as_array, as_flag, as_number, as_targets, same_shape
from .activations import sigmoid

__all__ = [
    "softmax", "log_softmax", "cross_entropy", "softmax_cross_entropy", "binary_cross_entropy",
    "sigmoid_binary_cross_entropy", "mse", "classification_error", "l1_penalty", "l2_penalty",
    "logsumexp", "entropy", "kl_divergence", "gaussian_nll",
]

LOG_CLAMP = -100.0  # PyTorch's binary_cross_entropy clamps log at -100 so that p = 0 or 1 stays finite


def _axis(z, axis):
    axis = as_number(axis, "axis", integer=True)
    if not -max(z.ndim, 1) <= axis < max(z.ndim, 1):
        raise ValueError(f"axis must be a valid axis of z with shape {z.shape}; got {axis}")
    return axis


def softmax(z, axis=-1):
    r""":math:`p_c = e^{z_c} / \sum_k e^{z_k}` along ``axis``.

    Subtracting the max first changes nothing mathematically and keeps every exponent ≤ 0,
    so logits of ±1e4 are fine.
    """
    z = as_array(z, "z")
    axis = _axis(z, axis)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _shifted_log_sum(z, axis):
    """z − m and log Σ_k e^(z_k − m), m the max along ``axis`` (kept): every exponent ≤ 0, one of them 0."""
    m = z.max(axis=axis, keepdims=True)
    shifted = z - m
    return m, shifted, np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax(z, axis=-1):
    r""":math:`\log p_c = z_c - \log\sum_k e^{z_k}`, by the log-sum-exp trick (no overflow, no log 0)."""
    z = as_array(z, "z")
    axis = _axis(z, axis)
    _, shifted, log_sum = _shifted_log_sum(z, axis)
    return shifted - log_sum


def logsumexp(z, axis=-1, keepdims=False):
    r""":math:`\operatorname{logsumexp}(z) = \log\sum_k e^{z_k}` along ``axis``, exact for any finite z.

    Computed as :math:`m + \log\sum_k e^{z_k - m}` with :math:`m = \max_k z_k`: every exponent is
    ≤ 0 and one of them is 0, so the sum lies in [1, K] — no overflow for logits of 1000, no log 0
    for logits of −1000. Then :math:`\log\mathrm{softmax}(z)_c = z_c - \operatorname{logsumexp}(z)`
    and :math:`\partial \operatorname{logsumexp}(z) / \partial z_k = \mathrm{softmax}(z)_k`.

    Parameters
    ----------
    z : array of logits, at least 1-D
    axis : int, the axis summed over (default: the last, the classes)
    keepdims : bool, keep ``axis`` with length 1 (as ``torch.logsumexp(..., keepdim=True)``)

    Returns
    -------
    array of z's shape without ``axis`` (or with it of length 1 if ``keepdims``)
    """
    z = as_array(z, "z")
    axis = _axis(z, axis)
    keepdims = as_flag(keepdims, "keepdims")
    m, _, log_sum = _shifted_log_sum(z, axis)
    out = m + log_sum
    return out if keepdims else np.squeeze(out, axis=axis)


def _probs(probs, name="probs"):
    p = as_array(probs, name, ndim=2)
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"{name} must be probabilities in [0, 1]; got values from {p.min()} to {p.max()}")
    return p


def _clamped_log(p):
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(p), LOG_CLAMP)


def cross_entropy(probs, targets):
    r"""Mean over samples of :math:`L_i = -\sum_c y_{ic} \log p_{ic}`.

    ``probs`` (N, C) are predicted probabilities; log p is clamped at −100 so that a
    probability of exactly 0 gives a large, finite loss.
    """
    p = _probs(probs)
    y = as_targets(targets, p.shape[0], p.shape[1])
    return float(-(y * _clamped_log(p)).sum() / p.shape[0])


def softmax_cross_entropy(logits, targets):
    r"""Softmax followed by cross-entropy, and its gradient with respect to the logits.

    .. math:: L = -\frac{1}{N}\sum_i \sum_c y_{ic} \log \mathrm{softmax}(z_i)_c,
              \qquad \frac{\partial L}{\partial z} = \frac{p - y}{N}

    Parameters
    ----------
    logits : (N, C) array
    targets : (N,) class indices or (N, C) one-hot / probability rows

    Returns
    -------
    loss : float
    dlogits : (N, C) array
    """
    z = as_array(logits, "logits", ndim=2)
    y = as_targets(targets, z.shape[0], z.shape[1])
    n = z.shape[0]
    loss = float(-(y * log_softmax(z)).sum() / n)
    return loss, (softmax(z) - y) / n


def binary_cross_entropy(p, y):
    r"""Mean of :math:`-[y \log p + (1 - y)\log(1 - p)]`, as ``torch.nn.functional.binary_cross_entropy``.

    Each log is clamped at −100, so p = 0 or 1 gives a finite loss.
    """
    p = as_array(p, "p")
    y = as_array(y, "y")
    same_shape(p, y, "p", "y")
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"p must be probabilities in [0, 1]; got values from {p.min()} to {p.max()}")
    if np.any(y < 0) or np.any(y > 1):
        raise ValueError(f"y must be targets in [0, 1]; got values from {y.min()} to {y.max()}")
    return float(-np.mean(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p)))


def sigmoid_binary_cross_entropy(logits, y):
    r"""Sigmoid followed by binary cross-entropy, and its gradient with respect to the logits s.

    .. math:: L = -\frac{1}{N}\sum_i [y_i \log\sigma(s_i) + (1 - y_i)\log(1 - \sigma(s_i))],
              \qquad \frac{\partial L}{\partial s_i} = \frac{\sigma(s_i) - y_i}{N}

    Computed as :math:`\max(s, 0) - s\,y + \log(1 + e^{-|s|})`, stable for any s
    (``torch.nn.functional.binary_cross_entropy_with_logits``).

    Returns
    -------
    loss : float
    dlogits : array of the shape of ``logits``
    """
    s = as_array(logits, "logits")
    y = as_array(y, "y")
    same_shape(s, y, "logits", "y")
    if np.any(y < 0) or np.any(y > 1):
        raise ValueError(f"y must be targets in [0, 1]; got values from {y.min()} to {y.max()}")
    n = s.size
    loss = float(np.sum(np.maximum(s, 0) - s * y + np.log1p(np.exp(-np.abs(s)))) / n)
    return loss, (sigmoid(s) - y) / n


def mse(pred, target):
    r"""Mean over samples of :math:`L_i = \sum_c (y_{ic} - p_{ic})^2`.

    ``pred`` (N, C) with ``target`` as class indices (N,) or an (N, C) array; or ``pred`` (N,)
    with ``target`` (N,) for regression.
    """
    p = as_array(pred, "pred", ndim=(1, 2))
    if p.ndim == 1:
        t = as_array(target, "target", ndim=1)
        same_shape(p, t, "pred", "target")
        return float(np.mean((t - p) ** 2))
    t = as_array(target, "target", ndim=(1, 2))
    if t.ndim == 1:
        t = as_targets(target, p.shape[0], p.shape[1], "target")
    same_shape(p, t, "pred", "target")
    return float(np.sum((t - p) ** 2) / p.shape[0])


def classification_error(probs, targets):
    r"""Fraction of samples whose most probable class (argmax of ``probs``) is not the target class."""
    p = as_array(probs, "probs", ndim=2)
    y = as_targets(targets, p.shape[0], p.shape[1])
    return float(np.mean(p.argmax(axis=1) != y.argmax(axis=1)))


# --- Likelihood: entropy, KL divergence, the Gaussian (chapter 06) --------------------------------------

def _distributions(rows, name):
    """(N, C) rows of probabilities that each sum to 1 (to 1e-6, room for float32 rows)."""
    q = _probs(rows, name)
    sums = q.sum(axis=1)
    if np.any(np.abs(sums - 1) > 1e-6):
        i = int(np.argmax(np.abs(sums - 1)))
        raise ValueError(f"{name} must be rows of probabilities that sum to 1; row {i} sums to {sums[i]}")
    return q


def entropy(probs):
    r"""Mean over the N rows of the entropy :math:`H(q_i) = -\sum_c q_{ic}\log q_{ic}`, with :math:`0\log 0 = 0`.

    It is the cross-entropy of a distribution with itself, :math:`H(q) = H(q, q)`, and the least
    cross-entropy any prediction can reach against targets q (0 for one-hot targets).

    Parameters
    ----------
    probs : (N, C) rows of probabilities q, each summing to 1

    Returns
    -------
    float, in nats (natural log), between 0 and log C
    """
    q = _distributions(probs, "probs")
    terms = q * np.log(np.where(q > 0, q, 1.0))       # 0 where q = 0
    return float(0.0 - terms.sum() / q.shape[0])      # 0.0 − …: one-hot rows give 0.0, not −0.0


def kl_divergence(targets, probs):
    r"""Mean over the N rows of :math:`\mathrm{KL}(q_i\,\|\,p_i) = \sum_c q_{ic}\log(q_{ic}/p_{ic})`.

    The Kullback–Leibler divergence of the prediction p from the targets q: ≥ 0, and 0 only where
    p = q. Cross-entropy splits into :math:`H(q, p) = H(q) + \mathrm{KL}(q\,\|\,p)`
    (:func:`cross_entropy` = :func:`entropy` + this). Terms with :math:`q_{ic} = 0` count 0; a
    :math:`p_{ic} = 0` where :math:`q_{ic} > 0` gives ``inf`` (unlike :func:`cross_entropy`, no clamp).
    As ``torch.nn.functional.kl_div(log p, q, reduction="batchmean")`` — note torch's order: the
    prediction's *log*-probabilities first.

    Parameters
    ----------
    targets : (N, C) rows q, each summing to 1
    probs : (N, C) rows p, each summing to 1

    Returns
    -------
    float, in nats
    """
    q = _distributions(targets, "targets")
    p = _distributions(probs, "probs")
    same_shape(q, p, "targets", "probs")
    on = q > 0                                          # only the classes the targets give weight
    with np.errstate(divide="ignore"):
        terms = q[on] * (np.log(q[on]) - np.log(p[on]))  # +inf where p = 0 < q
    return float(terms.sum() / q.shape[0])


def gaussian_nll(pred, target, sigma=1.0):
    r"""Negative log-likelihood of a Gaussian with fixed spread σ around the prediction, and its gradient.

    .. math:: L = \frac{1}{n}\sum_i -\log\mathcal{N}(y_i;\,\hat y_i,\,\sigma^2)
              = \frac{1}{n}\sum_i \frac{(y_i - \hat y_i)^2}{2\sigma^2} + \log\big(\sigma\sqrt{2\pi}\big),
              \qquad \frac{\partial L}{\partial \hat y_i} = \frac{\hat y_i - y_i}{n\,\sigma^2}

    the mean over all n entries. So :math:`L = \mathrm{MSE}/(2\sigma^2) + \log(\sigma\sqrt{2\pi})`
    with :func:`mse` of 1-D regression vectors: the same minimiser for every σ. As
    ``torch.nn.functional.gaussian_nll_loss(pred, target, var=σ², full=True)``.

    Parameters
    ----------
    pred : array of predictions :math:`\hat y` (any shape)
    target : array of the same shape, y
    sigma : float > 0, the noise's standard deviation σ

    Returns
    -------
    loss : float
    dpred : array of pred's shape
    """
    yhat = as_array(pred, "pred")
    y = as_array(target, "target")
    same_shape(yhat, y, "pred", "target")
    sigma = as_number(sigma, "sigma", low=0, low_inclusive=False)
    n = max(yhat.size, 1)
    var = sigma * sigma
    loss = float(np.sum((y - yhat) ** 2) / (2 * var) / n + np.log(sigma * np.sqrt(2 * np.pi)))
    return loss, (yhat - y) / (var * n)


# --- Penalties on the weights (chapter 08) ----------------------------------------------------------

def l1_penalty(W, lam):
    r"""L1 penalty :math:`\lambda_1\lVert W\rVert_1 = \lambda_1\sum|w|` and its (sub)gradient :math:`\lambda_1\,\mathrm{sign}(W)`.

    Returns ``(value, grad)``; grad has W's shape (0 where w = 0, the subgradient PyTorch uses).
    """
    W = as_array(W, "W")
    lam = as_number(lam, "lam", low=0)
    return lam * float(np.abs(W).sum()), lam * np.sign(W)


def l2_penalty(W, lam):
    r"""L2 penalty :math:`\frac{\lambda_2}{2}\lVert W\rVert_2^2` and its gradient :math:`\lambda_2 W` ("weight decay").

    Returns ``(value, grad)``; grad has W's shape.
    """
    W = as_array(W, "W")
    lam = as_number(lam, "lam", low=0)
    return 0.5 * lam * float(np.sum(W * W)), lam * W
