"""The Equation panel: the current phase's formula, then the same with this sample's numbers.

The numbers are the ones the core computed (``session.values``); this module only
arranges them, so what the class reads here is exactly what the engine did. The
backward phases also say what each quantity means (delta is ∂L/∂z), show σ'(z)
and W2^T delta2 with their numbers, and give one entry of each gradient as a chain
rule, since those are the steps a student cannot see in the matrices alone.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ...core.network import PARAM_NAMES
from ...core.phases import LAB_NAMES, PHASES, Phase
from ...core.session import Session
from ..ask import is_unknown
from ..palette import PALETTE
from ..render import hstack, join_lines, row_lines, scalar_text

Block = list[Text] | str
V = Mapping[str, object]


class Prose(str):
    """Words that explain a row: the first thing dropped when the panel is short."""


class Eq:
    """Builds one phase's rows of blocks; knows the room and what the phase produced."""

    def __init__(self, v: V, phase: Phase, room: int) -> None:
        self.v, self.phase, self.room = v, phase, room

    def col(self, key: str) -> list[Text]:
        """A vector stood on end, as it is written in the math."""
        return row_lines(self.v[key], column=True, room=self.room,
                         highlight=key in self.phase.produces)

    def mat(self, key: str) -> list[Text]:
        return row_lines(self.v[key], room=self.room, highlight=key in self.phase.produces)

    def val(self, key: str) -> list[Text]:
        """A scalar as a plain number, an array in brackets; highlighted if just produced."""
        return row_lines(self.v[key], brackets=np.ndim(self.v[key]) > 0, room=self.room,
                         highlight=key in self.phase.produces)

    def num(self, key: str) -> str:
        return scalar_text(self.v[key])

    def at(self, key: str, index: tuple[int, ...] | int) -> str:
        if is_unknown(self.v[key]):
            return "?"
        return scalar_text(np.asarray(self.v[key], dtype=float)[index])


def _load(e: Eq, row: int) -> list[list[Block]]:
    return [[f"x, y = training row {row}:   x =", e.col("x"), "  y =", e.val("y")]]


def _z1(e: Eq, row: int) -> list[list[Block]]:
    return [["z1 =", e.mat("W1"), e.col("x"), "+", e.col("b1"), "=", e.col("z1")]]


def _a1(e: Eq, row: int) -> list[list[Block]]:
    return [["a1 = σ(", e.col("z1"), ") =", e.col("a1"),
             Prose("   σ(z) = 1 / (1 + e^−z), each entry")]]


def _z2(e: Eq, row: int) -> list[list[Block]]:
    return [["z2 =", e.mat("W2"), e.col("a1"), "+", e.mat("b2"), "=", e.mat("z2")]]


def _y_hat(e: Eq, row: int) -> list[list[Block]]:
    return [["y_hat = σ(", e.mat("z2"), ") =", e.mat("y_hat")]]


def _loss(e: Eq, row: int) -> list[list[Block]]:
    return [[f"L = ½ ({e.num('y_hat')} − {e.num('y')})² =", e.val("L")]]


def _delta2(e: Eq, row: int) -> list[list[Block]]:
    yh, y, ds = e.num("y_hat"), e.num("y"), e.num("dsig2")
    return [[Prose("delta2 is ∂L/∂z2: how fast the loss changes with the output's z2")],
            [f"σ'(z2) = y_hat (1 − y_hat) = {yh} · (1 − {yh}) =", e.mat("dsig2")],
            [f"delta2 = (y_hat − y) · σ'(z2) = ({yh} − {y}) · {ds} =", e.mat("delta2")]]


def _grads2(e: Eq, row: int) -> list[list[Block]]:
    diff = scalar_text(float(np.asarray(e.v["y_hat"]).ravel()[0]) - float(e.v["y"]))  # type: ignore[arg-type]
    return [["dW2 = delta2 a1^T =", e.mat("delta2"), "·", e.mat("a1"), "=", e.mat("dW2"),
             "   db2 = delta2 =", e.mat("db2")],
            ["chain rule: ∂L/∂W2[0,j] = (y_hat − y) · σ'(z2) · a1[j];",
             f"   j = 0: {diff} · {e.num('dsig2')} · {e.at('a1', 0)} = {e.at('dW2', (0, 0))}"]]


def _delta1(e: Eq, row: int) -> list[list[Block]]:
    return [[Prose("delta1 is ∂L/∂z1;  W2^T delta2 = ∂L/∂a1 flows back to each hidden "
                   "output")],
            ["W2^T delta2 =", row_lines(e.v["W2"], column=True, room=e.room), "·",
             e.mat("delta2"), "=", e.col("da1"), "   σ'(z1) = a1 (1 − a1) =", e.col("dsig1")],
            ["delta1 = (W2^T delta2) * σ'(z1) =", e.col("da1"), "*", e.col("dsig1"), "=",
             e.col("delta1"), Prose("   (* multiplies entry by entry)")]]


def _grads1(e: Eq, row: int) -> list[list[Block]]:
    return [["dW1 = delta1 x^T =", e.col("delta1"), e.mat("x"), "=", e.mat("dW1"),
             "   db1 = delta1 =", e.col("db1")],
            ["chain rule: ∂L/∂W1[i,j] = delta1[i] · x[j];",
             f"   [0,0]: {e.at('delta1', 0)} · {e.at('x', 0)} = {e.at('dW1', (0, 0))}"]]


def _update(e: Eq, row: int) -> list[list[Block]]:
    eta = f"{float(e.v['lr']):g}"  # type: ignore[arg-type]
    return [[f"{n:<3}", e.mat(n), f"− {eta} ·", e.mat("d" + n), "=", e.mat(n + "_new")]
            for n in PARAM_NAMES]


WITH_NUMBERS: dict[str, Callable[[Eq, int], list[list[Block]]]] = {
    "load": _load, "z1": _z1, "a1": _a1, "z2": _z2, "y_hat": _y_hat, "L": _loss,
    "delta2": _delta2, "dW2": _grads2, "delta1": _delta1, "dW1": _grads1, "update": _update,
}


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


def header(phase: Phase, k: int) -> Text:
    """"phase k/11 title:  formula", the names it produces highlighted, the lab's names."""
    t = Text.assemble((f"{k + 1}/{len(PHASES)} {phase.title}:  ", "dim"), (phase.formula, "bold"))
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
    lab = [f"lab: {LAB_NAMES[ours]}" for ours in phase.produces if ours in LAB_NAMES]
    if lab:
        t.append("   (" + ", ".join(lab) + ")", style="dim")
    return t


def _laid_out(phase: Phase, k: int, rows: list[list[Block]], width: int) -> list[Text]:
    lines = [header(phase, k)]
    for row in rows:
        for part in fit(row, width):
            lines += part
    return lines


class EquationPanel(Static):
    """Formula of the current phase, symbolically and with the numbers put in."""

    max_lines = 0  # set by the layout: at most this many lines (0: no limit)

    def lines(self, session: Session, width: int, max_lines: int = 0) -> list[Text]:
        """What the panel shows at ``width`` columns of content (the layout measures it);
        beyond ``max_lines``, the explaining prose goes first, the numbers never."""
        k = session.cursor.phase
        phase = PHASES[k]
        e = Eq(session.values, phase, max(width - 12, 1) if width else 0)
        rows = WITH_NUMBERS[phase.key](e, session.row)
        lines = _laid_out(phase, k, rows, width)
        if max_lines and len(lines) > max_lines:
            bare = [[b for b in row if not isinstance(b, Prose)] for row in rows]
            lines = _laid_out(phase, k, [row for row in bare if row], width)
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
