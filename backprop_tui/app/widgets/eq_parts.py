"""The pieces the Equation panel's rows are made of: blocks of text and of numbers.

A row is a list of blocks set side by side (:func:`..render.hstack`): words (str),
and values the core computed, drawn as matrices, columns or plain numbers. Words
that only explain are :class:`Prose`, dropped first when the panel is short; a
long sentence is several str blocks (:func:`words`), so the layout can break it
where a line would run past the edge instead of cropping it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from rich.text import Text

from ...core.network.arch import Architecture
from ...core.network.netphases import Phase
from ..ask import is_unknown
from ..render import row_lines, scalar_text

Block = list[Text] | str
Row = list[Block]
V = Mapping[str, object]


class Prose(str):
    """Words that explain a row: the first thing dropped when the panel is short."""


def words(text: str, size: int = 36, prose: bool = False) -> list[Block]:
    """``text`` as str blocks of about ``size`` characters, cut at spaces: set side by side
    they read as the sentence, and a narrow panel wraps it between them."""
    kind = Prose if prose else str
    out: list[Block] = []
    lead = text[: len(text) - len(text.lstrip(" "))]  # an indent stays with the first
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > size:
            out.append(kind(current))
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(kind(current))
    if out:
        out[0] = kind(lead + out[0])
    return out


def src_name(arch: Architecture, layer: int) -> str:
    """What layer ``layer`` reads: x for the first, a(l−1) after."""
    return "x" if layer == 1 else f"a{layer - 1}"


def dst_name(arch: Architecture, layer: int) -> str:
    """What layer ``layer`` outputs: y_hat for the last, a_l before."""
    return "y_hat" if layer == arch.depth else f"a{layer}"


class Eq:
    """Builds one phase's rows of blocks; knows the room, the network and what the
    phase produced. ``tight``: the short form, for a deep network on a small screen."""

    def __init__(self, v: V, phase: Phase, room: int, arch: Architecture,
                 classes: tuple[str, ...] = (), tight: bool = False) -> None:
        self.v, self.phase, self.room = v, phase, room
        self.arch, self.classes, self.tight = arch, classes, tight

    def col(self, key: str) -> list[Text]:
        """A vector stood on end, as it is written in the math."""
        return row_lines(self.v[key], column=True, room=self.room,
                         highlight=key in self.phase.produces)

    def mat(self, key: str) -> list[Text]:
        return row_lines(self.v[key], room=self.room, highlight=key in self.phase.produces)

    def transposed(self, key: str) -> list[Text]:
        """W^T, for the error flowing back along a layer's weights."""
        return row_lines(np.transpose(np.asarray(self.v[key])), room=self.room)

    def val(self, key: str) -> list[Text]:
        """A scalar as a plain number, an array in brackets; highlighted if just produced."""
        return row_lines(self.v[key], brackets=np.ndim(self.v[key]) > 0, room=self.room,
                         highlight=key in self.phase.produces)

    def vec(self, key: str) -> list[Text]:
        """A vector as a column, a number as a number (y is either)."""
        return self.col(key) if np.ndim(self.v[key]) else self.val(key)

    def num(self, key: str) -> str:
        return scalar_text(self.v[key])

    def at(self, key: str, index: tuple[int, ...] | int) -> str:
        if is_unknown(self.v[key]):
            return "?"
        return scalar_text(np.asarray(self.v[key], dtype=float)[index])

    def true_class(self) -> tuple[int, str]:
        """The labelled class of a one-hot y, by index and name ('' when not known)."""
        c = int(np.argmax(np.asarray(self.v["y"], dtype=float)))
        return c, self.classes[c] if c < len(self.classes) else ""
