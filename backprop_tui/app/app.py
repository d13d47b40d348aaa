"""The Textual app: composition, key bindings, and wiring core actions to widgets.

It computes no numbers: every action calls the Session, then each widget is shown
the session's new state. Who owns what: the Session owns the cursor,
:class:`~.runs.EpochRuns` whether a run is going, :class:`~.views.ScreenViews` the
plot's room after a run, :class:`~.files.SessionFiles` the files folder,
:class:`~.student.StudentRunner` the student's answer, :class:`~.widgets.body.Body`
where the panels go. Keys that only open a view or a file are handed to their owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.reactive import reactive
from textual.screen import Screen

from ..core.debugger.breakpoints import Breakpoints
from ..core.debugger.watches import Watches
from ..core.run.session import Session
from .ask import AskMode
from .autoplay import Autoplay
from .debugger import DebuggerActions
from .files import SessionFiles
from .keys import APP_BINDINGS, DURING_RUN, binding_rows, hint, palette_commands
from .main_screen import MainScreen
from .palette import PALETTE, PROJECTOR
from .runs import EpochRuns
from .student import Answer, StudentCompared, StudentRunner, student_note
from .views import ScreenViews
from .watching import WatchingActions
from .widgets.epochs_dialog import EpochsDialog
from .widgets.prompt import PromptDialog
from .widgets.watch_line import TALL, watch_text

if TYPE_CHECKING:  # the checker starts with a student file, not with the app
    from ..check.sandbox import StudentProcess
    from ..core.files.savefile import SessionState
    from ..core.run.training import DataOptions


class BackpropApp(DebuggerActions, WatchingActions, App[None]):
    """Step through backprop on the lab's network, forwards and backwards in time."""

    CSS_PATH = "app.tcss"
    TITLE = "backprop-tui"
    BINDINGS = APP_BINDINGS
    autoplaying: reactive[bool] = reactive(False, bindings=True, init=False)
    """Play or Pause: set by :class:`~.autoplay.Autoplay` as it starts and stops."""
    asking: reactive[bool] = reactive(False, bindings=True, init=False)
    """Ask or Ask off: set by :class:`~.ask.AskMode` as it is toggled."""
    running: reactive[bool] = reactive(False, bindings=True, init=False)
    """A run is going (keys dim, escape cancels): set by :class:`~.runs.EpochRuns`."""

    def __init__(self, session: Session, student: StudentProcess | None = None,
                 theme: str | None = None, screenshot_dir: str = ".",
                 files_dir: str | None = None, keymap: Mapping[str, str] | None = None,
                 data: DataOptions | None = None, state: SessionState | None = None) -> None:
        """``data``: how the dataset was opened (a save records it); ``state``: a resumed
        session's breakpoints and watches (its edits and place are in ``session``)."""
        super().__init__()
        self.session, self.data = session, data
        self.breakpoints, self.watches = Breakpoints(), Watches()
        self._skipped = [] if state is None else self.restore_lists(
            ((b.text, b.enabled) for b in state.breakpoints), state.watches)
        self.screenshot_dir = screenshot_dir
        self.files_dir = files_dir  # paths typed in stay inside it (paths.inside); None: free
        self.keymap = dict(keymap or {})  # binding id -> keys, checked by app/keymap.py
        if self.keymap:
            self.set_keymap(self.keymap)
        self.register_theme(PROJECTOR)
        if theme is not None:
            self.theme = theme
        self.student = None if student is None else StudentRunner(
            student, lambda u, answer: self.post_message(StudentCompared(u, answer)))
        self.runs = EpochRuns(session, self.post_message,
                              lambda running: setattr(self, "running", running))
        self.autoplay = Autoplay(self.set_interval, self._autoplay_tick,
                                 lambda on: setattr(self, "autoplaying", on))
        self.ask = AskMode(lambda on: setattr(self, "asking", on))
        self.main = MainScreen(None if self.student is None else self.student.name,
                               on_ready=self._first_show)
        self.files = SessionFiles(session, data, lambda: self.files_dir,
                                  (self.breakpoints, self.watches),
                                  self.ask, self.push_screen, self.main.say)
        self.views = ScreenViews(self.main, session, self.ask, self.push_screen,
                                 lambda: self.running, self.show_state)

    @property
    def comparison(self) -> tuple[int, Answer] | None:
        return None if self.student is None else self.student.comparison

    def get_default_screen(self) -> MainScreen: return self.main

    def _first_show(self) -> None:
        """The main screen is composed: draw the session for the first time."""
        self.main.show_warning(self.session.dataset.warnings)
        PALETTE.update(self.theme_variables)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if len(self.watches):
            self.call_after_refresh(self.main.add_watch_tab)
        self.show_state()
        self.say_default()
        if self._skipped:  # a resumed session's conditions that no longer parse
            more = f" (and {len(self._skipped) - 1} more)" if len(self._skipped) > 1 else ""
            self.main.say(f"not restored: {self._skipped[0]}{more}", PALETTE.warning)

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

    def on_resize(self, event: events.Resize) -> None: self.views.resized(event.size.width)

    # -- showing the core's state ----------------------------------------------
    def show_state(self) -> None:
        """Render the session into every widget (the only way state reaches the screen)."""
        s = self.session
        answer: Answer | None | bool = False
        if self.student is not None:
            answer = self.student.answer_for(s)
        note = student_note(answer, s.cursor.phase, s.net.index)
        self.main.show(self.ask.view(s), answer, note, self.ask.on, self.running, self.watches)

    def say_default(self) -> None:
        if self._at_divergence():
            self.main.say(self.session.divergence.message, PALETTE.error)
        elif self.ask.hidden(self.session):
            phase = self.session.phase
            self.main.say(f"ask: what is {', '.join(phase.produces)}? ({phase.formula}) "
                          "Work it out from the numbers shown; n reveals it.",
                          f"bold {PALETTE.warning}")
        elif self.main.watch_items and self.size.height < TALL:  # no row of their own
            self.main.say(watch_text(self.main.watch_items, self.size.width).plain)
        else:
            self.main.say(hint(self), "dim")

    # -- views and files: keys handed to their owners (views.py, files.py) -----------
    def action_next_tab(self) -> None: self.views.next_tab()
    def action_plot_view(self) -> None: self.views.toggle_plot_view()
    def action_gradcheck(self) -> None: self.views.gradcheck()
    def action_full_values(self) -> None: self.views.full_values()
    def action_help(self) -> None: self.views.help(binding_rows(self))
    def action_save_session(self) -> None: self.files.save_session()
    def action_export_sample(self) -> None: self.files.export_sample()

    def action_save_screenshot(self) -> None:
        """An SVG of the screen in --screenshot-dir, inside --files-dir."""
        self.main.save_picture(self.screenshot_dir, self.files_dir)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        return palette_commands(self, super().get_system_commands(screen))

    def action_dismiss_warning(self) -> None:
        self.main.show_warning(None)
        self.refresh_bindings()

    def _at_divergence(self) -> bool:
        d = self.session.divergence
        return d is not None and self.session.cursor.update == d.update

    def _moved(self, moved: bool) -> None:
        """After a stepping action: redraw, or explain why the cursor could not move."""
        self.views.numbers_back()  # stepping again after a run: the numbers take the room
        self.show_state()
        if not moved:
            self.stop_autoplay()
        if moved and self.autoplaying:
            self.main.say(self.autoplay.describe())
        elif moved or self._at_divergence():
            self.say_default()  # it explains a divergence the cursor stands at
        else:
            self.main.say("at the start of the run: nothing before it", "dim")

    # -- runs (the worker and go-to live in debugger.py) ------------------------
    def action_run_epoch(self) -> None: self.start_run(1)

    def action_run_epochs(self) -> None:
        def chosen(n: int | None) -> None:
            if n:  # once the dialog is gone: a short run is done at once (debugger.py)
                self.call_later(self.start_run, n)

        self.push_screen(EpochsDialog(self.session.config.epochs or 1), chosen)

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after E (or another dialog's key) reach the dialog before its
        field takes keys, and come back here unhandled: hand them to the dialog, so
        `E 5 enter` typed in one burst runs 5 epochs (a key the field took never comes back)."""
        if isinstance(self.screen, (EpochsDialog, PromptDialog)):
            event.stop()
            self.screen.type_ahead([event])

    def action_cancel(self) -> None: self.runs.cancel()

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
            return self.main.is_mounted and self.main.warning_shown
        if action == "ask":  # a is Ask or Ask off, never both
            return self.ask.on != bool(parameters[0])
        if self.running and action not in DURING_RUN:
            return None  # shown dimmed: not now
        return True

    def action_step_forward(self) -> None:
        if self.ask.reveal(self.session):  # the answer to the question on screen
            self._moved(True)
            return
        moved = self.session.step_forward()
        if moved:
            self.ask.arrived(self.session)
        self._moved(moved)

    def action_ask(self, on: int) -> None: self.ask.toggle()

    def watch_asking(self, on: bool) -> None:
        """Ask mode on or off (the Footer's Ask / Ask off follows: bindings=True); what is
        on screen stays shown, the next step asks."""
        self.show_state()
        self.main.say("ask mode: each step first shows its formula and a ? for every new "
                      "value; n reveals it" if on else "ask mode off", "bold")

    def action_step_back(self) -> None:
        self._moved(self.session.step_back())

    def action_next_sample(self) -> None:
        self._moved(self.session.next_sample())

    def action_prev_sample(self) -> None:
        self._moved(self.session.prev_sample())

    def action_apply_update(self) -> None:
        if self.session.phase.key == "update":
            self.main.say("already at the update: n or N goes to the next sample")
            return
        self._moved(self.session.apply_update())

    def action_reset(self) -> None:
        self.stop_autoplay()
        self.session.reset()
        self._moved(True)
        kept = len(self.session.edits)
        self.main.say("back to the start of the run; the run so far is kept, so e / E replay "
                      "it at once" + (f"; its {kept} edit(s) too (R drops them)" if kept else ""))

    # -- autoplay --------------------------------------------------------------
    def watch_autoplaying(self, on: bool) -> None:
        """Play and Pause flipped (the Footer follows: bindings=True): say what it does."""
        if on:
            self.main.say(self.autoplay.describe())
        else:
            self.say_default()  # what stopped it, if anything, says why after this

    def action_autoplay(self) -> None: self.autoplay.toggle()
    def action_pause(self) -> None: self.autoplay.stop()

    def action_pace(self, delta: int) -> None:
        self.autoplay.change_pace(delta)
        self.main.say(self.autoplay.describe())

    def _autoplay_tick(self) -> None:
        if not self.running:
            before = self.breakpoints_holding()
            self.action_step_forward()  # in ask mode too: a question, then its answer
            self.pause_at_breakpoint(before)

    def stop_autoplay(self) -> None: self.autoplay.stop()
