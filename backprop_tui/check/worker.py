"""The child process that holds a student's file.

``python -m backprop_tui.check.worker FILE SHOWN MEMORY_MB PACKAGE_ROOT``, started
by :mod:`backprop_tui.check.sandbox` in a fresh temporary folder. It speaks
framed JSON (:mod:`.wire`, never pickle) with the sandbox over private copies of
its stdin and stdout; the real descriptors are then pointed away (stdin at the
null device, stdout at stderr), so whatever the student's code prints lands on
stderr and an ``input()`` in it reads nothing instead of the protocol.

Before the file is loaded the worker caps its own memory and hides this package
(:mod:`.isolate`). Messages to the parent: ["started"] once the interpreter is
up, then ["ready"] or ["error", one line], then ["result", CallResult] per call;
["memory"] when the student's code ran out of the memory it may use, and
["engine"] when it got hold of this package all the same. From the parent:
{"call": arguments} or {"stop": true}. A watchdog thread ends the child if its
parent dies, so a student's endless loop never outlives the command that
started it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

from . import wire
from .isolate import engine_loaded, hide_engine, limit_resources
from .loader import (
    CallResult,
    Student,
    StudentError,
    load_student,
    loading_error,
    raised_from,
)


def _private_channels() -> tuple[BinaryIO, BinaryIO]:
    """Own copies of fds 0 and 1 for the protocol; the originals go to null and stderr."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return requests, replies


def _watch_parent(parent: int) -> None:
    """Exit as soon as the parent is gone (we get re-parented), whatever the student does."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(3)


CHANNEL_LOST = 86  # exit code: the student's code broke our pipes (sandbox.ENDINGS says so)
OUT_OF_MEMORY = 87  # exit code: not even the reply fitted in the memory left


def _call(student: Student, args: tuple[object, ...]) -> CallResult:
    """One call; every way out, KeyboardInterrupt and other BaseExceptions too, is a result."""
    try:
        return student.call(*args)
    except BaseException as err:  # the student's own: this process runs nothing else
        return CallResult(None, "an exception", raised_from(student.path, err))


def serve(path: str, shown: str, memory_mb: float, package_root: str) -> None:
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    requests, replies = _private_channels()

    def reply(*message: object) -> None:
        try:
            wire.write(replies, list(message))
        except OSError:  # the student's code closed or replaced our descriptors
            os._exit(CHANNEL_LOST)
        except MemoryError:
            os._exit(OUT_OF_MEMORY)

    hide_engine(package_root)
    limit_resources(memory_mb)
    reply("started")  # our own start-up is done: the student's time starts now
    try:
        student = load_student(path, shown)
    except StudentError as err:
        reply("error", str(err))
        return
    except MemoryError:
        reply("memory")
        return
    except BaseException as err:  # KeyboardInterrupt and the like, raised by top-level code
        reply("error", loading_error(shown, Path(path).resolve(), err))
        return
    if engine_loaded():
        reply("engine")
        return
    reply("ready")
    while True:
        try:
            message = wire.read(requests, 2**31)
            args = None if message == {"stop": True} else wire.decode_args(message["call"])
        except EOFError:
            return
        except (OSError, wire.WireError, TypeError, KeyError):
            os._exit(CHANNEL_LOST)
        if args is None:
            return
        result = _call(student, args)
        if result.raised is not None and result.raised.type_name == "MemoryError":
            reply("memory")
        elif engine_loaded():
            reply("engine")
        else:
            reply("result", wire.encode_result(result))


def main(argv: list[str]) -> None:
    """Serve, and never let an internal traceback reach the student's screen."""
    try:
        serve(argv[1], argv[2], float(argv[3]), argv[4])
    except MemoryError:
        os._exit(OUT_OF_MEMORY)
    except BaseException as err:  # the last line of defence
        with contextlib.suppress(Exception):
            os.write(2, f"backprop-tui: checker worker stopped: {type(err).__name__}\n".encode())
        os._exit(70)
    with contextlib.suppress(BaseException):  # what the student printed last; fd 2 may be gone
        sys.stderr.flush()
    os._exit(0)  # not sys.exit: no student atexit hooks or threads can hold the process


if __name__ == "__main__":
    main(sys.argv)
