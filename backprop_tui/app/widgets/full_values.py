"""Every number of the current step in full (key f): what a panel had to cut is here.

Panels summarise large layers (a row cut with "…+N", "N more rows"); this view
shows each parameter and each quantity computed so far with every row and column,
and scrolls both ways, so nothing the panels leave out is out of reach.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.run.session import Session
from ..ask import is_unknown
from ..palette import PALETTE
from ..render import join_lines, shape_of, value_style
from .values import quantity_name

DIGITS = 10  # significant digits: enough to compare with a print of your own to 1e-9


def _full(value: object) -> list[Text]:
    """Every entry with DIGITS significant digits, in columns (a scalar on its own)."""
    if is_unknown(value):
        return [Text("?", style=PALETTE.asked)]
    a = np.asarray(value, dtype=float)
    cells = [f"{v:+.{DIGITS - 1}e}" for v in a.ravel()]
    if a.ndim == 0:
        return [Text(cells[0])]
    rows = a.reshape(a.shape[0] if a.ndim > 1 else 1, -1)
    scale = float(np.max(np.abs(a[np.isfinite(a)]), initial=0.0))
    out = []
    for i, row in enumerate(rows):
        t = Text("[")
        for j, v in enumerate(row):
            t.append((" " if j else "") + cells[i * rows.shape[1] + j],
                     style=value_style(float(v), scale))
        out.append(t + Text("]"))
    return out


def full_text(session: Session) -> Text:
    """All parameters, then every quantity computed so far, uncut and to DIGITS digits."""
    values = session.values
    params = session.params.as_dict()
    net = session.net
    order = [name for phase in net.phases for name in phase.produces]
    names = [*net.arch.param_names, *(q for q in order if q in values)]

    def name_of(n: str) -> str:
        """The panels' name (σ'(z2), W2^T delta2; "W1 new" for the updated W1)."""
        return n[:-4] + " new" if n.endswith("_new") else quantity_name(net, n)

    def label(n: str) -> str:
        v = params.get(n, values.get(n))
        return f"{name_of(n)} {shape_of(v)}" if np.ndim(v) else name_of(n)

    width = max(len(label(n)) for n in names) + 1
    lines = []
    for name in names:
        for n, line in enumerate(_full(params.get(name, values.get(name)))):
            head = label(name).ljust(width) if n == 0 else " " * width
            lines.append(Text(head, style="bold" if n == 0 else "") + line)
    return join_lines(lines)


def heading(session: Session) -> Text:
    """Where this is and how to leave, in words the screen wraps (the table below does
    not wrap: it scrolls; a heading in it was cut at the window's edge)."""
    c = session.cursor
    return Text.assemble(
        (f"Every value at epoch {c.epoch}, sample {c.position + 1}/{session.n} "
         f"(row {session.row}), phase {c.phase + 1}/{len(session.net.phases)} "
         f"{session.phase.key}, to {DIGITS} significant digits; parameters before this "
         "sample's update", "bold"),
        ("\nescape, q or f closes; arrows or the mouse scroll\n", "dim"))


class FullValuesScreen(ModalScreen[None]):
    """The whole state of the step, scrollable in both directions."""

    DEFAULT_CSS = "#full-values-heading { dock: top; width: 100%; height: auto; }"

    BINDINGS = [Binding("escape,q,f", "close", "Close", id="close_full_values")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="full-values-body"):
            yield Static(heading(self.session), id="full-values-heading")
            yield Static(full_text(self.session), id="full-values")

    def action_close(self) -> None:
        self.dismiss(None)
