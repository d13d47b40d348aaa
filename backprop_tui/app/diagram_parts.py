"""The pieces the network diagram is made of: its numbers, marks, labels and borders.

Split from :mod:`backprop_tui.app.diagram`, which places them; everything here styles
one cell or one line the same way the panels do (colours by sign, what the phase
produced on a gold ground, what it read underlined).
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from ..core.phases import Phase
from .netdraw import Grid
from .render import NOT_YET, PRODUCED, PRODUCED_CELL, READ, fmt, number_format, value_style

MAX_PORTS = 8          # inputs drawn before "+N more"


def label_style(phase: Phase, *keys: str) -> str:
    if any(k in phase.produces for k in keys):
        return PRODUCED
    if any(k in phase.reads for k in keys):
        return READ
    return "bold"


class Values:
    """The numbers the current phase has, with their formats and colour scales."""

    def __init__(self, values: dict[str, object]) -> None:
        self.v = values
        self._spec: dict[str, str] = {}

    def has(self, key: str) -> bool:
        return key in self.v

    def array(self, key: str) -> np.ndarray:
        return np.asarray(self.v[key], dtype=float)

    def cell(self, key: str, index: tuple[int, ...] | int, old: str | None = None,
             produced: bool = False) -> Text:
        """One entry as a coloured 7-character number ("not yet" before it is computed);
        with ``old``, "old→new" in the two arrays' formats; ``produced`` highlights it."""
        if key not in self.v:
            return Text("not yet", style=NOT_YET)
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
                 + (" " + PRODUCED_CELL if produced else ""))
        return t


def edge_style(cell: Text) -> str:
    """An edge takes its port number's colour (not the ground that marks it as new)."""
    style = str(cell.spans[-1].style) if cell.spans else ""
    return style.replace(" " + PRODUCED_CELL, "")


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
