"""Data sets of the course. All are generated or loaded locally: the course works offline."""
import numpy as np
from sklearn import datasets

from ._validate import as_number

__all__ = ["make_moons"]


def make_moons(n_samples=200, noise=0.2, seed=0):
    """Two interleaving half-circles with Gaussian noise: the lecture's data set.

    Identical to ``np.random.seed(seed); sklearn.datasets.make_moons(n_samples, noise=noise)``,
    but drawn from a private generator, so numpy's global random state is left alone.

    Returns
    -------
    X : (n_samples, 2) float64 array
    y : (n_samples,) int64 array of 0 / 1 labels
    """
    n_samples = as_number(n_samples, "n_samples", low=2, integer=True)
    noise = as_number(noise, "noise", low=0)
    seed = as_number(seed, "seed", low=0, high=2**32 - 1, integer=True)
    X, y = datasets.make_moons(n_samples, noise=noise, random_state=np.random.RandomState(seed))
    return X, y.astype(np.int64)
