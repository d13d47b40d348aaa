"""``backprop-tui trace`` and ``export_sample``: the app's numbers, written out exactly.

Every value of every phase is held to the independent reference (tests/reference.py)
at 1e-12, on the lab, on Iris and with a shuffled order; the files round-trip
(floats come back with the same bits); bad ranges and existing files are one line.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import reference as ref

from backprop_tui.core.files.atomic import WriteError, write_atomic
from backprop_tui.core.files.trace import (
    TraceError,
    export_sample,
    quantity_names,
    sample_file_name,
    trace_records,
    update_range,
    write_csv,
    write_jsonl,
)
from backprop_tui.core.network.phases import PHASE_INDEX, UPDATE_PHASE
from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

TOL = 1e-12


def run(*args: str, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backprop_tui", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, **kw)


def reference_steps(session: Session, updates: range) -> list[dict[str, np.ndarray]]:
    """Each update's quantities from the reference, walking from the initial parameters in
    the session's row order (the data and the order are inputs here, not under test)."""
    ds = session.dataset
    p = {k: v.copy() for k, v in session.params0.as_dict().items()}
    steps = []
    for u in range(updates[-1] + 1):
        row = session.timeline.row(u)
        s = ref.step(ds.X_train[row], float(ds.y_train[row]), p, session.config.lr)
        if u in updates:
            steps.append({**s, "W1": p["W1"], "b1": p["b1"], "W2": p["W2"], "b2": p["b2"],
                          "row": row})
        p = {name: s[name + "_new"] for name in ("W1", "b1", "W2", "b2")}
    return steps


def jsonl_of(session: Session, updates: range) -> list[dict]:
    out = io.StringIO()
    assert write_jsonl(trace_records(session, updates), out) == len(updates)
    return [json.loads(line) for line in out.getvalue().splitlines()]


CASES = {
    "lab": (DataOptions(), TrainConfig(epochs=3)),
    "iris": (DataOptions("iris", normalize=True), TrainConfig(epochs=3, hidden=3)),
    "iris-shuffle": (DataOptions("iris", normalize=True), TrainConfig(epochs=3, shuffle=True)),
    "lab-shuffle": (DataOptions(), TrainConfig(epochs=3, shuffle=True, lr=2.0)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_quantity_equals_the_reference(case: str) -> None:
    session = build_session(*CASES[case])
    n = session.n
    updates = update_range("1:1", f"2:{n}", n, 3)  # two whole epochs, past the first
    assert updates == range(n, 3 * n)
    got = jsonl_of(session, updates)
    want = reference_steps(session, updates)
    names = quantity_names()
    assert {"x", "W1", "z1", "a1", "y_hat", "L", "delta2", "dW2", "delta1", "dW1", "db1",
            "W1_new", "b2_new"} <= set(names)
    for u, g, w in zip(updates, got, want, strict=True):
        assert (g["update"], g["epoch"], g["sample"], g["row"]) == (u, u // n, u % n + 1,
                                                                    w["row"])
        assert g["lr"] == session.config.lr
        for name in names:
            np.testing.assert_allclose(np.asarray(g[name]).reshape(np.shape(w[name])), w[name],
                                       rtol=TOL, atol=TOL, err_msg=f"{name} at update {u}")


def test_trace_values_are_the_sessions_bit_for_bit() -> None:
    """What the app shows at the update phase, read back from the JSON with the same bits."""
    session = build_session(DataOptions(), TrainConfig())
    got = jsonl_of(session, range(395, 405))
    for record in got:
        session.goto(record["update"], UPDATE_PHASE)
        for name in quantity_names():
            assert np.array_equal(np.asarray(record[name]).reshape(np.shape(
                session.values[name])), session.values[name]), name


def test_csv_has_one_column_per_element_and_round_trips() -> None:
    session = build_session(DataOptions(), TrainConfig(hidden=2))
    out = io.StringIO()
    assert write_csv(trace_records(session, range(0, 5)), out, 3, 2) == 5
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    head = rows[0]
    assert head[:5] == ["epoch", "sample", "row", "update", "lr"]
    assert "W1[0,1]" in head and "x[2]" in head and "L" in head and "b2_new[0]" in head
    assert len(head) == len(set(head)) and all(len(r) == len(head) for r in rows)
    record = rows[3]
    session.goto(2, UPDATE_PHASE)
    assert float(record[head.index("W1[1,2]")]) == session.values["W1"][1, 2]
    assert float(record[head.index("dW2[0,1]")]) == session.values["dW2"][0, 1]
    assert float(record[head.index("L")]) == session.values["L"]
    assert record[head.index("sample")] == "3"


@pytest.mark.parametrize(("start", "stop", "words"), [
    ("3:0", None, "sample 0 is not in 1..200"),
    ("0:201", None, "sample 201"),
    ("1:1", "0:200", "comes before"),
    (None, "20:1", "beyond the run of --epochs 20"),
    ("garbage", None, "expected EPOCH:SAMPLE"),
    ("-1:3", None, "expected EPOCH:SAMPLE"),
    ("1:1:1", None, "expected EPOCH:SAMPLE"),
    ("99999999999999999:1", None, "expected EPOCH:SAMPLE"),
])
def test_bad_ranges_are_one_line(start, stop, words) -> None:
    with pytest.raises(TraceError) as err:
        update_range(start, stop, 200, 20)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_default_range_is_the_first_epoch_and_the_limit_holds() -> None:
    assert update_range(None, None, 200, 20) == range(0, 200)
    assert update_range("3:5", None, 200, 20) == range(604, 800)
    assert update_range("0:1", "19:200", 200, 20, limit=4000) == range(4000)
    with pytest.raises(TraceError, match="4,000 updates, more than the limit of 3,999"):
        update_range("0:1", "19:200", 200, 20, limit=3999)
    with pytest.raises(TraceError, match="no update"):
        update_range(None, None, 200, 0)


def test_cli_writes_a_file_atomically_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    proc = run("trace", "--to", "0:3", "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(target.open()))
    assert len(rows) == 4 and "W1[0,1]" in rows[0]  # .csv chose the format
    assert sorted(os.listdir(tmp_path)) == ["t.csv"]  # no temporary file left behind
    before = target.read_bytes()
    proc = run("trace", "--to", "0:5", "-o", str(target))
    assert proc.returncode == 2 and "already exists" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and target.read_bytes() == before
    proc = run("trace", "--to", "0:5", "-o", str(target), "--force", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x)["sample"] for x in target.read_text().splitlines()] == [1, 2, 3, 4, 5]
    assert sorted(os.listdir(tmp_path)) == ["t.csv"]


def test_cli_bad_input_is_one_line(tmp_path: Path) -> None:
    for args in (["--from", "3:0"], ["--from", "2:1", "--to", "1:1"], ["--to", "20:1"],
                 ["--from", "x"], ["--max-updates", "0"], ["--format", "xml"],
                 ["-o", str(tmp_path / "no" / "dir.jsonl")]):
        proc = run("trace", *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr, args
        assert proc.stderr.startswith("backprop-tui: error:")
    assert not (tmp_path / "no").exists()


def test_cli_broken_pipe_is_quiet() -> None:
    """`trace ... | head -1`: the reader leaves early; no traceback, no noise."""
    proc = subprocess.Popen([sys.executable, "-m", "backprop_tui", "trace", "--to", "19:200"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert json.loads(first)["update"] == 0
    assert err == b""


def test_cli_stdout_equals_the_library(tmp_path: Path) -> None:
    proc = run("trace", "--dataset", "iris", "--normalize", "--shuffle", "--from", "1:7",
               "--to", "1:9", "-o", "-")
    assert proc.returncode == 0, proc.stderr
    session = build_session(DataOptions("iris", normalize=True), TrainConfig(shuffle=True))
    want = jsonl_of(session, range(session.n + 6, session.n + 9))
    assert [json.loads(x) for x in proc.stdout.splitlines()] == want


def test_a_diverging_run_is_traced_up_to_its_divergence(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("a,t\n" + "0,0.5\n" * 5 + "1,1e300\n")
    proc = run("trace", "--dataset", str(data), "--test-fraction", "0", "--lr", "1e10",
               "--to", "1:6")
    assert proc.returncode == 3, proc.stderr
    lines = proc.stdout.splitlines()
    assert 1 <= len(lines) < 12 and "diverged" in proc.stderr
    last = json.loads(lines[-1])
    assert last["update"] == len(lines) - 1 and "null" in lines[-1]  # non-finite: null


def test_export_sample_writes_what_is_computed_so_far(tmp_path: Path) -> None:
    session = build_session(DataOptions(), TrainConfig())
    session.goto(201, PHASE_INDEX["dW2"])
    name = sample_file_name(session)
    assert name == "sample-e1-s2-dW2.json"
    path = export_sample(session, tmp_path / name)
    doc = json.loads(path.read_text())
    assert (doc["epoch"], doc["sample"], doc["update"], doc["phase"]) == (1, 2, 201, "dW2")
    assert "dW2" in doc["values"] and "delta1" not in doc["values"]
    assert np.array_equal(doc["values"]["W1"], session.values["W1"])
    assert doc["values"]["L"] == session.values["L"]
    before = path.read_bytes()
    session.goto(0, 0)
    with pytest.raises(WriteError, match="already exists"):
        export_sample(session, path)
    assert path.read_bytes() == before
    export_sample(session, path, overwrite=True)
    assert json.loads(path.read_text())["values"].keys() == {"x", "y", "W1", "b1", "W2", "b2"}
    assert sorted(os.listdir(tmp_path)) == [name]


def test_a_device_or_folder_is_never_replaced(tmp_path: Path) -> None:
    for target in (os.devnull, str(tmp_path)):
        proc = run("trace", "--to", "0:1", "-o", target, "--force")
        assert proc.returncode == 2 and "not a regular file" in proc.stderr, proc.stderr
    assert Path(os.devnull).is_char_device()
    with pytest.raises(WriteError, match="not a regular file"):
        export_sample(build_session(DataOptions(), TrainConfig()), tmp_path, overwrite=True)


def test_trace_never_imports_textual(tmp_path: Path) -> None:
    code = ("import sys; from backprop_tui.cli import main; "
            f"assert main(['trace', '--to', '0:2', '-o', {str(tmp_path / 't.jsonl')!r}]) == 0; "
            "assert not [m for m in sys.modules if m.startswith('textual')]")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert len((tmp_path / "t.jsonl").read_text().splitlines()) == 2


def test_cli_traces_a_saved_session_with_its_edits(tmp_path: Path) -> None:
    """`trace --load FILE`: the run as the app left it, edits included."""
    from backprop_tui.core.files.savefile import SavedEdit, save, state_of

    data = DataOptions()
    session = build_session(data, TrainConfig())
    session.goto(5)
    session.edit("lr = 0.25")
    session.goto(7)
    session.edit("W1[0,1] = 2")
    path = save(tmp_path / "s.json", state_of(session, data, edits=tuple(
        SavedEdit(e.update, e.text) for e in session.edits)))
    proc = run("trace", "--load", str(path), "--to", "0:10")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [r["lr"] for r in records] == [0.5] * 5 + [0.25] * 5
    assert records[7]["W1"][0][1] == 2.0
    assert records == jsonl_of(session, range(10))
    proc = run("trace", "--load", str(path), "--hidden", "3")
    assert proc.returncode == 2 and "drop --hidden" in proc.stderr


def test_a_from_far_into_the_run_is_one_line_at_once() -> None:
    """`--from 999999999:1` meant ~2*10^11 updates of silent work (issue 17): bounded as
    the app's go-to is, and said before any work is done."""
    from backprop_tui.core.debugger.places import MAX_AHEAD

    proc = run("trace", "--epochs", "1000000000", "--from", "999999999:1")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"backprop-tui: error: --from 999999999:1: update 199,999,999,800 lies more than "
        f"{MAX_AHEAD:,} updates into the run, the most a trace (like the app's go-to) "
        f"computes to get there (--from {MAX_AHEAD // 200}:1 or earlier)"]
    assert update_range(f"{MAX_AHEAD // 200}:1", None, 200, 10**9)[0] == MAX_AHEAD
    with pytest.raises(TraceError, match="more than"):
        update_range(f"{MAX_AHEAD // 200}:2", None, 200, 10**9)


def test_the_way_to_from_is_run_at_once_with_progress(monkeypatch, capsys) -> None:
    """The run up to --from is computed before the first record, with progress on stderr
    past a second (here at once) and the same records as stepping there."""
    from backprop_tui import progress
    from backprop_tui.cli import main

    monkeypatch.setattr(progress, "DELAY_S", 0.0)
    ran: list[int] = []
    real = Session.run_to
    monkeypatch.setattr(Session, "run_to", lambda self, target, *a: ran.append(target)
                        or real(self, target, *a))
    assert main(["trace", "--epochs", "400", "--from", "300:7", "--to", "300:8"]) == 0
    out, err = capsys.readouterr()
    assert ran == [300 * 200 + 6]
    assert "computing the run up to --from 300:7 (update 60,006)" in err
    assert err.splitlines()[-1].startswith("backprop-tui: computing the run up to --from "
                                           "300:7 (update 60,006): done in ")
    session = build_session(DataOptions(), TrainConfig(epochs=400))
    assert [json.loads(x) for x in out.splitlines()] == jsonl_of(session, range(60006, 60008))


def test_trace_load_does_not_compute_the_saved_place(tmp_path: Path, monkeypatch,
                                                     capsys) -> None:
    """`trace --load` goes where its range says; the saved cursor is not computed."""
    from dataclasses import replace

    from backprop_tui.cli import main
    from backprop_tui.core.debugger.places import MAX_AHEAD
    from backprop_tui.core.files.savefile import SavedEdit, SavedPlace, save, state_of
    from backprop_tui.core.run.timeline import Timeline

    data = DataOptions()
    session = build_session(data, TrainConfig())
    state = replace(state_of(session, data), cursor=SavedPlace(MAX_AHEAD, 3),
                    edits=(SavedEdit(500, "lr = 0.25"),))
    path = save(tmp_path / "far.json", state)
    real = Timeline.advance

    def advance(self, to_u, *args):
        assert to_u <= 1000, f"computed up to update {to_u}"
        return real(self, to_u, *args)

    monkeypatch.setattr(Timeline, "advance", advance)
    assert main(["trace", "--load", str(path), "--from", "2:1", "--to", "2:200"]) == 0
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["update"] for r in records] == list(range(400, 600))
    assert [r["lr"] for r in records] == [0.5] * 100 + [0.25] * 100
    path = save(tmp_path / "too-far.json", replace(state, cursor=SavedPlace(MAX_AHEAD + 1, 3)))
    assert main(["trace", "--load", str(path), "--to", "0:2"]) == 0  # unused, not refused


def test_an_empty_output_path_is_said_to_be_empty(tmp_path: Path) -> None:
    """-o '' was read as '.', and '.: already exists' came out."""
    proc = run("trace", "--to", "0:1", "-o", "", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr == ("backprop-tui: error: -o: the path is empty; give a file name, "
                           "or - for standard output\n")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(WriteError, match="the path is empty"):
        write_atomic("", lambda out: out.write("x"))


def test_an_empty_load_path_is_said_to_be_empty() -> None:
    proc = run("trace", "--to", "0:1", "--load", "")
    assert proc.returncode == 2 and proc.stderr == (
        "backprop-tui: error: --load: the path is empty; give a saved session file\n")
