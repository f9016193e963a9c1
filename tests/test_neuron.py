"""Tests of course_lib/neuron.py: the Hodgkin–Huxley model reproduces the squid axon's known behaviour."""
import numpy as np
import pytest

from course_lib import neuron
from course_lib.gradcheck import numerical_gradient


@pytest.fixture(scope="module")
def step_sweep():
    """A 150 ms step from t = 10 ms at 0, 1, ..., 5, 6.0, 6.5, 7, 8, 10, 15, 20, 40 µA/cm², in one batch."""
    amplitudes = np.array([0, 1, 2, 3, 4, 5, 6.0, 6.5, 7, 8, 10, 15, 20, 40])
    return amplitudes, neuron.simulate(amplitudes, duration=150.0)


def test_resting_potential_is_minus_65_mV():
    V, m, h, n = neuron.resting_state()
    assert abs(V - (-65.0)) < 0.05
    assert abs(sum(neuron.ionic_currents(V, m, h, n))) < 1e-8    # no net current at rest
    assert np.allclose((m, h, n), neuron.steady_state(V))


def test_membrane_stays_at_rest_without_input():
    result = neuron.simulate(0.0, duration=50.0)
    assert np.ptp(result.V) < 1e-6
    assert abs(result.V[-1] - neuron.resting_state()[0]) < 1e-6


def test_rates_handle_removable_singularities():
    r = neuron.rates(np.array([-40.0, -55.0]))
    assert r["alpha_m"][0] == pytest.approx(1.0, rel=1e-12)      # limit of 0.1 (V+40) / (1 − e^{−(V+40)/10})
    assert r["alpha_n"][1] == pytest.approx(0.1, rel=1e-12)
    near = neuron.rates(np.array([-40 - 1e-9, -40 + 1e-9, -40 + 1e-3, -55 + 1e-3]))
    assert np.all(np.isfinite(near["alpha_m"])) and np.all(np.isfinite(near["alpha_n"]))
    # continuous and smooth through the singular points: the derivative agrees with finite differences
    for key, V0 in (("alpha_m", -40.0), ("alpha_n", -55.0)):
        slope = numerical_gradient(lambda v: float(neuron.rates(v)[key][0]), np.array([V0]), eps=1e-3)[0]
        left, right = neuron.rates(np.array([V0 - 1e-4, V0 + 1e-4]))[key]
        assert (right - left) / 2e-4 == pytest.approx(slope, rel=1e-6)


def test_rates_match_the_textbook_formulas_away_from_singularities():
    V = np.array([-80.0, -65.0, -30.0, 0.0, 30.0])
    r = neuron.rates(V)
    assert np.allclose(r["alpha_m"], 0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10)))
    assert np.allclose(r["beta_m"], 4 * np.exp(-(V + 65) / 18))
    assert np.allclose(r["alpha_h"], 0.07 * np.exp(-(V + 65) / 20))
    assert np.allclose(r["beta_h"], 1 / (1 + np.exp(-(V + 35) / 10)))
    assert np.allclose(r["alpha_n"], 0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10)))
    assert np.allclose(r["beta_n"], 0.125 * np.exp(-(V + 65) / 80))


def test_integrator_rate_table_matches_the_exact_rates():
    V = np.linspace(-120, 80, 20001)
    r = neuron.rates(V)
    exact = np.stack([r["alpha_m"], r["alpha_h"], r["alpha_n"],
                      r["alpha_m"] + r["beta_m"], r["alpha_h"] + r["beta_h"], r["alpha_n"] + r["beta_n"]], axis=1)
    assert np.max(np.abs(neuron._table_rates(V) - exact) / exact) < 1e-6


def test_steady_state_and_time_constants():
    V = np.linspace(-90, 40, 27)
    m, h, n = neuron.steady_state(V)
    assert np.all(np.diff(m) > 0) and np.all(np.diff(n) > 0) and np.all(np.diff(h) < 0)   # m, n open, h closes
    tau_m, tau_h, tau_n = neuron.time_constants(V)
    assert np.all(tau_m < tau_h) and np.all(tau_m < tau_n)   # m is the fast gate: the spike's upstroke
    assert tau_m.max() < 0.6


def test_potassium_current_is_g_n4_times_driving_force():
    I_na, I_k, I_l = neuron.ionic_currents(-20.0, 0.5, 0.4, 0.6)
    assert I_k == pytest.approx(36 * 0.6 ** 4 * (-20 + 77))
    assert I_na == pytest.approx(120 * 0.5 ** 3 * 0.4 * (-20 - 50))
    assert I_l == pytest.approx(0.3 * (-20 + 54.387))


def test_small_step_gives_nothing_then_a_single_spike(step_sweep):
    amplitudes, result = step_sweep
    counts = dict(zip(amplitudes, neuron.spike_counts(result.V)))
    assert counts[0] == counts[1] == counts[2] == 0
    assert counts[3] == counts[4] == counts[5] == 1          # one spike at the onset, then a new rest


def test_no_sustained_firing_below_6_and_firing_above_7(step_sweep):
    amplitudes, result = step_sweep
    rate = dict(zip(amplitudes, neuron.firing_rate(result.t, result.V, after=60.0)))
    assert all(rate[a] == 0 for a in (0, 1, 2, 3, 4, 5, 6.0))
    assert all(rate[a] > 40 for a in (7, 8, 10, 15, 20, 40))


def test_threshold_of_sustained_firing_lies_between_6_and_7():
    amplitudes = np.arange(6.0, 7.01, 0.1)
    result = neuron.simulate(amplitudes, duration=200.0, record_every=4)
    firing = neuron.firing_rate(result.t, result.V, after=100.0) > 0
    threshold = amplitudes[np.argmax(firing)]
    assert not firing[0] and firing[-1]
    assert np.all(firing[amplitudes >= threshold])            # once it fires, more current keeps it firing
    assert 6.0 < threshold < 7.0


def test_spike_count_and_rate_grow_with_current(step_sweep):
    amplitudes, result = step_sweep
    above = amplitudes >= 7
    rate = neuron.firing_rate(result.t, result.V[above], after=60.0)
    counts = neuron.spike_counts(result.V[above])
    assert np.all(np.diff(rate) > 0)
    assert np.all(np.diff(counts) >= 0) and counts[-1] > counts[0]


def test_spike_peaks_near_sodium_reversal_and_undershoots_towards_potassium(step_sweep):
    amplitudes, result = step_sweep
    V = result.V[list(amplitudes).index(10)]
    assert 20 < V.max() < neuron.E_NA                           # the peak approaches but never passes E_Na
    assert neuron.E_K < V.min() < -70                            # the after-hyperpolarisation approaches E_K


def test_rk4_at_default_step_is_converged():
    coarse = neuron.simulate(10.0, duration=45.0, dt=0.025)
    fine = neuron.simulate(10.0, duration=45.0, dt=0.0125, record_every=2)   # RK4: halving dt cuts the error 16-fold
    t_coarse = neuron.spike_times(coarse.t, coarse.V)
    t_fine = neuron.spike_times(fine.t, fine.V)
    assert t_coarse.size == t_fine.size == 3
    assert np.max(np.abs(t_coarse - t_fine)) < 0.01             # spike times agree to 10 µs
    assert np.max(np.abs(coarse.V - fine.V)) < 0.5               # and the traces to half a millivolt


def test_batch_equals_single_runs_and_pulse_duration_broadcasts():
    batch = neuron.simulate(np.array([[5.0], [20.0]]), duration=30.0, pulse_duration=np.array([1.0, 10.0]))
    assert batch.V.shape == (2, 2, batch.t.size)
    single = neuron.simulate(20.0, duration=30.0, pulse_duration=1.0)
    assert np.allclose(batch.V[1, 0], single.V)
    assert np.allclose(batch.current[1, 0], single.current)
    assert single.current.max() == 20.0 and np.sum(single.current > 0) == 40     # 1 ms at dt = 0.025


def test_gates_stay_between_0_and_1():
    result = neuron.simulate(np.array([0.0, 10.0, 100.0]), duration=50.0)
    for gate in (result.m, result.h, result.n):
        assert gate.min() >= 0 and gate.max() <= 1


def test_spike_times_interpolates_crossings():
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    V = np.array([-10.0, 10.0, -5.0, -1.0, 3.0])
    assert np.allclose(neuron.spike_times(t, V), [0.5, 3.25])


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(amplitude="ten"), TypeError, "amplitude"),
    (dict(amplitude=np.nan), ValueError, "amplitude"),
    (dict(amplitude=5000.0), ValueError, "amplitude"),
    (dict(amplitude=5.0, dt=0.1), ValueError, "dt"),
    (dict(amplitude=5.0, dt=0.0), ValueError, "dt"),
    (dict(amplitude=5.0, duration=-1.0), ValueError, "duration"),
    (dict(amplitude=5.0, pulse_duration=-2.0), ValueError, "pulse_duration"),
    (dict(amplitude=5.0, pulse_start="soon"), TypeError, "pulse_start"),
    (dict(amplitude=5.0, record_every=0), ValueError, "record_every"),
    (dict(amplitude=5.0, record_every=1.5), TypeError, "record_every"),
])
def test_simulate_validates_inputs(kwargs, error, words):
    with pytest.raises(error, match=words):
        neuron.simulate(**{"duration": 1.0, **kwargs})


def test_other_functions_validate_inputs():
    with pytest.raises(TypeError, match="V"):
        neuron.rates("cold")
    with pytest.raises(ValueError, match="n"):
        neuron.ionic_currents(-65.0, 0.1, 0.5, 1.5)
    with pytest.raises(ValueError, match="same shape"):
        neuron.spike_times(np.arange(3.0), np.zeros(4))
    with pytest.raises(ValueError, match="last axis"):
        neuron.firing_rate(np.arange(3.0), np.zeros(4))
    with pytest.raises(ValueError, match="after"):
        neuron.firing_rate(np.arange(3.0), np.zeros(3), after=10.0)
