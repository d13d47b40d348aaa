"""Stepping backwards: every earlier state must come back bit for bit.

A student steps back to look again at a number they just saw; if it came back
different in the last digit, the debugger would be lying about the run. So
every comparison here is bitwise (``Params.equals``, ``np.array_equal``), never
approximate.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
from conftest import lab_session

from backprop_tui.core.network.kernel import FastParams, sgd_samples
from backprop_tui.core.network.params import Params
from backprop_tui.core.network.phases import PHASES, UPDATE_PHASE
from backprop_tui.core.run.session import Cursor, Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

N = 200
LAST = UPDATE_PHASE


def snapshot(session: Session) -> tuple[Cursor, Params, dict[str, object]]:
    """Everything the app can show at the cursor, copied so later steps cannot alter it."""
    values = {k: np.array(v, copy=True) for k, v in session.values.items()}
    params = Params(**{k: v.copy() for k, v in session.params.as_dict().items()})
    return session.cursor, params, values


def assert_same_state(session: Session, snap: tuple[Cursor, Params, dict[str, object]]) -> None:
    cursor, params, values = snap
    assert session.cursor == cursor
    assert session.params.equals(params)
    now = session.values
    assert set(now) == set(values)
    for name, value in values.items():
        assert np.array_equal(np.asarray(now[name]), value), f"{name} differs at {cursor}"


def straight_params(session: Session, u: int) -> Params:
    """P(u) computed straight from the initial parameters, with no checkpoint or replay."""
    fast = FastParams.from_params(session.params0)
    rows = [session.timeline.row(v) for v in range(u)]
    X, y = session.dataset.X_train, session.dataset.y_train
    sgd_samples(fast, X[rows].tolist(), y[rows].tolist(), session.config.lr, [])
    return fast.to_params()


@pytest.mark.parametrize("start", [(0, 0), (3, 4), (127, 9), (199, 5), (255, 0), (398, LAST)])
@pytest.mark.parametrize("k", [1, 2, LAST, LAST + 1, 3 * len(PHASES) + 2, 40 * len(PHASES)])
def test_k_forward_then_k_back_restores_everything(start: tuple[int, int], k: int) -> None:
    """Across phase, update, sample, checkpoint (128) and epoch (200) boundaries."""
    session = lab_session()
    assert session.goto(*start)
    before = snapshot(session)
    for _ in range(k):
        assert session.step_forward()
    assert session.cursor != before[0]
    for _ in range(k):
        assert session.step_back()
    assert_same_state(session, before)


@pytest.mark.parametrize("shuffle", [False, True])
def test_step_back_over_an_update_restores_the_previous_params(shuffle: bool) -> None:
    session = lab_session(shuffle=shuffle)
    for u in (0, 1, 127, 128, 199, 200, 513):
        assert session.goto(u, LAST)
        before = snapshot(session)
        assert session.step_forward() and session.cursor == Cursor(u + 1, 0, N)
        assert not session.params.equals(before[1])
        assert session.step_back()
        assert_same_state(session, before)
        assert session.params.equals(straight_params(session, u))


def test_step_back_deep_in_a_long_run() -> None:
    """After 50 epochs, walk back across an epoch boundary; each state equals a fresh walk's."""
    session = lab_session(shuffle=True)
    result = session.run_epochs(50)
    assert result.epochs_completed == 50 and session.cursor == Cursor(50 * N, 0, N)
    fresh = lab_session(shuffle=True)
    steps = 0
    while session.cursor.update > 50 * N - 140:        # back into epoch 49, past a checkpoint
        assert session.step_back()
        steps += 1
        if steps % 97 == 1 or session.cursor.update % N == N - 1:
            c = session.cursor
            assert fresh.goto(c.update, c.phase)
            assert session.params.equals(fresh.params)
            assert session.params.equals(straight_params(session, c.update))
            for name, value in fresh.values.items():
                assert np.array_equal(np.asarray(session.values[name]), np.asarray(value)), name
    assert session.cursor.epoch == 49
    assert len(session.epoch_records) == 49


def test_reset_returns_to_the_initial_params() -> None:
    X, y, p = ref.lab_data()
    session = lab_session()
    start = snapshot(session)
    session.run_epochs(3)
    session.reset()
    assert session.at_start and session.cursor == Cursor(0, 0, N)
    assert session.params.equals(Params(**p)) and session.params.equals(session.params0)
    assert_same_state(session, start)
    assert session.epoch_records == [] and session.epoch_losses() == []
    assert session.timeline.head == 3 * N      # the recorded run is kept for reuse


def test_sample_moves() -> None:
    session = lab_session()
    assert session.goto(5, 3)
    assert session.prev_sample() and session.cursor == Cursor(4, 0, N)
    assert session.next_sample() and session.cursor == Cursor(5, 0, N)
    assert session.apply_update() and session.cursor == Cursor(5, LAST, N)
    new = {k: np.asarray(session.values[k + "_new"]) for k in ("W1", "b1", "W2", "b2")}
    assert session.next_sample() and session.cursor == Cursor(6, 0, N)
    for name, value in new.items():
        np.testing.assert_allclose(getattr(session.params, name), value, rtol=1e-12, atol=1e-15)
    assert session.goto(0, 4) and session.prev_sample()
    assert session.cursor == Cursor(0, 0, N)     # the first sample's start is as far as it goes
    assert session.goto(199, 2) and session.next_sample()
    assert session.cursor == Cursor(200, 0, N) and session.cursor.epoch == 1
    assert len(session.epoch_records) == 1
    assert session.epoch_losses() == []
    assert session.goto(203, 0) and len(session.epoch_losses()) == 3


def test_step_back_at_the_start_is_refused() -> None:
    session = lab_session()
    before = snapshot(session)
    assert session.at_start and not session.step_back()
    assert_same_state(session, before)
    assert not session.goto(-1) and not session.goto(0, len(PHASES))
    assert session.step_forward() and session.step_back() and not session.step_back()


def test_thinned_checkpoints_replay_bit_for_bit() -> None:
    """A long run keeps at most max_checkpoints (the interval doubles); what a replay from the
    sparser checkpoints gives must still equal the dense record exactly."""
    dense = build_session(DataOptions(), TrainConfig())
    sparse = build_session(DataOptions(), TrainConfig())
    sparse.timeline.max_checkpoints = 8
    dense.run_epochs(12)
    sparse.run_epochs(12)
    assert sparse.timeline.n_checkpoints <= 8 + 1 and sparse.timeline.interval > 128
    assert sparse.epoch_records == dense.epoch_records
    for u in (0, 1, 127, 128, 1000, 1999, 2047, 2048, 2399, 2400):
        assert sparse.timeline.params_at(u).equals(dense.timeline.params_at(u)), u
        assert sparse.timeline.losses(u, u + 3) == dense.timeline.losses(u, u + 3)
