"""Running epochs in a worker thread while the app stays responsive.

The session's fast trainer runs in a thread; progress comes back as messages
(at most ~10 redraws a second: a redraw per epoch would flood the app on fast
epochs); escape sets a flag the trainer polls between chunks, so a cancelled
run stops at the start of a sample, a state one can step from.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from textual import work
from textual.message import Message

from ..core.session import RunResult, Session
from ..core.timeline import EpochRecord
from .widgets.epochs_dialog import EpochsDialog
from .widgets.plots import LossPlot
from .widgets.status import StatusBar

PROGRESS_INTERVAL = 0.1  # seconds between progress redraws during a run


@dataclass
class RunProgress(Message):
    done: int
    total: int
    records: list[EpochRecord]


@dataclass
class RunFinished(Message):
    result: RunResult


class RunsMixin:
    """Keys e, E and escape for BackpropApp (which provides session, show_state, ...)."""

    session: Session
    running: bool = False
    _cancel: threading.Event

    def action_run_epoch(self) -> None:
        self.start_run(1)

    def action_run_epochs(self) -> None:
        def chosen(n: int | None) -> None:
            if n:
                self.start_run(n)

        self.push_screen(EpochsDialog(self.session.config.epochs or 1), chosen)

    def action_cancel(self) -> None:
        self._cancel.set()

    def start_run(self, n_epochs: int) -> None:
        self.stop_autoplay()
        self.running = True
        self._cancel = threading.Event()
        self.refresh_bindings()
        status = self.query_one(StatusBar)
        status.say(f"running {n_epochs} epoch(s)… escape cancels", "bold")
        status.progress(0, 1)
        self.run_worker_epochs(n_epochs)

    @work(thread=True, exclusive=True, group="run")
    def run_worker_epochs(self, n_epochs: int) -> None:
        """Runs in a thread; posts progress when an epoch completes, at most ~10 times a second
        (a flood of redraws would make the app unresponsive on fast epochs)."""
        session = self.session
        seen = [0, 0.0]  # epochs posted, time of last post

        def progress(done: int, total: int) -> None:
            records = session.timeline.epoch_records
            now = time.monotonic()
            if len(records) > seen[0] and now - seen[1] >= PROGRESS_INTERVAL:
                seen[:] = [len(records), now]
                self.post_message(RunProgress(done, total, list(records)))

        result = session.run_epochs(n_epochs, progress, self._cancel.is_set)
        self.post_message(RunFinished(result))

    def on_run_progress(self, message: RunProgress) -> None:
        self.query_one(StatusBar).progress(message.done, message.total)
        self.query_one(LossPlot).show(message.records, None, len(message.records))

    def on_run_finished(self, message: RunFinished) -> None:
        self.running = False
        self.refresh_bindings()
        status = self.query_one(StatusBar)
        status.progress(None)
        self.show_state()
        r = message.result
        if r.divergence is not None:
            status.say(r.divergence.message, "bold red")
        elif r.cancelled:
            c = self.session.cursor
            status.say(f"cancelled: stopped at epoch {c.epoch}, sample {c.position + 1}; "
                       "you can step from here", "yellow")
        else:
            status.say(f"ran {r.epochs_completed} epoch(s); now at the start of epoch "
                       f"{self.session.cursor.epoch}", "green")
