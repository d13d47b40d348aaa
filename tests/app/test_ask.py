"""Ask mode (key a): a step first shows "?" for what it produces, n reveals it, and
nothing it produces is visible anywhere before that."""

from __future__ import annotations

import asyncio

import numpy as np

from backprop_tui.app.render import fmt_all
from backprop_tui.app.widgets.full_values import FullValuesScreen
from backprop_tui.app.widgets.gradcheck import GradCheckScreen
from backprop_tui.core.network.phases import PHASES

from .conftest import make_app, wait_for_run

PANELS = ("network", "params", "equation", "forward", "backward")


def screen_text(app) -> str:
    return "\n".join(app.query_one(f"#{p}").content.plain for p in PANELS)


def shown_numbers(values: dict[str, object], names: tuple[str, ...]) -> set[str]:
    """How the numbers of ``names`` would read on screen (each array in its format)."""
    out = set()
    for name in names:
        for text in fmt_all(np.asarray(values[name], dtype=float)):
            if text.strip() not in ("0.0000", "0"):
                out.add(text.strip())
    return out


def test_every_phase_is_asked_then_revealed_and_nothing_leaks() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(140, 44)) as pilot:
            await pilot.press("a")
            assert app.ask.on and "ASK" in app.query_one("#position").content.plain
            for k in range(1, len(PHASES)):
                await pilot.press("n")
                phase = PHASES[k]
                assert app.session.cursor.phase == k
                values = dict(app.session.values)
                secret = shown_numbers(values, phase.produces)
                text = screen_text(app)
                leaked = {s for s in secret if s in text}
                # A produced value may equal one shown already (db2 = delta2): not a leak.
                earlier = shown_numbers(values, tuple(n for n in values if n not in
                                                      phase.produces and n != "lr"))
                assert not leaked - earlier, (phase.key, leaked - earlier)
                assert "?" in text
                assert "n reveals" in str(app.query_one("#status-text").render())
                await pilot.press("n")  # the reveal: the cursor stays
                assert app.session.cursor.phase == k
                text = screen_text(app)
                assert all(s in text for s in list(secret)[:2]), phase.key

    asyncio.run(go())


def test_asked_values_stay_out_of_the_gradient_check_full_view_and_plot() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("a", *["n"] * 13)  # dW2 asked: 7 questions and 6 answers in
            assert app.session.phase.key == "dW2" and app.ask.hidden(app.session)
            await pilot.press("g")
            assert isinstance(app.screen, GradCheckScreen)
            plain = app.screen.query_one("#gradcheck-text").content.plain
            assert "dW2 (1,2)" not in plain and "dW2, db2" in plain
            await pilot.press("escape", "f")
            assert isinstance(app.screen, FullValuesScreen)
            dW2 = app.session.values["dW2"]
            assert fmt_all(dW2)[0].strip() not in app.screen.query_one("#full-values").content.plain
            await pilot.press("escape")

    asyncio.run(go())


def test_other_moves_land_revealed_and_runs_reveal_normally() -> None:
    async def go():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("a", "n")
            assert app.ask.hidden(app.session)
            await pilot.press("p")  # back: the load phase, shown
            assert not app.ask.hidden(app.session)
            await pilot.press("n", "n", "u")  # the update phase, reached by u: shown
            assert app.session.phase.key == "update" and not app.ask.hidden(app.session)
            await pilot.press("e")
            await wait_for_run(app, pilot)
            assert app.session.cursor.epoch == 1 and not app.ask.hidden(app.session)
            await pilot.press("a")  # off: stepping shows at once
            await pilot.press("n")
            assert not app.ask.hidden(app.session) and "?" not in screen_text(app)

    asyncio.run(go())
