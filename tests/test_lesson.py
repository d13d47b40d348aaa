"""Lesson files: a good one reads, each mistake is one line naming the stop, the
shipped lab lesson's every stop is reachable and says what is true there, and
ctrl+l's append keeps a file a lesson (or leaves it alone).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from backprop_tui.core.debugger.breakpoints import Breakpoints, run_until
from backprop_tui.core.debugger.conditions import parse_net
from backprop_tui.core.files.savefile import state_of
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session
from backprop_tui.paths import PathError
from backprop_tui.teach.lesson import (
    MAX_STOPS,
    LessonError,
    parse_lesson,
    place_text,
    shipped,
    state_at,
)
from backprop_tui.teach.lessonfile import append_stop, check_lesson, load_lesson
from backprop_tui.teach.mirror import Mirror

GOOD = '''
title = "Two stops"
[[stop]]
place = "0 1 z1"
note = """z1 = W1 x + b1.
Two lines."""
question = "What shape is z1?"

[[stop]]
epoch = 2
sample = 5
phase = "dW2"
note = "later"
options = { lr = 1, shuffle = true }
edits = ["W1[0,1] = 0.5"]
breakpoints = ["L < 0.01"]
'''


def lab():
    data = DataOptions("lab")
    session = build_session(data, TrainConfig())
    return session, state_of(session, data)


def test_a_good_lesson_reads_and_folds_into_states() -> None:
    lesson = parse_lesson(GOOD)
    assert lesson.title == "Two stops" and len(lesson.stops) == 2
    first, second = lesson.stops
    assert (first.place, first.note, first.question) == (
        "0 1 z1", "z1 = W1 x + b1.\nTwo lines.", "What shape is z1?")
    assert second.place == "2 5 dW2" and second.options == (("lr", 1.0), ("shuffle", True))
    session, base = lab()
    check_lesson(lesson, session)
    one, two = state_at(lesson, 0, base, session), state_at(lesson, 1, base, session)
    assert (one.cursor.update, one.cursor.phase, one.edits) == (0, 1, ())
    assert (two.cursor.update, two.cursor.phase) == (404, 7)
    assert two.config.lr == 1.0 and two.config.shuffle and two.edits[0].update == 404
    assert [b.text for b in two.breakpoints] == ["L < 0.01"]
    session = Mirror().apply(two)
    assert place_text(session) == "2 5 dW2" and session.lr == 1.0


BAD = {
    "x = [": "not valid TOML",
    'title = "t"': "no stops",
    'tilte = "t"\n[[stop]]\nplace = "0 1"\nnote = "n"': "unknown entry 'tilte'",
    '[[stop]]\nnote = "n"': "stop 1: no place",
    '[[stop]]\nplace = "0"\nnote = "n"': "place must be 'epoch sample [phase]'",
    '[[stop]]\nplace = "0 x"\nnote = "n"': "stop 1: sample must be a whole number",
    '[[stop]]\nplace = "0 0"\nnote = "n"': "sample must be a whole number from 1",
    '[[stop]]\nplace = "0 1 ../x"\nnote = "n"': "is not a phase's name or number",
    '[[stop]]\nplace = "0 1"': "stop 1: no note",
    '[[stop]]\nplace = "0 1"\nnote = "a\\nb\\nc\\nd"': "4 lines, at most 3",
    '[[stop]]\nplace = "0 1"\nnote = "' + "w" * 201 + '"': "a line of 201 characters",
    '[[stop]]\nplace = "0 1"\nnote = "\\u001b[2J"': "control or invisible character U+001B",
    '[[stop]]\nplace = "0 1"\nnote = "n"\nnotes = "m"': "unknown entry 'notes' (did you mean",
    '[[stop]]\nplace = "0 1"\nnote = "n"\noptions = { seed = 3 }': "option 'seed' cannot",
    '[[stop]]\nplace = "0 1"\nnote = "n"\noptions = { lr = "big" }': "lr must be float",
    '[[stop]]\nplace = "0 1"\nnote = "n"\noptions = { lr = -1.0 }': "learning rate must be",
    '[[stop]]\nplace = "0 1"\nnote = "n"\nedits = "lr = 1"': "edits must be a list",
    '[[stop]]\nplace = "0 1"\nnote = "n"\nplace2 = 1\nepoch = 0': "unknown entry 'place2'",
    '[[stop]]\nplace = "0 1"\nepoch = 0\nnote = "n"': "not both",
    "[[stop]]\nplace = '0 1'\nnote = 'n'\n" * (MAX_STOPS + 1): f"at most {MAX_STOPS}",
    "# " + "x" * 70_000: "65,536-byte limit",
}


@pytest.mark.parametrize("text", list(BAD))
def test_each_mistake_is_one_line(text: str) -> None:
    with pytest.raises(LessonError) as err:
        parse_lesson(text, "l.toml")
    said = str(err.value)
    assert BAD[text] in said and said.startswith("l.toml") and "\n" not in said


@pytest.mark.parametrize("stop, words", [
    ('place = "0 1 dW7"', "unknown phase 'dW7'"),
    ('place = "0 999"', "an epoch has samples 1 to 200"),
    ('place = "0 1"\nedits = ["W3[0] = 1"]', "W3"),
    ('place = "0 1"\nbreakpoints = ["L"]', "is a value, not a condition"),
])
def test_a_lesson_is_checked_against_the_session(stop: str, words: str) -> None:
    lesson = parse_lesson(f'[[stop]]\n{stop}\nnote = "n"')
    with pytest.raises(LessonError) as err:
        check_lesson(lesson, lab()[0])
    assert words in str(err.value) and str(err.value).startswith("lesson: stop 1")


def test_the_shipped_lab_lesson_reaches_every_stop_and_tells_the_truth() -> None:
    lesson = shipped("lab")
    session, base = lab()
    check_lesson(lesson, session)
    phases = [s.phase for s in lesson.stops[:11]]
    assert phases == [p.key for p in session.net.phases]  # the first sample's 11 phases
    assert any("(2, 2)" in s.note and "(2, 1)" in s.note for s in lesson.stops)
    mirror = Mirror()
    sessions = []
    for i, stop in enumerate(lesson.stops):
        state = state_at(lesson, i, base, session)
        moved = mirror.apply(state)
        c = moved.cursor
        assert place_text(moved) == stop.place and (c.update, c.phase) == (
            state.cursor.update, state.cursor.phase)
        assert 1 <= len(stop.note.splitlines()) <= 3
        sessions.append((state, moved.values))
    *_, (diverging, _), (_, at_y_hat), (_, at_inf) = sessions
    assert float(at_y_hat["y_hat"][0]) == pytest.approx(-24.01, abs=0.01)
    assert math.isinf(at_inf["L"])
    # The breakpoint the lesson sets is what finds the stop where L is inf.
    found = Mirror().apply(diverging)
    marks = Breakpoints()
    for b in diverging.breakpoints:
        marks.add(parse_net(b.text, found.net))
    stop = run_until(found, marks, 20 * found.n)
    assert stop.reason == "breakpoint" and place_text(found) == lesson.stops[-1].place
    # ... and the last note's claim: the lab's own sigmoid output trains at η = 5.
    calm = build_session(DataOptions("lab"), TrainConfig(lr=5.0))
    assert calm.run_epochs(20).divergence is None


def test_ctrl_l_appends_a_stop_and_keeps_the_file_a_lesson(tmp_path: Path) -> None:
    path = append_stop("class.toml", tmp_path, "0 1 z1", "look at z1\n", "why?")
    assert path == tmp_path / "class.toml"
    append_stop("class.toml", tmp_path, "3 17 dW2", 'a "quoted" note\nwith ünïcode')
    lesson = load_lesson(path)
    assert [s.place for s in lesson.stops] == ["0 1 z1", "3 17 dW2"]
    assert lesson.stops[0].question == "why?"
    assert lesson.stops[1].note == 'a "quoted" note\nwith ünïcode'
    notes = tmp_path / "notes.toml"
    notes.write_text("my notes, not TOML [")
    with pytest.raises(LessonError, match="not valid TOML"):
        append_stop("notes.toml", tmp_path, "0 1", "n")
    assert notes.read_text() == "my notes, not TOML ["
    with pytest.raises(PathError):
        append_stop("../out.toml", tmp_path, "0 1", "n")
    with pytest.raises(LessonError, match="4 lines"):
        append_stop("class.toml", tmp_path, "0 1", "a\nb\nc\nd")
    with pytest.raises(LessonError, match="empty"):
        append_stop("class.toml", tmp_path, "0 1", "\n")
    assert len(load_lesson(path).stops) == 2
    with pytest.raises(LessonError, match="file not found"):
        load_lesson(tmp_path / "none.toml")
