"""The title line: where the run stands and what comes next, readable from the back."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...core.run.session import Session
from ..palette import PALETTE


def dataset_label(name: str, limit: int = 24) -> str:
    """A path or URL by its file name (the phase must not be pushed off the line)."""
    short = name.rstrip("/").rsplit("/", 1)[-1] or name
    return short if len(short) <= limit else short[: limit - 1] + "…"


def next_step(session: Session) -> str:
    """The next phase's formula ("next: a1 = σ(z1)"), or the next sample after the update."""
    k, net = session.cursor.phase, session.net
    if k == net.update_phase:
        return "next: the next sample"
    return f"next: {net.phases[k + 1].formula}"


class PositionBar(Static):
    """Dataset, epoch, sample i/N (row), phase k/N and what comes next, and η (N = 4L + 3:
    11 for the lab, 15 for a 3-4-4-1 network).

    Counting: epochs from 0, as the lab prints them; samples 1..N within an epoch;
    the row is the sample's 0-based index in the training data.
    """

    def show(self, session: Session, width: int = 0, running: str = "", ask: bool = False
             ) -> None:
        """``width``: the terminal's (0: any), so the least needed parts go first when
        narrow; ``running``: the progress of a run, shown instead of the phase; ``ask``:
        ask mode is on (a badge says so). The current phase is named (its formula heads
        the Equation panel); the next one is given as a formula while there is room."""
        c, phases = session.cursor, session.net.phases
        nxt = next_step(session)
        short_next = "next: next sample" if c.phase == len(phases) - 1 else \
            f"next: {phases[c.phase + 1].key}"
        for drop in range(4):
            t = Text()
            if ask:
                t.append(" ASK ", style=f"bold reverse {PALETTE.warning}")
                t.append(" ")
            if drop < 1:
                t.append(" backprop-tui ", style="bold reverse")
                t.append(" ")
            t.append(dataset_label(session.dataset.name), style="bold")
            t.append(" │ epoch ")
            t.append(str(c.epoch), style="bold")
            t.append(" │ sample ")
            t.append(f"{c.position + 1}/{session.n}", style="bold")
            if drop < 3:
                t.append(f" (row {session.row})", style="dim")
            t.append(" │ η ")
            t.append(f"{session.lr:g}", style="bold")
            if c.update in session.edit_updates():
                t.append(" ✎ set here", style=f"bold {PALETTE.warning}")
            t.append(" │ ")
            if running:
                t.append(running, style=f"bold {PALETTE.warning}")
            else:
                t.append(f"phase {c.phase + 1}/{len(phases)} {session.phase.key}", style="bold")
                t.append(" │ ")
                t.append(nxt if drop < 2 else short_next, style="italic")
            if not width or t.cell_len <= width:
                break
        self.update(t)
