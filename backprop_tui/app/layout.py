"""Where the panels go, from the widths their content measures (not from fixed breakpoints).

The body is a grid. When the diagram and the Parameters fit side by side they share
the first row; otherwise the diagram spans the width and the Parameters move below
the numbers, so the equation stays right under the picture (on screen at 80x24).
Forward and Backward go side by side when both fit; the plot goes beside them when
there is room left over for one, else under them.
"""

from __future__ import annotations

from dataclasses import dataclass

PANEL_CHROME = 3    # a panel's border (2) and left padding (1)
PLOT_MIN_WIDTH = 44  # narrower than this, plotext's axes crowd out the curve
PLOT_MIN_HEIGHT = 10


@dataclass(frozen=True)
class Arrangement:
    """The grid's columns, the order of the body's children, and how the numbers sit."""

    columns: tuple[str, ...]
    order: tuple[str, ...]          # ids of the body's children, top to bottom
    numbers_across: bool            # Forward and Backward side by side
    plot_beside: bool               # the plot right of the numbers, not under them
    numbers_width: int

    @property
    def two_columns(self) -> bool:
        return len(self.columns) == 2


def arrange(width: int, natural: dict[str, int]) -> Arrangement:
    """The arrangement for a body ``width`` columns wide; ``natural`` holds the widths
    (chrome included) of "network", "params", "forward" and "backward"."""
    side = natural["network"] + natural["params"] <= width
    across = natural["forward"] + natural["backward"] <= width
    numbers = (natural["forward"] + natural["backward"] if across
               else max(natural["forward"], natural["backward"]))
    beside = numbers + PLOT_MIN_WIDTH <= width
    if side:
        return Arrangement((str(natural["network"]), "1fr"),
                           ("network", "params", "equation", "values"), across, beside,
                           numbers)
    return Arrangement(("1fr",), ("network", "equation", "values", "params"), across, beside,
                       numbers)
