"""Curves drawn in braille dots over a plotext frame, each cell knowing its series.

plotext draws its frame, ticks and labels well, but its curves lose data: a cell has
one colour, so where two series share a cell the last one drawn hides the other, and
its half-block marker (2 rows a cell) turns a slow decline into flat runs that read as
plateaus. Here plotext draws the frame (its curves in blanks), and the curves are put
on its canvas as braille (2x4 dots a cell, lines joined between points); a cell both
series reach shows :data:`BOTH`, so neither vanishes, and the legend says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.text import Text

BOTH = "×"  # a cell two series share
# Bits of a braille cell's dots, [column][row from the top] (Unicode's dot numbering).
_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_BIT_OF = np.array(_BITS, dtype=np.uint8)


@dataclass(frozen=True)
class Canvas:
    """Where plotext's canvas lies in its picture, and the data range it spans.

    ``cols`` count from the left, ``rows`` from the bottom (plotext's own counting)."""

    cols: range
    rows: range
    xlim: tuple[float, float]
    ylim: tuple[float, float]


def dots(xs: Sequence[float], ys: Sequence[float], c: Canvas) -> dict[tuple[int, int], int]:
    """The cells a curve through these points reaches, as {(col, row from bottom): bits}:
    each point on its nearest dot, consecutive points joined by a line of dots."""
    w, h = 2 * len(c.cols), 4 * len(c.rows)
    if w == 0 or h == 0 or len(xs) == 0:
        return {}
    sx = (w - 1) / ((c.xlim[1] - c.xlim[0]) or 1.0)
    sy = (h - 1) / ((c.ylim[1] - c.ylim[0]) or 1.0)
    px = np.rint((np.asarray(xs, float) - c.xlim[0]) * sx)
    py = np.rint((np.asarray(ys, float) - c.ylim[0]) * sy)
    if len(px) > 1:  # every dot between two points: as many steps as the longer side
        steps = np.maximum(np.abs(np.diff(px)), np.abs(np.diff(py))).astype(int) + 1
        start = np.repeat(np.arange(len(px) - 1), steps)
        first = np.repeat(np.cumsum(steps) - steps, steps)  # each segment's first step
        t = (np.arange(len(start)) - first) / steps[start]
        px = np.append(px[start] + t * np.diff(px)[start], px[-1])
        py = np.append(py[start] + t * np.diff(py)[start], py[-1])
        px, py = np.rint(px), np.rint(py)
    keep = (px >= 0) & (px < w) & (py >= 0) & (py < h)
    if len(px) == 1 and keep[0]:  # a lone point (one epoch): a whole cell, or none sees it
        return {(c.cols.start + int(px[0]) // 2, c.rows.start + int(py[0]) // 4): 0xFF}
    x, y = px[keep].astype(int), py[keep].astype(int)
    grid = np.zeros((len(c.cols), len(c.rows)), dtype=np.uint8)  # numpy: a noisy curve
    np.bitwise_or.at(grid, (x // 2, y // 4), _BIT_OF[x % 2, 3 - y % 4])  # is ~20k dots
    return {(c.cols.start + int(i), c.rows.start + int(j)): int(grid[i, j])
            for i, j in zip(*np.nonzero(grid), strict=True)}


def overlay(lines: list[Text], curves: Sequence[tuple[dict[tuple[int, int], int], str]],
            both_style: str) -> list[Text]:
    """These lines with each curve's cells drawn in its style (``curves``: cells from
    :func:`dots` and a Rich style); a cell two curves reach shows :data:`BOTH`."""
    chars: dict[tuple[int, int], tuple[str, str]] = {}
    for cells, style in curves:
        for key, bits in cells.items():
            chars[key] = (BOTH, both_style) if key in chars else (chr(0x2800 + bits), style)
    out = list(lines)
    by_row: dict[int, list[tuple[int, str, str]]] = {}
    for (col, row), (char, style) in chars.items():
        by_row.setdefault(len(lines) - 1 - row, []).append((col, char, style))
    for y, cells_ in by_row.items():
        if not 0 <= y < len(out):
            continue
        line = out[y].copy()
        plain = list(line.plain.ljust(max(col for col, _, _ in cells_) + 1))
        for col, char, _ in cells_:
            plain[col] = char
        line.plain = "".join(plain)
        run: tuple[int, int, str] | None = None  # a noisy curve fills whole rows: one
        for col, _, style in sorted(cells_):    # stylize a run of cells, not each cell
            if run is not None and run[1] == col and run[2] == style:
                run = (run[0], col + 1, style)
                continue
            if run is not None:
                line.stylize(run[2], run[0], run[1])
            run = (col, col + 1, style)
        if run is not None:
            line.stylize(run[2], run[0], run[1])
        out[y] = line
    return out
