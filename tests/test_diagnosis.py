"""The checker's judgement, in-process: slips named by reproduction, deltas read back, shapes.

These run without a terminal and without a child process: the API the app uses
(:func:`compare_sample`, :class:`SampleComparison`) and the pieces behind it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backprop_tui.check import compare_sample, load_student, slips
from backprop_tui.check.compare import compare_call
from backprop_tui.check.diagnose import close
from backprop_tui.check.loader import RETURNS, CallResult
from backprop_tui.check.precision import digits_to_differ, engine_float32
from backprop_tui.check.shapes import accepted, matmul_hint
from backprop_tui.core.network.params import Params
from backprop_tui.core.network.phases import forward_backward
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

STUDENTS = Path(__file__).parent / "students"


def sample(update: int, source: str = "lab", hidden: int = 2) -> tuple[Params, np.ndarray, float]:
    session = build_session(DataOptions(source=source), TrainConfig(hidden=hidden))
    session.goto(update, 0)
    return session.params, session.dataset.X_train[session.row], float(
        session.dataset.y_train[session.row])


def compare_file(name: str, update: int = 5) -> object:
    return compare_sample(load_student(STUDENTS / f"{name}.py"), *sample(update))


def values_of(diagnosis: slips.Diagnosis, v: dict) -> dict[str, np.ndarray]:
    return slips.replay(v, {o.group: o.key for o in diagnosis.slips}, diagnosis.c)


# -- the catalogue names each slip back --------------------------------------------------

@pytest.mark.parametrize("option", slips.OPTIONS, ids=lambda o: f"{o.group}-{o.key}")
@pytest.mark.parametrize("where", [(3, "lab", 2), (150, "lab", 3), (40, "iris", 4),
                                   (1, "iris", 2)])  # raw Iris target 1.8: int 1, round 2
def test_each_slip_is_named_back(option: slips.Option, where: tuple[int, str, int]) -> None:
    """Replay one slip, hand its gradients to the diagnosis: it names that very slip."""
    v = forward_backward(*sample(*where))
    made = slips.replay(v, {option.group: option.key}, 0.5)
    student = {g: made[g] for g in slips.GRADIENT_NAMES}
    wrong = [g for g in ("dW2", "db2", "dW1", "db1") if not close(made[g], v[g])]
    assert wrong, "a slip that changes nothing is not a slip"
    found = slips.diagnose(v, student, wrong[0], close)
    assert found is not None and found.complete
    if slips._same_as_another(v, {option.group: option.key}):
        # A whole-number target equal to 0 or to the cut one: the same numbers as that slip.
        assert all(close(values_of(found, v)[g], made[g]) for g in slips.GRADIENT_NAMES)
        return
    assert found.slips == (option,), found.words()
    if option.key == "updated":
        assert found.c == pytest.approx(0.5, rel=1e-9)


def test_two_slips_are_named_together() -> None:
    """σ(z)(1 − z) in a shared sigmoid_prime is one slip in both layers, said once."""
    v = forward_backward(*sample(9))
    made = slips.replay(v, {"dsig2": "s_1_minus_z", "dsig1": "s_1_minus_z"})
    found = slips.diagnose(v, {g: made[g] for g in slips.GRADIENT_NAMES}, "dW2", close)
    assert found is not None and found.complete and len(found.slips) == 2
    assert "both layers" in found.words() and found.words().count("σ(z2)(1 − z2)") == 1


def test_a_slip_that_explains_only_part_says_so() -> None:
    """dW2 doubled and db1 zeroed: no set of slips reproduces it all; the text says which."""
    v = forward_backward(*sample(9))
    student = {"dW2": 2 * v["dW2"], "db2": v["db2"], "dW1": v["dW1"], "db1": np.zeros(2)}
    found = slips.diagnose(v, student, "dW2", close)
    assert found is None or not found.complete


# -- the student's deltas, read back (the app shows them at the delta phases) -----------

def test_wrong_delta2_is_where_the_error_starts() -> None:
    result = compare_file("no_output_derivative")
    assert result.mismatch.quantity == "dW2"
    assert result.error_starts_at_delta2 and result.origin.phase == "delta2"
    assert result.explain_at == "delta2"
    d2 = result.deltas["delta2"]
    assert d2.band == "wrong" and d2.source == "db2"
    np.testing.assert_array_equal(d2.value, result.quantities["db2"].got.reshape(-1))
    assert "the error starts at delta2 (grad_output)" in result.origin.text
    assert "σ'(z2) is missing" in result.origin.text  # the slip, for the app's note


@pytest.mark.parametrize("name,phase", [("negated_dw2", "dW2"), ("transposed_dw2", "dW2"),
                                        ("no_hidden_derivative", "delta1"),
                                        ("wrong_bias", "dW1"), ("dw1_from_a1", "dW1")])
def test_error_after_delta2(name: str, phase: str) -> None:
    result = compare_file(name)
    assert not result.error_starts_at_delta2
    assert result.origin is not None and result.origin.phase == phase == result.explain_at
    assert result.deltas["delta2"].band == "ok"


def test_right_student_has_right_deltas_and_no_origin() -> None:
    result = compare_file("correct")
    assert result.ok and result.origin is None and not result.error_starts_at_delta2
    assert result.explain_at is None
    assert compare_file("updates_in_place").explain_at == "load"
    assert compare_file("loss_without_half").explain_at == "L"
    assert {k: d.band for k, d in result.deltas.items()} == {"delta2": "ok", "delta1": "ok"}


def test_delta2_read_from_dw2_when_db2_is_missing() -> None:
    params, x, y = sample(4)
    v = forward_backward(params, x, y)
    values = (v["y_hat"], np.float64(v["L"]), v["dW1"], v["db1"], 3 * v["dW2"],
              "None")
    result = compare_call(CallResult(values, "a tuple of 6 values"), params, x, y)
    d2 = result.deltas["delta2"]
    assert d2.source == "dW2 / a1" and d2.band == "wrong"
    np.testing.assert_allclose(d2.value, 3 * v["delta2"], rtol=1e-12)


# -- values, not representations -----------------------------------------------------

@pytest.mark.parametrize("param,got,ok", [
    ((1,), (), True), ((1, 2), (2,), True), ((1,), (1, 1), False), ((1, 2), (2, 1), False),
    ((2,), (1,), True), ((2,), (2, 1), False), ((2, 3), (3,), True), ((2, 3), (2,), False),
])
def test_accepted_shapes_are_what_the_update_line_keeps(param: tuple, got: tuple,
                                                        ok: bool) -> None:
    assert accepted(param, got) is ok
    if ok:
        assert (np.zeros(param) - 0.5 * np.zeros(got)).shape == param


def test_scalar_gradient_broadcast_over_units_is_judged_by_value() -> None:
    """A (1,) db1 broadcasts, so it is accepted as a shape, and then judged (and failed)
    by its values: both hidden biases would get the same step."""
    params, x, y = sample(4)
    v = forward_backward(params, x, y)
    values = (v["y_hat"], np.float64(v["L"]), v["dW1"], v["delta2"], v["dW2"], v["db2"])
    result = compare_call(CallResult(values, "a tuple of 6 values"), params, x, y)
    assert result.mismatch.quantity == "db1" and result.mismatch.kind == "value"
    assert "delta2 copied to each hidden unit" in result.mismatch.explanation


def test_float32_is_named_in_process() -> None:
    params, x, y = sample(5)
    f32 = engine_float32(params.as_dict(), x, y)
    values = tuple(np.asarray(f32[k]) for k in RETURNS)
    call = CallResult(values, "a tuple of 6 values", dtypes=tuple("float32" for _ in RETURNS))
    result = compare_call(call, params, x, y)
    assert result.mismatch is not None and result.mismatch.kind == "precision", result.mismatch
    assert "float32 arrays" in result.mismatch.explanation
    cast = tuple(np.asarray(f32[k], dtype=float) for k in RETURNS)  # float32 maths, float64 out
    named = compare_call(CallResult(cast, "a tuple of 6 values"), params, x, y).mismatch
    assert named.kind == "precision" and "computed in float32" in named.explanation
    wrong = tuple(np.asarray(f32[k]) * (1.001 if k == "dW2" else 1) for k in RETURNS)
    other = compare_call(CallResult(wrong, "a tuple of 6 values"), params, x, y)
    assert other.mismatch.kind == "value"  # a 1e-3 slip is not "precision"


@pytest.mark.parametrize("expected,got,digits", [
    (0.00449495731, 0.00449495805, 7), (1.0, 2.0, 6), (0.5, 0.5, 6),
    (np.array([1.0, 2.0000001]), np.array([1.0, 2.0000002]), 8),
])
def test_digits_to_differ(expected: object, got: object, digits: int) -> None:
    assert digits_to_differ(np.asarray(expected), np.asarray(got)) == digits


@pytest.mark.parametrize("line,words", [
    ("grad_hidden = W2 @ grad_output * a1 * (1 - a1)", "W2.T @ grad_output"),
    ("delta1 = np.dot(W2, delta2) * a1", "W2.T @ delta2"),
    ("z1 = x @ W1 + b1", "W1 @ x can (the other order)"),
    ("z1 = W1.T @ x", "W1 @ x can (the transpose)"),
])
def test_matmul_hints(line: str, words: str) -> None:
    assert words in (matmul_hint(line, 3, 2) or "")


def test_no_matmul_hint_where_the_product_fits() -> None:
    assert matmul_hint("delta1 = W2.T @ delta2 * dsig1", 3, 2) is None
    assert matmul_hint("z = foo @ bar", 3, 2) is None


# -- arguments changed in place -----------------------------------------------------

def test_mutation_is_caught_in_process_and_our_parameters_stay() -> None:
    params, x, y = sample(6)
    before = params.flat().copy()
    result = compare_sample(load_student(STUDENTS / "updates_in_place.py"), params, x, y)
    assert np.array_equal(params.flat(), before)
    assert result.mismatch is not None and result.mismatch.kind == "mutated"
    assert "W1 -= 0.5 * dW1" in result.mismatch.explanation
    assert all(q.band == "ok" for q in result.quantities.values())  # values right; still wrong


@pytest.mark.parametrize("tail", [
    "return pred, loss, np.outer(d1, x), d1, np.ones((500, 400)), d2",
    "return pred, loss, np.outer(d1, x) + 1j, d1, np.outer(d2, a1), d2",
    "return pred, float('inf'), np.outer(d1, x), d1, np.outer(d2, a1), d2",
    "return pred, loss, np.outer(d1, x), d1, {'a': 1}, d2",
    "return pred, loss, np.outer(d1, x).astype(int), d1, np.outer(d2, a1), d2",
    "return [pred], [[loss]], list(map(list, np.outer(d1, x))), d1, np.outer(d2, a1), d2",
])
def test_hostile_returns_are_judged_without_crashing(tmp_path: Path, tail: str) -> None:
    path = tmp_path / "s.py"
    path.write_text("import numpy as np\n"
                    "def forward_backward_pass(x, target, W1, b1, W2, b2):\n"
                    "    a1 = 1 / (1 + np.exp(-(W1 @ x + b1)))\n"
                    "    pred = 1 / (1 + np.exp(-(W2 @ a1 + b2)))\n"
                    "    loss = 0.5 * (pred[0] - target) ** 2\n"
                    "    d2 = (pred - target) * pred * (1 - pred)\n"
                    "    d1 = (W2.T @ d2) * a1 * (1 - a1)\n"
                    f"    {tail}\n")
    result = compare_sample(load_student(path), *sample(2))
    last = "list(map" in tail
    assert result.ok is last
    if not last:
        assert result.mismatch.explanation


def test_slips_are_named_at_extreme_positions_and_never_blamed_on_the_engine() -> None:
    """Raw Iris with large weights (saturated units, gradients near the finite difference's
    resolution) and the lab: the doubled output error is named everywhere it shows."""
    from test_gradcheck import sweep_positions

    named = 0
    for where, params, x, y in sweep_positions()[::9]:
        v = forward_backward(params, x, y)
        made = slips.replay(v, {"error": "twice"})
        values = (v["y_hat"], np.float64(v["L"]), made["dW1"], made["db1"], made["dW2"],
                  made["db2"])
        result = compare_call(CallResult(values, "a tuple of 6 values"), params, x, y)
        if result.ok:
            continue  # every gradient below 1e-7 relative of a difference: nothing to see
        assert "bug in backprop-tui" not in result.mismatch.explanation, where
        assert "2(pred − y)" in result.mismatch.explanation, (where, result.mismatch)
        named += 1
    assert named > 80
