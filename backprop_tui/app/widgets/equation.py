"""The Equation panel: the current phase's formula, then the same with this sample's numbers.

The numbers are the ones the core computed (``session.values``); this module only
arranges them, so what the class reads here is exactly what the engine did.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ...core.network import PARAM_NAMES
from ...core.session import Session
from ..render import MAX_COLS, fmt, hstack, join_lines, row_lines, row_width

Block = list[Text] | str
V = Mapping[str, object]


class Fit:
    """The width one matrix of an equation may take, from the panel's width; ``stacked``
    when three matrices side by side would not fit (80 columns): one per line instead."""

    room = 0
    stacked = False


def col(v: V, key: str) -> list[Text]:
    """A vector stood on end, as it is written in the math."""
    return row_lines(v[key], column=True, room=Fit.room)


def mat(v: V, key: str) -> list[Text]:
    return row_lines(v[key], room=Fit.room)


def num(v: V, key: str) -> str:
    value = float(v[key] if key != "y_hat" else v[key][0])  # type: ignore[index]
    return fmt(value).strip().lstrip("+")


def _load(v: V) -> list[list[Block]]:
    return [["x =", col(v, "x"), "   y =", num(v, "y")]]


def _z1(v: V) -> list[list[Block]]:
    return [["z1 =", mat(v, "W1"), col(v, "x"), "+", col(v, "b1"), "=", col(v, "z1")]]


def _a1(v: V) -> list[list[Block]]:
    return [["a1 = σ(", col(v, "z1"), ") =", col(v, "a1")]]


def _z2(v: V) -> list[list[Block]]:
    return [["z2 =", mat(v, "W2"), col(v, "a1"), "+", mat(v, "b2"), "=", mat(v, "z2")]]


def _y_hat(v: V) -> list[list[Block]]:
    return [["y_hat = σ(", mat(v, "z2"), ") =", mat(v, "y_hat")]]


def _loss(v: V) -> list[list[Block]]:
    return [[f"L = ½ ({num(v, 'y_hat')} − {num(v, 'y')})² = {fmt(v['L']).strip()}"]]  # type: ignore[arg-type]


def _delta2(v: V) -> list[list[Block]]:
    return [[f"delta2 = ({num(v, 'y_hat')} − {num(v, 'y')}) ·", mat(v, "dsig2"), "=",
             mat(v, "delta2")],
            ["   where σ'(z2) = y_hat (1 − y_hat)"]]


def _grads2(v: V) -> list[list[Block]]:
    return [["dW2 =", mat(v, "delta2"), mat(v, "a1"), "=", mat(v, "dW2")],
            ["db2 =", mat(v, "db2")]]


def _delta1(v: V) -> list[list[Block]]:
    w2_column = row_lines(v["W2"], column=True, room=Fit.room)
    return [["delta1 = (", w2_column, mat(v, "delta2"), ") *", col(v, "dsig1"), "=",
             col(v, "delta1")]]


def _grads1(v: V) -> list[list[Block]]:
    return [["dW1 =", col(v, "delta1"), mat(v, "x"), "=", mat(v, "dW1"), "   db1 =",
             col(v, "db1")]]


def _update(v: V) -> list[list[Block]]:
    eta = f"{float(v['lr']):g}"  # type: ignore[arg-type]
    if Fit.stacked:
        rows: list[list[Block]] = []
        for n in PARAM_NAMES:
            rows += [[f"{n:<3}", mat(v, n)], [f"  − {eta} ·", mat(v, "d" + n)],
                     ["  =", mat(v, n + "_new")]]
        return rows
    return [[f"{n:<3}", mat(v, n), f"− {eta} ·", mat(v, "d" + n), "=", mat(v, n + "_new")]
            for n in PARAM_NAMES]


WITH_NUMBERS: dict[str, Callable[[V], list[list[Block]]]] = {
    "load": _load, "z1": _z1, "a1": _a1, "z2": _z2, "y_hat": _y_hat, "L": _loss,
    "delta2": _delta2, "dW2": _grads2, "delta1": _delta1, "dW1": _grads1, "update": _update,
}


class EquationPanel(Static):
    """Formula of the current phase, symbolically and with the numbers put in."""

    def show(self, session: Session, note: str | None = None) -> None:
        phase = session.phase
        # The widest line is the update: three matrices side by side, plus operators.
        width = self.content_size.width
        widest = max(np.shape(session.params.W1)[1], session.params.n_hidden)
        Fit.stacked = 0 < width < 3 * row_width(min(widest, MAX_COLS)) + 16
        Fit.room = width - 12 if Fit.stacked else max((width - 16) // 3, 1)
        lines = [Text.assemble((f"{phase.title}:  ", "dim"), (phase.formula, "bold"))]
        for row in WITH_NUMBERS[phase.key](session.values):
            lines += hstack(row)
        text = join_lines(lines)
        if note is not None:
            # The note is prose: it wraps to the panel, unlike the aligned matrices above.
            width = max(self.size.width - 3, 30)
            for paragraph in note.split("\n"):
                for chunk in textwrap.wrap(paragraph, width) or [""]:
                    text.append("\n")
                    text.append(chunk, style="red")
        self.update(text)
