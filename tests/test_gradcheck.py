"""The gradient check: it must pass correct backprop and catch a wrong one.

It is the tool a student trusts to say whether their gradients are right, so
both directions matter: a false alarm on correct code sends them hunting for a
bug that is not there, and a miss lets a real bug through.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref

from backprop_tui.check import slips
from backprop_tui.core.network.gradcheck import (
    GOOD,
    SUSPECT,
    band,
    gradient_check,
    numeric_gradients,
    numeric_with_bounds,
    relative_error,
)
from backprop_tui.core.network.params import PARAM_NAMES, Params
from backprop_tui.core.network.phases import forward_backward
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session


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
    """Over many random cases (unit-scale weights and biases): every gradient is 'ok'.

    Entries near zero (a near-zero input or W2 weight) used to show ~1e-6 against a fixed
    1e-8 floor; the floor is now the finite difference's own error bound, so they are
    judged by what the finite difference can resolve.
    """
    for seed in range(60):
        for n_hidden in (1, 2, 4, 8):
            p, x, y = random_case(seed, n_hidden)
            for c in gradient_check(Params(**p), x, y):
                assert c.band == "ok", (seed, n_hidden, c.name, c.max_error)
                assert np.max(np.abs(c.analytic - c.numeric)) < 1e-10
                assert c.bound is not None and np.all(np.abs(c.analytic - c.numeric) <= c.bound)


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
    """|a - n| / max(1e-8, |a| + |n|, bound / GOOD), entrywise: the floor for near-zero
    gradients, and a bound for a reference that is itself inexact."""
    a = np.array([1.0, 1.0, 0.0, 1e-10, -2.0, 3e-9, 0.0])
    n = np.array([1.0, -1.0, 0.0, 0.0, -1.0, -3e-9, 5e-9])
    expected = np.array([0.0, 1.0, 0.0, 1e-2, 1 / 3, 6e-9 / 1e-8, 0.5])
    np.testing.assert_allclose(relative_error(a, n), expected, rtol=1e-15, atol=0)
    assert relative_error(np.zeros((2, 3)), np.zeros((2, 3))).shape == (2, 3)
    assert float(relative_error(2.0, 2.0 + 2e-7)) == pytest.approx(5e-8, rel=1e-6)
    assert float(relative_error(1e-20, 0.0)) == pytest.approx(1e-12)  # floor, not 1.0
    # Within the reference's own error bound, two values count as agreeing to GOOD.
    assert float(relative_error(3e-7, 3e-7 + 2e-13, bound=2e-13)) == pytest.approx(GOOD)
    assert float(relative_error(3e-7, 3e-7 + 2e-13, bound=0.0)) > GOOD
    np.testing.assert_allclose(relative_error([1.0, 1e-9], [1.0, 2e-9], bound=[0.0, 1e-12]),
                               [0.0, 1e-9 / 1e-5], rtol=1e-12)


def test_non_finite_parameters_are_wrong_without_warnings() -> None:
    """A diverged run's parameters give 'wrong', never a crash, a warning or an 'ok'."""
    import warnings

    x = np.array([1.0, 2.0, 3.0])
    cases = [Params(np.full((2, 3), 1e308), np.zeros(2), np.full((1, 2), np.inf), np.zeros(1)),
             Params(np.full((2, 3), np.nan), np.zeros(2), np.ones((1, 2)), np.zeros(1))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for p in cases:
            assert "wrong" in [c.band for c in gradient_check(p, x, 0.5)]


def test_band_edges() -> None:
    assert band(0.0) == "ok"
    assert band(GOOD) == "ok"
    assert band(np.nextafter(GOOD, 1.0)) == "suspect"
    assert band(SUSPECT) == "suspect"
    assert band(np.nextafter(SUSPECT, 1.0)) == "wrong"
    assert band(1.0) == "wrong"
    assert band(float("nan")) == "wrong"   # a NaN gradient must never look fine
    assert (GOOD, SUSPECT) == (1e-7, 1e-4)


# -- never accuse correct float64 code ------------------------------------------------------

def sweep_positions() -> list[tuple[str, Params, np.ndarray, float]]:
    """Raw Iris (targets up to 2.5, L near 1) and the lab; init scale up to 3, lr up to 2,
    hidden 1-7; positions spread over the first epochs, where the loss is largest."""
    out = []
    for source in ("iris", "lab"):
        for scale in (0.1, 1.0, 3.0):
            for lr in (0.5, 2.0):
                for hidden in range(1, 8):
                    session = build_session(DataOptions(source=source),
                                            TrainConfig(hidden=hidden, lr=lr, init_scale=scale))
                    for u in range(0, 1200, 113):
                        if not session.goto(u, 0):
                            break
                        row = session.row
                        out.append((f"{source} scale {scale} lr {lr} hidden {hidden} update {u}",
                                    session.params, session.dataset.X_train[row],
                                    float(session.dataset.y_train[row])))
    return out


@pytest.fixture(scope="module")
def positions() -> list[tuple[str, Params, np.ndarray, float]]:
    return sweep_positions()


def test_engine_gradients_are_never_flagged(positions: list) -> None:
    """Not one 'suspect' or 'wrong' for the engine's own gradients, over every position.

    The old fixed floor (1e-8) flagged hundreds of these: on raw Iris L stays near 1,
    and the finite difference's rounding (about eps L / h) over a gradient of 1e-7 is
    already 'suspect'. The bound grows with L and the weights; backprop sits inside it.
    """
    assert len(positions) > 800
    flagged = [(where, c.name, c.max_error) for where, p, x, y in positions
               for c in gradient_check(p, x, y) if c.band != "ok"]
    assert flagged == []


def test_bound_holds_the_true_error(positions: list) -> None:
    """The finite difference's actual error (backprop is exact to ~1e-15 here) is under its
    bound everywhere, and the bound is not a blanket: most gradients are far above it."""
    above = total = 0
    for _, p, x, y in positions[::3]:
        numeric, bounds = numeric_with_bounds(p, x, y)
        v = forward_backward(p, x, y)
        for name in PARAM_NAMES:
            a = np.asarray(v["d" + name])
            assert np.all(np.abs(a - numeric[name]) <= bounds[name]), name
            above += int(np.sum(np.abs(a) > bounds[name] / GOOD))
            total += a.size
    assert above > 0.8 * total


@pytest.mark.parametrize("option", [o for o in slips.OPTIONS if o.group not in ("dW2_from",
                                                                                "dW2_order",
                                                                                "dW1_from",
                                                                                "dW1_order")],
                         ids=lambda o: f"{o.group}-{o.key}")
def test_wrong_student_gradients_are_flagged(positions: list, option: slips.Option) -> None:
    """Each slip of the catalogue (right shape) is 'wrong' wherever it changes a gradient by
    more than 1e-3 of the error an exact reference would show; that is nearly everywhere
    (a slip such as σ(z2) for σ'(z2) is nearly harmless where the output saturates)."""
    checked = 0
    for where, p, x, y in positions[::4]:
        v = forward_backward(p, x, y)
        wrong = slips.replay(v, {option.group: option.key}, 0.5)
        numeric, bounds = numeric_with_bounds(p, x, y)
        for name in PARAM_NAMES:
            g, right = wrong["d" + name], np.asarray(v["d" + name])
            if g.shape != right.shape or np.max(relative_error(g, right, bounds[name])) <= 1e-3:
                continue  # this slip leaves this gradient (nearly) unchanged here
            checked += 1
            error = float(np.max(relative_error(g, numeric[name], bounds[name])))
            assert band(error) == "wrong", (where, name, error)
    assert checked > 30
