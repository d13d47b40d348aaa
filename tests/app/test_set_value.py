"""The set key (=): a parameter or η changed mid-run, said before it discards anything."""

from __future__ import annotations

import asyncio

import numpy as np

from backprop_tui.app.widgets.prompt import PromptDialog

from .conftest import make_app, wait_for_run

N = 200


def test_set_lr_then_a_weight_that_discards_the_future() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("equals_sign")
            await pilot.pause()
            assert isinstance(app.screen, PromptDialog)
            await pilot.press(*"lr = 0.1", "enter")  # nothing computed after it: at once
            await pilot.pause()
            assert not isinstance(app.screen, PromptDialog)
            assert app.session.lr == 0.1
            assert "η 0.1 " in str(app.main.query_one("#position").content)
            await pilot.press("E", *"2", "enter")
            await wait_for_run(app, pilot)
            assert app.session.cursor.update == 2 * N
            before = app.session.params.W1.copy()

            app.session.goto(N + 10, 0)
            await pilot.press("equals_sign")
            await pilot.pause()
            await pilot.press(*"W1[0,1] = 0.5")
            await pilot.pause()
            assert "discard" in app.screen.message
            await pilot.press("enter")  # the first enter only says what is lost
            await pilot.pause()
            assert isinstance(app.screen, PromptDialog)
            assert "enter again" in app.screen.message
            assert app.session.timeline.head == 2 * N
            await pilot.press("enter")
            await pilot.pause()
            assert not isinstance(app.screen, PromptDialog)
            s = app.session
            assert s.params.W1[0, 1] == 0.5 and s.timeline.head == N + 10
            assert "set W1[0,1]" in str(app.main.query_one("#status-text").content)
            await pilot.press("p")  # one phase back: the sample before, untouched
            assert s.cursor.update == N + 9
            assert s.params.W1[0, 1] != 0.5
            plot = app.main.query_one("#loss-plot")
            assert plot._marks == (0.0, (N + 10) / N - 0.5)  # the η edit at 0, then W1
            assert "set by =" in "".join(str(line) for line in plot.lines())
            assert not np.array_equal(before, s.params.W1)

    asyncio.run(scenario())


def test_a_bad_edit_is_pointed_at_and_escape_changes_nothing() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            w1 = app.session.params.W1.copy()
            await pilot.press("equals_sign")
            await pilot.pause()
            await pilot.press(*"W1[5,0] = 1")
            await pilot.pause()
            message = app.screen.message
            assert "W1" in message and "(2, 3)" in message
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PromptDialog)
            await pilot.press("escape")
            await pilot.pause()
            assert np.array_equal(app.session.params.W1, w1)
            assert app.session.edits == []

    asyncio.run(scenario())


def test_an_edited_sample_is_marked_and_R_drops_every_edit() -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("N", "N", "equals_sign", *"W1[0,0] = 5", "enter")
            await pilot.pause()
            title = lambda: str(app.main.query_one("#position").content)  # noqa: E731
            assert "✎ set here" in title()
            await pilot.press("p")
            assert "✎ set here" not in title()
            await pilot.press("r")
            await pilot.pause()
            assert "1 edit(s) too (R drops them)" in str(
                app.main.query_one("#status-text").content)
            await pilot.press("colon", *"0 3", "enter")
            await pilot.pause()
            assert app.session.params.W1[0, 0] == 5
            await pilot.press("R")
            await pilot.pause()
            assert app.session.edits == [] and app.session.at_start
            app.session.goto(2)
            assert app.session.params.W1[0, 0] != 5

    asyncio.run(scenario())
