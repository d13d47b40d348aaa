"""The Textual app: composition, key bindings, and wiring core actions to widgets.

It computes no numbers: every action calls the Session, then each widget is
shown the session's new state. Long runs go to a worker thread that posts
progress messages back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane, Tabs

from ..check.compare import SampleComparison
from ..check.loader import Student
from ..core.gradcheck import gradient_check
from ..core.phases import PHASE_INDEX, PHASES
from ..core.session import RunResult, Session
from ..core.timeline import EpochRecord
from .student import ENGINE_NAME, StudentRunner
from .widgets.epochs_dialog import EpochsDialog
from .widgets.equation import EquationPanel
from .widgets.gradcheck import GradCheckScreen
from .widgets.help import HelpScreen
from .widgets.params import ParamsPanel
from .widgets.plots import FitPlot, LossPlot
from .widgets.position import PositionBar
from .widgets.status import StatusBar
from .widgets.values import BACKWARD, FORWARD, ValuesPanel

PRODUCED_AT = {name: PHASE_INDEX[p.key] for p in PHASES for name in p.produces}
PACES = (2.0, 1.0, 0.5, 0.25, 0.1)  # seconds per autoplay step
HINT = "n/→ step · p/← back · u update · e epoch · space autoplay · ? help"
# Actions that stay usable while epochs run in the background.
PROGRESS_INTERVAL = 0.1  # seconds between progress redraws during a run
DURING_RUN = {"cancel", "help", "quit", "next_tab", "command_palette"}


class Body(VerticalScroll, inherit_bindings=False):
    """Scrolls the panels on small terminals; left/right are left to the app's stepping."""

    BINDINGS = [
        Binding("up", "scroll_up", show=False),
        Binding("down", "scroll_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]


class BackpropApp(App[None]):
    """Step through backprop on the lab's network, forwards and backwards in time."""

    CSS_PATH = "app.tcss"
    TITLE = "backprop-tui"
    BINDINGS = [
        Binding("n,right", "step_forward", "Step", id="step_forward"),
        Binding("p,left", "step_back", "Back", id="step_back"),
        Binding("N,shift+right", "next_sample", "Next sample", id="next_sample"),
        Binding("P,shift+left", "prev_sample", "Prev sample", id="prev_sample"),
        Binding("u", "apply_update", "Update", id="apply_update"),
        Binding("e", "run_epoch", "Epoch", id="run_epoch"),
        Binding("E", "run_epochs", "N epochs", id="run_epochs"),
        Binding("space", "autoplay", "Play", id="autoplay"),
        Binding("plus", "pace(1)", "Faster", id="faster", show=False),
        Binding("minus", "pace(-1)", "Slower", id="slower", show=False),
        Binding("r", "reset", "Reset", id="reset"),
        Binding("t", "next_tab", "Plot", id="next_tab"),
        Binding("g", "gradcheck", "Grad check", id="gradcheck"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("escape", "cancel", "Cancel run", id="cancel", show=False),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    @dataclass
    class RunProgress(Message):
        done: int
        total: int
        records: list[EpochRecord]

    @dataclass
    class RunFinished(Message):
        result: RunResult

    @dataclass
    class StudentCompared(Message):
        update: int
        comparison: SampleComparison

    def __init__(self, session: Session, student: Student | None = None) -> None:
        super().__init__()
        self.session = session
        self.student = StudentRunner(student) if student is not None else None
        self.comparison: tuple[int, SampleComparison] | None = None
        self.running = False
        self._cancel = threading.Event()
        self._pace = 2
        self._autoplay = None

    # -- layout ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield PositionBar(id="position")
        with Body(id="body"):
            with Horizontal(id="panels"):
                yield ParamsPanel(id="params", classes="panel")
                yield ValuesPanel(FORWARD, id="forward", classes="panel")
                yield ValuesPanel(BACKWARD, id="backward", classes="panel")
            yield EquationPanel(id="equation", classes="panel")
            with TabbedContent(id="plots"):
                with TabPane("Loss per epoch", id="tab-loss"):
                    yield LossPlot(id="loss-plot")
                with TabPane("Predictions vs targets", id="tab-fit"):
                    yield FitPlot(id="fit-plot")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#params").border_title = "Parameters"
        self.query_one("#forward").border_title = "Forward"
        self.query_one("#backward").border_title = "Backward"
        self.query_one("#equation").border_title = "Equation"
        for tabs in self.query(Tabs):
            tabs.can_focus = False  # left/right belong to stepping, not to tab switching
        self.query_one(StatusBar).progress(None)
        self.show_state()
        self.say_default()

    def on_resize(self, event: events.Resize) -> None:
        """Compact layout below the 120x40 reference (80x24 is the classroom minimum)."""
        self.screen.set_class(event.size.width < 110, "-narrow")
        self.screen.set_class(event.size.height < 34, "-short")
        for bar in self.query(PositionBar):
            bar.call_after_refresh(bar.show, self.session)

    # -- showing the core's state ----------------------------------------------
    def show_state(self) -> None:
        """Render the session into every widget (the only way state reaches the screen)."""
        s = self.session
        self.query_one(PositionBar).show(s)
        self.query_one(ParamsPanel).show(s)
        comparison = self.student_comparison()
        for panel in self.query(ValuesPanel):
            panel.show(s, comparison)
        self.query_one(EquationPanel).show(s, self.student_note(comparison))
        self.show_plots(s.epoch_records)

    # -- the student's implementation, beside the engine -----------------------
    def student_comparison(self) -> SampleComparison | None | bool:
        """False without --student; None while the current sample is being compared."""
        if self.student is None:
            return False
        u = self.session.cursor.update
        if self.comparison is not None and self.comparison[0] == u:
            return self.comparison[1]
        self.student.request(self.session, lambda u, c: self.post_message(
            self.StudentCompared(u, c)))
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
        head = f"your {m.quantity}: {m.kind}" if m.quantity else f"your function: {m.kind}"
        return f"{head}. {m.explanation}"

    @on(StudentCompared)
    def student_compared(self, message: StudentCompared) -> None:
        if self.student is not None and self.student.pending == message.update:
            self.student.pending = None
        self.comparison = (message.update, message.comparison)
        if message.update == self.session.cursor.update and not self.running:
            self.show_state()

    def show_plots(self, records: list[EpochRecord]) -> None:
        losses = self.session.epoch_losses() if not self.running else []
        running = sum(losses) / len(losses) if losses else None
        epoch = records[-1].epoch + 1 if records else 0
        self.query_one(LossPlot).show(records, running, epoch)
        if not self.running:
            self.query_one(FitPlot).show(*self.session.fit())

    def say_default(self) -> None:
        status = self.query_one(StatusBar)
        if self.session.divergence is not None and self._at_divergence():
            status.say(self.session.divergence.message, "bold red")
        elif self.session.dataset.warnings:
            status.say("warning: " + self.session.dataset.warnings[0], "yellow")
        else:
            status.say(HINT, "dim")

    def _at_divergence(self) -> bool:
        d = self.session.divergence
        return d is not None and self.session.cursor.update == d.update

    def _moved(self, moved: bool) -> None:
        """After a stepping action: redraw, or explain why the cursor could not move."""
        self.show_state()
        if moved:
            self.say_default()
        elif self.session.divergence is not None and self._at_divergence():
            self.stop_autoplay()
            self.query_one(StatusBar).say(self.session.divergence.message, "bold red")
        else:
            self.stop_autoplay()
            self.query_one(StatusBar).say("at the start of the run: nothing before it", "dim")

    # -- keys ------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.running
        if self.running and action not in DURING_RUN:
            return None  # shown dimmed: not now
        return True

    def action_step_forward(self) -> None:
        self._moved(self.session.step_forward())

    def action_step_back(self) -> None:
        self._moved(self.session.step_back())

    def action_next_sample(self) -> None:
        self._moved(self.session.next_sample())

    def action_prev_sample(self) -> None:
        self._moved(self.session.prev_sample())

    def action_apply_update(self) -> None:
        self._moved(self.session.apply_update())

    def action_reset(self) -> None:
        self.stop_autoplay()
        self.session.reset()
        self._moved(True)

    def action_next_tab(self) -> None:
        tabs = self.query_one("#plots", TabbedContent)
        tabs.active = "tab-fit" if tabs.active == "tab-loss" else "tab-loss"

    def action_gradcheck(self) -> None:
        s = self.session
        c = s.cursor
        row = s.row
        checks = gradient_check(s.params, s.dataset.X_train[row], float(s.dataset.y_train[row]))
        where = f"epoch {c.epoch}, sample {c.position + 1}/{s.n} (row {row})"
        self.push_screen(GradCheckScreen(checks, where))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.binding_rows()))

    def binding_rows(self) -> list[tuple[str, str]]:
        """(keys, description) for each of the app's bindings, from the live bindings."""
        keys: dict[str, list[str]] = {}
        for key, active in self.active_bindings.items():
            if active.binding.id:
                keys.setdefault(active.binding.id, []).append(key)
        rows = []
        for b in self.BINDINGS:
            assert isinstance(b, Binding)
            shown = keys.get(b.id or "", b.key.split(","))
            rows.append((", ".join(self.get_key_display(Binding(k, b.action)) for k in shown),
                         b.description))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers the same actions as the keys, by their descriptions."""
        yield from super().get_system_commands(screen)
        for b in self.BINDINGS:
            assert isinstance(b, Binding)
            if b.id not in {"quit", "cancel"}:
                yield SystemCommand(b.description, f"key: {b.key.replace(',', ' or ')}",
                                    partial(self.run_action, b.action))

    # -- autoplay --------------------------------------------------------------
    def action_autoplay(self) -> None:
        if self._autoplay is None:
            self._autoplay = self.set_interval(PACES[self._pace], self._autoplay_tick)
            self.query_one(StatusBar).say(self._pace_text())
        else:
            self.stop_autoplay()
            self.say_default()

    def _pace_text(self) -> str:
        return f"autoplay: one phase every {PACES[self._pace]:g} s (+/- to change, space stops)"

    def action_pace(self, delta: int) -> None:
        self._pace = min(max(self._pace + delta, 0), len(PACES) - 1)
        if self._autoplay is not None:
            self._autoplay.stop()
            self._autoplay = self.set_interval(PACES[self._pace], self._autoplay_tick)
            self.query_one(StatusBar).say(self._pace_text())
        else:
            self.query_one(StatusBar).say(f"autoplay pace: {PACES[self._pace]:g} s per phase")

    def _autoplay_tick(self) -> None:
        if not self.running:
            self._moved(self.session.step_forward())

    def stop_autoplay(self) -> None:
        if self._autoplay is not None:
            self._autoplay.stop()
            self._autoplay = None

    @property
    def autoplaying(self) -> bool:
        return self._autoplay is not None

    # -- running epochs ----------------------------------------------------------
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
        self._cancel.clear()
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
                self.post_message(self.RunProgress(done, total, list(records)))

        result = session.run_epochs(n_epochs, progress, self._cancel.is_set)
        self.post_message(self.RunFinished(result))

    @on(RunProgress)
    def run_progress(self, message: RunProgress) -> None:
        self.query_one(StatusBar).progress(message.done, message.total)
        self.query_one(LossPlot).show(message.records, None, len(message.records))

    @on(RunFinished)
    def run_finished(self, message: RunFinished) -> None:
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
