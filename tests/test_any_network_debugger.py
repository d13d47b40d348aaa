"""The debugger on any network: conditions, watches, breakpoints, go-to, edits, saves,
traces and the gradient check follow the session's architecture, not the lab's.

A 3-4-3-1 tanh network has W3, z3, delta3, dW3 and dact2 and 15 phases; a relu
network with bce names its slopes dact1; a softmax network's y is a one-hot vector.
Each feature must accept those names and give the numbers the session itself shows
(the reference here is always the slow, obvious way: step the session and read
``session.values``), while the lab's behaviour stays what its own tests hold.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_breakpoints import brute_force

from backprop_tui.check.cli import run_check
from backprop_tui.cli import main
from backprop_tui.core.debugger.breakpoints import BREAKPOINT, Breakpoints, run_until
from backprop_tui.core.debugger.conditions import NOT_YET, ConditionError, context_at, parse_net
from backprop_tui.core.debugger.edits import EditError
from backprop_tui.core.debugger.places import PlaceError, go_to, parse_place
from backprop_tui.core.debugger.scan import tier
from backprop_tui.core.debugger.watches import Watches, history
from backprop_tui.core.files.savefile import (
    SavedBreakpoint,
    SavedEdit,
    SaveFileError,
    load,
    restore,
    save,
    state_of,
)
from backprop_tui.core.files.trace import csv_columns, quantity_names, trace_records, write_csv
from backprop_tui.core.network import gradnet
from backprop_tui.core.network.gradcheck import (
    GOOD,
    SUSPECT,
    band,
    gradient_check,
    numeric_with_bounds,
    relative_error,
)
from backprop_tui.core.network.params import init_params
from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

DEEP = TrainConfig(hidden=(4, 3), activation="tanh")
RELU_BCE = TrainConfig(hidden=3, activation="relu", loss="bce")
STUDENT = str(Path(__file__).parent / "students" / "anneals_inside.py")


def session_of(config: TrainConfig, source: str = "lab") -> Session:
    return build_session(DataOptions(source), config)


def labelled_session(config: TrainConfig, kind: str = "classes") -> Session:
    """Iris with a class target (three bins of its numeric target, one-hot) for a softmax
    network, or two target columns for a network with two outputs."""
    base = session_of(TrainConfig(), "iris")
    ds = base.dataset
    edges = np.quantile(ds.y_train, [1 / 3, 2 / 3])
    if kind == "classes":
        def target(y: np.ndarray) -> np.ndarray:
            return np.eye(3)[np.searchsorted(edges, y)]
        data = replace(ds, y_train=target(ds.y_train), y_test=target(ds.y_test),
                       classes=("low", "mid", "high"))
    else:
        def target(y: np.ndarray) -> np.ndarray:
            return np.stack([y, 0.5 * y * y], axis=1)
        data = replace(ds, y_train=target(ds.y_train), y_test=target(ds.y_test))
    arch = config.architecture(data.n_inputs, data.n_outputs, kind == "classes")
    params0 = init_params(np.random.RandomState(config.seed), data.n_inputs, arch.hidden,
                          config.init_scale, arch.n_outputs)
    return Session(data, params0, config, arch)


def full(session: Session, update: int) -> dict[str, object]:
    """Every quantity of ``update``, read off the session at its update phase."""
    assert session.goto(update, session.net.update_phase)
    return context_at(session)


# -- conditions -----------------------------------------------------------------------------

def test_deeper_names_are_conditions_with_the_sessions_numbers() -> None:
    s = session_of(DEEP)
    assert len(s.net.phases) == 15
    ctx = full(s, 57)
    expect = {
        "norm(dW3)": float(np.sqrt(np.sum(np.asarray(ctx["dW3"]) ** 2))),
        "W3[0,1]": float(np.asarray(ctx["W3"])[0, 1]),
        "delta2[1] > 0": bool(np.asarray(ctx["delta2"])[1] > 0),
        "dact2[0]": float(np.asarray(ctx["dact2"])[0]),
        "pred": float(np.asarray(ctx["y_hat"])[0]),
        "grad_output[0] + loss": float(np.asarray(ctx["delta3"])[0] + ctx["L"]),
        "max(abs(dW2)) < 1 and finite(W3_new)": bool(np.max(np.abs(ctx["dW2"])) < 1),
    }
    for text, value in expect.items():
        got = parse_net(text, s.net).evaluate(ctx)
        assert got == pytest.approx(value, rel=1e-15, abs=0), text
    assert parse_net("delta3", s.net).shape == ()  # one unit: a number, as the lab's delta2
    assert parse_net("delta2", s.net).shape == (3,)
    assert parse_net("dW2", s.net).shape == (3, 4)


@pytest.mark.parametrize("text, words", [
    ("W5 > 1", "unknown name 'W5' at column 1: did you mean W3?"),
    ("grad_hidden > 0", "unknown name 'grad_hidden'"),  # the lab's delta1: one hidden layer
    ("W3[1,0] > 0", "W3[1,0] at column 1: W3 has shape (1, 3)"),
    ("phase == 'dW4'", "unknown phase 'dW4' at column 10 (did you mean dW3? phases: load, z1"),
    ("dsig2 > 0", "unknown name 'dsig2'"),  # tanh's slope is dact2
])
def test_deeper_mistakes_are_one_line(text: str, words: str) -> None:
    with pytest.raises(ConditionError) as err:
        parse_net(text, session_of(DEEP).net)
    assert words in str(err.value) and "\n" not in str(err.value)
    assert "W3" in str(err.value) or "phases" in str(err.value) or "shape" in str(err.value)


def test_a_phase_name_of_a_deeper_network_holds_at_that_phase_only() -> None:
    s = session_of(DEEP)
    c = parse_net("phase == 'delta3' or phase == 'grad_output'", s.net)
    later = parse_net("phase >= 'dW3'", s.net)
    held, after = [], []
    for k in range(len(s.net.phases)):
        s.goto(3, k)
        held.append(c.holds(context_at(s)))
        after.append(later.holds(context_at(s)))
    assert held == [k == s.net.index["delta3"] for k in range(15)]
    assert after == [k >= s.net.index["dW3"] for k in range(15)]


# -- breakpoints ----------------------------------------------------------------------------

CASES = [
    (DEEP, "norm(dW3) > 0.008", "sample"),
    (DEEP, "delta2[1] > 0 and sample > 3", "sample"),
    (DEEP, "abs(dact2[0]) < 0.999 and L > 0.02", "sample"),
    (DEEP, "phase == 'delta3' and sample == 7", "position"),
    (RELU_BCE, "dact1[0] == 0 and y > 0.5", "sample"),
    (RELU_BCE, "dW2[0,1] < -0.01", "sample"),
    (TrainConfig(hidden=(3, 3, 3), activation="relu", output="identity"),
     "norm(dW4) > 0.1 or phase == 'dW4' and sample == 150", "sample"),
]


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize(("config", "text", "kind"), CASES)
def test_deeper_breakpoints_stop_where_stepping_first_sees_them(config: TrainConfig, text: str,
                                                               kind: str, shuffle: bool) -> None:
    config = replace(config, shuffle=shuffle)
    bps = Breakpoints()
    bps.add(parse_net(text, session_of(config).net))
    assert tier([bps[0].condition], session_of(config).net) == kind
    expected = brute_force(session_of(config), bps, 260)
    s = session_of(config)
    stop = run_until(s, bps, 260)
    assert (stop.update, stop.phase) == expected[:2]
    if expected[2] is not None:
        assert stop.reason == BREAKPOINT
        assert f"phase {s.net.phases[stop.phase].key}" in stop.where()
        assert stop.describe().startswith(f"stopped: {text}")


def edited(config: TrainConfig) -> Session:
    """A session with an edit of W3 at update 300, its cursor back at the start."""
    s = session_of(config)
    s.goto(300)
    s.edit("W3[0,1] = -0.3")
    s.goto(0)
    return s


def test_a_parameter_breakpoint_on_w3_steps_the_deeper_kernel() -> None:
    """W3 alone is read off P(u) as the trainer steps it, across an edit: the cheap tier,
    the same stop as stepping."""
    config = replace(DEEP, shuffle=True)
    s = edited(config)
    bps = Breakpoints()
    bps.add(parse_net("W3[0,1] < -0.2 and x[0] > 0", s.net))  # only the edit makes it hold
    assert tier([bps[0].condition], s.net) == "params"
    expected = brute_force(edited(config), bps, 2000)
    assert expected[2] is not None and expected[0] >= 300  # after the edit
    stop = run_until(s, bps, 2000)
    assert (stop.update, stop.phase, stop.reason) == (*expected[:2], BREAKPOINT)
    assert stop.values[0][0] == "W3[0,1]"


@pytest.mark.parametrize("kind, text", [("classes", "y[2] == 1 and y_hat[2] > 0.4"),
                                        ("classes", "y[1] == 1 and phase == 'update'"),
                                        ("columns", "y[1] > 1 and norm(delta2) > 0.01")])
def test_vector_targets_in_breakpoints(kind: str, text: str) -> None:
    config = (TrainConfig(hidden=(4, 3), activation="tanh", lr=0.1) if kind == "classes"
              else TrainConfig(hidden=(4, 3), activation="tanh", output="identity", lr=0.05))
    bps = Breakpoints()
    bps.add(parse_net(text, labelled_session(config, kind).net))
    expected = brute_force(labelled_session(config, kind), bps, 300)
    assert expected[2] is not None
    stop = run_until(labelled_session(config, kind), bps, 300)
    assert (stop.update, stop.phase) == expected[:2]


# -- watches --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["norm(dW3)", "W3[0,1]", "delta2[1]", "abs(W2[2,3]) + x[1]"])
def test_deeper_watch_history_equals_moving_the_session_there(text: str) -> None:
    s = session_of(replace(DEEP, shuffle=True))
    watch = parse_net(text, s.net)
    s.goto(40, 6)
    updates, values = history(s, watch)
    assert updates == list(range(40))
    other = session_of(replace(DEEP, shuffle=True))
    for u in (0, 1, 17, 39):
        value = watch.evaluate(full(other, u))
        value = float(np.linalg.norm(value)) if np.ndim(value) else float(value)
        assert values[u] == pytest.approx(value, rel=1e-14, abs=1e-300), u
    watches = Watches()
    watches.add(watch)
    s.goto(40, s.net.index["z3"])
    not_yet = "dW3" in text or "delta2" in text  # computed after z3
    assert (watches.values_at(s)[0] is NOT_YET) == not_yet


def test_a_class_watch_reads_the_one_hot_target() -> None:
    s = labelled_session(TrainConfig(hidden=(5,), activation="relu", lr=0.1))
    watch = parse_net("y[0] + 2 * y[1] + 3 * y[2]", s.net)
    s.goto(30, 3)
    _, values = history(s, watch)
    rows = [s.timeline.row(u) for u in range(30)]
    assert values == [float(np.argmax(s.dataset.y_train[r]) + 1) for r in rows]


# -- stepping back, go-to -------------------------------------------------------------------

def test_step_back_across_updates_is_bit_exact_on_a_deeper_network() -> None:
    s = session_of(replace(DEEP, shuffle=True))
    seen = {}
    s.goto(125, 0)
    while s.cursor.update < 134:  # across the checkpoint at 128
        seen[(s.cursor.update, s.cursor.phase)] = dict(s.values)
        s.step_forward()
    s.goto(300, 4)
    s.goto(134, 0)
    while s.cursor.update >= 125:
        here = (s.cursor.update, s.cursor.phase)
        if here in seen:
            for name, value in seen.pop(here).items():
                assert np.array_equal(np.asarray(value), np.asarray(s.values[name])), name
        if not s.step_back():
            break
    assert not seen


@pytest.mark.parametrize("text, phase", [("0 5 dW3", "dW3"), ("0:5 db3", "dW3"),
                                         ("0 5 grad_output", "delta3"), ("0 5 pred", "y_hat"),
                                         ("0 5 14", "dW1"), ("0 5 delta2", "delta2")])
def test_go_to_names_the_phases_of_a_deeper_network(text: str, phase: str) -> None:
    s = session_of(DEEP)
    place = parse_place(text, s.n, s.net)
    assert (place.update, place.phase) == (4, s.net.index[phase])
    assert place.describe() == f"epoch 0, sample 5/{s.n}, phase {phase}"
    go_to(s, place)
    assert (s.cursor.update, s.phase.key) == (4, phase)


@pytest.mark.parametrize("text, words", [("0 1 16", "numbered 1 to 15"),
                                         ("0 1 grad_hidden", r"'grad_hidden' \(phases: load"),
                                         ("0 1 dW4", "did you mean dW3?")])
def test_go_to_refuses_what_a_deeper_network_has_not(text: str, words: str) -> None:
    s = session_of(DEEP)
    with pytest.raises(PlaceError, match=words):
        parse_place(text, s.n, s.net)


# -- edits ----------------------------------------------------------------------------------

def test_editing_w3_sets_p_u_and_keeps_the_past() -> None:
    s = session_of(DEEP)
    before = session_of(DEEP)
    s.goto(12, 0)
    s.edit("W3[0,1] = 0.5")
    assert s.params.W3[0, 1] == 0.5
    z3 = s.net.index["z3"]
    s.goto(12, z3)
    W3, b3, a2 = s.params.W3, s.params.b3, s.values["a2"]
    assert np.array_equal(s.values["z3"], W3 @ a2 + b3)
    for u in (0, 5, 11):
        s.goto(u, 9)
        before.goto(u, 9)
        assert all(np.array_equal(np.asarray(s.values[k]), np.asarray(before.values[k]))
                   for k in before.values)
    s.goto(12, 0)
    s.edit("b3 = [-0.25]")
    s.edit("W3 = [[1, 2, 3]]")
    assert s.params.W3.tolist() == [[1.0, 2.0, 3.0]] and s.params.b3.tolist() == [-0.25]
    for bad, words in [("W3[1,0] = 1", "W3"), ("W4[0,0] = 1", "W4"),
                       ("W3 = [[1, 2]]", "W3")]:
        with pytest.raises(EditError, match=words) as err:
            s.edit(bad)
        assert "\n" not in str(err.value)


# -- save and resume ------------------------------------------------------------------------

def test_a_deeper_session_saves_and_resumes_bit_for_bit(tmp_path: Path) -> None:
    data = DataOptions("iris", normalize=True)
    config = TrainConfig(hidden=(4, 3), activation="tanh,relu", shuffle=True, lr=0.3)
    s = build_session(data, config)
    s.goto(9, 0)
    s.edit("W3[0,2] = 0.75")
    s.goto(200, 13)
    state = state_of(s, data, edits=tuple(SavedEdit(e.update, e.text) for e in s.edits),
                     breakpoints=(SavedBreakpoint("norm(dW3) > 1"),), watches=("delta2[1]",))
    path = save(tmp_path / "deep.json", state)
    doc = json.loads(path.read_text())
    assert doc["config"]["hidden"] == [4, 3] and doc["config"]["activation"] == "tanh,relu"
    assert doc["cursor"] == {"update": 200, "phase": 13}
    again, loaded = restore(load(path))
    assert loaded == state and again.arch == s.arch
    assert (again.cursor.update, again.cursor.phase, again.phase.key) == (200, 13, "dW1")
    assert again.params.equals(s.params)
    assert all(np.array_equal(np.asarray(v), np.asarray(again.values[k]))
               for k, v in s.values.items())
    parse_net(loaded.breakpoints[0].text, again.net)
    doc["cursor"]["phase"] = 15
    path.write_text(json.dumps(doc))
    with pytest.raises(SaveFileError, match=r"'phase' must be in 0\.\.14, not 15"):
        load(path)
    with pytest.raises(SaveFileError, match="not one of this network's 0..14"):
        restore(replace(state, cursor=replace(state.cursor, phase=15)))


def test_iris_species_one_hot_targets_through_the_debugger(tmp_path: Path) -> None:
    """The bundled class data (softmax + ce): a breakpoint on y and y_hat stops where
    stepping does, the gradient check passes, and a save resumes bit for bit."""
    data = DataOptions("iris-species")
    config = TrainConfig(hidden=(4, 3), activation="tanh", lr=0.2, shuffle=True)
    bps = Breakpoints()
    bps.add(parse_net("y[2] == 1 and y_hat[2] > 0.4", build_session(data, config).net))
    expected = brute_force(build_session(data, config), bps, 600)
    s = build_session(data, config)
    stop = run_until(s, bps, 600)
    assert expected[2] is not None and (stop.update, stop.phase) == expected[:2]
    assert s.target(s.row).tolist() == [0.0, 0.0, 1.0]
    row = s.row
    assert all(c.band == "ok" for c in gradient_check(s.params, s.dataset.X_train[row],
                                                       s.target(row), s.net))
    again, _ = restore(load(save(tmp_path / "species.json", state_of(s, data))))
    assert again.cursor == s.cursor and again.params.equals(s.params)
    assert np.array_equal(again.values["y"], s.values["y"])


# -- trace ----------------------------------------------------------------------------------

def test_trace_columns_follow_the_network() -> None:
    s = session_of(DEEP)
    names = quantity_names(s.net)
    assert names[:8] == ["x", "y", "W1", "b1", "W2", "b2", "W3", "b3"]
    for name in ("z3", "delta3", "dW3", "db3", "dact2", "da1", "W3_new", "b3_new"):
        assert name in names
    labels = [label for label, _, _ in csv_columns(s.net)]
    assert {"W3[0,2]", "dW3[0,1]", "dW2[2,3]", "dact1[3]", "y"} <= set(labels)
    assert quantity_names() == quantity_names(session_of(TrainConfig()).net)  # the lab's
    records = list(trace_records(s, range(3, 6)))
    assert [r["update"] for r in records] == [3, 4, 5]
    s.goto(4, s.net.update_phase)
    assert np.array_equal(records[1]["dW3"], s.values["dW3"])
    out = io.StringIO()
    assert write_csv(records, out, s.net) == 3
    header, row = list(csv.reader(io.StringIO(out.getvalue())))[:2]
    assert header == labels and len(row) == len(labels)


def test_trace_of_a_class_network_writes_y_as_a_vector() -> None:
    s = labelled_session(TrainConfig(hidden=(4,), activation="tanh"))
    labels = [label for label, _, _ in csv_columns(s.net)]
    assert {"y[0]", "y[1]", "y[2]", "y_hat[2]", "dW2[2,3]"} <= set(labels)
    out = io.StringIO()
    assert write_csv(trace_records(s, range(2)), out, s.net) == 2


def test_trace_command_on_a_deeper_network(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "--hidden", "4,3", "--activation", "tanh", "--to", "0:2",
                 "--format", "csv"]) == 0
    header = next(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert "W3[0,2]" in header and "dW3[0,0]" in header and "delta2[2]" in header


# -- gradient check -------------------------------------------------------------------------

GRADCHECK = [
    ("lab", TrainConfig(hidden=3, activation="tanh")),
    ("lab", TrainConfig(hidden=(4, 3), activation="tanh", init_scale=1.0)),
    ("lab", TrainConfig(hidden=(3, 4, 3), activation="relu", init_scale=0.5)),
    ("lab", TrainConfig(hidden=(3, 3, 3, 3), activation="leaky-relu", output="identity",
                        init_scale=1.0)),
    ("lab", TrainConfig(hidden=4, activation="relu", loss="bce", init_scale=1.0)),
    ("iris", TrainConfig(hidden=(4, 3), activation="sigmoid,tanh", init_scale=3.0, lr=0.2)),
    ("classes", TrainConfig(hidden=(5, 4), activation="relu", lr=0.1, init_scale=1.0)),
    ("classes", TrainConfig(hidden=(3, 3, 3), activation="tanh", lr=0.1)),
    ("columns", TrainConfig(hidden=(4, 3), activation="tanh", output="identity", lr=0.05)),
]


def positions(source: str, config: TrainConfig):
    s = session_of(config, source) if source in ("lab", "iris") else \
        labelled_session(config, source)
    for u in range(0, 400, 37):
        if not s.goto(u, 0):
            break
        yield s, s.params, s.dataset.X_train[s.row], s.target(s.row)


@pytest.mark.parametrize(("source", "config"), GRADCHECK)
def test_backprop_of_every_layer_passes_the_gradient_check(source: str,
                                                           config: TrainConfig) -> None:
    """Every dW and db of every layer is 'ok' at every position (no false flags), and the
    bound is no blanket: on the lab's data nearly every non-zero gradient stands far above
    it (raw Iris saturates some networks: a gradient of 1e-12 under L near 1, or of 1e-7
    under a cross-entropy of 1e-7, whose log of a sum near 1 carries 1e-16 of rounding,
    is below what any finite difference resolves)."""
    above = nonzero = 0
    for s, params, x, y in positions(source, config):
        checks = gradient_check(params, x, y, s.net)
        assert [c.name for c in checks] == list(s.arch.param_names)
        values = s.net.run(params, x, y, 0.0)
        for c in checks:
            assert c.band == "ok", (s.cursor.update, c.name, c.max_error)
            assert np.array_equal(c.analytic, values["d" + c.name])
            assert np.all(np.abs(c.analytic - c.numeric) <= c.bound)
            big = c.analytic != 0
            above += int(np.sum(np.abs(c.analytic[big]) > c.bound[big] / GOOD))
            nonzero += int(np.sum(big))
    assert above > 0.8 * nonzero or source != "lab"


@pytest.mark.parametrize(("source", "config"), GRADCHECK)
def test_a_wrong_gradient_is_flagged_in_every_layer(source: str, config: TrainConfig) -> None:
    """A forgotten activation slope (delta_l = W^T delta, the classic slip) and a 2% error
    are 'wrong' wherever they change a gradient."""
    flagged = 0
    for s, params, x, y in positions(source, config):
        v = s.net.run(params, x, y, 0.0)
        numeric, bounds = numeric_with_bounds(params, x, y, net=s.net)
        for layer in range(1, s.arch.depth):
            a_prev = x if layer == 1 else v[f"a{layer - 1}"]
            slipped = np.outer(v[f"da{layer}"], a_prev)  # no f'(z)
            right = v[f"dW{layer}"]
            if np.max(relative_error(slipped, right, bounds[f"W{layer}"])) > 1e-2:
                error = np.max(relative_error(slipped, numeric[f"W{layer}"],
                                              bounds[f"W{layer}"]))
                assert band(float(error)) == "wrong", (layer, error)
                flagged += 1
        for name in s.arch.param_names:
            grad = np.asarray(v["d" + name])
            off = grad * 1.02
            big = np.abs(grad) > 1e-3
            if big.any():
                error = relative_error(off, numeric[name], bounds[name])[big]
                assert float(np.max(error)) > SUSPECT, name
    assert flagged > 0 or config.activation == "leaky-relu"


@pytest.mark.parametrize(("source", "config"), GRADCHECK)
def test_the_differenced_loss_is_the_l_phases(source: str, config: TrainConfig) -> None:
    """What the finite differences difference is the L the phases compute (to rounding)."""
    for s, params, x, y in positions(source, config):
        expected = s.net.run(params, x, y, 0.0, upto=s.net.index["L"])["L"]
        assert gradnet.loss_at(params, x, y, s.net) == pytest.approx(expected, rel=1e-13,
                                                                     abs=1e-300)


def test_the_lab_family_keeps_its_own_check() -> None:
    """Without a net, the lab's parameters are checked by the lab's formula, as before."""
    s = session_of(TrainConfig())
    s.goto(33, 0)
    x, y = s.dataset.X_train[s.row], s.target(s.row)
    a = gradient_check(s.params, x, y)
    b = gradient_check(s.params, x, y, s.net)
    assert [c.name for c in a] == ["W1", "b1", "W2", "b2"]
    for c, d in zip(a, b, strict=True):
        assert np.array_equal(c.numeric, d.numeric) and np.array_equal(c.bound, d.bound)


# -- check refuses other networks -----------------------------------------------------------

@pytest.mark.parametrize("options, shown", [
    (["--hidden", "4,3", "--activation", "tanh"], "3-4-3-1 tanh, sigmoid output, half-mse"),
    (["--hidden", "3", "--activation", "relu", "--loss", "bce"], "3-3-1 relu"),
    (["--output", "identity"], "3-2-1 sigmoid, identity output"),
])
def test_check_refuses_a_network_that_is_not_the_labs(options: list[str], shown: str,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    assert run_check([STUDENT, *options]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "check judges the lab's network (one sigmoid hidden layer" in err and shown in err


def test_the_app_refuses_a_student_beside_another_network(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    assert main(["--hidden", "4,3", "--student", STUDENT]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--student compares with the lab's network" in err
    assert "3-4-3-1 sigmoid" in err and "one hidden layer (--hidden N)" in err
