"""Comparing the student's ``forward_backward_pass`` with the engine, off the UI thread.

The student's function runs in-process on copies of the current sample's
inputs, in a daemon thread, so a slow or never-returning function leaves the
app responsive (and does not keep it alive at quit). The answer comes back as a
message tagged with the update it belongs to; stale answers are dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..check.compare import SampleComparison, compare_sample
from ..check.loader import Student
from ..core.session import Session

# Engine quantities of the panels and the student's return value that matches each.
STUDENT_NAME = {"y_hat": "pred", "L": "loss", "dW2": "dW2", "db2": "db2", "dW1": "dW1",
                "db1": "db1"}
ENGINE_NAME = {v: k for k, v in STUDENT_NAME.items()}


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
