"""The lecture's regression with autograd: fit ŷ = x²·w + b to y = 3x² + 2 + noise.

The training loop itself belongs in the notebook; this module holds what a widget needs:
many runs of the same loop (one per learning rate) trained side by side. The lecture's data is
:func:`course_lib.data.noisy_parabola`.
"""
import contextlib

import torch

from .._validate import as_array, as_number

__all__ = ["gradient_descent_runs", "one_thread"]


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread inside the block (tiny tensors: threads only cost), then restore."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def gradient_descent_runs(x, y, w0, b0, lrs, iterations):
    r"""Gradient descent on :math:`L = \tfrac12\sum_i (x_i^2 w + b - y_i)^2`, one run per learning rate.

    The runs are trained **side by side**: ``w`` and ``b`` are (1, K) tensors, column k the
    parameters of run k, and the loss is the sum of the K runs' losses. Each run's parameters
    appear only in its own term, so ``backward`` gives every column exactly its own gradient and
    the runs stay independent, in one autograd graph per step instead of K.

    Parameters
    ----------
    x, y : array_like of shape (N, 1)
        The data (float64 inside: the largest learning rates make some runs diverge).
    w0, b0 : float
        The starting parameters, shared by every run.
    lrs : sequence of K positive floats
    iterations : int
        Number of updates.

    Returns
    -------
    dict with ``w``, ``b`` and ``loss``, numpy arrays of shape (iterations + 1, K): row t holds the
    parameters after t updates and their loss (``inf`` once a run overflows).
    """
    x = as_array(x, "x", ndim=2)
    y = as_array(y, "y", ndim=2)
    if x.shape != y.shape or x.shape[1] != 1:
        raise ValueError(f"x and y must both have shape (N, 1); got {x.shape} and {y.shape}")
    w0, b0 = as_number(w0, "w0"), as_number(b0, "b0")
    lrs = as_array(lrs, "lrs", ndim=1)
    if lrs.size == 0 or (lrs <= 0).any():
        raise ValueError(f"lrs must be a non-empty list of positive learning rates; got {lrs.tolist()}")
    iterations = as_number(iterations, "iterations", low=0, integer=True)
    k = lrs.size
    x2, y = torch.from_numpy(x).pow(2), torch.from_numpy(y)
    lr = torch.from_numpy(lrs).reshape(1, k)
    w = torch.full((1, k), w0, dtype=torch.float64, requires_grad=True)
    b = torch.full((1, k), b0, dtype=torch.float64, requires_grad=True)
    ws, bs, losses = [], [], []
    with one_thread():
        for _ in range(iterations + 1):
            per_run = 0.5 * ((x2 * w + b - y) ** 2).sum(dim=0)      # (K,) the loss of each run
            ws.append(w.detach().clone())
            bs.append(b.detach().clone())
            losses.append(per_run.detach().clone())
            if len(losses) > iterations:
                break
            per_run.sum().backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
    loss = torch.stack(losses).numpy()
    loss[~(loss < float("inf"))] = float("inf")                    # overflowed runs: inf, not nan
    return {"w": torch.cat(ws).numpy(), "b": torch.cat(bs).numpy(), "loss": loss}
