"""The main screen: the title line, the panels, the warning and status lines, the Footer.

It composes the widgets and hands each the state to show; the app decides what
that state is (the session, or the session with ask mode's questions hidden).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import MountError
from textual.widgets import Static, TabbedContent, TabPane, Tabs

from ..core.debugger.conditions import NOT_YET
from ..core.run.records import EpochRecord, RunningEpoch
from ..core.run.session import RunResult, Session
from ..paths import PathError, inside
from .ask import AskView
from .palette import PALETTE
from .student import Answer
from .widgets.body import Body
from .widgets.diagram import NetworkDiagram
from .widgets.equation import EquationPanel
from .widgets.keys_footer import KeysFooter
from .widgets.params import ParamsPanel
from .widgets.position import PositionBar
from .widgets.status import StatusBar
from .widgets.values import BACKWARD, FORWARD, ValuesPanel
from .widgets.watch_line import WatchLine

if TYPE_CHECKING:
    from ..core.debugger.watches import Watches

LOSS_WORDS = {"half-mse": "½ squared error", "bce": "binary cross-entropy",
              "ce": "cross-entropy"}
TITLES = {"network": "Network", "params": "Parameters", "forward": "Forward",
          "backward": "Backward", "equation": "Equation"}


class MainScreen(Screen):
    """Every panel of the debugger; ``show`` draws a state into all of them."""

    def __init__(self, student_name: str | None = None,
                 on_ready: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.student_name = student_name
        self.on_ready = on_ready  # the app draws its state once the widgets exist

    def compose(self) -> ComposeResult:
        # Start-up's objects live as long as the app: the collector stays off while they
        # are built (to mount_plots, which freezes them and turns it back on).
        gc.disable()
        yield PositionBar(id="position")
        with Body(id="body"):
            yield NetworkDiagram(id="network", classes="panel")
            yield ParamsPanel(id="params", classes="panel")
            yield EquationPanel(id="equation", classes="panel")
            with Horizontal(id="values"):
                with Horizontal(id="numbers"):
                    yield ValuesPanel(FORWARD, id="forward", classes="panel")
                    yield ValuesPanel(BACKWARD, id="backward", classes="panel")
                # The plots (plotext) are mounted after the first frame: see mount_plots.
                with TabbedContent(id="plots"):
                    yield TabPane("Loss per epoch", id="tab-loss")
                    yield TabPane("Accuracy" if self._classifies else "Predictions vs targets",
                                  id="tab-fit")
        yield WatchLine(id="watches")
        yield Static(id="warning")
        yield StatusBar(id="status")
        yield KeysFooter()

    @property
    def _classifies(self) -> bool:
        """A classifier's second tab is accuracy and confusion, not predictions."""
        session = getattr(self.app, "session", None)
        return bool(session is not None and session.arch.classifies)

    def on_mount(self) -> None:
        for widget_id, title in TITLES.items():
            self.query_one(f"#{widget_id}").border_title = title
        if self.student_name is not None:
            self.query_one("#forward").border_subtitle = f"yours: {self.student_name}"
        for tabs in self.query(Tabs):
            tabs.can_focus = False  # left/right belong to stepping, not to tab switching
        self.query_one(StatusBar).progress(None)
        if self.on_ready is not None:
            self.on_ready()
        self.call_after_refresh(self.mount_plots)

    def on_unmount(self) -> None:
        gc.unfreeze()  # what start-up froze (mount_plots) can be collected again
        gc.enable()

    async def mount_plots(self) -> None:
        """Mount the plots once the first frame is out: plotext costs a tenth of the
        start-up otherwise, for pictures nobody has asked for yet."""
        from .widgets.plots import FitPlot, LossPlot

        arch = self.app.session.arch  # type: ignore[attr-defined]
        loss = "" if arch.is_lab else LOSS_WORDS[arch.loss]
        if self._classifies:
            from .widgets.class_plot import ClassPlot
            second: FitPlot | ClassPlot = ClassPlot(id="fit-plot")
        else:
            second = FitPlot(id="fit-plot")
        try:  # both in the DOM before either is awaited: show_plots may run in between
            mounted = [self.query_one("#tab-loss").mount(LossPlot(loss, id="loss-plot")),
                       self.query_one("#tab-fit").mount(second)]
            for waiting in mounted:
                await waiting
        except (MountError, NoMatches):  # the app quit before its first frame was out
            return
        finally:
            # Start-up is over (compose turned the collector off for it): what it built
            # lives as long as the app, so later collections skip it (a full pass over
            # its ~100k objects costs tens of ms, paid mid-run or on a key otherwise).
            gc.freeze()
            gc.enable()
        if self._last_plots is not None:
            self.show_plots(*self._last_plots)

    def show(self, view: Session | AskView, answer: Answer | None | bool, note: str | None,
             asking: bool, running: bool, watches: Watches | None = None) -> None:
        """Draw ``view`` (the session, perhaps with questions hidden) everywhere."""
        width = self.app.size.width
        self.query_one(PositionBar).show(view, width, ask=asking)  # type: ignore[arg-type]
        self.query_one(Body).show(view, answer, note)  # type: ignore[arg-type]
        self._watches = watches
        self.watch_items = [] if not watches else [  # no watch: nothing evaluated per key
            (w.text, None if v is NOT_YET else v)
            for w, v in zip(watches, watches.values_at(view), strict=True)]
        self.query_one(WatchLine).show(self.watch_items, width, self.app.size.height)
        self.show_plots(view, running)

    _watches: Watches | None = None
    watch_items: list[tuple[str, object]] = []  # what the watch line shows (or the status)

    def add_watch_tab(self) -> None:
        """The Watches plot tab, added with the first watch (no watch, no empty tab)."""
        if self.query("#tab-watch"):
            return
        from .widgets.watch_plot import WatchPlot

        self.query_one("#plots", TabbedContent).add_pane(
            TabPane("Watches", WatchPlot(id="watch-plot"), id="tab-watch"))

    def show_watch_plot(self, view: Session | AskView) -> None:
        """Each watch's history, computed only while its tab is the one shown, and only
        when the cursor's update (or the run's edits) changed."""
        plots = self.query("#watch-plot")
        tabs = self.query_one("#plots", TabbedContent)
        if not plots or tabs.active != "tab-watch" or self._watches is None:
            return
        from ..core.debugger.watches import history, label

        c = view.cursor
        key = (c.update, c.phase == view.net.update_phase, tuple(view.edit_updates()),
               tuple(w.text for w in self._watches), view.timeline.head)
        plot = plots.first()
        if key == plot._key:
            return
        series = []
        for watch in self._watches:
            updates, values = history(view, watch)
            series.append((label(watch), [u / view.n for u in updates], values))
        plot.show(series, [u / view.n for u in view.edit_updates()], key=key)
    _last_plots: tuple[Session | AskView, bool] | None = None

    def show_plots(self, view: Session | AskView, running: bool) -> None:
        self._last_plots = (view, running)
        loss_plots = self.query("#loss-plot")
        if not loss_plots:
            return  # not mounted yet (the first frame): mount_plots draws them
        s = view
        epoch_so_far = None
        if not running:
            losses = s.epoch_losses()
            if "L" in getattr(view, "hidden", ()):
                losses = losses[:-1]  # this sample's loss is still the question
            if losses:
                epoch_so_far = RunningEpoch(s.cursor.epoch, len(losses), s.n,
                                            sum(losses) / len(losses))
        # An edit at update u lies in epoch u // n, between the points of epochs around it.
        marks = [max(u / s.n - 0.5, 0.0) for u in s.edit_updates()]
        loss_plots.first().show(s.epoch_records, epoch_so_far, marks)  # type: ignore
        fit_plots = self.query("#fit-plot")  # mounted a moment after the loss plot
        if not running and fit_plots:
            self._show_second(s, fit_plots.first())
            self.show_watch_plot(s)

    def _show_second(self, s: Session | AskView, plot) -> None:
        """Predictions against targets (every output's, pooled), or for a classifier its
        accuracy per epoch and confusion now, computed only when the state changed."""
        if not self._classifies:
            targets, predictions, loss = s.fit()
            plot.show(np.ravel(targets), np.ravel(predictions), loss, key=s.cursor.update)
            return
        from .widgets.class_plot import class_figures

        records = s.epoch_records
        key = (s.cursor.update, len(records), records[-1] if records else None,
               tuple(s.edit_updates()))
        if plot.wants(key):
            plot.show(class_figures(s, records), key)  # type: ignore[arg-type]

    def run_started(self, label: str) -> None:
        """A run or a go-to has started: ``label`` says what runs. The plot takes the room
        with the first progress (half a second in), so a short run changes the layout
        once, at its end (see :mod:`.runs`)."""
        self.say(label, "bold")

    def run_ended(self) -> None:
        """Whatever ran is over: the numbers come back (a finished run may give the plot
        the room again, with -plot-view, added without a restyle: this is the one)."""
        body = self.query_one(Body)
        body.set_class(False, "-running", update=False)
        body.update_node_styles()  # also when the run ended before it set -running
        self.progress(None)

    def run_progress(self, s: Session, done: int, total: int, update: int,
                     records: Sequence[EpochRecord]) -> None:
        """Where a run stands: the bar, the title (epoch and sample) and the loss curve
        of the finished ``records`` (read by the worker: see :mod:`.runs`); the first
        one gives the plot the room."""
        self.query_one(Body).set_class(True, "-running")
        self.progress(done, total)
        epoch, position = divmod(update, s.n)
        self.query_one(PositionBar).show(s, self.app.size.width,
                                         running=f"running: epoch {epoch}, sample "
                                                 f"{position + 1}/{s.n}")
        for plot in self.query("#loss-plot"):
            plot.show(records, None)  # type: ignore[attr-defined]

    def run_finished(self, s: Session, r: RunResult) -> None:
        """After a run of epochs: how it ended, in words."""
        if r.divergence is not None:
            self.say(r.divergence.message, PALETTE.error)
        elif r.cancelled:
            self.say(f"cancelled: stopped at epoch {s.cursor.epoch}, sample "
                     f"{s.cursor.position + 1}; you can step from here", PALETTE.warning)
        else:  # the longest wording that fits on one line (a second line costs the plot)
            ran, at = f"ran {r.epochs_completed} epoch(s)", s.cursor.epoch
            for text in (f"{ran}; now at the start of epoch {at}; the loss curve has the room "
                         "until you step (v toggles)",
                         f"{ran}; now at the start of epoch {at}; the curve has the room until "
                         "you step (v toggles)",
                         f"{ran}; at the start of epoch {at}; the curve stays until you step "
                         "(v toggles)",
                         f"{ran}; at epoch {at}; v toggles the curve"):
                if len(text) < self.app.size.width:
                    break
            self.say(text, PALETTE.success)

    def save_picture(self, folder: str, files_dir: str | None = None) -> None:
        """The screen as an SVG in ``folder``; the status line says where, or why not.
        With ``files_dir``, the folder is checked inside it again at each save (one
        swapped for a symlink since the start must not lead out)."""
        if files_dir is not None:
            try:
                folder = str(inside(folder, files_dir))
            except PathError as err:
                self.say(f"could not save the screenshot: {err}", PALETTE.error)
                return
        try:
            path = self.app.save_screenshot(path=folder)
        except OSError as err:
            self.say(f"could not save the screenshot in {folder}: {err.strerror or err}",
                     PALETTE.error)
            return
        self.say(f"screenshot saved: {Path(path).resolve()}", PALETTE.success)

    def say(self, message: str, style: str = "") -> None:
        self.query_one(StatusBar).say(message, style)

    def progress(self, done: int | None, total: int = 1) -> None:
        self.query_one(StatusBar).progress(done, total)

    def show_warning(self, warnings: list[str] | tuple[str, ...] | None) -> None:
        """The dataset's warnings on their own line until dismissed (None hides it)."""
        line = self.query_one("#warning", Static)
        line.display = bool(warnings)
        if warnings:
            line.update(Text("warning: " + "; ".join(warnings) + "   (x dismisses)",
                             style=PALETTE.warning))

    @property
    def warning_shown(self) -> bool:
        return bool(self.query_one("#warning").display)
