"""The pieces the network diagram is made of: its numbers, marks, labels and borders.

Split from :mod:`backprop_tui.app.diagram`, which places them; everything here styles
one cell or one line the same way the panels do (colours by sign, what the phase
produced reversed or on a grey ground, what it read underlined).
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from ..core.phases import Phase
from .ask import is_unknown
from .netdraw import Grid
from .palette import PALETTE
from .render import ASKED, fmt, number_format, value_style

MAX_PORTS = 8          # inputs drawn before "+N more"


def label_style(phase: Phase, *keys: str) -> str:
    if any(k in phase.produces for k in keys):
        return PALETTE.produced
    if any(k in phase.reads for k in keys):
        return PALETTE.read
    return "bold"


class Values:
    """The numbers the current phase has, with their formats and colour scales."""

    def __init__(self, values: dict[str, object]) -> None:
        self.v = values
        self._spec: dict[str, str] = {}

    def has(self, key: str) -> bool:
        return key in self.v

    def array(self, key: str) -> np.ndarray:
        """The numbers of ``key`` (zeros while ask mode hides them: edges drawn alike)."""
        if is_unknown(self.v[key]):
            return np.zeros(np.shape(self.v[key]))
        return np.asarray(self.v[key], dtype=float)

    def cell(self, key: str, index: tuple[int, ...] | int, old: str | None = None,
             produced: bool = False) -> Text:
        """One entry as a coloured 7-character number ("not yet" before it is computed);
        with ``old``, "old→new" in the two arrays' formats; ``produced`` highlights it."""
        if key not in self.v:
            return Text("not yet", style=PALETTE.not_yet)
        if is_unknown(self.v[key]):
            return Text(ASKED, style=PALETTE.asked)
        a = self.array(key)
        value = float(a[index]) if a.ndim else float(a)
        spec = self._spec.setdefault(key, number_format(a))
        scale = float(np.max(np.abs(a[np.isfinite(a)]), initial=0.0))
        t = Text()
        if old is not None:
            o = self.array(old)
            ov = float(o[index]) if o.ndim else float(o)
            ospec = self._spec.setdefault(old, number_format(o))
            t.append(fmt(ov, ospec), style=value_style(ov, scale))
            t.append("→", style="dim")
        t.append(fmt(value, spec), style=value_style(value, scale)
                 + (" " + PALETTE.produced_cell if produced else ""))
        return t


def edge_style(cell: Text) -> str:
    """An edge takes its port number's colour (not the ground that marks it as new)."""
    if cell.plain.strip() == "?":
        return PALETTE.muted  # ask mode: neither the sign nor the size is given away
    style = str(cell.spans[-1].style) if cell.spans else ""
    return style.replace(" " + PALETTE.produced_cell, "")


def port_title(src: str, old: str | None) -> str:
    if src.endswith("_new"):
        return f"{src[:-4]} old→new" if old else f"{src[:-4]} new"
    return src


def box_top(g: Grid, x: int, y: int, width: int, name: str, style: str, first: bool) -> None:
    left, right = ("╭", "╮") if first else ("├", "┤")
    g.put(x, y, left + "─" + f" {name} " + "─" * (width - len(name) - 5) + right, style)


def legend(input_names: tuple[str, ...], target_name: str, n_inputs: int) -> str:
    """Column names of the dataset, when it has its own (x1..xd are the diagram's)."""
    generic = tuple(f"x{j + 1}" for j in range(n_inputs))
    if not input_names or tuple(input_names) == generic:
        return ""
    parts = [f"x{j + 1} {name}" for j, name in enumerate(input_names[:MAX_PORTS])]
    return "  ".join(parts) + f"  y {target_name}"


def box_row(g: Grid, x: int, x_end: int, x_q: int, y: int, style: str) -> None:
    """One row of a unit's box: its sides, and the dotted line between ports and numbers."""
    g.put(x, y, "│", style)
    g.put(x_end - 1, y, "│", style)
    g.put(x_q - 2, y, "┊", "dim")


def port(g: Grid, x: int, y: int, cell: Text, arrow: str) -> str:
    """A port: the arrow (in the edge's colour) and its number; returns the edge's style."""
    style = edge_style(cell)
    g.put(x, y, arrow, style)
    g.put(x + 1, y, cell)
    return style


def quantity(g: Grid, x: int, label_width: int, y: int, row: tuple[str, str], unit: int,
             vals: Values, phase: Phase, old: dict[str, str]) -> None:
    """One of a unit's own numbers (b, z, a, σ', δ), its label marked like the panels'."""
    label, key = row
    g.put(x, y, label, label_style(phase, key))
    g.put(x + label_width + 1, y, vals.cell(key, unit, old.get(key), key in phase.produces))
