"""Tests of course_lib/experiments/hidden_sizes.py: the side-by-side trainer takes the steps of the plain loop.

The reference is the course's one training loop, :func:`course_lib.training.fit` with ``SGD`` on full
batches, run on each network alone.
"""
import numpy as np
import pytest

from course_lib.experiments.hidden_sizes import HiddenSizeRuns, train_hidden_sizes
from course_lib.network import MLP, lecture_settings
from course_lib.optim import SGD
from course_lib.training import fit

SETTINGS = {key: lecture_settings()[key] for key in ("lr", "l2")}   # η = εN = 2, λ₂ = λ/N
HIDDEN = [1, 2, 3, 5]
EPOCHS = 300


def max_rel_diff(params, reference):
    """Largest |a − b| / max|b| over a list of parameter arrays."""
    return max(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)) for a, b in zip(params, reference))


def fit_alone(X, y, hidden_size, epochs, seed=0):
    """The plain loop on one network: returns the network and the loss before every step."""
    net = MLP([2, hidden_size, 2], seed=seed)
    history = fit(net, X, y, SGD(net.params, lr=SETTINGS["lr"]), epochs=epochs, l2=SETTINGS["l2"],
                  record_every=max(epochs, 1))
    return net, np.array(history.step_loss)


@pytest.fixture(scope="module")
def side_by_side_and_alone(moons):
    """One side-by-side run of the lecture's networks, and the same networks trained one at a time by fit."""
    X, y = moons
    runs = train_hidden_sizes(X, y, HIDDEN, epochs=EPOCHS, snapshot_at=[0, 100], record_every=100, **SETTINGS)
    return runs, {h: fit_alone(X, y, h, EPOCHS) for h in HIDDEN}


def test_side_by_side_takes_the_steps_of_fit_on_each_network_alone(side_by_side_and_alone):
    runs, alone = side_by_side_and_alone
    assert isinstance(runs, HiddenSizeRuns) and runs.hidden_sizes == HIDDEN
    np.testing.assert_array_equal(runs.epochs, [0, 100, 200])
    assert runs.losses.shape == (3, len(HIDDEN))
    for k, h in enumerate(HIDDEN):
        net, step_loss = alone[h]
        assert max_rel_diff(runs.snapshots[EPOCHS][k], net.params) < 1e-10      # rounding only
        np.testing.assert_allclose(runs.losses[:, k], step_loss[[0, 100, 200]], rtol=1e-10)


def test_recorded_losses_are_the_networks_loss_with_its_penalty(side_by_side_and_alone, moons):
    runs, _ = side_by_side_and_alone
    X, y = moons
    for epoch in (0, 100):
        row = list(runs.epochs).index(epoch)
        for k, h in enumerate(HIDDEN):
            net = runs.model(h, epoch=epoch)
            assert runs.losses[row, k] == pytest.approx(net.loss(X, y, l2=SETTINGS["l2"]), rel=1e-12)


def test_snapshots_start_as_mlp_and_model_rebuilds_the_trained_network(side_by_side_and_alone, moons):
    runs, alone = side_by_side_and_alone
    assert sorted(runs.snapshots) == [0, 100, EPOCHS]
    for k, h in enumerate(HIDDEN):
        for p, q in zip(runs.snapshots[0][k], MLP([2, h, 2]).params):
            np.testing.assert_array_equal(p, q)
        model = runs.model(h)  # default: the last snapshot
        assert isinstance(model, MLP) and model.layer_sizes == [2, h, 2]
        np.testing.assert_array_equal(model.predict(moons[0]), alone[h][0].predict(moons[0]))


def test_a_network_trains_the_same_alone_or_beside_others(moons):
    """Each network's scores sum only its own units: its neighbours never reach it.

    Any reach would move the parameters by about 1e-2; BLAS may add the same numbers in another order
    for a wider matrix, which 60 steps amplify to about 1e-11.
    """
    X, y = moons
    alone = train_hidden_sizes(X, y, [2], epochs=60, **SETTINGS)
    crowded = train_hidden_sizes(X, y, [7, 2, 30], epochs=60, **SETTINGS)
    assert max_rel_diff(crowded.snapshots[60][1], alone.snapshots[60][0]) < 1e-9
    np.testing.assert_allclose(crowded.losses[:, 1], alone.losses[:, 0], rtol=1e-9)
    for k, h in enumerate([7, 2, 30]):
        W1, b1, W2, b2 = crowded.snapshots[60][k]
        assert W1.shape == (2, h) and b1.shape == (1, h) and W2.shape == (h, 2) and b2.shape == (1, 2)


def test_one_size_from_several_seeds_side_by_side_matches_fit(moons):
    X, y = moons
    runs = train_hidden_sizes(X, y, [3, 3, 2], epochs=40, seeds=[0, 5, 5], **SETTINGS)
    assert runs.seeds == [0, 5, 5]
    for h, seed in [(3, 0), (3, 5), (2, 5)]:
        net, _ = fit_alone(X, y, h, 40, seed=seed)
        assert max_rel_diff(runs.model(h, seed=seed).params, net.params) < 1e-10
    assert runs.model(2).layer_sizes == [2, 2, 2]          # one network of that size: no seed needed
    with pytest.raises(ValueError, match="name one with seed="):
        runs.model(3)
    with pytest.raises(ValueError, match="hidden_size and seed must be"):
        runs.model(3, seed=7)
    with pytest.raises(ValueError, match="one seed per hidden size"):
        train_hidden_sizes(X, y, [3, 3], epochs=1, seeds=[0])


def test_saturated_units_stay_finite():
    """tanh computed as 1 − 2/(1 + e^{2t}): e^{2t} = inf gives exactly 1, not nan."""
    X = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [0.0, 0.0]])
    runs = train_hidden_sizes(X, [0, 1, 1], [3], epochs=5, lr=0.1)
    assert np.all(np.isfinite(runs.losses))
    assert all(np.all(np.isfinite(p)) for p in runs.snapshots[5][0])


def test_progress_is_reported_at_each_record(moons):
    X, y = moons
    seen = []
    runs = train_hidden_sizes(X, y, [2, 3], epochs=30, record_every=10, callback=lambda i, l: seen.append((i, l)))
    assert [i for i, _ in seen] == [0, 10, 20]
    np.testing.assert_array_equal(np.array([l for _, l in seen]), runs.losses)
    with pytest.raises(TypeError, match="callback"):
        train_hidden_sizes(X, y, [2], epochs=1, callback="print")


# --- bad input --------------------------------------------------------------------------

X_SMALL = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
Y_SMALL = np.array([0, 1, 1])


@pytest.mark.parametrize("call, exc, name", [
    pytest.param(lambda: train_hidden_sizes(X_SMALL, Y_SMALL, []), ValueError, "hidden_sizes", id="hidden-empty"),
    pytest.param(lambda: train_hidden_sizes(X_SMALL, Y_SMALL, 3), TypeError, "hidden_sizes", id="hidden-int"),
    pytest.param(lambda: train_hidden_sizes(X_SMALL, Y_SMALL, [0]), ValueError, "hidden_sizes", id="hidden-zero"),
    pytest.param(lambda: train_hidden_sizes(X_SMALL, [0, 1, 2], [2]), ValueError, "y", id="three-classes"),
    pytest.param(lambda: train_hidden_sizes(X_SMALL[0], Y_SMALL, [2]), ValueError, "X", id="1d-X"),
    pytest.param(lambda: train_hidden_sizes(X_SMALL, Y_SMALL, [2], lr=-1.0), ValueError, "lr", id="negative-lr"),
    pytest.param(lambda: train_hidden_sizes(X_SMALL, Y_SMALL, [2], l2=np.nan), ValueError, "l2", id="nan-l2"),
    pytest.param(lambda: train_hidden_sizes(X_SMALL, Y_SMALL, [2], epochs=1.5), TypeError, "epochs",
                 id="fractional-epochs"),
    pytest.param(lambda: train_hidden_sizes(X_SMALL, Y_SMALL, [2], epochs=3, snapshot_at=[5]), ValueError,
                 "snapshot_at", id="snapshot-after-end"),
    pytest.param(lambda: train_hidden_sizes(X_SMALL, Y_SMALL, [2], epochs=3, snapshot_at=2), TypeError,
                 "snapshot_at", id="snapshot-int"),
])
def test_train_hidden_sizes_rejects_bad_input_naming_the_argument(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()


@pytest.fixture(scope="module")
def small_runs():
    return train_hidden_sizes(X_SMALL, Y_SMALL, [1, 2], epochs=3, snapshot_at=[1])


@pytest.mark.parametrize("kwargs, name", [({"hidden_size": 7}, "hidden_size"),
                                          ({"hidden_size": 1, "epoch": 2}, "epoch")])
def test_model_rejects_unknown_size_or_epoch(small_runs, kwargs, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        small_runs.model(**kwargs)
