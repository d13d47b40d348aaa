"""The keys that open views: plot tabs, plot view, gradient check, all values, help and
the screenshot. Each shows the session; none changes it.

:class:`ScreenViews` works on the main screen it is handed, and owns one piece of
state: whether the plot has the room because a run just ended (it gives it back at
the next step), or because v asked for it (it keeps it until v again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import TabbedContent

from ..core.run.session import Session
from .ask import AskMode
from .main_screen import MainScreen
from .widgets.body import Body
from .widgets.position import PositionBar

Open = Callable[[Any], object]
"""Pushes a screen over the main one (the app's push_screen)."""


class ScreenViews:
    """Views of the session on ``main``; ``redraw`` shows the session again."""

    def __init__(self, main: MainScreen, session: Session, ask: AskMode, open_screen: Open,
                 running: Callable[[], bool], redraw: Callable[[], None]) -> None:
        self.main, self.session, self.ask = main, session, ask
        self.open, self.running, self.redraw = open_screen, running, redraw
        self.plot_after_run = False  # plot view set by a finished run, left at the next step

    def resized(self, width: int) -> None:
        """The position bar follows the width (the body re-arranges itself)."""
        bars = self.main.query(PositionBar)  # none before the screen is composed
        if bars and not self.running():
            bars.first().show(self.session, width, ask=self.ask.on)

    def next_tab(self) -> None:
        """Loss, predictions, and (once there is a watch) the watches' history, in turn."""
        tabs = self.main.query_one("#plots", TabbedContent)
        order = ["tab-loss", "tab-fit"] + (["tab-watch"] if self.main.query("#tab-watch")
                                           else [])
        tabs.active = order[(order.index(tabs.active) + 1) % len(order)]
        if not self.running():
            self.main.show_watch_plot(self.ask.view(self.session))

    def toggle_plot_view(self) -> None:
        """The plot takes the room (and the numbers step aside), or gives it back."""
        self.plot_after_run = False
        self.main.query_one(Body).toggle_class("-plot-view")
        self.main.call_after_refresh(self.redraw)

    def plot_after_a_run(self) -> None:
        """The curve is what a run is for: it keeps the room until the next step (no
        restyle here: the run's end restyles once for both classes)."""
        self.main.query_one(Body).add_class("-plot-view", update=False)
        self.plot_after_run = True

    def numbers_back(self) -> None:
        """A step after a run: the numbers take the room back (v's plot view stays)."""
        if self.plot_after_run:
            self.plot_after_run = False
            self.main.query_one(Body).remove_class("-plot-view")

    def gradcheck(self) -> None:
        from .widgets.gradcheck import GradCheckScreen  # the check's code loads when asked

        # What the class is asked for stays hidden here too.
        self.open(GradCheckScreen.of(self.session, set(self.ask.hidden(self.session))))

    def full_values(self) -> None:
        from .widgets.full_values import FullValuesScreen

        self.open(FullValuesScreen(self.ask.view(self.session)))

    def help(self, rows: list[tuple[str, str, str]]) -> None:
        """``rows``: the live bindings (keys.binding_rows), so help matches the keys."""
        from .widgets.help import HelpScreen

        self.open(HelpScreen(rows))
