"""The gradient check: it must pass correct backprop and catch a wrong one.

It is the tool a student trusts to say whether their gradients are right, so
both directions matter: a false alarm on correct code sends them hunting for a
bug that is not there, and a miss lets a real bug through.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref

from backprop_tui.core.gradcheck import (
    GOOD,
    SUSPECT,
    band,
    gradient_check,
    numeric_gradients,
    relative_error,
)
from backprop_tui.core.network import PARAM_NAMES, Params


def random_case(seed: int, n_hidden: int, n_inputs: int = 3
                ) -> tuple[ref.Ref, np.ndarray, float]:
    rng = np.random.RandomState(seed * 10 + n_hidden)
    p = ref.random_params(rng, n_inputs, n_hidden)
    return p, rng.uniform(-1, 1, n_inputs), float(rng.uniform(0, 1))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n_hidden", [1, 2, 4, 8])
def test_correct_backprop_passes(seed: int, n_hidden: int) -> None:
    p, x, y = random_case(seed, n_hidden)
    checks = gradient_check(Params(**p), x, y)
    assert [c.name for c in checks] == list(PARAM_NAMES)
    for c in checks:
        assert c.analytic.shape == c.numeric.shape == c.error.shape == p[c.name].shape
        assert c.max_error < GOOD, (c.name, c.max_error)
        assert c.band == "ok"


def test_correct_backprop_is_never_called_wrong() -> None:
    """Over many random cases: non-tiny entries agree to 1e-7; none is ever 'wrong'.

    Central differences with h = 1e-5 carry an absolute rounding error near
    1e-12, so an entry of ~1e-7 (a near-zero input or W2 weight) can show a
    relative error of ~1e-6, i.e. 'suspect': the band the module reserves for
    rounding. Entries that are not tiny must be 'ok'.
    """
    for seed in range(60):
        for n_hidden in (1, 2, 4, 8):
            p, x, y = random_case(seed, n_hidden)
            for c in gradient_check(Params(**p), x, y):
                assert c.band != "wrong", (seed, n_hidden, c.name)
                assert np.max(np.abs(c.analytic - c.numeric)) < 1e-10
                sizeable = np.abs(c.analytic) + np.abs(c.numeric) >= 1e-4
                assert np.all(c.error[sizeable] < GOOD), (seed, n_hidden, c.name)


def test_lab_network_passes_during_training() -> None:
    """The lab's 3-2-1 network part-way through training, on every tenth lab sample."""
    X, y, p = ref.lab_data()
    _, _, trained = ref.sgd(X, y, p, 0.5, 5)
    for i in range(0, 200, 10):
        for c in gradient_check(Params(**trained), X[i], float(y[i])):
            assert c.max_error < GOOD, (i, c.name, c.max_error)


def wrong_output_gradients(p: ref.Ref, x: np.ndarray, y: float) -> dict[str, np.ndarray]:
    """The classic slip: delta2 = y_hat - y, forgetting the output sigmoid's derivative."""
    f = ref.forward(x, y, p)
    delta2 = f["y_hat"] - y
    dsig1 = f["a1"] * (1 - f["a1"])
    delta1 = p["W2"][0] * delta2[0] * dsig1
    return {"W2": np.outer(delta2, f["a1"]), "b2": delta2, "W1": np.outer(delta1, x),
            "b1": delta1}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_hidden", [2, 5])
def test_missing_sigmoid_prime_is_caught(seed: int, n_hidden: int) -> None:
    p, x, y = random_case(seed, n_hidden)
    numeric = numeric_gradients(Params(**p), x, y)
    wrong = wrong_output_gradients(p, x, y)
    for name in PARAM_NAMES:
        error = float(np.max(relative_error(wrong[name], numeric[name])))
        assert error > SUSPECT, (name, error)
        assert band(error) == "wrong"


def test_numeric_gradients_match_reference_backprop() -> None:
    """The finite differences themselves agree with the reference's hand-written chain rule."""
    p, x, y = random_case(11, 3)
    expected = ref.backward(x, y, p, ref.forward(x, y, p))
    numeric = numeric_gradients(Params(**p), x, y)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(numeric[name], expected["d" + name], rtol=1e-6, atol=1e-10)


def test_relative_error_formula() -> None:
    """|a - n| / max(1e-8, |a| + |n|), entrywise, with the floor for near-zero gradients."""
    a = np.array([1.0, 1.0, 0.0, 1e-10, -2.0, 3e-9, 0.0])
    n = np.array([1.0, -1.0, 0.0, 0.0, -1.0, -3e-9, 5e-9])
    expected = np.array([0.0, 1.0, 0.0, 1e-2, 1 / 3, 6e-9 / 1e-8, 0.5])
    np.testing.assert_allclose(relative_error(a, n), expected, rtol=1e-15, atol=0)
    assert relative_error(np.zeros((2, 3)), np.zeros((2, 3))).shape == (2, 3)
    assert float(relative_error(2.0, 2.0 + 2e-7)) == pytest.approx(5e-8, rel=1e-6)
    assert float(relative_error(1e-20, 0.0)) == pytest.approx(1e-12)  # floor, not 1.0


def test_band_edges() -> None:
    assert band(0.0) == "ok"
    assert band(GOOD) == "ok"
    assert band(np.nextafter(GOOD, 1.0)) == "suspect"
    assert band(SUSPECT) == "suspect"
    assert band(np.nextafter(SUSPECT, 1.0)) == "wrong"
    assert band(1.0) == "wrong"
    assert band(float("nan")) == "wrong"   # a NaN gradient must never look fine
    assert (GOOD, SUSPECT) == (1e-7, 1e-4)
