"""The Parameters panel: W1, b1, ..., WL, bL, coloured by sign, with the update marked.

On the update phase the new values stand over the old ones ("was"); a cell is
underlined as changed only where its shown digits changed, so the panel never
claims a change the reader cannot see (a smaller change is counted in words).
The names come from the session's architecture, so every layer of a deeper
network is listed, in the order of the flat parameter vector.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ...core.run.session import Session
from ..ask import is_unknown
from ..render import fmt_all, labelled, shape_of
from .values import label_style

LABEL = 9
BORDER_LABEL_CHROME = 6  # "╰─ " and " ─╯" around a border's label


def shown_changes(new: np.ndarray, old: np.ndarray) -> tuple[np.ndarray, int]:
    """Which cells read differently (each array in its own format), and how many
    changed by less than the shown digits (none, while ask mode hides the new ones)."""
    if is_unknown(new):
        return np.zeros(np.shape(new), dtype=bool), 0
    marks = np.array([a != b for a, b in zip(fmt_all(new), fmt_all(old), strict=True)])
    hidden = int(np.sum((np.ravel(new) != np.ravel(old)) & ~marks))
    return marks.reshape(np.shape(new)), hidden


def legends(tiny: int) -> tuple[str, ...]:
    """What the marks mean, longest first, for the bottom border (a line of words
    would widen the panel): the panel shows the first that fits. ``tiny``: changes
    too small for the shown digits, which no underline can show."""
    if not tiny:
        return ("underlined = changed",)
    return (f"underlined = changed; {tiny} more changed too little to show",
            f"underlined: changed; {tiny} too small to show",
            f"underlined: changed ({tiny} tiny)", "underlined: changed")


class ParamsPanel(Static):
    """Parameters before this sample's update; on the update phase, new values and old."""

    _legends: tuple[str, ...] = ()

    def lines(self, session: Session, room: int = 0) -> list[Text]:
        params = session.params.as_dict()
        values = session.values
        phase = session.phase
        updated = "W1_new" in values
        names = session.arch.param_names
        lines: list[Text] = []
        labels = {name: f"{name} {shape_of(params[name])}" for name in names}
        width = max(LABEL, *(len(label) + 1 for label in labels.values()))
        below = 0
        for name in names:
            old = params[name]
            label = labels[name]
            if updated:
                new = values[name + "_new"]  # an Unknown while ask mode hides it
                new = new if is_unknown(new) else np.asarray(new)
                marks, hidden = shown_changes(new, old)
                below += hidden
                lines += labelled(label, new, width, marks=marks, room=room, style=label_style(
                    phase, name + "_new"), highlight=True)
                lines += labelled("  was", old, width, room=room, style="dim")
            else:
                lines += labelled(label, old, width, room=room, style=label_style(phase, name))
        self._legends = legends(below) if updated else ()
        self.fit_legend()
        return lines

    def on_resize(self) -> None:
        self.fit_legend()

    def fit_legend(self) -> None:
        """The longest legend the bottom border holds whole (Textual would cut it with
        "…"); before the first layout, the shortest."""
        room = self.size.width - BORDER_LABEL_CHROME
        fits = [words for words in self._legends if len(words) <= room]
        if not self.size.width:
            fits = list(self._legends[-1:])
        self.border_subtitle = fits[0] if fits else ""
