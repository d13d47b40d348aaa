"""Breakpoints: the search stops exactly where stepping phase by phase would first see
the condition hold, and then shows the session's own numbers.

The reference is the slow, obvious way: step the session one phase at a time and
evaluate the condition on ``context_at(session)`` at each position.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import lab_session
from test_training import diverging_session

from backprop_tui.core.debugger.breakpoints import (
    BREAKPOINT,
    CANCELLED,
    DIVERGED,
    MAX_BREAKPOINTS,
    TARGET,
    Breakpoints,
    run_until,
)
from backprop_tui.core.debugger.conditions import context_at, parse_for
from backprop_tui.core.debugger.scan import tier
from backprop_tui.core.network.phases import PHASE_INDEX, PHASES, UPDATE_PHASE
from backprop_tui.core.run.session import Session


def breakpoints(session: Session, *texts: str) -> Breakpoints:
    bps = Breakpoints()
    for text in texts:
        bps.add(parse_for(text, session.dataset.n_inputs, session.config.hidden))
    return bps


def brute_force(session: Session, bps: Breakpoints, target: int) -> tuple[int, int, int | None]:
    """(update, phase, index of the first breakpoint to fire) by stepping one phase at a time:
    a breakpoint fires where its condition holds and did not at the position before."""
    active = [i for i, b in enumerate(bps) if b.enabled]
    ctx = context_at(session)
    held = {i: bps[i].condition.holds(ctx) for i in active}
    while True:
        c = session.cursor
        if (c.update, c.phase) >= (target, 0):
            return c.update, c.phase, None
        assert session.step_forward()
        ctx = context_at(session)
        for i in active:
            now = bps[i].condition.holds(ctx)
            if now and not held[i]:
                return session.cursor.update, session.cursor.phase, i
            held[i] = now


CONDITIONS = [
    ("L < 0.01", "sample"),
    ("y_hat > 0.6 and phase == 'dW1'", "sample"),
    ("abs(delta1[1]) > 0.004", "sample"),
    ("norm(dW1) > 0.02 or W1_new[0,0] < -0.3", "sample"),
    ("W2[0,1] > 0.3", "params"),
    ("abs(W2[0,0]) > 0.5 and x[0] > 0", "params"),
    ("finite(W1) and y == 1 and sample > 30", "params"),
    ("epoch == 1 and sample == 17 and phase == 'delta2'", "position"),
    ("row == 5 and phase >= 'dW2'", "position"),
    ("sample == 200", "position"),
]


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize(("text", "kind"), CONDITIONS)
def test_the_search_stops_where_stepping_first_sees_it_hold(text: str, kind: str,
                                                            shuffle: bool) -> None:
    target = 2 * 200 + 50
    for start in [(0, 0), (31, 4), (199, UPDATE_PHASE)]:
        fast, slow = lab_session(shuffle=shuffle), lab_session(shuffle=shuffle)
        bps = breakpoints(fast, text)
        assert tier([b.condition for b in bps]) == kind
        fast.goto(*start)
        slow.goto(*start)
        stop = run_until(fast, bps, target)
        u, k, i = brute_force(slow, bps, target)
        assert (stop.update, stop.phase) == (u, k) == (fast.cursor.update, fast.cursor.phase)
        assert stop.reason == (TARGET if i is None else BREAKPOINT)
        assert (stop.breakpoint is None) == (i is None)


def test_a_loss_condition_stops_at_the_loss_phase_of_the_first_small_loss() -> None:
    session = lab_session()
    bps = breakpoints(session, "L < 0.01")
    stop = run_until(session, bps, 200 * 20)
    losses = session.timeline.losses(0, 200 * 20)
    first = next(u for u, loss in enumerate(losses) if loss < 0.01)
    assert (stop.update, stop.phase) == (first, PHASE_INDEX["L"])
    L = session.values["L"]
    assert losses[first] == L and stop.values == (("L", L),)
    assert stop.describe() == f"stopped: L < 0.01 (L = {L:.6g})"
    assert bps[0].hits == 1
    again = run_until(session, bps, 200 * 20)          # continues after the stop
    assert (again.update, again.phase) > (stop.update, stop.phase)
    assert again.update == next(u for u in range(first + 1, 4000) if losses[u] < 0.01)
    assert bps[0].hits == 2


def test_values_are_the_sessions_own_at_the_stop() -> None:
    session = lab_session()
    bps = breakpoints(session, "abs(W2[0,1]) > 0.3 and norm(dW1) > 0")
    stop = run_until(session, bps, 4000)
    assert stop.reason == BREAKPOINT
    values = dict(stop.values)
    assert values["W2[0,1]"] == session.values["W2"][0, 1]
    np.testing.assert_array_equal(values["dW1"], session.values["dW1"])
    line = stop.describe()
    assert line.startswith("stopped: abs(W2[0,1]) > 0.3 and norm(dW1) > 0 (W2[0,1] = ")
    assert "\n" not in line and "dW1 = [[" in line


def test_the_earliest_breakpoint_wins_and_ties_go_to_the_first_listed() -> None:
    session = lab_session()
    bps = breakpoints(session, "sample == 9", "sample == 5 and phase == 'z2'", "sample == 5")
    stop = run_until(session, bps, 1000)
    assert (stop.update, stop.phase) == (4, 0) and stop.breakpoint is bps[2]
    stop = run_until(session, bps, 1000)
    assert (stop.update, stop.phase) == (4, PHASE_INDEX["z2"]) and stop.breakpoint is bps[1]
    assert [b.hits for b in bps] == [0, 1, 1]
    bps.disable(0)
    stop = run_until(session, bps, 1000)
    assert stop.update == 204 and stop.breakpoint is bps[2]


def test_no_breakpoint_reaches_the_target_with_progress_and_checkpoints() -> None:
    session, plain = lab_session(), lab_session()
    seen: list[tuple[int, int]] = []
    stop = run_until(session, breakpoints(session, "L > 1e9"), 1000,
                     progress=lambda done, total: seen.append((done, total)))
    assert stop.reason == TARGET and (stop.update, stop.phase) == (1000, 0)
    assert stop.describe() == "reached epoch 5, sample 1, phase load: no breakpoint held"
    assert seen and seen[-1] == (1000, 1000) and all(t == 1000 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    plain.run_epochs(5)
    assert session.timeline.n_checkpoints == plain.timeline.n_checkpoints
    assert session.params.equals(plain.params)
    empty = run_until(session, Breakpoints(), 1400)
    assert empty.reason == TARGET and session.cursor.update == 1400


def test_cancel_stops_at_an_update_start_with_nothing_skipped() -> None:
    session = lab_session()
    calls = []
    stop = run_until(session, breakpoints(session, "L > 1e9"), 10_000,
                     cancel=lambda: calls.append(1) or len(calls) > 3)
    assert stop.reason == CANCELLED and stop.phase == 0 and 0 < stop.update < 10_000
    assert (session.cursor.update, session.cursor.phase) == (stop.update, 0)
    assert stop.describe().startswith("cancelled at epoch ")
    quick = lab_session()  # a position condition: the timeline polls inside its long chunks
    calls.clear()
    stop = run_until(quick, breakpoints(quick, "sample == 0"), 100_000,
                     cancel=lambda: calls.append(1) or len(calls) > 5)
    assert stop.reason == CANCELLED and 0 < stop.update < 100_000 and stop.phase == 0
    assert quick.timeline.head == stop.update == quick.cursor.update
    at_once = lab_session()
    stop = run_until(at_once, breakpoints(at_once, "epoch > 1e9"), 10_000, cancel=lambda: True)
    assert stop.reason == CANCELLED and at_once.at_start


def test_the_cursor_never_moves_back() -> None:
    session = lab_session()
    session.goto(500, 3)
    stop = run_until(session, breakpoints(session, "sample == 1"), 400)
    assert stop.reason == TARGET and (session.cursor.update, session.cursor.phase) == (500, 3)


def test_a_diverging_run_stops_at_its_first_non_finite_value(tmp_path: Path) -> None:
    session = diverging_session(tmp_path)
    stop = run_until(session, breakpoints(session, "L > 1e9"), 10_000)
    assert stop.reason == DIVERGED and stop.update == 300
    assert session.divergence is not None and session.divergence.update == 300
    values = session.values
    assert (session.cursor.update, session.cursor.phase) == (300, stop.phase)
    before = [n for p in PHASES[: stop.phase] for n in p.produces]
    assert all(np.isfinite(values[n]).all() for n in before)
    assert not all(np.isfinite(values[n]).all() for n in PHASES[stop.phase].produces)
    line = stop.describe()
    assert line.startswith(f"stopped: first non-finite value (phase {PHASES[stop.phase].key}): "
                           "diverged in epoch 0, sample 301 (row 300)")
    assert "epoch 0, sample 301" in line and "diverged" in line and "\n" not in line
    again = run_until(session, breakpoints(session, "L > 1e9"), 10_000)  # nothing lies beyond
    assert again.reason == DIVERGED and (again.update, again.phase) == (300, stop.phase)


def test_a_breakpoint_before_the_divergence_comes_first(tmp_path: Path) -> None:
    session = diverging_session(tmp_path)
    stop = run_until(session, breakpoints(session, "L > 1"), 10_000)
    assert stop.reason == BREAKPOINT and (stop.update, stop.phase) == (300, PHASE_INDEX["L"])
    none = diverging_session(tmp_path)
    stop = run_until(none, Breakpoints(), 10_000)
    assert stop.reason == DIVERGED and stop.update == 300 and none.cursor.update == 300
    position_only = diverging_session(tmp_path)
    stop = run_until(position_only, breakpoints(position_only, "epoch == 2"), 10_000)
    assert stop.reason == DIVERGED and stop.update == 300


def test_the_list_refuses_duplicates_arrays_and_overflow() -> None:
    session = lab_session()
    bps = breakpoints(session, "L < 0.01")
    c = lambda t: parse_for(t, 3, 2)  # noqa: E731
    with pytest.raises(ValueError, match=r"^breakpoint 1 already stops at L < 0.01$"):
        bps.add(c("L<0.01"))
    with pytest.raises(ValueError, match=r"needs a truth value, but abs\(a1\) has shape \(2,\)"):
        bps.add(c("abs(a1)"))
    for i in range(MAX_BREAKPOINTS - 1):
        bps.add(c(f"sample == {i}"))
    with pytest.raises(ValueError, match=f"at most {MAX_BREAKPOINTS} breakpoints"):
        bps.add(c("epoch == 7"))
    assert not bps.toggle(0) and bps.toggle(0) and bps[0].enabled
    bps.disable(3)
    assert len(bps.enabled()) == MAX_BREAKPOINTS - 1
    bps.enable(3)
    assert bps.delete(0).text == "L < 0.01" and len(bps) == MAX_BREAKPOINTS - 1
    with pytest.raises(ValueError, match=r"^no breakpoint 41 \(there are 31\)$"):
        bps.delete(40)
    with pytest.raises(ValueError, match="no breakpoint 0"):
        bps.toggle(-1)


@pytest.mark.parametrize(("text", "kind"), [("W2[0,1] > 0.35", "params"),
                                            ("L < 0.012 and lr < 0.4", "sample"),
                                            ("lr < 0.4 and sample == 3", "position")])
def test_the_search_follows_edits_of_parameters_and_lr(text: str, kind: str) -> None:
    """Edits (key =) change P(u) and η mid-run: the scan steps its own copy of the
    parameters, so it must apply them exactly as the timeline does."""
    def edited() -> Session:
        s = lab_session()
        s.goto(30)
        s.edit("W2[0,1] = 0.3")
        s.goto(2 * 200 + 10)
        s.edit("lr = 0.25")
        s.goto(0)
        return s

    searched, stepped = edited(), edited()
    bps = breakpoints(searched, text)
    assert tier([bps[0].condition]) == kind
    target = 4 * 200
    stop = run_until(searched, bps, target)
    update, phase, fired = brute_force(stepped, breakpoints(stepped, text), target)
    assert (stop.update, stop.phase) == (update, phase)
    assert (stop.reason == BREAKPOINT) == (fired is not None)
    assert searched.params.equals(stepped.params)


@pytest.mark.parametrize("text", ["L", "W2[0,1]", "y_hat - y", "abs(L)", "-L"])
def test_a_bare_value_is_no_breakpoint(text: str) -> None:
    s = lab_session()
    with pytest.raises(ValueError, match="is a value, not a condition: compare it"):
        breakpoints(s, text)


@pytest.mark.parametrize("text", ["L < 1", "not finite(W1)", "finite(dW1)", "L < 1 or y > 0",
                                  "not L"])
def test_tests_are_breakpoints(text: str) -> None:
    assert len(breakpoints(lab_session(), text)) == 1
