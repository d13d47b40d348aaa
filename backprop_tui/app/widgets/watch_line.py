"""What the watches show: their values at the cursor (a line) and their history (a plot).

The plot (plotext) is in :mod:`.watch_plot`, loaded after the first frame.

The values are the core's (:mod:`backprop_tui.core.debugger.watches`); these widgets only
write them. The line sits above the status line and is hidden while there is no
watch, so the screen of someone who never presses ``w`` does not change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ..palette import PALETTE

NOT_YET_TEXT = "not yet"  # the step has not computed it at this phase


def format_value(value: object) -> str:
    """A watch's value in a few characters: a number, a short vector, or a norm."""
    if value is None:
        return NOT_YET_TEXT
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    array = np.asarray(value, dtype=float)
    if array.size == 1:
        return f"{float(array.reshape(-1)[0]):.6g}"
    if array.size <= 4:
        return "[" + " ".join(f"{v:.4g}" for v in array.reshape(-1)) + "]"
    return f"‖·‖ {float(np.linalg.norm(array)):.4g} ({'x'.join(map(str, array.shape))})"


TALL = 30  # rows: below this the watches share the status line instead of taking a row


def watch_text(items: Sequence[tuple[str, object]], width: int = 0) -> Text:
    """``watch W2[0,1] = 0.0512 │ L = 0.0213 │ norm(dW1) = not yet``, cut to ``width``."""
    line = Text("watch ", style="bold")
    for i, (text, value) in enumerate(items):
        if i:
            line.append(" │ ", style="dim")
        line.append(text, style="bold")
        shown = format_value(value)
        line.append(" = ")
        line.append(shown, style=PALETTE.not_yet if shown == NOT_YET_TEXT else "")
    if width and line.cell_len > width:
        line.truncate(width - 1)
        line.append("…")
    return line


class WatchLine(Static):
    """The watches' values at the cursor, on a line of their own when the window is tall
    enough (on a small one, an 80x24 projector, the status line shows them: see
    :meth:`BackpropApp.say_default`), so the diagram keeps its rows."""

    def show(self, items: Sequence[tuple[str, object]], width: int = 0,
             height: int = TALL) -> None:
        """``items``: (text, value or None for not yet) of each watch, in order."""
        self.display = bool(items) and height >= TALL
        if self.display:
            self.update(watch_text(items, width))

