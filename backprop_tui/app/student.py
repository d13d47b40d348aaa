"""Comparing the student's ``forward_backward_pass`` with the engine, off the UI thread.

The student's function runs in-process on copies of the current sample's
inputs, in a daemon thread, so a slow or never-returning function leaves the
app responsive (and does not keep it alive at quit). The answer comes back as a
message tagged with the update it belongs to; stale answers are dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from ..check.compare import SampleComparison, compare_sample
from ..check.loader import Student
from ..core.phases import PHASE_INDEX, PHASES
from ..core.session import Session

# Engine quantities of the panels and the student's return value that matches each.
STUDENT_NAME = {"y_hat": "pred", "L": "loss", "dW2": "dW2", "db2": "db2", "dW1": "dW1",
                "db1": "db1"}
ENGINE_NAME = {v: k for k, v in STUDENT_NAME.items()}
KIND_WORDS = {"shape": "wrong shape", "value": "wrong values", "missing": "missing",
              "non-finite": "nan/inf", "raised": "raised an exception",
              "count": "wrong number of returned values"}
PRODUCED_AT = {name: PHASE_INDEX[p.key] for p in PHASES for name in p.produces}


@dataclass
class StudentCompared(Message):
    update: int
    comparison: SampleComparison


class StudentRunner:
    """Runs one comparison at a time for the sample under the cursor."""

    def __init__(self, student: Student) -> None:
        self.student = student
        self.pending: int | None = None  # the update whose comparison is running

    def request(self, session: Session,
                done: Callable[[int, SampleComparison], None]) -> None:
        """Start comparing the current sample unless that is already under way."""
        u = session.cursor.update
        if self.pending == u:
            return
        self.pending = u
        row = session.timeline.row(u)
        args = (session.params, session.dataset.X_train[row], float(session.dataset.y_train[row]))

        def work() -> None:
            comparison = compare_sample(self.student, *args, numeric=True)
            done(u, comparison)

        threading.Thread(target=work, name="student-compare", daemon=True).start()


class StudentMixin:
    """The --student view for BackpropApp: request comparisons, explain the first mismatch."""

    session: Session
    student: StudentRunner | None = None
    comparison: tuple[int, SampleComparison] | None = None
    running: bool = False

    def student_comparison(self) -> SampleComparison | None | bool:
        """False without --student; None while the current sample is being compared."""
        if self.student is None:
            return False
        u = self.session.cursor.update
        if self.comparison is not None and self.comparison[0] == u:
            return self.comparison[1]
        self.student.request(self.session, lambda u, c: self.post_message(
            StudentCompared(u, c)))
        return None

    def student_note(self, comparison: SampleComparison | None | bool) -> str | None:
        """The first mismatch explained, once the cursor has reached its quantity."""
        if not isinstance(comparison, SampleComparison) or comparison.mismatch is None:
            return None
        m = comparison.mismatch
        if m.quantity is not None:
            produced_at = PRODUCED_AT[ENGINE_NAME[m.quantity]]
            if self.session.cursor.phase < produced_at:
                return None
        what = KIND_WORDS.get(m.kind, m.kind)
        head = f"your {m.quantity} ({what})" if m.quantity else f"your function ({what})"
        return f"{head}: {m.explanation}"

    def on_student_compared(self, message: StudentCompared) -> None:
        if self.student is not None and self.student.pending == message.update:
            self.student.pending = None
        self.comparison = (message.update, message.comparison)
        if message.update == self.session.cursor.update and not self.running:
            self.show_state()
