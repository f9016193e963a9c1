r"""Weight sharing (权值共享): a 2-D convolution node, and the Flatten node that follows it.

A convolution slides one small kernel over the whole image, so the same few weights are used at
every position. With input x (N, C, H, W), kernels W (F, C, k_h, k_w) and biases b (F,),

.. math:: y_{n f i j} = b_f + \sum_{c, u, v} W_{f c u v}\, x_{n, c, i+u, j+v}

(stride 1, no padding: output (N, F, H − k_h + 1, W − k_w + 1)). This is what
``torch.nn.functional.conv2d`` computes (a cross-correlation: the kernel is not flipped).

Because every weight is used at every position, its gradient is the **sum** over positions:

.. math:: \frac{\partial L}{\partial W_{f c u v}} = \sum_{n, i, j} \frac{\partial L}{\partial y_{n f i j}}\, x_{n, c, i+u, j+v}
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validate import as_array, as_number
from .layers import _cached, _dout

__all__ = ["Conv2D", "AvgPool2D", "Flatten", "conv2d_parameter_count", "dense_parameter_count"]


class Conv2D:
    r"""y = W ⋆ x + b, stride 1, no padding (see the module docstring for the formula).

    Parameters
    ----------
    W : (F, C, k_h, k_w) array
        F kernels, each over C input channels; kept by reference (an optimizer updating it in
        place updates the layer).
    b : (F,) array

    Shapes: x (N, C, H, W) → y (N, F, H − k_h + 1, W − k_w + 1). Backward stores ``dW`` and
    ``db`` and returns dx of x's shape.
    """

    def __init__(self, W, b):
        W = as_array(W, "W", ndim=4)
        b = as_array(b, "b", ndim=1)
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape ({W.shape[0]},), one bias per kernel of W {W.shape}; got {b.shape}")
        self.W, self.b = W, b

    def forward(self, x):
        x = as_array(x, "x", ndim=4)
        F, C, kh, kw = self.W.shape
        if x.shape[1] != C or x.shape[2] < kh or x.shape[3] < kw:
            raise ValueError(f"x must have shape (N, {C}, H ≥ {kh}, W ≥ {kw}) for kernels W {self.W.shape}; "
                             f"got {x.shape}")
        N, _, H, W_ = x.shape
        self.x, self.out_hw = x, (H - kh + 1, W_ - kw + 1)
        # every k_h × k_w patch as a row (N·H'·W', C·k_h·k_w): the same kernel multiplies every row
        self.patches = sliding_window_view(x, (kh, kw), axis=(2, 3)).transpose(0, 2, 3, 1, 4, 5).reshape(
            N * self.out_hw[0] * self.out_hw[1], C * kh * kw)
        y = self.patches @ self.W.reshape(F, -1).T + self.b
        return y.reshape(N, *self.out_hw, F).transpose(0, 3, 1, 2)

    def backward(self, dout):
        x, patches, (Ho, Wo) = _cached(self, "x", "patches", "out_hw")
        F, C, kh, kw = self.W.shape
        N = x.shape[0]
        dout = _dout(dout, (N, F, Ho, Wo))
        d = dout.transpose(0, 2, 3, 1).reshape(-1, F)                 # one row per position
        self.dW = (d.T @ patches).reshape(self.W.shape)               # summed over every position
        self.db = d.sum(axis=0)
        dpatches = (d @ self.W.reshape(F, -1)).reshape(N, Ho, Wo, C, kh, kw)
        dx = np.zeros_like(x)
        for u in range(kh):             # each kernel offset sends its gradient back to the pixels it read
            for v in range(kw):
                dx[:, :, u:u + Ho, v:v + Wo] += dpatches[..., u, v].transpose(0, 3, 1, 2)
        return dx


class AvgPool2D:
    """Average over non-overlapping k × k windows: (N, C, H, W) → (N, C, H // k, W // k).

    Backward spreads each gradient evenly over its window (1/k² to each pixel). H and W must be
    multiples of k.
    """

    def __init__(self, k=2):
        self.k = as_number(k, "k", low=1, integer=True)

    def forward(self, x):
        x = as_array(x, "x", ndim=4)
        N, C, H, W = x.shape
        k = self.k
        if H % k or W % k:
            raise ValueError(f"x's height and width must be multiples of k={k}; got shape {x.shape}")
        self.shape = x.shape
        return x.reshape(N, C, H // k, k, W // k, k).mean(axis=(3, 5))

    def backward(self, dout):
        (shape,) = _cached(self, "shape")
        N, C, H, W = shape
        k = self.k
        dout = _dout(dout, (N, C, H // k, W // k))
        return np.repeat(np.repeat(dout, k, axis=2), k, axis=3) / (k * k)


class Flatten:
    """(N, d1, d2, ...) → (N, d1·d2·...); backward reshapes the gradient back."""

    def forward(self, x):
        x = as_array(x, "x")
        if x.ndim < 2:
            raise ValueError(f"x must have a batch axis and at least one more; got shape {x.shape}")
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        (shape,) = _cached(self, "shape")
        return _dout(dout, (shape[0], int(np.prod(shape[1:])))).reshape(shape)


def conv2d_parameter_count(in_channels, out_channels, kernel_size):
    """Weights and biases of a convolution: F·C·k·k + F (independent of the image size)."""
    C = as_number(in_channels, "in_channels", low=1, integer=True)
    F = as_number(out_channels, "out_channels", low=1, integer=True)
    k = as_number(kernel_size, "kernel_size", low=1, integer=True)
    return F * C * k * k + F


def dense_parameter_count(in_features, out_features):
    """Weights and biases of a fully connected layer: D·M + M."""
    D = as_number(in_features, "in_features", low=1, integer=True)
    M = as_number(out_features, "out_features", low=1, integer=True)
    return D * M + M
