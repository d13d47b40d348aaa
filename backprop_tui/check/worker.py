"""The child process that holds a student's file: ``python -m backprop_tui.check.worker FILE``.

It speaks pickled messages with :mod:`backprop_tui.check.sandbox` over private
copies of its stdin and stdout; the real descriptors are then pointed away
(stdin at the null device, stdout at stderr), so whatever the student's code
prints lands on stderr and an ``input()`` in it reads nothing instead of the
protocol. Messages to the parent: ("started", None) once the interpreter is up,
then ("ready", None) or ("error", one line), then ("result", CallResult) per
call; from the parent: the arguments of one call, or None to stop. A watchdog
thread ends the child if its parent dies, so a student's endless loop never
outlives the command that started it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

from .loader import CallResult, Student, StudentError, load_student, loading_error, raised_from


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


def _call(student: Student, args: tuple[object, ...]) -> CallResult:
    """One call; every way out, KeyboardInterrupt and other BaseExceptions too, is a result."""
    try:
        return student.call(*args)
    except BaseException as err:  # the student's own: this process runs nothing else
        return CallResult(None, "an exception", raised_from(student.path, err))


def serve(path: str) -> None:
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    requests, replies = _private_channels()

    def reply(kind: str, payload: object) -> None:
        try:
            pickle.dump((kind, payload), replies, protocol=pickle.HIGHEST_PROTOCOL)
            replies.flush()
        except OSError:  # the student's code closed or replaced our descriptors
            os._exit(CHANNEL_LOST)

    reply("started", None)  # our own start-up is done: the student's time starts now
    try:
        student = load_student(path)
    except StudentError as err:
        reply("error", str(err))
        return
    except BaseException as err:  # KeyboardInterrupt and the like, raised by top-level code
        reply("error", loading_error(path, Path(path).resolve(), err))
        return
    reply("ready", None)
    while True:
        try:
            args = pickle.load(requests)
        except EOFError:
            return
        except (OSError, pickle.UnpicklingError):
            os._exit(CHANNEL_LOST)
        if args is None:
            return
        reply("result", _call(student, args))


def main(argv: list[str]) -> None:
    """Serve, and never let an internal traceback reach the student's screen."""
    try:
        serve(argv[1])
    except BaseException as err:  # the last line of defence
        with contextlib.suppress(Exception):
            os.write(2, f"backprop-tui: checker worker stopped: {type(err).__name__}\n".encode())
        os._exit(70)
    with contextlib.suppress(BaseException):  # what the student printed last; fd 2 may be gone
        sys.stderr.flush()
    os._exit(0)  # not sys.exit: no student atexit hooks or threads can hold the process


if __name__ == "__main__":
    main(sys.argv)
