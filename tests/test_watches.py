"""Watches: the value at the cursor, and a history that equals moving the session there."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import lab_session

from backprop_tui.core.debugger.conditions import NOT_YET, context_at, parse_for
from backprop_tui.core.debugger.watches import (
    MAX_WATCHES,
    Watches,
    history,
    history_updates,
    label,
    value_at,
)
from backprop_tui.core.network.phases import PHASE_INDEX, UPDATE_PHASE
from backprop_tui.core.run.session import Session


def moved_value(session: Session, text: str, u: int) -> float:
    """The watch's value with the session moved to (u, update) and nothing clever."""
    assert session.goto(u, UPDATE_PHASE)
    value = parse_for(text, 3, 2).evaluate(context_at(session))
    if isinstance(value, np.ndarray):
        return float(np.linalg.norm(value))
    return float(value)  # type: ignore[arg-type]


TEXTS = ["W2[0,1]", "L", "norm(dW1)", "abs(a1)", "epoch * 1000 + sample", "y_hat > 0.5",
         "W1 - lr * dW1", "b2 + x[2]"]


@pytest.mark.parametrize("shuffle", [False, True])
def test_history_equals_moving_the_session_there(shuffle: bool) -> None:
    session, other = lab_session(shuffle=shuffle), lab_session(shuffle=shuffle)
    session.goto(260, 4)  # mid-update: the cursor's own update is not drawn yet
    for text in TEXTS:
        updates, values = history(session, parse_for(text, 3, 2))
        assert updates == list(range(260))
        assert values == [moved_value(other, text, u) for u in updates], text
    session.goto(260, UPDATE_PHASE)  # every phase computed: the cursor's update is drawn
    updates, values = history(session, parse_for("L", 3, 2))
    assert updates[-1] == 260 and values[-1] == session.values["L"]


def test_a_long_history_is_sampled_on_checkpoints_and_still_exact() -> None:
    session, other = lab_session(), lab_session()
    session.run_epochs(150)  # 30,000 updates, checkpoints every 128
    updates = history_updates(session, max_points=100)
    interval = session.timeline.interval
    assert len(updates) <= 100 and updates[0] == 0 and updates[-1] == 29_999
    assert all(u % interval == 0 for u in updates[:-1]) and updates == sorted(set(updates))
    for text in ("W2[0,1]", "norm(dW1)", "L"):
        got_u, got_v = history(session, parse_for(text, 3, 2), max_points=100)
        assert got_u == updates
        assert got_v == [moved_value(other, text, u) for u in updates], text
    dense = history_updates(session, max_points=1000)  # denser than checkpoints: spread evenly
    assert len(dense) == 1000 and dense[-1] == 29_999 and any(u % interval for u in dense)
    assert history(session, parse_for("b1[1]", 3, 2), max_points=1000)[1][500] == moved_value(
        other, "b1[1]", dense[500])


def test_value_at_the_cursor_and_labels() -> None:
    session = lab_session()
    session.goto(3, PHASE_INDEX["a1"])
    assert value_at(session, parse_for("L", 3, 2)) is NOT_YET
    np.testing.assert_array_equal(value_at(session, parse_for("a1", 3, 2)), session.values["a1"])
    assert label(parse_for("a1 * 2", 3, 2)) == "norm(a1 * 2)"
    assert label(parse_for("a1[0] * 2", 3, 2)) == "a1[0] * 2"
    assert history(session, parse_for("L", 3, 2)) == ([0, 1, 2], [
        moved_value(lab_session(), "L", u) for u in range(3)])
    assert history(lab_session(), parse_for("L", 3, 2)) == ([], [])


def test_the_watch_list() -> None:
    session = lab_session()
    watches = Watches()
    watches.add(parse_for("L", 3, 2))
    watches.add(parse_for("W2[0, 1]", 3, 2))
    with pytest.raises(ValueError, match=r"^watch 2 already shows W2\[0, 1\]$"):
        watches.add(parse_for("W2[0,1]", 3, 2))
    session.goto(0, UPDATE_PHASE)
    assert watches.values_at(session) == [session.values["L"], session.values["W2"][0, 1]]
    for i in range(MAX_WATCHES - 2):
        watches.add(parse_for(f"W1[0,0] + {i}", 3, 2))
    with pytest.raises(ValueError, match=f"at most {MAX_WATCHES} watches"):
        watches.add(parse_for("b1[0]", 3, 2))
    assert watches.delete(0).text == "L" and len(watches) == MAX_WATCHES - 1
    assert watches[0].text == "W2[0, 1]"
    with pytest.raises(ValueError, match="no watch 16"):
        watches.delete(15)
