"""The network as a picture: inputs, hidden units and the output, every edge drawn.

Each hidden unit h_i is a box whose left side has one port per input: the number at
port j is W1[i, j], the weight on the edge from x_j into h_i (row i of W1 is the
unit's weight vector, as the lab writes it). The output box's ports hold W2[0, i].
In the backward phases a port holds the gradient dW instead once it is computed,
and the arrows turn round; on the update phase, the new value (old → new when
there is room). Edges are coloured by the sign of their port's number, stronger
for larger magnitudes. What the current phase produced is highlighted and what it
read is underlined, exactly as in the panels: both read the same phase data.

Everything here is a pure function of the session's state and a size, so tests
can draw it without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ..core.phases import PHASES, Phase
from .diagram_parts import (
    MAX_PORTS,
    Values,
    box_row,
    box_top,
    label_style,
    legend,
    port,
    port_title,
    quantity,
)
from .netdraw import Grid
from .palette import PALETTE
from .render import CELL

ARROW = {"forward": "▶", "backward": "◀", "update": "▶"}
# Rows shown inside the boxes, by stage: (label, quantity, index into it per unit).
HIDDEN_ROWS = {"forward": (("b", "b1"), ("z", "z1"), ("a", "a1")),
               "backward": (("a", "a1"), ("σ'", "dsig1"), ("δ", "delta1")),
               "update": (("b", "b1_new"),)}
OUTPUT_ROWS = {"forward": (("b", "b2"), ("z", "z2"), ("y_hat", "y_hat")),
               "backward": (("y_hat", "y_hat"), ("σ'", "dsig2"), ("δ", "delta2")),
               "update": (("b", "b2_new"),)}


@dataclass(frozen=True)
class Picture:
    """The drawn lines and the width they need (the layout sizes the panel by it)."""

    lines: list[Text]
    width: int
    collapsed: str = ""    # what was left out, said in words ("" when all is drawn)
    ports: str = ""        # what the ports hold ("W1, W2", "dW1, dW2", "W1 new, W2 new")
    more_units: int = 0    # hidden units left out for want of height


def _port_source(phase: Phase, layer: str, values: dict[str, object]) -> tuple[str, str | None]:
    """Which number a layer's ports show now: (quantity, old quantity for old→new)."""
    if phase.stage == "update":
        return f"{layer}_new", layer
    if phase.stage == "backward" and "d" + layer in values and layer not in phase.reads:
        return "d" + layer, None
    return layer, None


def draw_network(values: dict[str, object], phase_index: int, n_inputs: int, n_hidden: int,
                 input_names: tuple[str, ...] = (), target_name: str = "y",
                 width: int = 0, height: int = 0, spread: bool = False) -> Picture:
    """The diagram for the current phase in at most ``width`` x ``height`` cells (0: no
    limit); with ``spread``, spare height spaces the hidden units apart."""
    phase = PHASES[phase_index]
    stage = phase.stage
    vals = Values(values)
    src1, old1 = _port_source(phase, "W1", values)
    src2, old2 = _port_source(phase, "W2", values)
    wide_ports = old1 is not None
    hidden_rows, output_rows = HIDDEN_ROWS[stage], OUTPUT_ROWS[stage]
    b_old = {"b1_new": "b1", "b2_new": "b2"}

    def plan(c1: int, c2: int, old_new: bool, tail_right: bool, header: bool,
             max_units: int) -> tuple[int, dict[str, int]]:
        port = 2 * CELL + 1 if old_new else CELL
        qv = port if (old_new and stage == "update") else CELL
        labels_in = max(len(_input_label(j)) for j in range(min(n_inputs, MAX_PORTS)))
        col = {"in": 0}
        col["c1"] = labels_in + 1 + CELL + 2
        col["h"] = col["c1"] + c1
        lw_h = max(len(lbl) for lbl, _ in hidden_rows)
        col["h_q"] = col["h"] + 1 + port + 3
        col["h_end"] = col["h_q"] + lw_h + 1 + qv + 1
        col["c2"] = col["h_end"] + 1
        col["o"] = col["c2"] + c2
        lw_o = max(len(lbl) for lbl, _ in output_rows)
        col["o_q"] = col["o"] + 1 + port + 3
        col["o_end"] = col["o_q"] + lw_o + 1 + qv + 1
        col["tail"] = col["o_end"] + 2 if tail_right else col["o"]
        col["port"], col["qv"], col["header"], col["units"] = port, qv, int(header), max_units
        col["gap"] = gap
        total = max(col["o_end"] + 1, col["tail"] + 2 + CELL + 2 if tail_right else 0)
        return total, col

    # Try generous spacing first, then tighter arrangements, until it fits the width.
    choices = [(18, 10, wide_ports, True), (14, 8, wide_ports, True), (10, 6, wide_ports, True),
               (6, 4, wide_ports, True), (6, 4, wide_ports, False),
               (4, 3, wide_ports, False), (6, 4, False, True), (4, 3, False, False),
               (3, 2, False, False)]
    shown_inputs = n_inputs if n_inputs <= MAX_PORTS else MAX_PORTS - 1
    k_h = max(shown_inputs + (n_inputs > shown_inputs), len(hidden_rows))
    legend_rows = int(bool(legend(input_names, target_name, n_inputs)))

    def rows_for(units: int, header: bool, gap: int = 0) -> int:
        return (int(header) + 1 + units * (k_h + 1) + (units - 1) * 2 * gap + legend_rows
                + (units < n_hidden))

    header, units, gap = True, n_hidden, 0
    if height:
        header = rows_for(min(n_hidden, 2), True) <= height
        while units > 1 and rows_for(units, header) > height:
            units -= 1
        # Room to spare (a tall window) spreads the units apart: easier to follow the edges.
        while spread and gap < 2 and units == n_hidden and \
                rows_for(units, header, gap + 1) <= height:
            gap += 1
    for c1, c2, old_new, tail_right in choices:
        total, col = plan(c1, c2, old_new, tail_right, header, units)
        if not width or total <= width:
            break
    wide = col["port"] > CELL
    return _draw(vals, phase, col, total, n_inputs, shown_inputs, n_hidden, k_h,
                 src1, old1 if wide else None, src2, old2 if wide else None,
                 hidden_rows, output_rows, b_old if wide else {}, input_names, target_name)


def _input_label(j: int) -> str:
    return f"x{j + 1}"


def _draw(vals: Values, phase: Phase, col: dict[str, int], total: int, n_inputs: int,
          shown_inputs: int, n_hidden: int, k_h: int, src1: str, old1: str | None, src2: str,
          old2: str | None, hidden_rows, output_rows, b_old: dict[str, str],
          input_names: tuple[str, ...], target_name: str) -> Picture:
    stage = phase.stage
    units = col["units"]
    lw_h = max(len(label) for label, _ in hidden_rows)
    lw_o = max(len(label) for label, _ in output_rows)
    top = col["header"]
    gap = 2 * col["gap"]  # blank rows between two hidden boxes (0: they share a border)
    stride = k_h + 1 + gap
    span = units * stride + 1 - gap
    more_units = n_hidden - units
    k_o = max(units + (more_units > 0), len(output_rows))
    out_h = k_o + 2
    tail_right = col["tail"] != col["o"]
    rows = top + max(span, out_h + (0 if tail_right else 3)) + (1 if more_units else 0) + 1
    g = Grid(total, rows)
    arrow = ARROW[stage]
    w1_key, w2_key = src1, src2
    active1 = label_style(phase, src1, "W1", "dW1")
    active2 = label_style(phase, src2, "W2", "dW2")

    if top:
        g.put(col["in"], 0, "x", label_style(phase, "x"))
        g.put(col["h"] + 1, 0, port_title(src1, old1), active1)
        g.put(col["h_q"], 0, "hidden"[: col["c2"] + 1 - col["h_q"]], "dim")
        g.put(col["o"] + 1, 0, port_title(src2, old2), active2)
        g.put(col["o_q"], 0, "output", "dim")

    # Input nodes, spread over the height of the hidden boxes.
    in_rows = [top + round((j + 0.5) * span / (shown_inputs + (n_inputs > shown_inputs)) - 0.5)
               for j in range(shown_inputs + (n_inputs > shown_inputs))]
    x_style = label_style(phase, "x")
    for j in range(shown_inputs):
        x = g.put(col["in"], in_rows[j], _input_label(j).ljust(col["c1"] - CELL - 3), x_style)
        x = g.put(x + 1, in_rows[j], vals.cell("x", j))
        g.put(x, in_rows[j], " ●", "bold")
    if n_inputs > shown_inputs:
        g.put(col["in"], in_rows[-1], f"+{n_inputs - shown_inputs} more", "dim")

    # Hidden boxes, sharing their borders; ports on the left, the unit's numbers inside.
    w1 = vals.array(w1_key) if vals.has(w1_key) else None
    edges: list[tuple[float, bool, tuple[int, int, int, int], str]] = []
    box_style = (PALETTE.active_border if any(k in phase.produces for _, k in hidden_rows)
                 else PALETTE.border)
    width_h = col["h_end"] - col["h"]
    for i in range(units):
        t = top + i * stride
        box_top(g, col["h"], t, width_h, f"h{i + 1}", box_style, first=i == 0 or gap > 0)
        if gap and i:
            g.put(col["h"], t - gap, "╰" + "─" * (width_h - 2) + "╯", box_style)
        for r in range(k_h):
            y = t + 1 + r
            box_row(g, col["h"], col["h_end"], col["h_q"], y, box_style)
            if r < shown_inputs:
                style = port(g, col["h"], y, vals.cell(w1_key, (i, r), old1,
                                                       w1_key in phase.produces), arrow)
                if w1 is not None:
                    edges.append((abs(float(w1[i, r])), active1 != "bold",
                                  (col["c1"] - 1, in_rows[r], col["h"] - 1, y), style))
            elif r == shown_inputs and n_inputs > shown_inputs:
                g.put(col["h"] + 1, y, "…", "dim")
            if r < len(hidden_rows):
                quantity(g, col["h_q"], lw_h, y, hidden_rows[r], i, vals, phase, b_old)
    bottom = top + span - 1
    g.put(col["h"], bottom, "╰" + "─" * (width_h - 2) + "╯", box_style)
    if more_units:
        g.put(col["h"], bottom + 1,
              f"+{more_units} more hidden unit{'s' * (more_units != 1)}"[
                  : col["o"] - col["h"] - 1], "dim")

    # The output box, centred on the hidden ones; its ports are W2[0, i].
    o_top = top + max(0, (span - out_h) // 2)
    o_style = (PALETTE.active_border if any(k in phase.produces for _, k in output_rows)
               else PALETTE.border)
    width_o = col["o_end"] - col["o"]
    box_top(g, col["o"], o_top, width_o, "output", o_style, first=True)
    w2 = vals.array(w2_key) if vals.has(w2_key) else None
    for r in range(k_o):
        y = o_top + 1 + r
        box_row(g, col["o"], col["o_end"], col["o_q"], y, o_style)
        if r < units:
            style = port(g, col["o"], y, vals.cell(w2_key, (0, r), old2,
                                                   w2_key in phase.produces), arrow)
            if w2 is not None:
                h_mid = top + r * stride + 1 + (k_h - 1) // 2
                edges.append((abs(float(w2[0, r])), active2 != "bold",
                              (col["h_end"], h_mid, col["o"] - 1, y), style))
        elif r == units and more_units:
            g.put(col["o"] + 1, y, "…", "dim")
        if r < len(output_rows):
            quantity(g, col["o_q"], lw_o, y, output_rows[r], 0, vals, phase, b_old)
    g.put(col["o"], o_top + out_h - 1, "╰" + "─" * (width_o - 2) + "╯", o_style)

    # The loss and the target, beside the output (or under it when narrow).
    tail = [("L", "L"), ("y", "y")]
    for n, (label, key) in enumerate(tail):
        y = o_top + 1 + n if tail_right else o_top + out_h + n
        x = g.put(col["tail"], y, label, label_style(phase, key))
        g.put(x + 1, y, vals.cell(key, 0) if key != "y" else vals.cell("y", ()))

    # Edges: weakest first, what the phase works on last, so crossings show what matters.
    for _, _, (x0, y0, x1, y1), style in sorted(edges, key=lambda e: (e[1], e[0])):
        g.line(2 * x0, 4 * y0 + 1, 2 * x1 + 1, 4 * y1 + 1, style)

    names = legend(input_names, target_name, n_inputs)
    if names:
        g.put(0, rows - 1, names, "dim")
    lines = g.lines()
    while lines and not lines[-1].plain:
        lines.pop()
    collapsed = []
    if n_inputs > shown_inputs:
        k = n_inputs - shown_inputs
        collapsed.append(f"{k} input{'s' * (k != 1)}")
    if more_units:
        collapsed.append(f"{more_units} hidden unit{'s' * (more_units != 1)}")
    return Picture(lines, total, " and ".join(collapsed),
                   f"{port_title(src1, old1)}, {port_title(src2, old2)}", more_units)


