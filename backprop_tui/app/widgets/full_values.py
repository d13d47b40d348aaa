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

from ...core.network import PARAM_NAMES
from ...core.phases import PHASES
from ...core.session import Session
from ..render import join_lines, labelled, shape_of

QUANTITY_ORDER = [name for phase in PHASES for name in phase.produces]


def full_text(session: Session) -> Text:
    """All parameters, then every quantity computed so far, uncut."""
    values = session.values
    params = session.params.as_dict()
    names = [*PARAM_NAMES, *(q for q in QUANTITY_ORDER if q in values)]
    labels = {n: f"{n} {shape_of(params.get(n, values.get(n)))}" if np.ndim(
        params.get(n, values.get(n))) else n for n in names}
    width = max(len(label) for label in labels.values()) + 1
    c = session.cursor
    lines = [Text(f"Every value at epoch {c.epoch}, sample {c.position + 1}/{session.n} "
                  f"(row {session.row}), phase {c.phase + 1}/{len(PHASES)} "
                  f"{session.phase.key}; parameters before this sample's update",
                  style="bold"), Text("")]
    for name in names:
        lines += labelled(labels[name], params.get(name, values.get(name)), width, room=-1)
    lines.append(Text("\narrows or the mouse scroll; escape, q or f closes", style="dim"))
    return join_lines(lines)


class FullValuesScreen(ModalScreen[None]):
    """The whole state of the step, scrollable in both directions."""

    BINDINGS = [Binding("escape,q,f", "close", "Close", id="close_full_values")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="full-values-body"):
            yield Static(full_text(self.session), id="full-values")

    def action_close(self) -> None:
        self.dismiss(None)
