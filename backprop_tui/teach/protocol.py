"""The teacher-to-follower message: the latest whole state, each time, and how it is checked.

A follower is told where the teacher is, not how the teacher got there: every
message carries the session's saved state (:func:`~..core.savefile.to_json`: the
options, the data reference with its hash, the edits, breakpoints, watches and the
cursor) and what the screen shows beside it (ask mode, the plot tab, a lesson's
note and question). A follower that missed messages (a slow network, a
reconnect) is therefore never out of step: the next message is all it needs.
That costs a few hundred bytes a key; a state that would not fit in
:data:`MAX_MESSAGE` is not sent at all, and the teacher is told why.

A follower may be pointed at any server, so everything that arrives is hostile
until checked: the size before parsing, strict JSON, the version, every field's
type and bound (the session part through :func:`~..core.savecheck.state_from_json`),
the sequence number increasing, edits in the order a session makes them, and no
control or invisible formatting character in any text a screen will show (an
escape sequence in a teacher's name would otherwise drive the follower's
terminal). Each refusal is a :class:`ProtocolError` whose text is one line.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..core.files.savefile import FORMAT, FORMAT_VERSION, SaveFileError, SessionState, to_json

__all__ = ["MAX_MESSAGE", "VERSION", "Message", "ProtocolError", "Ui", "check_text",
           "decode", "encode_body", "frame"]

VERSION = 1
MAX_MESSAGE = 64 * 1024  # bytes of one message: a state is a few hundred
MAX_SEQ = 2**53  # a JSON number every reader holds exactly
MAX_NAME = 64  # characters of a teacher's name
MAX_TAB = 32
NOTE_LINES = 3  # a lesson's note (and question): one to three lines ...
LINE_CHARS = 200  # ... of at most this many characters each
JOINERS = {"\u200c", "\u200d"}  # shape Persian and Indic words: letters, in effect


class ProtocolError(ValueError):
    """A message refused; ``str`` is one line saying why."""


@dataclass(frozen=True)
class Ui:
    """What the teacher's screen shows beside the session: followers show the same."""

    ask: bool = False
    tab: str = "loss"
    note: str | None = None
    question: str | None = None


@dataclass(frozen=True)
class Message:
    """A checked state message."""

    seq: int
    teacher: str
    state: SessionState
    ui: Ui
    size: int  # bytes as received


def check_text(text: str, what: str, *, lines: int = 1, width: int = LINE_CHARS) -> str:
    """``text`` if a screen may show it as it is: at most ``lines`` lines of ``width``
    characters, no control, formatting or surrogate character; else ProtocolError."""
    parts = text.split("\n")
    if len(parts) > lines:
        raise ProtocolError(f"{what}: {len(parts)} lines, at most {lines}")
    for part in parts:
        if len(part) > width:
            raise ProtocolError(f"{what}: a line of {len(part)} characters, at most {width}")
        for ch in part:
            kind = unicodedata.category(ch)
            if kind in ("Cc", "Cs", "Zl", "Zp") or (kind == "Cf" and ch not in JOINERS):
                raise ProtocolError(f"{what}: holds the control or invisible character "
                                    f"U+{ord(ch):04X}")
    return text


def _ui_json(ui: Ui) -> dict[str, Any]:
    return {"ask": ui.ask, "tab": ui.tab, "note": ui.note, "question": ui.question}


def encode_body(teacher: str, state: SessionState, ui: Ui) -> str:
    """The message without its sequence number (see :func:`frame`): compact JSON.

    Kept apart so that a publisher can see that nothing changed (same body) without
    numbering, and number a message by pasting, not by serialising again."""
    doc = {"teacher": teacher, "state": to_json(state), "ui": _ui_json(ui)}
    return json.dumps(doc, separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def frame(seq: int, body: str) -> str:
    """The whole message: version and sequence number first, then ``body``'s fields."""
    return f'{{"v":{VERSION},"seq":{seq},{body[1:]}'


def _refuse_constant(name: str) -> None:
    raise ValueError(f"non-finite number {name}")


def _parse(data: str | bytes) -> dict[str, Any]:
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > MAX_MESSAGE:
        raise ProtocolError(f"a message of {size:,} bytes, more than the {MAX_MESSAGE:,}-byte "
                            "limit")
    try:
        doc = json.loads(data, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise ProtocolError(f"not JSON (line {err.lineno}, column {err.colno})") from None
    except RecursionError:
        raise ProtocolError("not a state message: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise ProtocolError(f"not a state message: {err}") from None
    if not isinstance(doc, dict):
        raise ProtocolError("not a state message (not a JSON object)")
    return doc


def _int(doc: dict, key: str) -> int:
    value = doc.get(key)
    if type(value) is not int:
        raise ProtocolError(f"'{key}' must be a whole number")
    return value


def _ui(doc: Any) -> Ui:
    if not isinstance(doc, dict):
        raise ProtocolError("'ui' must be an object")
    ask, tab = doc.get("ask"), doc.get("tab")
    if not isinstance(ask, bool):
        raise ProtocolError("ui: 'ask' must be true or false")
    if not isinstance(tab, str) or not tab:
        raise ProtocolError("ui: 'tab' must be text")
    check_text(tab, "ui: 'tab'", width=MAX_TAB)
    texts = []
    for key in ("note", "question"):
        value = doc.get(key)
        if value is not None and not isinstance(value, str):
            raise ProtocolError(f"ui: '{key}' must be text or null")
        if value is not None:
            check_text(value, f"ui: '{key}'", lines=NOTE_LINES)
        texts.append(value)
    return Ui(ask, tab, texts[0], texts[1])


def _state(doc: Any) -> SessionState:
    from ..core.files.savecheck import state_from_json

    if not isinstance(doc, dict):
        raise ProtocolError("'state' must be an object")
    if doc.get("format") != FORMAT or doc.get("format_version") != FORMAT_VERSION:
        raise ProtocolError(f"'state' is not a session of format {FORMAT_VERSION} (this "
                            "follower's backprop-tui reads that one)")
    try:
        state = state_from_json(doc, "state")
    except SaveFileError as err:
        raise ProtocolError(str(err)) from None
    except (ValueError, TypeError, RecursionError) as err:  # defensive: one line, whatever
        raise ProtocolError(f"state: {err}".splitlines()[0]) from None
    for before, after in zip(state.edits, state.edits[1:], strict=False):
        if after.update < before.update:  # an edit discards the later ones: none can follow
            raise ProtocolError(f"the edits are out of order (update {after.update} after "
                                f"{before.update})")
    shown = [*(e.text for e in state.edits), *(b.text for b in state.breakpoints),
             *state.watches, state.dataset.source, state.dataset.inputs or "",
             state.dataset.target or ""]
    for text in shown:
        check_text(text, "state: a text", width=4096)
    return state


def decode(data: str | bytes, last_seq: int | None = None) -> Message:
    """The message in ``data``, checked whole; ProtocolError (one line) if refused.

    ``last_seq`` is the sequence number of the last message accepted on this
    connection: a message must come after it (an old or replayed one is refused)."""
    doc = _parse(data)
    version = doc.get("v")
    if version != VERSION or type(version) is not int:
        raise ProtocolError(f"protocol version {version!r}; this follower speaks version "
                            f"{VERSION} (use the teacher's version of backprop-tui)")
    seq = _int(doc, "seq")
    if not 1 <= seq <= MAX_SEQ:
        raise ProtocolError(f"'seq' must be in 1..2**53, not {seq}")
    if last_seq is not None and seq <= last_seq:
        raise ProtocolError(f"message {seq} arrived after {last_seq}: an old message")
    teacher = doc.get("teacher")
    if not isinstance(teacher, str) or not teacher.strip():
        raise ProtocolError("'teacher' must be a name")
    check_text(teacher, "'teacher'", width=MAX_NAME)
    ui = _ui(doc.get("ui"))
    state = _state(doc.get("state"))
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return Message(seq, teacher, state, ui, size)
