"""Reporting a measurement made over several seeds.

One training run is one draw: another seed, or another CPU's rounding, gives another number. The
course reports a measurement over seeds as its mean, its spread and its range, and compares two
models only where the gap beats that spread (CONTRIBUTING.md, "Claims that hold on every machine").
"""
import numpy as np

from ._validate import as_array

__all__ = ["spread"]


def spread(values, fmt=".3f"):
    r"""Mean ± standard deviation (min – max) of one measurement over seeds, as text.

    .. math:: \bar v = \frac1S \sum_{s=1}^S v_s, \qquad
              \sigma = \sqrt{\frac1S \sum_{s=1}^S (v_s - \bar v)^2}

    Parameters
    ----------
    values : array_like, shape (S,)
        The measurement, one value per seed (S ≥ 1).
    fmt : str
        A format spec for each number, e.g. ".3f" for a loss, ".1%" for an accuracy.

    Returns
    -------
    str, e.g. ``spread([0.95, 0.97], ".1%")`` → ``"96.0% ± 1.0% (95.0% – 97.0%)"``
    """
    values = as_array(values, "values", ndim=1)
    if values.size == 0:
        raise ValueError("values must hold at least one measurement; got an empty array")
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format spec such as '.3f' or '.1%'; got {fmt!r}")
    try:
        format(1.0, fmt)
    except ValueError as error:
        raise ValueError(f"fmt must be a format spec such as '.3f' or '.1%'; got {fmt!r}") from error
    mean, std = np.mean(values), np.std(values)
    return f"{mean:{fmt}} ± {std:{fmt}} ({values.min():{fmt}} – {values.max():{fmt}})"
