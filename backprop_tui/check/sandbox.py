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

The channel is framed JSON (:mod:`.wire`), never pickle: the student's code can
write into the child's end of the pipe, and unpickling what it wrote would run
its code here. Each reply is capped in size and checked field by field. The
child runs in a fresh temporary folder (removed afterwards), with its memory
capped and this package hidden from it (:mod:`.isolate`).

Why not multiprocessing: its 'spawn' start re-imports the caller's main module
(a caller without an ``if __name__ == "__main__"`` guard breaks) and 'fork'
copies our state into the student's process; a plain subprocess does neither.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import BinaryIO

from . import wire
from .isolate import DEFAULT_MEMORY_MB, ENGINE_WORDS

__all__ = ["DEFAULT_MEMORY_MB", "Crashed", "EngineUsed", "OverMemory", "StudentProcess",
           "TimedOut"]
from .loader import CallResult, StudentError
from .values import max_elements

# Interpreter and numpy start-up of the child: not the student's time, but not forever.
STARTUP = 120.0
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
GUARD = str(Path(__file__).with_name("guard.py"))
POLL = 0.1  # how often a wait for a reply looks whether the child is still there
GUARD_GRACE = 2.0  # seconds the guard has to bury the tree after SIGTERM
# Exit codes of the worker that mean something specific (see worker.py).
ENDINGS = {86: "the student's code closed or wrote over the channel to the checker "
               "(file descriptors 3 and up)"}
OUT_OF_MEMORY = 87  # the worker's exit code when not even its reply fitted (worker.py)
OVER_MEMORY = "over memory"  # _ended's word for it, turned into OverMemory with the limit
CORRUPT = "the student's code wrote over the channel to the checker"
STARTUP_CAP = 64 * 1024  # bytes of a reply before the first call: "started", "ready", an error


class TimedOut(Exception):
    """The student's code used up the time budget; the child has been killed."""


class Crashed(Exception):
    """The child ended without answering (os._exit, a segfault, killed from outside)."""


class OverMemory(Crashed):
    """The student's code needed more memory than it may use; the message says how much."""


class EngineUsed(StudentError):
    """The student's code imported this package (the engine) after all."""


def _read_replies(stream: BinaryIO, inbox: queue.Queue[tuple[str, object]],
                  cap: list[int]) -> None:
    """Reader thread: move each reply into ``inbox``; ("eof", None) at the end.

    ``cap[0]`` is the size the next frame may have (the caller sets it before a
    call). A frame that breaks the protocol ends the reading: ("corrupt", why).
    """
    try:
        while True:
            message = wire.read(stream, cap[0])
            if not isinstance(message, list) or not message or not isinstance(message[0], str):
                raise wire.WireError("a reply that is not a message of the protocol")
            inbox.put((message[0], message[1] if len(message) > 1 else None))
    except wire.WireError as err:
        inbox.put(("corrupt", str(err)))
    except Exception:  # EOF, a closed pipe: the child is gone
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

    def __init__(self, path: str, budget: float, quiet: bool = False,
                 memory_mb: float = DEFAULT_MEMORY_MB) -> None:
        self.path = path
        self.remaining = budget
        self.quiet = quiet  # discard what the student's code prints (the app owns the terminal)
        self.memory_mb = memory_mb
        self._proc: subprocess.Popen[bytes] | None = None
        self._folder: str | None = None
        self._inbox: queue.Queue[tuple[str, object]] = queue.Queue()
        self._cap = [STARTUP_CAP]

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
        # Its own empty folder: files the student's code writes land there, not beside us.
        self._folder = tempfile.mkdtemp(prefix="backprop-tui-student-")
        worker = [sys.executable, "-m", "backprop_tui.check.worker",
                  str(Path(self.path).resolve()), self.path, repr(float(self.memory_mb)),
                  PACKAGE_ROOT]
        posix = os.name == "posix"
        self._proc = subprocess.Popen(
            [sys.executable, "-S", GUARD, *worker] if posix else worker,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=posix,
            stderr=subprocess.DEVNULL if self.quiet else None, cwd=self._folder)
        assert self._proc.stdout is not None
        threading.Thread(target=_read_replies, args=(self._proc.stdout, self._inbox, self._cap),
                         daemon=True, name="backprop-tui-student-replies").start()
        self._receive(budget=False)
        kind, payload = self._receive()
        if kind == "ready":
            return
        self.close()
        if kind == "error" and isinstance(payload, str):
            raise StudentError(payload[:wire.MAX_TEXT])
        if kind == "engine":
            raise EngineUsed(f"{self.path} {ENGINE_WORDS}")
        raise Crashed(f"{CORRUPT} (a reply '{kind[:20]}' where 'ready' was due)")

    def call(self, args: tuple[object, ...]) -> CallResult:
        """One call of forward_backward_pass in the child.

        Raises TimedOut, Crashed (OverMemory when it ran out of memory) or
        EngineUsed. What comes back is checked field by field (:func:`wire.decode_result`).
        """
        elements = max_elements(args)
        self._cap[0] = wire.frame_cap(elements)
        self._send({"call": wire.encode_args(args)})
        kind, payload = self._receive()
        if kind == "result":
            try:
                return wire.decode_result(payload, elements)
            except wire.WireError as err:
                self.close(kill=True)
                raise Crashed(f"{CORRUPT}: {err}") from None
        self.close(kill=True)
        if kind == "engine":
            raise EngineUsed(f"{self.path} {ENGINE_WORDS}")
        raise Crashed(f"{CORRUPT} (a reply '{kind[:20]}' where a result was due)")

    def _send(self, message: object) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:  # closed (at quit) or never loaded
            raise Crashed("the process running it has been closed")
        try:
            wire.write(proc.stdin, message)
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
            if message == OVER_MEMORY:
                raise OverMemory(self.over_memory)
            raise Crashed(message)
        if kind == "memory":
            self.close(kill=True)
            raise OverMemory(self.over_memory)
        if kind == "corrupt":
            self.close(kill=True)
            raise Crashed(f"{CORRUPT}: {str(payload)[:200]}")
        return kind, payload

    @property
    def over_memory(self) -> str:
        """The words for running out of memory, with the limit (and how to change it)."""
        return (f"your code used more than {self.memory_mb:g} MB of memory and was stopped "
                "(the limit is --memory MB)")

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
            if proc.returncode == OUT_OF_MEMORY:
                return OVER_MEMORY
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
        if proc is not None:
            self._stop(proc, kill)
        folder, self._folder = self._folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def _stop(proc: subprocess.Popen[bytes], kill: bool) -> None:
        if not kill and proc.stdin is not None:
            with contextlib.suppress(OSError):
                wire.write(proc.stdin, {"stop": True})
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
