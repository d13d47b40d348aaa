"""The title line: where the run stands, readable from the back of a classroom."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...core.phases import PHASES
from ...core.session import Session


class PositionBar(Static):
    """Dataset, epoch, sample i/N, phase and learning rate, in one line."""

    def show(self, session: Session, width: int = 0) -> None:
        """``width``: the terminal's, to choose the long or the short form."""
        c = session.cursor
        phase = session.phase
        wide = width >= 110 or width == 0
        t = Text()
        if wide:
            t.append(" backprop-tui ", style="bold reverse")
            t.append("  ")
        t.append(session.dataset.name, style="bold")
        t.append("  │  epoch ")
        t.append(str(c.epoch), style="bold")
        t.append("  │  sample ")
        t.append(f"{c.position + 1}/{session.n}", style="bold")
        if wide:
            t.append(f" (row {session.row})", style="dim")
        t.append("  │  phase ")
        t.append(f"{c.phase + 1}/{len(PHASES)} {phase.key}", style="bold")
        if wide:
            t.append(f" {phase.title}", style="dim")
        t.append("  │  η ")
        t.append(f"{session.config.lr:g}", style="bold")
        self.update(t)
