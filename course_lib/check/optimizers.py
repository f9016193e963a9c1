"""Checks for chapter 07 (optimizers)."""
import numpy as np

from ._core import CheckFailed, call_student, compare, run

__all__ = ["minibatch_indices", "momentum_step", "adam_step", "newton_step"]


def _minibatch_indices(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _momentum_step(theta, m, grad, lr, gamma):
    m = gamma * m + lr * grad
    return theta - m, m


def _adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _pair(out, names):
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        raise CheckFailed(f"return a tuple ({', '.join(names)}); got {type(out).__name__}"
                          + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    return out


def minibatch_indices(fn, quiet=False):
    """Check ``fn(n, batch_size, rng) -> list of index arrays``: a shuffled epoch cut into mini-batches."""
    cases = [(10, 3, 0), (10, 10, 1), (10, 1, 2), (7, 20, 3), (100, 32, 4), (1437, 50, 5), (6, 2, 6)]

    def make(n, batch_size, seed):
        def case():
            what = f"n = {n}, batch_size = {batch_size}, rng = np.random.default_rng({seed})"
            got = call_student(fn, n, batch_size, np.random.default_rng(seed))
            expected = _minibatch_indices(n, batch_size, np.random.default_rng(seed))
            try:
                got = [np.asarray(b) for b in got]
            except TypeError:
                raise CheckFailed(f"return a list of index arrays; got {type(got).__name__} ({what})") from None
            if len(got) != len(expected):
                raise CheckFailed(f"{len(got)} batches for {what}; expected {len(expected)} = ⌈n / batch_size⌉")
            seen = np.sort(np.concatenate(got)) if got else np.array([])
            if seen.shape != (n,) or not np.array_equal(seen, np.arange(n)):
                raise CheckFailed(f"the batches do not hold every index 0 … {n - 1} exactly once ({what})")
            for k, (g, e) in enumerate(zip(got, expected)):
                if not np.array_equal(g, e):
                    raise CheckFailed(f"batch {k} is {g[:8]}{' …' if g.size > 8 else ''}, expected "
                                      f"{e[:8]}{' …' if e.size > 8 else ''} ({what})")
        return case

    return run("minibatch_indices", [make(*c) for c in cases],
               hint="shuffle once per epoch with order = rng.permutation(n), then take consecutive slices "
                    "order[i : i + batch_size] for i = 0, batch_size, 2·batch_size, … (the last may be shorter).",
               quiet=quiet, success="one shuffled epoch, cut into ⌈n / batch_size⌉ batches, on 7 cases "
                                    "(batch size 1, n and more than n included).")


def momentum_step(fn, quiet=False):
    """Check ``fn(theta, m, grad, lr, gamma) -> (theta, m)``: the lecture's momentum step."""
    rng = np.random.RandomState(70)
    cases = [(np.array([1.0, -2.0]), np.zeros(2), np.array([0.5, 0.5]), 0.1, 0.9),
             (np.array([1.0, -2.0]), np.array([0.3, -0.1]), np.array([0.5, 0.5]), 0.1, 0.9),
             (np.array([3.0]), np.array([1.0]), np.array([-2.0]), 0.05, 0.5),
             (rng.randn(3, 4), rng.randn(3, 4), rng.randn(3, 4), 0.01, 0.99),
             (rng.randn(5), rng.randn(5), rng.randn(5), 0.2, 0.0)]

    def make(theta, m, grad, lr, gamma):
        def case():
            what = f"θ = {theta.ravel()[:3]}, m = {m.ravel()[:3]}, g = {grad.ravel()[:3]}, η = {lr}, γ = {gamma}"
            out = _pair(call_student(fn, theta, m, grad, lr, gamma), ["theta", "m"])
            new_theta, new_m = _momentum_step(theta, m, grad, lr, gamma)
            compare("the new m", out[1], new_m, what)
            compare("the new θ", out[0], new_theta, what)
        return case

    return run("momentum_step", [make(*c) for c in cases],
               hint="first the velocity, m ← γ·m + η·g (η inside), then the parameters, θ ← θ − m (the new m).",
               quiet=quiet, success="m_t = γ m_{t−1} + η g_t and θ_t = θ_{t−1} − m_t on 5 cases.")


def adam_step(fn, quiet=False):
    """Check ``fn(theta, m, v, grad, t, lr, beta1, beta2, eps) -> (theta, m, v)``: one Adam step."""
    rng = np.random.RandomState(71)
    g = np.array([0.5, -1.0, 2e-3])
    cases = [(np.array([1.0, 2.0, 3.0]), np.zeros(3), np.zeros(3), g, 1, 1e-3, 0.9, 0.999, 1e-8),
             (np.array([1.0, 2.0, 3.0]), 0.1 * g, 0.001 * g**2, g, 2, 1e-3, 0.9, 0.999, 1e-8),
             (rng.randn(4), 0.1 * rng.randn(4), 0.01 * rng.rand(4), rng.randn(4), 10, 0.01, 0.9, 0.999, 1e-8),
             (rng.randn(2, 3), 0.1 * rng.randn(2, 3), 0.01 * rng.rand(2, 3), rng.randn(2, 3), 1000, 0.1, 0.8, 0.99, 1e-6),
             (np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([0.0]), 1, 0.1, 0.9, 0.999, 1e-8)]

    def make(theta, m, v, grad, t, lr, beta1, beta2, eps):
        def case():
            what = f"t = {t}, g = {grad.ravel()[:3]}, lr = {lr}, β1 = {beta1}, β2 = {beta2}, ε = {eps}"
            out = _pair(call_student(fn, theta, m, v, grad, t, lr, beta1, beta2, eps), ["theta", "m", "v"])
            new_theta, new_m, new_v = _adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps)
            compare("the new m", out[1], new_m, what, rtol=1e-9, atol=1e-15)
            compare("the new v", out[2], new_v, what, rtol=1e-9, atol=1e-18)
            compare("the new θ", out[0], new_theta, what, rtol=1e-9, atol=1e-12)
        return case

    return run("adam_step", [make(*c) for c in cases],
               hint="m and v are running averages of g and g² (weights β and 1 − β); return them uncorrected, but "
                    "step with m̂ = m/(1 − β1^t) and v̂ = v/(1 − β2^t): θ ← θ − lr·m̂/(√v̂ + ε), ε outside the root.",
               quiet=quiet, success="moments, bias correction and step match the reference on 5 cases (t = 1 included).")


def newton_step(fn, quiet=False):
    """Check ``fn(theta, grad, hessian) -> theta``: one step of Newton's method, θ − H⁻¹g."""
    rng = np.random.RandomState(72)
    A = rng.randn(4, 4)
    cases = [(np.array([-2.0, 1.0]), np.array([-2.0, 10.0]), np.diag([1.0, 10.0])),
             (np.array([1.0, 1.0]), np.array([1.0, 2.0]), np.array([[2.0, 1.0], [1.0, 3.0]])),
             (np.array([0.5, 0.5]), np.array([1.0, -1.0]), np.array([[2.0, 0.0], [0.0, -2.0]])),
             (rng.randn(4), rng.randn(4), A @ A.T + 0.5 * np.eye(4))]

    def make(theta, grad, hessian):
        def case():
            what = f"θ = {theta}, g = {grad}, H = {np.array2string(hessian, precision=3)}"
            got = call_student(fn, theta, grad, hessian)
            compare("the new θ", got, theta - np.linalg.solve(hessian, grad), what)
        return case

    return run("newton_step", [make(*c) for c in cases],
               hint="the step solves H·Δ = g (np.linalg.solve; H is not diagonal in general, so do not divide "
                    "element-wise), then θ ← θ − Δ.",
               quiet=quiet, success="θ − H⁻¹g on 4 cases, including a non-diagonal and an indefinite Hessian.")
