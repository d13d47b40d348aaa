"""The status line: run progress, autoplay pace, warnings and divergence, in words."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static


class StatusBar(Horizontal):
    """One line of messages, with a progress bar while epochs run."""

    def compose(self) -> ComposeResult:
        yield Static(id="status-text")
        yield ProgressBar(id="status-progress", show_eta=False)

    def say(self, message: str, style: str = "") -> None:
        self.query_one("#status-text", Static).update(Text(message, style=style))

    def progress(self, done: int | None, total: int = 1) -> None:
        """Show the bar at done/total, or hide it with ``None``."""
        bar = self.query_one("#status-progress", ProgressBar)
        bar.display = done is not None
        if done is not None:
            bar.update(total=max(total, 1), progress=done)
