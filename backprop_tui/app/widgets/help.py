"""The help screen: the live key bindings and the phases of a training step.

Rows come from the app's active bindings (after any keymap), so the help can
never disagree with the keys; the phases come from the core's PHASES list.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.phases import PHASES


def bindings_table(rows: list[tuple[str, str, str]]) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("key", style="bold")
    table.add_column("name")
    table.add_column("does", style="dim")
    for keys, name, does in rows:
        table.add_row(keys, name, does)
    return table


def phases_table() -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("phase", style="bold")
    table.add_column("formula")
    for i, phase in enumerate(PHASES, 1):
        table.add_row(str(i), phase.key, phase.formula)
    return table


class HelpScreen(ModalScreen[None]):
    """Keys and phases; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="close_help"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(bindings_table(self.rows))
            yield Static(Text("\nOne training step, phase by phase", style="bold underline"))
            yield Static(phases_table())
            yield Static(Text("\nescape, q or ? closes this help.", style="dim"))

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
