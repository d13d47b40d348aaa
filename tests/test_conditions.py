"""The condition language: what students type on a shared machine is parsed, never run.

Every refusal must be one line naming the problem and its column; every accepted
expression must give the numbers the session shows, computed here independently
with numpy from the session's own values.
"""

from __future__ import annotations

import builtins
import math

import numpy as np
import pytest
from conftest import lab_session

from backprop_tui.core.debugger.conditions import (
    MAX_LENGTH,
    NOT_YET,
    Condition,
    ConditionError,
    context_at,
    parse_for,
)
from backprop_tui.core.network.phases import PHASES, UPDATE_PHASE
from backprop_tui.core.run.session import Session


def cond(text: str) -> Condition:
    return parse_for(text, 3, 2)


@pytest.fixture(scope="module")
def full() -> tuple[Session, dict[str, object]]:
    """A session on the update phase of a sample in epoch 1: every quantity computed."""
    session = lab_session()
    assert session.goto(207, UPDATE_PHASE)
    return session, context_at(session)


BAD = [
    ("w1 > 1", "unknown name 'w1' at column 1: did you mean W1?"),
    ("L < 0.01 and los < 1", "unknown name 'los' at column 14: did you mean loss?"),
    ("W1[2,0] > 1", "W1[2,0] at column 1: W1 has shape (2, 3)"),
    ("W1[99]", "W1[99] at column 1: W1 has shape (2, 3)"),
    ("W1[0,1,2]", "W1[0,1,2] at column 1: W1 has shape (2, 3)"),
    ("1 + a1[-3]", "a1[-3] at column 5: a1 has shape (2,)"),
    ("L[0]", "L[0] at column 1: L is a number"),
    ("W1[0:1]", "a slice (:) is not allowed at column 4"),
    ("x[1.5]", "an index that is not a whole number at column 3"),
    ("x[epoch]", "an index that is not a whole number at column 3"),
    ("(W1 * 2)[0]", "indexing of something else than a quantity at column 1"),
    ("__import__('os').system('true')", "attribute access (.) is not allowed at column 1"),
    ("__import__('os')", "unknown function '__import__' at column 1"),
    ("().__class__", "attribute access (.) is not allowed at column 1"),
    ("open('/etc/passwd')", "unknown function 'open' at column 1"),
    ("abs.__call__(1)", "attribute access (.) is not allowed at column 1"),
    ("lambda: 1", "lambda is not allowed at column 1"),
    ("[w for w in b1]", "a comprehension is not allowed at column 1"),
    ("(y := 1)", ":= is not allowed at column 2"),
    ("f'{L}'", "an f-string is not allowed at column 1"),
    ("abs(*b1)", "* is not allowed at column 5"),
    ("abs(x=1)", "abs() takes one value at column 1"),
    ("min()", "min() takes one or more values at column 1"),
    ("abs", "abs is a function: write abs(...) at column 1"),
    ("L % 2", "operator % is not allowed at column 1"),
    ("W1 @ x", "operator @ is not allowed at column 1"),
    ("L in b1", "operator in is not allowed at column 1"),
    ("L if L else 1", "if/else is not allowed at column 1"),
    ("'L'", "text in quotes at column 1"),
    ("L == 'x'", "text in quotes at column 6"),
    ("phase == 'dW3'", "unknown phase 'dW3' at column 10 (did you mean dW2? phases: load, z1"),
    ("phase == 3", "phase at column 1: it can only be compared with a phase name"),
    ("phase", "phase at column 1"),
    ("W1 > 1", "W1 has shape (2, 3) at column 1, but a comparison needs a number"),
    ("not a1", "a1 has shape (2,) at column 5, but 'not' needs a number"),
    ("L < 1 and b1", "b1 has shape (2,) at column 11, but 'and' needs a number"),
    ("W1 * b1", "shapes (2, 3) and (2,) do not fit together at column 1"),
    ("1j", "complex constant is not allowed at column 1"),
    ("None", "NoneType constant is not allowed at column 1"),
    ("L <", "syntax error at column"),
    ("L << 1", "operator << is not allowed at column 1"),
    ("(L", "syntax error at column 1"),
    ("", "empty condition"),
    ("   ", "empty condition"),
    ("L\n< 1", "character U+000A at column 2 is not allowed"),
    ("L < 1\x00", "character U+0000 at column 6 is not allowed"),
    ("η > 0.1", "character 'η' at column 1 is not allowed: use plain ASCII (write lr for η)"),
    ("L < ０", "character '０' at column 5 is not allowed"),
    ("-" * 150 + "1", "nested too deeply (151 levels, at most 32)"),
    ("(" * 150 + "1" + ")" * 150, "condition too long: 301 characters"),
    ("L < 1 or " * 1000 + "L < 1", f"at most {MAX_LENGTH})"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_conditions_give_one_line_that_points_at_the_problem(text: str, message: str
                                                                 ) -> None:
    with pytest.raises(ConditionError) as info:
        cond(text)
    said = str(info.value)
    assert message in said
    assert "\n" not in said and len(said) < 320


def test_a_condition_is_text() -> None:
    with pytest.raises(ConditionError, match="a condition is text, got int"):
        cond(3)  # type: ignore[arg-type]


def test_unknown_name_lists_the_names() -> None:
    said = str(pytest.raises(ConditionError, cond, "qqq").value)
    assert said.startswith("unknown name 'qqq' at column 1 (names: epoch, sample, row, phase, lr")
    assert said.endswith("dW1, db1)")


def test_nothing_is_evaluated_or_executed(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """eval and exec are never called; compile only ever builds a syntax tree."""
    session = lab_session()  # before the patch: importing modules runs their code
    session.goto(0, UPDATE_PHASE)
    ctx = context_at(session)
    real_compile = builtins.compile

    def only_ast(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & 0x400, "compile() asked for code, not a syntax tree"  # PyCF_ONLY_AST
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", only_ast)
    marker = tmp_path / "ran"
    with pytest.raises(ConditionError):
        cond(f"__import__('os').system('touch {marker}')")
    c = cond("abs(W2[0,1]) > 0 and norm(dW1) >= 0 or 1/0 > 2**10**10")
    assert c.holds(ctx)
    assert not marker.exists()


def test_values_match_numpy_on_the_sessions_own_values(full) -> None:
    _, ctx = full
    v = {k: np.asarray(x, dtype=float) for k, x in ctx.items() if k != "phase"}
    cases = {
        "W1[0,1] * 2 + b1[1]": v["W1"][0, 1] * 2 + v["b1"][1],
        "W1[-1,-1] - W1[1][2]": 0.0,
        "W2[0][1]": v["W2"][0, 1],
        "y_hat": v["y_hat"][0],
        "y_hat[0] - y": v["y_hat"][0] - v["y"],
        "pred": v["y_hat"][0],
        "loss": float(v["L"]),
        "grad_output * 3": v["delta2"][0] * 3,
        "L / (y_hat - y) ** 2": float(v["L"]) / (v["y_hat"][0] - v["y"]) ** 2,
        "-delta2 + +db2": 0.0,
        "norm(dW1)": np.linalg.norm(v["dW1"]),
        "norm(W2)": np.linalg.norm(v["W2"]),
        "norm(L)": abs(float(v["L"])),
        "min(a1)": v["a1"].min(),
        "max(z1)": v["z1"].max(),
        "max(z1[0], z1[1], -5)": max(v["z1"][0], v["z1"][1], -5),
        "abs(b2 - 1)": abs(v["b2"][0] - 1),
        "epoch * 1000 + sample": 1 * 1000 + 8,
        "row": 7.0,
        "lr": 0.5,
    }
    for text, expected in cases.items():
        got = cond(text).evaluate(ctx)
        assert isinstance(got, float) and got == pytest.approx(expected, rel=0, abs=1e-15), text
    np.testing.assert_array_equal(cond("abs(a1) * 2").evaluate(ctx), np.abs(v["a1"]) * 2)
    np.testing.assert_array_equal(cond("max(a1, 0.5)").evaluate(ctx), np.maximum(v["a1"], 0.5))
    np.testing.assert_array_equal(cond("W1 - lr * dW1").evaluate(ctx), v["W1_new"])


def test_truth_comparisons_and_phase_names(full) -> None:
    _, ctx = full
    L = float(ctx["L"])
    assert cond(f"L < {L * 2}").holds(ctx) and not cond(f"L > {L * 2}").holds(ctx)
    assert cond(f"0 < L <= {L} < 1").holds(ctx) and not cond(f"0 < L < {L}").holds(ctx)
    assert cond("L == loss != 7").holds(ctx)
    assert cond("phase == 'update' and phase > 'dW1' and 'load' < phase").holds(ctx)
    assert not cond("phase != 'update' or not finite(W1)").holds(ctx)
    assert cond("finite(W1) and finite(L) and not finite(1/0)").holds(ctx)
    assert cond("phase == 'loss'").holds({**ctx, "phase": "L"})  # the lab's names too


def test_ieee_arithmetic_never_raises_nor_hangs(full) -> None:
    _, ctx = full
    expected = {"1/0": math.inf, "-1/0": -math.inf, "L/0": math.inf, "2**10**10": math.inf,
                "(-2)**1e10": math.inf, "0**-1": math.inf, "10**-400": 0.0, "1e308 * 10": math.inf,
                "-(1e308 * 10)": -math.inf}
    for text, value in expected.items():
        assert cond(text).evaluate(ctx) == value, text
    for text in ("0/0", "(-8)**(1/3)", "1e999 - 1e999", "min(0/0, 1)", "max(1, 0/0)"):
        got = cond(text).evaluate(ctx)
        assert got != got, text  # nan
        assert not cond(text).holds(ctx)
    with np.errstate(all="raise"):  # a caller's strict numpy settings do not leak in
        assert np.isinf(cond("dW1 / 0").evaluate(ctx)).all()
        assert cond("norm(W1 * 1e300 * 1e300)").evaluate(ctx) == math.inf
        assert not cond("finite(W1 ** 1e10 + a1[0] / 0)").holds(ctx)


def test_missing_quantities_make_it_not_yet() -> None:
    session = lab_session()
    assert session.goto(0, PHASES.index(next(p for p in PHASES if p.key == "z1")))
    ctx = context_at(session)
    c = cond("L < 1")
    assert c.evaluate(ctx) is NOT_YET and not c.holds(ctx)
    assert cond("norm(dW1) + 1").evaluate(ctx) is NOT_YET
    assert cond("z1[0] < 100").holds(ctx)
    assert cond("epoch == 0 or L < 1").holds(ctx)        # decided before L is needed
    assert not cond("epoch == 1 and L < 1").holds(ctx)


def test_context_has_what_the_phase_computed(full) -> None:
    session = lab_session()
    seen: set[str] = set()
    for k, phase in enumerate(PHASES):
        assert session.goto(3, k)
        ctx = context_at(session)
        seen |= set(phase.produces)
        assert {"W1", "b1", "W2", "b2", "x", "y", "lr", "epoch", "sample", "row", "phase"} <= set(
            ctx)
        assert seen <= set(ctx) and not (set(ctx) - seen - {"W1", "b1", "W2", "b2", "lr", "epoch",
                                                             "sample", "row", "phase"})
        assert ctx["phase"] == phase.key and ctx["sample"] == 4 and ctx["epoch"] == 0


def test_names_terms_shape_and_key() -> None:
    c = cond("abs(W2[0,1]) > 2 and pred < y_hat[0] + epoch")
    assert c.names == ("W2", "y_hat", "epoch")
    assert c.terms == ("W2[0,1]", "pred", "y_hat[0]", "epoch")
    assert c.quantities == ("W2", "y_hat") and c.is_scalar and not c.uses_phase
    assert cond("abs(a1)").shape == (2,) and cond("W1 * 2").shape == (2, 3)
    assert cond("L<1").key == cond(" L  <  1 ").key != cond("L <= 1").key
    assert cond("phase == 'L'").uses_phase
    assert parse_for("W1[3, 4] + a1[4]", 5, 5).names == ("W1", "a1")
    with pytest.raises(ConditionError, match="W1 has shape"):
        parse_for("W1[0, 4]", 3, 5)
