"""Saved sessions: the format, atomic writes, every refusal as one line, and the round trip.

A save must come back as the very session (config, dataset, cursor: the same bits at
the same place); a file that is corrupt, from another format, or whose data changed
must be refused in words, and a failing write must leave the old file as it was.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from backprop_tui.core.files import savefile
from backprop_tui.core.files.atomic import WriteError
from backprop_tui.core.files.savefile import (
    FORMAT_VERSION,
    SavedBreakpoint,
    SavedEdit,
    SavedPlace,
    SaveFileError,
    SessionState,
    data_sha256,
    load,
    restore,
    save,
    state_of,
)
from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

CSV = "a,b,t\n" + "".join(f"{i % 7 / 7},{i % 5 / 5},{i % 4 / 4}\n" for i in range(40))


def saved_state(data: DataOptions, config: TrainConfig, update: int, phase: int,
                **extra) -> tuple[Session, SessionState]:
    session = build_session(data, config)
    session.goto(update, phase)
    return session, state_of(session, data, **extra)


def test_the_document_holds_what_the_format_says(tmp_path: Path) -> None:
    _, state = saved_state(DataOptions("iris", normalize=True),
                           TrainConfig(hidden=3, lr=0.25, shuffle=True), 130, 7,
                           breakpoints=(SavedBreakpoint("L < 0.01"),
                                        SavedBreakpoint("epoch == 3", False)),
                           watches=("W2[0,1]", "L"), edits=(SavedEdit(5, "W1[0,1] = 0.5"),))
    path = save(tmp_path / "s.json", state)
    doc = json.loads(path.read_text())
    assert doc["format"] == "backprop-tui session" and doc["format_version"] == FORMAT_VERSION
    assert doc["program_version"] == savefile.__version__
    assert doc["config"] == {"hidden": 3, "lr": 0.25, "epochs": 20, "seed": 42,
                             "init_scale": 0.1, "shuffle": True, "activation": "sigmoid",
                             "output": None, "loss": None}
    assert doc["dataset"]["source"] == "iris" and doc["dataset"]["normalize"] is True
    assert len(doc["dataset"]["sha256"]) == 64
    assert doc["edits"] == [{"update": 5, "text": "W1[0,1] = 0.5"}]
    assert doc["breakpoints"] == [{"text": "L < 0.01", "enabled": True},
                                  {"text": "epoch == 3", "enabled": False}]
    assert doc["watches"] == ["W2[0,1]", "L"]
    assert doc["cursor"] == {"update": 130, "phase": 7}
    assert load(path) == state


@pytest.mark.parametrize("case", ["lab", "iris-shuffle", "csv"])
def test_round_trip_resumes_the_same_session(tmp_path: Path, case: str, monkeypatch) -> None:
    (tmp_path / "d.csv").write_text(CSV)
    monkeypatch.chdir(tmp_path)
    data, config = {
        "lab": (DataOptions(), TrainConfig(epochs=3)),
        "iris-shuffle": (DataOptions("iris", normalize=True, test_fraction=0.3),
                         TrainConfig(shuffle=True, seed=7, hidden=4)),
        "csv": (DataOptions("d.csv", inputs="a,b", target="t"), TrainConfig(lr=1.5)),
    }[case]
    session, state = saved_state(data, config, 2 * build_session(data, config).n + 17, 9,
                                 watches=("L",))
    path = save(tmp_path / "s.json", state)
    monkeypatch.chdir(tmp_path.parent)  # a CSV saved by a relative name resumes elsewhere
    again, loaded = restore(load(path))
    assert loaded == state and again.config == session.config
    assert again.cursor == session.cursor
    assert data_sha256(again.dataset) == data_sha256(session.dataset)
    for name, value in session.values.items():
        assert np.array_equal(again.values[name], value), name


def test_an_existing_file_is_never_replaced_unless_asked(tmp_path: Path) -> None:
    _, state = saved_state(DataOptions(), TrainConfig(), 3, 1)
    path = tmp_path / "s.json"
    path.write_text("precious")
    with pytest.raises(WriteError, match="already exists"):
        save(path, state)
    assert path.read_text() == "precious"
    save(path, state, overwrite=True)
    assert load(path) == state
    assert sorted(os.listdir(tmp_path)) == ["s.json"]  # no temporary file left


def test_a_failing_write_leaves_the_original_and_no_temporary(tmp_path: Path,
                                                              monkeypatch) -> None:
    _, state = saved_state(DataOptions(), TrainConfig(), 3, 1)
    path = tmp_path / "s.json"
    save(path, state)
    before = path.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(WriteError, match="No space left on device") as err:
        save(path, replace(state, watches=("L",)), overwrite=True)
    assert "\n" not in str(err.value)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["s.json"]


def test_an_interrupted_write_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    _, state = saved_state(DataOptions(), TrainConfig(), 3, 1)
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        save(tmp_path / "s.json", state)
    assert os.listdir(tmp_path) == []


def test_writing_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    _, state = saved_state(DataOptions(), TrainConfig(), 0, 0)
    with pytest.raises(WriteError, match="cannot write in") as err:
        save(tmp_path / "no" / "s.json", state)
    assert "\n" not in str(err.value)


def good_doc() -> dict:
    _, state = saved_state(DataOptions(), TrainConfig(), 3, 1, watches=("L",),
                           breakpoints=(SavedBreakpoint("L > 1"),))
    return savefile.to_json(state)


def corrupt(doc: dict, path: str, value: object) -> dict:
    *parents, last = path.split(".")
    node = doc
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return doc


BAD: list[tuple[str, object, str]] = [
    ("format", "something else", "not a backprop-tui session file"),
    ("format_version", 2, "format version 2"),
    ("format_version", KeyError, "format version None"),
    ("config", KeyError, "the field 'config' is missing"),
    ("config.lr", "fast", "the field 'lr' must be a number, not str"),
    ("config.lr", -1, "learning rate must be a finite number > 0"),
    ("config.hidden", 2.5, "the field 'hidden' must be a whole number, not float"),
    ("config.hidden", True, "must be a whole number, not bool"),
    ("config.hidden", 10**6, "hidden units must be between 1 and 1000"),
    ("config.shuffle", 1, "the field 'shuffle' must be true or false"),
    ("dataset.sha256", "abc", "64 lowercase hex digits"),
    ("dataset.source", "", "'source' must be lab, iris"),
    ("dataset.normalize", KeyError, "the field 'normalize' is missing"),
    ("dataset.test_fraction", "0.2", "must be a number or null"),
    ("edits", {"update": 1}, "the field 'edits' must be a list"),
    ("edits", [{"update": -1, "text": "lr = 1"}], "'update' must be in 0..1,000,000,000"),
    ("edits", [{"update": 1}], "edits[0]: the field 'text' is missing"),
    ("edits", [{"update": 1, "text": "x" * 5000}], "longer than 1000 characters"),
    ("breakpoints", ["L > 1"], "breakpoints[0] must be an object"),
    ("breakpoints.0.enabled", "yes", "must be true or false"),
    ("watches", [3], "watches[0] must be text"),
    ("cursor.phase", 11, "'phase' must be in 0..10"),
    ("cursor.update", 10**12, "must be in 0..1,000,000,000"),
    ("cursor", KeyError, "the field 'cursor' is missing"),
]


@pytest.mark.parametrize(("where", "value", "words"), BAD, ids=[f"{w}={v!r}"[:40]
                                                                for w, v, _ in BAD])
def test_every_bad_field_is_one_line(tmp_path: Path, where: str, value: object,
                                     words: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(corrupt(good_doc(), where, value)))
    with pytest.raises(SaveFileError) as err:
        load(path)
    message = str(err.value)
    assert words in message and str(path) in message and "\n" not in message, message


@pytest.mark.parametrize(("content", "words"), [
    (b"", "invalid JSON at line 1"),
    (b'{"format": "backprop-tui session", "format_ver', "invalid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[1, 2]", "not a backprop-tui session file"),
    (b'{"format": "backprop-tui session", "format_version": NaN}', "non-finite number NaN"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
], ids=["empty", "cut", "binary", "list", "nan", "deep"])
def test_corrupt_files_are_one_line(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(SaveFileError) as err:
        load(path)
    assert words in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(("key", "item", "count", "words"), [
    ("breakpoints", {"text": "L > 1", "enabled": True}, 400_000,
     "400,000 breakpoints; a session holds at most 32"),
    ("watches", "L", 1_000_000, "1,000,000 watches; a session holds at most 16"),
    ("breakpoints", {"text": "L > 1", "enabled": True}, 33,
     "33 breakpoints; a session holds at most 32"),
    ("watches", "L", 17, "17 watches; a session holds at most 16"),
])
def test_too_many_breakpoints_or_watches_are_refused_while_reading(
        tmp_path: Path, key: str, item: object, count: int, words: str) -> None:
    """Counted before anything is built: 400k breakpoints under the 16 MiB cap took the
    app 10-19 s and 664 MB to say "not restored"; now one line from load, at once."""
    doc = good_doc()
    doc[key] = [item] * count
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    assert path.stat().st_size < savefile.MAX_BYTES
    with pytest.raises(SaveFileError) as err:
        load(path)
    assert str(err.value).startswith(f"{path}: {words}") and "\n" not in str(err.value)


def test_the_most_breakpoints_and_watches_are_read() -> None:
    doc = good_doc()
    doc["breakpoints"] = [{"text": f"sample == {i}", "enabled": True} for i in range(32)]
    doc["watches"] = [f"W1[0,0] + {i}" for i in range(16)]
    from backprop_tui.core.files.savecheck import state_from_json

    state = state_from_json(doc, "s.json")
    assert len(state.breakpoints) == 32 and len(state.watches) == 16


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """Windows editors save UTF-8 with a BOM; it was 'invalid JSON at line 1'."""
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(good_doc()).encode())
    assert load(path).watches == ("L",)


@pytest.mark.parametrize("content", [
    "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin\n",
    "secret-token-123\n",
    "name,secret\nalice,hunter2\n",
    "a,b,t\n1,2,3\n4,5,oops-secret\n",
])
def test_a_source_that_is_not_its_data_is_named_never_quoted(tmp_path: Path,
                                                             content: str) -> None:
    """A session file can point anywhere (/etc/passwd): the error names the path and never
    shows what is in the file (its first line came out as the column names)."""
    target = tmp_path / "private.txt"
    target.write_text(content)
    doc = good_doc()
    doc["dataset"]["source"] = str(target)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SaveFileError) as err:
        restore(load(path))
    message = str(err.value)
    assert str(target) in message and "\n" not in message
    for word in ("root", "secret", "hunter2", "alice", "token", "oops"):
        assert word not in message.replace(str(target), ""), message


def test_truncated_save_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    text = json.dumps(good_doc(), indent=2)
    path.write_text(text[: len(text) // 2])
    with pytest.raises(SaveFileError, match="truncated"):
        load(path)


def test_missing_too_big_and_not_regular_files(tmp_path: Path) -> None:
    with pytest.raises(SaveFileError, match="file not found"):
        load(tmp_path / "nope.json")
    with pytest.raises(SaveFileError, match="not a regular file"):
        load(tmp_path)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (savefile.MAX_BYTES + 1))
    with pytest.raises(SaveFileError, match="16 MiB limit"):
        load(big)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(SaveFileError, match="not a regular file"):
        load(fifo)  # opened without blocking, though no one writes


def test_changed_data_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text(CSV)
    data = DataOptions(str(csv))
    _, state = saved_state(data, TrainConfig(), 5, 0)
    path = save(tmp_path / "s.json", state)
    csv.write_text(CSV.replace("0.5", "0.25", 1))
    with pytest.raises(SaveFileError, match="the data changed since it was saved"):
        restore(load(path))
    csv.unlink()
    with pytest.raises(SaveFileError, match="cannot rebuild the saved dataset: .*not found"):
        restore(load(path))


def test_another_seed_is_other_data(tmp_path: Path) -> None:
    """The split and the lab's rows depend on the seed: the hash sees it."""
    _, state = saved_state(DataOptions(), TrainConfig(), 5, 0)
    with pytest.raises(SaveFileError, match="the data changed"):
        restore(replace(state, config=replace(state.config, seed=43)))


def test_edits_are_replayed_in_order_then_the_cursor() -> None:
    """The real edits, redone: the same run bit for bit, progress told on the way."""
    _, state = saved_state(DataOptions(), TrainConfig(), 300, 4)
    state = replace(state, edits=(SavedEdit(10, "W1[0,1] = 0.5"), SavedEdit(12, "b2 = [0]"),
                                  SavedEdit(250, "lr = 0.1")))
    seen: list[tuple[int, int]] = []
    session, back = restore(state, progress=lambda done, total: seen.append((done, total)))
    assert [(e.update, e.text) for e in session.edits] == [(e.update, e.text)
                                                           for e in state.edits]
    assert (session.cursor.update, session.cursor.phase) == (300, 4) and back is state
    assert session.lr == 0.1 and seen and seen[-1] == (300, 300)
    by_hand = build_session(DataOptions(), TrainConfig())
    by_hand.apply_edits([(10, "W1[0,1] = 0.5"), (12, "b2 = [0]"), (250, "lr = 0.1")])
    by_hand.goto(300, 4)
    assert by_hand.params.equals(session.params)
    with pytest.raises(SaveFileError, match=r"edit 2 \('W9 = 1'\): unknown name 'W9'"):
        restore(replace(state, edits=(SavedEdit(1, "lr = 1"), SavedEdit(2, "W9 = 1"))))


def test_edits_out_of_order_are_refused_not_silently_dropped() -> None:
    """A later edit at an earlier update would discard the first one: a hand-edited file
    that does so is said to be wrong, in one line."""
    _, state = saved_state(DataOptions(), TrainConfig(), 3, 0)
    with pytest.raises(SaveFileError, match=r"out of order \('lr = 0.2' at update 100 "
                                            r"follows 'lr = 0.1' at 300\)"):
        restore(replace(state, edits=(SavedEdit(300, "lr = 0.1"), SavedEdit(100, "lr = 0.2"))))


def test_a_cursor_beyond_a_diverged_run_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("a,t\n" + "0,0.5\n" * 5 + "1,1e300\n")
    data = DataOptions(str(csv), test_fraction=0.0)
    _, state = saved_state(data, TrainConfig(lr=1e10), 0, 0)
    with pytest.raises(SaveFileError, match="beyond the run's end"):
        restore(replace(state, cursor=SavedPlace(100, 0)))


def test_a_place_beyond_the_go_to_bound_is_refused_before_any_work(monkeypatch) -> None:
    """A cursor or an edit past the app's go-to bound (10^8 updates) is one line, at once:
    resuming a place 10^9 updates in took 80-100 s of silence (issue 17)."""
    from backprop_tui.core.debugger.places import MAX_AHEAD
    from backprop_tui.core.run.timeline import Timeline

    _, state = saved_state(DataOptions(), TrainConfig(), 5, 0)
    monkeypatch.setattr(Timeline, "advance", lambda *a: pytest.fail("the run was computed"))
    with pytest.raises(SaveFileError, match=rf"^the saved place \(update 100,000,001\) lies "
                       rf"more than {MAX_AHEAD:,} updates into the run"):
        restore(replace(state, cursor=SavedPlace(MAX_AHEAD + 1, 0)))
    with pytest.raises(SaveFileError, match=r"^an edit \(at update 100,000,001\) lies more"):
        restore(replace(state, edits=(SavedEdit(MAX_AHEAD + 1, "lr = 0.1"),)), to_cursor=False)


def test_without_the_cursor_the_run_stops_at_the_last_edit() -> None:
    """`trace --load` needs the edits, not the saved place."""
    _, state = saved_state(DataOptions(), TrainConfig(), 50_000, 4)
    state = replace(state, edits=(SavedEdit(10, "W1[0,1] = 0.5"), SavedEdit(250, "lr = 0.1")))
    session, _ = restore(state, to_cursor=False)
    assert session.timeline.head == 250 and session.cursor.update == 250
    assert [e.text for e in session.edits] == ["W1[0,1] = 0.5", "lr = 0.1"]


def test_a_far_place_is_reached_by_the_compiled_kernel_with_progress() -> None:
    """The fast path of a long run (numba when installed), progress told on the way."""
    from backprop_tui.core.run import engine

    _, state = saved_state(DataOptions(), TrainConfig(), 0, 0)
    seen: list[tuple[int, int]] = []
    session, _ = restore(replace(state, cursor=SavedPlace(2_000_000, 2)),
                         progress=lambda done, total: seen.append((done, total)))
    assert (session.cursor.update, session.cursor.phase) == (2_000_000, 2)
    assert seen[-1] == (2_000_000, 2_000_000) and len(seen) > 100
    if engine.numba_installed() and engine.setting() == "auto":
        assert "numba" in session.timeline.kernels_used


def test_the_command_line_refuses_a_far_save_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    from backprop_tui.core.debugger.places import MAX_AHEAD

    _, state = saved_state(DataOptions(), TrainConfig(), 5, 0)
    path = save(tmp_path / "far.json", replace(state, cursor=SavedPlace(MAX_AHEAD + 1, 0)))
    for command in ([], ["trace", "--to", "0:1"]):
        if command:  # trace needs no cursor: an edit that far is what it refuses
            path = save(tmp_path / "far-edit.json",
                        replace(state, edits=(SavedEdit(MAX_AHEAD + 1, "lr = 0.1"),)))
        proc = subprocess.run([sys.executable, "-m", "backprop_tui", *command, "--load",
                               str(path)], capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == [
            f"backprop-tui: error: {path}: {'an edit' if command else 'the saved place'} "
            f"(at update 100,000,001) lies more than {MAX_AHEAD:,} updates into the run, the "
            f"most a resume (like the app's go-to) computes to get there".replace(
                "place (at update", "place (update")]


def test_a_file_with_more_edits_than_a_run_keeps_is_refused_as_it_is_read(tmp_path: Path) -> None:
    """A run keeps at most 1000 edits; a file with 200,000 is refused before any is replayed."""
    _, state = saved_state(DataOptions(), TrainConfig(), 0, 0)
    doc = savefile.to_json(state)
    doc["edits"] = [{"update": 0, "text": "lr = 0.1"}] * 200_000
    path = tmp_path / "edits.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SaveFileError, match="200,000 edits; a session holds at most 1000"):
        savefile.load(path)
