"""Numbers as text: a fixed readable format, sign colours, and matrices as blocks.

Everything here turns values the core computed into Rich Text; it computes no
numbers of the network itself. Large arrays are summarised (first rows and
columns, then an ellipsis) so a panel never floods.
"""

from __future__ import annotations

import math

import numpy as np
from rich.text import Text

CELL = 7          # width of one formatted number
MAX_ROWS = 6      # rows of a matrix shown before "…"
MAX_COLS = 5      # columns shown before "…"
GREY = (138, 138, 138)
POSITIVE = (80, 170, 255)   # blue: readable on a projector, apart from orange for colour-blind eyes
NEGATIVE = (255, 140, 50)   # orange


def fmt(v: float) -> str:
    """One number in 7 characters (sign always shown, 4-5 significant digits)."""
    v = float(v)
    if math.isnan(v):
        return "nan".rjust(CELL)
    if math.isinf(v):
        return ("+inf" if v > 0 else "-inf").rjust(CELL)
    a = abs(v)
    if a == 0:
        s = " 0.0000"
    elif 1e-3 <= a < 10:
        s = f"{v:+.4f}"
    elif 10 <= a < 100:
        s = f"{v:+.3f}"
    elif 100 <= a < 1000:
        s = f"{v:+.2f}"
    else:
        s = f"{v:+.1e}".replace("e-0", "e-").replace("e+0", "e+")
    return s.rjust(CELL)


def _blend(t: float, target: tuple[int, int, int]) -> str:
    r, g, b = (round(c0 + (c1 - c0) * t) for c0, c1 in zip(GREY, target, strict=True))
    return f"rgb({r},{g},{b})"


def value_style(v: float, scale: float) -> str:
    """Colour by sign, intensity by magnitude relative to ``scale`` (the array's largest)."""
    if not math.isfinite(v):
        return "bold white on red"
    if v == 0 or scale <= 0:
        return _blend(0.0, POSITIVE)
    t = 0.35 + 0.65 * min(1.0, abs(v) / scale)
    return _blend(t, POSITIVE if v > 0 else NEGATIVE)


def _scale(a: np.ndarray) -> float:
    finite = a[np.isfinite(a)]
    return float(np.max(np.abs(finite))) if finite.size else 0.0


def as_rows(value: object) -> np.ndarray:
    """Any scalar, vector or matrix as a 2-D array of rows (vectors as one row)."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(1, -1)
    return a.reshape(a.shape[0], -1)


def shape_of(value: object) -> str:
    """Shape as numpy prints it, '()' for a plain number."""
    shape = np.shape(value)
    return "(" + ",".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def row_width(cols: int) -> int:
    """Columns a bracketed row of ``cols`` cells takes."""
    return cols * (CELL + 1) + 1


def cols_that_fit(room: int, cols: int) -> int:
    """How many of a row's ``cols`` cells to show in ``room`` columns (0: no limit but
    MAX_COLS); when some must go, room is kept for the "…+N" that says so."""
    if room <= 0:
        return min(cols, MAX_COLS)
    if cols <= MAX_COLS and row_width(cols) <= room:
        return cols
    return max(1, min(MAX_COLS, (room - 1 - 4) // (CELL + 1)))


def row_lines(
    value: object,
    marks: np.ndarray | None = None,
    brackets: bool = True,
    column: bool = False,
    room: int = 0,
) -> list[Text]:
    """A value as lines of coloured cells; ``column`` stands a vector on end.

    ``marks`` (same shape, booleans) underlines changed cells; a row is cut to fit
    ``room`` columns (and MAX_COLS cells), then "…+N" says how many more there are.
    """
    a = as_rows(value)
    m = None if marks is None else np.asarray(marks, dtype=bool).reshape(a.shape)
    if column and a.shape[0] == 1:
        a = a.T
        m = None if m is None else m.T
    scale = _scale(a)
    rows, cols = a.shape
    shown_rows = list(range(min(rows, MAX_ROWS)))
    shown_cols = list(range(cols_that_fit(room, cols)))
    lines = []
    for i in shown_rows:
        t = Text("[" if brackets else "")
        for n, j in enumerate(shown_cols):
            if n:
                t.append(" ")
            style = value_style(a[i, j], scale)
            if m is not None and m[i, j]:
                style += " bold underline"
            t.append(fmt(a[i, j]), style=style)
        if brackets:
            t.append("]")
        if cols > len(shown_cols):
            t.append(f"…+{cols - len(shown_cols)}", style="dim")
        lines.append(t)
    if rows > MAX_ROWS:
        lines.append(Text(f" … {rows - MAX_ROWS} more rows", style="dim"))
    return lines


def labelled(label: str, value: object, width: int, marks: np.ndarray | None = None,
             room: int = 0) -> list[Text]:
    """``label`` left of the value's first line, later lines indented under it.

    ``room`` is the panel's width in columns (0: unknown), so rows are cut to fit.
    """
    lines = row_lines(value, marks, brackets=np.ndim(value) > 0,
                      room=max(room - width, 1) if room else 0)
    out = []
    for n, line in enumerate(lines):
        head = Text(label.ljust(width) if n == 0 else " " * width, style="bold" if n == 0 else "")
        out.append(head + line)
    return out


def placeholder(label: str, width: int, note: str) -> Text:
    """The dim line a quantity shows before its phase has computed it."""
    return Text(label.ljust(width), style="dim bold") + Text(f"·  {note}", style="dim")


def hstack(blocks: list[list[Text] | str], gap: int = 1) -> list[Text]:
    """Set blocks of lines side by side, each vertically centred (for equations)."""
    norm: list[list[Text]] = [[Text(b)] if isinstance(b, str) else b for b in blocks]
    height = max(len(b) for b in norm)
    widths = [max((t.cell_len for t in b), default=0) for b in norm]
    out = [Text() for _ in range(height)]
    for block, w in zip(norm, widths, strict=True):
        top = (height - len(block)) // 2
        for r in range(height):
            k = r - top
            piece = block[k] if 0 <= k < len(block) else Text("")
            out[r].append_text(piece)
            out[r].append(" " * (w - piece.cell_len + gap))
    for line in out:
        line.rstrip()
    return out


def join_lines(lines: list[Text]) -> Text:
    """Lines as one Text that is cropped, never wrapped (a wrapped matrix row misleads)."""
    text = Text("\n").join(lines)
    text.no_wrap = True
    text.overflow = "crop"
    return text
