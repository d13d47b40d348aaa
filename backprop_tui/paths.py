"""Paths typed into the app stay inside one folder (``--files-dir``).

Served to a browser (``backprop-tui serve``), the app is driven by whoever opens
the page, and every file name they type (a save, an export, a screenshot folder)
is a door into this machine. So a typed path is resolved inside one directory
and refused, in one line, when it could lead anywhere else: ``..``, an absolute
path elsewhere, a symlink (the file or any folder on the way) pointing out,
an empty name, a NUL byte, a control character or an over-long name. So is an
invisible formatting character: a right-to-left override (U+202E) shows
"\u202egnp.json" as "nosj.png", and a zero-width space makes two names that look
alike; such a character is named by its code point, never printed. A lone
surrogate, which no file system encoding can write, is refused here rather than
by a UnicodeEncodeError in the write. Nothing here imports Textual: the command
line checks its options with it too.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

__all__ = ["MAX_NAME_BYTES", "MAX_PATH_BYTES", "PathError", "inside", "system_folder"]

MAX_NAME_BYTES = 255  # one file or folder name, as most file systems allow
MAX_PATH_BYTES = 1024  # a whole typed path: longer is a mistake or an attack


# The system's own trees (Linux, BSD, macOS): no files folder lies in one. Checked on the
# resolved path, so a symlink to /etc is /etc. The root and these parents only as such:
# a folder of one's own is often below them (/home/ann, /var/tmp/class).
SYSTEM_TREES = ("/proc", "/sys", "/dev", "/etc", "/boot", "/bin", "/sbin", "/lib", "/lib32",
                "/lib64", "/libx32", "/usr", "/run", "/var/run", "/var/lib", "/var/log",
                "/var/cache", "/var/spool", "/snap", "/System", "/Library", "/private/etc",
                "/private/var/run", "/private/var/db")
SYSTEM_ONLY = ("/", "/home", "/var", "/opt", "/srv", "/mnt", "/media", "/private",
               "/private/var", "/Users", "/Volumes")


def system_folder(path: Path) -> bool:
    """Whether the resolved folder ``path`` is the system's (where no typed file belongs)."""
    if path.parent == path:  # the root, or a drive's root on Windows
        return True
    windows = os.environ.get("SYSTEMROOT") if os.name == "nt" else None
    if windows and (path == Path(windows) or Path(windows) in path.parents):
        return True
    text = path.as_posix()
    return text in SYSTEM_ONLY or any(text == t or text.startswith(t + "/")
                                      for t in SYSTEM_TREES)


class PathError(ValueError):
    """A typed path that may not be used; ``str`` is one line saying why."""


def _shown(text: str, limit: int = 60) -> str:
    """The path as the user typed it, quoted, cut, and on one line whatever it holds."""
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(cut)


# Joiners shape Persian, Arabic and Indic words: letters, in effect, so they pass.
JOINERS = {"\u200c", "\u200d"}


def _character_problem(text: str) -> str | None:
    """Why ``text`` cannot be a typed name because of a character in it, or None."""
    for c in text:
        kind = unicodedata.category(c)
        if kind == "Cc":
            return "the name contains a control character"
        if kind == "Cs":  # even one that encodes (surrogateescape): not a typed character
            return "the name cannot be written as a file name (a lone surrogate)"
        if (kind == "Cf" and c not in JOINERS) or kind in ("Zl", "Zp"):
            name = unicodedata.name(c, "a formatting character").lower()
            return (f"the name contains an invisible character U+{ord(c):04X} ({name}), "
                    "which hides or reorders what is shown")
    try:
        os.fsencode(text)
    except UnicodeEncodeError:  # a file system encoding narrower than Unicode
        return "the name cannot be written as a file name in this file system's encoding"
    return None


def inside(text: str, root: Path | str) -> Path:
    """The absolute, symlink-free path that ``text`` names inside ``root``, or PathError.

    A relative ``text`` is taken from ``root``; an absolute one must already lie in
    it. ``root`` itself is allowed (a folder given as ``.``). The check reads the
    file system as it is now: the caller writes through a temporary file and a
    rename in the folder returned, which replaces rather than follows a symlink that
    appears later at the final name.
    """
    base = Path(os.path.realpath(root))
    if not text or not text.strip():
        raise PathError("no file name given")
    if "\x00" in text:
        raise PathError(f"{_shown(text)}: the name contains a NUL byte")
    problem = _character_problem(text)
    if problem:
        raise PathError(f"{_shown(text)}: {problem}")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise PathError(f"{_shown(text)}: the path is longer than {MAX_PATH_BYTES} bytes")
    typed = Path(text)
    for part in typed.parts:
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise PathError(f"{_shown(text)}: a name in it is longer than {MAX_NAME_BYTES} "
                            "bytes")
    if ".." in typed.parts:
        raise PathError(f"{_shown(text)}: '..' is not allowed; give a path inside {base}")
    resolved = Path(os.path.realpath(typed if typed.is_absolute() else base / typed))
    if resolved != base and base not in resolved.parents:
        if typed.is_absolute() and not _lexically_inside(typed, base):
            raise PathError(f"{_shown(text)}: outside {base}; give a path inside it")
        raise PathError(f"{_shown(text)}: a symlink leads out of {base} (to {resolved})")
    return resolved


def _lexically_inside(path: Path, base: Path) -> bool:
    """Whether ``path`` as written (no symlinks followed) lies in ``base``."""
    normal = Path(os.path.normpath(path))
    return normal == base or base in normal.parents
