"""A one-line question with a live answer: go to, breakpoint, watch, set, save, export.

Each debugger key asks for one line of text. The dialog checks it as it is typed
(the core's parsers answer in one line), so a mistake is pointed at before
enter, and what enter will do is said first: "runs 1,200 updates forward",
"discards the 3,000 updates after it", "overwrites session.json". Where doing
it loses something, the first enter only says so and a second enter does it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ..palette import PALETTE

MAX_INPUT = 20_001  # characters: past every parser's own limit, so a long paste is refused
                    # in words by the parser, never silently cut into another meaning


@dataclass(frozen=True)
class Verdict:
    """What the text typed so far would do (``ok``), or why it cannot be done."""

    ok: bool
    message: str
    confirm: bool = False  # doing it loses something: enter twice


Check = Callable[[str], Verdict]


class PromptDialog(ModalScreen[str | None]):
    """Asks one line; enter takes it when ``check`` says ok, escape cancels (None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_prompt")]

    def __init__(self, question: str, check: Check, default: str = "",
                 placeholder: str = "", hint: str = "") -> None:
        super().__init__()
        self.question = question
        self.check = check
        self.default = default
        self.placeholder = placeholder
        self.hint = hint
        self._armed: str | None = None  # the text a first enter warned about
        self._answered = False  # dismissed once: later keys are ignored

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            # Text, not markup: questions hold brackets ("epoch sample [phase]").
            yield Label(Text(f"{self.question}  (enter: do it, escape: cancel)"),
                        id="prompt-question")
            # Not selected on focus: keys typed ahead are already in, and go on typing.
            yield Input(self.default, placeholder=self.placeholder, id="prompt-input",
                        max_length=MAX_INPUT, select_on_focus=False)
            yield Label(Text(self.hint), id="prompt-message")

    def on_mount(self) -> None:
        if self.default:
            self._show(self.check(self.default))

    @property
    def message(self) -> str:
        """What the dialog says under the field now (for tests and the screen reader)."""
        return str(self.query_one("#prompt-message", Label).content)

    def _show(self, verdict: Verdict, armed: bool = False) -> None:
        style = PALETTE.warning if armed else (PALETTE.success if verdict.ok else PALETTE.error)
        text = verdict.message + ("   enter again to do it" if armed else "")
        self.query_one("#prompt-message", Label).update(Text(text, style=style))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._armed = None
        if event.value.strip():
            self._show(self.check(event.value))
        else:
            self.query_one("#prompt-message", Label).update(Text(self.hint))

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        if self._answered:
            return
        text = event.value
        verdict = self.check(text)
        if not verdict.ok:
            self._show(verdict)
            return
        if verdict.confirm and self._armed != text:
            self._armed = text
            self._show(verdict, armed=True)
            return
        self._answered = True
        self.dismiss(text)

    def type_ahead(self, keys: list[events.Key]) -> None:
        """Keys typed in one burst with the dialog's key arrive before the field has
        focus (the app hands them here): printable ones are typed, enter submits."""
        field = self.query_one("#prompt-input", Input)
        if field.has_focus:  # the field takes its keys itself (backspace, enter come back too)
            return
        for key in keys:
            if self._answered:
                return
            if key.key == "enter":
                self.submitted(Input.Submitted(field, field.value))
            elif key.key == "backspace":
                field.value = field.value[:-1]
            elif key.is_printable and key.character is not None:
                field.value = (field.value + key.character)[:MAX_INPUT]
            field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(None)
