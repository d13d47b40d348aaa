"""The main screen: the title line, the panels, the warning and status lines, the Footer.

It composes the widgets and hands each the state to show; the app decides what
that state is (the session, or the session with ask mode's questions hidden).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.compose import compose
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import MountError
from textual.widgets import Footer, Static, TabbedContent, TabPane, Tabs
from textual.widgets._footer import FooterKey

from ..core.records import EpochRecord, RunningEpoch
from ..core.session import RunResult, Session
from .ask import AskView
from .palette import PALETTE
from .student import Answer
from .widgets.body import Body
from .widgets.diagram import NetworkDiagram
from .widgets.equation import EquationPanel
from .widgets.params import ParamsPanel
from .widgets.position import PositionBar
from .widgets.status import StatusBar
from .widgets.values import BACKWARD, FORWARD, ValuesPanel

TITLES = {"network": "Network", "params": "Parameters", "forward": "Forward",
          "backward": "Backward", "equation": "Equation"}


class KeysFooter(Footer):
    """Textual's Footer, but when the bindings change and the same keys stay shown (a run
    starts or ends: keys dim or light up), the keys are updated in place instead of being
    removed and mounted again: a recompose costs ~15 ms of the main thread, which a run's
    worker thread waits for (the GIL), twice per run. Anything else recomposes. The
    update comes before the next frame, not after it, so it costs no frame of its own."""

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_later(self._update_keys)

    async def _update_keys(self) -> None:
        if not self.is_attached:
            return
        old, new = list(self.children), compose(self)  # what a recompose would mount
        if not (old and len(old) == len(new) and all(map(_same_key, old, new))):
            await self.recompose()
            return
        for key, wanted in zip(old, new, strict=True):  # type: ignore[assignment]
            key._disabled = wanted._disabled  # what a click checks (FooterKey's own flag)
            key.set_class(wanted._disabled, "-disabled")
            if key.tooltip != wanted.tooltip:
                key.tooltip = wanted.tooltip


STATES = {"-disabled", "-compact"}  # set on a key by its state (-compact once mounted)


def _same_key(old: object, new: object) -> bool:
    """Whether ``old`` shows what ``new`` would, but perhaps for being dimmed."""
    return (type(old) is FooterKey and type(new) is FooterKey
            and (old.key, old.key_display, old.description, old.action)
            == (new.key, new.key_display, new.description, new.action)
            and old.classes - STATES == new.classes - STATES)


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
                    yield TabPane("Predictions vs targets", id="tab-fit")
        yield Static(id="warning")
        yield StatusBar(id="status")
        yield KeysFooter()

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

        try:  # both in the DOM before either is awaited: show_plots may run in between
            mounted = [self.query_one("#tab-loss").mount(LossPlot(id="loss-plot")),
                       self.query_one("#tab-fit").mount(FitPlot(id="fit-plot"))]
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
             asking: bool, running: bool) -> None:
        """Draw ``view`` (the session, perhaps with questions hidden) everywhere."""
        width = self.app.size.width
        self.query_one(PositionBar).show(view, width, ask=asking)  # type: ignore[arg-type]
        self.query_one(Body).show(view, answer, note)  # type: ignore[arg-type]
        self.show_plots(view, running)

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
        loss_plots.first().show(s.epoch_records, epoch_so_far)  # type: ignore[attr-defined]
        for fit in () if running else self.query("#fit-plot"):
            fit.show(*s.fit(), key=s.cursor.update)  # type: ignore[attr-defined]

    def run_started(self, n_epochs: int) -> None:
        self.query_one(Body).set_class(True, "-running")
        self.say(f"running {n_epochs} epoch(s)… escape cancels", "bold")
        self.progress(0, 1)

    def run_progress(self, s: Session, done: int, total: int, update: int,
                     records: Sequence[EpochRecord]) -> None:
        """Where a run stands: the bar, the title (epoch and sample) and the loss curve
        of the finished ``records`` (read by the worker: see :mod:`.runs`)."""
        self.progress(done, total)
        epoch, position = divmod(update, s.n)
        self.query_one(PositionBar).show(s, self.app.size.width,
                                         running=f"running: epoch {epoch}, sample "
                                                 f"{position + 1}/{s.n}")
        for plot in self.query("#loss-plot"):
            plot.show(records, None)  # type: ignore[attr-defined]

    def run_finished(self, s: Session, r: RunResult) -> None:
        """After a run (the state is drawn already): how it ended, in words."""
        self.query_one(Body).set_class(False, "-running")
        self.progress(None)
        if r.divergence is not None:
            self.say(r.divergence.message, PALETTE.error)
        elif r.cancelled:
            self.say(f"cancelled: stopped at epoch {s.cursor.epoch}, sample "
                     f"{s.cursor.position + 1}; you can step from here", PALETTE.warning)
        else:
            self.say(f"ran {r.epochs_completed} epoch(s); now at the start of epoch "
                     f"{s.cursor.epoch}; the loss curve has the room until you step "
                     "(v toggles)", PALETTE.success)

    def save_picture(self, folder: str) -> None:
        """The screen as an SVG in ``folder``; the status line says where, or why not."""
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
