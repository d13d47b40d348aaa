"""The keys that open views: plot tabs, plot view, gradient check, all values, help,
the command palette's commands and the screenshot. Each shows the session; none
changes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen
from textual.widgets import TabbedContent

from .keys import binding_rows, palette_commands
from .widgets.body import Body

if TYPE_CHECKING:
    from .app import BackpropApp

    _Base = BackpropApp
else:
    _Base = object


class ViewActions(_Base):
    """Views of the session, for BackpropApp."""

    def action_next_tab(self) -> None:
        """Loss, predictions, and (once there is a watch) the watches' history, in turn."""
        tabs = self.main.query_one("#plots", TabbedContent)
        order = ["tab-loss", "tab-fit"] + (["tab-watch"] if self.main.query("#tab-watch")
                                           else [])
        tabs.active = order[(order.index(tabs.active) + 1) % len(order)]
        if not self.running:
            self.main.show_watch_plot(self.ask.view(self.session))

    def action_plot_view(self) -> None:
        """The plot takes the room (and the numbers step aside), or gives it back."""
        self._plot_after_run = False
        body = self.main.query_one(Body)
        body.toggle_class("-plot-view")
        self.call_after_refresh(self.show_state)

    def action_gradcheck(self) -> None:
        from .widgets.gradcheck import GradCheckScreen  # the check's code loads when asked

        # What the class is asked for stays hidden here too.
        self.push_screen(GradCheckScreen.of(self.session, set(self.ask.hidden(self.session))))

    def action_full_values(self) -> None:
        from .widgets.full_values import FullValuesScreen

        self.push_screen(FullValuesScreen(self.ask.view(self.session)))

    def action_help(self) -> None:
        from .widgets.help import HelpScreen

        self.push_screen(HelpScreen(binding_rows(self)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        return palette_commands(self, super().get_system_commands(screen))

    def action_save_screenshot(self) -> None:
        """An SVG of the screen in --screenshot-dir, inside --files-dir."""
        self.main.save_picture(self.screenshot_dir, self.files_dir)
