"""A character grid with braille lines: the drawing surface of the network diagram.

Text (node boxes, numbers) goes in crisp cells; the edges between layers are
braille lines (2x4 dots a cell), so any slope can be drawn between the columns of
text. A cell has one colour, so where lines cross the one drawn last wins: the
diagram draws weak edges first and strong or highlighted ones last. No listed
library draws coloured braille lines into a grid shared with styled text, hence
these few lines (Bresenham's algorithm on the dot grid).
"""

from __future__ import annotations

from rich.text import Text

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

    def line(self, x0: int, y0: int, x1: int, y1: int, style: str) -> None:
        """A braille line between two dots (dot x = 2 cell x + 0..1, dot y = 4 cell y + 0..3)."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            self._dot(x0, y0, style)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def _dot(self, x: int, y: int, style: str) -> None:
        cx, cy = x // 2, y // 4
        if not (0 <= cx < self.width and 0 <= cy < self.height):
            return
        if self.chars[cy][cx] != " " and not self._dots[cy][cx]:
            return  # never draw over text
        self._dots[cy][cx] |= _DOT[x % 2][y % 4]
        self.chars[cy][cx] = chr(0x2800 + self._dots[cy][cx])
        self.styles[cy][cx] = style

    def lines(self) -> list[Text]:
        """The grid as styled lines, trailing blanks removed."""
        out = []
        for chars, styles in zip(self.chars, self.styles, strict=True):
            t = Text()
            run, run_style = "", None
            for ch, st in zip(chars, styles, strict=True):
                if st != run_style and run:
                    t.append(run, style=run_style or "")
                    run = ""
                run_style = st
                run += ch
            if run:
                t.append(run, style=run_style or "")
            t.rstrip()
            out.append(t)
        return out


def _styled_chars(text: Text) -> list[tuple[str, str]]:
    """A Rich Text as (piece, style) runs, so a grid can hold its styles cell by cell."""
    plain = text.plain
    styles = [str(text.style or "")] * len(plain)
    for span in text.spans:
        for i in range(span.start, min(span.end, len(plain))):
            styles[i] = (styles[i] + " " + str(span.style)).strip()
    return [(ch, st) for ch, st in zip(plain, styles, strict=True)]
