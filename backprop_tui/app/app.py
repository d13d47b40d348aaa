"""The Textual app: composition, key bindings, and wiring core actions to widgets.

It computes no numbers: every action calls the Session, then each widget is
shown the session's new state. Long runs go to a worker thread that posts
progress messages back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import partial

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane, Tabs

from ..check.compare import SampleComparison
from ..check.sandbox import StudentProcess
from ..core.gradcheck import gradient_check
from ..core.session import Session
from .keys import APP_BINDINGS, DURING_RUN
from .runs import RunsMixin
from .student import StudentCompared, StudentMixin, StudentRunner
from .widgets.equation import EquationPanel
from .widgets.gradcheck import GradCheckScreen
from .widgets.help import HelpScreen
from .widgets.params import ParamsPanel
from .widgets.plots import FitPlot, LossPlot
from .widgets.position import PositionBar
from .widgets.status import StatusBar
from .widgets.values import BACKWARD, FORWARD, ValuesPanel

PACES = (2.0, 1.0, 0.5, 0.25, 0.1)  # seconds per autoplay step
HINT = "n/→ step · p/← back · u update · e epoch · space autoplay · ? help"


class Body(VerticalScroll, inherit_bindings=False):
    """Scrolls the panels on small terminals; left/right are left to the app's stepping."""

    BINDINGS = [
        Binding("up", "scroll_up", show=False),
        Binding("down", "scroll_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]


class BackpropApp(RunsMixin, StudentMixin, App[None]):
    """Step through backprop on the lab's network, forwards and backwards in time."""

    CSS_PATH = "app.tcss"
    TITLE = "backprop-tui"
    BINDINGS = APP_BINDINGS
    def __init__(self, session: Session, student: StudentProcess | None = None) -> None:
        super().__init__()
        self.session = session
        self.student = None if student is None else StudentRunner(
            student, lambda u, answer: self.post_message(StudentCompared(u, answer)))
        self.comparison: tuple[int, SampleComparison] | None = None
        self.running = False
        self._cancel = threading.Event()  # set by escape, polled by the running trainer
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
        if self.student is not None:
            self.query_one("#forward").border_subtitle = f"yours: {self.student.name}"
        for tabs in self.query(Tabs):
            tabs.can_focus = False  # left/right belong to stepping, not to tab switching
        self.query_one(StatusBar).progress(None)
        self.show_state()
        self.say_default()

    async def action_quit(self) -> None:
        """Quit at once, even mid-run: the trainer stops at its next chunk."""
        self._cancel.set()
        self.exit()

    def on_unmount(self) -> None:
        self._cancel.set()
        if self.student is not None:
            self.student.close()

    def on_resize(self, event: events.Resize) -> None:
        """Compact layout below the 120x40 reference (80x24 is the classroom minimum)."""
        self.screen.set_class(event.size.width < 110, "-narrow")
        self.screen.set_class(event.size.height < 34, "-short")
        if self.running:  # the trainer owns the session until it posts RunFinished
            return
        if self.is_mounted(self.screen):
            self.call_after_refresh(self.show_state)

    # -- showing the core's state ----------------------------------------------
    def show_state(self) -> None:
        """Render the session into every widget (the only way state reaches the screen)."""
        s = self.session
        self.query_one(PositionBar).show(s, self.size.width)
        comparison = self.student_comparison()
        tallest = max(self.query_one(ParamsPanel).show(s),
                      *(panel.show(s, comparison) for panel in self.query(ValuesPanel)))
        # The panel row grows with what it holds (hidden units, student lines), within reason;
        # on narrow screens the stylesheet lets each panel size itself.
        panels = self.query_one("#panels")
        narrow = self.screen.has_class("-narrow")
        panels.styles.height = None if narrow else min(max(tallest + 2, 10), 26)
        self.query_one(EquationPanel).show(s, self.student_note(comparison))
        self.show_plots()

    def show_plots(self) -> None:
        records = self.session.epoch_records
        losses = self.session.epoch_losses() if not self.running else []
        running = sum(losses) / len(losses) if losses else None
        epoch = records[-1].epoch + 1 if records else 0
        self.query_one(LossPlot).show(records, running, epoch)
        if not self.running:
            self.query_one(FitPlot).show(*self.session.fit())

    def say_default(self) -> None:
        status = self.query_one(StatusBar)
        if self._at_divergence():
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
        if not moved:
            self.stop_autoplay()
        if moved and self.autoplaying:
            self.query_one(StatusBar).say(self._pace_text())
        elif moved or self._at_divergence():
            self.say_default()  # it explains a divergence the cursor stands at
        else:
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
        if self.session.phase.key == "update":
            self.query_one(StatusBar).say("already at the update: n or N goes to the next sample")
            return
        self._moved(self.session.apply_update())

    def action_reset(self) -> None:
        self.stop_autoplay()
        self.session.reset()
        self._moved(True)
        self.query_one(StatusBar).say("reset to the initial parameters; the run so far is kept, "
                                      "so e / E replay it at once")

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

    def binding_rows(self) -> list[tuple[str, str, str]]:
        """(keys, name, what it does) for each of the app's bindings, from the live bindings."""
        keys: dict[str, list[str]] = {}
        for key, active in self.active_bindings.items():
            if active.binding.id:
                keys.setdefault(active.binding.id, []).append(key)
        rows = []
        for b in self.BINDINGS:
            assert isinstance(b, Binding)
            shown = keys.get(b.id or "", b.key.split(","))
            rows.append((", ".join(self.get_key_display(Binding(k, b.action)) for k in shown),
                         b.description, b.tooltip))
        return rows

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers the same actions as the keys, by their descriptions."""
        yield from super().get_system_commands(screen)
        for b in self.BINDINGS:
            assert isinstance(b, Binding)
            if b.id not in {"quit", "cancel"}:
                key = self.get_key_display(Binding(b.key.split(",")[0], b.action))
                yield SystemCommand(b.description, f"{b.tooltip} (key {key})",
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
