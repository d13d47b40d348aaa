"""The gradient-check view (key g): backprop against finite differences, parameter by
parameter, for the current sample and parameters, coloured by agreement band."""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.gradcheck import ERROR_FORMULA, GOOD, SUSPECT, GradCheck, band
from ..palette import PALETTE
from ..render import MAX_COLS, cols_that_fit, hstack, join_lines, row_lines, row_width, shape_of


def band_style(name: str) -> str:
    """ok / suspect / wrong in the theme's success, warning and error colours."""
    return {"ok": PALETTE.success, "suspect": f"bold {PALETTE.warning}",
            "wrong": PALETTE.error}[name]
FLOOR = 1e-8  # errors below this are rounding noise: their digits differ from machine to machine


def error_text(e: float) -> str:
    """A relative error for the screen: noise-sized ones as a band ("≤1e-8"), so the
    picture is the same on every machine; from 1e-8 up, the decade it lies under."""
    if not math.isfinite(e):
        return "nan" if math.isnan(e) else "inf"
    if e <= FLOOR:
        return "≤1e-8"
    if e > SUSPECT:
        return f"{e:.1e}"
    return f"<1e{math.ceil(math.log10(e))}"


def error_lines(check: GradCheck, room: int = 0) -> list[Text]:
    """The entrywise relative errors, each coloured by its own band (cut like the values)."""
    lines = []
    for row in check.error.reshape(check.analytic.shape[0] if check.error.ndim > 1 else 1, -1):
        t = Text("[")
        shown = row[: cols_that_fit(room, len(row))]
        for n, e in enumerate(shown):
            if n:
                t.append(" ")
            t.append(error_text(float(e)).rjust(7), style=band_style(band(float(e))))
        t.append("]")
        if len(shown) < len(row):
            t.append(f"…+{len(row) - len(shown)}", style="dim")
        lines.append(t)
    return lines


def gradcheck_text(checks: list[GradCheck], where: str, room: int = 0) -> Text:
    """The check as text; ``room`` (the screen's width) limits the cells of a row."""
    widest = max(c.analytic.reshape(c.analytic.shape[0], -1).shape[1]
                 if c.analytic.ndim > 1 else c.analytic.size for c in checks)
    stacked = 0 < room < 3 * row_width(min(widest, MAX_COLS)) + 30
    block = (room - 12 if stacked else max((room - 30) // 3, 1)) if room else 0
    lines = [Text.assemble(("Gradient check", "bold underline"), f"  {where}"),
             Text(ERROR_FORMULA, style="dim"),
             Text.assemble(("ok", band_style("ok")), f" ≤ {GOOD:g}   ",
                           ("suspect", band_style("suspect")), f" ≤ {SUSPECT:g}   ",
                           ("wrong", band_style("wrong")), f" > {SUSPECT:g}"),
             Text("")]
    for c in checks:
        lines.append(Text.assemble((f"d{c.name}", "bold"), f" {shape_of(c.analytic)}   max error ",
                                   (f"{error_text(c.max_error)} {c.band}",
                                    band_style(c.band))))
        parts = [("  backprop", row_lines(c.analytic, room=block)),
                 ("  numeric ", row_lines(c.numeric, room=block)),
                 ("  error   ", error_lines(c, block))]
        if stacked:
            for label, block_lines in parts:
                lines += hstack([label, block_lines])
        else:
            lines += hstack([piece for part in parts for piece in part])
    lines.append(Text(f"\nbiggest error {error_text(max(c.max_error for c in checks))} "
                      f"(errors under {FLOOR:g} are rounding noise, shown as a band); "
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
            yield Static(gradcheck_text(self.checks, self.where, self.app.size.width - 6))

    def action_close(self) -> None:
        self.dismiss(None)
