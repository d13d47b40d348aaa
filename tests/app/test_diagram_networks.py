"""The diagram of any network (issue 18): every layer a column of boxes, every number
whole where there is room, what does not fit said in words, and the marks of the
phases generated for the network. The lab's pictures are the snapshots' to keep."""

from __future__ import annotations

import asyncio
import re

import numpy as np
import pytest
from rich.text import Text

from backprop_tui.app.app import BackpropApp
from backprop_tui.app.diagram import Picture, draw_net
from backprop_tui.app.palette import PALETTE
from backprop_tui.app.render import fmt, number_format
from backprop_tui.app.widgets.diagram import NetworkDiagram
from backprop_tui.core.data.datasets import Dataset
from backprop_tui.core.network.arch import Architecture
from backprop_tui.core.network.netphases import Net, net_for
from backprop_tui.core.network.params import init_params
from backprop_tui.core.run.config import TrainConfig
from backprop_tui.core.run.session import Session
from backprop_tui.core.run.training import DataOptions, build_session

DEEP = Architecture(3, (4, 4), ("tanh",))                                # 3-4-4-1
SOFTMAX = Architecture(4, (5,), ("sigmoid",), "softmax", "ce", 3)        # 4-5-3
WIDE = Architecture(3, (64, 64, 64, 64), ("relu",))                      # 4 layers of 64
CLASSES = ("setosa", "versicolor", "virginica")


def values(arch: Architecture, phase: str, seed: int = 0) -> tuple[Net, dict[str, object], int]:
    net = net_for(arch)
    rng = np.random.RandomState(seed)
    params = init_params(rng, arch.n_inputs, arch.hidden, 0.5, arch.n_outputs)
    y = np.eye(arch.n_outputs)[1] if arch.classifies else 0.3
    k = net.index[phase]
    return net, net.run(params, rng.uniform(-1, 1, arch.n_inputs), y, 0.5, upto=k), k


def draw(arch: Architecture, phase: str, width: int = 0, height: int = 0) -> Picture:
    net, vals, k = values(arch, phase)
    classes = CLASSES if arch.classifies else ()
    return draw_net(vals, net, k, (), "y", classes, width, height)


def text(pic: Picture) -> str:
    return "\n".join(line.plain for line in pic.lines)


def softmax_session() -> Session:
    rng = np.random.RandomState(1)
    X, Y = rng.randn(30, 4), np.eye(3)[rng.randint(0, 3, 30)]
    names = ("sepal_length", "sepal_width", "petal_length", "petal_width")
    ds = Dataset("toy", names, "species", X[:24], Y[:24], X[24:], Y[24:], classes=CLASSES)
    params0 = init_params(np.random.RandomState(0), 4, (5,), 0.5, 3)
    return Session(ds, params0, TrainConfig(hidden=5, output="softmax", loss="ce"), SOFTMAX)


@pytest.mark.parametrize("arch", [DEEP, SOFTMAX], ids=["3-4-4-1", "4-5-3"])
def test_every_unit_and_every_number_whole_in_a_120x40_body(arch: Architecture) -> None:
    """116 columns and 26 rows: what the body of a 120x40 window leaves the picture when
    the equation is tallest."""
    net = net_for(arch)
    for phase in net.phases:
        pic = draw(arch, phase.key, 116, 26)
        plain = text(pic)
        assert pic.collapsed == "" and "more" not in plain, (phase.key, pic.collapsed)
        assert pic.width <= 116 and len(pic.lines) <= 26
        assert all(line.cell_len <= pic.width for line in pic.lines)
        for i in range(max(arch.hidden)):   # every hidden unit of every layer has its box
            assert plain.count(f"─ h{i + 1} ") == sum(n > i for n in arch.hidden), phase.key
        if arch.classifies:
            assert all(f"─ {name} " in plain for name in CLASSES)
    # Every weight is at its port, whole, while the forward pass reads them...
    pic, (_, vals, _) = draw(arch, "z1", 116, 26), values(arch, "z1")
    for layer in range(1, arch.depth + 1):
        w = vals[f"W{layer}"]
        for v in np.ravel(w):
            assert "▶" + fmt(v, number_format(w)).strip() in text(pic).replace(" ", "")
    # ...and every gradient once the backward pass has computed them all.
    pic, (_, vals, _) = draw(arch, "dW1", 116, 26), values(arch, "dW1")
    for layer in range(1, arch.depth + 1):
        dw = vals[f"dW{layer}"]
        assert all(fmt(v, number_format(dw)).strip() in text(pic) for v in np.ravel(dw))


def test_several_outputs_show_their_targets_and_the_loss() -> None:
    pic = draw(SOFTMAX, "delta2")
    plain = text(pic)
    assert plain.count("y_hat") == 3 and "L " in plain
    rows = [line for line in plain.splitlines() if "┊ y " in line]
    assert [r.split("┊ y ")[1].split("│")[0].strip() for r in rows] == ["0.00000", "+1.00000",
                                                                         "0.00000"]


def test_a_large_network_collapses_in_words() -> None:
    for width, height in ((76, 20), (116, 36), (156, 46)):
        for phase in ("z1", "a3", "delta2", "update"):
            pic = draw(WIDE, phase, width, height)
            plain = text(pic)
            assert pic.width <= width and len(pic.lines) <= height
            assert "more hidden units" in plain and "hidden units" in pic.collapsed
            assert pic.more_units > 0 and plain.count("─ h1 ") >= 1
    whole = draw(WIDE, "z3", 156, 46)
    assert whole.layers_cut == 0 and whole.collapsed.endswith("hidden units")
    said = sum(int(n) for n in re.findall(r"\+(\d+) more hidden units", text(whole)))
    assert said == whole.more_units == int(whole.collapsed.split()[0])


def test_a_narrow_window_keeps_the_layers_the_phase_works_on() -> None:
    """At 80 columns a 3-4-4-1 does not fit whole: the layers of the current phase do,
    the layer before drawn as its activations, and the rest is said in words."""
    for phase in net_for(DEEP).phases:
        assert draw(DEEP, phase.key, 76, 20).width <= 76
    z3 = draw(DEEP, "z3", 76, 20)
    header = z3.lines[0].plain.split()
    assert header[:2] == ["a1", "W2"] and "W3" in header and "output" in header
    assert z3.layers_cut == 1 and z3.collapsed.endswith("layer 1")
    assert "h1 " in text(z3) and "●" in text(z3)          # a1's units, as nodes
    delta1 = draw(DEEP, "delta1", 76, 20)
    assert delta1.lines[0].plain.split()[:2] == ["x", "W1"] and "layer 3" in delta1.collapsed


def styles_by_column(lines: list[Text], needle: str) -> list[set[str]]:
    """The styles ``needle`` is drawn in, one set per column of boxes, left to right."""
    found: dict[int, set[str]] = {}
    for line in lines:
        for at in (m.start() for m in re.finditer(re.escape(needle), line.plain)):
            style = " ".join(str(s.style) for s in line.spans if s.start <= at < s.end)
            found.setdefault(at, set()).add(style)
    return [found[x] for x in sorted(found)]


def test_marks_follow_the_generated_phases() -> None:
    """What the phase produced is reversed, what it read underlined, as in the panels."""
    z3 = draw(DEEP, "z3")
    assert styles_by_column(z3.lines, "W3") == [{PALETTE.read}]      # the ports it reads
    assert styles_by_column(z3.lines, "z ") == [{"bold"}, {"bold"}, {PALETTE.produced}]
    assert styles_by_column(z3.lines, "b ") == [{"bold"}, {"bold"}, {PALETTE.read}]
    delta2 = draw(DEEP, "delta2")
    assert styles_by_column(delta2.lines, "W3") == [{PALETTE.read}]
    # delta1 not yet, delta2 computed now, delta3 read (with W3 and a2 for tanh').
    assert styles_by_column(delta2.lines, "δ ") == [{"bold"}, {PALETTE.produced},
                                                    {PALETTE.read}]
    assert styles_by_column(delta2.lines, "tanh'") == [{"bold"}, {PALETTE.produced}]
    assert styles_by_column(delta2.lines, "a ") == [{"bold"}, {PALETTE.read}]


def walk(app: BackpropApp, size: tuple[int, int]) -> list[tuple[str, Picture, int]]:
    """Every phase of one step in the app: (phase, picture, the equation's last row + 1)."""
    seen = []

    async def go() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for _ in app.session.net.phases:
                region = app.query_one("#equation").region
                seen.append((app.session.phase.key, app.query_one(NetworkDiagram).picture,
                             region.y + region.height))
                await pilot.press("n")
                await pilot.pause()

    asyncio.run(go())
    return seen


def deep_app() -> BackpropApp:
    return BackpropApp(build_session(DataOptions(), TrainConfig(hidden=(4, 4),
                                                                activation="tanh")))


@pytest.mark.parametrize("make", [deep_app, lambda: BackpropApp(softmax_session())],
                         ids=["3-4-4-1", "4-5-3"])
def test_in_the_app_every_unit_at_120x40_and_the_equation_at_80x24(make) -> None:
    for key, pic, _ in walk(make(), (120, 40)):
        assert pic.collapsed == "", (key, pic.collapsed)
    for key, pic, bottom in walk(make(), (80, 24)):
        assert bottom <= 24 - 2, key   # the equation whole above the two footer lines
        assert pic.width <= 76
