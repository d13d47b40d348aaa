"""The gradient-check view (key g): backprop against finite differences, parameter by
parameter, for the current sample and parameters, coloured by agreement band."""

from __future__ import annotations

import math
import textwrap

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.network.gradcheck import GOOD, SUSPECT, GradCheck, band, gradient_check
from ...core.run.session import Session
from ..palette import PALETTE
from ..render import (
    CELL,
    MAX_COLS,
    cols_that_fit,
    hstack,
    join_lines,
    row_lines,
    row_width,
    shape_of,
)


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
    if e > SUSPECT:  # a wrong gradient: 3 digits, like every number shown
        return f"{e:.2e}".replace("e-0", "e-").replace("e+0", "e+")
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
            t.append(error_text(float(e)).rjust(CELL), style=band_style(band(float(e))))
        t.append("]")
        if len(shown) < len(row):
            t.append(f"…+{len(row) - len(shown)}", style="dim")
        lines.append(t)
    return lines


def _prose(text: str, room: int, style: str = "dim") -> list[Text]:
    """Words wrap to the dialog (numbers never do)."""
    return [Text(line, style=style) for line in textwrap.wrap(text, max(room, 30) if room
                                                                else 10_000) or [""]]


def gradcheck_text(checks: list[GradCheck], where: str, room: int = 0,
                   reached: set[str] | None = None) -> Text:
    """The check as text; ``room`` (the screen's width) limits the cells of a row.

    With ``reached`` (the quantities the step has computed so far), only gradients the
    step has already shown are given, so the check never answers the next question.
    """
    shown = [c for c in checks if reached is None or f"d{c.name}" in reached]
    later = [f"d{c.name}" for c in checks if c not in shown]
    widest = max((c.analytic.reshape(c.analytic.shape[0], -1).shape[1]
                  if c.analytic.ndim > 1 else c.analytic.size for c in shown), default=1)
    stacked = 0 < room < 3 * row_width(min(widest, MAX_COLS)) + 34
    block = (room - 12 if stacked else max((room - 34) // 3, 1)) if room else 0
    lines = [Text.assemble(("Gradient check", "bold underline"), f"  {where}")]
    lines += _prose("backprop: the gradient backprop computed. numeric: the same slope "
                    "measured on the loss itself, nudging each parameter θ by ±h and ±2h "
                    "(−L(θ+2h) + 8 L(θ+h) − 8 L(θ−h) + L(θ−2h)) / 12h. error: how far "
                    "apart they are, relative to their size and to how precisely the "
                    "numeric slope can be measured at all.", room)
    lines += [Text.assemble(("ok", band_style("ok")), f" ≤ {GOOD:g}   ",
                            ("suspect", band_style("suspect")), f" ≤ {SUSPECT:g}   ",
                            ("wrong", band_style("wrong")), f" > {SUSPECT:g}")]
    if later:
        lines += _prose(f"{', '.join(later)}: not shown yet, this sample's step has not "
                        "computed them (step on with n, or u for the whole step, then g).",
                        room, PALETTE.warning)
    lines.append(Text(""))
    for c in shown:
        lines.append(Text.assemble((f"d{c.name}", "bold"), f" {shape_of(c.analytic)}   max error ",
                                   (f"{error_text(c.max_error)} {c.band}",
                                    band_style(c.band))))
        parts = [("  backprop", row_lines(c.analytic, room=block)),
                 ("  numeric", row_lines(c.numeric, room=block)),
                 ("  error", error_lines(c, block))]
        if stacked:
            for label, block_lines in parts:
                lines += hstack([f"{label:<11}", block_lines])
        else:
            lines += hstack([piece for label, cells in parts for piece in (label, cells)])
    if shown:
        lines += _prose(f"biggest error {error_text(max(c.max_error for c in shown))} (errors "
                        f"under {FLOOR:g} are rounding noise, shown as a band); escape, q or "
                        "g closes", room)
    return join_lines(lines)


class GradCheckScreen(ModalScreen[None]):
    """Shows a finished gradient check; the numbers come from core.gradcheck."""

    BINDINGS = [Binding("escape,q,g", "close", "Close", id="close_gradcheck")]

    def __init__(self, checks: list[GradCheck], where: str,
                 reached: set[str] | None = None) -> None:
        super().__init__()
        self.checks = checks
        self.where = where
        self.reached = reached

    @classmethod
    def of(cls, session: Session, hidden: set[str]) -> GradCheckScreen:
        """The check of the cursor's sample at its parameters; gradients the step has not
        reached (or that ask mode still hides) are left out."""
        c, row = session.cursor, session.row
        checks = gradient_check(session.params, session.dataset.X_train[row],
                                session.target(row), session.net)
        where = f"epoch {c.epoch}, sample {c.position + 1}/{session.n} (row {row})"
        return cls(checks, where, reached=set(session.values) - hidden)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="gradcheck-body"):
            yield Static(gradcheck_text(self.checks, self.where,
                                        min(self.app.size.width, 112) - 6, self.reached),
                         id="gradcheck-text")

    def action_close(self) -> None:
        self.dismiss(None)
