"""The checker's verdicts: judged against exact values, worded by what the numbers show.

A student more accurate than the engine's float64 passes (the reference is exact,
each entry allowed float64's own error there); float32 is named only of float32
numbers; other close misses are 'approximate' with their size; updated weights
returned for gradients are named as such; a slip that would change a quantity the
report calls right is never given as the cause; and a giant wrongly shaped array
makes a report of a few lines.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_gradcheck import sweep_positions

from backprop_tui.check import slips
from backprop_tui.check.compare import compare_call
from backprop_tui.check.diagnose import close
from backprop_tui.check.exact import LD, Reference, exact_values, float64_bounds
from backprop_tui.check.loader import RETURNS, CallResult
from backprop_tui.check.precision import engine_float32
from backprop_tui.check.report import format_text, matrix, to_json
from backprop_tui.check.runner import CheckReport, SampleInfo
from backprop_tui.core.network.gradcheck import GOOD
from backprop_tui.core.network.params import Params
from backprop_tui.core.network.phases import forward_backward
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session


def sample(update: int, data: DataOptions | None = None, config: TrainConfig | None = None
           ) -> tuple[Params, np.ndarray, float]:
    session = build_session(data or DataOptions(), config or TrainConfig())
    session.goto(update, 0)
    return session.params, session.dataset.X_train[session.row], float(
        session.dataset.y_train[session.row])


def saturated() -> tuple[Params, np.ndarray, float]:
    """Sample 6 of iris, seed 20, init scale 3, hidden 7: hidden units at z1 near 25."""
    return sample(5, DataOptions(source="iris"), TrainConfig(seed=20, init_scale=3.0, hidden=7))


def engine_of(v: dict) -> dict[str, np.ndarray]:
    return {"pred": np.asarray(v["y_hat"]), "loss": np.asarray(v["L"]),
            **{k: np.asarray(v[k]) for k in ("dW1", "db1", "dW2", "db2")}}


def call_of(values: dict[str, np.ndarray], dtypes: tuple[str, ...] = ()) -> CallResult:
    return CallResult(tuple(values[k] for k in RETURNS), "a tuple of 6 values", dtypes=dtypes)


# -- float64, any usual way, is right; the engine itself is within its bound -------------

def _variant(params: Params, x: np.ndarray, y: float, how: str) -> dict[str, np.ndarray]:
    """A right forward_backward_pass in float64, σ and σ' written one of the usual ways."""
    W1, b1, W2, b2 = params.W1, params.b1, params.W2, params.b2
    with np.errstate(all="ignore"):
        if how == "tanh":
            def sig(z: np.ndarray) -> np.ndarray:
                return 0.5 * (1 + np.tanh(z / 2))

            def prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
                return 0.25 * (1 - np.tanh(z / 2) ** 2)
        else:
            def sig(z: np.ndarray) -> np.ndarray:
                return 1 / (1 + np.exp(-z))

            def prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
                if how == "exp":
                    e = np.exp(-z)
                    return e / (1 + e) ** 2
                return a * (1 - a)
        z1 = np.array([sum(W1[i, j] * x[j] for j in range(x.size)) + b1[i]
                       for i in range(b1.size)]) if how == "loops" else W1 @ x + b1
        a1 = sig(z1)
        z2 = W2 @ a1 + b2
        pred = sig(z2)
        d2 = (pred - y) * prime(z2, pred)
        d1 = (W2.T @ d2) * prime(z1, a1)
        return {"pred": pred, "loss": np.asarray(0.5 * (pred[0] - y) ** 2),
                "dW1": np.outer(d1, x), "db1": d1, "dW2": np.outer(d2, a1), "db2": d2}


def test_every_usual_float64_way_passes_everywhere() -> None:
    """Raw Iris with large weights and the lab, 900+ positions: the engine's own values sit
    inside the float64 bound, and so do σ' as e^−z/(1 + e^−z)², via tanh, or sums in loops."""
    worst = 0.0
    for where, params, x, y in sweep_positions()[::3]:
        v = forward_backward(params, x, y)
        engine = engine_of(v)
        exact = exact_values(params.as_dict(), x, y)
        bounds = float64_bounds(params.as_dict(), x, y)
        for k in RETURNS:
            off = np.abs(np.asarray(engine[k], dtype=LD).reshape(exact[k].shape) - exact[k])
            assert np.all(off.astype(float) <= bounds[k]), (where, k)
        ref = Reference(params.as_dict(), x, y, engine)
        for how in ("exp", "tanh", "loops"):
            got = _variant(params, x, y, how)
            for k in RETURNS:
                err = ref.error(k, got[k])
                worst = max(worst, err)
                assert err <= GOOD, (where, how, k, err)
    assert worst > 0


def test_more_accurate_than_the_engine_passes_where_the_engine_loses_digits() -> None:
    params, x, y = saturated()
    v = forward_backward(params, x, y)
    exact = {k: np.asarray(a, dtype=float) for k, a in exact_values(params.as_dict(), x, y).items()}
    engine_off = max(float(np.max(np.abs(engine_of(v)["dW1"] - exact["dW1"])
                                  / np.abs(exact["dW1"]))), 0.0)
    assert engine_off > 1e-6  # the engine's a(1 − a) lost digits here: the case of issue 17
    result = compare_call(call_of(exact), params, x, y)
    assert result.ok, result.mismatch
    assert compare_call(call_of(engine_of(v)), params, x, y).ok


def test_a_wrong_formula_still_fails_where_units_saturate() -> None:
    params, x, y = saturated()
    v = forward_backward(params, x, y)
    made = slips.replay(v, {"dsig1": "s_1_minus_z"})
    values = {**engine_of(v), **{g: made[g] for g in slips.GRADIENT_NAMES}}
    result = compare_call(call_of(values), params, x, y)
    assert result.mismatch is not None and result.mismatch.kind == "value"
    assert "σ(z1)(1 − z1)" in result.mismatch.explanation


# -- the words: float32 only of float32 numbers; otherwise 'approximate' ---------------

def test_float32_is_not_said_of_float64_numbers_as_close() -> None:
    """Off by 3e-7 relative, as float32 would be, but in float64 numbers: approximate."""
    params, x, y = sample(5)
    exact = {k: np.asarray(a, dtype=float) for k, a in exact_values(params.as_dict(), x, y).items()}
    wobble = {k: a * (1 + 3e-7 * np.cos(np.arange(a.size)).reshape(a.shape))
              for k, a in exact.items()}
    m = compare_call(call_of(wobble), params, x, y).mismatch
    assert m is not None and m.kind == "approximate", m
    assert "float32" not in m.explanation and "off by up to 1.5e-07 relative" in m.explanation
    f32 = engine_float32(params.as_dict(), x, y)  # float32 maths returned as float64: named
    cast = {k: np.asarray(f32[k], dtype=float) for k in RETURNS}
    named = compare_call(call_of(cast), params, x, y).mismatch
    assert named.kind == "precision" and "computed in float32" in named.explanation


def test_a_big_miss_is_not_approximate() -> None:
    params, x, y = sample(5)
    v = forward_backward(params, x, y)
    values = {**engine_of(v), "dW1": engine_of(v)["dW1"] * 1.01}
    m = compare_call(call_of(values), params, x, y).mismatch
    assert m is not None and m.kind == "value"


# -- updated weights returned for gradients ---------------------------------------------

@pytest.mark.parametrize("lr,words", [(0.5, "η = 0.5, the session's learning rate"),
                                      (None, "η = 0.5)"), (0.1, "η = 0.5)")])
def test_updated_weights_are_named(lr: float | None, words: str) -> None:
    params, x, y = sample(3)
    v = forward_backward(params, x, y)
    new = {g: getattr(params, g[1:]) - 0.5 * v[g] for g in slips.GRADIENT_NAMES}
    result = compare_call(call_of({**engine_of(v), **new}), params, x, y, lr=lr)
    m = result.mismatch
    assert m is not None and (m.quantity, m.kind) == ("dW2", "updated")
    assert "updated weights W − η dW" in m.explanation and words in m.explanation
    assert result.origin is None  # no "delta2 read from your db2": db2 holds b2_new


# -- one report, one cause ------------------------------------------------------------

def test_a_partial_slip_never_changes_what_matched() -> None:
    """db1 = 2 delta1 alone: 'the output error is 2(pred − y)' would double dW2, db2 and
    dW1 too, which match; so it is not offered, in the diagnosis or the report."""
    params, x, y = sample(4)
    v = forward_backward(params, x, y)
    student = {g: np.asarray(v[g]) for g in slips.GRADIENT_NAMES}
    student["db1"] = 2 * student["db1"]
    assert slips.diagnose(v, student, "db1", close) is not None  # without the rule: offered
    assert slips.diagnose(v, student, "db1", close, matched=("dW2", "db2", "dW1")) is None
    m = compare_call(call_of({**engine_of(v), "db1": student["db1"]}), params, x, y).mismatch
    assert m is not None and "2(pred − y)" not in m.explanation
    assert "2 times the engine's db1" in m.explanation


# -- a giant wrongly shaped array -----------------------------------------------------

@pytest.mark.parametrize("name", ["dW1", "db2", "pred"])
def test_a_giant_wrong_shape_makes_a_short_report(name: str) -> None:
    params, x, y = sample(2)
    v = forward_backward(params, x, y)
    values = {**engine_of(v), name: np.full((3000, 3000), 0.25)}
    comparison = compare_call(call_of(values), params, x, y)
    assert comparison.mismatch is not None and comparison.mismatch.kind == "shape"
    report = CheckReport("s.py", "ok", 1, 10.0)
    report.samples_checked = 1
    report.fail(SampleInfo(0, 0, 0, 0, 200), comparison)
    text = format_text(report, "header")
    assert len(text) < 3000 and "(3000, 3000)" in text, len(text)
    doc = json.dumps(to_json(report, {}))
    assert len(doc) < 20_000 and "(3000, 3000)" in doc


def test_matrix_shows_corners_of_a_large_array() -> None:
    text = matrix(np.arange(100.0).reshape(10, 10), 0)
    assert text.count("\n") == 6 and "..." in text and "99" in text and "50" not in text
    assert matrix(np.arange(4.0), 0) == "[0  1  2  3]"
