"""The student's ``forward_backward_pass`` beside the engine, sample by sample (--student).

The student's file lives in a child process (:mod:`backprop_tui.check.sandbox`),
so a function that never returns is stopped after CALL_SECONDS instead of
freezing anything, and what it prints cannot scribble over the screen. One
daemon thread talks to that process: the app asks for the sample under the
cursor, the latest request wins, and each answer comes back as a message tagged
with the update it belongs to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from textual.message import Message

from ..core.network.params import Params
from ..core.network.phases import lab_net
from ..core.run.session import Session

if TYPE_CHECKING:  # the checker is imported when a student file is given, not at start-up
    from ..check.sandbox import StudentProcess

CALL_SECONDS = 5.0  # one call of the student's function, in the app
# Engine quantities of the panels and the student's return value that matches each.
STUDENT_NAME = {"y_hat": "pred", "L": "loss", "dW2": "dW2", "db2": "db2", "dW1": "dW1",
                "db1": "db1"}
KIND_WORDS = {"shape": "wrong shape", "value": "wrong values", "missing": "missing",
              "non-finite": "nan/inf", "raised": "raised an exception",
              "count": "wrong number of returned values",
              "mutated": "changes its arguments", "precision": "too imprecise (float32?)",
              "state": "keeps state between calls", "approximate": "approximate values",
              "updated": "updated weights, not gradients"}

# What came back for one sample: the comparison, or why there is none (a sentence).
Answer = "SampleComparison | str"


def start_student(path: str, load_seconds: float = 10.0,
                  memory_mb: float | None = None) -> StudentProcess:
    """Load FILE.py in a quiet child process; raises StudentError, TimedOut or Crashed."""
    from ..check.sandbox import DEFAULT_MEMORY_MB, StudentProcess

    proc = StudentProcess(path, load_seconds, quiet=True,
                          memory_mb=DEFAULT_MEMORY_MB if memory_mb is None else memory_mb)
    proc.load()
    return proc


@dataclass
class StudentCompared(Message):
    update: int
    answer: Answer


class StudentRunner:
    """Compares the sample the app asks for, one at a time, in the student's process."""

    def __init__(self, proc: StudentProcess, done: Callable[[int, Answer], None]) -> None:
        self.proc = proc
        self.name = Path(proc.path).name
        self.done = done
        self.pending: int | None = None
        self.stopped: str | None = None
        self.comparison: tuple[int, Answer] | None = None  # the latest answer, by update
        self._wanted: tuple[int, Params, np.ndarray, float, float] | None = None
        self._cond = threading.Condition()
        threading.Thread(target=self._serve, name="student-compare", daemon=True).start()

    def answer_for(self, session: Session) -> Answer | None:
        """The answer for the cursor's sample, or None (and asked for) while it is computed."""
        u = session.cursor.update
        if self.comparison is not None and self.comparison[0] == u:
            return self.comparison[1]
        self.request(session)
        return None

    def received(self, update: int, answer: Answer) -> None:
        """Keep an answer that came back (called on the app's thread)."""
        if self.pending == update:
            self.pending = None
        self.comparison = (update, answer)

    def request(self, session: Session) -> None:
        """Ask for the current sample unless it is already asked for."""
        u = session.cursor.update
        with self._cond:
            if self.pending == u:
                return
            row = session.timeline.row(u)
            self.pending = u
            self._wanted = (u, session.params, session.dataset.X_train[row],
                            float(session.dataset.y_train[row]), session.lr)
            self._cond.notify()

    def _serve(self) -> None:
        while True:
            with self._cond:
                while self._wanted is None:
                    self._cond.wait()
                u, params, x, y, lr = self._wanted
                self._wanted = None
            try:
                answer = self._compare(params, x, y, lr)
            except Exception as err:  # never let the thread die: the panel would wait forever
                answer = self.stopped = f"could not be compared: {err}"
            self.done(u, answer)

    def _compare(self, params: Params, x: np.ndarray, y: float, lr: float) -> Answer:
        from ..check.compare import compare_call, student_args
        from ..check.loader import StudentError
        from ..check.sandbox import Crashed, TimedOut

        if self.stopped is not None:
            return self.stopped
        self.proc.remaining = CALL_SECONDS
        try:
            call = self.proc.call(student_args(params, x, y))
        except TimedOut:
            self.stopped = (f"did not return within {CALL_SECONDS:g} s and was stopped "
                            "(a loop that never ends?)")
            return self.stopped
        except Crashed as err:  # OverMemory too: its words name the limit
            self.stopped = f"stopped: {err}"
            return self.stopped
        except StudentError as err:  # EngineUsed: it imported this package after all
            self.stopped = f"stopped: {err}"
            return self.stopped
        return compare_call(call, params, x, y, lr=lr)

    def close(self) -> None:
        self.proc.close(kill=True)


def student_note(answer: Answer | None | bool, phase: int,
                 index: Mapping[str, int] | None = None) -> str | None:
    """The first mismatch explained, once the cursor's ``phase`` has reached where it shows
    first (a wrong delta2, read back from the student's db2, shows at the delta2 phase).
    ``index``: the session's phase positions by key (``session.net.index``); the lab's
    when not given, as the student's function is the lab's."""
    index = lab_net().index if index is None else index
    if isinstance(answer, str):
        return f"your forward_backward_pass {answer}"
    if answer is None or isinstance(answer, bool) or answer.mismatch is None:
        return None
    where = answer.explain_at
    if where is not None and phase < index[where]:
        return None
    m = answer.mismatch
    what = KIND_WORDS.get(m.kind, m.kind)
    head = f"your {m.quantity} ({what})" if m.quantity else f"your function ({what})"
    if answer.origin is not None and answer.error_starts_at_delta2 and \
            phase < index["dW2"]:
        return f"your delta2 (read back from your db2) is wrong: {answer.origin.text}"
    return f"{head}: {m.explanation}"
