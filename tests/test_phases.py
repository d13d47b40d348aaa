"""The phase walk and the fast kernel against the independent reference, quantity by quantity.

Every number the debugger shows comes from ``run_phases``, and every parameter a
run reaches comes from ``sgd_samples``; a student compares both with their own
notebook, so each must agree with a plain statement of the lab's equations to
1e-12 relative, in value and in shape.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import reference as ref

from backprop_tui.core.network.kernel import FastParams, sgd_samples
from backprop_tui.core.network.params import Params, sigmoid, sigmoid_prime
from backprop_tui.core.network.phases import PHASES, UPDATE_PHASE, forward_backward, run_phases

RTOL = 1e-12
ATOL = 1e-15
QUANTITIES = ("x", "y", "z1", "a1", "z2", "y_hat", "L", "dsig2", "delta2", "dW2", "db2",
              "da1", "dsig1", "delta1", "dW1", "db1", "W1_new", "b1_new", "W2_new", "b2_new")


def to_params(p: ref.Ref) -> Params:
    return Params(**{k: v.copy() for k, v in p.items()})


def assert_matches_reference(values: dict[str, object], expected: ref.Ref) -> None:
    """Every quantity in shape and value (1e-12 relative), each reported by name on failure."""
    for name in QUANTITIES:
        got = np.asarray(values[name], dtype=float)
        want = np.asarray(expected[name], dtype=float)
        assert got.shape == want.shape, f"{name}: shape {got.shape}, expected {want.shape}"
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=name)


def test_lab_first_samples_every_phase() -> None:
    """The first samples of the lab, stepped as the lab does, each from the previous update."""
    X, y, p = ref.lab_data()
    params = to_params(p)
    for i in range(10):
        values = run_phases(params, X[i], float(y[i]), 0.5)
        expected = ref.step(X[i], float(y[i]), p, 0.5)
        assert_matches_reference(values, expected)
        p = {k: expected[k + "_new"] for k in ("W1", "b1", "W2", "b2")}
        params = Params(W1=values["W1_new"], b1=values["b1_new"], W2=values["W2_new"],
                        b2=values["b2_new"])


def test_lab_shapes_are_the_corrected_ones() -> None:
    """dW2 must have W2's shape (1, H): the lab's np.outer(a1, delta) gives (H, 1)."""
    X, y, p = ref.lab_data()
    values = run_phases(to_params(p), X[0], float(y[0]), 0.5)
    assert np.shape(values["dW2"]) == (1, 2)
    assert np.shape(values["dW1"]) == (2, 3)
    assert np.shape(values["W2_new"]) == (1, 2)
    assert np.shape(values["b2_new"]) == (1,)
    assert isinstance(values["L"], float)


@pytest.mark.parametrize("n_inputs", [1, 3, 4, 7])
@pytest.mark.parametrize("n_hidden", [1, 2, 5, 16])
def test_random_params_and_samples(n_inputs: int, n_hidden: int) -> None:
    """Random weights, biases, inputs, targets and rates, across network sizes."""
    rng = np.random.RandomState(1000 * n_inputs + n_hidden)
    for _ in range(5):
        p = ref.random_params(rng, n_inputs, n_hidden)
        x = rng.uniform(-2, 2, n_inputs)
        y = float(rng.uniform(0, 1))
        lr = float(rng.uniform(0.01, 2))
        assert_matches_reference(run_phases(to_params(p), x, y, lr), ref.step(x, y, p, lr))


def test_partial_walk_stops_at_upto() -> None:
    """run_phases(upto=k) computes phases 0..k and nothing later."""
    X, y, p = ref.lab_data()
    for k, phase in enumerate(PHASES):
        values = run_phases(to_params(p), X[3], float(y[3]), 0.5, upto=k)
        later = {name for q in PHASES[k + 1:] for name in q.produces}
        assert set(phase.produces) <= set(values)
        assert not later & set(values), phase.key


def test_forward_backward_has_gradients_but_no_update() -> None:
    X, y, p = ref.lab_data()
    values = forward_backward(to_params(p), X[0], float(y[0]))
    expected = ref.step(X[0], float(y[0]), p, 0.0)
    for name in ("y_hat", "L", "dW1", "db1", "dW2", "db2"):
        np.testing.assert_allclose(np.asarray(values[name], dtype=float), expected[name],
                                   rtol=RTOL, atol=ATOL, err_msg=name)
    assert "W1_new" not in values


def test_each_phase_produces_exactly_what_it_declares() -> None:
    """The app draws each phase's outputs from ``produces``: it must be the truth."""
    rng = np.random.RandomState(7)
    params = to_params(ref.random_params(rng, 3, 4))
    values: dict[str, object] = {**params.as_dict(), "x": rng.uniform(-1, 1, 3), "y": 0.3,
                                 "lr": 0.5}
    seen: set[str] = set()
    for phase in PHASES:
        out = phase.compute(values)
        assert set(out) == set(phase.produces), phase.key
        assert not seen & set(out), f"{phase.key} recomputes {seen & set(out)}"
        seen |= set(out)
        values.update(out)
    assert seen == set(QUANTITIES)
    assert PHASES[UPDATE_PHASE].key == "update" and len(PHASES) - 1 == UPDATE_PHASE
    assert len({p.key for p in PHASES}) == len(PHASES)
    assert {p.stage for p in PHASES} == {"forward", "backward", "update"}


@pytest.mark.parametrize("z", [1000.0, -1000.0, 1e308, -1e308, 745.2, -745.2, 0.0])
def test_sigmoid_extremes_raise_nothing(z: float) -> None:
    """A diverging run feeds huge z; sigmoid must answer 0/1 without any floating-point flag."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            s = float(sigmoid(z))
            d = float(sigmoid_prime(z))
            both = sigmoid(np.array([z, -z]))
    assert 0.0 <= s <= 1.0 and 0.0 <= d <= 0.25
    assert both[0] + both[1] == pytest.approx(1.0, abs=1e-300)
    if z >= 1000:
        assert s == 1.0 and d == 0.0
    if z <= -1000:
        assert s == 0.0 and d == 0.0


def test_sigmoid_at_zero_and_moderate_z() -> None:
    assert float(sigmoid(0.0)) == 0.5
    assert float(sigmoid_prime(0.0)) == 0.25
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sigmoid(z), ref.sigmoid(z), rtol=1e-15, atol=0)


def fast_steps(p: ref.Ref, xs: np.ndarray, ys: np.ndarray, lr: float
               ) -> tuple[Params, list[float]]:
    fast = FastParams.from_params(to_params(p))
    losses: list[float] = []
    sgd_samples(fast, xs.tolist(), ys.tolist(), lr, losses)
    return fast.to_params(), losses


@pytest.mark.parametrize("n_inputs,n_hidden", [(3, 2), (1, 1), (4, 3), (6, 9)])
def test_kernel_one_update_matches_phases(n_inputs: int, n_hidden: int) -> None:
    """One kernel step lands where the phase walk's update phase says, with the same loss."""
    rng = np.random.RandomState(n_inputs * 31 + n_hidden)
    for _ in range(10):
        p = ref.random_params(rng, n_inputs, n_hidden)
        x = rng.uniform(-2, 2, (1, n_inputs))
        y = rng.uniform(0, 1, 1)
        new, losses = fast_steps(p, x, y, 0.7)
        values = run_phases(to_params(p), x[0], float(y[0]), 0.7)
        for name in ("W1", "b1", "W2", "b2"):
            got = getattr(new, name)
            assert got.shape == np.shape(values[name + "_new"])
            np.testing.assert_allclose(got, values[name + "_new"], rtol=RTOL, atol=ATOL,
                                       err_msg=name)
        assert losses[0] == pytest.approx(values["L"], rel=RTOL, abs=1e-300)


def test_kernel_many_updates_match_reference() -> None:
    """A sequence of kernel updates tracks the reference SGD loop on the lab's first samples."""
    X, y, p = ref.lab_data()
    new, losses = fast_steps(p, X[:60], y[:60], 0.5)
    sums, _, expected = ref.sgd(X[:60], y[:60], p, 0.5, 1)
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(getattr(new, name), expected[name], rtol=RTOL, atol=ATOL)
    assert sum(losses) == pytest.approx(sums[0], rel=RTOL)


def test_kernel_updates_in_place_and_round_trips() -> None:
    """FastParams <-> Params is exact, and sgd_samples mutates the object it is given."""
    rng = np.random.RandomState(3)
    params = to_params(ref.random_params(rng, 3, 2))
    fast = FastParams.from_params(params)
    assert fast.to_params().equals(params)
    sgd_samples(fast, [[0.1, 0.2, 0.3]], [0.4], 0.5, [])
    assert not fast.to_params().equals(params)


def test_each_phase_reads_only_what_exists_before_it() -> None:
    """The screen marks what a phase reads: each name must be a parameter, an input, or a
    quantity an earlier phase produced (and used by its compute)."""
    known = {"W1", "b1", "W2", "b2", "lr"}
    for phase in PHASES:
        assert set(phase.reads) <= known, (phase.key, set(phase.reads) - known)
        known |= set(phase.produces)
