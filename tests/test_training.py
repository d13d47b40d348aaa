"""The lab's 20-epoch run end to end, the stepping path, and how runs stop.

``backprop-tui train`` and the app must report the losses a student's correct
notebook prints, so the fast path is held to the independent reference at 1e-12;
the stepping path must show the same run; and a run that diverges or is
cancelled must leave a session that can still be inspected and stepped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import reference as ref
from conftest import lab_session

from backprop_tui.core.network.kernel import FastParams, sgd_samples
from backprop_tui.core.network.params import Params
from backprop_tui.core.network.phases import PHASES, UPDATE_PHASE
from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session, train

RTOL = 1e-12
PARAM_NAMES = ("W1", "b1", "W2", "b2")


def ref_params(session: Session) -> ref.Ref:
    return {k: v.copy() for k, v in session.params0.as_dict().items()}


def assert_params_close(got: Params, want: ref.Ref) -> None:
    for name in PARAM_NAMES:
        np.testing.assert_allclose(getattr(got, name), want[name], rtol=RTOL, atol=1e-15,
                                   err_msg=name)


def test_lab_session_is_the_lab() -> None:
    """Same data and initial weights as the notebook's single RandomState(42) stream."""
    X, y, p = ref.lab_data()
    session = lab_session()
    assert np.array_equal(session.dataset.X_train, X)
    assert np.array_equal(session.dataset.y_train, y)
    assert session.params0.equals(Params(**p))
    assert session.initial_train_loss == pytest.approx(ref.mean_loss(X, y, p), rel=RTOL)


def test_lab_twenty_epochs_match_reference() -> None:
    X, y, p = ref.lab_data()
    session = lab_session()
    result = train(session, 20)
    sums, _, final = ref.sgd(X, y, p, 0.5, 20)
    assert result.epochs_completed == 20 and not result.cancelled and result.divergence is None
    records = session.epoch_records
    assert [r.epoch for r in records] == list(range(20))
    np.testing.assert_allclose([r.train_loss_sum for r in records], sums, rtol=RTOL)
    np.testing.assert_allclose([r.train_loss for r in records], np.array(sums) / 200, rtol=RTOL)
    assert all(r.test_loss is None for r in records)
    assert_params_close(session.params, final)
    assert sums[-1] < sums[0] / 100  # the run really learns, so the comparison means something


def test_stepping_path_agrees_with_fast_path() -> None:
    """Walk every phase of every sample of 2 epochs, as a student pressing the step key."""
    session = lab_session()
    step_losses: list[float] = []
    n_steps = 0
    while session.cursor.update < 400:
        cursor = session.cursor
        values = session.values
        assert set(PHASES[cursor.phase].produces) <= set(values)
        if cursor.phase == UPDATE_PHASE:
            u = cursor.update
            step_losses.append(float(values["L"]))
            after = session.timeline.params_at(u + 1)  # the fast path, run up to u + 1
            assert values["L"] == pytest.approx(session.timeline.loss(u), rel=RTOL)
            for name in PARAM_NAMES:
                np.testing.assert_allclose(values[name + "_new"], getattr(after, name),
                                           rtol=RTOL, atol=1e-15, err_msg=f"{name} at {u}")
        assert session.step_forward()
        n_steps += 1
    assert n_steps == 400 * len(PHASES)
    records = session.epoch_records
    assert len(records) == 2
    for e, record in enumerate(records):
        total = 0.0
        for loss in step_losses[e * 200:(e + 1) * 200]:
            total += loss
        assert total == pytest.approx(record.train_loss_sum, rel=RTOL)


def test_test_loss_only_with_a_test_fraction() -> None:
    session = build_session(DataOptions(test_fraction=0.25), TrainConfig())
    ds = session.dataset
    assert (ds.n_train, ds.n_test) == (150, 50)
    train(session, 5)
    sums, tests, _ = ref.sgd(ds.X_train, ds.y_train, ref_params(session), 0.5, 5,
                             X_test=ds.X_test, y_test=ds.y_test)
    records = session.epoch_records
    np.testing.assert_allclose([r.train_loss_sum for r in records], sums, rtol=RTOL)
    np.testing.assert_allclose([r.test_loss for r in records], tests, rtol=RTOL)
    without = lab_session()
    train(without, 2)
    assert [r.test_loss for r in without.epoch_records] == [None, None]


def epoch_sums(session: Session, epochs: int) -> list[float]:
    train(session, epochs)
    return [r.train_loss_sum for r in session.epoch_records]


def test_shuffle_is_seeded_and_matches_reference() -> None:
    shuffled = epoch_sums(lab_session(shuffle=True), 4)
    assert epoch_sums(lab_session(shuffle=True), 4) == shuffled  # bit for bit
    assert epoch_sums(lab_session(), 4) != shuffled
    session = lab_session(shuffle=True)
    train(session, 4)
    orders = [[session.timeline.row(e * 200 + i) for i in range(200)] for e in range(4)]
    assert all(sorted(o) == list(range(200)) for o in orders)
    assert orders[0] != list(range(200)) and orders[0] != orders[1]
    X, y, p = ref.lab_data()
    sums, _, _ = ref.sgd(X, y, p, 0.5, 4, orders=orders)
    np.testing.assert_allclose(shuffled, sums, rtol=RTOL)


def diverging_csv(tmp_path: Path) -> str:
    """300 rows that leave zero weights untouched (y_hat = 0.5 = target), then one huge target.

    With --init-scale 0 every prediction is exactly 0.5, so the first 300 rows have
    zero gradient; row 300's target 1e4 then makes lr 1e307 overflow W2 to inf.
    A sigmoid net on bounded targets saturates instead of overflowing, so this is
    how a run really reaches inf.
    """
    rng = np.random.RandomState(0)
    lines = ["a,b,c,t"]
    for _ in range(300):
        lines.append(",".join(f"{v:.6f}" for v in rng.uniform(-1, 1, 3)) + ",0.5")
    lines.append("1,1,1,10000")
    for _ in range(50):
        lines.append(",".join(f"{v:.6f}" for v in rng.uniform(-1, 1, 3)) + ",0.5")
    path = tmp_path / "diverge.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def diverging_session(tmp_path: Path, **config: object) -> Session:
    return build_session(DataOptions(source=diverging_csv(tmp_path), test_fraction=0.0),
                         TrainConfig(lr=1e307, init_scale=0.0, **config))  # type: ignore[arg-type]


def test_divergence_stops_the_run_at_the_guilty_sample(tmp_path: Path) -> None:
    session = diverging_session(tmp_path)
    result = train(session, 3)
    d = result.divergence
    assert d is not None and session.divergence == d
    assert (d.update, d.epoch, d.position, d.row) == (300, 0, 300, 300)
    # The message counts samples from 1, as a student does; the row is the 0-based index.
    assert "epoch 0, sample 301 (row 300)" in d.message and "nan/inf" in d.message
    assert result.epochs_completed == 0 and not result.cancelled
    # The state is the last finite one and can still be inspected and stepped.
    assert (session.cursor.update, session.cursor.phase) == (300, 0)
    assert session.params.is_finite()
    assert session.timeline.losses(0, 300) == [0.0] * 300
    for _ in range(UPDATE_PHASE):
        assert session.step_forward()
    assert not np.all(np.isfinite(session.values["W2_new"]))
    assert not session.step_forward()               # nothing lies beyond the divergence
    assert (session.cursor.update, session.cursor.phase) == (300, UPDATE_PHASE)
    assert not session.next_sample() and not session.goto(301)
    assert session.step_back() and session.prev_sample()
    assert session.cursor.update == 299 and session.params.is_finite()
    again = session.run_epochs(1)
    assert again.divergence == d and session.cursor.update == 300


def test_divergence_names_the_shuffled_position(tmp_path: Path) -> None:
    session = diverging_session(tmp_path, shuffle=True)
    d = train(session, 2).divergence
    assert d is not None and d.row == 300 and d.epoch == 0
    assert session.timeline.row(d.update) == 300 and d.position == d.update
    assert session.params.is_finite()


def test_cancel_leaves_a_consistent_sample_start() -> None:
    session = lab_session()
    calls: list[tuple[int, int]] = []
    result = session.run_epochs(5, progress=lambda done, total: calls.append((done, total)),
                                cancel=lambda: len(calls) >= 4)
    assert result.cancelled and result.divergence is None
    u = session.cursor.update
    assert session.cursor.phase == 0 and u == calls[-1][0] and 0 < u < 1000
    assert result.epochs_completed == u // 200
    fresh = lab_session()
    assert fresh.goto(u) and fresh.params.equals(session.params)
    X, y, p = ref.lab_data()
    straight = FastParams.from_params(Params(**p))
    rows = [i % 200 for i in range(u)]
    sgd_samples(straight, X[rows].tolist(), y[rows].tolist(), 0.5, [])
    assert straight.to_params().equals(session.params)
    # A later run resumes from there and ends where an uninterrupted one does.
    session.run_epochs(5 - session.cursor.epoch)  # the rest of the 5 epochs
    uninterrupted = lab_session()
    uninterrupted.run_epochs(5)
    assert session.cursor == uninterrupted.cursor
    assert session.params.equals(uninterrupted.params)


def test_progress_reports_reach_the_total() -> None:
    session = lab_session()
    calls: list[tuple[int, int]] = []
    session.run_epochs(20, progress=lambda done, total: calls.append((done, total)))
    assert {total for _, total in calls} == {4000}
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == 4000 and done[0] > 0
    # Mid-epoch, "n epochs" means to the end of the current one plus n - 1 more.
    assert session.goto(250, 3)
    calls.clear()
    session.run_epochs(1, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (150, 150) and session.cursor.update == 400


def test_a_run_that_cannot_start_leaves_the_cursor_where_it_was() -> None:
    session = build_session(DataOptions(), TrainConfig())
    assert session.goto(5, 3)
    result = session.run_epochs(1, cancel=lambda: True)
    assert result.cancelled and result.epochs_completed == 0
    assert (session.cursor.update, session.cursor.phase) == (5, 3)
