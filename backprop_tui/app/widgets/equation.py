"""The Equation panel: the current phase's formula, then the same with this sample's numbers.

The numbers are the ones the core computed (``session.values``); this module only
arranges them, so what the class reads here is exactly what the engine did. The
backward phases also say what each quantity means (delta is ∂L/∂z), show each
activation's slope and W^T delta with their numbers, and give one entry of each
gradient as a chain rule, since those are the steps a student cannot see in the
matrices alone. The phases are the session's (any network); the rows of each are
written in :mod:`.eq_forward` and :mod:`.eq_backward`. Short of room the prose goes
first; a deeper network then takes a tighter form (results, not the products that
made them: the Forward and Backward panels keep those), never the lab's.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from ...core.network.netphases import Net
from ...core.run.session import Session
from ..palette import PALETTE
from ..render import hstack, join_lines
from .eq_backward import gradients, hidden_error, output_error, update
from .eq_forward import activation, load, loss, pre_activation
from .eq_parts import Block, Eq, Prose, Row

RowsFn = Callable[[Eq, int], list[Row]]


def rows_of(net: Net, key: str) -> RowsFn:
    """The function that writes phase ``key`` of ``net`` with its numbers."""
    depth = net.arch.depth
    if key in ("load", "L", "update"):
        return {"load": load, "L": loss, "update": update}[key]
    if key == "y_hat":
        return lambda e, row: activation(e, depth)
    if key.startswith("dW"):
        return gradients
    if key.startswith("delta"):
        return output_error if key == f"delta{depth}" else hidden_error
    layer = int(key[1:])  # z_l or a_l
    if key[0] == "z":
        return lambda e, row: pre_activation(e, layer)
    return lambda e, row: activation(e, layer)


def fit(row: list[Block], room: int) -> list[list[Text]]:
    """One row of blocks as lines; too wide for ``room``, it breaks before an operator
    (the last one that lets the first part fit), and the rest goes on indented below,
    so a result never disappears past the edge."""
    lines = hstack(row)
    if not room or max(t.cell_len for t in lines) <= room or len(row) < 2:
        return [lines]
    cuts = [i for i, b in enumerate(row) if isinstance(b, str) and i > 0]
    if not cuts:
        return [lines]
    fitting = [i for i in cuts if max(t.cell_len for t in hstack(row[:i])) <= room]
    cut = max(fitting) if fitting else cuts[0]
    rest = row[cut:]
    head = rest[0]
    assert isinstance(head, str)
    rest = [type(head)("   " + head.lstrip()), *rest[1:]]
    return [*fit(row[:cut], room), *fit(rest, room)]


def header(net: Net, k: int) -> Text:
    """"phase k/N title:  formula", the names it produces highlighted, the lab's names."""
    phase = net.phases[k]
    t = Text.assemble((f"{k + 1}/{len(net.phases)} {phase.title}:  ", "dim"),
                      (phase.formula, "bold"))
    for name in phase.produces:
        start = phase.formula.find(name)
        if start >= 0:
            t.stylize(PALETTE.produced, start + len(t.plain) - len(phase.formula),
                      start + len(t.plain) - len(phase.formula) + len(name))
    for name in phase.reads:
        for part in (name,):
            i = phase.formula.find(part, phase.formula.find("=") + 1)
            if i >= 0:
                offset = len(t.plain) - len(phase.formula)
                t.stylize(PALETTE.read, offset + i, offset + i + len(part))
    lab_names = net.lab_names
    lab = [f"lab: {lab_names[ours]}" for ours in phase.produces if ours in lab_names]
    if lab:
        t.append("   (" + ", ".join(lab) + ")", style="dim")
    return t


def _laid_out(net: Net, k: int, rows: list[Row], width: int) -> list[Text]:
    lines = [header(net, k)]
    for row in rows:
        for part in fit(row, width):
            lines += part
    return lines


class EquationPanel(Static):
    """Formula of the current phase, symbolically and with the numbers put in."""

    max_lines = 0  # set by the layout: at most this many lines (0: no limit)

    def lines(self, session: Session, width: int, max_lines: int = 0) -> list[Text]:
        """What the panel shows at ``width`` columns of content (the layout measures it);
        beyond ``max_lines``, the explaining prose goes first, the numbers never; a
        network other than the lab's then takes its tight form if that is shorter."""
        k, net = session.cursor.phase, session.net
        phase = net.phases[k]
        write = rows_of(net, phase.key)
        classes = tuple(getattr(session.dataset, "classes", ()) or ())

        def laid(tight: bool, prose: bool) -> list[Text]:
            e = Eq(session.values, phase, max(width - 12, 1) if width else 0, net.arch,
                   classes, tight)
            rows = write(e, session.row)
            if not prose:
                rows = [r for r in ([b for b in row if not isinstance(b, Prose)]
                                    for row in rows) if r]
            return _laid_out(net, k, rows, width)

        lines = laid(False, True)
        if max_lines and len(lines) > max_lines:
            lines = laid(False, False)
            if len(lines) > max_lines and not net.arch.is_lab:
                tight = laid(True, False)
                lines = tight if len(tight) < len(lines) else lines
        return lines

    def show(self, session: Session, note: str | None = None, width: int | None = None,
             lines: list[Text] | None = None) -> None:
        """Render for ``width`` columns of content (default: the panel's current width);
        ``lines``: the ones the layout already built for that width (not built twice)."""
        width = self.content_size.width if width is None else width
        if lines is None:
            lines = self.lines(session, width, self.max_lines)
        text = join_lines(lines)
        if note is not None:
            # The note is prose: it wraps to the panel, unlike the aligned matrices above.
            for paragraph in note.split("\n"):
                for chunk in textwrap.wrap(paragraph, max(width - 1, 30)) or [""]:
                    text.append("\n")
                    text.append(chunk, style=PALETTE.error)
        self.update(text)
