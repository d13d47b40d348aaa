"""The gradient-check view (key g): backprop against finite differences, parameter by
parameter, for the current sample and parameters, coloured by agreement band."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.gradcheck import GOOD, SUSPECT, GradCheck, band
from ..render import hstack, join_lines, row_lines

BAND_STYLE = {"ok": "bold green", "suspect": "bold yellow", "wrong": "bold red"}


def error_lines(check: GradCheck) -> list[Text]:
    """The entrywise relative errors, each coloured by its own band."""
    lines = []
    for row in check.error.reshape(check.analytic.shape[0] if check.error.ndim > 1 else 1, -1):
        t = Text("[")
        for n, e in enumerate(row):
            if n:
                t.append(" ")
            t.append(f"{e:7.1e}", style=BAND_STYLE[band(float(e))])
        t.append("]")
        lines.append(t)
    return lines


def gradcheck_text(checks: list[GradCheck], where: str) -> Text:
    lines = [Text.assemble(("Gradient check", "bold underline"), f"  {where}"),
             Text("relative error |a − n| / max(1e-8, |a| + |n|), numeric n by five-point "
                  "central differences", style="dim"),
             Text.assemble(("ok", BAND_STYLE["ok"]), f" ≤ {GOOD:g}   ",
                           ("suspect", BAND_STYLE["suspect"]), f" ≤ {SUSPECT:g}   ",
                           ("wrong", BAND_STYLE["wrong"]), f" > {SUSPECT:g}"),
             Text("")]
    for c in checks:
        lines.append(Text.assemble((f"d{c.name}", "bold"), f" {c.analytic.shape}   max error ",
                                   (f"{c.max_error:.1e} {c.band}", BAND_STYLE[c.band])))
        lines += hstack(["  backprop", row_lines(c.analytic), " numeric", row_lines(c.numeric),
                         " error", error_lines(c)])
    lines.append(Text(f"\nbiggest error {max(c.max_error for c in checks):.1e}; "
                      "escape, q or g closes", style="dim"))
    return join_lines(lines)


class GradCheckScreen(ModalScreen[None]):
    """Shows a finished gradient check; the numbers come from core.gradcheck."""

    BINDINGS = [Binding("escape,q,g", "close", "Close", id="close_gradcheck")]

    def __init__(self, checks: list[GradCheck], where: str) -> None:
        super().__init__()
        self.checks = checks
        self.where = where

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="gradcheck-body"):
            yield Static(gradcheck_text(self.checks, self.where))

    def action_close(self) -> None:
        self.dismiss(None)
