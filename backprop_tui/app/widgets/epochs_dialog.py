"""Asks how many epochs to run (key E)."""

from __future__ import annotations

from textual import events, on
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
        self._typed = False  # the field still holds the default, which typing replaces
        self._answered = False  # dismissed once: later enters and escapes are ignored

    def compose(self) -> ComposeResult:
        with Vertical(id="epochs-dialog"):
            yield Label("Run how many epochs? (enter runs, escape cancels)")
            yield Input(str(self.default), id="epochs-input", type="integer")
            yield Label("", id="epochs-error")

    def type_ahead(self, keys: list[events.Key]) -> None:
        """Keys typed in one burst with E arrive before the field has focus (the app
        hands them here): digits replace the default, Enter runs."""
        field = self.query_one("#epochs-input", Input)
        for key in keys:
            if key.key == "enter":
                self.submitted(Input.Submitted(field, field.value))
                return
            if self._answered:
                return
            if key.character is not None and key.character.isdigit():
                field.value = (field.value if self._typed else "") + key.character
                self._typed = True
                field.cursor_position = len(field.value)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.value != str(self.default):  # the field's own first value is no typing
            self._typed = True

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if self._answered:  # a second enter (key repeat) before the dialog is gone
            return
        text = event.value.strip()
        if text.isdigit() and int(text) >= 1:
            self._answered = True
            self.dismiss(int(text))
        else:
            self.query_one("#epochs-error", Label).update("a whole number of epochs, 1 or more")

    def action_cancel(self) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(None)
