"""Parsing what a student types to set a parameter or η: accepted forms and one-line refusals.

The text comes from a keyboard on a classroom machine (or a browser, once served),
so besides the forms that must work, hostile text must end in one EditError line,
never in a traceback, a hang or code being run.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_tui.core.debugger.edits import MAX_LR, MAX_TEXT, MAX_VALUE, EditError, parse_edit

D, H = 3, 2  # the lab's shapes: W1 (2, 3), b1 (2,), W2 (1, 2), b2 (1,)


@pytest.mark.parametrize(("text", "target", "value"), [
    ("W1[0,1] = 0.5", "W1[0,1]", 0.5),
    ("  W1[1, 2]=-3e-2 ", "W1[1,2]", -0.03),
    ("W1[-1, -1] = 2", "W1[1,2]", 2.0),
    ("b2 = [0]", "b2", [0.0]),
    ("b2 = -1", "b2", [-1.0]),
    ("b1 = [0.1, -0.2]", "b1", [0.1, -0.2]),
    ("b1[1] = 7", "b1[1]", 7.0),
    ("W2 = [[0.3, 0.4]]", "W2", [[0.3, 0.4]]),
    ("W2 = [0.3, 0.4]", "W2", [[0.3, 0.4]]),
    ("W2[0, 1] = +4", "W2[0,1]", 4.0),
    ("W1[1] = [1, 2, 3]", "W1[1]", [1.0, 2.0, 3.0]),
    ("W1 = 0", "W1", [[0.0] * 3] * 2),
    ("W1 = [[1, 2, 3], (4, 5, 6)]", "W1", [[1, 2, 3], [4, 5, 6]]),
    ("lr = 0.1", "lr", 0.1),
    ("η = 0.25", "lr", 0.25),
    ("eta=1e-3", "lr", 0.001),
])
def test_accepted_forms(text: str, target: str, value: object) -> None:
    a = parse_edit(text, D, H)
    assert a.target == target and a.text == text.strip()
    assert a.is_lr == (target == "lr")
    if a.is_lr:
        assert a.value == value and isinstance(a.value, float)
    else:
        assert np.array_equal(a.value, np.asarray(value, dtype=float))
        assert a.value.dtype == np.float64


@pytest.mark.parametrize(("text", "says", "column"), [
    ("w1[0,1] = 1", "unknown name 'w1': did you mean W1?", 1),
    ("W3 = 1", "unknown name 'W3': did you mean W", 1),
    ("  bias = 1", "unknown name 'bias'", 3),
    ("η2 = 1", "did you mean η?", 1),
    ("W1[2, 0] = 1", "index 2 is outside W1's shape (2, 3): rows 0..1", 4),
    ("W1[0, 3] = 1", "index 3 is outside W1's shape (2, 3): columns 0..2", 7),
    ("b2[1] = 1", "index 1 is outside b2's shape (1,): indices 0", 4),
    ("W1[0, 1, 2] = 1", "at most 2 indices", 10),
    ("W1[:, 0] = 1", "slices are not supported", 4),
    ("W1[0][1] = 1", "W1[0,1], not W1[0][1]", 1),
    ("W1[0.5] = 1", "an index is a whole number", 4),
    ("W1[True] = 1", "an index is a whole number", 4),
    ("lr[0] = 1", "lr is a single number", 4),
    ("W1[0] = [1, 2]", "W1[0] has shape (3,), the list typed has shape (2,)", 9),
    ("W1 = [[1, 2, 3], [4, 5]]", "differ in length", 6),
    ("W1 = [[[1]]]", "two levels deep", 8),
    ("b1 = []", "empty list", 6),
    ("b1[0] = [1]", "one number: type it without brackets", 9),
    ("W1[0,1] = 1e999", "finite", 11),
    ("W1[0,1] = inf", "inf and nan are not allowed", 11),
    ("W1[0,1] = 10**400", "must be a number", 11),
    ("W1[0,1] = 1e7", "too large", 11),
    ("W1[0,1] = 'a'", "must be a number", 11),
    ("W1[0,1] = True", "must be a number", 11),
    ("W1[0,1] = 1j", "must be a number", 11),
    ("W1[0,1] = ------1", "too many signs", None),
    ("lr = 0", "lr must be > 0", 6),
    ("lr = -0.5", "lr must be > 0", 6),
    ("η = 1e9", "too large", 5),
    ("lr = nan", "inf and nan are not allowed", 6),
    ("W1[0,1] == 1", "one '='", 1),
    ("W1[0,1] += 1", "the new value itself", 1),
    ("W1[0,1] =", "syntax error", 10),
    ("η = = 1", "syntax error", 5),
    ("a = b = 1", "one thing at a time", 5),
    ("lr = 1; b2 = 0", "one edit at a time", 9),
    ("W1[0,1] = 1\nlr = 2", "one edit per line", None),
    ("W1[0,1] = 1\x00", "control character", 12),
    ("# a comment", "empty edit", None),
    ("   ", "empty edit", None),
    ("__import__('os').system('touch pwned')", "name = value", 1),
    ("W1.T = 1", "the left side is a parameter", 1),
    ("W1[0,1] = (lambda: 1)()", "must be a number", 11),
])
def test_refusals_are_one_line_with_a_column(text: str, says: str, column: int | None,
                                             tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(EditError) as info:
        parse_edit(text, D, H)
    message = str(info.value)
    assert says in message and "\n" not in message
    if column is not None:
        assert info.value.column == column and message.endswith(f"(column {column})")
    assert not (tmp_path / "pwned").exists()


def test_limits_are_the_documented_ones() -> None:
    assert parse_edit(f"W1[0,1] = {MAX_VALUE:g}", D, H).value == MAX_VALUE
    assert parse_edit(f"lr = {MAX_LR:g}", D, H).value == MAX_LR
    with pytest.raises(EditError, match="too large"):
        parse_edit(f"b2 = {-MAX_VALUE * 1.5:g}", D, H)


def test_hostile_sizes_end_quickly_in_one_line() -> None:
    with pytest.raises(EditError, match="too long"):
        parse_edit("W1 = [" + "1, " * MAX_TEXT + "]", D, H)
    with pytest.raises(EditError, match="nested"):
        parse_edit("b1 = " + "[" * 1000 + "]" * 1000, D, H)
    with pytest.raises(EditError):
        parse_edit(None, D, H)  # type: ignore[arg-type]
    wide = parse_edit("W1[3] = [" + ", ".join(["0.5"] * 1000) + "]", 1000, 10)
    assert wide.value.shape == (1000,)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.from_regex(r"[Wbl][12r]?\[?[-0-9, :]*\]? ?=+ ?[-\[\]0-9.e, ]*",
                                             fullmatch=True))
def test_any_text_gives_an_assignment_or_one_edit_error(text: str) -> None:
    try:
        a = parse_edit(text, D, H)
    except EditError as err:
        assert str(err) and "\n" not in str(err)
    else:
        values = np.atleast_1d(np.asarray(a.value, dtype=float))
        assert np.isfinite(values).all() and a.target
