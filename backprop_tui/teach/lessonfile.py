"""Lesson files on disk: reading one within bounds, checking it against a session, and
adding a stop (the app's ctrl+l) without ever leaving half a file.

Adding a stop rewrites the file through a temporary file and a rename
(:func:`~..core.atomic.write_atomic`) in a folder the user's typed name cannot
leave (:func:`~..paths.inside`, the app's ``--files-dir``). An existing file must
read as a lesson first: ctrl+l on a name that is someone's notes refuses rather
than appends to it, and what is written must read back as a lesson too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..core.files.atomic import read_regular, write_atomic
from ..core.run.session import Session
from .lesson import MAX_BYTES, MAX_STOPS, Lesson, LessonError, parse_lesson, place_of
from .protocol import LINE_CHARS, NOTE_LINES, ProtocolError, check_text

__all__ = ["append_stop", "check_lesson", "load_lesson"]

HEADER = ("# A backprop-tui lesson: teach --lesson FILE shows each stop's note; ] and [ move.\n"
          "# Each [[stop]]: place = \"epoch sample phase\", note = \"one to three lines\".\n")


def _read(path: Path) -> str:
    """The file's text: a regular UTF-8 file of at most MAX_BYTES, or LessonError."""
    data = read_regular(path, MAX_BYTES, LessonError, "a lesson (.toml)")
    if len(data) > MAX_BYTES:
        raise LessonError(f"{path}: more than a lesson's {MAX_BYTES:,}-byte limit")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LessonError(f"{path}: not UTF-8 text; a lesson is a TOML file") from None


def load_lesson(path: Path | str) -> Lesson:
    """Read and check the lesson file at ``path``; LessonError (one line) naming it."""
    if not str(path).strip():
        raise LessonError("--lesson: the path is empty; give a lesson file (.toml)")
    path = Path(path)
    return parse_lesson(_read(path), str(path))


def check_lesson(lesson: Lesson, session: Session, where: str = "lesson") -> None:
    """Every stop's place, edits and breakpoints make sense in ``session``'s network
    (phase names, parameter shapes, condition names): said before the class starts."""
    from ..core.debugger.breakpoints import Breakpoints
    from ..core.debugger.conditions import parse_net
    from ..core.debugger.edits import parse_edit

    for i, stop in enumerate(lesson.stops, 1):
        at = f"{where}: stop {i}"
        place_of(stop, session, at)
        try:
            for text in stop.edits:
                parse_edit(text, session.arch.param_shapes)
            for text in stop.breakpoints:
                Breakpoints().add(parse_net(text, session.net))
        except ValueError as err:
            raise LessonError(f"{at}: {err}") from None


def _toml(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (the text was checked: no DEL)."""
    return json.dumps(text, ensure_ascii=False)


def append_stop(name: str, root: Path | str, place: str, note: str,
                question: str | None = None) -> Path:
    """Add a stop (``place``, ``note``, optional ``question``) at the end of the lesson
    file ``name`` inside ``root`` (made if missing). Returns the path; LessonError or
    PathError / WriteError (one line) when it cannot be done, the file then unchanged."""
    from ..paths import inside

    path = inside(name, root)
    try:
        note = check_text(note.strip("\n"), "the note", lines=NOTE_LINES, width=LINE_CHARS)
        if question is not None:
            question = check_text(question.strip("\n"), "the question", lines=NOTE_LINES,
                                  width=LINE_CHARS)
        check_text(place, "the place")
    except ProtocolError as err:
        raise LessonError(str(err)) from None
    if not note.strip():
        raise LessonError("the note is empty: say what to look at here")
    old = HEADER
    if os.path.lexists(path):
        old = _read(path)
        if len(parse_lesson(old, str(path)).stops) >= MAX_STOPS:
            raise LessonError(f"{path}: already {MAX_STOPS} stops, a lesson's most")
    block = f"\n[[stop]]\nplace = {_toml(place)}\nnote = {_toml(note)}\n"
    if question:
        block += f"question = {_toml(question)}\n"
    text = (old if old.endswith("\n") else old + "\n") + block
    parse_lesson(text, str(path))  # what is written must read back as a lesson
    return write_atomic(path, lambda out: out.write(text), overwrite=True)
