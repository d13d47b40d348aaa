"""Running epochs in a worker thread while the app stays responsive.

:class:`EpochRuns` owns whether a run is going and the flag that cancels it; the
app asks it, never keeps its own copy. The session's fast trainer runs in a
thread; progress comes back as small messages (at most 4 a second, the first after
half a second: counts, where the run stands, and the finished epochs' records, read
in the worker); escape sets the flag the trainer polls between chunks, so a
cancelled run stops at the start of a sample, a state one can step from.

Why the first progress waits half a second: until then the screen keeps its layout
and only the status line says a run is going, so a run that ends sooner goes
straight to its outcome: one change of layout instead of two, and no frames taking
the GIL from the worker (see ``bench/app_run.py``).

Why the records travel in the message: the trainer holds the timeline's lock for
every chunk and takes it again at once, so a UI thread that asks the timeline for
them waits, often until the run ends, and the whole event loop with it (no frame,
no key); the worker reads them between its chunks without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from ..core.run.records import EpochRecord
from ..core.run.session import RunResult, Session

Job = Callable[[Callable[[int, int], None], Callable[[], bool]], object]
"""Work for the run thread: job(progress, cancel) returns what RunFinished carries."""

PROGRESS_INTERVAL = 0.25  # seconds between progress redraws during a run (4 a second)
FIRST_PROGRESS = 0.5  # seconds before the first: a shorter run shows only its outcome


@dataclass
class RunProgress(Message):
    done: int        # updates done of ``total``
    total: int
    update: int      # the update the run has reached (epoch and sample follow from it)
    records: list[EpochRecord]  # the epochs finished before that update's epoch


@dataclass
class RunFinished(Message):
    result: RunResult | object  # a run of epochs' RunResult, or what another job returned


class EpochRuns:
    """One run of epochs at a time, for one session; posts RunProgress and RunFinished."""

    def __init__(self, session: Session, post: Callable[[Message], object],
                 changed: Callable[[bool], None] = lambda running: None) -> None:
        """``changed(running)`` when a run starts or ends (the app's ``running`` reactive)."""
        self.session = session
        self.post = post
        self._running = False
        self._changed = changed
        self._cancel = threading.Event()

    @property
    def running(self) -> bool:
        return self._running

    @running.setter
    def running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self._changed(running)

    def start(self, n_epochs: int) -> Callable[[], None]:
        """Mark the run as going; returns the function to run in a worker thread."""
        return self.start_job(lambda progress, cancel: self.session.run_epochs(
            n_epochs, progress, cancel))

    def start_job(self, job: Job) -> Callable[[], None]:
        """Like :meth:`start`, for any work that moves the session forward (a go-to, a
        search for a breakpoint), with the same progress, cancel and end message."""
        self.running = True
        self._cancel = threading.Event()
        return lambda: self._work(job)

    def cancel(self) -> None:
        self._cancel.set()

    def finished(self) -> None:
        self.running = False

    def _work(self, job: Job) -> None:
        session = self.session
        seen = [time.monotonic() + FIRST_PROGRESS - PROGRESS_INTERVAL]  # of the last post

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - seen[0] >= PROGRESS_INTERVAL:
                seen[0] = now
                update = session.timeline.head
                records = session.timeline.records_before(update // session.n)
                self.post(RunProgress(done, total, update, records))

        result = job(progress, self._cancel.is_set)
        self.post(RunFinished(result))
