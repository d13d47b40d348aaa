"""The network as a picture: inputs, every layer's units and the output, every edge drawn.

Each unit of layer l is a box whose left side has one port per unit of the layer
before: the number at port j of box i is W_l[i, j], the weight on the edge from
unit j into unit i (row i of W_l is the unit's weight vector, as the lab writes
it). For the lab (3-2-1) that is W1 at the hidden boxes and W2[0, i] at the
output's. In the backward phases a port holds the gradient dW instead once it is
computed, and the arrows turn round; on the update phase, the new value (old → new
when there is room). Edges are coloured by the sign of their port's number,
stronger for larger magnitudes. What the current phase produced is highlighted and
what it read is underlined, exactly as in the panels: both read the same phase
data, the phases generated for the network (:mod:`backprop_tui.core.network.netphases`).

Everything here is a pure function of the session's state and a size, so tests
can draw it without a terminal. :mod:`.diagram_layout` decides what goes where.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from rich.text import Text

from ..core.network.netphases import Net, Phase
from ..core.network.phases import lab_net
from .diagram_layout import (
    CHOICES,
    Placement,
    Shape,
    make_columns,
    place,
    roomier,
    shape_for,
    windows,
)
from .diagram_parts import (
    MAX_PORTS,
    Column,
    Values,
    box_row,
    box_top,
    label_style,
    legend,
    noun,
    plural,
    port,
    port_title,
    quantity,
    whole_words,
)
from .netdraw import Grid
from .palette import PALETTE
from .render import CELL

ARROW = {"forward": "▶", "backward": "◀", "update": "▶"}


@dataclass(frozen=True)
class Picture:
    """The drawn lines and the width they need (the layout sizes the panel by it)."""

    lines: list[Text]
    width: int
    collapsed: str = ""    # what was left out, said in words ("" when all is drawn)
    ports: str = ""        # what the ports hold ("W1, W2", "dW1, dW2", "W1 new, W2 new")
    more_units: int = 0    # units left out for want of height
    layers_cut: int = 0    # layers not drawn as boxes for want of width (deep networks)


@dataclass(frozen=True)
class Nodes:
    """The column left of the first boxes: the inputs x, or a hidden layer's activations."""

    key: str       # "x" or "a2"
    prefix: str    # "x" or "h": node j is called prefix + (j + 1)
    first: int     # the first layer drawn as boxes
    vector: bool   # the target is a vector (shown in the output boxes, not beside them)


def draw_network(values: dict[str, object], phase_index: int, n_inputs: int, n_hidden: int,
                 input_names: tuple[str, ...] = (), target_name: str = "y",
                 width: int = 0, height: int = 0, spread: bool = False) -> Picture:
    """The lab-shaped network's diagram (n inputs, H sigmoid hidden units, one output)."""
    return draw_net(values, lab_net(n_inputs, n_hidden), phase_index, input_names,
                    target_name, (), width, height, spread)


def draw_net(values: Mapping[str, object], net: Net, phase_index: int,
             input_names: tuple[str, ...] = (), target_name: str = "y",
             classes: tuple[str, ...] = (), width: int = 0, height: int = 0,
             spread: bool = False) -> Picture:
    """The diagram for the current phase in at most ``width`` x ``height`` cells (0: no
    limit); with ``spread``, spare height spaces the units apart.

    The whole network with the most generous spacing that fits; else, for a network
    too wide, the layers the phase works on; else the narrowest picture of all. The
    lab's network is always drawn whole and counts its rows as it always has."""
    phase, arch = net.phases[phase_index], net.arch
    lab, vals = arch.is_lab, Values(dict(values))
    columns = make_columns(net, phase, values, classes)
    vector = arch.n_outputs > 1 or arch.classifies
    best: tuple[int, Shape, Placement, Nodes, str] | None = None
    for first, last in windows(phase, arch.depth, lab):
        nodes = Nodes("x" if first == 1 else f"a{first - 1}", "x" if first == 1 else "h",
                      first, vector)
        n_nodes = arch.sizes[first - 1]
        names = legend(input_names, target_name, n_nodes) if first == 1 else ""
        labels_in = max(len(f"{nodes.prefix}{j + 1}") for j in range(min(n_nodes, MAX_PORTS)))
        shapes: dict[int, Shape] = {}
        for choice in CHOICES:
            # The rows the loss (and a single target) take under the output when narrow.
            below = 0 if lab or choice[3] or last < arch.depth else 2 - vector
            if below not in shapes:
                shapes[below] = shape_for(columns[first - 1:last], n_nodes,
                                          int(bool(names)), height, spread, below, not lab)
            shape = shapes[below]
            words = names if shape.legend else ""
            pl = place(shape, phase.stage, labels_in, choice, last == arch.depth)
            if not width or pl.total <= width:
                if width > pl.total:  # room to spare: the edges cross over all of it
                    pl = place(shape, phase.stage, labels_in,
                               roomier(choice, width - pl.total, len(shape.columns)),
                               last == arch.depth)
                return _draw(vals, phase, shape, pl, nodes, words, arch.depth, lab)
            if best is None or pl.total < best[0]:
                best = (pl.total, shape, pl, nodes, words)
    assert best is not None  # every network has a window and CHOICES is not empty
    _, shape, pl, nodes, words = best
    return _draw(vals, phase, shape, pl, nodes, words, arch.depth, lab)


def _draw(vals: Values, phase: Phase, shape: Shape, pl: Placement, nodes: Nodes,
          names: str, depth: int, lab: bool) -> Picture:
    """Draw the plan: header, nodes, each column of boxes, the loss, edges, the names."""
    cols, shown, top = shape.columns, shape.shown, int(shape.header)
    gap = 2 * shape.gap  # blank rows between two boxes (0: they share a border)
    ks = shape.ks()
    pitch = shape.pitch
    strides = [shape.inner(k) + 1 + gap for k in ks]
    spans = shape.spans()
    tops = [top + max(0, (max(spans) - span) // 2) for span in spans]
    mores = [c.units - n for c, n in zip(cols, shown, strict=True)]
    out = cols[-1].layer == depth
    tail = ([("L", "L")] + [("y", "y")] * (not nodes.vector)) if out else []
    below = tops[-1] + spans[-1] + (mores[-1] > 0)  # the first row under the last column
    rows = max(top + max(spans) + any(mores), below + len(tail) * (not pl.tail_right)) + 1
    if lab:  # a spare row when the loss goes under the output, as the lab's always had
        rows = max(rows, top + max(max(spans), spans[-1] + (0 if pl.tail_right else 3))
                   + any(mores) + 1)
    g = Grid(pl.total, rows)
    arrow = ARROW[phase.stage]
    olds = [c.old if pl.wide else None for c in cols]
    actives = [label_style(phase, c.src, f"W{c.layer}", f"dW{c.layer}") for c in cols]

    if top:
        g.put(0, 0, nodes.key, label_style(phase, nodes.key))
        for c, x, q, end, old, active in zip(cols, pl.xs, pl.qs, pl.ends, olds, actives,
                                             strict=True):
            g.put(x + 1, 0, port_title(c.src, old), active)
            g.put(q, 0, c.title[: end + 2 - q], "dim")

    # The nodes, spread over the height of the first column of boxes.
    n_rows = shape.node_ports
    in_rows = [tops[0] + round((j + 0.5) * spans[0] / n_rows - 0.5) for j in range(n_rows)]
    x_style = label_style(phase, nodes.key)
    for j in range(shape.node_shown):
        x = g.put(0, in_rows[j], f"{nodes.prefix}{j + 1}".ljust(pl.c1 - CELL - 3), x_style)
        x = g.put(x + 1, in_rows[j], vals.cell(nodes.key, j))
        g.put(x, in_rows[j], " ●", "bold")
    if shape.node_units > shape.node_shown:
        g.put(0, in_rows[-1], f"+{shape.node_units - shape.node_shown} more", "dim")

    # Each layer's boxes, sharing their borders; ports on the left, the unit's numbers inside.
    edges: list[tuple[float, bool, tuple[int, int, int, int], str, int]] = []
    sources = [(pl.c1 - 1, y) for y in in_rows]   # where the edges into the next boxes start
    for ci, c in enumerate(cols):
        x0, q, end, k, stride = pl.xs[ci], pl.qs[ci], pl.ends[ci], ks[ci], strides[ci]
        n_in = shape.node_shown if ci == 0 else shown[ci - 1]
        cut_in = (shape.node_units > n_in) if ci == 0 else mores[ci - 1] > 0
        lw = max(len(label) for label, _ in c.rows)
        style_box = (PALETTE.active_border if any(key in phase.produces for _, key in c.rows)
                     else PALETTE.border)
        w = vals.array(c.src) if vals.has(c.src) else None
        w_scale = _scale(w) if w is not None else 0.0
        b_old = {f"b{c.layer}_new": f"b{c.layer}"} if pl.wide else {}
        width_box = end - x0
        for i in range(shown[ci]):
            t = tops[ci] + i * stride
            box_top(g, x0, t, width_box, c.names[i][: width_box - 6], style_box,
                    first=i == 0 or gap > 0)
            if gap and i:
                g.put(x0, t - gap, "╰" + "─" * (width_box - 2) + "╯", style_box)
            for y in range(t + 1, t + 1 + shape.inner(k)):
                box_row(g, x0, end, q, y, style_box)
            for r in range(k):
                y = t + 1 + r * pitch
                if r < n_in:
                    style = port(g, x0, y, vals.cell(c.src, (i, r), olds[ci],
                                                     c.src in phase.produces), arrow)
                    if w is not None:
                        edges.append((abs(float(w[i, r])), actives[ci] != "bold",
                                      (*sources[r], x0 - 1, y), style,
                                      edge_weight(abs(float(w[i, r])), w_scale)))
                elif r == n_in and cut_in:
                    g.put(x0 + 1, y, "…", "dim")
                if r < len(c.rows):
                    quantity(g, q, lw, y, c.rows[r], i, vals, phase, b_old)
        bottom = tops[ci] + spans[ci] - 1
        g.put(x0, bottom, "╰" + "─" * (width_box - 2) + "╯", style_box)
        if mores[ci]:
            room = (pl.xs[ci + 1] if ci + 1 < len(cols) else pl.total) - x0 - 1
            g.put(x0, bottom + 1, f"+{mores[ci]} more {noun(mores[ci], c.word)}"[:room], "dim")
        sources = [(end, tops[ci] + r * stride + 1 + (k - 1) // 2 * pitch)
                   for r in range(shown[ci])]
    if not out:  # the network goes on to the right
        for x, y in sources:
            g.put(x, y, "→", "dim")

    # The loss (and a single target), beside the output or under it when narrow.
    for n, (label, key) in enumerate(tail):
        y = tops[-1] + 1 + n * pitch if pl.tail_right else below + n
        x = g.put(pl.tail, y, label, label_style(phase, key))
        g.put(x + 1, y, vals.cell(key, 0) if key != "y" else vals.cell("y", ()))

    # Edges: weakest first, what the phase works on last, so crossings show what matters.
    for _, _, (x0, y0, x1, y1), style, weight in sorted(edges, key=lambda e: (e[1], e[0])):
        g.line(2 * x0, 4 * y0 + 1, 2 * x1 + 1, 4 * y1 + 1, style, weight)

    if names:
        g.put(0, rows - 1, names if lab else whole_words(names, pl.total), "dim")
    lines = g.lines()
    while lines and not lines[-1].plain:
        lines.pop()
    ports = ", ".join(port_title(c.src, old) for c, old in zip(cols, olds, strict=True))
    return Picture(lines, pl.total, _collapsed(shape, nodes, mores, cols, depth), ports,
                   sum(mores), depth - len(cols))


def edge_weight(magnitude: float, scale: float) -> int:
    """An edge's thickness in dots, 1-3, by its number's share of the layer's largest: a
    projector shows three thicknesses where it loses the shades of one colour, and the
    share (not the value) tells the initial weights (all near 0.1) apart too."""
    if scale <= 0 or not math.isfinite(magnitude):
        return 1
    share = magnitude / scale
    return 1 + (share > 1 / 3) + (share > 2 / 3)


def _scale(a: np.ndarray) -> float:
    finite = np.abs(a[np.isfinite(a)])
    return float(finite.max()) if finite.size else 0.0


def _collapsed(shape: Shape, nodes: Nodes, mores: list[int], cols: tuple[Column, ...],
               depth: int) -> str:
    """What the picture leaves out, in words: '5 inputs and 28 hidden units', '120 hidden
    units and layers 1 and 4' (kept short: it is the panel's subtitle)."""
    parts = []
    k = shape.node_units - shape.node_shown
    hidden = [(m, c.more(m)) for c, m in zip(cols, mores, strict=True) if m and c.layer < depth]
    if k and nodes.first == 1:
        parts.append(plural(k, "input"))
    elif k:  # a hidden layer drawn as the nodes before the first boxes
        layer = nodes.first - 1
        hidden.insert(0, (k, plural(k, "unit") + f" of hidden {layer}" if depth > 2
                          else plural(k, "hidden unit")))
    if len(hidden) == 1:
        parts.append(hidden[0][1])
    elif hidden:
        parts.append(plural(sum(m for m, _ in hidden), "hidden unit"))
    if mores[-1] and cols[-1].layer == depth:
        parts.append(cols[-1].more(mores[-1]))
    cut = [*range(1, nodes.first), *range(cols[-1].layer + 1, depth + 1)]
    if cut:
        parts.append(f"layer {cut[0]}" if len(cut) == 1 else
                     "layers " + ", ".join(map(str, cut[:-1])) + f" and {cut[-1]}")
    return " and ".join(parts) if len(parts) <= 2 else \
        ", ".join(parts[:-1]) + " and " + parts[-1]
