r"""The Hodgkin–Huxley model of the squid giant axon (Hodgkin & Huxley, 1952).

A patch of membrane is a capacitor :math:`C_m` in parallel with three ionic currents,

.. math::
    C_m \frac{dV}{dt} = I_{\text{inj}}(t) - \bar g_{Na}\, m^3 h\,(V - E_{Na})
                        - \bar g_K\, n^4 (V - E_K) - g_L (V - E_L),

and each gate :math:`x \in \{m, h, n\}` opens and closes at voltage-dependent rates,

.. math:: \frac{dx}{dt} = \alpha_x(V)\,(1 - x) - \beta_x(V)\,x .

Units: V in mV, t in ms, currents in µA/cm², conductances in mS/cm², :math:`C_m` in µF/cm².
The parameters are the standard squid-axon ones in the modern convention (rest ≈ −65 mV,
depolarisation positive); E_L = −54.387 mV makes the resting potential −65 mV.

Integration: classical fourth-order Runge–Kutta with a fixed step (0.025 ms by default). The
fastest time constant of the model, that of m, is about 0.1 ms, so the step is well inside RK4's
stability region, and its error, O(dt⁴), moves spike times by about a nanosecond when dt is
halved (chapter 01 prints it; the tests require < 10 µs). Forward Euler, first order, would need a
far smaller step for the same accuracy. The integrator reads the six rates from a 0.01 mV table
(linear interpolation, relative error < 1e-6) instead of evaluating the exponentials at each stage.
Every function is vectorised: :func:`simulate` runs a whole batch of currents and pulse
durations in the same numpy calls, which is how a slider can have its answers ready.
"""
from dataclasses import dataclass

import numpy as np

from ._validate import as_array, as_number

__all__ = ["C_M", "G_NA", "G_K", "G_L", "E_NA", "E_K", "E_L",
           "rates", "steady_state", "time_constants", "ionic_currents", "resting_state",
           "simulate", "HHResult", "spike_times", "spike_counts", "firing_rate"]

C_M = 1.0         # membrane capacitance, µF/cm²
G_NA = 120.0      # maximal sodium conductance, mS/cm²
G_K = 36.0        # maximal potassium conductance, mS/cm²
G_L = 0.3         # leak conductance, mS/cm²
E_NA = 50.0       # sodium reversal potential, mV
E_K = -77.0       # potassium reversal potential, mV
E_L = -54.387     # leak reversal potential, mV

SPIKE_THRESHOLD = 0.0   # mV: a spike is an upward crossing of 0 mV


def _x_over_1_minus_exp(x, k):
    r""":math:`x / (1 - e^{-x/k})`, including its limit k at x = 0 (a removable singularity).

    Written as :math:`k\,u / (-\mathrm{expm1}(-u))` with u = x/k; for |u| < 1e-6 the first terms
    of its Taylor series, :math:`k(1 + u/2 + u^2/12)`, are exact to double precision.
    """
    u = x / k
    small = np.abs(u) < 1e-6
    safe_u = np.where(small, 1.0, u)
    return np.where(small, k * (1 + u / 2 + u * u / 12), k * safe_u / -np.expm1(-safe_u))


def rates(V):
    r"""The six opening and closing rates (1/ms) at membrane potential V (mV), element-wise.

    .. math::
        \alpha_m = \frac{0.1\,(V + 40)}{1 - e^{-(V+40)/10}},\quad \beta_m = 4\,e^{-(V+65)/18},\\
        \alpha_h = 0.07\,e^{-(V+65)/20},\quad \beta_h = \frac{1}{1 + e^{-(V+35)/10}},\\
        \alpha_n = \frac{0.01\,(V + 55)}{1 - e^{-(V+55)/10}},\quad \beta_n = 0.125\,e^{-(V+65)/80}.

    α_m and α_n are 0/0 at V = −40 and −55 mV; their limits (1 and 0.1) are used there.

    Returns
    -------
    dict with keys "alpha_m", "beta_m", "alpha_h", "beta_h", "alpha_n", "beta_n", arrays of V's shape.
    """
    V = as_array(V, "V")
    return _rates(V)


def _rates(V):
    return {
        "alpha_m": 0.1 * _x_over_1_minus_exp(V + 40.0, 10.0),
        "beta_m": 4.0 * np.exp(-(V + 65.0) / 18.0),
        "alpha_h": 0.07 * np.exp(-(V + 65.0) / 20.0),
        "beta_h": 1.0 / (1.0 + np.exp(-(V + 35.0) / 10.0)),
        "alpha_n": 0.01 * _x_over_1_minus_exp(V + 55.0, 10.0),
        "beta_n": 0.125 * np.exp(-(V + 65.0) / 80.0),
    }


def steady_state(V):
    r"""The gates' values if V were held fixed for ever: :math:`x_\infty = \alpha_x / (\alpha_x + \beta_x)`.

    Returns ``(m_inf, h_inf, n_inf)``, arrays of V's shape.
    """
    r = rates(V)
    return tuple(r[f"alpha_{g}"] / (r[f"alpha_{g}"] + r[f"beta_{g}"]) for g in "mhn")


def time_constants(V):
    r"""How fast each gate follows V: :math:`\tau_x = 1 / (\alpha_x + \beta_x)` in ms.

    Returns ``(tau_m, tau_h, tau_n)``, arrays of V's shape.
    """
    r = rates(V)
    return tuple(1.0 / (r[f"alpha_{g}"] + r[f"beta_{g}"]) for g in "mhn")


def ionic_currents(V, m, h, n):
    r"""The three membrane currents (µA/cm², positive = outward), element-wise.

    .. math:: I_{Na} = \bar g_{Na} m^3 h (V - E_{Na}),\quad I_K = \bar g_K n^4 (V - E_K),\quad I_L = g_L (V - E_L).

    Returns ``(I_Na, I_K, I_L)``. Inward sodium current is negative, outward potassium current positive.
    """
    V, m, h, n = (as_array(a, name) for a, name in ((V, "V"), (m, "m"), (h, "h"), (n, "n")))
    for a, name in ((m, "m"), (h, "h"), (n, "n")):
        if np.any(a < 0) or np.any(a > 1):
            raise ValueError(f"{name} is the fraction of open gates and must lie in [0, 1]; got values "
                             f"from {a.min():.3g} to {a.max():.3g}")
    return _currents(V, m, h, n)


def _currents(V, m, h, n):
    return G_NA * m ** 3 * h * (V - E_NA), G_K * n ** 4 * (V - E_K), G_L * (V - E_L)


def resting_state(tol=1e-10):
    """The resting potential and the gates there: the V where the net current is 0 with every gate at rest.

    Solves :math:`I_{Na} + I_K + I_L = 0` with :math:`x = x_\\infty(V)` by bisection on [−90, −50] mV.

    Returns ``(V_rest, m, h, n)`` as floats.
    """
    tol = as_number(tol, "tol", low=0, low_inclusive=False)

    def net_current(V):
        return sum(_currents(V, *steady_state(V)))

    lo, hi = -90.0, -50.0                      # net current < 0 at −90 mV, > 0 at −50 mV
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if net_current(mid) > 0:
            hi = mid
        else:
            lo = mid
    V = 0.5 * (lo + hi)
    return (V,) + tuple(float(x) for x in steady_state(V))


# Rate tables for the integrator. Evaluating the six rate functions costs about 30 numpy calls; the
# integrator instead reads them from a table on a 0.01 mV grid with linear interpolation (as NEURON
# does), which costs a few calls and differs from the exact rates by less than 1e-6 relative (the tests check it).
_TABLE_V_MIN, _TABLE_V_MAX, _TABLE_DV = -200.0, 200.0, 0.01
_TABLE_V = np.linspace(_TABLE_V_MIN, _TABLE_V_MAX, int(round((_TABLE_V_MAX - _TABLE_V_MIN) / _TABLE_DV)) + 1)
_r = _rates(_TABLE_V)
_TABLE_RATES = np.array([_r[k] for k in ("alpha_m", "alpha_h", "alpha_n", "beta_m", "beta_h", "beta_n")]).T  # (K, 6)
del _r
# one row per grid point: [α_m, α_h, α_n, α_m+β_m, α_h+β_h, α_n+β_n, then the slopes of those six to the next point]
_TABLE_VALUES = np.hstack([_TABLE_RATES[:, :3], _TABLE_RATES[:, :3] + _TABLE_RATES[:, 3:]])
_TABLE = np.hstack([_TABLE_VALUES[:-1], np.diff(_TABLE_VALUES, axis=0)])                                # (K-1, 12)
_TABLE_LAST = _TABLE.shape[0] - 1e-9


def _table_rates(V):
    """(B, 6) [α_m, α_h, α_n, α_m+β_m, α_h+β_h, α_n+β_n] at V (B,), linearly interpolated from the table."""
    pos = (V - _TABLE_V_MIN) * (1.0 / _TABLE_DV)
    np.maximum(pos, 0.0, out=pos)
    np.minimum(pos, _TABLE_LAST, out=pos)
    i = pos.astype(np.intp)
    row = _TABLE[i]
    return row[:, :6] + row[:, 6:] * (pos - i)[:, None]


def _derivative(S, I):
    """dS/dt for the stacked state S = [V, m, h, n] of shape (4, B) and injected current I (B,)."""
    V, m, h, n = S
    R = _table_rates(V).T
    n2 = n * n
    I_ion = (G_NA * m * m * m * h) * (V - E_NA) + (G_K * n2 * n2) * (V - E_K) + G_L * (V - E_L)
    dS = np.empty_like(S)
    dS[0] = (I - I_ion) * (1.0 / C_M)
    dS[1:] = R[:3] - R[3:] * S[1:]     # α(1 − x) − βx = α − (α + β)x
    return dS


@dataclass
class HHResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    t : (T,) array, ms
    V, m, h, n : arrays of shape batch_shape + (T,): membrane potential (mV) and the gates
    current : array of shape batch_shape + (T,): the injected current I_inj(t) (µA/cm²)
    dt : float, the integration step (ms)
    """
    t: np.ndarray
    V: np.ndarray
    m: np.ndarray
    h: np.ndarray
    n: np.ndarray
    current: np.ndarray
    dt: float


def simulate(amplitude, duration=100.0, dt=0.025, pulse_start=10.0, pulse_duration=None, record_every=1):
    r"""Inject a current pulse into the resting membrane and integrate the HH equations (RK4).

    The membrane starts at rest (:func:`resting_state`); the injected current is ``amplitude``
    from ``pulse_start`` for ``pulse_duration`` ms (to the end if None) and 0 otherwise. The
    current is constant within each step (its value at the step's midpoint), so the pulse's
    edges fall on the step boundaries nearest to them.

    Parameters
    ----------
    amplitude : float or array
        Injected current, µA/cm² (positive depolarises). An array runs a batch of simulations.
    duration : float
        Simulated time, ms.
    dt : float
        Integration step, ms; at most 0.05 (0.025 is the default; smaller is more accurate).
    pulse_start : float
        When the pulse starts, ms.
    pulse_duration : float, array or None
        How long it lasts, ms; broadcast with ``amplitude``. None means until the end.
    record_every : int
        Keep every k-th step in the result (the integration still uses every step).

    Returns
    -------
    HHResult with ``t`` of shape (T,) and V, m, h, n, current of shape batch_shape + (T,),
    where batch_shape is the broadcast shape of ``amplitude`` and ``pulse_duration``.
    """
    amplitude = as_array(amplitude, "amplitude")
    if np.any(np.abs(amplitude) > 1000):
        raise ValueError(f"amplitude must be within ±1000 µA/cm²; got values up to {np.abs(amplitude).max():.3g}")
    duration = as_number(duration, "duration", low=0, low_inclusive=False, high=10000)
    dt = as_number(dt, "dt", low=0, low_inclusive=False, high=0.05)
    pulse_start = as_number(pulse_start, "pulse_start", low=0)
    record_every = as_number(record_every, "record_every", low=1, integer=True)
    if pulse_duration is None:
        pulse_duration = np.inf
    else:
        pulse_duration = as_array(pulse_duration, "pulse_duration")
        if np.any(pulse_duration < 0):
            raise ValueError(f"pulse_duration must be >= 0 ms; got {pulse_duration.min()}")
    amplitude, pulse_end = np.broadcast_arrays(amplitude, pulse_start + pulse_duration)
    batch_shape = amplitude.shape
    amplitude, pulse_end = amplitude.ravel().astype(float), pulse_end.ravel().astype(float)

    n_steps = int(round(duration / dt))
    t = np.arange(n_steps + 1) * dt
    midpoints = (t[:-1] + dt / 2)[:, None]
    I_steps = np.where((midpoints >= pulse_start) & (midpoints < pulse_end), amplitude, 0.0)   # (n_steps, B)

    kept = np.arange(0, n_steps + 1, record_every)
    record = np.empty((kept.size, 4, amplitude.size))
    S = np.repeat(np.array(resting_state())[:, None], amplitude.size, axis=1)                  # (4, B)
    half, sixth = dt / 2, dt / 6
    for step in range(n_steps + 1):
        if step % record_every == 0:
            record[step // record_every] = S
        if step == n_steps:
            break
        I = I_steps[step]
        k1 = _derivative(S, I)
        k2 = _derivative(S + half * k1, I)
        k3 = _derivative(S + half * k2, I)
        k4 = _derivative(S + dt * k3, I)
        S = S + sixth * (k1 + 2 * (k2 + k3) + k4)

    record = np.moveaxis(record, 0, -1).reshape((4,) + batch_shape + (kept.size,))
    # the injected current at each recorded time (the value of the step that starts there)
    I_rec = np.concatenate([I_steps, I_steps[-1:]])[kept].T.reshape(batch_shape + (kept.size,))
    return HHResult(t=t[kept], V=record[0], m=record[1], h=record[2], n=record[3], current=I_rec, dt=dt)


def spike_times(t, V, threshold=SPIKE_THRESHOLD):
    """The times (ms) at which V crosses ``threshold`` upwards, linearly interpolated between samples.

    Parameters
    ----------
    t : (T,) array of increasing times; V : (T,) array of potentials (one trace).
    """
    t = as_array(t, "t", ndim=1)
    V = as_array(V, "V", ndim=1)
    if t.shape != V.shape:
        raise ValueError(f"t and V must have the same shape; got {t.shape} and {V.shape}")
    threshold = as_number(threshold, "threshold")
    i = np.flatnonzero((V[:-1] < threshold) & (V[1:] >= threshold))
    return t[i] + (threshold - V[i]) / (V[i + 1] - V[i]) * (t[i + 1] - t[i])


def spike_counts(V, threshold=SPIKE_THRESHOLD, axis=-1):
    """The number of upward crossings of ``threshold`` along ``axis``, for a batch of traces."""
    V = as_array(V, "V")
    threshold = as_number(threshold, "threshold")
    above = np.moveaxis(V, axis, -1) >= threshold
    return np.sum(~above[..., :-1] & above[..., 1:], axis=-1)


def firing_rate(t, V, after=50.0, threshold=SPIKE_THRESHOLD):
    """Sustained firing rate (Hz) after time ``after`` (ms): 1000 / the mean interval between spikes.

    Only spikes at t ≥ after count, which skips the onset spike that any step above ~2.3 µA/cm²
    triggers. Fewer than two spikes there means no sustained firing: rate 0.

    Parameters
    ----------
    t : (T,) array, ms; V : array of shape (..., T), mV (a batch of traces is fine).

    Returns
    -------
    float array of V's batch shape (a float for one trace).
    """
    t = as_array(t, "t", ndim=1)
    V = as_array(V, "V")
    if V.shape[-1] != t.size:
        raise ValueError(f"V's last axis must match t ({t.size} samples); got shape {V.shape}")
    after = as_number(after, "after", low=t[0], high=t[-1], high_inclusive=False)
    threshold = as_number(threshold, "threshold")
    window = t >= after
    traces = V[..., window].reshape(-1, int(window.sum()))
    rates = np.zeros(traces.shape[0])
    for k, trace in enumerate(traces):
        times = spike_times(t[window], trace, threshold)
        if times.size >= 2:
            rates[k] = 1000.0 * (times.size - 1) / (times[-1] - times[0])
    rates = rates.reshape(V.shape[:-1])
    return float(rates) if rates.ndim == 0 else rates
