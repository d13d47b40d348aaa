"""The Forward and Backward panels: one line per quantity, filling in phase by phase."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...core.phases import PHASES
from ...core.session import Session
from ..render import join_lines, labelled, placeholder, shape_of

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

    def show(self, session: Session) -> None:
        values = session.values
        labels = [f"{label} {shape_of(values[key])}" if key in values else label
                  for label, key in self.quantities]
        width = max(len(label) for label in labels) + 1
        lines: list[Text] = []
        for label, (_, key) in zip(labels, self.quantities, strict=True):
            if key in values:
                lines += labelled(label, values[key], width)
            else:
                lines.append(placeholder(label, width, f"at phase {PRODUCED_BY[key]}"))
        self.update(join_lines(lines))
