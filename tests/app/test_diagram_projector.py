"""The diagram on a projector and in a big window: edges as thick as their number is
large, the projector theme's colours readable (WCAG ratios), and a large window drawing
a larger diagram (taller boxes spaced out, the crossing spread over the width)."""

from __future__ import annotations

import pytest
from conftest import lab_session
from rich.text import Text

from backprop_tui.app.diagram import draw_net, edge_weight
from backprop_tui.app.netdraw import Grid
from backprop_tui.app.palette import PROJECTOR, Palette, contrast
from backprop_tui.app.render import value_style
from backprop_tui.core.network.phases import PHASE_INDEX


def _rgb(style: str) -> tuple[int, int, int]:
    h = style.split("#")[-1][:6]
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _dots(ch: str) -> int:
    return bin(ord(ch) - 0x2800).count("1") if "\u2800" <= ch <= "\u28ff" else 0


def test_projector_theme_is_readable_on_its_ground() -> None:
    """Text (numbers at their weakest shade, "not yet", muted words) at 4.5, lines 3."""
    p = Palette()
    p.update(PROJECTOR.to_color_system().generate())
    bg = p.background
    assert bg == (255, 255, 255)
    for sign in (1, -1):
        for share in (1e-9, 0.3, 1.0):  # the weakest shade a number or an edge takes
            ratio = contrast(_rgb(p.value(sign * share, 1.0)), bg)
            assert ratio >= 4.5, (sign, share, ratio)
    for text in (p.not_yet, p.muted, p.warning, p.read, p.error, p.success):
        assert contrast(_rgb(text), bg) >= 4.5, text
    assert contrast(_rgb(p.border), bg) >= 3
    # Stronger still means larger: the weakest and the strongest shades differ.
    assert p.value(1e-9, 1.0) != p.value(1.0, 1.0)


def test_contrast_is_wcag() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)


def test_edges_are_one_two_or_three_dots_thick_by_share() -> None:
    assert [edge_weight(m, 0.12) for m in (0.01, 0.05, 0.12)] == [1, 2, 3]
    assert edge_weight(0.3, 0.0) == 1 and edge_weight(float("nan"), 1.0) == 1
    counts = []
    for weight in (1, 2, 3):
        g = Grid(20, 3)
        g.line(0, 5, 39, 6, "x", weight)  # shallow: thicker downwards, then upwards
        counts.append(sum(_dots(ch) for row in g.chars for ch in row))
    assert counts[1] == 2 * counts[0] and counts[2] == 3 * counts[0]
    g = Grid(6, 3)
    g.put(0, 1, "●")
    g.line(0, 5, 9, 6, "x", 3)
    assert g.chars[1][0] == "●"  # never over text, never left of where the line starts


def test_lab_edges_show_their_weight_at_the_initial_weights() -> None:
    """All near 0.1 at the start, the lab's edges still come in three thicknesses: the
    largest W1 edge (x3 → h2, -0.12) is drawn with more dots per cell than the smallest."""
    s = lab_session()
    w1 = s.values["W1"]
    pic = draw_net(s.values, s.net, PHASE_INDEX["z1"], width=110)
    strong = value_style(float(w1[1, 2]), float(abs(w1).max()))
    weak = value_style(float(w1[0, 2]), float(abs(w1).max()))
    per_cell = {}
    for style in (strong, weak):
        cells = [_dots(line.plain[i]) for line in pic.lines
                 for span in line.spans if str(span.style) == style
                 for i in range(span.start, span.end) if _dots(line.plain[i])]
        per_cell[style] = sum(cells) / len(cells)
    assert per_cell[strong] >= 1.5 * per_cell[weak]


def _text(pic) -> list[str]:
    return [t.plain for t in pic.lines]


def test_a_big_window_draws_a_bigger_diagram() -> None:
    """At 200x60 the body offers ~136 x 38: the boxes grow (a blank row between their
    ports) and part, and the crossing takes the width (was 15 rows, 18 columns)."""
    s = lab_session()
    z1 = PHASE_INDEX["z1"]
    small = draw_net(s.values, s.net, z1, width=136, height=14)
    big = draw_net(s.values, s.net, z1, width=136, height=38, spread=True)
    assert len(small.lines) <= 11 < 20 <= len(big.lines) <= 38
    rows = _text(big)
    ports = [y for y, r in enumerate(rows) if "▶" in r[:60]]
    assert len(ports) == 6 and all(b - a >= 2 for a, b in zip(ports, ports[1:], strict=False))
    x1 = next(r for r in rows if r.startswith("x1"))
    first = next(r for r in rows if "▶" in r)
    assert first.index("▶") - x1.index("●") > 30
    # Drawn again in the width it came to, the picture is the same (the body asks so).
    again = draw_net(s.values, s.net, z1, width=big.width, height=38, spread=True)
    assert again.width == big.width and _text(again) == rows


def test_the_lab_at_80x24_keeps_its_compact_picture() -> None:
    s = lab_session()
    pic = draw_net(s.values, s.net, PHASE_INDEX["delta1"], width=76, height=12)
    assert len(pic.lines) <= 11 and pic.width <= 76
    assert isinstance(pic.lines[0], Text) and not pic.collapsed
