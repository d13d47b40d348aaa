"""Writing a file so that it is either all there or not there at all.

A save, an export or a trace is written to a temporary file in the target's own
folder, flushed to disk, then renamed over the target in one step: a crash, a
full disk or a Ctrl-C leaves the old file (or none) intact, never half a file.
Without ``overwrite`` the final step is a hard link, which the system refuses
when the name exists, so an existing file is never replaced, even by a race.
Reading a file we were pointed at is bounded here too (:func:`read_regular`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["WriteError", "write_atomic"]


class WriteError(ValueError):
    """The file could not be written; ``str`` is one line saying why."""


def _why(err: OSError) -> str:
    return err.strerror or str(err)


def write_atomic(path: Path | str, write: Callable[[IO[str]], None], *,
                 overwrite: bool = False) -> Path:
    """Write ``path`` through ``write(stream)`` atomically; refuse an existing file
    unless ``overwrite``. Returns the path written; raises WriteError (one line)."""
    if not str(path).strip():  # Path("") is ".", which "already exists"
        raise WriteError("the path is empty; give a file name")
    path = Path(path)
    if os.path.lexists(path):
        if not overwrite:
            raise WriteError(f"{path}: already exists; not overwritten")
        if not os.path.isfile(path):  # /dev/null, a FIFO, a folder: a rename would replace it
            raise WriteError(f"{path}: not a regular file; not replaced")
    folder = path.parent
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise WriteError(f"{path}: cannot write in {folder}: {_why(err)}") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide a class's exports from the class
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        _publish(temp, path, overwrite)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(err, OSError):
            raise WriteError(f"{path}: cannot write: {_why(err)}") from None
        raise
    return path


def _publish(temp: str, path: Path, overwrite: bool) -> None:
    """Give the finished temporary file its name (then the folder entry reaches disk)."""
    if overwrite:
        os.replace(temp, path)
    else:
        try:
            os.link(temp, path)
        except FileExistsError:
            raise WriteError(f"{path}: already exists; not overwritten") from None
        except OSError as err:
            if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                                 errno.EMLINK):
                raise
            if os.path.lexists(path):  # no hard links here (FAT, some shares): check, rename
                raise WriteError(f"{path}: already exists; not overwritten") from None
            os.replace(temp, path)
        else:
            os.unlink(temp)
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_regular(path: Path, limit: int, error: type[Exception], what: str) -> bytes:
    """At most ``limit`` + 1 bytes of the regular file ``path``, or ``error`` in one line.

    Opened without blocking, so that a FIFO or a device named by mistake (or by a
    session file) is refused instead of waited on; ``what`` says what belongs there
    ("a saved session (.json)"). A caller compares the length with ``limit`` in its
    own words.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except OSError as err:
        raise error(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise error(f"{path}: not a regular file; give {what}")
        os.set_blocking(fd, True)
        with os.fdopen(os.dup(fd), "rb") as stream:
            return stream.read(limit + 1)
    except OSError as err:
        raise error(f"{path}: cannot read: {err.strerror or err}") from None
    finally:
        os.close(fd)
