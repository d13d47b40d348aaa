"""Where the network diagram's columns go: which layers, how many units, how wide.

The diagram draws the layer before the first box column as nodes (the inputs x,
or a hidden layer's activations) and every later layer as a column of unit boxes.
Its plan is made in three steps, each a pure function: the columns of the
network (:func:`make_columns`), the units each column can show in the height
(:func:`shape_for`: a column that does not fit shows fewer and says "+N more"), and
the widths (:func:`place`: generous spacing first, tighter until it fits). A deep
network too wide for the window keeps the layers the current phase works on
(:func:`windows`), as the one thing the student must see is what is happening.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..core.network.netphases import Net, Phase
from .diagram_parts import MAX_PORTS, Column, needs, unit_rows
from .render import CELL

# (gap before the first box column, gap between box columns, old→new ports allowed,
# loss and target right of the output): tried in order until the picture fits.
CHOICES = ((18, 10, True, True), (14, 8, True, True), (10, 6, True, True), (6, 4, True, True),
           (6, 4, True, False), (4, 3, True, False), (6, 4, False, True), (4, 3, False, False),
           (3, 2, False, False))


def port_source(phase: Phase, weights: str, values: Mapping[str, object]) -> tuple[str, str | None]:
    """Which number a layer's ports show now: (quantity, old quantity for old→new)."""
    if phase.stage == "update":
        return f"{weights}_new", weights
    if phase.stage == "backward" and "d" + weights in values and weights not in phase.reads:
        return "d" + weights, None
    return weights, None


def make_columns(net: Net, phase: Phase, values: Mapping[str, object],
                 classes: tuple[str, ...] = ()) -> tuple[Column, ...]:
    """Every layer 1..L as a column: its units, the rows of its boxes, its names."""
    arch, depth = net.arch, net.arch.depth
    out = []
    for layer in range(1, depth + 1):
        n = arch.sizes[layer]
        src, old = port_source(phase, f"W{layer}", values)
        rows = unit_rows(net, layer, phase.stage)
        if layer < depth:
            deep = depth > 2
            out.append(Column(layer, n, rows, f"hidden {layer}" if deep else "hidden",
                              tuple(f"h{i + 1}" for i in range(n)), src, old, "hidden unit",
                              f" of hidden {layer}" if deep else ""))
            continue
        named = len(classes) == n > 1
        names = (("output",) if n == 1 else tuple(classes) if named
                 else tuple(f"o{i + 1}" for i in range(n)))
        out.append(Column(layer, n, rows, "output", names, src, old,
                          "class" if named else "output"))
    return tuple(out)


@dataclass(frozen=True)
class Shape:
    """The vertical plan: the box columns drawn, the units each shows, header, spacing."""

    columns: tuple[Column, ...]
    node_units: int          # units of the node column (the layer before the first box)
    node_shown: int
    shown: tuple[int, ...]
    header: bool
    gap: int                 # spread: blank rows between boxes are 2 * gap
    legend: bool = True      # the dataset's column names under the picture, if it has them
    pitch: int = 1           # rows from one line of a box to the next (2: a blank between)

    @property
    def node_ports(self) -> int:
        """Ports of the first box column: a node each, and one "…" when some are left out."""
        return self.node_shown + (self.node_units > self.node_shown)

    def ks(self, shown: tuple[int, ...] | None = None) -> list[int]:
        """Rows inside each column's boxes: a port per unit before it, or its own rows."""
        out, ports = [], self.node_ports
        for col, n in zip(self.columns, shown or self.shown, strict=True):
            out.append(max(ports, len(col.rows)))
            ports = n + (n < col.units)
        return out

    def inner(self, k: int) -> int:
        """Rows inside a box of ``k`` lines (ports or numbers), ``pitch`` rows apart."""
        return (k - 1) * self.pitch + 1

    def spans(self, shown: tuple[int, ...] | None = None, gap: int | None = None) -> list[int]:
        """The height of each column of boxes (borders shared unless spread)."""
        shown, gap = shown or self.shown, self.gap if gap is None else gap
        return [n * (self.inner(k) + 1) + 1 + (n - 1) * 2 * gap
                for n, k in zip(shown, self.ks(shown), strict=True)]


def _rows(shape: Shape, shown: tuple[int, ...], header: bool, legend_rows: int,
          gap: int = 0, below: int = 0) -> int:
    """The rows a plan needs: the tallest column, the "+N more" line under the columns
    (counted once) and ``below``: rows under the last column (the loss, when narrow)."""
    more = [n < c.units for c, n in zip(shape.columns, shown, strict=True)]
    spans = shape.spans(shown, gap)
    tallest = max(spans)
    last = (tallest - spans[-1]) // 2 + spans[-1] + more[-1] + below
    return int(header) + max(tallest + any(more), last) + legend_rows


def shape_for(columns: tuple[Column, ...], node_units: int, legend_rows: int, height: int,
              spread: bool, below: int = 0, units_first: bool = False) -> Shape:
    """The units each column shows in ``height`` rows (0: all); with ``spread``, spare
    rows space the boxes apart. ``below``: rows wanted under the last column. With
    ``units_first``, the names under the picture and then the header row give way
    when that shows more units (the lab's pictures keep theirs, as they always have)."""
    node_shown = node_units if node_units <= MAX_PORTS else MAX_PORTS - 1
    full = tuple(c.units for c in columns)
    shape = Shape(columns, node_units, node_shown, full, True, 0)
    if not height:
        return shape
    plans = ([(True, legend_rows), (True, 0), (False, 0)] if units_first else
             [(_rows(shape, _capped(full, 2), True, legend_rows, 0, below) <= height,
               legend_rows)])
    fits = [(_fit(shape, header, names, height, below, units_first), header, names)
            for header, names in plans]
    # The plan that shows the most units (the first of those).
    (node_shown, *units), header, legend_rows = max(fits, key=lambda f: sum(f[0]))
    shown = tuple(units)
    shape = replace(shape, node_shown=node_shown, shown=shown, header=header,
                    legend=bool(legend_rows))
    if spread and shown == full:
        shape = _spread(shape, legend_rows, height, below)
    return shape


# How a diagram grows into spare rows, step by step: boxes apart, then a blank row
# between their lines (taller boxes: the edges into them spread out), then further apart.
SPREADS = ((1, 1), (2, 1), (2, 2), (2, 3), (2, 4))


def _spread(shape: Shape, legend_rows: int, height: int, below: int) -> Shape:
    """The largest step of :data:`SPREADS` that fits in ``height`` rows."""
    for pitch, gap in SPREADS:
        bigger = replace(shape, pitch=pitch, gap=gap)
        if _rows(bigger, shape.shown, shape.header, legend_rows, gap, below) > height:
            break
        shape = bigger
    return shape


def _fit(shape: Shape, header: bool, legend_rows: int, height: int, below: int,
         nodes_too: bool) -> tuple[int, ...]:
    """(nodes, units of each column) shown: all when they fit; else the most every column
    may keep (the same cap for all, so no layer is cut to one box while another keeps
    ten), then the rows left to the first columns. The nodes are cut only ``nodes_too``
    (the lab's inputs never were)."""
    def rows(counts: tuple[int, ...]) -> int:
        return _rows(replace(shape, node_shown=counts[0]), counts[1:], header, legend_rows,
                     0, below)

    full = (shape.node_shown, *shape.shown)
    if rows(full) <= height:
        return full

    def capped(cap: int) -> tuple[int, ...]:
        return (min(full[0], cap) if nodes_too else full[0], *_capped(full[1:], cap))

    lo, hi = 1, max(full) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if rows(capped(mid)) <= height else (lo, mid - 1)
    shown = capped(lo)
    for i in range(int(not nodes_too), len(shown)):
        while shown[i] < full[i] and rows(_fewer(shown, i, -1)) <= height:
            shown = _fewer(shown, i, -1)
    return shown


def _capped(units: tuple[int, ...], cap: int) -> tuple[int, ...]:
    return tuple(min(n, cap) for n in units)


def _fewer(shown: tuple[int, ...], i: int, d: int = 1) -> tuple[int, ...]:
    return tuple(n - d * (j == i) for j, n in enumerate(shown))


@dataclass(frozen=True)
class Placement:
    """The x of every column (nodes, then each box's left side, numbers and right side)."""

    c1: int                  # where the nodes' edges start (+1)
    xs: tuple[int, ...]      # each box column's left border
    qs: tuple[int, ...]      # where its own numbers start
    ends: tuple[int, ...]    # one past its right border
    wide: bool               # ports hold old→new
    tail: int                # x of the loss and target
    tail_right: bool         # beside the output (else under it)
    total: int               # the width of the picture


def place(shape: Shape, stage: str, labels_in: int, choice: tuple[int, int, bool, bool],
          output_drawn: bool) -> Placement:
    """The columns' x with one spacing ``choice`` (see :data:`CHOICES`)."""
    gap_in, gap, old_new, tail_right = choice
    old_new = old_new and stage == "update"
    port = 2 * CELL + 1 if old_new else CELL
    qv = port if old_new else CELL
    c1 = labels_in + 1 + CELL + 2
    x = c1 + gap_in
    xs, qs, ends = [], [], []
    for col in shape.columns:
        lw = max(len(label) for label, _ in col.rows)
        xs.append(x)
        qs.append(x + 1 + port + 3)
        ends.append(qs[-1] + lw + 1 + qv + 1)
        x = ends[-1] + 1 + gap
    tail_right = tail_right and output_drawn
    tail = ends[-1] + 2 if tail_right else xs[-1]
    total = max(ends[-1] + 1, tail + 2 + CELL + 2 if tail_right else 0)
    if not output_drawn:
        total += 2  # the arrows that say the network goes on
    return Placement(c1, tuple(xs), tuple(qs), tuple(ends), old_new, tail, tail_right, total)


def roomier(choice: tuple[int, int, bool, bool], spare: int,
            n_columns: int) -> tuple[int, int, bool, bool]:
    """``choice`` with ``spare`` columns added to its gaps, up to 36 before the first boxes
    (where most edges cross) and 24 between columns, in proportion to what each may
    still take: the edges' crossing spreads over the room the panel has rather than a
    band a few cells wide. Drawn again in the width it came to, a picture stays the same."""
    gap_in, gap, old_new, tail_right = choice
    between = n_columns - 1
    room_in, room = max(0, 36 - gap_in), max(0, 24 - gap)
    if spare >= room_in + room * between:
        return (gap_in + room_in, gap + room, old_new, tail_right)
    per = spare * room // (room_in + room * between) if between else 0
    add_in = spare - per * between
    if add_in > room_in:
        add_in = room_in
        per = min(room, (spare - add_in) // between)
    return (gap_in + add_in, gap + per, old_new, tail_right)


def windows(phase: Phase, depth: int, lab: bool = False) -> list[tuple[int, int]]:
    """The layers to draw as boxes, (first, last), best first: all of them, then (when
    all do not fit) the runs that keep what the phase works on, longest first, the
    earlier layers when going forward and the later going back. The lab's network is
    always drawn whole, as it always was."""
    if lab:
        return [(1, depth)]
    want = needs(phase, depth)

    def missed(s: int, e: int) -> int:
        return sum(not (s - node <= layer <= e) for layer, node in want)

    forward = phase.stage == "forward"
    runs = [(s, e) for s in range(1, depth + 1) for e in range(s, depth + 1)]
    return sorted(runs, key=lambda w: (w != (1, depth), missed(*w), w[0] - w[1],
                                       w[0] if forward else -w[1]))
