"""The network diagram, drawn without a terminal: every edge and number where it belongs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import lab_session
from textual.color import Color

from backprop_tui.app.diagram import draw_network
from backprop_tui.app.palette import PALETTE
from backprop_tui.app.render import fmt, number_format
from backprop_tui.core.network.params import Params
from backprop_tui.core.network.phases import PHASE_INDEX, run_phases
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session


def values_at(d: int, h: int, phase: str, seed: int = 0) -> dict[str, object]:
    rng = np.random.RandomState(seed)
    params = Params(rng.randn(h, d) * 0.5, rng.randn(h) * 0.1, rng.randn(1, h) * 0.5,
                    rng.randn(1) * 0.1)
    return run_phases(params, rng.uniform(-1, 1, d), 0.3, 0.5, upto=PHASE_INDEX[phase])


def test_each_port_holds_its_weight_on_the_row_of_its_unit() -> None:
    """Port j of box h_i shows W1[i, j]: the edge from x_j into h_i."""
    s = lab_session()
    s.goto(0, PHASE_INDEX["z1"])
    pic = draw_network(s.values, s.cursor.phase, 3, 2)
    plain = [line.plain for line in pic.lines]
    W1 = s.params.W1
    spec = number_format(W1)
    for i in range(2):
        top = next(n for n, line in enumerate(plain) if f" h{i + 1} " in line)
        for j in range(3):
            assert "▶" + fmt(W1[i, j], spec).strip() in plain[top + 1 + j].replace(" ", ""), \
                (i, j, plain[top + 1 + j])
    W2 = s.params.W2
    out = next(n for n, line in enumerate(plain) if " output " in line and "╭" in line)
    for i in range(2):
        assert fmt(W2[0, i], number_format(W2)).strip() in plain[out + 1 + i]
    # The unit's own numbers: z computed, a not yet.
    text = "\n".join(plain)
    for z in s.values["z1"]:
        assert fmt(z, number_format(s.values["z1"])).strip() in text
    assert "not yet" in text


def test_edges_are_drawn_in_their_signs_colour() -> None:
    s = lab_session()
    s.goto(0, PHASE_INDEX["z1"])
    pic = draw_network(s.values, s.cursor.phase, 3, 2)
    colours = set()
    for line in pic.lines:
        for span in line.spans:
            if any("\u2800" <= ch <= "\u28ff" for ch in line.plain[span.start:span.end]):
                colours.add(str(span.style))
    assert colours, "no edge was drawn"

    def hue(style: str) -> str:
        rgb = Color.parse(style.split()[-1])
        dist = {name: sum((a - b) ** 2 for a, b in zip((rgb.r, rgb.g, rgb.b), target,
                                                         strict=True))
                for name, target in (("+", PALETTE.positive), ("-", PALETTE.negative))}
        return min(dist, key=dist.get)

    # W1's first row is all negative and W2 all positive: both hues are drawn.
    assert {hue(c) for c in colours} == {"+", "-"}


def test_backward_ports_hold_gradients_and_flow_back() -> None:
    s = lab_session()
    s.goto(0, PHASE_INDEX["dW1"])
    pic = draw_network(s.values, s.cursor.phase, 3, 2)
    text = "\n".join(line.plain for line in pic.lines)
    assert "dW1" in text and "dW2" in text and "◀" in text and "▶" not in text
    dW1 = s.values["dW1"]
    for v in np.ravel(dW1):
        assert fmt(v, number_format(dW1)).strip() in text
    s.goto(0, PHASE_INDEX["delta1"])  # reads W2: its ports show W2 again, not dW2
    text = "\n".join(line.plain for line in draw_network(s.values, s.cursor.phase, 3, 2).lines)
    assert "dW2" not in text and fmt(s.params.W2[0, 0], number_format(s.params.W2)).strip() in text


def test_update_shows_old_to_new_when_there_is_room_and_new_when_not() -> None:
    s = lab_session()
    s.goto(0, PHASE_INDEX["update"])
    wide = "\n".join(line.plain for line in draw_network(s.values, s.cursor.phase, 3, 2).lines)
    assert "→" in wide and "W1 old→new" in wide
    narrow = draw_network(s.values, s.cursor.phase, 3, 2, width=76)
    assert narrow.width <= 76
    text = "\n".join(line.plain for line in narrow.lines)
    new = s.values["W1_new"]
    assert "W1 new" in text and fmt(new[0, 0], number_format(new)).strip() in text


@pytest.mark.parametrize("d", range(1, 9))
@pytest.mark.parametrize("h", range(1, 9))
def test_every_size_up_to_eight_draws_within_120x40(d: int, h: int) -> None:
    for phase in ("z1", "dW2", "update"):
        pic = draw_network(values_at(d, h, phase), PHASE_INDEX[phase], d, h,
                           width=117, height=36)
        assert pic.width <= 117 and len(pic.lines) <= 36
        assert all(line.cell_len <= 117 for line in pic.lines)
        text = "\n".join(line.plain for line in pic.lines)
        assert all(f"x{j + 1}" in text for j in range(d))  # every input is drawn
        if pic.collapsed:
            assert "more hidden unit" in text and "hidden unit" in pic.collapsed
        else:
            assert all(f"h{i + 1}" in text for i in range(h))


def test_lab_fits_80x24_whole_and_large_layers_collapse_in_words() -> None:
    s = lab_session()
    for k in range(11):
        s.goto(0, k)
        pic = draw_network(s.values, k, 3, 2, width=76, height=9)
        assert pic.collapsed == "" and len(pic.lines) <= 9 and pic.width <= 76
    big = draw_network(values_at(12, 30, "z1"), PHASE_INDEX["z1"], 12, 30, width=76, height=20)
    text = "\n".join(line.plain for line in big.lines)
    assert "+5 more" in text and "more hidden units" in text
    assert big.collapsed == "5 inputs and 28 hidden units"  # two 9-row boxes fit in 20


def test_dataset_column_names_are_named() -> None:
    s = build_session(DataOptions("iris", normalize=True), TrainConfig())
    pic = draw_network(s.values, 0, 3, 2, s.dataset.input_names, s.dataset.target_name)
    assert "x1 sepal_length" in pic.lines[-1].plain and "y petal_width" in pic.lines[-1].plain
