"""Input checks shared by every public function, so that every error reads the same.

Each helper raises ``TypeError`` when the kind of value is wrong and ``ValueError``
when the kind is right but the value is not, and the message always names the
argument, what was expected and what was given.
"""
import numbers

import numpy as np


def _describe(value):
    """A short description of a value for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    return f"a {type(value).__name__} ({value!r:.60})"


def as_array(x, name, ndim=None, dtype=np.float64, allow_nonfinite=False):
    """Convert ``x`` to a numpy array of ``dtype``, checking it on the way.

    Parameters
    ----------
    x : array_like
        The value a student passed.
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Required number of dimensions.
    dtype : numpy dtype, optional
        float64 (default) accepts bools, ints and floats; int64 accepts only integers
        (and whole-number floats such as 1.0).
    allow_nonfinite : bool
        When False (default), NaN and inf raise ``ValueError``.
    """
    if type(x) is np.ndarray and x.dtype == dtype:
        arr = x  # the common case, kept fast: layers call this on every forward pass
    else:
        arr = _convert(x, name, np.dtype(dtype))
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}; got shape {arr.shape} ({arr.ndim}-D)")
    if not allow_nonfinite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in bad) if arr.ndim else ()
        value = arr[tuple(bad)] if arr.ndim else arr
        raise ValueError(f"{name} must be finite; got {value} at index {where}")
    return arr


def _convert(x, name, dtype):
    if isinstance(x, (str, bytes, dict, set)) or x is None:
        raise TypeError(f"{name} must be an array of numbers; got {_describe(x)}")
    try:
        arr = np.asarray(x)
    except Exception as err:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers; got {_describe(x)} ({err})") from None
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real; got complex values")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of numbers; got {_describe(arr)}")
    if dtype.kind in "iu" and arr.dtype.kind == "f":
        if not (np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))):
            raise TypeError(f"{name} must hold integers; got {_describe(arr)}")
    return arr.astype(dtype, copy=False)


def as_number(x, name, low=None, high=None, low_inclusive=True, high_inclusive=True, integer=False):
    """Check a scalar hyper-parameter (a learning rate, a probability, a count).

    Returns it as float (or int with ``integer=True``). Bounds are optional.
    """
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, np.floating, np.integer)):
        if isinstance(x, np.ndarray) and x.ndim == 0:
            x = x.item()
        else:
            kind = "an integer" if integer else "a real number"
            raise TypeError(f"{name} must be {kind}; got {_describe(x)}")
    if integer:
        if not float(x).is_integer():
            raise TypeError(f"{name} must be an integer; got {x!r}")
        x = int(x)
    else:
        x = float(x)
        if not np.isfinite(x):
            raise ValueError(f"{name} must be finite; got {x}")
    if low is not None and (x < low or (x == low and not low_inclusive)):
        raise ValueError(f"{name} must be {'>=' if low_inclusive else '>'} {low}; got {x}")
    if high is not None and (x > high or (x == high and not high_inclusive)):
        raise ValueError(f"{name} must be {'<=' if high_inclusive else '<'} {high}; got {x}")
    return x


def as_flag(value, name):
    """``value`` as a bool, or a TypeError naming ``name``: True and False only (not 0, 1 or "yes")."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {_describe(value)}")
    return bool(value)


def as_seeds(seeds, name="seeds", at_least=1):
    """Check a list of random seeds (ints ≥ 0): one per network, or the seeds of a comparison."""
    if not isinstance(seeds, (list, tuple, range, np.ndarray)):
        raise TypeError(f"{name} must be a list of ints; got {_describe(seeds)}")
    if len(seeds) < at_least:
        raise ValueError(f"{name} must hold at least {at_least} seed{'s' if at_least > 1 else ''}; got {list(seeds)}")
    return [as_number(k, f"{name}[{i}]", low=0, integer=True) for i, k in enumerate(seeds)]


def as_shape(shape, name):
    """A tensor shape: a tuple of ints >= 0 (from any iterable of them), or a TypeError/ValueError naming it."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise TypeError(f"{name} must be a tuple of ints such as (4, 1); got {_describe(shape)}")
    dims = tuple(shape)
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral):
            raise TypeError(f"{name} must hold ints; got {d!r} in {dims}")
        if d < 0:
            raise ValueError(f"{name} must hold sizes >= 0; got {dims}")
    return tuple(int(d) for d in dims)


def same_shape(a, b, name_a, name_b):
    """Raise ValueError unless two arrays have the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape; got {a.shape} and {b.shape}")


def as_targets(targets, n_samples, n_classes, name="targets"):
    """Turn class indices (N,) or one-hot / probability rows (N, C) into an (N, C) float array."""
    t = as_array(targets, name, ndim=(1, 2))
    if t.ndim == 1:
        idx = as_array(targets, name, ndim=1, dtype=np.int64)
        if idx.shape[0] != n_samples:
            raise ValueError(f"{name} must have {n_samples} entries, one per sample; got {idx.shape[0]}")
        if idx.size and (idx.min() < 0 or idx.max() >= n_classes):
            raise ValueError(
                f"{name} must be class indices in [0, {n_classes - 1}]; got values from {idx.min()} to {idx.max()}"
            )
        onehot = np.zeros((n_samples, n_classes))
        onehot[np.arange(n_samples), idx] = 1.0
        return onehot
    if t.shape != (n_samples, n_classes):
        raise ValueError(f"{name} must have shape ({n_samples}, {n_classes}) or ({n_samples},); got {t.shape}")
    if np.any(t < 0) or np.any(t > 1):
        raise ValueError(f"{name} as rows of probabilities must lie in [0, 1]; got values from {t.min()} to {t.max()}")
    return t
