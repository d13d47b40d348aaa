"""The Forward and Backward panels: one line per quantity, filling in phase by phase."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ...check.compare import QuantityCheck, SampleComparison
from ...core.phases import PHASES, quantity_shapes
from ...core.session import Session
from ..render import join_lines, labelled, placeholder, row_lines, shape_of
from ..student import STUDENT_NAME

FORWARD = (("x", "x"), ("y", "y"), ("z1", "z1"), ("a1", "a1"), ("z2", "z2"),
           ("y_hat", "y_hat"), ("L", "L"))
BACKWARD = (("σ'(z2)", "dsig2"), ("delta2", "delta2"), ("dW2", "dW2"), ("db2", "db2"),
            ("σ'(z1)", "dsig1"), ("delta1", "delta1"), ("dW1", "dW1"), ("db1", "db1"))

PRODUCED_BY = {name: phase.key for phase in PHASES for name in phase.produces}


class ValuesPanel(Static):
    """Shows ``quantities`` (label, key) of the current sample; dim until computed."""

    def __init__(self, quantities: tuple[tuple[str, str], ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.quantities = quantities

    def show(self, session: Session, student: SampleComparison | str | None | bool = False
             ) -> int:
        """Render; returns the number of lines (the app sizes the panel row by it).

        ``student``: False without a student file, None while their answer is computed.
        """
        values = session.values
        shapes = quantity_shapes(session.params.n_inputs, session.params.n_hidden)
        labels = [f"{label} {shape_of(np.zeros(shapes[key]))}" for label, key in self.quantities]
        width = max(len(label) for label in labels) + 1
        lines: list[Text] = []
        for label, (name, key) in zip(labels, self.quantities, strict=True):
            if key in values:
                lines += labelled(label, values[key], width, room=self.content_size.width)
                if student is not False and key in STUDENT_NAME:
                    lines += student_lines(student, STUDENT_NAME[key], width,
                                           self.content_size.width)
            else:
                lines.append(placeholder(name, width, f"at phase {PRODUCED_BY[key]}"))
        self.update(join_lines(lines))
        return len(lines)


def student_lines(comparison: SampleComparison | str | None, name: str, width: int,
                  room: int = 0) -> list[Text]:
    """The student's value under the engine's, marked ✓ or × with the reason."""
    label = "  yours"
    if comparison is None:
        return [placeholder(label, width, "checking…")]
    if isinstance(comparison, str):  # no comparison: the function was stopped
        return [Text(label.ljust(width), style="bold red") + Text("× stopped", style="red")]
    q: QuantityCheck = comparison.quantities[name]
    if q.band == "ok":
        mark = Text(" ✓", style="bold green")
    elif q.band == "shape" and q.got is not None:
        mark = Text(f" × shape {q.got.shape}", style="bold red")
    else:
        mark = Text(f" × {q.band}", style="bold red")
    if q.got is None:
        reason = q.got_text or (comparison.mismatch.kind if comparison.mismatch else "")
        return [Text(label.ljust(width), style="bold red") + Text(reason, style="red") + mark]
    lines = row_lines(q.got, room=max(room - width - mark.cell_len, 1) if room else 0)
    out = [Text((label if n == 0 else "").ljust(width), style="italic") + line
           for n, line in enumerate(lines)]
    out[0].append_text(mark)
    return out
