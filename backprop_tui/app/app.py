"""The Textual app: composition, key bindings, and wiring core actions to widgets.

It computes no numbers: every action calls the Session, then each widget is
shown the session's new state. Who owns what: the Session owns the cursor,
:class:`~.runs.EpochRuns` owns whether a run is going, the
:class:`~.student.StudentRunner` owns the student's latest answer, and
:class:`~.widgets.body.Body` owns where the panels go.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane, Tabs

from ..check.sandbox import StudentProcess
from ..core.gradcheck import gradient_check
from ..core.session import Session
from .autoplay import Autoplay
from .keys import APP_BINDINGS, DURING_RUN, binding_rows, palette_commands
from .palette import PALETTE, PROJECTOR
from .runs import EpochRuns, RunFinished, RunProgress
from .student import Answer, StudentCompared, StudentRunner, student_note
from .widgets.body import Body
from .widgets.diagram import NetworkDiagram
from .widgets.epochs_dialog import EpochsDialog
from .widgets.equation import EquationPanel
from .widgets.full_values import FullValuesScreen
from .widgets.gradcheck import GradCheckScreen
from .widgets.help import HelpScreen
from .widgets.params import ParamsPanel
from .widgets.plots import FitPlot, LossPlot, RunningEpoch
from .widgets.position import PositionBar
from .widgets.status import StatusBar
from .widgets.values import BACKWARD, FORWARD, ValuesPanel

HINT = "n/→ step · p/← back · u update · e epoch · v plot view · space autoplay · ? help"


class BackpropApp(App[None]):
    """Step through backprop on the lab's network, forwards and backwards in time."""

    CSS_PATH = "app.tcss"
    TITLE = "backprop-tui"
    BINDINGS = APP_BINDINGS

    def __init__(self, session: Session, student: StudentProcess | None = None,
                 theme: str | None = None, screenshot_dir: str = ".") -> None:
        super().__init__()
        self.screenshot_dir = screenshot_dir
        self.register_theme(PROJECTOR)
        if theme is not None:
            self.theme = theme
        self.session = session
        self.student = None if student is None else StudentRunner(
            student, lambda u, answer: self.post_message(StudentCompared(u, answer)))
        self.runs = EpochRuns(session, self.post_message)
        self.autoplay = Autoplay(self.set_interval, self._autoplay_tick)

    @property
    def running(self) -> bool:
        return self.runs.running

    @property
    def comparison(self) -> tuple[int, Answer] | None:
        return None if self.student is None else self.student.comparison

    # -- layout ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield PositionBar(id="position")
        with Body(id="body"):
            yield NetworkDiagram(id="network", classes="panel")
            yield ParamsPanel(id="params", classes="panel")
            yield EquationPanel(id="equation", classes="panel")
            with Horizontal(id="values"):
                with Horizontal(id="numbers"):
                    yield ValuesPanel(FORWARD, id="forward", classes="panel")
                    yield ValuesPanel(BACKWARD, id="backward", classes="panel")
                with TabbedContent(id="plots"):
                    with TabPane("Loss per epoch", id="tab-loss"):
                        yield LossPlot(id="loss-plot")
                    with TabPane("Predictions vs targets", id="tab-fit"):
                        yield FitPlot(id="fit-plot")
        yield Static(id="warning")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        titles = {"network": "Network", "params": "Parameters", "forward": "Forward",
                  "backward": "Backward", "equation": "Equation"}
        for widget_id, title in titles.items():
            self.query_one(f"#{widget_id}").border_title = title
        if self.student is not None:
            self.query_one("#forward").border_subtitle = f"yours: {self.student.name}"
        for tabs in self.query(Tabs):
            tabs.can_focus = False  # left/right belong to stepping, not to tab switching
        self.query_one(StatusBar).progress(None)
        self._show_warning(bool(self.session.dataset.warnings))
        PALETTE.update(self.theme_variables)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.show_state()
        self.say_default()

    def _theme_changed(self, theme: object) -> None:
        """Every colour comes from the theme: take the new one's and draw again."""
        PALETTE.update(self.theme_variables)
        if not self.running:
            self.show_state()
        self.say_default()

    async def action_quit(self) -> None:
        """Quit at once, even mid-run: the trainer stops at its next chunk."""
        self.runs.cancel()
        self.exit()

    def on_unmount(self) -> None:
        self.runs.cancel()
        if self.student is not None:
            self.student.close()

    def on_resize(self, event: events.Resize) -> None:
        if not self.running and self.is_mounted(self.screen):  # the body re-arranges itself
            self.query_one(PositionBar).show(self.session, event.size.width)

    # -- showing the core's state ----------------------------------------------
    def show_state(self) -> None:
        """Render the session into every widget (the only way state reaches the screen)."""
        s = self.session
        self.query_one(PositionBar).show(s, self.size.width)
        answer: Answer | None | bool = False
        if self.student is not None:
            answer = self.student.answer_for(s)
        self.query_one(Body).show(s, answer, student_note(answer, s.cursor.phase))
        self.show_plots()

    def show_plots(self) -> None:
        s = self.session
        running = None
        if not self.running:
            losses = s.epoch_losses()
            if losses:
                running = RunningEpoch(s.cursor.epoch, len(losses), s.n,
                                       sum(losses) / len(losses))
        self.query_one(LossPlot).show(s.epoch_records, running)
        if not self.running:
            self.query_one(FitPlot).show(*s.fit(), key=s.cursor.update)

    def say_default(self) -> None:
        status = self.query_one(StatusBar)
        if self._at_divergence():
            status.say(self.session.divergence.message, PALETTE.error)
        else:
            status.say(HINT, "dim")

    def _show_warning(self, shown: bool) -> None:
        """The dataset's warnings stay on their own line until dismissed (key x)."""
        line = self.query_one("#warning", Static)
        line.display = shown
        if shown:
            line.update(Text("warning: " + "; ".join(self.session.dataset.warnings)
                             + "   (x dismisses)", style=PALETTE.warning))
        self.refresh_bindings()

    def action_dismiss_warning(self) -> None:
        self._show_warning(False)

    def _at_divergence(self) -> bool:
        d = self.session.divergence
        return d is not None and self.session.cursor.update == d.update

    def _moved(self, moved: bool) -> None:
        """After a stepping action: redraw, or explain why the cursor could not move."""
        self.show_state()
        if not moved:
            self.stop_autoplay()
        if moved and self.autoplaying:
            self.query_one(StatusBar).say(self.autoplay.describe())
        elif moved or self._at_divergence():
            self.say_default()  # it explains a divergence the cursor stands at
        else:
            self.query_one(StatusBar).say("at the start of the run: nothing before it", "dim")

    # -- runs --------------------------------------------------------------------
    def action_run_epoch(self) -> None:
        self.start_run(1)

    def action_run_epochs(self) -> None:
        def chosen(n: int | None) -> None:
            if n:
                self.start_run(n)

        self.push_screen(EpochsDialog(self.session.config.epochs or 1), chosen)

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after E reach the dialog before its field takes keys, and come
        back here unhandled: hand them to the dialog, so `E 5 enter` typed in one burst
        runs 5 epochs (a key the field did take never comes back)."""
        if isinstance(self.screen, EpochsDialog):
            event.stop()
            self.screen.type_ahead([event])

    def action_cancel(self) -> None:
        self.runs.cancel()

    def start_run(self, n_epochs: int) -> None:
        self.stop_autoplay()
        work = self.runs.start(n_epochs)
        self.refresh_bindings()
        self.query_one(Body).set_class(True, "-running")
        status = self.query_one(StatusBar)
        status.say(f"running {n_epochs} epoch(s)… escape cancels", "bold")
        status.progress(0, 1)
        self.run_worker(work, thread=True, exclusive=True, group="run")

    def on_run_progress(self, message: RunProgress) -> None:
        s = self.session
        self.query_one(StatusBar).progress(message.done, message.total)
        epoch, position = divmod(message.update, s.n)
        self.query_one(PositionBar).show(s, self.size.width,
                                         running=f"running: epoch {epoch}, sample "
                                                 f"{position + 1}/{s.n}")
        self.query_one(LossPlot).show(s.timeline.epoch_records[:epoch], None)

    def on_run_finished(self, message: RunFinished) -> None:
        self.runs.finished()
        self.refresh_bindings()
        self.query_one(Body).set_class(False, "-running")
        status = self.query_one(StatusBar)
        status.progress(None)
        self.show_state()
        r = message.result
        if r.divergence is not None:
            status.say(r.divergence.message, PALETTE.error)
        elif r.cancelled:
            c = self.session.cursor
            status.say(f"cancelled: stopped at epoch {c.epoch}, sample {c.position + 1}; "
                       "you can step from here", PALETTE.warning)
        else:
            status.say(f"ran {r.epochs_completed} epoch(s); now at the start of epoch "
                       f"{self.session.cursor.epoch}", PALETTE.success)

    def on_student_compared(self, message: StudentCompared) -> None:
        if self.student is None:
            return
        self.student.received(message.update, message.answer)
        if message.update == self.session.cursor.update and not self.running:
            self.show_state()

    # -- keys ------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.running
        if action in ("autoplay", "pause"):  # space is Play or Pause, never both
            if self.running:
                return None if action == "autoplay" else False
            return self.autoplaying == (action == "pause")
        if action == "dismiss_warning":
            return self.is_mounted(self.screen) and bool(self.query_one("#warning").display)
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

    def action_plot_view(self) -> None:
        """The plot takes the room (and the numbers step aside), or gives it back."""
        body = self.query_one(Body)
        body.toggle_class("-plot-view")
        self.call_after_refresh(self.show_state)

    def action_gradcheck(self) -> None:
        s = self.session
        c = s.cursor
        row = s.row
        checks = gradient_check(s.params, s.dataset.X_train[row], float(s.dataset.y_train[row]))
        where = f"epoch {c.epoch}, sample {c.position + 1}/{s.n} (row {row})"
        self.push_screen(GradCheckScreen(checks, where, reached=set(s.values)))

    def action_full_values(self) -> None:
        self.push_screen(FullValuesScreen(self.session))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(binding_rows(self)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers the same actions as the keys, by their descriptions;
        Textual's own "Keys" would be a second help, and its "Screenshot" saves where
        nobody looks: ours saves in --screenshot-dir and says where."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Screenshot"):
                yield command
        yield from palette_commands(self)
        yield SystemCommand("Screenshot", f"Save an SVG picture of the screen in "
                            f"{Path(self.screenshot_dir).resolve()}", self.action_save_screenshot)

    def action_save_screenshot(self) -> None:
        """An SVG of the screen in --screenshot-dir (default: where the app was started)."""
        status = self.query_one(StatusBar)
        try:
            path = self.save_screenshot(path=self.screenshot_dir)
        except OSError as err:
            status.say(f"could not save the screenshot in {self.screenshot_dir}: "
                       f"{err.strerror or err}", PALETTE.error)
            return
        status.say(f"screenshot saved: {Path(path).resolve()}", PALETTE.success)

    # -- autoplay --------------------------------------------------------------
    def action_autoplay(self) -> None:
        self.autoplay.toggle()
        self.refresh_bindings()
        if self.autoplay.on:
            self.query_one(StatusBar).say(self.autoplay.describe())
        else:
            self.say_default()

    def action_pause(self) -> None:
        self.stop_autoplay()
        self.say_default()

    def action_pace(self, delta: int) -> None:
        self.autoplay.change_pace(delta)
        self.query_one(StatusBar).say(self.autoplay.describe())

    def _autoplay_tick(self) -> None:
        if not self.running:
            self._moved(self.session.step_forward())

    def stop_autoplay(self) -> None:
        self.autoplay.stop()
        self.refresh_bindings()

    @property
    def autoplaying(self) -> bool:
        return self.autoplay.on
