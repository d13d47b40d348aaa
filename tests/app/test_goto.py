"""The go-to key (:): a place typed in the app's counting, checked as it is typed."""

from __future__ import annotations

import asyncio

from backprop_tui.app.widgets.prompt import PromptDialog
from backprop_tui.core.network.phases import PHASE_INDEX

from .conftest import make_app, wait_for_run

N = 200


def test_go_to_a_place_ahead_runs_there() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("colon")
            await pilot.pause()
            assert isinstance(app.screen, PromptDialog)
            await pilot.press(*"2 5 dW2")
            await pilot.pause()
            assert "runs 404 updates forward" in app.screen.message
            await pilot.press("enter")
            await wait_for_run(app, pilot)
            c = app.session.cursor
            assert (c.update, c.phase) == (2 * N + 4, PHASE_INDEX["dW2"])
            status = str(app.main.query_one("#status-text").content)
            assert "at epoch 2, sample 5/200, phase dW2" in status
            assert "epoch 2" in str(app.main.query_one("#position").content)

    asyncio.run(scenario())


def test_go_to_back_and_mistakes_in_the_dialog() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            app.session.goto(3 * N, 0)
            await pilot.press("colon")
            await pilot.pause()
            await pilot.press(*"1 999")
            await pilot.pause()
            assert "samples 1 to 200" in app.screen.message
            await pilot.press("enter")  # refused: the dialog stays, saying why
            await pilot.pause()
            assert isinstance(app.screen, PromptDialog)
            for _ in range(3):
                await pilot.press("backspace")
            await pilot.press(*"7 z1")
            await pilot.pause()
            assert app.screen.message == "to epoch 1, sample 7/200, phase z1"
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, PromptDialog)
            assert not app.running  # back in time: no run needed
            c = app.session.cursor
            assert (c.update, c.phase) == (N + 6, PHASE_INDEX["z1"])
            await pilot.press("colon", "escape")
            await pilot.pause()
            assert app.session.cursor.update == N + 6

    asyncio.run(scenario())


def test_go_to_typed_in_one_burst_and_cancelled() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("colon", *"450000 1", "enter")  # far: a long run
            await pilot.pause(0.3)
            assert app.running
            await pilot.press("escape")
            await wait_for_run(app, pilot)
            c = app.session.cursor
            assert 0 < c.update < 450000 * N and c.phase == 0
            assert "go-to cancelled" in str(app.main.query_one("#status-text").content)

    asyncio.run(scenario())
