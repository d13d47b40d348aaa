"""Reading a session document field by field: each missing or wrong-typed field is one line.

Kept apart from :mod:`.savefile` (the format and its use) because it is long and
dull, as checking every field of untrusted input should be.
"""

from __future__ import annotations

import math
from typing import Any

from ..network.arch import Architecture
from ..network.netphases import net_for
from ..run.session import TrainConfig
from .state import (
    MAX_TEXT,
    MAX_UPDATE,
    DatasetRef,
    SavedBreakpoint,
    SavedEdit,
    SavedPlace,
    SaveFileError,
    SessionState,
)

_MISSING = object()
TYPES = {int: "a whole number", float: "a number", str: "text", bool: "true or false",
         list: "a list", dict: "an object"}


def _field(doc: dict, key: str, kind: type, where: str, *, optional: bool = False,
           default: Any = _MISSING) -> Any:
    """doc[key] as ``kind`` (an int is a number too; a bool is not a number)."""
    if key not in doc:
        if default is not _MISSING:
            return default
        raise SaveFileError(f"{where}: the field '{key}' is missing")
    value = doc[key]
    if value is None and optional:
        return None
    ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        shown = "null" if value is None else type(value).__name__
        raise SaveFileError(f"{where}: the field '{key}' must be {TYPES[kind]}"
                            f"{' or null' if optional else ''}, not {shown}")
    if kind is float and not math.isfinite(value):
        raise SaveFileError(f"{where}: the field '{key}' must be a finite number")
    if kind is str and len(value) > MAX_TEXT and key != "source":
        raise SaveFileError(f"{where}: the field '{key}' is longer than {MAX_TEXT} characters")
    return value


def _object(doc: dict, key: str, where: str) -> dict:
    return _field(doc, key, dict, where)


def _update(doc: dict, where: str) -> int:
    u = _field(doc, "update", int, where)
    if not 0 <= u <= MAX_UPDATE:
        raise SaveFileError(f"{where}: the field 'update' must be in 0..{MAX_UPDATE:,}, "
                            f"not {u}")
    return u


def _items(doc: dict, key: str, kind: type, where: str) -> list:
    values = _field(doc, key, list, where)
    for i, v in enumerate(values):
        if not isinstance(v, kind):
            raise SaveFileError(f"{where}: {key}[{i}] must be {TYPES[kind]}")
    return values


def _hidden(c: dict, where: str) -> int | tuple[int, ...]:
    """One layer's size, or a list of sizes (a deeper network; files before it hold one)."""
    value = c.get("hidden")
    if isinstance(value, list) and 1 < len(value) <= 8 and all(
            type(v) is int for v in value):
        return tuple(value)
    return _field(c, "hidden", int, where)


def _counted(doc: dict, where: str) -> None:
    """The lists' lengths against what a session can hold, before any item is looked at:
    400,000 breakpoints fit in the file's 16 MiB, and building and parsing them all only
    to drop them took the app seconds and hundreds of MB."""
    from ..debugger.breakpoints import MAX_BREAKPOINTS
    from ..debugger.editing import MAX_EDITS
    from ..debugger.watches import MAX_WATCHES

    for key, most in (("breakpoints", MAX_BREAKPOINTS), ("watches", MAX_WATCHES),
                      ("edits", MAX_EDITS)):
        items = doc.get(key)
        if isinstance(items, list) and len(items) > most:
            raise SaveFileError(f"{where}: {len(items):,} {key}; a session holds at most "
                                f"{most}")


def _phase_count(config: TrainConfig) -> int:
    """The phases of a step of the network the config makes (11 for the lab; a deeper
    network has more): their number depends on the layers alone, not on the data."""
    return len(net_for(Architecture(1, config.layers, config.activations)).phases)


def state_from_json(doc: dict, where: str) -> SessionState:
    """A SessionState from a parsed document whose format and version were checked."""
    _counted(doc, where)
    c = _object(doc, "config", where)
    w = f"{where}: config"
    config = TrainConfig(hidden=_hidden(c, w), lr=_field(c, "lr", float, w),
                         epochs=_field(c, "epochs", int, w), seed=_field(c, "seed", int, w),
                         init_scale=_field(c, "init_scale", float, w),
                         shuffle=_field(c, "shuffle", bool, w),
                         activation=_field(c, "activation", str, w, default="sigmoid"),
                         output=_field(c, "output", str, w, optional=True, default=None),
                         loss=_field(c, "loss", str, w, optional=True, default=None))
    try:
        config.validate()
    except ValueError as err:
        raise SaveFileError(f"{w}: {err}") from None
    d = _object(doc, "dataset", where)
    w = f"{where}: dataset"
    sha = _field(d, "sha256", str, w)
    if len(sha) != 64 or any(ch not in "0123456789abcdef" for ch in sha):
        raise SaveFileError(f"{w}: 'sha256' must be 64 lowercase hex digits")
    source = _field(d, "source", str, w)
    if not source or len(source) > 4096 or "\x00" in source:
        raise SaveFileError(f"{w}: 'source' must be lab, iris, a file path or an http(s) URL")
    dataset = DatasetRef(source, _field(d, "inputs", str, w, optional=True),
                         _field(d, "target", str, w, optional=True),
                         _field(d, "test_fraction", float, w, optional=True),
                         _field(d, "normalize", bool, w), sha)
    edits = tuple(SavedEdit(_update(e, f"{where}: edits[{i}]"), _field(e, "text", str,
                                                                   f"{where}: edits[{i}]"))
                  for i, e in enumerate(_items(doc, "edits", dict, where)))
    breakpoints = tuple(SavedBreakpoint(_field(b, "text", str, f"{where}: breakpoints[{i}]"),
                                   _field(b, "enabled", bool, f"{where}: breakpoints[{i}]"))
                        for i, b in enumerate(_items(doc, "breakpoints", dict, where)))
    watches = tuple(_field({"watch": t}, "watch", str, f"{where}: watches[{i}]")
                    for i, t in enumerate(_items(doc, "watches", str, where)))
    p = _object(doc, "cursor", where)
    phase = _field(p, "phase", int, f"{where}: cursor")
    count = _phase_count(config)
    if not 0 <= phase < count:
        raise SaveFileError(f"{where}: cursor: 'phase' must be in 0..{count - 1}, "
                            f"not {phase}")
    cursor = SavedPlace(_update(p, f"{where}: cursor"), phase)
    version = doc.get("program_version")
    return SessionState(config, dataset, edits, breakpoints, watches, cursor,
                        version if isinstance(version, str) else "?")
