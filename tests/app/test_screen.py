"""What the screen promises, asserted on the widgets' own content at many sizes:
no number is cut at any width from 80 to 200 columns, the equation is on screen at
80x24 in every phase, and what just happened is marked alike everywhere."""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text

from backprop_tui.app.palette import PALETTE
from backprop_tui.app.render import fmt, number_format
from backprop_tui.app.widgets.diagram import NetworkDiagram
from backprop_tui.app.widgets.position import PositionBar
from backprop_tui.core.network.phases import PHASE_INDEX, PHASES

from .conftest import make_app, wait_for_run

PANELS = ("network", "params", "equation", "forward", "backward")
WIDTHS = (80, 86, 92, 100, 106, 110, 112, 114, 116, 117, 118, 119, 124, 136, 150, 160, 180, 200)
CHECKED_PHASES = ("load", "z1", "delta1", "dW1", "update")


def lines_of(widget) -> list[Text]:
    content = widget.content
    assert isinstance(content, Text), widget.id
    return content.split("\n")


def cut_rows(app) -> list[str]:
    """Every panel row that does not fit its panel, or says that entries were left out."""
    bad = []
    for panel_id in PANELS:
        panel = app.query_one(f"#{panel_id}")
        room = panel.content_size.width
        for line in lines_of(panel):
            if line.cell_len > room or "…+" in line.plain or "more rows" in line.plain:
                bad.append(f"{panel_id} ({room} wide): {line.plain!r}")
    return bad


@pytest.mark.parametrize("source,hidden", [("lab", 2), ("iris", 2), ("lab", 1), ("lab", 3),
                                           ("lab", 4), ("lab", 5)])
def test_no_number_is_cut_at_any_width(source: str, hidden: int) -> None:
    async def go():
        app = make_app(source, hidden=hidden)
        async with app.run_test(size=(120, 40)) as pilot:
            for width in WIDTHS:
                await pilot.resize_terminal(width, 40)
                await pilot.pause()
                for key in CHECKED_PHASES:
                    app.session.goto(0, PHASE_INDEX[key])
                    app.show_state()
                    await pilot.pause()
                    bad = cut_rows(app)
                    assert not bad, f"{width} columns, phase {key}: {bad}"

    asyncio.run(go())


def test_equation_is_on_screen_at_80x24_in_every_phase() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            body = app.query_one("#body")
            equation = app.query_one("#equation")
            network = app.query_one(NetworkDiagram)
            for k, phase in enumerate(PHASES):
                app.session.goto(0, k)
                app.show_state()
                await pilot.pause()
                assert body.scroll_y == 0
                assert equation.virtual_region.bottom <= body.size.height, phase.key
                assert network.virtual_region.y == 0  # the picture first, then the equation
                assert network.picture is not None and network.picture.collapsed == ""
                # The equation's formula line and its numbers are both there.
                text = equation.content.plain
                assert phase.formula.split("=")[0].strip().split(",")[0] in text

    asyncio.run(go())


def styled(widget, word: str, style: str) -> bool:
    """Whether ``word`` appears in the widget's content with ``style`` on it."""
    content = widget.content
    plain = content.plain
    start = plain.find(word)
    while start >= 0:
        if any(span.start <= start and span.end >= start + len(word) and style in str(span.style)
               for span in content.spans):
            return True
        start = plain.find(word, start + 1)
    return False


def test_what_just_happened_is_marked_alike_in_panels_equation_and_diagram() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("n")  # z1 = W1 x + b1
            forward = app.query_one("#forward")
            params = app.query_one("#params")
            equation = app.query_one("#equation")
            network = app.query_one("#network")
            assert styled(forward, "z1", PALETTE.produced)
            assert styled(forward, "x (3,)", PALETTE.read)
            assert styled(params, "W1", PALETTE.read) and styled(params, "b1", PALETTE.read)
            assert not styled(params, "W2", PALETTE.read)
            assert styled(equation, "z1", PALETTE.produced) and styled(equation, "W1", PALETTE.read)
            assert styled(network, "W1", PALETTE.read)  # the column of W1's ports
            assert styled(network, "z", PALETTE.produced)  # the z row of each hidden box
            # Not computed yet reads "not yet", in a style no value has.
            assert styled(forward, "not yet", PALETTE.not_yet)
            bar = app.query_one(PositionBar).content.plain
            assert "next: a1 = σ(z1)" in bar and "phase 2/11" in bar

            await pilot.press(*["n"] * (PHASE_INDEX["dW2"] - 1))
            assert styled(network, "dW2", PALETTE.produced)  # ports now hold the gradient
            assert "◀" in network.content.plain  # and the flow points back
            backward = app.query_one("#backward")
            assert styled(backward, "dW2", PALETTE.produced)
            assert styled(backward, "delta2", PALETTE.read)
            assert "chain rule" in equation.content.plain

    asyncio.run(go())


def test_backward_pass_is_explained_with_numbers() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(140, 40)) as pilot:
            equation = app.query_one("#equation")
            await pilot.press(*["n"] * PHASE_INDEX["delta2"])
            text = equation.content.plain
            assert "∂L/∂z2" in text and "lab: grad_output" in text
            v = app.session.values
            y_hat = float(v["y_hat"][0])
            assert f"σ'(z2) = y_hat (1 − y_hat) = {y_hat:.5f} · (1 − {y_hat:.5f})" in text
            await pilot.press("n", "n")  # delta1: W2^T delta2 before the product
            text = equation.content.plain
            assert "W2^T delta2 =" in text and "∂L/∂a1" in text and "lab: grad_hidden" in text
            da1 = app.session.values["da1"]
            assert fmt(da1[0], number_format(da1)).strip() in text
            assert "(* multiplies entry by entry)" in text

    asyncio.run(go())


def test_title_follows_a_run() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            app.start_run(100_000_000)  # long enough to watch; cancelled below
            seen = ""
            for _ in range(200):
                await pilot.pause(0.02)
                seen = app.query_one(PositionBar).content.plain
                if "running: epoch" in seen or not app.running:
                    break
            assert "running: epoch" in seen
            await pilot.press("escape")
            await wait_for_run(app, pilot)
            title = app.query_one(PositionBar).content.plain
            assert "running" not in title and f"epoch {app.session.cursor.epoch} " in title

    asyncio.run(go())


def test_a_finished_run_gives_the_curve_the_room_until_the_next_step() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("e")
            await wait_for_run(app, pilot)
            await pilot.pause()
            assert not app.query_one("#equation").display  # the loss curve has the room
            await pilot.press("n")
            await pilot.pause()
            assert app.query_one("#equation").display  # stepping: the numbers are back

    asyncio.run(go())


def test_plot_view_gives_the_plot_the_room() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            plots = app.query_one("#plots")
            before = plots.size.height
            await pilot.press("v")
            await pilot.pause()
            assert not app.query_one("#equation").display
            assert plots.size.height > before
            await pilot.press("v")
            await pilot.pause()
            assert app.query_one("#equation").display

    asyncio.run(go())
