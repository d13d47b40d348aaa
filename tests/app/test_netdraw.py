"""The diagram's braille lines: drawn from each line's kept path, exactly as a dot-by-dot
Bresenham draws them (the reference below), whatever the ends, the text already in the
grid and the order of the lines."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from backprop_tui.app.netdraw import Grid

DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


def reference_line(g: Grid, x0: int, y0: int, x1: int, y1: int, style: str) -> None:
    """One dot at a time, never over text: the algorithm the grid's paths must agree with."""
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        cx, cy = x0 // 2, y0 // 4
        if (0 <= cx < g.width and 0 <= cy < g.height
                and not (g.chars[cy][cx] != " " and not g._dots[cy][cx])):
            g._dots[cy][cx] |= DOT[x0 % 2][y0 % 4]
            g.chars[cy][cx] = chr(0x2800 + g._dots[cy][cx])
            g.styles[cy][cx] = style
        if x0 == x1 and y0 == y1:
            return
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


def cells(line: Text) -> list[tuple[str, str]]:
    """Each character with the style it is shown in (however the spans are cut)."""
    styles = [""] * len(line.plain)
    for span in line.spans:
        for i in range(span.start, span.end):
            styles[i] = (styles[i] + " " + str(span.style)).strip()
    return list(zip(line.plain, styles, strict=True))


coord = st.integers(-6, 60)
draw = st.one_of(
    st.tuples(st.just("line"), coord, coord, coord, coord, st.sampled_from(["", "red", "b"])),
    st.tuples(st.just("put"), st.integers(-3, 30), st.integers(-2, 16),
              st.sampled_from(["ab", "x1 ●", "  ", "▶+0.5"]), st.sampled_from(["", "dim"])),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 30), st.integers(1, 15), st.lists(draw, max_size=20))
def test_lines_match_dot_by_dot(width: int, height: int, steps: list[tuple]) -> None:
    fast, slow = Grid(width, height), Grid(width, height)
    for step in steps:
        if step[0] == "line":
            fast.line(*step[1:])
            reference_line(slow, *step[1:])
        else:
            fast.put(*step[1:])
            slow.put(*step[1:])
    assert fast.chars == slow.chars
    assert fast.styles == slow.styles
    assert [cells(t) for t in fast.lines()] == [cells(t) for t in slow.lines()]


def test_lines_keep_styles_as_runs() -> None:
    g = Grid(6, 1)
    g.put(0, 0, "ab", "red")
    g.put(2, 0, "cd")
    g.put(4, 0, "e ", "red")
    (line,) = g.lines()
    assert line.plain == "abcde"  # the trailing blank is dropped
    assert [(s.start, s.end, s.style) for s in line.spans] == [(0, 2, "red"), (4, 5, "red")]
