"""Running a student's file in a child process, under one time budget.

Student code can hang anywhere: in a ``while True`` at the top of the file (so
importing it never ends) or inside ``forward_backward_pass``. A thread cannot be
stopped, a process can; so ``check`` loads and calls the student's code in a
child process (:mod:`backprop_tui.check.worker`, a fresh interpreter started
with ``subprocess``), sends it the arguments of each call and waits for the
reply no longer than the budget that is left.

The child starts under :mod:`backprop_tui.check.guard`, in a session and process
group of its own: the terminal's Ctrl-C does not reach it, a signal it sends to
its parent hits the guard (which ignores it) instead of ``check`` or the app,
and on timeout, crash, error or any way out of the ``with`` block the guard
kills the child and every process it forked, and we kill the group after it.
So no process outlives the check.

Why not multiprocessing: its 'spawn' start re-imports the caller's main module
(a caller without an ``if __name__ == "__main__"`` guard breaks) and 'fork'
copies our state into the student's process; a plain subprocess does neither.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import BinaryIO

from .loader import CallResult, StudentError

# Interpreter and numpy start-up of the child: not the student's time, but not forever.
STARTUP = 120.0
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
GUARD = str(Path(__file__).with_name("guard.py"))
POLL = 0.1  # how often a wait for a reply looks whether the child is still there
GUARD_GRACE = 2.0  # seconds the guard has to bury the tree after SIGTERM
# Exit codes of the worker that mean something specific (see worker.py).
ENDINGS = {86: "the student's code closed or wrote over the channel to the checker "
               "(file descriptors 3 and up)"}


class TimedOut(Exception):
    """The student's code used up the time budget; the child has been killed."""


class Crashed(Exception):
    """The child ended without answering (os._exit, a segfault, killed from outside)."""


def _read_replies(stream: BinaryIO, inbox: queue.Queue[tuple[str, object]]) -> None:
    """Reader thread: move each pickled reply into ``inbox``; ("eof", None) at the end."""
    try:
        while True:
            inbox.put(pickle.load(stream))
    except Exception:  # EOF, a closed pipe, a torn message: the child is gone
        inbox.put(("eof", None))
    finally:
        # Closed here, not by close(): closing a pipe another thread is reading can block.
        with contextlib.suppress(OSError):
            stream.close()


class StudentProcess:
    """The student's file in a child process; every wait draws from one budget in seconds.

    The budget covers the student's code only (importing the file and each call),
    not the child's own start-up, so a slow or busy machine does not turn a
    correct file into a timeout.
    """

    def __init__(self, path: str, budget: float, quiet: bool = False) -> None:
        self.path = path
        self.remaining = budget
        self.quiet = quiet  # discard what the student's code prints (the app owns the terminal)
        self._proc: subprocess.Popen[bytes] | None = None
        self._inbox: queue.Queue[tuple[str, object]] = queue.Queue()

    def __enter__(self) -> StudentProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def load(self) -> None:
        """Start the child and import the file there.

        Raises StudentError (cannot be checked), TimedOut or Crashed.
        """
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        worker = [sys.executable, "-m", "backprop_tui.check.worker", self.path]
        posix = os.name == "posix"
        self._proc = subprocess.Popen(
            [sys.executable, "-S", GUARD, *worker] if posix else worker,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=posix,
            stderr=subprocess.DEVNULL if self.quiet else None)
        assert self._proc.stdout is not None
        threading.Thread(target=_read_replies, args=(self._proc.stdout, self._inbox),
                         daemon=True, name="backprop-tui-student-replies").start()
        self._receive(budget=False)
        kind, payload = self._receive()
        if kind == "error":
            self.close()
            raise StudentError(str(payload))

    def call(self, args: tuple[object, ...]) -> CallResult:
        """One call of forward_backward_pass in the child. Raises TimedOut or Crashed."""
        self._send(args)
        _, result = self._receive()
        assert isinstance(result, CallResult)
        return result

    def _send(self, message: object) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:  # closed (at quit) or never loaded
            raise Crashed("the process running it has been closed")
        try:
            pickle.dump(message, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            proc.stdin.flush()
        except OSError:  # BrokenPipeError: the child has ended
            raise Crashed(self._ended()) from None

    def _receive(self, budget: bool = True) -> tuple[str, object]:
        """The next reply, waiting at most the budget left (or STARTUP for our own start)."""
        start = time.monotonic()
        limit = max(self.remaining, 0.0) if budget else STARTUP
        try:
            kind, payload = self._next(start + limit)
        except queue.Empty:
            self.close(kill=True)
            if not budget:
                raise Crashed(f"the process to run it did not start within {STARTUP:g} s"
                              ) from None
            self.remaining = 0.0
            raise TimedOut() from None
        if budget:
            self.remaining -= time.monotonic() - start
        if kind == "eof":
            message = self._ended()
            self.close(kill=True)
            raise Crashed(message)
        return kind, payload

    def _next(self, deadline: float) -> tuple[str, object]:
        """The next message before ``deadline``; ("eof", None) once the guard has ended.

        Not only the pipe's end: processes the student forked hold copies of the
        pipe, so it may stay open after the process we started is gone.
        """
        while True:
            left = deadline - time.monotonic()
            try:
                return self._inbox.get(timeout=max(min(left, POLL), 1e-6))
            except queue.Empty:
                proc = self._proc
                if proc is not None and proc.poll() is not None:
                    with contextlib.suppress(queue.Empty):
                        return self._inbox.get(timeout=POLL)  # a last reply in flight
                    return ("eof", None)
                if left <= 0:
                    raise

    def _ended(self) -> str:
        proc = self._proc
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(1.0)
            if proc.returncode in ENDINGS:
                return ENDINGS[proc.returncode]
            if proc.returncode is not None and proc.returncode < 0:
                name = _signal_name(-proc.returncode)
                return f"the process running it was killed by signal {name}"
            if proc.returncode is not None:
                return f"the process running it ended with exit code {proc.returncode}"
        return "the process running it stopped answering"

    def close(self, kill: bool = False) -> None:
        """Stop the child and everything it started: politely if idle, else by force; reap.

        Idle: the child is asked to stop and ends by itself. Busy (or ``kill``):
        the guard gets SIGTERM and kills the whole tree; if even the guard does
        not end in time, it is killed. Either way its process group is killed
        last, which catches any process left behind if the guard itself died.
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if not kill and proc.stdin is not None:
            with contextlib.suppress(OSError):
                pickle.dump(None, proc.stdin)
                proc.stdin.flush()
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        if not kill:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(0.5)
        if proc.returncode is None:
            with contextlib.suppress(OSError):
                proc.terminate()  # SIGTERM: the guard's cue to kill the tree
            try:
                proc.wait(GUARD_GRACE)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if os.name == "posix":
            with contextlib.suppress(OSError):  # nobody left in the group: ProcessLookupError
                os.killpg(proc.pid, signal.SIGKILL)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
