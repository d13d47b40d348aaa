"""Every key bound in the breakpoints (B) and watches (W) lists does its job, none crashes.

The watches list once inherited the breakpoints list's bindings, so space there
called a ``toggle`` that watches do not have and the app died (issue 17). The keys
are read from the screen's live bindings, so a binding added later is pressed too.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable

from backprop_tui.app.widgets.breakpoints import BreakpointsScreen, WatchesScreen
from backprop_tui.app.widgets.prompt import PromptDialog

from .conftest import make_app

LISTS = {"B": BreakpointsScreen, "W": WatchesScreen}
# Keys of the App itself that are not the list's business (quit, the command palette).
NOT_THE_LISTS = {"ctrl+q", "ctrl+p"}


async def add(pilot, key: str, text: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    await pilot.press(*text, "enter")
    await pilot.pause()


async def open_list(app, pilot, key: str) -> None:
    if not isinstance(app.screen, LISTS[key]):
        await pilot.press(key)
        await pilot.pause()
    assert isinstance(app.screen, LISTS[key])


@pytest.mark.parametrize("key", ["B", "W"])
def test_every_bound_key_of_a_list_screen(key: str) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await add(pilot, "w", "L")
            await add(pilot, "b", "L < 0.01")
            await open_list(app, pilot, key)
            keys = [k for k in app.screen.active_bindings if k not in NOT_THE_LISTS]
            assert "escape" in keys and "d" in keys
            for pressed in keys:
                await open_list(app, pilot, key)
                await pilot.press("down" if pressed != "down" else "up")
                await pilot.press(pressed)
                await pilot.pause()
                if isinstance(app.screen, PromptDialog):  # an "add" key: its dialog
                    await pilot.press("escape")
                    await pilot.pause()
                assert app.is_running, f"{pressed} in the {key} list ended the app"
                assert len(app.screen_stack) <= 2
            await open_list(app, pilot, key)
            await pilot.press("escape")
            await pilot.pause()
            assert len(app.screen_stack) == 1
        assert app.return_value is None

    asyncio.run(scenario())


def test_watches_list_binds_only_its_own_keys() -> None:
    """space, enter and b mean nothing to a watch: not bound, so the footer and the
    keys agree (b there once added a watch, B closed the list)."""
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await add(pilot, "w", "L")
            await open_list(app, pilot, "W")
            bound = {k: b.binding.action for k, b in app.screen.active_bindings.items()}
            assert "space" not in bound and "b" not in bound and "B" not in bound
            assert bound["w"] == "add" and bound["d"] == "delete"
            body = app.screen.query_one("#breakpoints-body").region  # centred as B's
            assert body.x > 0 and body.y > 0
            await pilot.press("space", "enter", "b")
            await pilot.pause()
            assert isinstance(app.screen, WatchesScreen) and len(app.watches) == 1
            await pilot.press("d")
            await pilot.pause()
            assert len(app.watches) == 0

    asyncio.run(scenario())


def test_enter_toggles_a_breakpoint_as_the_list_says() -> None:
    """The table took enter for itself (select a row): the list's "space/enter" lied."""
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await add(pilot, "b", "L < 0.01")
            await open_list(app, pilot, "B")
            await pilot.press("down", "enter")
            await pilot.pause()
            assert not app.breakpoints[0].enabled
            assert app.screen.query_one(DataTable).get_row_at(1)[1] == "·"
            await pilot.press("enter")
            await pilot.pause()
            assert app.breakpoints[0].enabled

    asyncio.run(scenario())
