"""Rebinding keys from a TOML file: ``[keys]`` then ``binding_id = "key"`` or ``"k1,k2"``.

The ids are those of :data:`~.keys.APP_BINDINGS`. The file is checked whole before
the app starts (the command line calls :func:`load_keymap`), so a typo in an id, a
key name Textual would never send, or two actions on one key is one line and exit
status 2, not a key that silently does nothing. Bindings that share a key on
purpose (Play and Pause on space, Ask and Ask off on a: one key, two states) are
partners: moving one moves both, unless the file moves both.
"""

from __future__ import annotations

import difflib
import os
import stat
import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from textual.keys import KEY_NAME_REPLACEMENTS, Keys, format_key

from .keys import APP_BINDINGS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["MAX_BYTES", "KeymapError", "default_path", "load_keymap", "parse_keymap"]

MAX_BYTES = 64 * 1024  # a keymap is a few lines; anything this big is not one
MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
NAMED = {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")} - {
    "ctrl-at"}
# Keys the app or Textual keep for themselves: moving an action there would hide them.
RESERVED = {"ctrl+c": "copy / quit help", "ctrl+q": "quit", "ctrl+p": "the command palette",
            "tab": "focus", "shift+tab": "focus", "up": "scrolling", "down": "scrolling",
            "pageup": "scrolling", "pagedown": "scrolling"}


class KeymapError(ValueError):
    """A keymap the app cannot use; ``str`` is one line."""


def default_path() -> Path:
    """``$XDG_CONFIG_HOME/backprop-tui/keymap.toml``, else ``~/.config/backprop-tui/...``."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "backprop-tui" / "keymap.toml"


def default_keys() -> dict[str, tuple[str, ...]]:
    """Each binding id's keys as declared (normalised names)."""
    return {b.id: tuple(_key(k.strip(), "") for k in b.key.split(","))
            for b in APP_BINDINGS if b.id}


def partners() -> dict[str, set[str]]:
    """Ids that share their keys by design (one key, two states), each to the others."""
    keys = default_keys()
    return {i: {j for j in keys if j != i and keys[j] == keys[i]} for i in keys}


def _key(text: str, where: str) -> str:
    """A key name as Textual spells it ("?" -> "question_mark"), or KeymapError."""
    *mods, base = text.split("+") if len(text) > 1 else [text]
    bad = [m for m in mods if m not in MODIFIERS]
    if bad or len(set(mods)) != len(mods) or not base:
        raise KeymapError(f"{where}{text!r} is not a key: modifiers are "
                          f"{', '.join(MODIFIERS)} (e.g. ctrl+s)")
    if len(base) == 1:
        if not base.isprintable() or base.isspace():
            raise KeymapError(f"{where}{text!r} is not a key (use a name: space, tab, ...)")
        if not base.isalnum():
            name = unicodedata.name(base, base).lower().replace("-", "_").replace(" ", "_")
            base = KEY_NAME_REPLACEMENTS.get(name, name)
    elif base not in NAMED and not (len(format_key(base)) == 1
                                    and format_key(base).isprintable()):
        close = difflib.get_close_matches(base, sorted(NAMED), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise KeymapError(f"{where}{text!r} is not a key name Textual knows{hint}")
    return "+".join([*mods, base])


def parse_keymap(text: str, where: str = "keymap") -> dict[str, str]:
    """The keymap in ``text`` (TOML), checked and complete: binding id -> "k1,k2"."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise KeymapError(f"{where}: not valid TOML: {err}") from None
    except RecursionError:  # tomllib recurses per level: "x = {b={b=..." fits in 64 KiB
        raise KeymapError(f"{where}: not valid TOML: nested too deeply (a keymap is one "
                          "[keys] table of binding_id = \"key\")") from None
    extra = sorted(set(doc) - {"keys"})
    if extra:
        raise KeymapError(f"{where}: unknown entry {extra[0]!r}; the file holds one table, "
                          "[keys], of binding_id = \"key\"")
    table = doc.get("keys", {})
    if not isinstance(table, dict):
        raise KeymapError(f"{where}: 'keys' must be a table: [keys] then binding_id = \"key\"")
    keys = default_keys()
    chosen: dict[str, tuple[str, ...]] = {}
    for ident, value in table.items():
        if ident not in keys:
            close = difflib.get_close_matches(ident, sorted(keys), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise KeymapError(f"{where}: unknown binding id {ident!r}{hint}; the ids are "
                              "those of the help (?) and the README's key table")
        if not isinstance(value, str) or not value.strip():
            raise KeymapError(f"{where}: {ident} must be a key in quotes, e.g. "
                              f"{ident} = \"ctrl+s\" or \"j,down\"")
        names = tuple(_key(k.strip(), f"{where}: {ident}: ") for k in value.split(","))
        if len(set(names)) != len(names):
            raise KeymapError(f"{where}: {ident} lists a key twice: {value!r}")
        chosen[ident] = names
    pairs = partners()
    for ident in list(chosen):
        for other in pairs[ident]:
            chosen.setdefault(other, chosen[ident])  # Play moved: Pause follows
    final = {**keys, **chosen}
    _check_clashes(final, chosen, pairs, where)
    return {ident: ",".join(names) for ident, names in chosen.items()}


def _check_clashes(final: Mapping[str, tuple[str, ...]], chosen: Mapping[str, object],
                   pairs: Mapping[str, set[str]], where: str) -> None:
    """Each key does one thing (or one key, two states), and no reserved key is taken."""
    owner: dict[str, str] = {}
    for ident, names in final.items():
        for name in names:
            if name in RESERVED and ident in chosen:
                raise KeymapError(f"{where}: {ident} = {name!r}: that key is kept for "
                                  f"{RESERVED[name]}")
            first = owner.setdefault(name, ident)
            if first != ident and first not in pairs[ident]:
                a, b = sorted((first, ident), key=lambda i: i not in chosen)
                said = "also set in the file" if b in chosen else "its default key"
                raise KeymapError(f"{where}: {name!r} would do two things: {a} and {b} "
                                  f"({said}); give one of them another key")


def load_keymap(path: str | Path | None = None) -> dict[str, str]:
    """The keymap of ``path``, or of :func:`default_path` if that file exists ({} if not).

    A missing ``path`` given on purpose, a non-regular or too-big file, an unreadable
    or non-UTF-8 one: KeymapError, one line naming the file.
    """
    chosen = path is not None
    if chosen and not str(path).strip():  # Path("") is ".": "not a regular file" misled
        raise KeymapError("--keymap: the path is empty; give a TOML file")
    file = Path(path) if chosen else default_path()
    try:
        info = os.stat(file)
    except FileNotFoundError:
        if chosen:
            raise KeymapError(f"--keymap {file}: file not found") from None
        return {}
    except OSError as err:
        raise KeymapError(f"{file}: cannot read: {err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        raise KeymapError(f"{file}: not a regular file; give a TOML file")
    if info.st_size > MAX_BYTES:
        raise KeymapError(f"{file}: {info.st_size:,} bytes, more than a keymap's "
                          f"{MAX_BYTES:,}-byte limit")
    try:
        with open(file, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise KeymapError(f"{file}: more than a keymap's {MAX_BYTES:,}-byte limit")
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeymapError(f"{file}: not UTF-8 text; a keymap is a TOML file") from None
    except OSError as err:
        raise KeymapError(f"{file}: cannot read: {err.strerror or err}") from None
    return parse_keymap(text, str(file))
