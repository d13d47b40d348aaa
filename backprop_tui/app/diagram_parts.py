"""The pieces the network diagram is made of: its numbers, marks, labels and borders.

Split from :mod:`backprop_tui.app.diagram`, which places them; everything here styles
one cell or one line the same way the panels do (colours by sign, what the phase
produced reversed or on a grey ground, what it read underlined). A layer's column
(:class:`Column`) says what its boxes hold, read off the phases generated for the
network, so a tanh layer shows tanh'(z) where the lab's sigmoid shows σ'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rich.text import Text

from ..core.network.activations import ACTIVATIONS
from ..core.network.netphases import Net, Phase, slope_name
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


def whole_words(names: str, width: int) -> str:
    """The legend cut after its last whole entry that fits in ``width`` ("…" says so)."""
    if len(names) <= width:
        return names
    parts = names.split("  ")
    while parts and len("  ".join(parts)) + 3 > width:
        parts.pop()
    return "  ".join([*parts, "…"])


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


def noun(n: int, word: str) -> str:
    """The word for ``n`` of them: 'hidden unit', 'hidden units', 'classes'."""
    if n == 1:
        return word
    return f"{word}es" if word.endswith("s") else f"{word}s"


def plural(n: int, word: str) -> str:
    """'1 hidden unit', '3 hidden units', '2 classes'."""
    return f"{n} {noun(n, word)}"


@dataclass(frozen=True)
class Column:
    """One layer l drawn as a column of unit boxes: the ports hold W_l (or dW_l, or old →
    new), the rows the unit's own numbers for the current stage."""

    layer: int
    units: int
    rows: tuple[tuple[str, str], ...]
    title: str                 # over the column: "hidden", "hidden 2", "output"
    names: tuple[str, ...]     # each box's title
    src: str                   # what the ports show now (W2, dW2, W2_new)
    old: str | None            # the old value beside the new on the update, if any
    word: str                  # what a unit is called: "hidden unit", "output", "class"
    where: str = ""            # " of hidden 2" when several hidden layers share the word

    def more(self, n: int) -> str:
        """Units left out, in words: '3 hidden units', '1 unit of hidden 2'."""
        return plural(n, "unit") + self.where if self.where else plural(n, self.word)


def unit_rows(net: Net, layer: int, stage: str) -> tuple[tuple[str, str], ...]:
    """A unit's own numbers as (label, quantity), by stage: b, z, a forward; a, f'(z), δ
    backward (σ' for a sigmoid layer, as the lab writes it); the new b on the update.
    The output's a is y_hat, and several outputs show their target y beside it."""
    arch, depth = net.arch, net.arch.depth
    if stage == "update":
        return (("b", f"b{layer}_new"),)
    if layer < depth:
        if stage == "forward":
            return (("b", f"b{layer}"), ("z", f"z{layer}"), ("a", f"a{layer}"))
        symbol = ACTIVATIONS[arch.layer_activation(layer)].slope_symbol
        return (("a", f"a{layer}"), (symbol, slope_name(arch, layer)), ("δ", f"delta{layer}"))
    y = (("y", "y"),) if arch.n_outputs > 1 or arch.classifies else ()
    if stage == "forward":
        return (("b", f"b{layer}"), ("z", f"z{layer}"), ("y_hat", "y_hat"), *y)
    slope = (("σ'", f"dsig{layer}"),) if f"dsig{layer}" in net.produced_by else ()
    return (("y_hat", "y_hat"), *y, *slope, ("δ", f"delta{layer}"))


_QUANTITY = re.compile(r"(d?W|d?b|z|a|delta|dsig|dact|da)(\d+)(?:_new)?$")


def needs(phase: Phase, depth: int) -> set[tuple[int, bool]]:
    """The layers the phase works on, as (layer, whether its activations drawn as the
    nodes left of the next layer are enough): a narrow diagram keeps these in view."""
    out: set[tuple[int, bool]] = set()
    for name in (*phase.produces, *phase.reads):
        if name == "x":
            out.add((0, True))
        elif name in ("y_hat", "y", "L"):
            out.add((depth, False))
        elif m := _QUANTITY.match(name):
            out.add((int(m[2]), m[1] == "a"))
    return out
