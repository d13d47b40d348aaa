"""The Forward and Backward panels: one line per quantity, filling in phase by phase.

The quantity the current phase produced is highlighted and the ones it read are
underlined, as in the diagram and the equation; one not computed yet says so in
words and in a colour no value has. Where the lab's code names a quantity
differently (pred, loss, grad_output, grad_hidden), its name stands beside ours.
Which quantities there are comes from the session's phases, so a 3-4-4-1 network
lists every layer's, in the order the step computes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ...core.network.activations import ACTIVATIONS
from ...core.network.netphases import Net, Phase
from ...core.run.session import Session
from ..palette import PALETTE
from ..render import labelled, placeholder, row_lines, shape_of
from ..student import STUDENT_NAME

if TYPE_CHECKING:  # the checker is imported only with a student file
    from ...check.compare import QuantityCheck, SampleComparison
    from ...check.origin import DerivedDelta

FORWARD, BACKWARD = "forward", "backward"  # the two panels, by the stage they show


def quantity_name(net: Net, key: str) -> str:
    """What the screen calls a quantity: σ'(z2) for dsig2, tanh'(z1) for dact1,
    W2^T delta2 for da1; every other key is its own name."""
    if key.startswith(("dsig", "dact")):
        layer = int(key[4:])
        name = net.arch.layer_activation(layer)
        return f"{ACTIVATIONS[name].slope_symbol}(z{layer})"
    if key.startswith("da") and key[2:].isdigit():
        above = int(key[2:]) + 1
        return f"W{above}^T delta{above}"
    return key


def quantities(net: Net, stage: str) -> tuple[tuple[str, str], ...]:
    """(label, key) of every quantity the phases of ``stage`` produce, in step order."""
    return tuple((quantity_name(net, key), key) for phase in net.phases
                 if phase.stage == stage for key in phase.produces)


def label_style(phase: Phase, key: str) -> str:
    """PRODUCED for what the phase just computed, READ for what it used, else bold."""
    if key in phase.produces:
        return PALETTE.produced
    if key in phase.reads:
        return PALETTE.read
    return "bold"


def quantity_label(label: str, key: str, shape: tuple[int, ...]) -> str:
    """"z1 (2,)"; a scalar has no shape."""
    return f"{label} {shape_of(np.zeros(shape))}" if shape else label


class ValuesPanel(Static):
    """Shows the quantities of one stage (FORWARD or BACKWARD) of the current sample;
    'not yet' until computed."""

    def __init__(self, stage: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stage = stage

    def lines(self, session: Session, student: SampleComparison | str | None | bool = False,
              room: int = 0) -> list[Text]:
        """The panel's lines at ``room`` columns (0: natural width, for the layout).

        ``student``: False without a student file, None while their answer is computed.
        """
        values = session.values
        phase = session.phase
        net = session.net
        shapes, lab_names, made_by = net.shapes(), net.lab_names, net.produced_by
        shown = quantities(net, self.stage)
        labels = [quantity_label(label, key, shapes[key]) for label, key in shown]
        width = max(len(label) for label in labels) + 1
        lines: list[Text] = []
        for label, (_, key) in zip(labels, shown, strict=True):
            if key in values:
                lab = f"  lab: {lab_names[key]}" if key in lab_names else ""
                shown = labelled(label, values[key], width, room=room,
                                 style=label_style(phase, key), highlight=key in phase.produces)
                if room and shown[0].cell_len + len(lab) > room:  # the numbers come first
                    shown.append(Text(" " * width + lab.strip(), style="dim"))
                else:
                    shown[0].append(lab, style="dim")
                lines += shown
                if student is not False and key in STUDENT_NAME:
                    lines += student_lines(student, STUDENT_NAME[key], width, room)
                elif student not in (None, False) and not isinstance(student, str) \
                        and key in student.deltas:  # type: ignore[union-attr]
                    lines += delta_lines(student.deltas[key], width, room)
            else:
                lines.append(placeholder(label, width, f"phase {made_by[key]}"))
        return lines


def delta_lines(delta: DerivedDelta, width: int, room: int = 0) -> list[Text]:
    """The student's delta, read back from their gradients (the function does not return it)."""
    label = "  yours"
    if delta.value is None or delta.band == "unknown":
        return []
    mark = (Text(" ✓", style=PALETTE.success) if delta.band == "ok"
            else Text(" ×", style=PALETTE.error))
    mark.append(f" from your {delta.source}", style="dim")
    lines = row_lines(delta.value, room=max(room - width - mark.cell_len, 1) if room else 0)
    out = [Text((label if n == 0 else "").ljust(width), style="italic") + line
           for n, line in enumerate(lines)]
    out[0].append_text(mark)
    return out


def student_lines(comparison: SampleComparison | str | None, name: str, width: int,
                  room: int = 0) -> list[Text]:
    """The student's value under the engine's, marked ✓ or × with the reason."""
    label = "  yours"
    if comparison is None:
        return [placeholder(label, width, "checking…")]
    if isinstance(comparison, str):  # no comparison: the function was stopped
        return [Text(label.ljust(width) + "× stopped", style=PALETTE.error)]
    q: QuantityCheck = comparison.quantities[name]
    if q.band == "ok":
        mark = Text(" ✓", style=PALETTE.success)
    elif q.band == "shape" and q.got is not None:
        mark = Text(f" × shape {q.got.shape}", style=PALETTE.error)
    else:
        mark = Text(f" × {q.band}", style=PALETTE.error)
    if q.got is None:
        reason = q.got_text or (comparison.mismatch.kind if comparison.mismatch else "")
        return [Text(label.ljust(width) + reason, style=PALETTE.error) + mark]
    got = q.got
    if np.size(got) == 1 and name in ("loss",):
        got = float(np.ravel(got)[0])  # a scalar is shown as one, like the engine's L
    lines = row_lines(got, brackets=np.ndim(got) > 0,
                      room=max(room - width - mark.cell_len, 1) if room else 0)
    out = [Text((label if n == 0 else "").ljust(width), style="italic") + line
           for n, line in enumerate(lines)]
    out[0].append_text(mark)
    return out
