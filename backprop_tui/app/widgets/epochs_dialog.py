"""Asks how many epochs to run (key E)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class EpochsDialog(ModalScreen[int | None]):
    """A small prompt; enter runs, escape cancels. Only whole numbers >= 1 are taken."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_dialog")]

    def __init__(self, default: int) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="epochs-dialog"):
            yield Label("Run how many epochs? (enter runs, escape cancels)")
            yield Input(str(self.default), id="epochs-input", type="integer")
            yield Label("", id="epochs-error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text.isdigit() and int(text) >= 1:
            self.dismiss(int(text))
        else:
            self.query_one("#epochs-error", Label).update("a whole number of epochs, 1 or more")

    def action_cancel(self) -> None:
        self.dismiss(None)
