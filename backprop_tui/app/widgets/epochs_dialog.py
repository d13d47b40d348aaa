"""Asks how many epochs to run (key E).

The field takes any text and says what is wrong with it on enter, rather than
dropping what is not a digit as an integer field does: "1e9" there became "19"
(or "1920" typed before a default of 20), a run the user never asked for.
"""

from __future__ import annotations

import re

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ...core.limits import MAX_EPOCHS

_SCIENTIFIC = re.compile(r"\d+(\.\d*)?e\+?\d+")


def parse_epochs(text: str) -> int | str:
    """A whole number of epochs from ``500``, ``10_000``, ``10,000`` or ``1e4``; else the
    one-line reason it is refused."""
    plain = text.strip().lower().replace("_", "").replace(",", "")
    shown = text.strip() if len(text.strip()) <= 24 else text.strip()[:20] + "…"
    what = f"{MAX_EPOCHS:,}"
    if not (plain.isdigit() or _SCIENTIFIC.fullmatch(plain)):
        return f"{shown!r}: a whole number of epochs, 1 to {what} (500, 10_000 or 1e4)"
    value = float(plain)  # whole numbers this size are exact; a wall of digits is inf
    if value > 10 * MAX_EPOCHS:
        return f"{shown!r} is too many: at most {what} epochs in one run"
    if value != int(value):
        return f"{shown!r} is not a whole number of epochs"
    n = int(value)
    if not 1 <= n <= MAX_EPOCHS:
        return f"{n:,} epochs: a run has 1 to {what}"
    return n


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
            yield Input(str(self.default), id="epochs-input")
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
        n = parse_epochs(event.value)
        if isinstance(n, int):
            self._answered = True
            self.dismiss(n)
        else:
            self.query_one("#epochs-error", Label).update(n)

    def action_cancel(self) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(None)
