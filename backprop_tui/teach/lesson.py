"""Lessons: a TOML file of stops, each a place in the run with a note for the class.

```toml
title = "The lab, step by step"
[[stop]]
place = "0 1 z1"                  # epoch sample phase, as the go-to key reads it
note = "z1 = W1 x + b1: each hidden unit weighs the three inputs."   # 1 to 3 lines
question = "Which unit's z1 is larger?"                               # optional
options = { output = "identity" }  # optional: lr, init_scale, shuffle, epochs, output, loss
edits = ["lr = 5"]                 # optional: applied at this stop's place
breakpoints = ["not finite(L)"]    # optional: added to the session's
```

The place may also be given in parts (``epoch = 0``, ``sample = 1``, ``phase =
"z1"``). A lesson is a script read forward: the state at stop i is the teacher's
starting state with the options, edits and breakpoints of stops 0..i applied in
order, then the cursor at stop i's place (:func:`state_at`), so ``]`` and ``[``
land on the same numbers however a class got there, and followers get them as
any other state. Options that would change the data (the seed, class labels) are
not lesson options: a follower's data hash would no longer match.

The file comes from anyone (a colleague, a download), so it is read like the
keymap: at most 64 KiB, UTF-8, every field checked, each mistake one line naming
the stop.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, replace
from importlib import resources

from ..core.files.savefile import SavedBreakpoint, SavedEdit, SavedPlace, SessionState
from ..core.run.session import Session
from .protocol import LINE_CHARS, NOTE_LINES, ProtocolError, check_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["MAX_BYTES", "MAX_STOPS", "Lesson", "LessonError", "LessonStop", "parse_lesson",
           "place_of", "place_text", "shipped", "state_at"]

MAX_BYTES = 64 * 1024  # as a keymap: a lesson of 200 stops with notes fits in far less
MAX_STOPS = 200
MAX_EDITS = 10  # per stop
MAX_MARKS = 8  # breakpoints per stop (a session holds 32)
MAX_TEXT = 200  # characters of an edit, a breakpoint, a title
OPTIONS = {"lr": float, "init_scale": float, "shuffle": bool, "epochs": int, "output": str,
           "loss": str}
KEYS = ("place", "epoch", "sample", "phase", "note", "question", "options", "edits",
        "breakpoints")


class LessonError(ValueError):
    """A lesson that cannot be used; ``str`` is one line."""


@dataclass(frozen=True)
class LessonStop:
    epoch: int
    sample: int
    phase: str  # a phase's name or its number 1..P, as the go-to key reads it
    note: str
    question: str | None = None
    options: tuple[tuple[str, object], ...] = ()
    edits: tuple[str, ...] = ()
    breakpoints: tuple[str, ...] = ()

    @property
    def place(self) -> str:
        return f"{self.epoch} {self.sample} {self.phase}"


@dataclass(frozen=True)
class Lesson:
    title: str | None
    stops: tuple[LessonStop, ...]


def _text(value: object, what: str, *, lines: int = 1, width: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LessonError(f"{what} must be text")
    try:
        return check_text(value.strip("\n"), what, lines=lines, width=width)
    except ProtocolError as err:
        raise LessonError(str(err)) from None


def _texts(value: object, what: str, most: int) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > most:
        raise LessonError(f"{what} must be a list of at most {most} texts")
    return tuple(_text(v, f"{what}[{i}]").strip() for i, v in enumerate(value))


def _number(value: object, what: str, low: int) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if type(value) is not int or not low <= value <= 10**9:
        raise LessonError(f"{what} must be a whole number from {low}")
    return value


def _place(table: dict, where: str) -> tuple[int, int, str]:
    if "place" in table:
        if any(k in table for k in ("epoch", "sample", "phase")):
            raise LessonError(f"{where}: give 'place' or its parts (epoch, sample, phase), "
                              "not both")
        words = _text(table["place"], f"{where}: place").replace(":", " ").split()
        if not 2 <= len(words) <= 3:
            raise LessonError(f"{where}: place must be 'epoch sample [phase]', e.g. '0 1 z1'")
        table = dict(zip(("epoch", "sample", "phase"), words, strict=False))
    elif "epoch" not in table:
        raise LessonError(f"{where}: no place: place = \"epoch sample phase\", e.g. \"0 1 z1\"")
    epoch = _number(table.get("epoch"), f"{where}: epoch", 0)
    sample = _number(table.get("sample", 1), f"{where}: sample", 1)
    phase = table.get("phase", "load")
    if type(phase) is int:
        phase = str(phase)
    phase = _text(phase, f"{where}: phase").strip()
    if not (phase.isascii() and (phase.isdigit() or phase.replace("_", "a").isalnum())):
        raise LessonError(f"{where}: phase {phase!r} is not a phase's name or number")
    return epoch, sample, phase


def _options(value: object, where: str) -> tuple[tuple[str, object], ...]:
    if not isinstance(value, dict):
        raise LessonError(f"{where}: options must be a table, e.g. options = {{ lr = 0.1 }}")
    chosen = []
    for key, v in value.items():
        kind = OPTIONS.get(key)
        if kind is None:
            raise LessonError(f"{where}: option {key!r} cannot change in a lesson (these can: "
                              f"{', '.join(OPTIONS)})")
        if kind is float and type(v) is int:
            v = float(v)
        if type(v) is not kind:
            raise LessonError(f"{where}: option {key} must be {kind.__name__}")
        chosen.append((key, v))
    from ..core.run.config import TrainConfig

    try:
        replace(TrainConfig(), **dict(chosen)).validate()
    except ValueError as err:
        raise LessonError(f"{where}: options: {err}") from None
    return tuple(chosen)


def _stop(table: object, where: str) -> LessonStop:
    if not isinstance(table, dict):
        raise LessonError(f"{where}: a stop is a table: [[stop]] then place = ..., note = ...")
    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise LessonError(f"{where}: unknown entry {key!r}{hint}")
    epoch, sample, phase = _place(table, where)
    if "note" not in table:
        raise LessonError(f"{where}: no note: note = \"what to look at here\"")
    note = _text(table["note"], f"{where}: note", lines=NOTE_LINES, width=LINE_CHARS)
    question = table.get("question")
    if question is not None:
        question = _text(question, f"{where}: question", lines=NOTE_LINES, width=LINE_CHARS)
    return LessonStop(epoch, sample, phase, note, question,
                _options(table["options"], where) if "options" in table else (),
                _texts(table.get("edits", []), f"{where}: edits", MAX_EDITS),
                _texts(table.get("breakpoints", []), f"{where}: breakpoints", MAX_MARKS))


def parse_lesson(text: str, where: str = "lesson") -> Lesson:
    """The lesson in ``text`` (TOML), checked; LessonError (one line) if it is not one."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise LessonError(f"{where}: more than a lesson's {MAX_BYTES:,}-byte limit")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LessonError(f"{where}: not valid TOML: {str(err).splitlines()[0]}") from None
    except RecursionError:
        raise LessonError(f"{where}: not valid TOML: nested too deeply") from None
    extra = sorted(set(doc) - {"title", "stop"})
    if extra:
        raise LessonError(f"{where}: unknown entry {extra[0]!r}; a lesson holds a title and "
                          "[[stop]] tables")
    title = _text(doc["title"], f"{where}: title") if "title" in doc else None
    stops = doc.get("stop")
    if not isinstance(stops, list) or not stops:
        raise LessonError(f"{where}: no stops: add [[stop]] tables with a place and a note")
    if len(stops) > MAX_STOPS:
        raise LessonError(f"{where}: {len(stops)} stops, at most {MAX_STOPS}")
    return Lesson(title, tuple(_stop(t, f"{where}: stop {i}") for i, t in enumerate(stops, 1)))


def shipped(name: str = "lab") -> Lesson:
    """A lesson that comes with backprop-tui (``backprop_tui/lessons/NAME.toml``)."""
    if not name.isidentifier():
        raise LessonError(f"no shipped lesson {name!r}")
    file = resources.files("backprop_tui").joinpath("lessons", f"{name}.toml")
    try:
        return parse_lesson(file.read_text(encoding="utf-8"), f"lesson {name}")
    except FileNotFoundError:
        raise LessonError(f"no shipped lesson {name!r}") from None


def place_of(stop: LessonStop, session: Session, where: str = "lesson") -> SavedPlace:
    """The stop's place in ``session``'s counting and phases; LessonError if it has none."""
    from ..core.debugger.places import PlaceError, parse_place

    try:
        p = parse_place(stop.place, session.n, session.net)
    except PlaceError as err:
        raise LessonError(f"{where}: place {stop.place!r}: {err}") from None
    return SavedPlace(p.update, p.phase)


def place_text(session: Session) -> str:
    """The cursor as a stop's place: ``epoch sample phase`` (what ctrl+l writes)."""
    c = session.cursor
    return f"{c.epoch} {c.position + 1} {session.net.phases[c.phase].key}"


def state_at(lesson: Lesson, index: int, base: SessionState, session: Session) -> SessionState:
    """The state of stop ``index``: ``base`` (the teacher's start) with stops 0..index's
    options, edits and breakpoints applied in order, at stop ``index``'s place.
    ``session`` gives the counting (samples per epoch) and the phase names."""
    from ..core.data.datasets import CLASS_DATASETS
    from ..core.debugger.breakpoints import MAX_BREAKPOINTS

    if not 0 <= index < len(lesson.stops):
        raise LessonError(f"no stop {index + 1} (the lesson has {len(lesson.stops)})")
    classes = base.dataset.source in CLASS_DATASETS
    config, edits, marks = base.config, list(base.edits), list(base.breakpoints)
    for i, stop in enumerate(lesson.stops[: index + 1], 1):
        where = f"lesson: stop {i}"
        place = place_of(stop, session, where)
        if stop.options:
            new = replace(config, **dict(stop.options))
            if new.wants_classes(classes) != config.wants_classes(classes):
                raise LessonError(f"{where}: options that make the target class labels (or "
                                  "stop it being them) change the data: not a lesson option")
            if new != config:  # another run: the edits of the last one do not apply
                config, edits = new, []
        for text in stop.edits:  # as the = key does at the place: later edits discarded
            edits = [e for e in edits if e.update <= place.update] + [SavedEdit(place.update, text)]
        for text in stop.breakpoints:
            if all(b.text != text for b in marks):
                marks.append(SavedBreakpoint(text))
        if len(marks) > MAX_BREAKPOINTS:
            raise LessonError(f"{where}: more than {MAX_BREAKPOINTS} breakpoints in all")
    return replace(base, config=config, edits=tuple(edits), breakpoints=tuple(marks),
                   cursor=place_of(lesson.stops[index], session))
