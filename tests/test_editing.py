"""Edits mid-run: set P(u) or η at the cursor, discard the future, keep the past bit for bit.

The standard is the one time travel is held to (tests/test_timetravel.py): every
comparison is bitwise. The reference is a plain loop over samples that applies
the edits as it passes them, with no checkpoint, replay or kernel choice.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import lab_session as lab
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_tui.core.debugger import editing
from backprop_tui.core.debugger import edits as edits_module
from backprop_tui.core.debugger.edits import EditError
from backprop_tui.core.network.kernel import FastParams, sgd_samples
from backprop_tui.core.network.params import Params
from backprop_tui.core.network.phases import UPDATE_PHASE
from backprop_tui.core.run import engine, overrides
from backprop_tui.core.run.session import Cursor, Session, TrainConfig
from backprop_tui.core.run.timeline import Timeline
from backprop_tui.core.run.training import DataOptions, build_session

N = 200  # the lab's training rows
KERNELS = ["python", "numpy", "numba"] if engine.numba_installed() else ["python", "numpy"]


def setter(name: str, index: tuple[int, ...], value: float | list | None):
    """The edit as the reference applies it: on a dict of arrays, or on η (name 'lr')."""
    def apply(p: dict[str, np.ndarray], lr: float) -> float:
        if name == "lr":
            return float(value)  # type: ignore[arg-type]
        p[name][index] = value
        return lr
    return apply


def reference(session: Session, edits: list[tuple[int, object]], u: int
              ) -> tuple[Params, float, list[float]]:
    """P(u), η of update u and the losses of updates [0, u), one sample at a time,
    applying each edit (update, apply) when the loop reaches its update."""
    p = {k: v.copy() for k, v in session.params0.as_dict().items()}
    lr, losses = session.config.lr, []
    X, y = session.dataset.X_train, session.dataset.y_train
    for v in range(u + 1):
        for at, apply in edits:
            if at == v:
                lr = apply(p, lr)  # type: ignore[operator]
        if v == u:
            break
        fast = FastParams.from_params(Params(**p))
        row = session.timeline.row(v)
        sgd_samples(fast, [X[row].tolist()], [float(y[row])], lr, losses)
        p = fast.to_params().as_dict()
    return Params(**p), lr, losses


def epoch_sums(losses: list[float], epochs: int) -> list[float]:
    """Each complete epoch's summed loss, added in order as the run adds them."""
    sums = []
    for e in range(epochs):
        total = 0.0
        for v in losses[e * N : (e + 1) * N]:
            total += v
        sums.append(total)
    return sums


def test_an_edit_sets_p_u_and_stepping_back_restores_the_past_exactly() -> None:
    s = lab()
    s.run_epochs(3)
    assert s.goto(317, 4)
    before_prev = s.timeline.params_at(316)
    assert s.goto(316, UPDATE_PHASE)
    sgd_new = {k: np.array(s.values[k + "_new"]) for k in ("W1", "b1", "W2", "b2")}
    assert s.goto(317, 4)
    old = s.params.W1[0, 1]
    edit = s.edit("W1[0,1] = 0.5")
    assert s.cursor == Cursor(317, 4, N)                       # the cursor stays
    assert s.params.W1[0, 1] == 0.5 and edit.old == old and edit.new == 0.5
    assert s.values["W1"][0, 1] == 0.5                          # its values recomputed
    assert edit.update == 317 and edit.target == "W1[0,1]" and edit.lr == 0.5
    assert s.timeline.head == 317 and len(s.epoch_records) == 1
    for _ in range(5):
        assert s.step_back()
    assert s.cursor == Cursor(316, UPDATE_PHASE, N)
    assert s.params.equals(before_prev)
    for k, v in sgd_new.items():                                # what SGD computed, not the edit
        assert np.array_equal(s.values[k + "_new"], v)
    assert s.values["W1_new"][0, 1] != 0.5
    assert s.step_forward() and s.params.W1[0, 1] == 0.5
    expected, _, _ = reference(s, [(317, setter("W1", (0, 1), 0.5))], 317)
    assert s.params.equals(expected)


def test_the_preview_changes_nothing_and_says_what_is_lost() -> None:
    s = lab()
    s.run_epochs(2)
    s.goto(250, 2)
    head, p, values = s.timeline.head, s.params, dict(s.values)
    preview = s.edit_preview("b1 = [0.1, -0.2]")
    assert s.timeline.head == head and s.params.equals(p) and s.edits == []
    assert s.values.keys() == values.keys()
    assert preview.discarded_updates == 150 and preview.discarded_edits == ()
    assert preview.message.startswith("sets b1 from [")
    assert "to [0.1, -0.2] at epoch 1, sample 51" in preview.message
    assert preview.message.endswith("the 150 updates computed after it are discarded")
    s.edit("b1 = [0.1, -0.2]")
    assert s.edit_preview("lr = 0.1").message == (
        "sets η from 0.5 to 0.1 for the updates from epoch 1, sample 51 on; "
        "nothing computed after it is lost")
    s.goto(10)
    later = s.edit_preview("b2 = 0")
    assert later.discarded_edits == tuple(s.edits) and later.discarded_updates == 240
    assert ("the later edit (b1 = [0.1, -0.2] at epoch 1, sample 51)" in later.message)
    with pytest.raises(EditError, match="unknown name"):
        s.edit_preview("W9 = 1")


def test_lr_applies_from_the_cursor_update_on() -> None:
    s = lab()
    s.goto(40, UPDATE_PHASE)
    s.edit("η = 0.05")
    assert s.lr == 0.05 and s.values["lr"] == 0.05
    d = s.values
    assert np.array_equal(d["W1_new"], s.params.W1 - 0.05 * d["dW1"])
    s.goto(39, UPDATE_PHASE)
    assert s.lr == 0.5 and s.values["lr"] == 0.5
    s.run_epochs(2)
    assert s.lr == 0.05 and s.timeline.lr_at(10 * N) == 0.05
    edits = [(40, setter("lr", (), 0.05))]
    for u in (39, 40, 41, 199, 200, 400):
        assert s.timeline.params_at(u).equals(reference(s, edits, u)[0]), u


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("where", ["lab", "shuffle", "iris"])
def test_a_run_after_an_edit_is_a_fresh_run_from_the_edit(
        kernel: str, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """From an edit at an epoch's start, the run equals a new Timeline started from the
    edited parameters with the new η (and the same later sample orders)."""
    monkeypatch.setenv(engine.KERNEL_ENV, kernel)
    data = DataOptions(source="iris") if where == "iris" else DataOptions()
    s = build_session(data, TrainConfig(shuffle=where == "shuffle", hidden=3))
    n, k = s.n, 2
    s.run_epochs(4)
    s.goto(k * n, 0)
    s.edit("W1[1] = [" + ", ".join(["0.5", "-0.25", "1", "2"][: s.dataset.n_inputs]) + "]")
    s.edit("lr = 0.3")
    s.edit("b2 = 0.125")
    assert [e.update for e in s.edits] == [k * n] * 3 and s.edit_updates() == [k * n]
    order = s.timeline._order
    fresh = Timeline(s.params, s.dataset.X_train, s.dataset.y_train, 0.3,
                     None if order is None else (lambda e: order(e + k)),
                     s.dataset.X_test, s.dataset.y_test)
    result = s.run_epochs(5)
    assert result.epochs_completed == 5 and s.divergence is None
    fresh.advance(5 * n)
    mine = s.epoch_records
    assert [r.epoch for r in mine] == list(range(k + 5))
    for r, f in zip(mine[k:], list(fresh.epoch_records), strict=True):
        assert (r.train_loss_sum, r.test_loss) == (f.train_loss_sum, f.test_loss)
    for v in (0, 1, n - 1, n, 3 * n + 7, 5 * n):
        assert s.timeline.params_at(k * n + v).equals(fresh.params_at(v)), v
    assert s.timeline.losses(k * n + 3, k * n + 40) == fresh.losses(3, 40)


@pytest.mark.parametrize("kernel", KERNELS)
def test_mid_epoch_edits_match_the_reference_loop(kernel: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits inside epochs, at and beside a checkpoint (128), across replays: the records,
    losses and every P(u) equal the plain loop's."""
    monkeypatch.setenv(engine.KERNEL_ENV, kernel)
    s = lab(shuffle=True)
    s.run_epochs(3)
    plan = [(128, "W2 = [[0.3, 0.4]]", setter("W2", (), [[0.3, 0.4]])),
            (130, "lr = 0.9", setter("lr", (), 0.9)),
            (130, "W1[0,2] = -1.5", setter("W1", (0, 2), -1.5)),
            (333, "b1[1] = 2", setter("b1", (1,), 2.0))]
    for u, text, _ in plan:
        assert s.goto(u, 3)
        s.edit(text)
    edits = [(u, f) for u, _, f in plan]
    s.run_epochs(3)
    assert s.cursor == Cursor(4 * N, 0, N)
    p, lr, losses = reference(s, edits, 4 * N)
    assert s.params.equals(p) and s.lr == lr == 0.9
    assert [r.train_loss_sum for r in s.epoch_records] == epoch_sums(losses, 4)
    for u in (0, 127, 128, 129, 130, 131, 255, 256, 332, 333, 334, 599, 799):
        assert s.timeline.params_at(u).equals(reference(s, edits, u)[0]), u
    assert s.timeline.losses(300, 420) == losses[300:420]
    s.goto(3 * N + 17, 5)
    assert s.epoch_losses() == losses[3 * N : 3 * N + 18]
    y, y_hat, loss = s.fit()
    assert loss == pytest.approx(0.5 * np.mean((y_hat - y) ** 2), rel=1e-12)


def test_replaying_the_edit_list_on_a_fresh_session_reproduces_the_run() -> None:
    s = lab(shuffle=True)
    s.run_epochs(2)
    for u, text in [(500, "lr = 2"), (90, "W1[0,1] = 0.5"), (90, "b2 = [1]"), (91, "η=0.2"),
                    (260, "W2[0,1] = -3"), (262, "W1 = 0.1")]:
        s.goto(u, 1)
        s.edit(text)
    s.run_epochs(2)
    assert [(e.update, e.text) for e in s.edits] == [
        (90, "W1[0,1] = 0.5"), (90, "b2 = [1]"), (91, "η=0.2"), (260, "W2[0,1] = -3"),
        (262, "W1 = 0.1")]
    again = lab(shuffle=True)
    again.apply_edits([(e.update, e.text) for e in s.edits])
    assert again.cursor == Cursor(262, 0, N)
    again.run_epochs(2)
    assert again.cursor == s.cursor
    assert again.epoch_records == s.epoch_records
    for u in range(0, s.cursor.update + 1, 37):
        assert again.timeline.params_at(u).equals(s.timeline.params_at(u)), u
        assert again.timeline.lr_at(u) == s.timeline.lr_at(u)
    assert [(e.update, e.target, e.lr) for e in again.edits] == \
        [(e.update, e.target, e.lr) for e in s.edits]
    with pytest.raises(EditError, match="update -1 cannot be reached$"):
        lab().apply_edits([(-1, "b2 = 0")])
    with pytest.raises(EditError, match="unknown name"):
        lab().apply_edits([(3, "b3 = 0")])


def test_edits_on_thinned_checkpoints_replay_exactly() -> None:
    s = lab()
    s.timeline.max_checkpoints = 8
    s.run_epochs(8)
    assert s.timeline.interval > 128
    s.goto(1111, 0)
    s.edit("b1 = [-1, 1]")
    s.run_epochs(6)
    edits = [(1111, setter("b1", (), [-1.0, 1.0]))]
    p, _, losses = reference(s, edits, s.cursor.update)
    assert s.params.equals(p)
    assert [r.train_loss_sum for r in s.epoch_records] == epoch_sums(losses, s.cursor.epoch)
    for u in (1000, 1110, 1111, 1112, 1500, 2047, 2048):
        assert s.timeline.params_at(u).equals(reference(s, edits, u)[0]), u


def test_an_edit_undoes_a_divergence(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Zero weights predict 0.5 = target for 20 rows, then target 1e4 at η 1e307 overflows
    (tests/test_cli.py); an edit of η at that update, or before, clears the divergence."""
    rows = ["a,b,c,t"] + [f"{i / 20},{-i / 20},0.1,0.5" for i in range(20)] + ["1,1,1,10000"]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    s = build_session(DataOptions(source=str(tmp_path / "d.csv"), test_fraction=0),
                      TrainConfig(lr=1e307, init_scale=0))
    result = s.run_epochs(2)
    d = s.divergence
    assert d is not None and result.divergence == d and (d.update, d.lr) == (20, 1e307)
    assert not s.goto(21) and s.goto(20, UPDATE_PHASE)
    assert "nothing computed after it is lost" in s.edit_preview("lr = 0.5").message
    s.edit("lr = 0.5")                          # at the very update that blew up
    assert s.divergence is None and s.timeline.limit is None and s.lr == 0.5
    assert s.run_epochs(2).divergence is None and s.params.is_finite()
    assert s.cursor.update == 2 * 21 and len(s.epoch_records) == 2
    s.goto(5)
    s.edit("W1[0,0] = 1")                       # η is 1e307 again from update 5 on
    assert s.lr == 1e307 and [e.update for e in s.edits] == [5]
    assert s.run_epochs(1).divergence is not None and s.divergence.update >= 5
    calm = build_session(DataOptions(source=str(tmp_path / "d.csv"), test_fraction=0),
                         TrainConfig(lr=0.5, init_scale=0))
    assert calm.run_epochs(1).divergence is None
    monkeypatch.setattr(edits_module, "MAX_LR", 1e308)  # past the cap, to reach the search
    calm.goto(19, 2)
    calm.edit("lr = 1e307")                     # the divergence search uses the edited η
    assert calm.run_epochs(1).divergence is not None
    assert (calm.divergence.update, calm.divergence.lr) == (20, 1e307)
    assert calm.timeline.params_at(20).equals(reference(calm, [(19, setter("lr", (), 1e307))],
                                                        20)[0])


def test_edits_at_the_first_update_and_after_a_reset() -> None:
    s = lab()
    s.run_epochs(1)
    s.reset()
    s.edit("W1 = [[1, 2, 3], [4, 5, 6]]")
    assert s.timeline.head == 0 and s.epoch_records == [] and s.epoch_losses() == []
    assert np.array_equal(s.params.W1, [[1, 2, 3], [4, 5, 6]])
    s.run_epochs(1)
    p, _, losses = reference(s, [(0, setter("W1", (), [[1, 2, 3], [4, 5, 6]]))], N)
    assert s.params.equals(p) and s.epoch_records[0].train_loss_sum == epoch_sums(losses, 1)[0]


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    s = lab()
    monkeypatch.setattr(editing, "MAX_EDITS", 3)
    for u in range(3):
        s.goto(u)
        s.edit(f"b2 = {u}")
    with pytest.raises(EditError, match=r"too many edits \(3 at most\)"):
        s.edit("b2 = 5")
    s.goto(1)
    s.edit("b2 = 5")                           # an earlier edit drops the later ones
    assert [e.update for e in s.edits] == [0, 1, 1] and s.edit_updates() == [0, 1]
    monkeypatch.setattr(editing, "MAX_EDITS", 1000)
    monkeypatch.setattr(overrides, "OVERRIDE_BUDGET", 2 * 11 * 8)
    s.goto(2)
    with pytest.raises(EditError, match="MiB of parameters"):
        s.edit("b2 = 6")
    monkeypatch.setattr(editing, "EDIT_BUDGET", 100)
    s.goto(0)
    with pytest.raises(EditError, match="more than 0 MiB"):
        s.edit("b1 = [1, 1]  # " + "x" * 200)
    assert [e.update for e in s.edits] == [0, 1, 1]  # a refused edit changes nothing
    assert s.timeline.memory_bytes() < 10 * 2**20


OPS = st.one_of(
    st.tuples(st.just("goto"), st.integers(0, 3 * N), st.integers(0, UPDATE_PHASE)),
    st.tuples(st.just("back"), st.integers(1, 30), st.just(0)),
    st.tuples(st.just("run"), st.integers(1, 2), st.just(0)),
    st.tuples(st.just("edit"), st.sampled_from(["W1[0,1]", "W1[1]", "b1", "W2[0,0]", "b2",
                                                "lr"]),
              st.integers(-40, 40)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPS, min_size=1, max_size=10), st.booleans())
def test_random_moves_and_edits_keep_p_u_equal_to_the_reference(ops, shuffle: bool) -> None:
    s = lab(shuffle=shuffle)
    edits: list[tuple[int, object]] = []
    for op, a, b in ops:
        if op == "goto":
            s.goto(a, b)
        elif op == "back":
            for _ in range(a):
                s.step_back()
        elif op == "run" and s.cursor.update < 4 * N:
            s.run_epochs(a)
        elif op == "edit":
            value = b / 8
            if a == "lr":
                value = abs(value) + 0.125
                text, f = f"lr = {value}", setter("lr", (), value)
            elif a == "W1[1]":
                text, f = f"W1[1] = [{value}, 1, {-value}]", setter("W1", (1,), [value, 1, -value])
            else:
                name, _, idx = a.partition("[")
                index = tuple(int(i) for i in idx.rstrip("]").split(",")) if idx else ()
                text, f = f"{a} = {value}", setter(name, index, value)
            u = s.cursor.update
            s.edit(text)
            edits = [e for e in edits if e[0] <= u] + [(u, f)]
        u = s.cursor.update
        p, lr, losses = reference(s, edits, u)
        assert s.params.equals(p) and s.lr == lr
        assert [r.train_loss_sum for r in s.epoch_records] == epoch_sums(losses, u // N)
        assert s.timeline.losses(u // N * N, u) == losses[u // N * N :]


def test_dropping_every_edit_gives_back_the_original_run_bit_for_bit() -> None:
    edited = build_session(DataOptions(), TrainConfig())
    edited.goto(30)
    edited.edit("W1[0,1] = 3")
    edited.goto(250)
    edited.edit("lr = 2")
    edited.run_epochs(2)
    assert edited.drop_edits() == 2
    assert edited.edits == [] and edited.edit_updates() == [] and edited.at_start
    plain = build_session(DataOptions(), TrainConfig())
    for s in (edited, plain):
        s.run_epochs(3)
    assert edited.params.equals(plain.params) and edited.lr == plain.lr == 0.5
    assert [r.train_loss_sum for r in edited.epoch_records] == \
        [r.train_loss_sum for r in plain.epoch_records]
