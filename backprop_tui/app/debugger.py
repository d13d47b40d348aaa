"""The debugger's keys: runs, go to, and (in the modules beside it) breakpoints,
watches, edits, save and export.

Every one of them asks the core: places come from :mod:`~backprop_tui.core.debugger.places`,
a run is a job for :class:`~.runs.EpochRuns` in a worker thread (or, when the core
estimates it under AT_ONCE_S, done at once), and the screen is redrawn from the
session afterwards. This mixin keeps ``app.py`` to the
stepping keys; it reads the app's session, runs and main screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core.debugger.edits import EditError
from ..core.debugger.places import PlaceError, check_reachable, go_to, parse_place, updates_to_run
from ..core.run.session import RunResult
from .palette import PALETTE
from .runs import Job, RunFinished, RunProgress
from .widgets.prompt import PromptDialog, Verdict

if TYPE_CHECKING:
    from .app import BackpropApp

    _Base = BackpropApp
else:
    _Base = object

AfterRun = Callable[[object], None]
Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

AT_ONCE_S = 0.25  # estimated seconds under which e/E run on the UI thread, no worker
AT_ONCE_LIMIT_S = 0.35  # if such a run is still going after this, the worker takes over
clock = time.monotonic  # the tests replace it to make a run "slow"


class DebuggerActions(_Base):
    """Runs and jumps in a worker thread, and the dialogs that ask where to."""

    _after_run: AfterRun | None = None
    _run_from_epoch = 0  # where the last run of epochs started (to count what it ran)

    # -- runs --------------------------------------------------------------------
    def start_job(self, job: Job, label: str, after: AfterRun) -> None:
        """Run ``job`` in the worker thread; ``after(result)`` once it is done."""
        self.stop_autoplay()
        self._after_run = after
        work = self.runs.start_job(job)  # running: the Footer dims its keys (bindings=True)
        self.main.run_started(label)
        self.run_worker(work, thread=True, exclusive=True, group="run")

    def start_run(self, n_epochs: int) -> None:
        """e and E: run n epochs, stopping at the breakpoints when there are any."""
        session = self.session
        self._run_from_epoch = session.cursor.epoch
        target = (session.cursor.epoch + n_epochs) * session.n
        if self.breakpoints.enabled():
            self.run_to_breakpoint(target, f"running {n_epochs} epoch(s), stopping at "
                                   "breakpoints… escape cancels", epochs_run=True)
            return
        self.run_soon(target, 0, f"running {n_epochs} epoch(s)… escape cancels",
                      self._epochs_ran)

    def run_soon(self, target: int, phase: int, label: str, after: AfterRun) -> None:
        """Move to (update ``target``, ``phase``), computing the run up to it; then
        ``after(RunResult)`` (its epochs counted from where the cursor is now).

        Work the core estimates under AT_ONCE_S is done here, on the UI thread: it is
        over before a progress bar would mean anything, and a worker thread would only
        slow it (the pure-Python kernel and the frames share the GIL). Should it still
        be going after AT_ONCE_LIMIT_S (a slower machine), the rest goes to the worker,
        with its progress and escape, from the sample it reached."""
        session = self.session
        done = 0
        if session.run_seconds(target) <= AT_ONCE_S:
            self.stop_autoplay()
            limit = clock() + AT_ONCE_LIMIT_S
            first = session.run_to(target, phase, cancel=lambda: clock() > limit)
            if not first.cancelled:
                self._after_run = after
                self.finish_run(first)
                return
            done = first.epochs_completed

        def rest(progress: Progress, cancel: Cancel) -> RunResult:
            r = session.run_to(target, phase, progress, cancel)
            return RunResult(done + r.epochs_completed, r.cancelled, r.divergence)

        self.start_job(rest, label, after)

    def _epochs_ran(self, result: object) -> None:
        r = result if isinstance(result, RunResult) else RunResult(0, False, None)
        if r.epochs_completed and r.divergence is None and not r.cancelled:
            self.views.plot_after_a_run()
        self.main.run_finished(self.session, r)

    def on_run_progress(self, message: RunProgress) -> None:
        self.main.run_progress(self.session, message.done, message.total, message.update,
                               message.records)

    def on_run_finished(self, message: RunFinished) -> None:
        self.finish_run(message.result)

    def finish_run(self, result: object) -> None:
        """A job is over (in the worker, or at once): its outcome, then the screen."""
        self.runs.finished()  # the keys light up again
        after, self._after_run = self._after_run, None
        if after is not None:  # it may give the plot the room (-plot-view, styled below)
            after(result)
        self.main.run_ended()  # one restyle for both classes
        self.show_state()
        # Most of the screen changed: lay it all out in the next frame, not widget by
        # widget over two or three (each widget's update reaches the screen on its own).
        self.main.refresh(layout=True)

    # -- go to ---------------------------------------------------------------------
    def action_goto(self) -> None:
        """Ask for a place (epoch sample [phase]) and jump there, running forward if needed."""
        s = self.session

        def check(text: str) -> Verdict:
            try:
                place = parse_place(text, s.n, s.net)
                check_reachable(s, place)
            except PlaceError as err:
                return Verdict(False, str(err))
            ahead = updates_to_run(s, place)
            run = f": runs {ahead:,} updates forward (escape stops)" if ahead else ""
            return Verdict(True, f"to {place.describe()}{run}")

        def chosen(text: str | None) -> None:
            if text:
                self.go_to_text(text)

        self.push_screen(PromptDialog("Go to: epoch sample [phase]", check,
                                      placeholder="e.g. 3 17 dW2 (epochs from 0, samples from 1)",
                                      hint="epochs count from 0, samples from 1; the phase by "
                                           "name or 1-11"), chosen)

    def go_to_text(self, text: str) -> None:
        """Jump to the place ``text`` names (already checked by the dialog)."""
        s = self.session
        place = parse_place(text, s.n, s.net)
        if not updates_to_run(s, place):
            go_to(s, place)
            self._moved(True)
            self.main.say(f"at {place.describe()}", "bold")
            return

        def arrived(result: object) -> None:
            r = result if isinstance(result, RunResult) else RunResult(0, False, None)
            if r.divergence is not None:
                self.main.say(r.divergence.message, PALETTE.error)
            elif r.cancelled:
                c = s.cursor
                self.main.say(f"go-to cancelled: stopped at epoch {c.epoch}, sample "
                              f"{c.position + 1}; you can step from here", PALETTE.warning)
            else:
                self.main.say(f"at {place.describe()}", PALETTE.success)

        self.run_soon(place.update, place.phase, f"going to {place.describe()}… escape "
                      "cancels", arrived)

    def action_drop_edits(self) -> None:
        """R: every edit undone, back to the start of the run the options made."""
        self.stop_autoplay()
        dropped = self.session.drop_edits()
        self._moved(True)
        self.main.say(f"dropped {dropped} edit(s): back to the start of the run as the options "
                      "made it" if dropped else "no edit to drop (= makes one); back to the start",
                      PALETTE.success if dropped else "")

    # -- set a parameter or η ------------------------------------------------------
    def action_set_value(self) -> None:
        """Ask for ``W1[0,1] = 0.5``, ``b2 = [0]`` or ``lr = 0.1`` and apply it at the
        cursor's update; what it would discard is said first, and enter twice does it."""
        s = self.session

        def check(text: str) -> Verdict:
            try:
                preview = s.edit_preview(text)
            except EditError as err:
                return Verdict(False, str(err))
            loses = bool(preview.discarded_updates or preview.discarded_edits)
            return Verdict(True, preview.message, confirm=loses)

        def chosen(text: str | None) -> None:
            if not text:
                return
            try:
                edit = s.edit(text)
            except EditError as err:  # the run moved on since the dialog checked it
                self.main.say(str(err), PALETTE.error)
                return
            self._moved(True)
            c = s.cursor
            self.main.say(f"set {edit.target} at epoch {c.epoch}, sample {c.position + 1}; "
                          "p steps back to before it, the loss plot marks it", PALETTE.success)

        self.push_screen(PromptDialog("Set a parameter or η at this sample", check,
                                      placeholder="W1[0,1] = 0.5   b2 = [0]   lr = 0.1",
                                      hint="applies from this sample on; the run after it "
                                           "is recomputed"), chosen)
