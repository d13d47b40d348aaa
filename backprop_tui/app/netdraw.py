"""A character grid with braille lines: the drawing surface of the network diagram.

Text (node boxes, numbers) goes in crisp cells; the edges between layers are
braille lines (2x4 dots a cell), so any slope can be drawn between the columns of
text. A cell has one colour, so where lines cross the one drawn last wins: the
diagram draws weak edges first and strong or highlighted ones last. No listed
library draws coloured braille lines into a grid shared with styled text, hence
these few lines (Bresenham's algorithm on the dot grid, each line's path kept).
"""

from __future__ import annotations

import functools

from rich.text import Span, Text

# Bit of each dot (column 0-1, row 0-3) in a braille character, U+2800 + bits.
_DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


class Grid:
    """``width`` x ``height`` cells of (character, style); lines are drawn in dot units."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles: list[list[str]] = [[""] * width for _ in range(height)]
        self._dots = [[0] * width for _ in range(height)]

    def put(self, x: int, y: int, text: str | Text, style: str = "") -> int:
        """Write ``text`` from cell (x, y) on, clipped at the edge; returns the x after it."""
        if isinstance(text, Text):
            for span_text, span_style in _styled_chars(text):
                x = self.put(x, y, span_text, span_style or style)
            return x
        if not 0 <= y < self.height:
            return x + len(text)
        for ch in text:
            if 0 <= x < self.width:
                self.chars[y][x] = ch
                self.styles[y][x] = style
                self._dots[y][x] = 0
            x += 1
        return x

    def line(self, x0: int, y0: int, x1: int, y1: int, style: str, weight: int = 1) -> None:
        """A braille line between two dots (dot x = 2 cell x + 0..1, dot y = 4 cell y + 0..3),
        ``weight`` (1-3) dots thick: a 1-dot line is all a projector's blur leaves of a
        braille dot, so a larger number is drawn thicker, not only in a stronger colour.
        The extra dots sit beside the line (below, then above; right, then left when steep),
        never in a column of cells the line itself does not cross (a node's dot, a port)."""
        steep = abs(y1 - y0) > abs(x1 - x0)
        lo, hi = max(0, min(x0, x1) // 2), min(self.width - 1, max(x0, x1) // 2)
        for d in (0, 1, -1)[: max(1, min(weight, 3))]:
            dx, dy = (d, 0) if steep else (0, d)
            self._line(x0 + dx, y0 + dy, x1 + dx, y1 + dy, style, lo, hi)

    def _line(self, x0: int, y0: int, x1: int, y1: int, style: str, lo: int, hi: int) -> None:
        chars, styles, dots = self.chars, self.styles, self._dots
        for cx, cy, bits in _path(x0, y0, x1, y1):
            if not (lo <= cx <= hi and 0 <= cy < self.height):
                continue
            row = dots[cy]
            if chars[cy][cx] != " " and not row[cx]:
                continue  # never draw over text
            row[cx] |= bits
            chars[cy][cx] = chr(0x2800 + row[cx])
            styles[cy][cx] = style

    def lines(self) -> list[Text]:
        """The grid as styled lines, trailing blanks removed (one span per run of a style:
        built directly, as Text.append per run costs most of a large diagram's time)."""
        out = []
        for chars, styles in zip(self.chars, self.styles, strict=True):
            plain = "".join(chars).rstrip()
            spans, start = [], 0
            for i in range(1, len(plain) + 1):
                if i == len(plain) or styles[i] != styles[start]:
                    if styles[start]:
                        spans.append(Span(start, i, styles[start]))
                    start = i
            out.append(Text(plain, spans=spans))
        return out


@functools.lru_cache(maxsize=8192)
def _path(x0: int, y0: int, x1: int, y1: int) -> tuple[tuple[int, int, int], ...]:
    """The cells a line crosses, in order, each with the dots it sets there (Bresenham's
    algorithm on the dot grid). Kept per pair of ends: a diagram redraws the same edges
    at every key (a 32-unit layer has 128), and only their colours change. A line is
    monotone, so it leaves a cell for good: its dots in a cell are merged into one entry."""
    cells: list[tuple[int, int, int]] = []
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        cx, cy, bit = x0 // 2, y0 // 4, _DOT[x0 % 2][y0 % 4]
        if cells and cells[-1][0] == cx and cells[-1][1] == cy:
            cells[-1] = (cx, cy, cells[-1][2] | bit)
        else:
            cells.append((cx, cy, bit))
        if x0 == x1 and y0 == y1:
            return tuple(cells)
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


def _styled_chars(text: Text) -> list[tuple[str, str]]:
    """A Rich Text as (piece, style) runs, so a grid can hold its styles cell by cell."""
    plain = text.plain
    styles = [str(text.style or "")] * len(plain)
    for span in text.spans:
        for i in range(span.start, min(span.end, len(plain))):
            styles[i] = (styles[i] + " " + str(span.style)).strip()
    return [(ch, st) for ch, st in zip(plain, styles, strict=True)]
